/** A TCP connect, as kubelet's tcpSocket probe. */
import { hostOf, portOf, type CheckKind } from '../check-kind.js';

export interface TcpCheck {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
}

export const tcpCheck: CheckKind<TcpCheck> = {
  kind: 'tcp',
  fromProbe(probe, container) {
    if (!probe.tcpSocket) return undefined;
    const port = portOf(probe.tcpSocket.port, container);
    if (typeof port === 'string') return port;
    const host = hostOf(probe.tcpSocket.host);
    if (typeof host !== 'string') return host.problem;
    return { kind: 'tcp', host, port };
  },
  toArgs: (check) => [check.host, String(check.port)],
  fromArgs: (args) => (args.length === 2 && /^\d+$/.test(args[1]!) ? { kind: 'tcp', host: args[0]!, port: Number(args[1]) } : undefined),
};
