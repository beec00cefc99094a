/**
 * The postStart wait hook (runtime/wait.sh): blocks until the container's readiness check passes, so
 * that kubelet starts the next container only then. kubelet runs an exec hook's command as written, with
 * no `$(VAR)` expansion (HandlerRunner.Run in pkg/kubelet/lifecycle/handlers.go passes
 * handler.Exec.Command to RunInContainer), so nothing is escaped here.
 */
import type { Readiness } from '../readiness/readiness.js';
import { BUSYBOX } from '../runtime/helper.js';
import { WAIT_SCRIPT } from '../runtime/scripts.js';
import { decodeFlags, encodeFlags, seconds } from './flags.js';
import { READINESS_FLAGS, readinessFlags, readinessFromFlags } from './readiness-flags.js';
import { scriptArgs, scriptCommand } from './script-command.js';

const WAIT_HOOK_NAME = 'order-containers-wait';

export interface WaitHook {
  readonly container: string;
  readonly timeoutSeconds: number;
  readonly readiness: Readiness;
}

const FLAGS = { busybox: 'value', name: 'value', timeout: 'value', ...READINESS_FLAGS } as const;

/** `busybox` is where the pod has it; tests point it at a stand-in. */
export function encodeWaitHook(hook: WaitHook, busybox: string = BUSYBOX): string[] {
  const flags = encodeFlags(FLAGS, {
    busybox,
    name: hook.container,
    timeout: String(hook.timeoutSeconds),
    ...readinessFlags(hook.readiness),
  });
  return scriptCommand(WAIT_SCRIPT, WAIT_HOOK_NAME, flags);
}

/** The hook back from a postStart exec command; undefined when it is not one we wrote. */
export function decodeWaitHook(command: readonly string[] | undefined | null): WaitHook | undefined {
  const args = scriptArgs(command, WAIT_HOOK_NAME);
  const decoded = args && decodeFlags(FLAGS, args);
  if (!decoded || decoded.end !== args.length) return undefined;
  const { values } = decoded;
  const [container] = values.name;
  const timeoutSeconds = seconds(values.timeout[0]);
  const readiness = readinessFromFlags(values);
  if (container === undefined || timeoutSeconds === undefined || readiness === undefined || readiness === 'absent') return undefined;
  return { container, timeoutSeconds, readiness };
}
