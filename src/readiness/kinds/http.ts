/**
 * An HTTP GET, as kubelet's httpGet probe (pkg/probe/http): the probe's headers, then `User-Agent` and
 * `Accept: *\/*` unless it gives them, `Host` from its headers or host:port; ready on 200 to 399.
 */
import { hostArg, hostFromArg, hostOf, portOf, type CheckKind } from '../check-kind.js';

export interface HttpCheck {
  readonly kind: 'http';
  /** Absent: the pod's IP, as kubelet connects to when the probe names no host. */
  readonly host?: string;
  readonly port: number;
  /** The request target: the probe's path, `/` first. */
  readonly path: string;
  /** `Name: value`, as they go on the wire. */
  readonly headers: readonly string[];
}

export const httpCheck: CheckKind<HttpCheck> = {
  kind: 'http',
  fromProbe(probe, container) {
    if (!probe.httpGet) return undefined;
    const { scheme, path, httpHeaders } = probe.httpGet;
    if (scheme !== undefined && scheme !== 'HTTP')
      return `an ${scheme} probe cannot be checked by the static helper (no TLS); give the container an exec readinessProbe`;
    const port = portOf(probe.httpGet.port, container);
    if (typeof port === 'string') return port;
    const host = hostOf(probe.httpGet.host);
    if (typeof host === 'object') return host.problem;
    // Go's HTTP client refuses a header that would split the request; kubelet's probe then fails.
    const broken = (httpHeaders ?? []).find((h) => /[\r\n]/.test(h.name + h.value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.name));
    if (broken) return `the probe's header ${JSON.stringify(broken.name)} is not a valid HTTP header, so kubelet's probe could never pass`;
    const urlPath = path === undefined || path === '' ? '/' : path.startsWith('/') ? path : `/${path}`;
    if (/\s/.test(urlPath)) return `the probe's path ${JSON.stringify(path)} holds white space`;
    return {
      kind: 'http',
      ...(host === undefined ? {} : { host }),
      port,
      path: urlPath,
      headers: (httpHeaders ?? []).map((h) => `${h.name}: ${h.value}`),
    };
  },
  toArgs: (check) => [hostArg(check.host), String(check.port), check.path, ...check.headers],
  fromArgs: ([host, port, path, ...headers]) =>
    host === undefined || port === undefined || !/^\d+$/.test(port) || path === undefined
      ? undefined
      : { kind: 'http', ...hostFromArg(host), port: Number(port), path, headers },
};
