import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { envWithCli, KPT_CANDIDATES, requireBinary, ROOT, tempDir } from './helpers.js';

const EXAMPLE = join(ROOT, 'examples', 'config-sync');

function files(dir: string): Map<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(entries.map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8')]));
}

describe('the Config Sync route (render in CI, sync the hydrated folder)', () => {
  it('hydrate.sh renders source/ into exactly the committed hydrated/', function () {
    const kpt = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('config-sync');
    const copy = join(dir, 'config-sync');
    cpSync(EXAMPLE, copy, { recursive: true });
    const r = spawnSync(join(copy, 'hydrate.sh'), [], { encoding: 'utf8', env: { ...envWithCli(), KPT: kpt } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /1 selected workload: 1 in order/, 'the validator ran after the mutator');
    const committed = files(join(EXAMPLE, 'hydrated'));
    assert.deepEqual(files(join(copy, 'hydrated')), committed);
    assert.match(committed.get('deployment.yaml')!, /initContainers:\n {6}# Connects to the shop's Cloud SQL instance/);
  });

  it('hydrate.sh says what is missing when order-containers is not installed', () => {
    const dir = tempDir('config-sync');
    cpSync(EXAMPLE, join(dir, 'config-sync'), { recursive: true });
    const r = spawnSync(join(dir, 'config-sync', 'hydrate.sh'), [], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'hydrate.sh: order-containers is not on PATH; install it (README: Install; npm link in a built clone)\n');
  });
});
