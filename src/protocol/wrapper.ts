/**
 * The entrypoint wrapper (runtime/run.sh; Tekton's mechanism, with busybox instead of a Go binary): a
 * wrapped container's command becomes run.sh, which waits for files its dependencies leave in a shared
 * in-memory folder, then runs the original program and leaves files of its own.
 */
import type { Readiness } from '../readiness/readiness.js';
import { RUN_SH } from '../runtime/helper.js';
import { escapeExpansion, unescapeExpansion } from './expansion.js';
import { decodeFlags, encodeFlags, seconds } from './flags.js';
import { READINESS_FLAGS, readinessFlags, readinessFromFlags } from './readiness-flags.js';
import { scriptArgs, scriptCommand } from './script-command.js';

/** The files a container leaves, which others wait for (`exit`: it exited, with code 0 to go on). */
const FILE_STATES = ['started', 'ready', 'exit'] as const;
export type FileState = (typeof FILE_STATES)[number];

const JOB_RESTART_POLICIES = ['Never', 'OnFailure'] as const;
type JobRestartPolicy = (typeof JOB_RESTART_POLICIES)[number];

export interface WrapperDependency {
  readonly container: string;
  readonly state: FileState;
}

/** A sidecar outlives the main containers; in a pod that runs to completion it stops once they are done. */
interface WrapperSidecar {
  /** How long it waits, on SIGTERM, for the main containers to exit. */
  readonly graceSeconds: number;
  readonly mains: readonly string[];
  /** The pod runs to completion: stop once the main containers have exited (OnFailure: with 0). */
  readonly job?: JobRestartPolicy;
  /** How it is asked to stop (a preset's quit endpoint), before it is signalled. */
  readonly quit?: string;
}

export interface Wrapper {
  readonly container: string;
  /**
   * The longest it waits for a dependency to be started or ready (not counting the time that dependency
   * waits for its own); a wait for one to complete has no bound (runtime/run.sh, await).
   */
  readonly timeoutSeconds: number;
  readonly after: readonly WrapperDependency[];
  /** Leave NAME.ready once this check passes. */
  readonly ready?: Readiness;
  /** Leave NAME.exit with the program's exit code. */
  readonly recordExit: boolean;
  /**
   * The pod restarts exited containers (restartPolicy Always): once the program exits with 0, the
   * container stays up without running it again, also when kubelet restarts it.
   */
  readonly runOnce?: true;
  readonly sidecar?: WrapperSidecar;
  /** The original command (with the image's args when the container had none), as kubelet would run it. */
  readonly program: readonly string[];
}

const FLAGS = {
  name: 'value',
  timeout: 'value',
  after: 'values',
  ...READINESS_FLAGS,
  'record-exit': 'switch',
  'run-once': 'switch',
  sidecar: 'switch',
  grace: 'value',
  main: 'values',
  job: 'value',
  quit: 'value',
} as const;

/** The container's command: our flags escaped for kubelet's expansion, the program as it was. */
export function encodeWrapper(w: Wrapper): string[] {
  const { sidecar } = w;
  const flags = encodeFlags(FLAGS, {
    name: w.container,
    timeout: String(w.timeoutSeconds),
    after: w.after.map((d) => `${d.container}:${d.state}`),
    ...(w.ready ? readinessFlags(w.ready) : {}),
    'record-exit': w.recordExit,
    'run-once': w.runOnce === true,
    ...(sidecar
      ? {
          sidecar: true,
          grace: String(sidecar.graceSeconds),
          main: sidecar.mains,
          ...(sidecar.job ? { job: sidecar.job } : {}),
          ...(sidecar.quit ? { quit: sidecar.quit } : {}),
        }
      : {}),
  });
  // kubelet expands the container's command: ours is escaped, the program keeps its own expansion.
  return [...scriptCommand(RUN_SH, [...flags, '--']).map(escapeExpansion), ...w.program];
}

function dependencyOf(text: string): WrapperDependency | undefined {
  const colon = text.lastIndexOf(':');
  const state = text.slice(colon + 1);
  const found = FILE_STATES.find((s) => s === state);
  return colon > 0 && found ? { container: text.slice(0, colon), state: found } : undefined;
}

/**
 * Reads a wrapper back from a container's command; undefined when the command is not ours. Anything
 * this version did not write (an unknown flag or check kind, a missing value) is not ours, never a guess.
 */
export function decodeWrapper(command: readonly string[] | undefined | null): Wrapper | undefined {
  const raw = scriptArgs(command, RUN_SH);
  if (!raw) return undefined;
  const decoded = decodeFlags(FLAGS, raw.map(unescapeExpansion));
  if (!decoded || decoded.end >= raw.length) return undefined;
  const { values, end } = decoded;
  const [container] = values.name;
  const timeoutSeconds = seconds(values.timeout[0]);
  const after = values.after.map(dependencyOf);
  const ready = readinessFromFlags(values);
  if (container === undefined || timeoutSeconds === undefined || ready === undefined || after.some((d) => d === undefined))
    return undefined;
  let sidecar: WrapperSidecar | undefined;
  if (values.sidecar.length > 0) {
    const graceSeconds = seconds(values.grace[0]);
    const [job] = values.job;
    if (graceSeconds === undefined || (job !== undefined && !JOB_RESTART_POLICIES.some((p) => p === job))) return undefined;
    const [quit] = values.quit;
    sidecar = {
      graceSeconds,
      mains: values.main,
      ...(job ? { job: job as JobRestartPolicy } : {}),
      ...(quit !== undefined ? { quit } : {}),
    };
  } else if (values.grace.length + values.main.length + values.job.length + values.quit.length > 0) {
    return undefined;
  }
  return {
    container,
    timeoutSeconds,
    after: after as WrapperDependency[],
    ...(ready === 'absent' ? {} : { ready }),
    recordExit: values['record-exit'].length > 0,
    ...(values['run-once'].length > 0 ? { runOnce: true as const } : {}),
    ...(sidecar ? { sidecar } : {}),
    program: (command as readonly string[]).slice(1 + end + 1),
  };
}
