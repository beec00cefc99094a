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

/** A probe's port as a number: kubelet resolves a named port among the container's ports. */
export function portOf(port: number | string, container: V1Container): number | string {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((cp) => cp.name === port);
  return named ? named.containerPort : `the probe's port "${port}" is not a named port of the container`;
}
