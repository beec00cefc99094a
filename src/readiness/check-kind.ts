/**
 * One kind of readiness check, as the static helper runs it: how a probe's handler becomes the check,
 * and how the check travels as arguments to the shell (runtime/checks/KIND.sh reads them). Each kind is
 * one module under kinds/ and one shell function; kinds.ts lists them.
 */
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export interface CheckKind<C extends { readonly kind: string }> {
  readonly kind: C['kind'];
  /**
   * The check this probe asks for; a sentence saying why the helper cannot run it; or undefined when
   * the probe's handler is not of this kind.
   */
  fromProbe(probe: V1Probe, container: V1Container): C | string | undefined;
  /** The check's arguments for the shell function, in its order. */
  toArgs(check: C): string[];
  /** The check back from its arguments; undefined when they are not what toArgs writes. */
  fromArgs(args: readonly string[]): C | undefined;
}

/**
 * A probe's port as a number, resolved as kubelet resolves it (ResolveContainerPort,
 * pkg/kubelet/prober/prober.go): a string is a named port of the container, else a number written as a
 * string; the result must be 1 to 65535.
 */
export function portOf(port: number | string, container: V1Container): number | string {
  let resolved: number;
  if (typeof port === 'number') resolved = port;
  else {
    const named = container.ports?.find((cp) => cp.name === port);
    if (named) resolved = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) resolved = Number(port);
    else return `the probe's port "${port}" is not a named port of the container`;
  }
  return Number.isInteger(resolved) && resolved > 0 && resolved < 65536
    ? resolved
    : `the probe's port ${JSON.stringify(port)} is not a port number`;
}

/**
 * The host a probe names; undefined when it names none, and the check then connects to the pod's IP,
 * as kubelet does (pkg/kubelet/prober/prober.go runProbe for tcpSocket, pkg/probe/http/request.go
 * NewRequestForHTTPGetAction for httpGet: an empty host is status.PodIP); or why the helper will not
 * connect to it: it reaches busybox as an argument, where a leading `-` would read as an option.
 */
export function hostOf(host: string | undefined): string | undefined | { readonly problem: string } {
  if (host === undefined || host === '') return undefined;
  return /^[A-Za-z0-9_.:][A-Za-z0-9_.:-]*$/.test(host)
    ? host
    : { problem: `the probe's host ${JSON.stringify(host)} is not a host name or address` };
}

/**
 * A check's host as its first argument: the empty string for the pod's IP (runtime/check.sh, connect_host),
 * which no probe's host can be, since hostOf reads an empty one as none.
 */
export const hostArg = (host: string | undefined): string => host ?? '';

/** The host back from its argument, as the check's field. */
export const hostFromArg = (arg: string): { readonly host?: string } => (arg === '' ? {} : { host: arg });
