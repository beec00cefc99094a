#!/usr/bin/env node
/** The command line: flags → config → run → exit code. Everything else lives in cli/ and below. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configFromFlags, type ConfigFlags } from './cli/config-flags.js';
import { EXPLAIN_HELP, HELP } from './cli/help.js';
import { ConfigFileError, logResults, printResults, readInput, UsageError, version, writeChunks } from './cli/io.js';
import { explainResources } from './explain/explain.js';
import { DIFF_FORMATS, EXPLAIN_FORMATS, renderTimelineDiff, renderTimelines } from './explain/formats.js';
import { manifestText, manifestTexts, resourcesOf, type ManifestText } from './explain/input.js';
import { runFunction, type ExitCode } from './function.js';
import { listFileChanges, streamFileChanges, type StreamFile } from './preview/files.js';
import { unifiedDiff } from './preview/unified.js';
import { runOnStream } from './stream.js';
import { decodeInput, isResourceListText, readResourceList } from './resource-list/read.js';
import { InputError } from './yaml/load.js';

const CONFIG_OPTIONS = {
  'function-config': { type: 'string', short: 'f' },
  d: { type: 'string', multiple: true },
} as const;

async function explainMain(argv: readonly string[]): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      input: { type: 'string', short: 'i' },
      ...CONFIG_OPTIONS,
      format: { type: 'string', default: 'text' },
      diff: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return say(EXPLAIN_HELP);
  refusePositionals(positionals, 'use -i FILE or -i DIR to read manifests');
  const format = EXPLAIN_FORMATS.find((f) => f === values.format);
  if (!format) throw new UsageError(`--format ${values.format}: expected one of ${EXPLAIN_FORMATS.join(', ')}`);
  const diffFormat = DIFF_FORMATS.find((f) => f === format);
  if (values.diff && !diffFormat) throw new UsageError(`--diff shows timelines as ${DIFF_FORMATS.join(' or ')}, not ${format}`);
  const path = values.input;
  const input = resourcesOf(
    path !== undefined && isFolder(path) ? manifestTexts(path) : [manifestText(stdinOr(path), await readInput(path))],
  );
  const explanation = explainResources(input.resources, configFromFlags(values, input.functionConfig));
  for (const r of explanation.results) {
    if (r.severity === 'error')
      process.stderr.write(
        `order-containers: error: ${r.resourceRef ? `${r.resourceRef.kind}/${r.resourceRef.name}: ` : ''}${r.message}\n`,
      );
  }
  const colour = format === 'text' && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  await writeChunks([
    values.diff && diffFormat
      ? renderTimelineDiff(explanation.before, explanation.timelines, diffFormat)
      : renderTimelines(explanation.timelines, format, colour),
  ]);
  return explanation.exitCode;
}

/** A path argument that names a folder of manifests (`-` is stdin). */
function isFolder(path: string): boolean {
  return path !== '-' && existsSync(path) && statSync(path).isDirectory();
}

/** What messages call an input: its path, or `stdin` for `-` or none. */
function stdinOr(path: string | undefined): string {
  return path === undefined || path === '-' ? 'stdin' : path;
}

/** A stream of manifests and the files it was read from. */
interface Stream {
  readonly text: string;
  readonly files: readonly StreamFile[];
}

/** The manifests the arguments name (files, folders as kpt lays a package out, `-` for stdin), as one stream. */
async function streamOf(paths: readonly string[]): Promise<Stream> {
  const texts: ManifestText[] = [];
  for (const path of paths) {
    if (isFolder(path)) texts.push(...manifestTexts(path));
    else texts.push(manifestText(stdinOr(path), await readInput(path)));
  }
  let text = '';
  const files: StreamFile[] = [];
  for (const t of texts) {
    if (files.length > 0) text += '---\n';
    files.push({ path: t.name, start: text.length, length: t.text.length });
    text += t.text === '' || t.text.endsWith('\n') ? t.text : `${t.text}\n`;
  }
  return { text, files };
}

type StreamFlags = ConfigFlags & { readonly output?: string | undefined; readonly diff?: boolean | undefined };

/** A stream of manifests in, the same stream out with the edits (or, with --diff, what changes), results on stderr. */
async function streamMain({ text, files }: Stream, flags: StreamFlags, name: string): Promise<ExitCode> {
  const run = runOnStream(text, configFromFlags(flags, undefined), name);
  printResults(run.results);
  if (flags.diff) await writeChunks(streamFileChanges(text, files, run.replacements).map(unifiedDiff));
  else if (flags.output !== undefined) writeFileSync(flags.output, run.text);
  else await writeChunks([run.text]);
  return run.exitCode;
}

/** Prints `text` on stdout: help and version. */
function say(text: string): ExitCode {
  process.stdout.write(text + '\n');
  return 0;
}

/**
 * Neither command reads file arguments, and `-f` is the function config, not kubectl's manifest
 * file: a file given the way kubectl takes one gets told where it goes.
 */
function refusePositionals(positionals: readonly string[], instead: string): void {
  if (positionals.length === 0) return;
  throw new UsageError(
    `unexpected argument ${JSON.stringify(positionals[0])}: ${instead}; -f names the function config (a ContainerOrder or ConfigMap)`,
  );
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  if (argv[0] === 'explain') return explainMain(argv.slice(1));
  if (argv[0] === 'help') return say(argv[1] === 'explain' ? EXPLAIN_HELP : HELP);
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      ...CONFIG_OPTIONS,
      json: { type: 'boolean' },
      diff: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return say(HELP);
  if (values.version) return say(version());
  if (values.diff && values.output !== undefined) throw new UsageError('--diff prints the diff on stdout and writes nothing: leave out -o');
  if (values.diff && values.json) throw new UsageError('--diff reads YAML, as kpt writes it: leave out --json');
  if (positionals.length > 0) {
    if (values.input !== undefined) throw new UsageError('give the input with -i or as arguments, not both');
    return streamMain(await streamOf(positionals), values, positionals.join(' '));
  }
  const text = decodeInput(await readInput(values.input));
  const name = values.input === undefined ? 'input' : stdinOr(values.input);
  if (!values.json && !isResourceListText(text))
    return streamMain({ text, files: [{ path: name, start: 0, length: text.length }] }, values, name);
  const list = readResourceList(text, { json: values.json ?? false });
  const run = runFunction(list, configFromFlags(values, list.functionConfig));
  if (values.diff) {
    printResults(run.results);
    await writeChunks(listFileChanges(list, run.chunks.join(''), name).map(unifiedDiff));
    return run.exitCode;
  }
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
