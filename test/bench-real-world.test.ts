import assert from 'node:assert/strict';
import { requireBinary } from './helpers.js';
import { REAL_WORLD_IMAGES } from './bench-kubelet/images-real-world.js';
import { assertHealthy, atMost, requireBench, runOn, throughFunction, type Run } from './bench-kubelet/scenario.js';
import { configMapConfig } from './bench-kubelet/manifests.js';
import { INJECTED } from './injected/fixtures.js';
import { config, fileOf, manifestsOf, SOURCES, upstream, VERSIONS, type Source } from './real-world/manifests.js';
import { render } from './bench-kubelet/manifests.js';
import { app } from './bench-scenarios.js';

/**
 * Every real-world manifest of test/real-world/sources.yaml runs on the bench kubelet after the function,
 * with the functionConfig test/real-world.test.ts gives it (the CSI, kube-dns and DNS helpers declared
 * as sidecars that the others wait for as Started, every preset on), for Kubernetes 1.28 (postStart
 * gates and in-list order) and 1.30 (native sidecars): each program finds what it depends on when it
 * starts, nothing restarts, every pod becomes Ready, and on deletion the declared sidecars stop after
 * the other main containers where the mechanism can order the stop.
 *
 * The manifests' images are unknown to the bench's registry: each becomes the generic application
 * (programs/app.ts) at the path its command names, in a distro image, unless images-real-world.ts
 * describes it (images whose probes, hooks or scripts need more of the image's layout). Shell scripts
 * run for real with the host's tools (flannel's install-cni-plugins, cinder's preStop hook).
 *
 * hostNetwork pods (csi-cinder-nodeplugin, kube-flannel-ds, calico-node) run in their own network
 * namespace on the bench, like every other pod: the bench has no node network to share, and the
 * programs that would configure it are the generic app. hostPath volumes are empty folders.
 */

/** The pods of a version whose stop order the mechanism cannot give, and why. */
const STOP_ORDER_UNORDERED: Readonly<Record<string, string>> = {
  '1.28': 'postStart cannot order the stop: kubelet stops main containers together, and the function warns so (README: strategies)',
};

/**
 * Source and version pairs that today's function cannot make healthy, each with the defect (issue 15)
 * that explains it. None today.
 */
const PENDING: Readonly<Record<string, string>> = {};

/** runForMs bounds a pod that never becomes Ready; a healthy pod is deleted 500 ms after it is. */
const RUN = { images: REAL_WORLD_IMAGES, runForMs: 30_000, deleteAfterReadyMs: 500 } as const;

/** Both versions of a source run at once (each runOn runs its pods in parallel, 6 at a time). */
const started = new Map<string, Map<string, Promise<Run>>>();

function runsOf(source: Source): Map<string, Promise<Run>> {
  let runs = started.get(source.name);
  if (runs) return runs;
  const input = manifestsOf(source);
  runs = new Map();
  for (const version of VERSIONS) {
    if (pendingOf(source, version) !== undefined) continue;
    const functionConfig = config(version);
    const run = runOn(throughFunction(input, functionConfig), input, { ...RUN, functionConfig });
    // Its own test awaits it; until then a failure is held, not reported as unhandled.
    run.catch(() => undefined);
    runs.set(version, run);
  }
  started.set(source.name, runs);
  return runs;
}

/** Why the case is pending, unless BENCH_RUN_PENDING=1 runs it to watch it fail for its defect. */
function pendingOf(source: Source, version: string): string | undefined {
  return process.env.BENCH_RUN_PENDING === '1' ? undefined : PENDING[`${source.name} ${version}`];
}

describe('real-world manifests on the bench kubelet (test/real-world/sources.yaml)', function () {
  this.timeout(180_000);

  for (const source of SOURCES) {
    for (const version of VERSIONS) {
      const title = `${source.name}, Kubernetes ${version}: every pod starts in the declared order, becomes Ready and stops in it`;
      const pending = pendingOf(source, version);
      if (pending !== undefined) {
        it.skip(`${title} (pending: ${pending})`);
        continue;
      }
      it(title, async function () {
        requireBench(this);
        requireBinary(this, `${source.package} unpacked by test/real-world/fetch.sh`, [fileOf(source)]);
        const run = await runsOf(source).get(version)!;
        assert.ok(run.reports.length > 0, 'the source has pods');
        assertHealthy(run, { stopOrder: STOP_ORDER_UNORDERED[version] === undefined });
      });
    }
  }
});

/**
 * Each preset's sidecar configured as its upstream samples do, on the bench kubelet with the emulated
 * programs (programs/), at 1.28 (postStart: the program's own wait command, or the helper's poll) and
 * 1.30 (native sidecars): each starts in order and becomes Ready, or the function warns, naming the
 * field. The README's preset table says which case proves which row.
 *
 * Sources: GoogleCloudPlatform/cloud-sql-proxy (Apache-2.0) examples/k8s-health-check/README.md (the
 * CSQL_PROXY_* env on port 9801), http_health_check.yaml (v1, gce-proxy 1.17, `-use_http_health_check`,
 * probes on 8090) and proxy_with_http_health_check.yaml at 0f16fff (v2.0.0, "--http-address 0.0.0.0" as
 * one word); Envoy deployments that declare the admin port as a container port named envoy-admin and
 * mount the bootstrap from a ConfigMap with "--config-path /etc/envoy/envoy.yaml" as one word;
 * oauth2-proxy/manifests helm/oauth2-proxy/templates/deployment.yaml (`--http-address=0.0.0.0:4180`, the
 * credentials as OAUTH2_PROXY_* variables from a Secret); the health_check extension's README
 * (open-telemetry/opentelemetry-collector-contrib extension/healthcheckextension: `endpoint`); the pods of
 * test/injected/ without what the injector adds only when asked (Linkerd's await hook, off with
 * config.linkerd.io/proxy-await: disabled) or always (the proxies' probes: left out, so that the
 * preset's own endpoint and command are what gate). Placeholders (<INSTANCE_CONNECTION_NAME>, <DB_PORT>) are filled
 * in; secrets are made up.
 */
describe('presets read their sidecar from the container, on the bench kubelet (issue 16)', function () {
  this.timeout(180_000);
  const APP = { name: 'app', image: 'example/app:1', command: ['/app'] };
  const deployment = (name: string, containers: unknown[], volumes: unknown[] = []): Record<string, unknown> => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers, volumes } } },
  });
  const job = (name: string, sidecar: unknown, volumes: unknown[] = []): Record<string, unknown> => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'shop' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 120,
          containers: [{ name: 'export', image: 'example/app:1', command: ['/app', 'export'] }, sidecar],
          volumes,
        },
      },
    },
  });
  const configMap = (name: string, data: Record<string, string>): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'shop' },
    data,
  });
  const secret = (name: string, stringData: Record<string, string>): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'shop' },
    stringData,
  });
  /** A pod of test/injected/ with what `edit` leaves of its proxy container. */
  const injected = (preset: string, proxy: string, edit: (c: Record<string, unknown>) => void): Record<string, unknown>[] => {
    const items = structuredClone(INJECTED.find((f) => f.preset === preset)!.items);
    for (const item of items) {
      const spec = (item.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
      for (const c of spec.containers) if (c.name === proxy) edit(c);
    }
    return items;
  };
  const V2 = 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1';
  const envoyConfig = (port: number, address = '0.0.0.0'): Record<string, unknown> =>
    configMap('envoy-config', {
      'envoy.yaml': `admin:\n  address:\n    socket_address: {address: ${address}, port_value: ${port}}\nstatic_resources:\n  listeners:\n  - name: listener_0\n    address:\n      socket_address: {address: 0.0.0.0, port_value: 10000}\n`,
    });
  const envoy = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'envoy',
    image: 'envoyproxy/envoy:v1.32.0',
    args: ['--config-path /etc/envoy/envoy.yaml'],
    volumeMounts: [{ name: 'envoy-config', mountPath: '/etc/envoy' }],
    ...extra,
  });
  const envoyVolumes = [{ name: 'envoy-config', configMap: { name: 'envoy-config' } }];
  /**
   * The Helm chart's collector (test/real-world/upstream/) with an app beside it, its own probes left
   * out so that what the preset reads from its config is what gates, and `edit` applied to its config.
   */
  const chart = (file: string, edit: (relay: string) => string = (r) => r, image?: string): Record<string, unknown>[] =>
    upstream(file).map((item) => {
      if (item.kind === 'ConfigMap') {
        const data = item.data as Record<string, string>;
        return { ...item, data: { ...data, relay: edit(data.relay!) } };
      }
      const spec = (item.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
      const [collector] = spec.containers;
      delete collector!.livenessProbe;
      delete collector!.readinessProbe;
      if (image) collector!.image = image;
      spec.containers.push(APP);
      return item;
    });
  // linkerd-proxy written by hand, with what its image's ENTRYPOINT needs to write the proxy's key (the
  // identity variables and folder `linkerd inject` gives it, charts/partials/templates/_proxy.tpl), and
  // its admin server where `admin` says (LINKERD2_PROXY_ADMIN_LISTEN_ADDR; unset, 127.0.0.1:4191).
  const linkerdProxy = (admin?: string): Record<string, unknown> => ({
    name: 'linkerd-proxy',
    image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8',
    env: [
      ...(admin === undefined ? [] : [{ name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: admin }]),
      { name: 'LINKERD2_PROXY_IDENTITY_DIR', value: '/var/run/linkerd/identity/end-entity' },
      { name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' },
      { name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME', value: 'default.shop.serviceaccount.identity.linkerd.cluster.local' },
    ],
    volumeMounts: [{ name: 'linkerd-identity-end-entity', mountPath: '/var/run/linkerd/identity/end-entity' }],
  });
  const linkerdVolumes = [{ name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } }];
  const oauth2Secret = secret('oauth2-proxy', {
    OAUTH2_PROXY_CLIENT_ID: 'shop',
    OAUTH2_PROXY_CLIENT_SECRET: 'not-a-secret',
    OAUTH2_PROXY_COOKIE_SECRET: '0123456789abcdef',
  });
  /** oauth2-proxy in front of the app as its Helm chart runs it, with `args` before the chart's. */
  const oauth2Proxy = (args: string[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'oauth2-proxy',
    image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.6.0',
    args: [...args, '--upstream=http://127.0.0.1:8080', '--email-domain=*'],
    envFrom: [{ secretRef: { name: 'oauth2-proxy' } }],
    ...extra,
  });
  /** A collector config whose health_check listens on `endpoint`. */
  const otelHealth = (endpoint: string): string =>
    `extensions:\n  health_check:\n    endpoint: ${endpoint}\nservice:\n  extensions: [health_check]\n`;
  /** The collector image the OpenTelemetry preset cases run. */
  const OTEL_IMAGE = 'otel/opentelemetry-collector-contrib:0.111.0';
  /** The collector container of those cases: its name and image, and the rest of it. */
  const otelCollector = (rest: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'otel-collector',
    image: OTEL_IMAGE,
    ...rest,
  });
  /** Collectors whose config is in Secret otel-secret: mounted as a file, and by env: from valueFrom. */
  const otelSecretFile = (): Record<string, unknown> =>
    deployment(
      'otel-secret-file',
      [
        APP,
        otelCollector({
          args: ['--config=/conf/config.yaml'],
          volumeMounts: [{ name: 'cfg', mountPath: '/conf' }],
        }),
      ],
      [{ name: 'cfg', secret: { secretName: 'otel-secret' } }],
    );
  const otelSecretEnv = (): Record<string, unknown> =>
    deployment('otel-secret-env', [
      APP,
      otelCollector({
        args: ['--config=env:OTEL_CONFIG'],
        env: [{ name: 'OTEL_CONFIG', valueFrom: { secretKeyRef: { name: 'otel-secret', key: 'config.yaml' } } }],
      }),
    ]);
  /** A Deployment as a Job's pod that runs its containers once. */
  const asJob = (item: Record<string, unknown>): Record<string, unknown> => {
    if (item.kind !== 'Deployment') return item;
    const { template } = item.spec as { template: { spec: Record<string, unknown> } };
    return {
      ...item,
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } },
    };
  };
  /** A case's manifests, and the versions it runs at where not both (the other one is proven elsewhere). */
  interface Case {
    readonly input: Record<string, unknown>[];
    readonly versions?: readonly string[];
    /** Sidecars the README promises to start first and not wait for, where the bench cannot tell (BenchOptions). */
    readonly notWaitedFor?: readonly string[];
  }
  const healthy: Record<string, Case> = {
    'cloud-sql-proxy v2 configured by env on port 9801 (k8s-health-check/README.md)': {
      input: [
        deployment('by-env', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: V2,
            args: ['proj:region:db'],
            env: [
              { name: 'CSQL_PROXY_PORT', value: '5432' },
              { name: 'CSQL_PROXY_HEALTH_CHECK', value: 'true' },
              { name: 'CSQL_PROXY_HTTP_PORT', value: '9801' },
              { name: 'CSQL_PROXY_HTTP_ADDRESS', value: '0.0.0.0' },
              { name: 'CSQL_PROXY_EXIT_ZERO_ON_SIGTERM', value: 'true' },
            ],
          },
        ]),
      ],
    },
    // The same settings through envFrom, as kubelet composes them; and a Secret the function does not
    // read, warned and assumed to move nothing (it sets only what the preset does not read).
    'cloud-sql-proxy v2 configured by envFrom: a ConfigMap with the prefix CSQL_PROXY_ (port 9801), and a Secret': {
      input: [
        configMap('proxy-settings', { HEALTH_CHECK: 'true', HTTP_PORT: '9801', HTTP_ADDRESS: '0.0.0.0', EXIT_ZERO_ON_SIGTERM: 'true' }),
        deployment('by-env-from', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: V2,
            args: ['proj:region:db'],
            envFrom: [{ prefix: 'CSQL_PROXY_', configMapRef: { name: 'proxy-settings' } }],
          },
        ]),
        secret('proxy-secrets', { CSQL_PROXY_PORT: '5432', CSQL_PROXY_EXIT_ZERO_ON_SIGTERM: 'true' }),
        deployment('by-secret', [
          APP,
          { name: 'cloud-sql-proxy', image: V2, args: ['proj:region:db'], envFrom: [{ secretRef: { name: 'proxy-secrets' } }] },
        ]),
      ],
    },
    'cloud-sql-proxy v2 configured by flags on a non-default port': {
      input: [
        deployment('by-flag', [
          APP,
          { name: 'cloud-sql-proxy', image: V2, args: ['--http-port', '9191', '--port=5432', 'proj:region:db'] },
        ]),
      ],
    },
    'cloud-sql-proxy v1 (gce-proxy, k8s-health-check/http_health_check.yaml)': {
      input: [
        deployment('v1', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: 'gcr.io/cloudsql-docker/gce-proxy:1.17',
            command: ['/cloud_sql_proxy', '-instances=proj:region:db=tcp:5432', '-use_http_health_check'],
            startupProbe: { httpGet: { path: '/startup', port: 8090 }, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 20 },
          },
        ]),
      ],
    },
    'cloud-sql-proxy v1 with no probe: the preset adds its own health flag, never a v2 one': {
      input: [
        deployment('v1-bare', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: 'gcr.io/cloudsql-docker/gce-proxy:1.33.16',
            command: ['/cloud_sql_proxy', '-instances=proj:region:db=tcp:5432'],
          },
        ]),
      ],
    },
    // v1 has no wait command: at 1.28 the helper polls the moved port, at 1.30 the startupProbe checks it.
    'cloud-sql-proxy v1 with its health port moved by -health_check_port=8091': {
      input: [
        deployment('v1-moved', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: 'gcr.io/cloudsql-docker/gce-proxy:1.33.16',
            command: ['/cloud_sql_proxy', '-instances=proj:region:db=tcp:5432', '-use_http_health_check', '-health_check_port=8091'],
          },
        ]),
      ],
    },
    // A script's flags are neither read nor appended to (warned, below): with no health check of its
    // own the proxy serves none, so it is started first, never given a gate that cannot pass. The
    // bookworm image, as a shell needs (the default one is distroless).
    'cloud-sql-proxy v2 run by a shell script (sh -c): no flag appended, started first': {
      input: [
        deployment('script', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: `${V2}-bookworm`,
            command: ['/bin/sh', '-c', 'exec /cloud-sql-proxy --port=5432 proj:region:db'],
          },
        ]),
      ],
      notWaitedFor: ['cloud-sql-proxy'],
    },
    // Its health server bound to loopback, by the flag or by the variable: warned (below), started first.
    'cloud-sql-proxy v2 bound to loopback, by --http-address=127.0.0.1 or CSQL_PROXY_HTTP_ADDRESS=localhost: started first, not waited for':
      {
        input: [
          deployment('local', [APP, { name: 'cloud-sql-proxy', image: V2, args: ['--http-address=127.0.0.1', 'proj:region:db'] }]),
          deployment('local-env', [
            APP,
            {
              name: 'cloud-sql-proxy',
              image: V2,
              args: ['proj:region:db'],
              env: [{ name: 'CSQL_PROXY_HTTP_ADDRESS', value: 'localhost' }],
            },
          ]),
        ],
        notWaitedFor: ['cloud-sql-proxy'],
      },
    'envoy with its bootstrap in a ConfigMap (admin on 8001)': {
      input: [envoyConfig(8001), deployment('envoy-bootstrap', [APP, envoy()], envoyVolumes)],
    },
    'envoy with its admin port named envoy-admin': {
      input: [
        envoyConfig(8001),
        deployment(
          'envoy-named',
          [
            APP,
            envoy({
              volumeMounts: [{ name: 'envoy-config', mountPath: '/srv/envoy' }],
              args: ['-c', '/srv/envoy/envoy.yaml'],
              ports: [{ name: 'envoy-admin', containerPort: 8001 }],
            }),
          ],
          envoyVolumes,
        ),
      ],
    },
    // Envoy reads --config-yaml over the file (docs operations/cli), and with no command or args the
    // image's CMD names /etc/envoy/envoy.yaml (ci/Dockerfile-envoy).
    'envoy with its bootstrap inline (--config-yaml), or at the image path (no command or args)': {
      input: [
        deployment('envoy-inline', [
          APP,
          {
            name: 'envoy',
            image: 'envoyproxy/envoy:v1.32.0',
            args: ['--config-yaml', '{admin: {address: {socket_address: {address: 0.0.0.0, port_value: 8002}}}}'],
          },
        ]),
        envoyConfig(8001),
        deployment(
          'envoy-image-path',
          [APP, { name: 'envoy', image: 'envoyproxy/envoy:v1.32.0', volumeMounts: envoy().volumeMounts }],
          envoyVolumes,
        ),
      ],
    },
    // Its bootstrap in a Secret, which the function does not read: no admin port known, warned (below),
    // started first, not waited for.
    'envoy whose bootstrap is in a Secret: no port known, started first, not waited for': {
      input: [
        secret('envoy-secret', (envoyConfig(8001) as { data: Record<string, string> }).data),
        deployment('envoy-secret', [APP, envoy()], [{ name: 'envoy-config', secret: { secretName: 'envoy-secret' } }]),
      ],
      notWaitedFor: ['envoy'],
    },
    // Its admin server on 127.0.0.1 only: warned (below), started first, not waited for.
    'envoy whose bootstrap binds its admin server to 127.0.0.1: started first, not waited for': {
      input: [envoyConfig(8001, '127.0.0.1'), deployment('envoy-local', [APP, envoy()], envoyVolumes)],
      notWaitedFor: ['envoy'],
    },
    // Before 1.29 a Job's pod gets the entrypoint wrappers: once the work is done, each sidecar is POSTed
    // to quit where it is told to listen (cloud-sql-proxy started with --quitquitquit). A wrapper whose
    // POST went elsewhere signals only after the grace period, which outlasts the run: Succeeded says the
    // POST stopped it.
    "sidecars in a Job's pod, their quit port moved (--admin-port=9092; Envoy's admin on 8001): the work completes, then each quits": {
      input: [
        job('export', { name: 'cloud-sql-proxy', image: V2, args: ['--admin-port=9092', 'proj:region:db'] }),
        envoyConfig(8001),
        // With a command: Envoy's images differ in ENTRYPOINT, so without one the function warns instead.
        job('export-envoy', envoy({ command: ['/usr/local/bin/envoy'], args: ['-c', '/etc/envoy/envoy.yaml'] }), envoyVolumes),
      ],
    },
    // The chart's Deployment with oauth2-proxy in front of the app, and without the chart's own probes,
    // so that the preset's /ping on 4180 is what gates.
    'oauth2-proxy on 0.0.0.0:4180 as its Helm chart sets it, its credentials by envFrom from a Secret': {
      input: [
        oauth2Secret,
        deployment('oauth2', [APP, oauth2Proxy(['--http-address=0.0.0.0:4180'], { ports: [{ name: 'http', containerPort: 4180 }] })]),
      ],
    },
    // The port moved by the flag (two words, an empty host: every address), and by the variable, which
    // the proxy reads for an unset flag (pkg/apis/options/load.go), in its URL form.
    'oauth2-proxy with its port moved: --http-address :8081, and OAUTH2_PROXY_HTTP_ADDRESS=http://0.0.0.0:4181': {
      input: [
        oauth2Secret,
        deployment('oauth2-flag', [APP, oauth2Proxy(['--http-address', ':8081'])]),
        deployment('oauth2-env', [APP, oauth2Proxy([], { env: [{ name: 'OAUTH2_PROXY_HTTP_ADDRESS', value: 'http://0.0.0.0:4181' }] })]),
      ],
    },
    // Its default 127.0.0.1:4180, which kubelet's probes cannot reach: warned (below), started first.
    'oauth2-proxy on its default 127.0.0.1:4180: started first, not waited for': {
      input: [oauth2Secret, deployment('oauth2-loopback', [APP, oauth2Proxy([])])],
      notWaitedFor: ['oauth2-proxy'],
    },
    'otel-collector with health_check on the pod address, its configuration from a ConfigMap': {
      input: [
        configMap('otel-config', {
          'config.yaml':
            'extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  debug:\nservice:\n  extensions: [health_check]\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n',
        }),
        deployment(
          'otel',
          [
            APP,
            otelCollector({
              volumeMounts: [{ name: 'otel-config', mountPath: '/etc/otelcol-contrib' }],
            }),
          ],
          [{ name: 'otel-config', configMap: { name: 'otel-config' } }],
        ),
      ],
    },
    // It listens on the pod IP only (status.podIP), where kubelet's probes connect. At 1.30 its own
    // readinessProbe becomes the native sidecar's startupProbe; at 1.28 it is the postStart gate, and in
    // entrypoint wrappers the wrapper's wait: both connect to the pod IP from /etc/hosts, as kubelet does.
    'otel-collector as the Helm chart renders it (0.158.3): health_check on ${env:MY_POD_IP}:13133, read from its ConfigMap': {
      input: chart('otel-collector-chart-0.158.3.yaml'),
    },
    // As rendered, with its own probes on 13133: at 1.28 its readinessProbe is the postStart gate.
    'otel-collector as the Helm chart renders it (0.158.3), its own readinessProbe the gate: health_check on ${env:MY_POD_IP}:13133': {
      input: upstream('otel-collector-chart-0.158.3.yaml').map((item) => {
        if (item.kind === 'Deployment') (item.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers.push(APP);
        return item;
      }),
      versions: ['1.28'],
    },
    // A Job's pod at 1.28 gets entrypoint wrappers: Succeeded says the app ran, once the collector's
    // wrapper found its health check at the pod IP.
    "otel-collector as the Helm chart renders it (0.158.3), in a Job's pod: health_check on ${env:MY_POD_IP}:13133": {
      input: chart('otel-collector-chart-0.158.3.yaml').map(asJob),
      versions: ['1.28'],
    },
    // `health_check: {}` on an image older than v0.104.0: the default endpoint is 0.0.0.0:13133.
    'otel-collector as the Helm chart 0.76.1 renders it (image 0.88.0): health_check on its default endpoint, then 0.0.0.0:13133': {
      input: chart('otel-collector-chart-0.76.1.yaml'),
    },
    // The same config on a v0.104.0+ image listens on localhost only: warned, started first, not waited for.
    // The app must then find the collector Started, not Ready: judged so, it does not depend on whether
    // the collector happened to be ready first (once it was not, under load).
    'otel-collector as the Helm chart 0.76.1 renders it, on a v0.104.0+ image: health_check on localhost, not waited for': {
      input: chart('otel-collector-chart-0.76.1.yaml', (r) => r, OTEL_IMAGE),
      notWaitedFor: ['opentelemetry-collector'],
    },
    'otel-collector as the Helm chart renders it, health_check left out of service.extensions: not waited for': {
      input: chart('otel-collector-chart-0.158.3.yaml', (r) => r.replace('  extensions:\n  - health_check\n', '  extensions: []\n')),
      notWaitedFor: ['opentelemetry-collector'],
    },
    // The collector's confmap merges its --config locations in order, later keys winning: two files
    // (the second moves the endpoint), a file and a yaml: location, and the whole config in a variable
    // (env:, as the OpenTelemetry operator passes it).
    'otel-collector with its config merged from several --config locations: two files, yaml:, env:': {
      input: [
        configMap('otel-merged', { base: otelHealth('0.0.0.0:13133'), over: 'extensions::health_check::endpoint: 0.0.0.0:13300\n' }),
        deployment(
          'otel-two-files',
          [
            APP,
            otelCollector({
              args: ['--config', 'file:/conf/base', '--config=/conf/over'],
              volumeMounts: [{ name: 'cfg', mountPath: '/conf' }],
            }),
          ],
          [{ name: 'cfg', configMap: { name: 'otel-merged' } }],
        ),
        deployment(
          'otel-yaml',
          [
            APP,
            otelCollector({
              args: ['--config=/conf/base', '--config=yaml:extensions::health_check::endpoint: 0.0.0.0:13301'],
              volumeMounts: [{ name: 'cfg', mountPath: '/conf' }],
            }),
          ],
          [{ name: 'cfg', configMap: { name: 'otel-merged' } }],
        ),
        deployment('otel-env', [
          APP,
          otelCollector({
            args: ['--config=env:OTEL_CONFIG'],
            env: [{ name: 'OTEL_CONFIG', value: otelHealth('0.0.0.0:13302') }],
          }),
        ]),
      ],
    },
    // A named instance is the extension too, and its path moves the check: the collector answers 404
    // on every other path (healthcheckextension's mux), so a gate on "/" would never pass.
    'otel-collector with a named health_check/k8s on 0.0.0.0:13400, its path moved to /health': {
      input: [
        configMap('otel-named', {
          'config.yaml':
            'extensions:\n  health_check/k8s:\n    endpoint: 0.0.0.0:13400\n    path: /health\nservice:\n  extensions: [health_check/k8s]\n',
        }),
        deployment(
          'otel-named',
          [
            APP,
            otelCollector({
              volumeMounts: [{ name: 'cfg', mountPath: '/etc/otelcol-contrib' }],
            }),
          ],
          [{ name: 'cfg', configMap: { name: 'otel-named' } }],
        ),
      ],
    },
    // Configs the function cannot read (a Secret's): warned (below), started first, not waited for,
    // though the collector serves its health check at 0.0.0.0:13133.
    'otel-collector whose config is in a Secret, mounted or by env: from valueFrom: started first, not waited for': {
      input: [secret('otel-secret', { 'config.yaml': otelHealth('0.0.0.0:13133') }), otelSecretFile(), otelSecretEnv()],
      notWaitedFor: ['otel-collector'],
    },
    // No readiness endpoint is known: it is started first and not waited for.
    'vault-agent in the manifest, its configuration from a ConfigMap': {
      input: [
        configMap('vault-agent', {
          'agent.hcl':
            'auto_auth {\n  method "kubernetes" {\n    config = { role = "shop" }\n  }\n  sink "file" {\n    config = { path = "/tmp/vault-token" }\n  }\n}\n',
        }),
        deployment(
          'vault',
          [
            APP,
            {
              name: 'vault-agent',
              image: 'hashicorp/vault:1.18.1',
              args: ['agent', '-config=/vault/config/agent.hcl'],
              volumeMounts: [{ name: 'vault-config', mountPath: '/vault/config' }],
            },
          ],
          [{ name: 'vault-config', configMap: { name: 'vault-agent' } }],
        ),
      ],
    },
    // 1.28 only: at 1.30 it is the injected pod's run below, its own probe kept. The injector's probes
    // are left out too: the app's start is judged by the proxy's own ready mark, and their 10 s period
    // would only hold the pod's Ready condition.
    "linkerd-proxy as its injector writes it without the await hook: the preset's linkerd-await gates the app": {
      input: injected('linkerd', 'linkerd-proxy', (c) => {
        delete c.lifecycle;
        delete c.readinessProbe;
        delete c.livenessProbe;
      }),
      versions: ['1.28'],
    },
    // The preset reads the admin address: linkerd-await is told the moved port at 1.28 (polling 4191 it
    // would give up, and kubelet would kill the proxy), the startupProbe checks it at 1.30.
    'linkerd-proxy written by hand, its admin server moved to 0.0.0.0:4192 by LINKERD2_PROXY_ADMIN_LISTEN_ADDR': {
      input: [deployment('linkerd-moved', [APP, linkerdProxy('0.0.0.0:4192')], linkerdVolumes)],
    },
    // Without the variable the proxy serves /ready on 127.0.0.1:4191 only, which kubelet's probes cannot
    // reach: warned (below), started first and not waited for, never given a gate that cannot pass.
    'linkerd-proxy written by hand without LINKERD2_PROXY_ADMIN_LISTEN_ADDR (on 127.0.0.1:4191): started first': {
      input: [deployment('linkerd-loopback', [APP, linkerdProxy()], linkerdVolumes)],
    },
    // The variable from a ConfigMap of the list by envFrom, as kubelet composes the environment.
    'linkerd-proxy with LINKERD2_PROXY_ADMIN_LISTEN_ADDR=0.0.0.0:4193 by envFrom from a ConfigMap': {
      input: [
        configMap('linkerd-admin', { LINKERD2_PROXY_ADMIN_LISTEN_ADDR: '0.0.0.0:4193' }),
        deployment(
          'linkerd-env-from',
          [APP, { ...linkerdProxy(), envFrom: [{ configMapRef: { name: 'linkerd-admin' } }] }],
          linkerdVolumes,
        ),
      ],
    },
    // A proxy before 2.11 (images-sidecars.ts: its ENTRYPOINT the script linkerd2-proxy-run, no
    // linkerd-await): at 1.28 the helper polls /ready, and a Job's pod is wrapped through the script,
    // which writes the key the proxy needs and then execs it; SIGTERM stops it once the work is done.
    // The admin address as the injector of the time wrote it.
    'linkerd-proxy before 2.11 (stable-2.10.2): the helper polls /ready; in a Job, wrapped through linkerd2-proxy-run': {
      input: [
        deployment(
          'linkerd-210',
          [APP, { ...linkerdProxy('0.0.0.0:4191'), image: 'cr.l5d.io/linkerd/proxy:stable-2.10.2' }],
          linkerdVolumes,
        ),
        job('linkerd-210-job', { ...linkerdProxy('0.0.0.0:4191'), image: 'cr.l5d.io/linkerd/proxy:stable-2.10.2' }, linkerdVolumes),
      ],
    },
    // 1.30 only: at 1.28, examples/istio-in-manifest runs the preset's `pilot-agent wait`.
    "istio-proxy with no probe of its own: the preset's :15021/healthz/ready is its startupProbe": {
      input: injected('istio', 'istio-proxy', (c) => {
        delete c.lifecycle;
        delete c.readinessProbe;
      }),
      versions: ['1.30'],
    },
  };
  const config = (version: string): Record<string, unknown> => ({
    apiVersion: 'order-containers.dev/v1alpha1',
    kind: 'ContainerOrder',
    metadata: { name: 'presets' },
    spec: {
      kubernetesVersion: version,
      presets: ['cloud-sql-proxy', 'envoy', 'oauth2-proxy', 'otel-collector', 'vault', 'linkerd', 'istio'],
    },
  });

  // The cases run at once, at most 4 at a time (each run's pods in parallel too), each awaited by its test.
  const runs = new Map<string, Promise<Run>>();
  const limited = atMost(4);
  const runOf = (what: string, version: string): Promise<Run> => {
    if (runs.size === 0)
      for (const [name, c] of Object.entries(healthy))
        for (const v of c.versions ?? VERSIONS) {
          const functionConfig = config(v);
          const run = limited(() =>
            runOn(throughFunction(c.input, functionConfig), c.input, {
              runForMs: 30_000,
              deleteAfterReadyMs: 500,
              functionConfig,
              ...(c.notWaitedFor ? { notWaitedFor: c.notWaitedFor } : {}),
            }),
          );
          // Its own test awaits it; until then a failure is held, not reported as unhandled.
          run.catch(() => undefined);
          runs.set(`${name} ${v}`, run);
        }
    return runs.get(`${what} ${version}`)!;
  };
  for (const [what, c] of Object.entries(healthy))
    for (const version of c.versions ?? VERSIONS)
      it(`${what}, Kubernetes ${version}: starts in order and becomes ${c.input.some((i) => i.kind === 'Job') ? 'Succeeded' : 'Ready'}`, async function () {
        requireBench(this);
        assertHealthy(await runOf(what, version), { stopOrder: version !== '1.28' });
      });

  const warned: Record<string, { input: Record<string, unknown>[]; field: string; message: RegExp }> = {
    'cloud-sql-proxy v2 bound to localhost': {
      input: [deployment('local', [APP, { name: 'cloud-sql-proxy', image: V2, args: ['--http-address=127.0.0.1', 'proj:region:db'] }])],
      field: 'spec.template.spec.containers[1].args[0]',
      message: /listens for its health checks on 127\.0\.0\.1 only/,
    },
    'cloud-sql-proxy v2.0.0 sample with "--http-address 0.0.0.0" as one word (proxy_with_http_health_check.yaml at 0f16fff)': {
      input: [
        deployment('one-word', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: V2,
            args: ['--health-check', '--http-address 0.0.0.0', '--structured-logs', '--port=5432', 'proj:region:db'],
          },
        ]),
      ],
      field: 'spec.template.spec.containers[1].args[1]',
      message: /is one word/,
    },
    'envoy whose admin port nothing tells': {
      input: [
        deployment('envoy-unknown', [APP, { name: 'envoy', image: 'envoyproxy/envoy:v1.32.0', args: ['-c', '/etc/envoy/custom.yaml'] }]),
      ],
      field: 'spec.template.spec.containers[1]',
      message: /the port envoy serves readiness on is unknown/,
    },
    'envoy whose bootstrap is in a Secret': {
      input: [deployment('envoy-secret', [APP, envoy()], [{ name: 'envoy-config', secret: { secretName: 'envoy-secret' } }])],
      field: 'spec.template.spec.containers[1].volumeMounts[0]',
      message:
        /the port envoy serves readiness on is unknown \(envoy has no default, and \/etc\/envoy\/envoy\.yaml is in volume envoy-config \(secret envoy-secret/,
    },
    'envoy whose bootstrap binds its admin server to 127.0.0.1': {
      input: [envoyConfig(8001, '127.0.0.1'), deployment('envoy-local', [APP, envoy()], envoyVolumes)],
      field: 'spec.template.spec.containers[1].volumeMounts[0]',
      message: /binds the admin server to 127\.0\.0\.1/,
    },
    'otel-collector as the Helm chart 0.76.1 renders it, on a v0.104.0+ image (health_check on its default localhost:13133)': {
      input: chart('otel-collector-chart-0.76.1.yaml', (r) => r, OTEL_IMAGE),
      field: 'spec.template.spec.containers[0].volumeMounts[0]',
      message:
        /listens for its health checks on localhost only \(extensions\.health_check in \/conf\/relay\.yaml .*default endpoint localhost:13133/,
    },
    'otel-collector as the Helm chart renders it, health_check left out of service.extensions': {
      input: chart('otel-collector-chart-0.158.3.yaml', (r) => r.replace('  extensions:\n  - health_check\n', '  extensions: []\n')),
      field: 'spec.template.spec.containers[0].volumeMounts[0]',
      message: /extensions\.health_check is configured, but service\.extensions in \/conf\/relay\.yaml .*does not list it/,
    },
    'otel-collector whose config file is mounted from a Secret': {
      input: [otelSecretFile()],
      field: 'spec.template.spec.containers[1].volumeMounts[0]',
      message:
        /\/conf\/config\.yaml is in volume cfg \(secret otel-secret, mounted by spec\.containers\[1\]\.volumeMounts\[0\]\), whose files the function does not read/,
    },
    'otel-collector whose config is in a variable from a Secret (--config=env:OTEL_CONFIG, valueFrom)': {
      input: [otelSecretEnv()],
      field: 'spec.template.spec.containers[1].env[0]',
      message: /--config env:OTEL_CONFIG .* reads OTEL_CONFIG: OTEL_CONFIG comes from valueFrom/,
    },
    'linkerd-proxy written by hand without LINKERD2_PROXY_ADMIN_LISTEN_ADDR, on its default 127.0.0.1:4191': {
      input: [deployment('linkerd-loopback', [APP, linkerdProxy()], linkerdVolumes)],
      field: 'spec.template.spec.containers[1]',
      message: /listens for its health checks on 127\.0\.0\.1 only \(the default LINKERD2_PROXY_ADMIN_LISTEN_ADDR 127\.0\.0\.1:4191\)/,
    },
    'cloud-sql-proxy v2 run by a shell script (sh -c)': {
      input: [
        deployment('script', [
          APP,
          {
            name: 'cloud-sql-proxy',
            image: `${V2}-bookworm`,
            command: ['/bin/sh', '-c', 'exec /cloud-sql-proxy --port=5432 proj:region:db'],
          },
        ]),
      ],
      field: 'spec.template.spec.containers[1].command[2]',
      message: /cannot append --health-check to a shell script/,
    },
    'cloud-sql-proxy v2 with CSQL_PROXY_HTTP_ADDRESS=localhost': {
      input: [
        deployment('local-env', [
          APP,
          { name: 'cloud-sql-proxy', image: V2, args: ['proj:region:db'], env: [{ name: 'CSQL_PROXY_HTTP_ADDRESS', value: 'localhost' }] },
        ]),
      ],
      field: 'spec.template.spec.containers[1].env[0]',
      message: /listens for its health checks on localhost only/,
    },
    'oauth2-proxy on its default 127.0.0.1:4180': {
      input: [oauth2Secret, deployment('oauth2-loopback', [APP, oauth2Proxy([])])],
      field: 'spec.template.spec.containers[1]',
      message: /on 127\.0\.0\.1 only \(the default --http-address 127\.0\.0\.1:4180\)/,
    },
    'cloud-sql-proxy v2 with envFrom from a Secret, whose values the function does not read': {
      input: [
        deployment('env-secret', [
          APP,
          { name: 'cloud-sql-proxy', image: V2, args: ['proj:region:db'], envFrom: [{ secretRef: { name: 'proxy-secrets' } }] },
        ]),
      ],
      field: 'spec.template.spec.containers[1].envFrom[0]',
      message: /Secret proxy-secrets, .*may set CSQL_PROXY_HTTP_PORT, .*assumed it does not/,
    },
  };
  for (const [what, c] of Object.entries(warned))
    it(`${what}: a warning names the field`, () => {
      const r = render(c.input, config('1.30'));
      assert.equal(r.status, 0);
      assert.ok(
        (r.results as { severity?: string; message: string; field?: { path: string } }[]).some(
          (x) => x.severity === 'warning' && c.message.test(x.message) && x.field?.path === c.field,
        ),
        JSON.stringify(r.results, null, 1),
      );
    });
});

/**
 * Presets of the config's own (README: "A preset of your own") that read where their sidecar listens,
 * by each form of `reads` and by `versions`. The sidecar is the generic application, listening only
 * where its flag, variable or port says (its image's `ports` and `host` stand for the program reading
 * them; the app answers on every path), so a gate on the preset's default port never passes, nor one
 * on a loopback address, which kubelet's probes and the helper's check (at the pod's IP) cannot reach.
 */
describe("presets of the config's own read their sidecar's port on the bench kubelet", function () {
  this.timeout(180_000);
  const PRESETS = [
    {
      name: 'healthz-proxy',
      containers: ['proxy'],
      ready: { port: 8080, path: '/healthz' },
      reads: { flagSyntax: 'go', portFlag: 'health-port', envPrefix: 'PROXY_', portNames: ['healthz'] },
      versions: [
        {
          name: 'v2',
          images: ['bench.test/healthz-proxy:2.*'],
          ready: { port: 9000, path: '/ready' },
          reads: { listen: { variable: 'READY_ADDR', default: '127.0.0.1:9000' } },
        },
      ],
    },
    {
      name: 'listen-proxy',
      containers: ['listener'],
      ready: { port: 7000, path: '/ready' },
      reads: { listen: { flag: 'listen', default: '127.0.0.1:7000' } },
    },
  ];
  const deployment = (name: string, sidecar: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'example/app:1', command: ['/app'] }, sidecar] },
      },
    },
  });
  const proxy = (image: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    name: 'proxy',
    image,
    command: ['/app'],
    ...extra,
  });
  const moved = [
    // -health-port=9100 in Go's flag syntax.
    deployment('own-flag', proxy('bench.test/healthz-proxy:1-flag', { args: ['-health-port=9100'] })),
    // envPrefix PROXY_: PROXY_HEALTH_PORT stands for -health-port.
    deployment('own-env', proxy('bench.test/healthz-proxy:1-env', { env: [{ name: 'PROXY_HEALTH_PORT', value: '9101' }] })),
    // portNames: a container port named healthz.
    deployment('own-named', proxy('bench.test/healthz-proxy:1-named', { ports: [{ name: 'healthz', containerPort: 9102 }] })),
    // listen by flag: address and port in one setting.
    deployment('own-listen', { name: 'listener', image: 'bench.test/listen-proxy:1', command: ['/app'], args: ['--listen=0.0.0.0:7100'] }),
    // versions: an image 2.x is read as v2, by its listen variable, on its own port and path.
    deployment('own-v2', proxy('bench.test/healthz-proxy:2.1-env', { env: [{ name: 'READY_ADDR', value: '0.0.0.0:9200' }] })),
  ];
  // v2 on its default 127.0.0.1:9000: warned (below), started first, not waited for.
  const loopback = [deployment('own-v2-loopback', proxy('bench.test/healthz-proxy:2.1-loopback', {}))];
  const images = [
    app('bench.test/healthz-proxy:1-flag', { ports: [9100], readyAfterMs: 300 }),
    app('bench.test/healthz-proxy:1-env', { ports: [9101], readyAfterMs: 300 }),
    app('bench.test/healthz-proxy:1-named', { ports: [9102], readyAfterMs: 300 }),
    app('bench.test/listen-proxy:1', { ports: [7100], readyAfterMs: 300 }),
    app('bench.test/healthz-proxy:2.1-env', { ports: [9200], readyAfterMs: 300 }),
    app('bench.test/healthz-proxy:2.1-loopback', { ports: [9000], host: '127.0.0.1', readyAfterMs: 300 }),
    ...REAL_WORLD_IMAGES,
  ];
  const config = (version: string): Record<string, unknown> => ({
    apiVersion: 'order-containers.dev/v1alpha1',
    kind: 'ContainerOrder',
    metadata: { name: 'own-presets' },
    spec: { kubernetesVersion: version, presets: PRESETS },
  });
  for (const version of VERSIONS) {
    it(`the port moved by a Go-style flag, envPrefix, portNames, listen and versions, Kubernetes ${version}: each pod starts in order and becomes Ready`, async function () {
      requireBench(this);
      const functionConfig = config(version);
      const run = await runOn(throughFunction(moved, functionConfig), moved, { ...RUN, images, functionConfig });
      assert.equal(run.reports.length, moved.length);
      assertHealthy(run, { stopOrder: STOP_ORDER_UNORDERED[version] === undefined });
    });
    it(`a version on its loopback default, Kubernetes ${version}: started first, not waited for, and the pod becomes Ready`, async function () {
      requireBench(this);
      const functionConfig = config(version);
      const run = await runOn(throughFunction(loopback, functionConfig), loopback, {
        ...RUN,
        images,
        functionConfig,
        notWaitedFor: ['proxy'],
      });
      assertHealthy(run, { stopOrder: STOP_ORDER_UNORDERED[version] === undefined });
    });
  }
  it('a version on its loopback default: a warning names the field', () => {
    const r = render(loopback, config('1.30'));
    assert.equal(r.status, 0);
    assert.ok(
      (r.results as { severity?: string; message: string; field?: { path: string } }[]).some(
        (x) =>
          x.severity === 'warning' &&
          /on 127\.0\.0\.1 only \(the default READY_ADDR 127\.0\.0\.1:9000\)/.test(x.message) &&
          x.field?.path === 'spec.template.spec.containers[1]',
      ),
      JSON.stringify(r.results, null, 1),
    );
  });
});

/**
 * The pods an injector already ordered (test/injected/), through the function with their preset, on the
 * bench kubelet: below 1.29 the function keeps them as they are, and the injector's own postStart hook
 * (`linkerd-await`, `pilot-agent wait`) holds the app until the proxy is ready; from 1.29 the proxy
 * becomes a native sidecar, its hook kept.
 */
describe('pods an injector already ordered, on the bench kubelet (test/injected/)', function () {
  this.timeout(180_000);

  for (const fixture of INJECTED) {
    for (const version of VERSIONS) {
      it(`${fixture.file}, Kubernetes ${version}: the app starts after the proxy is ready, and the pod becomes Ready`, async function () {
        requireBench(this);
        const functionConfig = configMapConfig({ presets: fixture.preset, kubernetesVersion: version });
        const run = await runOn(throughFunction(fixture.items, functionConfig), fixture.items, { ...RUN, functionConfig });
        assertHealthy(run, { stopOrder: STOP_ORDER_UNORDERED[version] === undefined });
      });
    }
  }
});
