/**
 * The postStart wait hook (runtime/wait.sh): blocks until the container's readiness check passes, so
 * that kubelet starts the next container only then. kubelet runs an exec hook's command as written, with
 * no `$(VAR)` expansion (HandlerRunner.Run in pkg/kubelet/lifecycle/handlers.go passes
 * handler.Exec.Command to RunInContainer), so nothing is escaped here.
 */
import type { Readiness } from '../readiness/readiness.js';
import { WAIT_SH } from '../runtime/helper.js';
import { decodeFlags, encodeFlags, seconds } from './flags.js';
import { READINESS_FLAGS, readinessFlags, readinessFromFlags } from './readiness-flags.js';
import { scriptArgs, scriptCommand } from './script-command.js';

export interface WaitHook {
  readonly container: string;
  readonly timeoutSeconds: number;
  readonly readiness: Readiness;
  /**
   * Leave NAME.ready in the run folder once the check passes (holdDependents), for the wrappers of the
   * containers after it, which kubelet starts even when this hook fails.
   */
  readonly marksReady?: true;
}

const FLAGS = { 'mark-ready': 'switch', name: 'value', timeout: 'value', ...READINESS_FLAGS } as const;

export function encodeWaitHook(hook: WaitHook): string[] {
  const flags = encodeFlags(FLAGS, {
    'mark-ready': hook.marksReady === true,
    name: hook.container,
    timeout: String(hook.timeoutSeconds),
    ...readinessFlags(hook.readiness),
  });
  return scriptCommand(WAIT_SH, flags);
}

/** The hook back from a postStart exec command; undefined when it is not one we wrote. */
export function decodeWaitHook(command: readonly string[] | undefined | null): WaitHook | undefined {
  const args = scriptArgs(command, WAIT_SH);
  const decoded = args && decodeFlags(FLAGS, args);
  if (!decoded || decoded.end !== args.length) return undefined;
  const { values } = decoded;
  const [container] = values.name;
  const timeoutSeconds = seconds(values.timeout[0]);
  const readiness = readinessFromFlags(values);
  if (container === undefined || timeoutSeconds === undefined || readiness === undefined || readiness === 'absent') return undefined;
  return { container, timeoutSeconds, readiness, ...(values['mark-ready'].length > 0 ? { marksReady: true as const } : {}) };
}
