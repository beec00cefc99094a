import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { BUSYBOX, RUN_SCRIPT, type ReadinessCheck } from './helper.js';

/**
 * The entrypoint wrapper (Tekton's mechanism, with busybox instead of a Go binary): a wrapped
 * container's command becomes run.sh, which waits for files its dependencies leave in a shared
 * in-memory folder, then runs the original program and leaves files of its own.
 */
export const RUN_VOLUME = 'order-containers-run';
export const RUN_DIR = '/order-containers/run';
export const RUN_VOLUME_SPEC: V1Volume = { name: RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
export const RUN_MOUNT: V1VolumeMount = { name: RUN_VOLUME, mountPath: RUN_DIR };

/** `$0` of the wrapper: how a later run and `explain` recognise it. */
export const WRAPPER_NAME = 'order-containers-run';

/** What a dependency must reach: the file run.sh waits for (`exit` means exited with code 0). */
export type FileState = 'started' | 'ready' | 'exit';

export type Directive =
  | { readonly kind: 'after'; readonly container: string; readonly state: FileState }
  | { readonly kind: 'ready'; readonly attemptSeconds: number; readonly check: ReadinessCheck }
  | { readonly kind: 'exit' }
  | { readonly kind: 'sidecar'; readonly graceSeconds: number; readonly mains: readonly string[] }
  | { readonly kind: 'job'; readonly restartPolicy: 'Never' | 'OnFailure' }
  /** How a Job's sidecar asks to be stopped (a preset's quit endpoint), before it is signalled. */
  | { readonly kind: 'quit'; readonly url: string };

/** What a wrapper waits for, as people say it: `migrate completed`, `proxy ready`. */
export function waitsOf(directives: readonly Directive[]): string[] {
  return directives.flatMap((d) => (d.kind === 'after' ? [`${d.container} ${d.state === 'exit' ? 'completed' : d.state}`] : []));
}

export interface Wrapper {
  readonly container: string;
  readonly timeoutSeconds: number;
  readonly directives: readonly Directive[];
  /** The original command (with the image's args when the container had none), as kubelet would run it. */
  readonly program: readonly string[];
}

function checkArgs(check: ReadinessCheck): string[] {
  switch (check.kind) {
    case 'http':
      return [check.url, ...check.headers];
    case 'tcp':
      return [check.host, String(check.port)];
    case 'exec':
      return [...check.command];
  }
}

function directiveArgs(d: Directive): string[] {
  switch (d.kind) {
    case 'after':
      return ['after', d.container, d.state];
    case 'ready': {
      const args = checkArgs(d.check);
      return ['ready', String(d.attemptSeconds), d.check.kind, String(args.length), ...args];
    }
    case 'exit':
      return ['exit'];
    case 'sidecar':
      return ['sidecar', String(d.graceSeconds), String(d.mains.length), ...d.mains];
    case 'job':
      return ['job', d.restartPolicy];
    case 'quit':
      return ['quit', d.url];
  }
}

/**
 * kubelet expands `$(VAR)` in a container's command and turns `$$` into `$`. The program keeps its
 * expansion; everything of ours is escaped so that it reaches the shell byte for byte.
 */
function escapeExpansion(s: string): string {
  return s.split('$').join('$$');
}

function unescapeExpansion(s: string): string {
  return s.split('$$').join('$');
}

export function wrapperCommand(w: Wrapper): string[] {
  const ours = [BUSYBOX, 'sh', '-c', RUN_SCRIPT, WRAPPER_NAME, BUSYBOX, RUN_DIR, w.container, String(w.timeoutSeconds), ...w.directives.flatMap(directiveArgs), '--'];
  return [...ours.map(escapeExpansion), ...w.program];
}

/**
 * Reads a wrapper back from a container's command; undefined when the command is not ours. The
 * directives are read in order, each taking the arguments it says it has (as run.sh reads them), so an
 * exec check may hold `--` itself; the program starts after the `--` that follows the last directive.
 * Anything this version did not write (an unknown directive or check kind) is not ours, never a guess.
 */
export function parseWrapper(command: readonly string[] | undefined | null): Wrapper | undefined {
  if (!command || command[0] !== BUSYBOX || command[4] !== WRAPPER_NAME) return undefined;
  const args = command.map(unescapeExpansion);
  let at = 9;
  const next = (): string | undefined => (at < args.length ? args[at++] : undefined);
  const count = (): number | undefined => {
    const n = next();
    return n !== undefined && /^\d+$/.test(n) ? Number(n) : undefined;
  };
  const take = (n: number): string[] | undefined => (at + n <= args.length ? args.slice(at, (at += n)) : undefined);
  const directives: Directive[] = [];
  for (;;) {
    const kind = next();
    if (kind === undefined) return undefined;
    if (kind === '--') break;
    if (kind === 'after') {
      const container = next();
      const state = next();
      if (container === undefined || (state !== 'started' && state !== 'ready' && state !== 'exit')) return undefined;
      directives.push({ kind, container, state });
    } else if (kind === 'exit') directives.push({ kind });
    else if (kind === 'job') {
      const restartPolicy = next();
      if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') return undefined;
      directives.push({ kind, restartPolicy });
    } else if (kind === 'quit') {
      const url = next();
      if (url === undefined) return undefined;
      directives.push({ kind, url });
    } else if (kind === 'sidecar') {
      const graceSeconds = count();
      const n = count();
      const mains = n === undefined ? undefined : take(n);
      if (graceSeconds === undefined || mains === undefined) return undefined;
      directives.push({ kind, graceSeconds, mains });
    } else if (kind === 'ready') {
      const attemptSeconds = count();
      const checkKind = next();
      const n = count();
      const values = n === undefined ? undefined : take(n);
      if (attemptSeconds === undefined || values === undefined) return undefined;
      let check: ReadinessCheck;
      if (checkKind === 'http' && values.length >= 1) check = { kind: 'http', url: values[0]!, headers: values.slice(1) };
      else if (checkKind === 'tcp' && values.length === 2 && /^\d+$/.test(values[1]!)) check = { kind: 'tcp', host: values[0]!, port: Number(values[1]) };
      else if (checkKind === 'exec' && values.length >= 1) check = { kind: 'exec', command: values };
      else return undefined;
      directives.push({ kind, attemptSeconds, check });
    } else return undefined;
  }
  const timeoutSeconds = args[8] !== undefined && /^\d+$/.test(args[8]) ? Number(args[8]) : undefined;
  if (timeoutSeconds === undefined) return undefined;
  return { container: args[7] ?? '', timeoutSeconds, directives, program: command.slice(at) };
}
