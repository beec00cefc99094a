import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Edit } from '../src/resource-list/edit.js';
import type { ResourceList } from '../src/resource-list/read.js';
import type { Result } from '../src/resource-list/results.js';
import { ResourceListWriter } from '../src/resource-list/write.js';
import { RUN_SCRIPT, WAIT_SCRIPT } from '../src/runtime/scripts.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'main.js');

/** The fields of package.json that the release checks read. */
interface PackageJson {
  readonly version: string;
  readonly license: string;
  readonly engines: { readonly node: string };
  readonly repository: { readonly url: string };
}
export const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
/** The repository's web address, from npm's `repository.url` (`git+https://….git`). */
export const REPOSITORY_URL = PACKAGE.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

export interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

export function runCli(args: readonly string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 512 * 1024 * 1024,
    timeout: 60_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `order-containers-${prefix}-`));
}

/**
 * The environment with `order-containers` first on PATH, as `npm link` or `npm install -g` leaves it: a
 * folder holding a link to the built CLI. The examples' Kptfiles, hydrate.sh and Helm name it so.
 */
export function envWithCli(): NodeJS.ProcessEnv {
  const bin = join(tempDir('bin'), 'bin');
  mkdirSync(bin);
  symlinkSync(CLI, join(bin, 'order-containers'));
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
}

/**
 * The helper's folder as a pod has it (runtime/helper.ts: bin/ holding busybox and the scripts, run/
 * beside it), for the scripts run outside a pod, under the shell under test: beside `runDir` (which
 * the tests list, and which may not exist), in `runDir`.order-containers, whose run/ links to `runDir`
 * and whose busybox is `busybox`. Answers the scripts' paths.
 */
export function standInHelper(runDir: string, busybox: string): { runScript: string; waitScript: string } {
  const root = `${runDir.replace(/\/+$/, '')}.order-containers`;
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const runScript = join(bin, 'run.sh');
  const waitScript = join(bin, 'wait.sh');
  // Made once and never touched again: the wrappers of a pod start together, and run from it.
  if (!existsSync(waitScript)) {
    for (const [link, target] of [
      [join(bin, 'busybox'), busybox],
      [join(root, 'run'), runDir],
    ] as const) {
      rmSync(link, { force: true });
      symlinkSync(target, link);
    }
    writeFileSync(runScript, RUN_SCRIPT);
    writeFileSync(waitScript, WAIT_SCRIPT);
  }
  return { runScript, waitScript };
}

/** The shells the scripts in pods must run under: busybox sh (what the helper copies in) and dash. */
export const BUSYBOX_CANDIDATES = [process.env.BUSYBOX, '/usr/bin/busybox', '/bin/busybox'];
export const DASH_CANDIDATES = ['/usr/bin/dash', '/bin/dash'];

export const KPT_CANDIDATES = [process.env.KPT, '/usr/lib/google-cloud-sdk/bin/kpt', '/usr/bin/kpt', '/usr/local/bin/kpt'];

/**
 * The first of `candidates` that exists. When none does, the test is skipped with a message saying
 * what is missing; under REQUIRE_E2E=1 (set by .ci/run) it fails instead, so CI cannot go green by
 * skipping the end-to-end proof.
 */
export function requireBinary(ctx: Mocha.Context, name: string, candidates: readonly (string | undefined)[]): string {
  const found = candidates.find((p): p is string => p !== undefined && existsSync(p));
  if (found !== undefined) return found;
  return skipOrFail(ctx, `${name} not found (looked in ${candidates.filter(Boolean).join(', ')}); install it to run this end-to-end test`);
}

/** Skips the test saying what is missing; under REQUIRE_E2E=1 (set by .ci/run) fails it instead. */
export function skipOrFail(ctx: Mocha.Context, missing: string): never {
  if (process.env.REQUIRE_E2E === '1') throw new Error(`${missing} (REQUIRE_E2E=1 makes this a failure)`);
  console.warn(`      skipped: ${missing}`);
  ctx.skip();
}

export interface DockerfileStage {
  readonly from: string;
  readonly lines: readonly string[];
}

/** The Dockerfile's stages, instructions joined across line continuations, comments dropped. */
export function dockerfileStages(): DockerfileStage[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const result: { from: string; lines: string[] }[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#') || line === '') continue;
    if (/^FROM\s/i.test(line)) result.push({ from: line.split(/\s+/).find((w, i) => i > 0 && !w.startsWith('--'))!, lines: [] });
    else result[result.length - 1]?.lines.push(line);
  }
  return result;
}

export function instruction(stage: DockerfileStage, name: string): string[] {
  return stage.lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
}

/** Where the runtime base keeps its node (GoogleContainerTools/distroless nodejs/BUILD: `entrypoint = ["/nodejs/bin/node"]`). */
const IMAGE_NODE = '/nodejs/bin/node';

/**
 * The final stage's ENTRYPOINT as a command line here: paths under its WORKDIR point into `appDir`
 * (the built project, as the image holds it), and the base's node is the Node running the tests.
 */
export function imageEntrypoint(appDir: string): string[] {
  const stages = dockerfileStages();
  const final = stages[stages.length - 1]!;
  const workdir = instruction(final, 'WORKDIR').pop()!;
  const entrypoint = JSON.parse(instruction(final, 'ENTRYPOINT')[0]!) as string[];
  return entrypoint.map((arg) =>
    arg === IMAGE_NODE ? process.execPath : arg.startsWith(`${workdir}/`) ? join(appDir, arg.slice(workdir.length + 1)) : arg,
  );
}

/** The ResourceList with the edits (per item index) made and `results` appended to those that came in. */
export function writeResourceList(list: ResourceList, edits: ReadonlyMap<number, readonly Edit[]>, newResults: readonly Result[]): string {
  const writer = new ResourceListWriter(list);
  for (const [index, itemEdits] of edits) writer.edit(index, list.items[index]!.read(), itemEdits);
  return writer.chunks(newResults).join('');
}

/** Nine levels of nine aliases each (9^9 nodes once expanded): YAML that only an alias limit stops. */
export function aliasBomb(): string {
  const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `a${i}: &a${i} [${Array<string>(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return levels.join('\n');
}
