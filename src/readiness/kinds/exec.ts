/**
 * A command run in the container, as kubelet's exec probe: ready when it exits with 0. kubelet expands
 * `$(VAR)` in a probe's command from the container's env (ExpandContainerCommandOnlyStatic, with
 * EnvVarsToMap: every variable by its `value`, one set from a source as empty), so the check does too.
 */
import { expandLikeKubelet } from '../expansion.js';
import type { CheckKind } from '../check-kind.js';

export interface ExecCheck {
  readonly kind: 'exec';
  readonly command: readonly string[];
}

export const execCheck: CheckKind<ExecCheck> = {
  kind: 'exec',
  fromProbe(probe, container) {
    if (!probe.exec?.command || probe.exec.command.length === 0) return undefined;
    const vars = new Map((container.env ?? []).map((e) => [e.name, e.value ?? '']));
    return { kind: 'exec', command: probe.exec.command.map((arg) => expandLikeKubelet(arg, vars)) };
  },
  toArgs: (check) => [...check.command],
  fromArgs: (args) => (args.length > 0 ? { kind: 'exec', command: [...args] } : undefined),
};
