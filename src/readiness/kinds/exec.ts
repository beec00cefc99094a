/** A command run in the container, as kubelet's exec probe: ready when it exits with 0. */
import type { CheckKind } from '../check-kind.js';

export interface ExecCheck {
  readonly kind: 'exec';
  readonly command: readonly string[];
}

export const execCheck: CheckKind<ExecCheck> = {
  kind: 'exec',
  fromProbe: (probe) => (probe.exec?.command && probe.exec.command.length > 0 ? { kind: 'exec', command: probe.exec.command } : undefined),
  toArgs: (check) => [...check.command],
  fromArgs: (args) => (args.length > 0 ? { kind: 'exec', command: [...args] } : undefined),
};
