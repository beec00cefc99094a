import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import jsYaml from 'js-yaml';
import { IMAGE } from '../src/cli/help.js';
import { PACKAGE, REPOSITORY_URL, ROOT, tempDir } from './helpers.js';

/**
 * What a release publishes, checked where it can be without publishing: the workflow (which only GitHub
 * runs), the CHANGELOG section it turns into notes, one image name everywhere, the catalog metadata.
 * The image's files and the npm package are proven in image.test.ts and npm-pack.test.ts.
 */
const WORKFLOW_PATH = join(ROOT, '.github', 'workflows', 'release.yml');
const NOTES = join(ROOT, '.github', 'release-notes.sh');

/** A folder laid out as the repository is for release-notes.sh, with `changelog` as its CHANGELOG.md. */
function withChangelog(changelog: string): string {
  const dir = tempDir('notes');
  mkdirSync(join(dir, '.github'));
  cpSync(NOTES, join(dir, '.github', 'release-notes.sh'));
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  return dir;
}

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, string | number | boolean>>;
}
interface Job {
  readonly needs?: string | readonly string[];
  readonly permissions?: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: { readonly push: { readonly tags: readonly string[] } };
  readonly env: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

describe('the release workflow', () => {
  const text = readFileSync(WORKFLOW_PATH, 'utf8');
  const workflow = jsYaml.load(text) as Workflow;
  const steps = (job: string): readonly Step[] => workflow.jobs[job]!.steps;
  const step = (job: string, found: (s: Step) => boolean): Step => {
    const s = steps(job).find(found);
    assert.ok(s, `job ${job} has the step`);
    return s;
  };

  it("is valid against SchemaStore's GitHub workflow schema, which rejects a misspelt key", () => {
    assert.deepEqual(validateWorkflow(text).errors, []);
    assert.notDeepEqual(validateWorkflow(text.replace('runs-on:', 'runs_on:')).errors, [], 'the schema check is real');
  });

  it('runs on a vX.Y.Z tag and publishes the one image name', () => {
    assert.deepEqual(workflow.on.push.tags, ['v*.*.*']);
    assert.equal(workflow.env.IMAGE, IMAGE);
  });

  it('tags the image vX.Y.Z, vX.Y and vX, computed by its own shell step', () => {
    const output = join(tempDir('release'), 'output');
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', step('image', (s) => s.id === 'tags').run!], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, IMAGE, VERSION: '1.22.3', GITHUB_OUTPUT: output },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(output, 'utf8'), `tags=${IMAGE}:v1.22.3,${IMAGE}:v1.22,${IMAGE}:v1\n`);
  });

  it('builds amd64 and arm64 with provenance and an SBOM, pushes, and signs the digest it pushed', () => {
    const build = step('image', (s) => s.uses?.startsWith('docker/build-push-action@') === true);
    assert.deepEqual(String(build.with!.platforms).split(','), ['linux/amd64', 'linux/arm64']);
    assert.equal(build.with!.push, true);
    assert.equal(build.with!.provenance, 'mode=max');
    assert.equal(build.with!.sbom, true);
    assert.equal(build.with!['build-args'], 'VERSION=${{ env.VERSION }}', "the image's version label is the tag's");
    assert.match(step('image', (s) => s.run?.includes('cosign sign') === true).run!, /cosign sign --yes "\$IMAGE@\$DIGEST"/);
    assert.equal(workflow.jobs.image!.permissions!['id-token'], 'write', 'keyless signing needs the OIDC token');
  });

  it('publishes the npm package with provenance, and the release notes from the CHANGELOG once both are out', () => {
    assert.ok(steps('npm').some((s) => s.run === 'npm publish --provenance --access public'));
    assert.equal(workflow.jobs.npm!.permissions!['id-token'], 'write', "npm's provenance needs the OIDC token");
    assert.deepEqual(workflow.jobs.release!.needs, ['check', 'image', 'npm']);
    assert.match(step('release', (s) => s.run?.includes('gh release create') === true).run!, /\.github\/release-notes\.sh "\$VERSION"/);
    assert.match(step('check', (s) => s.id === 'version').run!, /\.github\/release-notes\.sh "\$version"/);
  });

  it("writes the GitHub release's notes from the CHANGELOG section, the image's digest and how to verify it", () => {
    const dir = withChangelog('# Changelog\n\n## [1.2.3] - 2027-02-01\n\n### Fixed\n\n- a bug\n');
    // A stand-in gh: keeps its arguments and the notes it was given.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'gh'), '#!/bin/sh\nprintf "%s\\n" "$@" > gh-args\n');
    chmodSync(join(dir, 'bin', 'gh'), 0o755);
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', step('release', (s) => s.run?.includes('gh release create') === true).run!], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        IMAGE,
        VERSION: '1.2.3',
        DIGEST: 'sha256:0123',
        GITHUB_REF: 'refs/tags/v1.2.3',
        GITHUB_REF_NAME: 'v1.2.3',
        GITHUB_REPOSITORY: 'order-containers/order-containers',
      },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      readFileSync(join(dir, 'gh-args'), 'utf8'),
      'release\ncreate\nv1.2.3\n--verify-tag\n--title\nv1.2.3\n--notes-file\nnotes.md\n',
    );
    assert.equal(
      readFileSync(join(dir, 'notes.md'), 'utf8'),
      `### Fixed\n\n- a bug\n\nImage: \`${IMAGE}:v1.2.3@sha256:0123\`, signed: \`cosign verify ${IMAGE}:v1.2.3 ` +
        '--certificate-identity https://github.com/order-containers/order-containers/.github/workflows/release.yml@refs/tags/v1.2.3 ' +
        '--certificate-oidc-issuer https://token.actions.githubusercontent.com`.\nnpm: `npm install -g order-containers@1.2.3`.\n',
    );
  });
});

describe('the CHANGELOG', () => {
  /** release-notes.sh run on `changelog`. */
  function notes(changelog: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const dir = withChangelog(changelog);
    const { status, stdout, stderr } = spawnSync('bash', [join(dir, '.github', 'release-notes.sh'), ...args], { encoding: 'utf8' });
    return { status, stdout, stderr };
  }

  it("has a section for package.json's version", () => {
    const r = spawnSync('bash', [NOTES, '--unreleased', PACKAGE.version], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^### Added$/m);
  });

  it("gives a dated section's body as the notes, and refuses an undated, missing or empty one", () => {
    const changelog = `# Changelog\n\n## [1.1.0] - Unreleased\n\n- next\n\n## [1.0.0] - 2027-01-15\n\n### Fixed\n\n- a bug\n\n## [0.9.0] - 2026-12-01\n\n## [0.8.0] - 2026-11-01\n\n- old\n`;
    assert.deepEqual(notes(changelog, '1.0.0'), { status: 0, stdout: '### Fixed\n\n- a bug\n', stderr: '' });
    assert.equal(notes(changelog, '1.1.0').stderr, 'release-notes.sh: CHANGELOG.md has no section "## [1.1.0] - YYYY-MM-DD"\n');
    assert.equal(notes(changelog, '--unreleased', '1.1.0').stdout, '- next\n');
    assert.equal(notes(changelog, '1.0.1').status, 1);
    assert.equal(notes(changelog, '1.0.0.1').status, 1, 'dots are dots');
    assert.equal(notes(changelog, '0.9.0').stderr, "release-notes.sh: CHANGELOG.md's section for 0.9.0 is empty\n");
  });
});

describe('one name for the image, the package and the repository', () => {
  /** The repository's files, tracked or about to be (not ignored): what a clone holds. */
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\0')
    .filter((f) => f !== '' && existsSync(join(ROOT, f)) && !/\.(svg|png|tgz)$/.test(f));

  it(`names the image ${IMAGE} and no other wherever one of this function's images is referred to`, () => {
    // A registry host, a path, and `order-containers` as the image's last path segment; the repository's URLs are not images.
    const reference = /\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?\/(?:[\w.-]+\/)*order-containers(?=[:@\s"'`)]|$)/gm;
    const found = files.flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(reference)]
        .map((m) => ({ file: f, ref: m[0] }))
        .filter(({ ref }) => !ref.startsWith('github.com/')),
    );
    assert.deepEqual(
      found.filter(({ ref }) => ref !== IMAGE),
      [],
    );
    for (const file of ['README.md', 'metadata.yaml', 'CHANGELOG.md', '.github/workflows/release.yml'])
      assert.ok(
        found.some((r) => r.file === file),
        `${file} names the image`,
      );
  });

  it('installs the npm package by its one name wherever a global install is shown', () => {
    const installs = files.flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(/npm (?:install|i) (?:-g|--global) +([^\s`"'\\)]+)/g)].map((m) => m[1]!),
    );
    assert.ok(installs.length > 0);
    assert.deepEqual(
      installs.filter((name) => !/^(\.|order-containers(@\S+)?|\.\/order-containers-\S+\.tgz)$/.test(name)),
      [],
    );
  });

  it("has the README's install route name this version: the tarball, the npm package and the image tag", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const install = readme.slice(readme.indexOf('## Install\n'), readme.indexOf('\n## ', readme.indexOf('## Install\n') + 1));
    for (const name of [
      `npm install -g ./order-containers-${PACKAGE.version}.tgz`,
      `npm install -g order-containers@${PACKAGE.version}`,
      `${IMAGE}:v${PACKAGE.version}`,
    ])
      assert.ok(install.includes(name), name);
    for (const [, version] of readme.matchAll(/order-containers(?:-|@|:v)(\d+\.\d+\.\d+)/g)) assert.equal(version, PACKAGE.version);
  });

  it("has catalog metadata with the image, the repository, and the examples at this version's tag", () => {
    const metadata = jsYaml.load(readFileSync(join(ROOT, 'metadata.yaml'), 'utf8')) as {
      image: string;
      sourceURL: string;
      examplePackageURLs: string[];
    };
    assert.equal(metadata.image, IMAGE);
    assert.equal(metadata.sourceURL, REPOSITORY_URL);
    assert.ok(metadata.examplePackageURLs.length > 0);
    for (const url of metadata.examplePackageURLs) {
      const prefix = `${REPOSITORY_URL}/tree/v${PACKAGE.version}/`;
      assert.ok(url.startsWith(prefix), `${url}: at the tag v${PACKAGE.version}`);
      assert.ok(existsSync(join(ROOT, url.slice(prefix.length), 'Kptfile')), `${url}: an example package`);
    }
  });
});
