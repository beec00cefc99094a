import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { dockerfileStages, imageEntrypoint, instruction, ROOT, tempDir } from './helpers.js';

/**
 * There is no Docker engine on the machines the tests run on, so the image's contract is proven on its
 * parts: the Dockerfile is checked for what a function image must be, and its exact ENTRYPOINT, read
 * from the file, is run on the built output after `npm prune --omit=dev`, as user nobody with no
 * network, the way kpt and kustomize start function containers.
 */
describe('the container image', () => {
  const all = dockerfileStages();
  const final = all[all.length - 1]!;

  it('is a multi-stage build on an official Node 20 or 22 image, pinned, without dev dependencies', () => {
    assert.ok(all.length >= 2, 'multi-stage');
    for (const s of all)
      assert.match(
        s.from,
        /^node:(20|22)(\.\d+)*-[a-z-]+$/,
        `${s.from}: an official Node image with a pinned major and variant, not latest`,
      );
    const build = all[0]!;
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

  it('runs as a non-root user with an exec-form ENTRYPOINT', () => {
    const user = instruction(final, 'USER');
    assert.equal(user.length, 1);
    assert.doesNotMatch(user[0]!, /^(root|0)(:|$)/);
    const [entrypoint] = instruction(final, 'ENTRYPOINT');
    assert.ok(Array.isArray(JSON.parse(entrypoint!)), 'exec form: a JSON array, no shell');
  });

  it('runs the ENTRYPOINT on the pruned build as nobody, with no network, and orders the quick start', function () {
    if (process.getuid?.() !== 0) {
      if (process.env.REQUIRE_E2E === '1') throw new Error('running as nobody needs root (setpriv); REQUIRE_E2E=1 makes this a failure');
      console.warn('      skipped: running as nobody needs root (setpriv)');
      this.skip();
    }
    const stage = tempDir('image');
    chmodSync(stage, 0o755);
    for (const path of ['package.json', 'package-lock.json', 'node_modules', 'dist/src'])
      cpSync(join(ROOT, path), join(stage, path), { recursive: true });
    const prune = spawnSync('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: stage, encoding: 'utf8' });
    assert.equal(prune.status, 0, prune.stderr);
    assert.equal(spawnSync('chmod', ['-R', 'a+rX', stage]).status, 0);
    const argv = imageEntrypoint(stage);
    const r = spawnSync('unshare', ['--net', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv], {
      input: readFileSync(join(ROOT, 'examples', 'quick-start.yaml')),
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', LOG_TO_STDERR: 'true', STRUCTURED_RESULTS: 'true' },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = jsYaml.load(r.stdout) as { results: { message: string }[] };
    assert.equal(out.results[0]!.message, 'start order (native): cloud-sql-proxy(ready) -> app');
  });
});
