import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';

describe('the npm package', () => {
  it('installs globally from `npm pack` and runs as order-containers', function () {
    this.timeout(180_000);
    const dir = tempDir('pack');
    // npm test has just built dist/; --ignore-scripts keeps prepack from rebuilding it under the running tests.
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = readdirSync(dir).find((f) => /^order-containers-.*\.tgz$/.test(f));
    assert.ok(tarball, 'npm pack wrote a tarball');
    // What a platform team installs: the built function, its licence and changelog, the config samples and their schemas.
    const entries = spawnSync('tar', ['-tzf', join(dir, tarball!)], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .sort();
    assert.deepEqual(
      entries.filter((e) => !/^package\/(dist\/src|schema|fn-config)\//.test(e)),
      ['package/CHANGELOG.md', 'package/LICENSE', 'package/README.md', 'package/package.json'],
    );
    for (const dir of ['schema', 'fn-config'])
      for (const file of readdirSync(join(ROOT, dir)))
        assert.ok(entries.includes(`package/${dir}/${file}`), `${dir}/${file} is in the package`);
    assert.ok(entries.includes('package/dist/src/main.js'));
    const prefix = join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, tarball!)], {
      encoding: 'utf8',
    });
    assert.equal(install.status, 0, install.stderr);
    const bin = join(prefix, 'bin', 'order-containers');
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: order-containers/);
    // The README's install route ends with this command.
    const quickStart = spawnSync(bin, ['-i', join(ROOT, 'examples', 'quick-start.yaml')], { encoding: 'utf8' });
    assert.equal(quickStart.status, 0, quickStart.stderr);
    assert.match(quickStart.stdout, /message: "start order \(native\): cloud-sql-proxy\(ready\) -> app"/);
    const run = spawnSync(
      bin,
      ['-i', join(ROOT, 'examples', 'quick-start.yaml'), '-d', 'sidecars=cloud-sql-proxy', '-d', 'kubernetesVersion=1.27'],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\/order-containers\/bin\/wait\.sh/, 'the gate runs the wait script');
    assert.match(
      run.stdout,
      /kubelet kills it and starts the containers after it anyway/,
      'which the helper writes: the script ships in the package',
    );
    const packageDir = join(prefix, 'lib', 'node_modules', 'order-containers');
    const installed = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    for (const schema of readdirSync(join(ROOT, 'schema')))
      assert.equal(readFileSync(join(packageDir, 'schema', schema), 'utf8'), readFileSync(join(ROOT, 'schema', schema), 'utf8'), schema);
    assert.equal(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(), installed.version);
    // The samples name their schema by a relative path (the editor's yaml-language-server line), which holds in the package too.
    for (const sample of readdirSync(join(packageDir, 'fn-config'))) {
      const [, schema] = /\$schema=(\S+)/.exec(readFileSync(join(packageDir, 'fn-config', sample), 'utf8'))!;
      assert.ok(existsSync(join(packageDir, 'fn-config', schema!)), `${sample}: ${schema!}`);
    }
  });
});
