/**
 * The generic application: what the bench runs for a workload's own images. It checks at start that
 * its dependencies are there (lib.start records a violation for each that is not), listens on its
 * ports after a delay, becomes ready after a delay (HTTP 200 on every path from then, 503 before), and
 * either serves until stopped or does its work and exits with a code.
 *
 * Run beside the program (an exec probe or hook naming this file, or a check a wrapper runs), it
 * answers whether the container is ready: exit 0 once its ready mark is there.
 */
import type { Server } from 'node:net';
import { becomeReady, exit, hasMark, isExec, onTerminate, programConfig, reply, self, serve, start } from './lib.js';

export interface AppConfig {
  /** Default: what the manifest means the container to do (SelfConfig.runs), else until-stopped. */
  readonly runs?: 'to-completion' | 'until-stopped';
  /** Ports it listens on; default the container's declared containerPorts. */
  readonly ports?: readonly number[];
  /** The address it binds (default 0.0.0.0; 127.0.0.1 hides it from kubelet's probes of the pod IP). */
  readonly host?: string;
  /** Default: when it becomes ready, so a TCP probe and the ready mark agree; never, when it never is. */
  readonly listenAfterMs?: number;
  readonly readyAfterMs?: number;
  /** to-completion: how long the work takes, and the exit code. */
  readonly workMs?: number;
  readonly exitCode?: number;
  /** How long it takes to stop on SIGTERM (it then exits 0, as a graceful server does). */
  readonly stopMs?: number;
}

const config = (programConfig ?? {}) as AppConfig;

// The container's program is its PID 1 or a child of it (a wrapper's, a shell's); anything else runs
// beside it: a kubelet exec (whose parent is outside the PID namespace) or a check a wrapper runs.
const besideTheProgram = process.pid !== 1 && process.ppid !== 1;

if (isExec || besideTheProgram) {
  process.exit(hasMark(self.name, 'Ready') ? 0 : 1);
}

start();
let ready = false;
const servers: Server[] = [];
onTerminate(() => {
  setTimeout(() => exit(0), config.stopMs ?? 100);
});

const ports = config.ports ?? self.ports ?? [];
const readyAfterMs = config.readyAfterMs ?? 200;
const listenAfterMs = config.listenAfterMs ?? (self.fault?.neverReady ? undefined : readyAfterMs);
if (listenAfterMs !== undefined)
  setTimeout(() => {
    for (const port of ports) {
      serve(config.host ?? '0.0.0.0', port, (_req, res) => reply(res, ready ? 200 : 503, ready ? 'ok\n' : 'starting\n')).then(
        (s) => servers.push(s),
        (e: Error) => {
          process.stderr.write(`app: cannot listen on ${port}: ${e.message}\n`);
          exit(1);
        },
      );
    }
  }, listenAfterMs);

// Ready first, then listening: whoever reaches a port finds the ready mark already there.
setTimeout(() => {
  ready = becomeReady();
}, readyAfterMs);

if ((config.runs ?? self.runs ?? 'until-stopped') === 'to-completion') {
  setTimeout(() => exit(config.exitCode ?? 0), config.workMs ?? 300);
} else {
  // A server runs until it is stopped: keep the event loop alive even with no port to listen on.
  setInterval(() => undefined, 1 << 30);
}
