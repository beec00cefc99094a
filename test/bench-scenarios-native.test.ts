import { mechanismScenarios } from './bench-scenarios.js';

/** The mechanism scenarios of bench-scenarios.ts, compiled to native sidecars (1.30). */
describe('mechanisms under faults on the bench kubelet', function () {
  this.timeout(180_000);

  mechanismScenarios('native');
});
