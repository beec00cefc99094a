#!/usr/bin/env node
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { explainResources } from './explain/explain.js';
import { EXPLAIN_FORMATS, renderTimelines, type ExplainFormat } from './explain/formats.js';
import { runFunction, type ExitCode } from './function.js';
import { readResourceList, type PlainObject } from './resource-list/read.js';
import type { Result } from './resource-list/results.js';
import { DEFAULT_LIMITS, InputError, loadOne, loadStream } from './yaml/load.js';

const HELP = `Usage: order-containers [options] < resource-list.yaml > resource-list.yaml
       order-containers explain [-i FILE|DIR] [-f FILE | -d KEY=VALUE ...] [--format text|mermaid|dot|json]

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

explain prints each workload's start and stop order: of a ResourceList, a multi-document YAML file or
a directory of manifests, as they are, or as the function would leave them when a functionConfig is
given (with -f, -d, in the ResourceList, or as a ContainerOrder among the manifests).

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
    return loadOne(text, `function config ${path}`, DEFAULT_LIMITS);
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

function manifestFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && (/\.ya?ml$/.test(e.name) || e.name === 'Kptfile'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !relative(dir, path).split(sep).some((part) => part.startsWith('.')))
    .sort();
}

/** Resources (and a functionConfig, for a ResourceList) from a ResourceList, a YAML stream or a folder. */
async function explainInput(path: string | undefined): Promise<{ resources: PlainObject[]; functionConfig: unknown }> {
  const texts: { name: string; text: string }[] = [];
  if (path !== undefined && path !== '-' && existsSync(path) && statSync(path).isDirectory()) {
    for (const file of manifestFiles(path)) texts.push({ name: file, text: readFileSync(file, 'utf8') });
  } else {
    texts.push({ name: path ?? 'stdin', text: (await readInput(path)).toString('utf8') });
  }
  const resources: PlainObject[] = [];
  let functionConfig: unknown;
  for (const { name, text } of texts) {
    for (const doc of loadStream(text, name, DEFAULT_LIMITS)) {
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) continue;
      const resource = doc as PlainObject;
      if (resource.kind === 'ResourceList') {
        const list = readResourceList(Buffer.from(text));
        resources.push(...list.items.map((i) => i.value));
        functionConfig = list.functionConfig;
      } else {
        resources.push(resource);
      }
    }
  }
  return { resources, functionConfig };
}

async function explainMain(argv: readonly string[]): Promise<ExitCode> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      input: { type: 'string', short: 'i' },
      'function-config': { type: 'string', short: 'f' },
      d: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
    },
    strict: true,
    allowPositionals: false,
  });
  const format = values.format as ExplainFormat;
  if (!EXPLAIN_FORMATS.includes(format)) throw new UsageError(`--format ${values.format}: expected one of ${EXPLAIN_FORMATS.join(', ')}`);
  if (values['function-config'] !== undefined && values.d !== undefined) throw new UsageError('-f and -d both give a functionConfig; use one');
  const input = await explainInput(values.input);
  let config = input.functionConfig;
  if (values['function-config'] !== undefined) config = configFromFile(values['function-config']);
  else if (values.d !== undefined) config = configFromPairs(values.d);
  const explanation = explainResources(input.resources, config);
  for (const r of explanation.results) {
    if (r.severity === 'error') process.stderr.write(`order-containers: error: ${r.resourceRef ? `${r.resourceRef.kind}/${r.resourceRef.name}: ` : ''}${r.message}\n`);
  }
  const colour = format === 'text' && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  await writeChunks([renderTimelines(explanation.timelines, format, colour)]);
  return explanation.exitCode;
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  if (argv[0] === 'explain') return explainMain(argv.slice(1));
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
