import assert from 'node:assert/strict';
import type { ImageSpec } from './bench-kubelet/image-spec.js';
import { configMapConfig } from './bench-kubelet/manifests.js';
import { assertHealthy, eventsOf, lastExit, requireBench, runRendered, show } from './bench-kubelet/scenario.js';
import { app, config, IMAGES, mechanismScenarios, scenario, WEB, type Item } from './bench-scenarios.js';

/**
 * The mechanism scenarios of bench-scenarios.ts, compiled to entrypoint wrappers, and what only a wrapper
 * does: run an image's args with no ENTRYPOINT, outwait a main container's grace period, quit a Job's proxy.
 */
describe('mechanisms under faults on the bench kubelet', function () {
  this.timeout(180_000);

  scenario(
    'entrypoint: an image with no ENTRYPOINT, run with args only (entrypoints command: []), runs its args once, in order',
    async () => {
      // An image like busybox or alpine: no ENTRYPOINT, a shell, and the work at /app.
      const noEntrypoint: ImageSpec = {
        pattern: 'bench.test/no-entrypoint:*',
        base: 'distro',
        files: { '/app': { program: 'app', config: { workMs: 800 } } },
        cmd: ['sh'],
        source: 'test image: no ENTRYPOINT, CMD ["sh"], as docker-library/busybox and alpine',
      };
      // The script fails when it gets arguments: the args passed twice (once carried by the wrapper, once
      // appended by kubelet) would fail the step.
      const step = (name: string) => ({
        name,
        image: 'bench.test/no-entrypoint:1',
        args: ['sh', '-c', 'test "$#" -eq 0 && exec /app', name],
      });
      const job: Item = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'steps', namespace: 'shop' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [step('publish'), step('build')] } } },
      };
      const functionConfig = configMapConfig({
        strategy: 'entrypoint',
        order: 'build:Completed > publish',
        timeoutSeconds: '20',
        entrypoints: '[{image: "bench.test/no-entrypoint:*", command: []}]',
      });
      const run = await runRendered([job], { functionConfig, images: [noEntrypoint], runForMs: 30_000 });
      assertHealthy(run);
      const r = run.reports[0]!;
      assert.deepEqual(
        eventsOf(r, 'build', 'exited').map((e) => e.code),
        [0],
        show(r),
      );
      assert.ok(lastExit(r, 'build') <= (eventsOf(r, 'publish', 'exited')[0]?.t ?? 0), `publish ends after build:\n${show(r)}`);
    },
  );

  mechanismScenarios('entrypoint');

  scenario('entrypoint: the web container takes longer to stop than the grace period', async () => {
    // web stops in 20 s, past its 10 s grace: kubelet kills it then. The proxy's wrapper waits for web,
    // but leaves its own program max(2 s, grace/10) to stop in, so the proxy stops on SIGTERM (issue 15 #15).
    const images = [app('bench.test/web:*', { readyAfterMs: 200, stopMs: 20_000 }), ...IMAGES.slice(1)];
    const { reports } = await runRendered([WEB], {
      functionConfig: config('entrypoint'),
      images,
      runForMs: 30_000,
      deleteAfterReadyMs: 300,
    });
    const r = reports[0]!;
    const proxy = eventsOf(r, 'proxy', 'exited').at(-1);
    assert.ok(proxy && (proxy.code === 0 || proxy.code === 143), `the proxy stopped on SIGTERM, before SIGKILL:\n${show(r)}`);
  });
});

describe('Linkerd in Jobs on the bench kubelet (issue 16)', function () {
  this.timeout(180_000);
  // What `linkerd inject` writes, in part: the admin server on every address (charts/partials/templates/
  // _proxy.tpl; 0.0.0.0 as with disableIPv6), the shutdown endpoint's variable, "false" unless the pod
  // asks with config.linkerd.io/proxy-admin-shutdown: enabled, and the identity settings and in-memory
  // folder where the image's ENTRYPOINT, which the wrapper runs, writes the proxy's key (_volumes.tpl).
  const job = (shutdown: string): Item => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `report-${shutdown}`, namespace: 'shop' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 10,
          containers: [
            { name: 'report', image: 'bench.test/report:1', command: ['/app'] },
            {
              name: 'linkerd-proxy',
              image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8',
              env: [
                { name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: '0.0.0.0:4191' },
                { name: 'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED', value: shutdown },
                { name: 'LINKERD2_PROXY_IDENTITY_DIR', value: '/var/run/linkerd/identity/end-entity' },
                { name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' },
                { name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME', value: 'default.shop.serviceaccount.identity.linkerd.cluster.local' },
              ],
              volumeMounts: [{ name: 'linkerd-identity-end-entity', mountPath: '/var/run/linkerd/identity/end-entity' }],
            },
          ],
          volumes: [{ name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } }],
        },
      },
    },
  });
  for (const shutdown of ['true', 'false'])
    it(`entrypoint: a Job with linkerd-proxy in its manifest (LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED=${shutdown}) completes, the proxy stopped after the work${shutdown === 'true' ? ' through /shutdown' : ' by SIGTERM'}`, async function () {
      requireBench(this);
      const functionConfig = configMapConfig({ strategy: 'entrypoint', presets: 'linkerd', timeoutSeconds: '20' });
      const run = await runRendered([job(shutdown)], { functionConfig, images: IMAGES, runForMs: 60_000 });
      assertHealthy(run);
      const r = run.reports[0]!;
      assert.equal(r.phase, 'Succeeded', show(r));
      assert.ok(lastExit(r, 'report') <= lastExit(r, 'linkerd-proxy'), `the proxy outlives the work:\n${show(r)}`);
      // Without the endpoint the wrapper does not POST: it signals at once, not after a grace spent waiting.
      assert.ok(lastExit(r, 'linkerd-proxy') - lastExit(r, 'report') < 10_000, `the proxy stops soon after the work:\n${show(r)}`);
    });
});
