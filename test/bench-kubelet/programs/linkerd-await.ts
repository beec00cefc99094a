/**
 * linkerd-await (/usr/lib/linkerd/linkerd-await in the proxy image). Source: linkerd/linkerd-await
 * src/main.rs (clap flags; polls GET http://localhost:<port>/ready, 5 s per attempt, --backoff between;
 * --timeout: "linkerd-proxy failed to become ready within ... timeout" and exit 69 unless
 * --timeout-fatal=false; LINKERD_AWAIT_DISABLED / LINKERD_DISABLED skip the wait; with CMD: exec it, or
 * with --shutdown fork it, forward SIGTERM, POST /shutdown when it ends and exit with its code, 71 when
 * it has none), README.md (usage). clap usage errors exit 2.
 *
 * As a probe or hook (BENCH_EXEC) it is not the container's program: it leaves no marks. As the
 * container's program with a CMD, the CMD is the program (it starts, marks, records): linkerd-await
 * only waits before it, as the real one waits before exec'ing it.
 */
import { spawn } from 'node:child_process';
import { exit, isExec, start } from './lib.js';
import { parseClap, parseLinkerdDuration, type ClapDef } from './flags.js';
import { httpRequest, sleep } from './support.js';

const DEFS: readonly ClapDef[] = [
  { name: 'port', short: 'p', takesValue: true, display: '--port <PORT>' },
  { name: 'backoff', short: 'b', takesValue: true, display: '--backoff <BACKOFF>' },
  { name: 'shutdown', short: 'S', takesValue: false, display: '--shutdown' },
  { name: 'verbose', short: 'v', takesValue: false, display: '--verbose' },
  { name: 'timeout', short: 't', takesValue: true, display: '--timeout <TIMEOUT>' },
  { name: 'timeout-fatal', takesValue: true, requireEquals: true, display: '--timeout-fatal[=<TIMEOUT_FATAL>]' },
  { name: 'help', short: 'h', takesValue: false, display: '--help' },
  { name: 'version', short: 'V', takesValue: false, display: '--version' },
];

const USAGE = 'Usage: linkerd-await [OPTIONS] [CMD] [ARGS]...';

function usageError(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}\n\nFor more information, try '--help'.\n`);
  process.exit(2);
}

const parsed = parseClap(process.argv.slice(2), DEFS);
if (parsed.error) usageError(parsed.error);
const val = (n: string): string | true | undefined => parsed.values.get(n);
if (val('help')) {
  process.stdout.write(`Wait for linkerd to become ready before running a program\n\n${USAGE}\n`);
  process.exit(0);
}
if (val('version')) {
  process.stdout.write('linkerd-await 0.2.9\n');
  process.exit(0);
}
const portText = (val('port') as string | undefined) ?? '4191';
if (!/^\d+$/.test(portText) || Number(portText) > 65535)
  usageError(`invalid value '${portText}' for '--port <PORT>': invalid digit found in string`);
const durationOf = (name: string, display: string, def?: string): number | undefined => {
  const raw = (val(name) as string | undefined) ?? def;
  if (raw === undefined) return undefined;
  const ms = parseLinkerdDuration(raw);
  if (ms === undefined) usageError(`invalid value '${raw}' for '${display}': invalid duration`);
  return ms;
};
const backoff = durationOf('backoff', '--backoff <BACKOFF>', '1s')!;
const timeout = durationOf('timeout', '--timeout <TIMEOUT>');
const fatalRaw = val('timeout-fatal');
const timeoutFatal = fatalRaw === undefined || fatalRaw === true || fatalRaw === 'true';
if (fatalRaw !== undefined && fatalRaw !== true && fatalRaw !== 'true' && fatalRaw !== 'false')
  usageError(`invalid value '${fatalRaw}' for '--timeout-fatal[=<TIMEOUT_FATAL>]'`);
const [cmd, ...cmdArgs] = parsed.positionals;
if (val('shutdown') && cmd === undefined) usageError('the following required arguments were not provided:\n  <CMD>');
if (fatalRaw !== undefined && cmd === undefined) usageError('the following required arguments were not provided:\n  <CMD>');
const verbose = val('verbose') === true || (process.env.LINKERD_AWAIT_VERBOSE ?? '') !== '';
const base = `http://localhost:${Number(portText)}`;

void main();

/** How linkerd-await itself ends: marks only when it is the container's program and runs no CMD. */
function finish(code: number): never {
  if (!isExec && cmd === undefined) exit(code);
  process.exit(code);
}

async function awaitReady(): Promise<boolean> {
  const deadline = timeout !== undefined && timeout > 0 ? Date.now() + timeout : Infinity;
  for (;;) {
    const r = await httpRequest('GET', `${base}/ready`, Math.min(5000, Math.max(1, deadline - Date.now())));
    if (r.status !== undefined && r.status >= 200 && r.status < 300) return true;
    if (Date.now() + backoff >= deadline) {
      await sleep(Math.max(0, deadline - Date.now()));
      return false;
    }
    await sleep(backoff);
  }
}

async function main(): Promise<void> {
  if (!isExec && cmd === undefined) start();
  const disabled = process.env.LINKERD_AWAIT_DISABLED || process.env.LINKERD_DISABLED;
  if (disabled) {
    if (verbose) process.stderr.write(`Linkerd readiness check skipped: ${disabled}\n`);
  } else {
    if (!(await awaitReady())) {
      // Rust's Debug of a Duration: whole seconds print as "120s".
      process.stderr.write(
        `linkerd-proxy failed to become ready within ${timeout! % 1000 === 0 ? `${timeout! / 1000}s` : `${timeout}ms`} timeout\n`,
      );
      if (timeoutFatal) finish(69);
    }
    if (val('shutdown')) {
      const code = await run(true);
      await httpRequest('POST', `${base}/shutdown`, 5000);
      finish(code);
    }
  }
  if (cmd !== undefined) finish(await run(false));
  finish(0);
}

/** Runs CMD: forked with SIGTERM forwarded (--shutdown), or in place of exec (the same, to the bench). */
function run(forked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd!, cmdArgs, { stdio: 'inherit' });
    const forward = (): void => void child.kill('SIGTERM');
    process.on('SIGTERM', forward);
    if (!forked) process.on('SIGINT', () => void child.kill('SIGINT'));
    child.on('error', (e) => {
      process.stderr.write(`Failed to ${forked ? 'fork' : 'exec'} child program: ${cmd}: ${e.message}\n`);
      resolve(71);
    });
    // An exec'd program's status is its own; a forked one's signal death has no code: EX_OSERR.
    child.on('exit', (code, signal) => resolve(code ?? (forked ? 71 : 128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : 2))));
  });
}
