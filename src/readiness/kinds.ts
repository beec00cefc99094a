/**
 * The readiness checks the static helper can run, in the order a probe's handlers are tried. A new
 * kind is a module under kinds/, a shell function in runtime/checks/, and one line in this list.
 */
import type { CheckKind } from './check-kind.js';
import { execCheck } from './kinds/exec.js';
import { httpCheck } from './kinds/http.js';
import { tcpCheck } from './kinds/tcp.js';

const KINDS = [httpCheck, tcpCheck, execCheck] as const;

type CheckOf<K> = K extends CheckKind<infer C> ? C : never;

export type ReadinessCheck = CheckOf<(typeof KINDS)[number]>;

/** Every kind, typed by what they have in common (each one only ever sees checks of its own kind). */
export const CHECK_KINDS: readonly CheckKind<ReadinessCheck>[] = KINDS;

export function checkKindOf(kind: string): CheckKind<ReadinessCheck> | undefined {
  return CHECK_KINDS.find((k) => k.kind === kind);
}

/** A check's arguments for its shell function. */
export function checkArgs(check: ReadinessCheck): string[] {
  return checkKindOf(check.kind)!.toArgs(check);
}
