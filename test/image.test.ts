import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { validate } from 'dockerfile-utils';
import jsYaml from 'js-yaml';
import { dockerfileStages, imageEntrypoint, instruction, PACKAGE, REPOSITORY_URL, ROOT, tempDir } from './helpers.js';

/**
 * There is no Docker engine on the machines the tests run on, so the image's contract is proven on its
 * parts: the Dockerfile is checked for what a function image must be and linted, and the image's files
 * are assembled as its COPY instructions say (from the build output after `npm prune --omit=dev`) and
 * its exact ENTRYPOINT, read from the file, is run on them as user nobody with no network, the way kpt
 * and kustomize start function containers.
 */
describe('the container image', () => {
  const all = dockerfileStages();
  const final = all[all.length - 1]!;
  // The Node major the package supports first (engines `>=22`) is the one both stages run.
  const major = /^>=(\d+)$/.exec(PACKAGE.engines.node)![1]!;
  const digest = '@sha256:[0-9a-f]{64}';

  it('builds on the official Node image and runs on distroless Node, of the major in engines, pinned to digests', () => {
    assert.ok(all.length >= 2, 'multi-stage');
    const build = all[0]!;
    assert.match(
      build.from,
      new RegExp(`^node:${major}(\\.\\d+)*-[a-z]+-slim${digest}$`),
      'an official Node image, its tag and digest pinned',
    );
    assert.match(
      final.from,
      new RegExp(`^gcr\\.io/distroless/nodejs${major}-debian\\d+:nonroot${digest}$`),
      'distroless Node: no shell, no package manager, pinned',
    );
    assert.ok(
      instruction(build, 'RUN').some((r) => r.includes('npm ci')),
      'npm ci',
    );
    assert.ok(
      instruction(build, 'RUN').some((r) => r.includes('npm prune --omit=dev')),
      'dev dependencies pruned',
    );
    assert.ok(
      instruction(build, 'RUN').some((r) => r.includes('chmod -R a+rX')),
      'files readable by every user',
    );
  });

  it('runs as a numeric non-root user with an exec-form ENTRYPOINT', () => {
    const user = instruction(final, 'USER');
    assert.equal(user.length, 1);
    assert.match(user[0]!, /^[1-9]\d*(:\d+)?$/, 'numeric, so that runAsNonRoot can check it');
    const [entrypoint] = instruction(final, 'ENTRYPOINT');
    assert.ok(Array.isArray(JSON.parse(entrypoint!)), 'exec form: a JSON array, no shell');
  });

  it("carries the OCI labels source, licenses and version, the first two the package's own", () => {
    const labels = new Map(instruction(final, 'LABEL').flatMap((l) => [...l.matchAll(/([\w.-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])));
    assert.equal(labels.get('org.opencontainers.image.source'), REPOSITORY_URL);
    assert.equal(labels.get('org.opencontainers.image.licenses'), PACKAGE.license);
    assert.equal(labels.get('org.opencontainers.image.version'), '${VERSION}', 'the release workflow passes the tag');
    assert.ok(instruction(final, 'ARG').some((a) => a.startsWith('VERSION')));
  });

  it('lints clean with dockerfile-utils: no error and no warning', () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.deepEqual(
      validate(text).map((d) => `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`),
      [],
    );
    assert.notDeepEqual(validate(text.replace('WORKDIR /fn', 'WORKDIR fn')), [], 'the linter sees a relative WORKDIR');
  });

  it('runs the ENTRYPOINT on the files the Dockerfile copies, as nobody, with no network, and orders the quick start', function () {
    if (process.getuid?.() !== 0) {
      if (process.env.REQUIRE_E2E === '1') throw new Error('running as nobody needs root (setpriv); REQUIRE_E2E=1 makes this a failure');
      console.warn('      skipped: running as nobody needs root (setpriv)');
      this.skip();
    }
    // The build stage's WORKDIR after its RUN steps: the built output, pruned, readable by all.
    const build = tempDir('image-build');
    for (const path of ['package.json', 'package-lock.json', 'node_modules', 'dist/src'])
      cpSync(join(ROOT, path), join(build, path), { recursive: true });
    const prune = spawnSync('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: build, encoding: 'utf8' });
    assert.equal(prune.status, 0, prune.stderr);
    assert.equal(spawnSync('chmod', ['-R', 'a+rX', build]).status, 0);
    // The final stage's WORKDIR, filled by its COPY instructions: from the build stage, or from the context.
    const image = tempDir('image');
    chmodSync(image, 0o755);
    const buildDir = instruction(all[0]!, 'WORKDIR').pop()!;
    for (const copy of instruction(final, 'COPY')) {
      const words = copy.split(/\s+/);
      const [source, target] = words.filter((w) => !w.startsWith('--'));
      const from = words.includes('--from=build') ? join(build, source!.slice(buildDir.length + 1)) : join(ROOT, source!);
      // Docker's COPY: a target ending in `/` is a directory the source goes into (every source here is a file then).
      cpSync(from, target!.endsWith('/') ? join(image, target!, basename(source!)) : join(image, target!), { recursive: true });
    }
    assert.ok(existsSync(join(image, 'LICENSE')), 'the licence ships in the image');
    const argv = imageEntrypoint(image);
    const r = spawnSync('unshare', ['--net', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv], {
      input: readFileSync(join(ROOT, 'examples', 'quick-start.yaml')),
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', LOG_TO_STDERR: 'true', STRUCTURED_RESULTS: 'true' },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = jsYaml.load(r.stdout) as { results: { message: string }[] };
    assert.equal(out.results[1]!.message, 'start order (native): cloud-sql-proxy(ready) -> app');
  });
});
