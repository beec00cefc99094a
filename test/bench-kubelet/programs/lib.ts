/**
 * What every emulated program shares: who it is in the pod, the marks it leaves for the others, the
 * violations it records, the faults the scenario injects, and stopping on SIGTERM.
 *
 * A program runs inside a bench container (its own mount and PID namespaces, the pod's network
 * namespace) as `/.bench/node <image file> ARGS...`. It may import only node: modules and files of this
 * folder: nothing else is mounted. The bench gives it
 *   /.bench/self/container.json  this container: name, the pod's start, what it must find at start, faults
 *   /.bench/self/events.jsonl    where it appends the events it records (violations)
 *   /.bench/pod/                 the pod's marks, shared by every container: NAME.started, NAME.ready,
 *                                NAME.completed. A mark is written before the state is visible
 *                                elsewhere (a ready mark before the ready endpoint answers 200), so a
 *                                dependent that saw the state also finds the mark.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Condition = 'Started' | 'Ready' | 'Completed';

/** Faults a scenario injects into one container's program. */
export interface ProgramFault {
  /** The program exits with `code` this long after it starts, whatever it was doing. */
  readonly crash?: { readonly afterMs: number; readonly code: number };
  /** The program never reports ready (its readiness endpoint keeps failing). */
  readonly neverReady?: boolean;
  /** The program installs no SIGTERM handler: as PID 1 it then ignores SIGTERM (pid_namespaces(7)). */
  readonly ignoreTerm?: boolean;
}

export interface SelfConfig {
  readonly name: string;
  /** Epoch milliseconds at which the pod started: event times count from it. */
  readonly podStart: number;
  /** Dependencies that must have reached their condition when this program starts. */
  readonly requires: readonly { readonly container: string; readonly condition: Condition }[];
  readonly fault?: ProgramFault;
  /** The containerPorts the container declares (a generic application listens on them). */
  readonly ports?: readonly number[];
  /** Whether the manifest means this container to finish (an init container, a Job's, a Completed dependency). */
  readonly runs?: 'to-completion' | 'until-stopped';
}

const SELF_DIR = process.env.BENCH_SELF_DIR ?? '/.bench/self';
const POD_DIR = process.env.BENCH_POD_DIR ?? '/.bench/pod';

function readSelf(): SelfConfig {
  const file = `${SELF_DIR}/container.json`;
  // Outside a bench container (a program run by hand) there is no pod: nothing is required.
  if (!existsSync(file)) return { name: 'program', podStart: Date.now(), requires: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as SelfConfig;
}

export const self: SelfConfig = readSelf();

/** The registry's configuration of this image file (images.ts writes it into the file's stub). */
export const programConfig: unknown = (globalThis as { benchProgramConfig?: unknown }).benchProgramConfig;

/** Set by the bench kubelet on what it runs in a container beside its program: probes and hooks. */
export const isExec = process.env.BENCH_EXEC === '1';

function now(): number {
  return Date.now() - self.podStart;
}

const MARK_OF: Record<Condition, string> = { Started: 'started', Ready: 'ready', Completed: 'completed' };

/** Leaves a mark for the other containers; written whole (temporary file, then rename). */
function mark(condition: Condition): void {
  const file = `${POD_DIR}/${self.name}.${MARK_OF[condition]}`;
  try {
    writeFileSync(`${file}.tmp`, String(now()));
    renameSync(`${file}.tmp`, file);
  } catch {
    // Outside a bench pod there is nowhere to leave it.
  }
}

export function hasMark(container: string, condition: Condition): boolean {
  return existsSync(`${POD_DIR}/${container}.${MARK_OF[condition]}`);
}

/** Records an event in this container's timeline (the bench reads them when the pod ends). */
function record(event: 'violation', detail: string): void {
  const line = JSON.stringify({ t: now(), container: self.name, event, detail });
  try {
    appendFileSync(`${SELF_DIR}/events.jsonl`, `${line}\n`);
  } catch {
    process.stderr.write(`${line}\n`);
  }
}

/**
 * What the program does first, as an application would: it needs its dependencies now, so it checks
 * each one and records a violation for every one that has not reached its condition.
 */
export function start(): void {
  // A ready mark left by an earlier run of this container says nothing of this one.
  rmSync(`${POD_DIR}/${self.name}.${MARK_OF.Ready}`, { force: true });
  for (const r of self.requires) {
    if (!hasMark(r.container, r.condition)) record('violation', `started before ${r.container} was ${r.condition}`);
  }
  mark('Started');
  const crash = self.fault?.crash;
  if (crash) setTimeout(() => process.exit(crash.code), crash.afterMs);
}

/** Marks the program ready unless the scenario says it never is; returns whether it now is. */
export function becomeReady(): boolean {
  if (self.fault?.neverReady) return false;
  mark('Ready');
  return true;
}

/** Ends the program; a zero exit is a completion the others may wait for. */
export function exit(code: number): never {
  if (code === 0) mark('Completed');
  process.exit(code);
}

/**
 * Stops the program on SIGTERM or SIGINT as the real program does (`stop` says how), unless the
 * scenario makes it ignore SIGTERM: then no handler is installed for it, and as PID 1 of its PID
 * namespace the kernel discards the signal.
 */
export function onTerminate(stop: (signal: NodeJS.Signals) => void): void {
  if (!self.fault?.ignoreTerm) process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server on host:port; rejects when the address cannot be bound, as the real program would fail. */
export function serve(host: string, port: number, handler: Handler): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function reply(res: ServerResponse, code: number, body = ''): void {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(body);
}
