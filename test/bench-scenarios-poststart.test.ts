import { assertHealthy, runRendered } from './bench-kubelet/scenario.js';
import { config, IMAGES, mechanismScenarios, REPORT, scenario } from './bench-scenarios.js';

/** The mechanism scenarios of bench-scenarios.ts, compiled to postStart gates (1.28), and a bare Pod under them. */
describe('mechanisms under faults on the bench kubelet', function () {
  this.timeout(180_000);

  scenario('postStart: a bare Pod that runs to completion completes, as a Job does', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'report', namespace: 'shop' },
      spec: (REPORT as { spec: { template: { spec: unknown } } }).spec.template.spec,
    };
    const run = await runRendered([pod], { functionConfig: config('postStart'), images: IMAGES, runForMs: 40_000 });
    assertHealthy(run);
  });

  mechanismScenarios('postStart');
});
