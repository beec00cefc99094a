/** A TCP connect, as kubelet's tcpSocket probe. */
import { hostArg, hostFromArg, hostOf, portOf, type CheckKind } from '../check-kind.js';

export interface TcpCheck {
  readonly kind: 'tcp';
  /** Absent: the pod's IP, as kubelet connects to when the probe names no host. */
  readonly host?: string;
  readonly port: number;
}

export const tcpCheck: CheckKind<TcpCheck> = {
  kind: 'tcp',
  fromProbe(probe, container) {
    if (!probe.tcpSocket) return undefined;
    const port = portOf(probe.tcpSocket.port, container);
    if (typeof port === 'string') return port;
    const host = hostOf(probe.tcpSocket.host);
    if (typeof host === 'object') return host.problem;
    return { kind: 'tcp', ...(host === undefined ? {} : { host }), port };
  },
  toArgs: (check) => [hostArg(check.host), String(check.port)],
  fromArgs: ([host, port, ...rest]) => {
    if (host === undefined || port === undefined || !/^\d+$/.test(port) || rest.length > 0) return undefined;
    return { kind: 'tcp', ...hostFromArg(host), port: Number(port) };
  },
};
