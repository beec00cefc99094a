/** The command line's I/O: input, output, and what it says on stderr. */
import { once } from 'node:events';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Result } from '../resource-list/results.js';
import { checkByteSize, DEFAULT_LIMITS, InputError } from '../yaml/load.js';

/** A usage or I/O problem: printed as one line, exit 2. */
export class UsageError extends Error {}

/** A function config file that does not parse: printed as one line, exit 3. */
export class ConfigFileError extends Error {}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Reads stdin without blocking on a non-blocking pipe, and stops past the size limit. */
async function readStdin(limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) break;
  }
  return Buffer.concat(chunks);
}

/** FILE, or stdin for none or `-`. */
export async function readInput(path: string | undefined): Promise<Buffer> {
  if (path === undefined || path === '-') {
    if (process.stdin.isTTY) throw new UsageError('no input: pipe a ResourceList on stdin or pass -i FILE (see --help)');
    return readStdin(DEFAULT_LIMITS.maxInputBytes);
  }
  return readFileOrSay(path, '');
}

/**
 * A file's bytes, or a UsageError that names it: `cannot read function config x.yaml: ENOENT`. A file
 * larger than the size limit is refused by its size before a byte is read; one whose size is not known
 * beforehand (a pipe: `-i <(…)`) is read, like stdin, only up to just past the limit, which the reader
 * of the bytes then reports.
 */
export function readFileOrSay(path: string, what: string): Buffer {
  const say = (e: unknown): UsageError =>
    new UsageError(`cannot read ${what}${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw say(e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) checkByteSize(stat.size, `${what}${path}`, DEFAULT_LIMITS);
    return readUpTo(fd, DEFAULT_LIMITS.maxInputBytes + 1);
  } catch (e) {
    throw e instanceof InputError ? e : say(e);
  } finally {
    closeSync(fd);
  }
}

/** At most `limit` bytes of an open file, to its end. */
function readUpTo(fd: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < limit) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit - size));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    size += read;
  }
  return Buffer.concat(chunks, size);
}

/**
 * The pieces joined into writes of about this many characters: an edit-all run has two pieces per item,
 * and a write each (a system call on a pipe or file) was 4% of it.
 */
const WRITE_SIZE = 1 << 20;

/**
 * `chunks` joined into runs of about WRITE_SIZE characters, each piece whole. Encoding the pieces
 * straight into buffers saved the join's copy (about 0.1 s of an entrypoint edit-all run's 5) but
 * raised its peak RSS by a fifth: buffers are freed only when a collection runs, and writing the
 * output allocates little else on the heap to start one; the joined strings are collected as they go.
 */
function* batched(chunks: readonly string[]): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const chunk of chunks) {
    batch.push(chunk);
    size += chunk.length;
    if (size >= WRITE_SIZE) {
      yield batch.join('');
      batch = [];
      size = 0;
    }
  }
  if (size > 0) yield batch.join('');
}

/**
 * Until stdout takes writes again or is closed. The wait that loses is taken off: left on, every full
 * pipe added two listeners to stdout, and past ten Node printed a MaxListenersExceededWarning on
 * stderr in the middle of a large run.
 */
async function drainedOrClosed(): Promise<void> {
  const done = new AbortController();
  const { signal } = done;
  try {
    await Promise.race([once(process.stdout, 'drain', { signal }), once(process.stdout, 'close', { signal })]);
  } finally {
    done.abort();
  }
}

/**
 * Writes batch by batch, waiting when the pipe is full, so the output is never copied whole. A reader
 * that stops early (`| head`) closes the pipe: the writing stops there, quietly, as a Unix tool's would
 * (Node ignores SIGPIPE and reports EPIPE instead).
 */
export async function writeChunks(chunks: readonly string[]): Promise<void> {
  let failure: NodeJS.ErrnoException | undefined;
  const onError = (e: NodeJS.ErrnoException): void => {
    failure = e;
  };
  process.stdout.on('error', onError);
  try {
    for (const chunk of batched(chunks)) {
      if (failure) break;
      if (!process.stdout.write(chunk)) await drainedOrClosed();
    }
  } catch (e) {
    failure = e as NodeJS.ErrnoException;
  } finally {
    process.stdout.off('error', onError);
  }
  if (failure && failure.code !== 'EPIPE') throw failure;
}

function resultLine(r: Result): string {
  const ref = r.resourceRef ? `${r.resourceRef.kind}/${r.resourceRef.name}` : 'functionConfig';
  const field = r.field ? ` ${r.field.path}` : '';
  return `order-containers: ${r.severity}: ${ref}${field}: ${r.message}\n`;
}

/** kustomize shows only stderr, so under kustomize (LOG_TO_STDERR) warnings and errors are printed there too. */
export function logResults(results: readonly Result[]): void {
  if (process.env.LOG_TO_STDERR !== 'true') return;
  for (const r of results) if (r.severity !== 'info') process.stderr.write(resultLine(r));
}

/** A stream has no place for results: every one is a line on stderr. */
export function printResults(results: readonly Result[]): void {
  for (const r of results) process.stderr.write(resultLine(r));
}
