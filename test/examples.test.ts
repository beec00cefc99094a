import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jsYaml from 'js-yaml';
import { violationsIn } from './api-rules.js';
import { envWithCli, KPT_CANDIDATES, requireBinary, ROOT, tempDir } from './helpers.js';

/**
 * Examples are tests, as in the kpt catalog: each `examples/<name>/.expected/config.yaml` says how to
 * run the package under the real kpt, `diff.patch` is the `git diff` the run must produce, and a second
 * run must produce no further change. UPDATE_EXAMPLES=1 rewrites `diff.patch` from what the run did.
 */
interface ExampleConfig {
  readonly testType: 'render' | 'eval';
  readonly exitCode: number;
  /** eval: `key=value` arguments after `--`. */
  readonly args?: Readonly<Record<string, string>>;
  /** eval: a functionConfig file, relative to the package. */
  readonly fnConfig?: string;
  /** Lines kpt must print (its results listing or the function's stderr). */
  readonly output?: readonly string[];
}

const EXAMPLES = join(ROOT, 'examples');

/** Every resource in the package's YAML files, as kpt left them. */
function resourcesIn(dir: string): Record<string, unknown>[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !join(e.parentPath, e.name).includes('/.expected/'))
    .flatMap((e) => jsYaml.loadAll(readFileSync(join(e.parentPath, e.name), 'utf8')) as Record<string, unknown>[]);
}

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'core.autocrlf=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function runKpt(kpt: string, pkg: string, config: ExampleConfig): { code: number | null; output: string } {
  const args =
    config.testType === 'render'
      ? ['fn', 'render', pkg, '--allow-exec', '--truncate-output=false']
      : [
          'fn',
          'eval',
          pkg,
          '--exec',
          'order-containers',
          '--truncate-output=false',
          ...(config.fnConfig ? ['--fn-config', join(pkg, config.fnConfig)] : []),
          ...(config.args ? ['--', ...Object.entries(config.args).map(([k, v]) => `${k}=${v}`)] : []),
        ];
  // Away from the repository, as after `kpt pkg get`: the Kptfiles name order-containers, which kpt's
  // ExecFn.Run (internal/fnruntime/exec.go) starts with exec.CommandContext, so Go looks it up on PATH.
  const r = spawnSync(kpt, args, { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000, env: envWithCli() });
  return { code: r.status, output: r.stdout + r.stderr };
}

const names = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, '.expected', 'config.yaml'))) : [];

describe('examples under the real kpt', () => {
  it('has examples to run', () => assert.ok(names.length > 0));

  for (const name of names) {
    it(`${name}: produces .expected/diff.patch, and nothing more when run again`, function () {
      const kpt = requireBinary(this, 'kpt', KPT_CANDIDATES);
      const source = join(EXAMPLES, name);
      const config = jsYaml.load(readFileSync(join(source, '.expected', 'config.yaml'), 'utf8')) as ExampleConfig;
      const dir = tempDir(`example-${name}`);
      const pkg = join(dir, name);
      cpSync(source, pkg, { recursive: true });
      git(pkg, 'init', '-q');
      git(pkg, 'add', '-A');
      git(pkg, 'commit', '-q', '-m', 'example');

      const first = runKpt(kpt, pkg, config);
      assert.equal(first.code, config.exitCode, first.output);
      for (const line of config.output ?? [])
        assert.ok(first.output.includes(line), `kpt output has ${JSON.stringify(line)}:\n${first.output}`);
      git(pkg, 'add', '-A');
      const diff = git(pkg, 'diff', '--cached', '--no-color');
      const expectedPath = join(source, '.expected', 'diff.patch');
      if (process.env.UPDATE_EXAMPLES === '1') writeFileSync(expectedPath, diff);
      assert.equal(diff, readFileSync(expectedPath, 'utf8'));
      assert.deepEqual(violationsIn(resourcesIn(pkg)), [], 'every pod spec passes the API server rules');

      const second = runKpt(kpt, pkg, config);
      assert.equal(second.code, config.exitCode, second.output);
      git(pkg, 'add', '-A');
      assert.equal(git(pkg, 'diff', '--cached', '--no-color'), diff, 'a second run changes nothing');
    });
  }
});

/** A README's commands, each with where it runs (`# in this folder`, `# from the repository root`) and its exit code (`exits N`). */
interface ReadmeCommand {
  readonly command: string;
  readonly where: 'folder' | 'root';
  readonly exitCode: number;
}

function readmeCommands(readme: string): ReadmeCommand[] {
  return readme.split('\n').flatMap((line): ReadmeCommand[] => {
    const m = /^\s*([^#\s].*?)\s+# (in this folder|from the repository root)(?:; exits (\d))?$/.exec(line);
    return m ? [{ command: m[1]!, where: m[2] === 'in this folder' ? 'folder' : 'root', exitCode: Number(m[3] ?? 0) }] : [];
  });
}

const withReadme = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, 'README.md'))) : [];

describe("the examples' READMEs, as pasted, away from the repository", () => {
  for (const name of withReadme) {
    it(`${name}: each command works in the example's folder and from the root of a fresh clone, and changes no file`, function () {
      const kpt = requireBinary(this, 'kpt', KPT_CANDIDATES);
      const commands = readmeCommands(readFileSync(join(EXAMPLES, name, 'README.md'), 'utf8'));
      assert.deepEqual(
        new Set(commands.map((c) => c.where)),
        new Set(['folder', 'root']),
        'the README says how to run it from both places',
      );
      // A clone of the repository as far as the example goes: its files committed, nothing built in it.
      const root = tempDir(`readme-${name}`);
      cpSync(join(EXAMPLES, name), join(root, 'examples', name), { recursive: true });
      git(root, 'init', '-q');
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'clone');
      const env = envWithCli();
      let output = '';
      for (const { command, where, exitCode } of commands) {
        const r = spawnSync('sh', ['-c', command], {
          cwd: where === 'root' ? root : join(root, 'examples', name),
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...env, PATH: `${dirname(kpt)}:${env.PATH ?? ''}` },
        });
        assert.equal(r.status, exitCode, `${command} (${where}):\n${r.stdout}${r.stderr}`);
        output += r.stdout + r.stderr;
      }
      assert.match(output, /order-containers/, 'the function ran');
      assert.equal(git(root, 'status', '--porcelain'), '', 'no file changed or added');
    });
  }
});
