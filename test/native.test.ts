import assert from 'node:assert/strict';
import type { V1Container } from '@kubernetes/client-node';
import { DEFAULTS, type OrderSpec, type Sidecar } from '../src/config/order-spec.js';
import { planNativeSidecars, startupProbeFrom } from '../src/plan/native.js';
import { applyEditsToObject } from '../src/resource-list/edit.js';

function orderSpec(sidecars: Sidecar[]): OrderSpec {
  return { ...DEFAULTS, selector: {}, sidecars, rules: [], workloadKinds: [] };
}

const ready = { httpGet: { path: '/ready', port: 9090 }, periodSeconds: 10, timeoutSeconds: 2 };

function plan(sidecars: Sidecar[], containers: V1Container[], initContainers?: V1Container[]) {
  const template = { spec: { containers, ...(initContainers ? { initContainers } : {}) } };
  const result = planNativeSidecars(orderSpec(sidecars), template.spec);
  const after = structuredClone(template);
  applyEditsToObject(after, result.edits);
  return { ...result, spec: after.spec as { containers: V1Container[]; initContainers?: V1Container[] } };
}

describe('native sidecars', () => {
  it('moves a sidecar to the init containers, restartable, gated by a startupProbe from its readinessProbe', () => {
    const p = plan([{ name: 'proxy', waitFor: 'Ready' }], [{ name: 'app' }, { name: 'proxy', readinessProbe: ready }]);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(p.spec.containers, [{ name: 'app' }]);
    assert.deepEqual(p.spec.initContainers, [
      {
        name: 'proxy',
        readinessProbe: ready,
        restartPolicy: 'Always',
        startupProbe: { httpGet: { path: '/ready', port: 9090 }, timeoutSeconds: 2, periodSeconds: 1, failureThreshold: 120 },
      },
    ]);
    assert.equal(p.startOrder, 'proxy(ready) -> app');
  });

  it('derives a startupProbe whose tries cover timeoutSeconds, from any probe handler', () => {
    for (const handler of [{ exec: { command: ['ready'] } }, { tcpSocket: { port: 1 } }, { grpc: { port: 2 } }]) {
      const probe = startupProbeFrom({ ...handler, initialDelaySeconds: 3, successThreshold: 1, failureThreshold: 3 }, 45);
      assert.deepEqual(probe, { ...handler, initialDelaySeconds: 3, periodSeconds: 1, failureThreshold: 45 });
    }
  });

  it('keeps an existing startupProbe', () => {
    const startupProbe = { tcpSocket: { port: 5 }, failureThreshold: 30 };
    const p = plan([{ name: 'proxy', waitFor: 'Ready' }], [{ name: 'app' }, { name: 'proxy', startupProbe }]);
    assert.deepEqual(p.spec.initContainers?.[0]?.startupProbe, startupProbe);
  });

  it('asks no probe when Started is enough', () => {
    const p = plan([{ name: 'proxy', waitFor: 'Started' }], [{ name: 'proxy' }, { name: 'app' }]);
    assert.deepEqual(p.spec.initContainers, [{ name: 'proxy', restartPolicy: 'Always' }]);
    assert.equal(p.startOrder, 'proxy(started) -> app');
  });

  it('places sidecars after the regular init containers, which ran before them as main containers', () => {
    const p = plan([{ name: 'proxy', waitFor: 'Started' }], [{ name: 'app' }, { name: 'proxy' }], [{ name: 'init-db' }]);
    assert.deepEqual(
      p.spec.initContainers?.map((c) => c.name),
      ['init-db', 'proxy'],
    );
    assert.equal(p.startOrder, 'init-db(completed) -> proxy(started) -> app');
  });

  it('makes a declared sidecar that is already an init container restartable where it is', () => {
    const p = plan([{ name: 'agent', waitFor: 'Started' }], [{ name: 'app' }], [{ name: 'agent' }, { name: 'setup' }]);
    assert.deepEqual(p.spec.initContainers, [{ name: 'agent', restartPolicy: 'Always' }, { name: 'setup' }]);
  });

  it('changes nothing in a pod that is already in order (idempotent)', () => {
    const p = plan([{ name: 'proxy', waitFor: 'Ready' }], [{ name: 'app' }], [{ name: 'proxy', restartPolicy: 'Always', readinessProbe: ready, startupProbe: ready }]);
    assert.deepEqual(p.edits, []);
    assert.equal(p.startOrder, 'proxy(ready) -> app');
  });

  it('refuses Ready for a sidecar with no probe, naming the field', () => {
    const p = plan([{ name: 'proxy', waitFor: 'Ready' }], [{ name: 'app' }, { name: 'proxy' }]);
    assert.deepEqual(p.edits, []);
    assert.deepEqual(p.problems, [
      {
        message: 'sidecar proxy must be Ready before the others start, but it has no readinessProbe or startupProbe to tell; add one, or set waitFor: Started',
        field: 'spec.containers[1].readinessProbe',
      },
    ]);
  });

  it('notes a declared sidecar the pod does not have', () => {
    const p = plan([{ name: 'proxy', waitFor: 'Ready' }], [{ name: 'app' }]);
    assert.deepEqual(p.notes, [{ message: 'sidecar proxy is not a container of this pod; skipped' }]);
    assert.deepEqual(p.edits, []);
  });
});
