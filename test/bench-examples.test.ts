import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { ROOT } from './helpers.js';
import { configMapConfig, loadAll, readPackage, type Item } from './bench-kubelet/manifests.js';
import { assertHealthy, requireBench, runRendered } from './bench-kubelet/scenario.js';
import { EXAMPLE_IMAGES } from './bench-kubelet/images-examples.js';

/**
 * Every example runs on the bench kubelet after the function, as kpt would run it: each program must
 * find what it depends on when it starts, nothing restarts, the pod becomes Ready (a Job's pod
 * Succeeds), and on deletion the declared sidecars stop after the other main containers.
 */
interface ExampleConfig {
  readonly testType: 'render' | 'eval';
  readonly exitCode: number;
  readonly args?: Readonly<Record<string, string>>;
  readonly fnConfig?: string;
}

const EXAMPLES = join(ROOT, 'examples');

/** What an example's pods cannot do on a real node, each with the defect or limit that explains it. */
const KNOWN: Readonly<Record<string, { readonly pending?: string; readonly stopOrder?: string }>> = {
  'legacy-poststart': { stopOrder: 'postStart cannot order the stop: the function warns so (README: strategies)' },
};

function inputOf(name: string): { items: Item[]; functionConfig?: Item } {
  const dir = join(EXAMPLES, name);
  const config = jsYaml.load(readFileSync(join(dir, '.expected', 'config.yaml'), 'utf8')) as ExampleConfig;
  const pkg = readPackage(dir);
  if (config.fnConfig) return { items: pkg.items, functionConfig: loadAll(join(dir, config.fnConfig))[0]! };
  if (config.args) return { items: pkg.items, functionConfig: configMapConfig(config.args) };
  return pkg;
}

const names = existsSync(EXAMPLES)
  ? readdirSync(EXAMPLES).filter((n) => {
      const file = join(EXAMPLES, n, '.expected', 'config.yaml');
      return existsSync(file) && (jsYaml.load(readFileSync(file, 'utf8')) as ExampleConfig).exitCode === 0;
    })
  : [];

describe('examples on the bench kubelet', function () {
  this.timeout(180_000);

  it('has examples to run', () => assert.ok(names.length > 0));

  for (const name of names) {
    const known = KNOWN[name] ?? {};
    // BENCH_RUN_PENDING=1 runs the pending examples too, to watch each one fail for its defect.
    if (known.pending && process.env.BENCH_RUN_PENDING !== '1') {
      it.skip(`${name}: pending, ${known.pending}`);
      continue;
    }
    it(`${name}: every pod starts in the declared order and stops in it`, async function () {
      requireBench(this);
      const input = inputOf(name);
      const run = await runRendered(input.items, {
        ...(input.functionConfig ? { functionConfig: input.functionConfig } : {}),
        images: EXAMPLE_IMAGES,
        runForMs: 60_000,
        deleteAfterReadyMs: 1000,
      });
      assertHealthy(run, { stopOrder: known.stopOrder === undefined });
    });
  }
});
