#!/usr/bin/env node
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runFunction, type ExitCode } from './function.js';
import { DEFAULT_LIMITS, InputError, loadYaml, readResourceList } from './resource-list/read.js';
import type { Result } from './resource-list/results.js';

const HELP = `Usage: order-containers [options] < resource-list.yaml > resource-list.yaml

Makes the containers of each pod template start and stop in the declared order.
Reads a KRM ResourceList (YAML or JSON) and writes it back with results.

Options:
  -i, --input FILE             read the ResourceList from FILE instead of stdin ("-" is stdin)
  -o, --output FILE            write the ResourceList to FILE instead of stdout
  -f, --function-config FILE   use the ContainerOrder or ConfigMap in FILE as functionConfig
  -d KEY=VALUE                 add KEY=VALUE to a ConfigMap functionConfig (repeatable)
      --json                   read and write JSON
  -h, --help                   show this help
      --version                print the version

Exit codes: 0 ok, 1 an error result, 2 bad input or crash, 3 bad functionConfig.
Docs: README.md in the package.`;

/** A usage or I/O problem: printed as one line, exit 2. */
class UsageError extends Error {}

/** A function config file that does not parse: printed as one line, exit 3. */
class ConfigFileError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
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

async function readInput(path: string | undefined): Promise<Buffer> {
  if (path === undefined || path === '-') {
    if (process.stdin.isTTY) throw new UsageError('no input: pipe a ResourceList on stdin or pass -i FILE (see --help)');
    return readStdin(DEFAULT_LIMITS.maxInputBytes);
  }
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function configFromFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read function config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return loadYaml(text, 1, `function config ${path}`, DEFAULT_LIMITS);
  } catch (e) {
    if (e instanceof InputError) throw new ConfigFileError(e.message);
    throw e;
  }
}

function configFromPairs(pairs: readonly string[]): unknown {
  const data: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-d ${pair}: expected KEY=VALUE`);
    data[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data };
}

/** Writes piece by piece, waiting when the pipe is full, so the output is never copied whole. */
async function writeChunks(chunks: readonly string[]): Promise<void> {
  for (const chunk of chunks) {
    if (chunk === '') continue;
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

/** kustomize shows only stderr, so under kustomize (LOG_TO_STDERR) warnings and errors are printed there too. */
function logResults(results: readonly Result[]): void {
  if (process.env.LOG_TO_STDERR !== 'true') return;
  for (const r of results) {
    if (r.severity === 'info') continue;
    const ref = r.resourceRef ? `${r.resourceRef.kind}/${r.resourceRef.name}` : 'functionConfig';
    const field = r.field ? ` ${r.field.path}` : '';
    process.stderr.write(`order-containers: ${r.severity}: ${ref}${field}: ${r.message}\n`);
  }
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      'function-config': { type: 'string', short: 'f' },
      d: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(version() + '\n');
    return 0;
  }
  if (values['function-config'] !== undefined && values.d !== undefined) {
    throw new UsageError('-f and -d both give a functionConfig; use one');
  }
  const list = readResourceList(await readInput(values.input), { json: values.json ?? false });
  let config: unknown = list.functionConfig;
  if (values['function-config'] !== undefined) config = configFromFile(values['function-config']);
  else if (values.d !== undefined) config = configFromPairs(values.d);
  const run = runFunction(list, config);
  logResults(run.results);
  if (values.output !== undefined) writeFileSync(values.output, run.chunks.join(''));
  else await writeChunks(run.chunks);
  return run.exitCode;
}

function fail(message: string, exitCode: ExitCode = 2): ExitCode {
  process.stderr.write(`order-containers: ${message}\n`);
  return exitCode;
}

let code: ExitCode;
try {
  code = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof InputError || e instanceof UsageError) code = fail(e.message);
  else if (e instanceof ConfigFileError) code = fail(e.message, 3);
  else if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) code = fail(`${e.message} (see --help)`);
  else code = fail(`internal error: ${(e as Error).stack ?? String(e)}`);
}
process.exitCode = code;
