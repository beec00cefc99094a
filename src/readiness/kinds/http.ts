/** An HTTP GET, as kubelet's httpGet probe: ready on a 2xx or 3xx answer. */
import { portOf, type CheckKind } from '../check-kind.js';

export interface HttpCheck {
  readonly kind: 'http';
  readonly url: string;
  /** `Name: value`, as wget's --header takes them. */
  readonly headers: readonly string[];
}

export const httpCheck: CheckKind<HttpCheck> = {
  kind: 'http',
  fromProbe(probe, container) {
    if (!probe.httpGet) return undefined;
    const { scheme, host, path, httpHeaders } = probe.httpGet;
    if (scheme !== undefined && scheme !== 'HTTP')
      return `an ${scheme} probe cannot be checked by the static helper (no TLS); give the container an exec readinessProbe`;
    const port = portOf(probe.httpGet.port, container);
    if (typeof port === 'string') return port;
    const urlPath = path === undefined || path === '' ? '/' : path.startsWith('/') ? path : `/${path}`;
    return {
      kind: 'http',
      url: `http://${host ?? '127.0.0.1'}:${port}${urlPath}`,
      headers: (httpHeaders ?? []).map((h) => `${h.name}: ${h.value}`),
    };
  },
  toArgs: (check) => [check.url, ...check.headers],
  fromArgs: ([url, ...headers]) => (url === undefined ? undefined : { kind: 'http', url, headers }),
};
