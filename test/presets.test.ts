import assert from 'node:assert/strict';
import jsYaml from 'js-yaml';
import { decodeFunctionConfig } from '../src/config/function-config.js';
import { runFunction } from '../src/function.js';
import { BUILT_IN_PRESETS } from '../src/presets/built-in.js';
import type { Preset } from '../src/presets/preset.js';
import { readResourceList } from '../src/resource-list/read.js';
import { decodeWaitHook } from '../src/protocol/wait-hook.js';
import { decodeWrapper } from '../src/protocol/wrapper.js';
import { violationsIn } from './api-rules.js';
import { aliasBomb } from './helpers.js';
import { INJECTED } from './injected/fixtures.js';

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: Record<string, unknown>[];
  envFrom?: Record<string, unknown>[];
  ports?: Record<string, unknown>[];
  volumeMounts?: Record<string, unknown>[];
  restartPolicy?: string;
  startupProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  lifecycle?: { postStart?: { exec?: { command: string[] } } };
}
interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; initContainers?: Container[]; restartPolicy?: string; volumes?: Record<string, unknown>[] };
}
type Resource = Record<string, unknown>;
interface Result {
  message: string;
  severity: string;
  field?: { path: string };
}

function workload(kind: 'Deployment' | 'Job', template: Template, namespace = 'shop'): Resource {
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name: 'web', namespace }, spec: { template } };
}

function namespace(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): Resource {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } };
}

function config(presets: unknown, version: string, extra: Record<string, unknown> = {}): Resource {
  return {
    apiVersion: 'order-containers.dev/v1alpha1',
    kind: 'ContainerOrder',
    metadata: { name: 'order' },
    spec: { presets, kubernetesVersion: version, ...extra },
  };
}

function run(items: Resource[], functionConfig: Resource) {
  const text = jsYaml.dump({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, functionConfig });
  const list = readResourceList(text);
  const r = runFunction(list);
  const parsed = jsYaml.load(r.chunks.join('')) as { items: Resource[]; results: Result[] };
  const again = runFunction(readResourceList(jsYaml.dump({ ...parsed, results: undefined })));
  return {
    exitCode: r.exitCode,
    items: parsed.items,
    results: parsed.results,
    secondRunEdits: again.results.filter((x) => x.message.startsWith('start order')),
  };
}

function templateOf(item: Resource): Template {
  return (item.spec as { template: Template }).template;
}

function names(list: readonly Container[] | undefined): string[] {
  return (list ?? []).map((c) => c.name);
}

const APP: Container = { name: 'app', image: 'example/app:1', args: ['serve'] };

function filled(command: readonly string[]): string[] {
  return command.map((a) => a.replace('{timeoutSeconds}', '120'));
}

describe('presets: sidecars in the manifest', () => {
  for (const builtIn of BUILT_IN_PRESETS.filter((p) => p.containers.length > 0)) {
    // A preset with no default port (Envoy) reads it from a port its samples name.
    const portName = builtIn.ready && builtIn.ready.port === undefined ? builtIn.reads?.portNames?.[0] : undefined;
    const preset = portName ? { ...builtIn, ready: { ...builtIn.ready, port: 9901 } } : builtIn;
    // One that listens where its flag or variable says (oauth2-proxy, linkerd) is told the pod's address,
    // as its chart or injector does.
    const listen = preset.reads?.listen;
    const address = `0.0.0.0:${preset.ready?.port}`;
    // A collector (otel-collector) has its health_check enabled on every address by its config, inline.
    const collector = preset.reads?.collectorConfig;
    const sidecar: Container = {
      name: preset.containers[0]!,
      image: 'example/sidecar:1',
      ...(portName ? { ports: [{ name: portName, containerPort: 9901 }] } : {}),
      ...(listen && 'flag' in listen ? { args: [`--${listen.flag}=${address}`] } : {}),
      ...(listen && 'variable' in listen ? { env: [{ name: listen.variable, value: address }] } : {}),
      ...(collector
        ? {
            args: [
              `--config=yaml:{extensions: {health_check: {endpoint: "0.0.0.0:${preset.ready!.port}"}}, service: {extensions: [health_check]}}`,
            ],
          }
        : {}),
    };

    it(`${preset.name}: postStart (1.28) starts ${sidecar.name} first and gates the app on it`, () => {
      const r = run([workload('Deployment', { spec: { containers: [APP, sidecar] } })], config([preset.name], '1.28'));
      assert.equal(r.exitCode, 0, JSON.stringify(r.results));
      const spec = templateOf(r.items[0]!).spec;
      assert.deepEqual(names(spec.containers), [sidecar.name, 'app'], 'the sidecar starts first');
      const hook = spec.containers[0]!.lifecycle?.postStart?.exec?.command;
      if (preset.waitCommand) assert.deepEqual(hook, filled(preset.waitCommand), "the gate is the sidecar's own wait command");
      else if (preset.ready) {
        const check = decodeWaitHook(hook)?.readiness.check;
        assert.ok(check, 'the gate polls the preset readiness endpoint');
        const expected =
          preset.ready.path === undefined
            ? { kind: 'tcp', port: preset.ready.port }
            : { kind: 'http', port: preset.ready.port, path: preset.ready.path };
        assert.deepEqual(
          Object.fromEntries(Object.keys(expected).map((k) => [k, (check as unknown as Record<string, unknown>)[k]])),
          expected,
          `the gate checks port ${preset.ready.port}`,
        );
      } else assert.equal(hook, undefined, 'no readiness is known: started first, not gated');
      assert.equal(spec.containers[0]!.readinessProbe, undefined, 'no readinessProbe is written into the container');
      assert.ok(
        r.results.some(
          (x) => x.severity === 'info' && x.message.startsWith(`preset ${preset.name} (container ${sidecar.name} is in the pod template)`),
        ),
        'the result says which preset matched and why',
      );
      assert.deepEqual(violationsIn(r.items), []);
      assert.deepEqual(r.secondRunEdits, [], 'a second run changes nothing');
    });

    if (preset.stop === 'with') {
      it(`${preset.name}: native (1.30) keeps ${sidecar.name}, which stops with the app, a main container, first and gated`, () => {
        const r = run([workload('Deployment', { spec: { containers: [APP, sidecar] } })], config([preset.name], '1.30'));
        assert.equal(r.exitCode, 0, JSON.stringify(r.results));
        const spec = templateOf(r.items[0]!).spec;
        assert.deepEqual(names(spec.containers), [sidecar.name, 'app'], 'the sidecar starts first, and kubelet stops both together');
        assert.deepEqual(names(spec.initContainers), ['order-containers-helper']);
        assert.ok(decodeWaitHook(spec.containers[0]!.lifecycle?.postStart?.exec?.command), 'the app waits until it is ready');
        assert.ok(
          r.results.some(
            (x) => x.severity === 'info' && x.message.startsWith(`${sidecar.name} stops with the other containers (stop: with)`),
          ),
          JSON.stringify(r.results),
        );
        assert.deepEqual(r.secondRunEdits, [], 'a second run changes nothing');
      });
    }

    it(`${preset.name}: native (1.30) makes ${sidecar.name} a native sidecar with the preset's startupProbe${preset.stop === 'with' ? ', where a sidecars entry says stop: after' : ''}`, () => {
      const r =
        preset.stop === 'with'
          ? run(
              [workload('Deployment', { spec: { containers: [APP, sidecar] } })],
              config([preset.name], '1.30', { sidecars: [{ name: sidecar.name, stop: 'after' }] }),
            )
          : run([workload('Deployment', { spec: { containers: [APP, sidecar] } })], config([preset.name], '1.30'));
      assert.equal(r.exitCode, 0, JSON.stringify(r.results));
      const spec = templateOf(r.items[0]!).spec;
      assert.deepEqual(names(spec.initContainers), [sidecar.name]);
      assert.deepEqual(names(spec.containers), ['app']);
      const native = spec.initContainers![0]!;
      assert.equal(native.restartPolicy, 'Always');
      if (preset.ready) {
        const handler =
          preset.ready.path === undefined
            ? { tcpSocket: { port: preset.ready.port } }
            : { httpGet: { port: preset.ready.port, path: preset.ready.path } };
        assert.deepEqual(native.startupProbe, { ...handler, periodSeconds: 1, failureThreshold: 120 });
      } else assert.equal(native.startupProbe, undefined);
      assert.deepEqual(violationsIn(r.items), []);
      assert.deepEqual(r.secondRunEdits, [], 'a second run changes nothing');
    });
  }

  it('a sidecar is found by its image whatever its name, and gets the flags it needs, once', () => {
    const proxy: Container = {
      name: 'db',
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0',
      args: ['--health-check=true', 'shop:eu:orders'],
    };
    const r = run([workload('Deployment', { spec: { containers: [APP, proxy] } })], config(['cloud-sql-proxy'], '1.30'));
    const db = templateOf(r.items[0]!).spec.initContainers![0]!;
    assert.deepEqual(db.args, ['--health-check=true', 'shop:eu:orders', '--http-address=0.0.0.0']);
    const info = r.results.find((x) => x.message.startsWith('preset cloud-sql-proxy'))!;
    assert.match(info.message, /container db runs image gcr\.io\/cloud-sql-connectors\/cloud-sql-proxy:2\.11\.0/);
    assert.match(info.message, /added --http-address=0\.0\.0\.0 to its args/);
    assert.equal(info.field?.path, 'spec.template.spec.containers[1]');
    assert.deepEqual(r.secondRunEdits, []);
  });

  it("the container's own probe and the config's sidecar declaration win over the preset", () => {
    const proxy: Container = {
      name: 'istio-proxy',
      image: 'istio/proxyv2:1.24.0',
      readinessProbe: { httpGet: { port: 15021, path: '/custom' } },
    };
    const r = run(
      [workload('Deployment', { spec: { containers: [APP, proxy] } })],
      config(['istio'], '1.30', { sidecars: [{ name: 'istio-proxy', waitFor: 'Started' }] }),
    );
    const native = templateOf(r.items[0]!).spec.initContainers![0]!;
    assert.equal(native.startupProbe, undefined, 'waitFor: Started needs no startupProbe');
    assert.deepEqual(native.readinessProbe, { httpGet: { port: 15021, path: '/custom' } });
  });

  it("keeps the sidecar's own wait command where it has one already (istioctl kube-inject with holdApplicationUntilProxyStarts)", () => {
    const proxy: Container = {
      name: 'istio-proxy',
      image: 'istio/proxyv2:1.24.0',
      lifecycle: { postStart: { exec: { command: ['pilot-agent', 'wait'] } } },
    };
    const r = run([workload('Deployment', { spec: { containers: [APP, proxy] } })], config(['istio'], '1.28'));
    assert.equal(r.exitCode, 0, JSON.stringify(r.results));
    const spec = templateOf(r.items[0]!).spec;
    assert.deepEqual(names(spec.containers), ['istio-proxy', 'app']);
    assert.deepEqual(spec.containers[0]!.lifecycle, proxy.lifecycle);
  });

  for (const fixture of INJECTED) {
    it(`a pod its injector already ordered comes out as it is, with an info result (test/injected/${fixture.file}, 1.28)`, () => {
      const r = run(fixture.items, config([fixture.preset], '1.28'));
      assert.equal(r.exitCode, 0, JSON.stringify(r.results));
      assert.deepEqual(r.items, fixture.items, 'nothing changes');
      const kept = r.results.filter((x) => x.field?.path === 'spec.template.spec.containers[0].lifecycle.postStart.exec.command');
      assert.equal(kept.length, 1, JSON.stringify(r.results));
      assert.equal(kept[0]!.severity, 'info');
      assert.match(kept[0]!.message, /own postStart hook .* is kept as it is/);
    });
  }

  it('an own wait hook is recognised by program and subcommand, whatever its path and arguments; another subcommand is not', () => {
    const hooked = (name: string, command: string[]): Container => ({
      name,
      image: 'example/proxy:1',
      lifecycle: { postStart: { exec: { command } } },
    });
    for (const [preset, proxy, command] of [
      ['linkerd', 'linkerd-proxy', ['linkerd-await']],
      ['linkerd', 'linkerd-proxy', ['/usr/lib/linkerd/linkerd-await', '--timeout=5m']],
      ['istio', 'istio-proxy', ['/usr/local/bin/pilot-agent', 'wait', '--timeoutSeconds', '300']],
    ] as const) {
      const r = run([workload('Deployment', { spec: { containers: [hooked(proxy, [...command]), APP] } })], config([preset], '1.28'));
      assert.equal(r.exitCode, 0, `${command.join(' ')}: ${JSON.stringify(r.results)}`);
      assert.deepEqual(templateOf(r.items[0]!).spec.containers[0]!.lifecycle?.postStart?.exec?.command, command);
    }
    const other = run(
      [workload('Deployment', { spec: { containers: [hooked('istio-proxy', ['pilot-agent', 'request', 'GET', 'ready']), APP] } })],
      config(['istio'], '1.28'),
    );
    assert.equal(other.exitCode, 1, 'a hook of the same program with another subcommand is not the wait command');
  });

  it("a mesh's own init containers start before its native proxy, and the pod's other init containers after it, inside the mesh", () => {
    const init = (name: string): Container => ({ name, image: 'example/init:1' });
    for (const [preset, proxy, meshInit] of [
      ['istio', 'istio-proxy', 'istio-init'],
      ['linkerd', 'linkerd-proxy', 'linkerd-init'],
    ] as const) {
      const template = {
        spec: { initContainers: [init('fetch-config'), init(meshInit)], containers: [APP, { name: proxy, image: 'example/proxy:1' }] },
      };
      const native = run([workload('Deployment', template)], config([preset], '1.30'));
      assert.deepEqual(names(templateOf(native.items[0]!).spec.initContainers), [meshInit, proxy, 'fetch-config'], preset);
      assert.deepEqual(native.secondRunEdits, [], 'a second run changes nothing');
      const postStart = run([workload('Deployment', template)], config([preset], '1.28'));
      assert.deepEqual(names(templateOf(postStart.items[0]!).spec.initContainers), ['fetch-config', meshInit], 'postStart keeps them');
      assert.deepEqual(
        postStart.results.filter((x) => x.field?.path === 'spec.template.spec.initContainers').map((x) => x.message),
        [
          `init container fetch-config runs to completion before ${proxy} starts, so it cannot use it: only native sidecars (Kubernetes 1.29+) start before init containers`,
        ],
        `the mesh's own ${meshInit} is not in the warning`,
      );
    }
  });

  it('the entrypoint strategy wraps a preset sidecar without a command through the preset entrypoint', () => {
    const proxy: Container = {
      name: 'cloud-sql-proxy',
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0',
      args: ['--health-check', '--http-address=0.0.0.0', 'shop:eu:orders'],
    };
    const app: Container = { ...APP, args: undefined, ...{ command: ['/app', 'serve'] } };
    const r = run([workload('Job', { spec: { containers: [app, proxy], restartPolicy: 'Never' } })], config(['cloud-sql-proxy'], '1.27'));
    assert.equal(r.exitCode, 0, JSON.stringify(r.results));
    const wrapped = templateOf(r.items[0]!).spec.containers.find((c) => c.name === 'cloud-sql-proxy') as Container & { command: string[] };
    const wrapper = decodeWrapper(wrapped.command);
    assert.deepEqual(wrapper?.program, ['/cloud-sql-proxy'], 'the program is the image entrypoint, run with the args kubelet passes');
    assert.equal(wrapper?.sidecar?.quit, 'http://127.0.0.1:9091/quitquitquit', 'once the work is done the wrapper asks it to quit');
    assert.deepEqual(wrapped.args, [...proxy.args!, '--quitquitquit'], 'which needs its quit endpoint on');
    assert.ok(r.results.some((x) => x.message.startsWith('strategy auto chose entrypoint')));
  });

  it("a Job's linkerd-proxy is wrapped through its ENTRYPOINT, and asked to quit at /shutdown only where its container turns that on", () => {
    const enabled = (value: string): Container => ({
      name: 'linkerd-proxy',
      image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8',
      env: [{ name: 'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED', value }],
    });
    const app: Container = { ...APP, args: undefined, ...{ command: ['/app', 'report'] } };
    for (const [proxy, quit] of [
      [enabled('true'), 'http://127.0.0.1:4191/shutdown'],
      [enabled('false'), undefined],
      [{ name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8' }, undefined],
    ] as const) {
      const r = run([workload('Job', { spec: { containers: [app, proxy], restartPolicy: 'Never' } })], config(['linkerd'], '1.27'));
      assert.equal(r.exitCode, 0, JSON.stringify(r.results));
      const wrapped = templateOf(r.items[0]!).spec.containers.find((c) => c.name === 'linkerd-proxy') as Container & { command: string[] };
      const wrapper = decodeWrapper(wrapped.command);
      assert.deepEqual(wrapper?.program, ['/usr/lib/linkerd/linkerd2-proxy-identity'], 'the image ENTRYPOINT (Dockerfile-proxy)');
      assert.equal(wrapper?.sidecar?.quit, quit, JSON.stringify(proxy.env));
      assert.deepEqual(wrapped.env, proxy.env, "the variable is the container's own word, never set by the preset");
      assert.deepEqual(r.secondRunEdits, [], 'a second run changes nothing');
    }
  });

  it('linkerd before 2.11 (by image tag, or its linkerd2-proxy-run script): that ENTRYPOINT, and the helper polls /ready, its image having no linkerd-await', () => {
    const proxy = (image: string, extra: Partial<Container> = {}): Container => ({
      name: 'linkerd-proxy',
      image,
      env: [{ name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: '0.0.0.0:4191' }],
      ...extra,
    });
    const app: Container = { ...APP, args: undefined, ...{ command: ['/app', 'report'] } };
    const programOf = (sidecar: Container): readonly string[] | undefined => {
      const r = run([workload('Job', { spec: { containers: [app, sidecar], restartPolicy: 'Never' } })], config(['linkerd'], '1.27'));
      assert.equal(r.exitCode, 0, JSON.stringify(r.results));
      const wrapped = templateOf(r.items[0]!).spec.containers.find((c) => c.name === 'linkerd-proxy') as Container & { command: string[] };
      return decodeWrapper(wrapped.command)?.program;
    };
    for (const image of [
      'gcr.io/linkerd-io/proxy:stable-2.9.4',
      'cr.l5d.io/linkerd/proxy:stable-2.10.2',
      'ghcr.io/linkerd/proxy:edge-21.5.3',
    ])
      assert.deepEqual(programOf(proxy(image)), ['/usr/bin/linkerd2-proxy-run'], image);
    for (const image of [
      'cr.l5d.io/linkerd/proxy:stable-2.11.0',
      'cr.l5d.io/linkerd/proxy:edge-21.10.1',
      'cr.l5d.io/linkerd/proxy:stable-2.14.10',
    ])
      assert.deepEqual(programOf(proxy(image)), ['/usr/lib/linkerd/linkerd2-proxy-identity'], image);
    assert.deepEqual(
      programOf(proxy('example/proxy:1', { command: ['/usr/bin/linkerd2-proxy-run'] })),
      ['/usr/bin/linkerd2-proxy-run'],
      'told by its program',
    );
    const r = run(
      [workload('Deployment', { spec: { containers: [APP, proxy('cr.l5d.io/linkerd/proxy:stable-2.10.2')] } })],
      config(['linkerd'], '1.28'),
    );
    const hook = templateOf(r.items[0]!).spec.containers[0]!.lifecycle?.postStart?.exec?.command;
    const check = decodeWaitHook(hook)?.readiness.check;
    assert.ok(
      check?.kind === 'http' && check.port === 4191 && check.path === '/ready',
      `the helper polls /ready: ${JSON.stringify(check)}`,
    );
    assert.ok(
      r.results.some((x) => x.message.includes('linkerd-proxy is linkerd before 2.11,')),
      JSON.stringify(r.results),
    );
  });

  it('an injected linkerd in a Job before 1.29 gets config.linkerd.io/proxy-admin-shutdown, which the POST it is told to make needs; not a Deployment, nor under native', () => {
    const template = (): Template => ({
      metadata: { annotations: { 'linkerd.io/inject': 'enabled' } },
      spec: { containers: [APP], restartPolicy: 'Never' },
    });
    const job = run([workload('Job', template())], config(['linkerd'], '1.28'));
    const annotations = templateOf(job.items[0]!).metadata?.annotations;
    assert.equal(annotations?.['config.linkerd.io/proxy-admin-shutdown'], 'enabled');
    assert.equal(annotations?.['config.linkerd.io/proxy-await'], 'enabled');
    assert.ok(
      job.results.some(
        (x) =>
          x.severity === 'warning' &&
          x.message.includes('POST to http://localhost:4191/shutdown') &&
          x.message.includes('config.linkerd.io/proxy-admin-shutdown'),
      ),
      JSON.stringify(job.results),
    );
    const native = run([workload('Job', template())], config(['linkerd'], '1.30'));
    assert.equal(templateOf(native.items[0]!).metadata?.annotations?.['config.linkerd.io/proxy-admin-shutdown'], undefined);
    const deployment = run([workload('Deployment', { ...template(), spec: { containers: [APP] } })], config(['linkerd'], '1.28'));
    assert.equal(templateOf(deployment.items[0]!).metadata?.annotations?.['config.linkerd.io/proxy-admin-shutdown'], undefined);
  });

  it('consul: native (1.30) sets enable-consul-dataplane-as-sidecar and names consul-dataplane in the order; before 1.29 nothing, warned', () => {
    const annotations = { 'consul.hashicorp.com/connect-inject': 'true' };
    const native = run([workload('Deployment', { metadata: { annotations }, spec: { containers: [APP] } })], config(['consul'], '1.30'));
    assert.equal(native.exitCode, 0, JSON.stringify(native.results));
    const set = templateOf(native.items[0]!).metadata!.annotations!;
    assert.equal(set['consul.hashicorp.com/enable-consul-dataplane-as-sidecar'], 'true');
    assert.equal(set['order-containers.dev/applied'], 'native: consul-dataplane(injected) -> app');
    assert.ok(
      native.results.some((x) => x.message.startsWith('start order') && x.message.includes('consul-dataplane(injected)')),
      JSON.stringify(native.results),
    );
    assert.ok(
      native.results.some((x) => x.severity === 'warning' && x.message.includes('only from consul-k8s 1.8')),
      'the version is said',
    );
    const before = run([workload('Deployment', { metadata: { annotations }, spec: { containers: [APP] } })], config(['consul'], '1.28'));
    assert.deepEqual(templateOf(before.items[0]!).metadata!.annotations, annotations, 'no annotation holds the app before 1.29');
    assert.ok(before.results.some((x) => x.message.includes('set no annotation')));
    assert.ok(!before.results.some((x) => x.message.includes('consul-dataplane(injected)')), 'no order claimed');
  });

  it('an injector with no per-pod switch for the order (OpenTelemetry operator; Consul before 1.29) gets no annotation, a warning, and no claimed order', () => {
    for (const [preset, annotations, versions] of [
      ['opentelemetry-operator', { 'sidecar.opentelemetry.io/inject': 'true' }, ['1.28', '1.30']],
      ['consul', { 'consul.hashicorp.com/connect-inject': 'true' }, ['1.28']],
    ] as const)
      for (const version of versions) {
        const r = run([workload('Deployment', { metadata: { annotations }, spec: { containers: [APP] } })], config([preset], version));
        assert.equal(r.exitCode, 0, JSON.stringify(r.results));
        const out = templateOf(r.items[0]!);
        assert.deepEqual(
          Object.keys(out.metadata!.annotations!),
          [...Object.keys(annotations)],
          `${preset} ${version}: no annotation added`,
        );
        assert.ok(
          r.results.some((x) => x.severity === 'warning' && x.message.startsWith(`preset ${preset}: the `)),
          `${preset}: warned`,
        );
        assert.ok(
          r.results.some((x) => x.message.includes('set no annotation')),
          `${preset}: says it set none`,
        );
      }
  });
});

describe('presets: images', () => {
  /** Images of each preset's sidecar, and images that only look like one. */
  const IMAGES: Readonly<Record<string, { readonly are: readonly string[]; readonly areNot: readonly string[] }>> = {
    'cloud-sql-proxy': {
      are: [
        'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1',
        'eu.gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1-alpine',
        'gcr.io/cloud-sql-connectors/cloud-sql-proxy@sha256:0a1b',
        'mirror.example.com:5000/cloud-sql-connectors/cloud-sql-proxy',
      ],
      areNot: ['gcr.io/cloud-sql-connectors/cloud-sql-proxy-operator:1.6.0', 'example.com/my-cloud-sql-connectors/cloud-sql-proxy:2'],
    },
    envoy: {
      are: [
        'envoyproxy/envoy:v1.32.0',
        'docker.io/envoyproxy/envoy:distroless-v1.32.0',
        'envoyproxy/envoy@sha256:0a1b',
        'envoyproxy/envoy:v1.32.0@sha256:0a1b',
        'envoyproxy/envoy-distroless:v1.24.1',
        'envoyproxy/envoy-dev:8a21436',
        'eu.gcr.io/gardener-project/3rd/envoyproxy/envoy-distroless:v1.24.1',
      ],
      areNot: ['envoyproxy/envoy-build-ubuntu:f94a38f62220a2b017878b790b6ea98a0f6c5f9c', 'docker.io/envoyproxy/envoy-build:latest'],
    },
    'oauth2-proxy': {
      are: ['quay.io/oauth2-proxy/oauth2-proxy:v7.7.1', 'quay.io/oauth2-proxy/oauth2-proxy:v7.7.1-alpine'],
      areNot: ['quay.io/oauth2-proxy/oauth2-proxy-builder:1'],
    },
    'otel-collector': {
      are: [
        'otel/opentelemetry-collector:0.115.0',
        'otel/opentelemetry-collector-contrib:0.115.0',
        'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.115.0',
      ],
      areNot: [
        'otel/opentelemetry-collector-builder:0.115.0',
        'ghcr.io/open-telemetry/opentelemetry-operator/opentelemetry-operator:0.115.0',
      ],
    },
  };

  it('every built-in preset with images has its cases here', () => {
    assert.deepEqual(
      BUILT_IN_PRESETS.filter((p) => p.images.length > 0).map((p) => p.name),
      Object.keys(IMAGES),
    );
  });

  for (const [preset, { are, areNot }] of Object.entries(IMAGES)) {
    it(`${preset}: an image of its repository, in any registry, with a tag or digest, is its sidecar; a look-alike is not`, () => {
      for (const image of [...are, ...areNot]) {
        const job = workload('Job', {
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'work', image: 'example/work:1' },
              { name: 'helper', image },
            ],
          },
        });
        const r = run([job], config([preset], '1.30'));
        assert.equal(r.exitCode, 0, JSON.stringify(r.results));
        const sidecar = names(templateOf(r.items[0]!).spec.initContainers).includes('helper');
        assert.equal(sidecar, are.includes(image), `${image}: ${JSON.stringify(r.results)}`);
      }
    });
  }
});

describe('presets: sidecars injected at admission', () => {
  const injected = BUILT_IN_PRESETS.filter((p) => p.injection);
  for (const preset of injected) {
    const optIn = preset.injection!.enabledBy[0]!;
    const where = optIn.value === '*' ? 'rev-1' : optIn.value;
    const template = (): Template => ({
      metadata:
        optIn.source === 'podLabel'
          ? { labels: { [optIn.key]: where } }
          : optIn.source === 'podAnnotation'
            ? { annotations: { [optIn.key]: where } }
            : {},
      spec: { containers: [APP] },
    });
    const items = (): Resource[] => [
      ...(optIn.source.startsWith('namespace')
        ? [
            namespace(
              'shop',
              optIn.source === 'namespaceLabel' ? { [optIn.key]: where } : {},
              optIn.source === 'namespaceAnnotation' ? { [optIn.key]: where } : {},
            ),
          ]
        : []),
      workload('Deployment', template()),
    ];
    for (const [version, mode] of [
      ['1.28', 'postStart'],
      ['1.30', 'native'],
    ] as const) {
      it(`${preset.name} (${optIn.source} ${optIn.key}): ${mode} sets ${mode === 'native' ? 'nativeAnnotations' : 'postStartAnnotations'} and adds no container`, () => {
        const r = run(items(), config([preset.name], version));
        assert.equal(r.exitCode, 0, JSON.stringify(r.results));
        const out = templateOf(r.items.find((i) => i.kind === 'Deployment')!);
        const wanted = mode === 'native' ? preset.injection!.nativeAnnotations : preset.injection!.postStartAnnotations;
        for (const [key, value] of Object.entries(wanted)) assert.equal(out.metadata?.annotations?.[key], value, key);
        assert.deepEqual(out.spec, template().spec, 'injected sidecars never add containers or change the spec');
        assert.ok(
          r.results.some((x) => x.message.startsWith(`preset ${preset.name} (`) && x.message.includes(`${optIn.key}=${where}`)),
          'the result says why the preset matched',
        );
        assert.deepEqual(r.secondRunEdits, [], 'a second run changes nothing');
      });
    }
  }

  it('the namespace opts in through a label, and the pod opts out over it', () => {
    const inNamespace = run(
      [namespace('shop', { 'istio.io/rev': 'canary' }), workload('Deployment', { spec: { containers: [APP] } })],
      config(['istio'], '1.30'),
    );
    assert.equal(templateOf(inNamespace.items[1]!).metadata?.annotations?.['sidecar.istio.io/nativeSidecar'], 'true');
    assert.ok(inNamespace.results.some((x) => x.message.includes('namespace shop (in this ResourceList) has label istio.io/rev=canary')));

    const optedOut = run(
      [
        namespace('shop', { 'istio-injection': 'enabled' }),
        workload('Deployment', { metadata: { labels: { 'sidecar.istio.io/inject': 'false' } }, spec: { containers: [APP] } }),
      ],
      config(['istio'], '1.30'),
    );
    assert.equal(templateOf(optedOut.items[1]!).metadata?.annotations, undefined);
    assert.ok(!optedOut.results.some((x) => x.message.startsWith('preset istio')));

    const otherNamespace = run(
      [namespace('other', { 'istio-injection': 'enabled' }), workload('Deployment', { spec: { containers: [APP] } })],
      config(['istio'], '1.30'),
    );
    assert.equal(templateOf(otherNamespace.items[1]!).metadata?.annotations, undefined, "another namespace's label does not count");
  });

  it('finds a Namespace however its kind is spelled, though only items whose text may name one are read before planning', () => {
    const list = (kind: string, after = ''): string => `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    template:
      spec:
        containers:
        - {name: app, image: example/app:1, args: [serve]}
- apiVersion: v1
  kind: ${kind}
  metadata:
    name: shop
    labels: {istio.io/rev: canary}
${after}functionConfig: {apiVersion: order-containers.dev/v1alpha1, kind: ContainerOrder, metadata: {name: o}, spec: {presets: [istio], kubernetesVersion: "1.30"}}
`;
    for (const kind of ['Namespace', "'Namespace'", '!!str Namespace', '"N\\x61mespace"', '"Name\\\n    space"']) {
      const r = runFunction(readResourceList(list(kind)));
      const [workload] = (jsYaml.load(r.chunks.join('')) as { items: Resource[] }).items;
      assert.equal(templateOf(workload!).metadata?.annotations?.['sidecar.istio.io/nativeSidecar'], 'true', kind);
    }
    assert.throws(
      () => runFunction(readResourceList(list('Namespace', '- apiVersion: v1\n  kind: [Service\n'))),
      /^InputError: items\[2\] \(line 19, column 1\): unexpected end of the stream within a flow collection$/,
      'an item not read for the Namespaces is read all the same',
    );
    assert.throws(
      () =>
        runFunction(readResourceList(list('Namespace', '- apiVersion: v1\n  kind: [ConfigMap\n- apiVersion: v1\n  kind: [Namespace\n'))),
      /^InputError: items\[2\] \(line 19, column 1\): unexpected end of the stream within a flow collection$/,
      'of two malformed items, the first is named, as when the search read every item, though only the second may name a Namespace',
    );
  });

  it('merges holdApplicationUntilProxyStarts into an existing proxy.istio.io/config, keeping its keys, format and comments', () => {
    const cases: [string, string][] = [
      ['{"terminationDrainDuration": "30s"}', '{"terminationDrainDuration":"30s","holdApplicationUntilProxyStarts":true}'],
      [
        'terminationDrainDuration: 30s # long drains\n',
        'terminationDrainDuration: 30s # long drains\nholdApplicationUntilProxyStarts: true\n',
      ],
      ['holdApplicationUntilProxyStarts: true\n', 'holdApplicationUntilProxyStarts: true\n'],
    ];
    for (const [existing, merged] of cases) {
      const r = run(
        [
          workload('Deployment', {
            metadata: { labels: { 'sidecar.istio.io/inject': 'true' }, annotations: { 'proxy.istio.io/config': existing } },
            spec: { containers: [APP] },
          }),
        ],
        config(['istio'], '1.28'),
      );
      assert.equal(templateOf(r.items[0]!).metadata!.annotations!['proxy.istio.io/config'], merged, existing);
    }
  });

  it('leaves a value the workload chose, with a warning; an unreadable one is an error naming the field', () => {
    const chosen = run(
      [
        workload('Deployment', {
          metadata: {
            labels: { 'sidecar.istio.io/inject': 'true' },
            annotations: { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: false', 'x/y': 'z' },
          },
          spec: { containers: [APP] },
        }),
      ],
      config(['istio'], '1.28'),
    );
    assert.equal(chosen.exitCode, 0);
    assert.equal(templateOf(chosen.items[0]!).metadata!.annotations!['proxy.istio.io/config'], 'holdApplicationUntilProxyStarts: false');
    const warning = chosen.results.find((x) => x.severity === 'warning')!;
    assert.match(warning.message, /sets holdApplicationUntilProxyStarts in proxy\.istio\.io\/config, not what the preset would set/);
    assert.equal(warning.field?.path, 'spec.template.metadata.annotations.proxy.istio.io/config');

    const broken = run(
      [
        workload('Deployment', {
          metadata: { labels: { 'sidecar.istio.io/inject': 'true' }, annotations: { 'proxy.istio.io/config': '[1, 2' } },
          spec: { containers: [APP] },
        }),
      ],
      config(['istio'], '1.28'),
    );
    assert.equal(broken.exitCode, 1);
    const error = broken.results.find((x) => x.severity === 'error')!;
    assert.match(error.message, /^preset istio \(the pod template has label sidecar\.istio\.io\/inject=true\): cannot merge/);
    assert.equal(error.field?.path, 'spec.template.metadata.annotations.proxy.istio.io/config');
  });

  it('an alias bomb in the annotation is an unreadable value, read with the alias limit', () => {
    const r = run(
      [
        workload('Deployment', {
          metadata: { labels: { 'sidecar.istio.io/inject': 'true' }, annotations: { 'proxy.istio.io/config': aliasBomb() } },
          spec: { containers: [APP] },
        }),
      ],
      config(['istio'], '1.28'),
    );
    assert.equal(r.exitCode, 1);
    assert.match(
      r.results.find((x) => x.severity === 'error')!.message,
      /cannot merge .* into proxy\.istio\.io\/config: Excessive alias count indicates a resource exhaustion attack$/,
    );
  });

  it('validate mode fails a workload whose injector annotations are missing, and passes it once they are set', () => {
    const items = [workload('Deployment', { metadata: { labels: { 'sidecar.istio.io/inject': 'true' } }, spec: { containers: [APP] } })];
    const missing = run(items, config(['istio'], '1.30', { mode: 'validate' }));
    assert.equal(missing.exitCode, 1);
    assert.ok(
      missing.results.some(
        (x) =>
          x.severity === 'error' &&
          x.message ===
            'the declared order is not realised; applying it would give native: istio-proxy(injected) -> app, changing spec.template.metadata.annotations.sidecar.istio.io/nativeSidecar, spec.template.metadata.annotations.order-containers.dev/applied',
      ),
      JSON.stringify(missing.results),
    );
    assert.ok(
      missing.results.some((x) => x.severity === 'info' && x.message.includes(': would set sidecar.istio.io/nativeSidecar: "true"')),
      'the preset says what it would set, not that it did',
    );
    assert.equal(templateOf(missing.items[0]!).metadata?.annotations, undefined, 'validate changes nothing');
    const applied = run(items, config(['istio'], '1.30'));
    assert.equal(run(applied.items, config(['istio'], '1.30', { mode: 'validate' })).exitCode, 0);
  });

  it('a Job with an injected sidecar and no native sidecars is warned how the sidecar must be stopped', () => {
    const r = run(
      [
        workload('Job', {
          metadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
          spec: { restartPolicy: 'Never', containers: [APP] },
        }),
      ],
      config(['istio'], '1.28'),
    );
    assert.ok(r.results.some((x) => x.severity === 'warning' && x.message.includes('must POST to http://localhost:15020/quitquitquit')));
  });

  it("vault: the start order names vault-agent-init, never the vault-agent sidecar; only a Job's pods are told to use agent-pre-populate-only", () => {
    const optIn = { annotations: { 'vault.hashicorp.com/agent-inject': 'true' } };
    for (const version of ['1.28', '1.30']) {
      for (const kind of ['Deployment', 'Job'] as const) {
        const template = { metadata: optIn, spec: { ...(kind === 'Job' ? { restartPolicy: 'Never' } : {}), containers: [APP] } };
        const r = run([workload(kind, template)], config(['vault'], version));
        assert.equal(r.exitCode, 0, JSON.stringify(r.results));
        const order = r.results.find((x) => x.message.startsWith('start order'))!.message;
        assert.match(order, /: vault-agent-init\(injected, completed\) -> app$/, `${kind} ${version}`);
        const warnings = r.results.filter((x) => x.severity === 'warning').map((x) => x.message);
        assert.ok(
          warnings.some((m) => m.includes('only moves vault-agent-init') && m.includes('does not order the vault-agent sidecar')),
          `what agent-init-first does and does not do: ${kind} ${version}`,
        );
        const prePopulateOnly = warnings.filter((m) => m.includes('vault.hashicorp.com/agent-pre-populate-only'));
        if (kind === 'Job') assert.deepEqual(prePopulateOnly.length, 1, `${kind} ${version}: ${JSON.stringify(warnings)}`);
        else
          assert.deepEqual(
            warnings.filter((m) => /Job|complete/.test(m)),
            [],
            `no Job warning on a Deployment (${version})`,
          );
      }
    }
  });

  it("a workload without metadata.namespace takes its Namespace's opt-in from the config's namespace, and is never said to be in order without it", () => {
    const items = [namespace('shop', { 'istio-injection': 'enabled' }), workload('Deployment', { spec: { containers: [APP] } }, '')];
    delete (items[1]!.metadata as { namespace?: string }).namespace;
    const unknown = run(items, config(['istio'], '1.30'));
    assert.equal(unknown.exitCode, 0, JSON.stringify(unknown.results));
    assert.deepEqual(unknown.items, items, 'nothing is set: the namespace is not known');
    assert.deepEqual(
      unknown.results.map((x) => [x.severity, x.field?.path]),
      [
        ['warning', 'metadata.namespace'],
        ['info', undefined],
      ],
    );
    assert.equal(unknown.results[1]!.message, '1 selected workload: 1 unchanged, with warnings');
    assert.match(unknown.results[0]!.message, /preset istio \(namespace shop \(in this ResourceList\) has label istio-injection=enabled\)/);
    assert.ok(!unknown.results.some((x) => x.message.includes('already in order')));

    for (const functionConfig of [
      config(['istio'], '1.30', { namespace: 'shop' }),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'order' },
        data: { presets: 'istio', kubernetesVersion: '1.30', namespace: 'shop' },
      },
    ]) {
      const known = run(items, functionConfig);
      assert.equal(known.exitCode, 0, JSON.stringify(known.results));
      assert.equal(templateOf(known.items[1]!).metadata!.annotations!['sidecar.istio.io/nativeSidecar'], 'true');
      assert.ok(!known.results.some((x) => x.field?.path === 'metadata.namespace'));
    }

    const elsewhere = run(items, config(['istio'], '1.30', { namespace: 'billing' }));
    assert.deepEqual(elsewhere.items, items, 'applied into another namespace: no opt-in');
    assert.match(elsewhere.results[0]!.message, /already in order/);
  });

  it('linkerd at 1.29+: the native key and proxy-await, without which the chart writes no startupProbe for the native proxy', () => {
    const r = run(
      [namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }), workload('Deployment', { spec: { containers: [APP] } })],
      config(['linkerd'], '1.30'),
    );
    const annotations = templateOf(r.items[1]!).metadata!.annotations!;
    assert.equal(annotations['config.linkerd.io/proxy-enable-native-sidecar'], 'true');
    assert.equal(annotations['config.linkerd.io/proxy-await'], 'enabled');
  });

  it('a built-in preset field is replaced from the config: older Linkerd native sidecar keys', () => {
    const alpha = { 'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'true' };
    const r = run(
      [namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }), workload('Deployment', { spec: { containers: [APP] } })],
      config([{ name: 'linkerd', injection: { nativeAnnotations: alpha } }], '1.30'),
    );
    const annotations = templateOf(r.items[1]!).metadata!.annotations!;
    assert.deepEqual(annotations['config.alpha.linkerd.io/proxy-enable-native-sidecar'], 'true');
    assert.equal(annotations['config.linkerd.io/proxy-enable-native-sidecar'], undefined);
  });
});

describe('presets: config', () => {
  const problems = (c: unknown) => {
    const d = decodeFunctionConfig(c);
    return d.kind === 'invalid' ? d.problems : [];
  };

  it('names the built-in presets when one is unknown', () => {
    assert.deepEqual(problems(config(['istoi'], '1.30')), [
      {
        path: 'spec.presets[0]',
        message:
          'no built-in preset is called "istoi"; the built-in presets are istio, linkerd, vault, cloud-sql-proxy, envoy, oauth2-proxy, otel-collector, opentelemetry-operator, consul, or define one with name, containers and ready',
      },
    ]);
  });

  it('checks a preset of the config own: its fields, its markers, that it matches something', () => {
    assert.deepEqual(problems(config([{ name: 'pgbouncer', ready: { port: 70000 } }], '1.30')), [
      { path: 'spec.presets[0].ready.port', message: 'expected a port number from 1 to 65535, got 70000' },
    ]);
    assert.deepEqual(problems(config([{ name: 'pgbouncer' }], '1.30')), [
      { path: 'spec.presets[0]', message: 'preset pgbouncer matches nothing: give containers, images or injection' },
    ]);
    assert.deepEqual(
      problems(config([{ name: 'mesh', injection: { enabledBy: [{ podLabel: 'a', namespaceLabel: 'b', value: 'x' }] } }], '1.30')),
      [
        {
          path: 'spec.presets[0].injection.enabledBy[0]',
          message: 'give exactly one of podLabel, podAnnotation, namespaceLabel, namespaceAnnotation, with its value',
        },
      ],
    );
    assert.deepEqual(problems(config(['istio', 'istio'], '1.30')), [{ path: 'spec.presets[1]', message: 'preset istio is named twice' }]);
    assert.deepEqual(problems(config([42], '1.30')), [{ path: 'spec.presets[0]', message: 'expected a preset name or a preset, got 42' }]);
    assert.deepEqual(problems(config([{ name: 'x', containers: ['x'], waitCommand: [] }], '1.30')), [
      { path: 'spec.presets[0]', message: 'preset x: a waitCommand or entrypoint must name a program' },
    ]);
    assert.equal(
      problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { presets: '[istio' } })[0]!.message,
      'not YAML: Flow sequence must end with a ] at line 1, column 7:',
    );
    // Deep enough to exhaust the stack: before the depth limit this aborted the process.
    assert.equal(
      problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { presets: '['.repeat(5000) } })[0]!.message,
      'not YAML: nesting exceeded maxDepth (100) at line 1, column 101',
    );
  });

  it('a preset of the config own orders its sidecar like a built-in one', () => {
    const pgbouncer: Container = { name: 'pgbouncer', image: 'example/pgbouncer:1' };
    const r = run(
      [workload('Deployment', { spec: { containers: [APP, pgbouncer] } })],
      config([{ name: 'pgbouncer', containers: ['pgbouncer'], ready: { port: 6432 } }], '1.30'),
    );
    const native = templateOf(r.items[0]!).spec.initContainers![0]!;
    assert.deepEqual(native.startupProbe, { tcpSocket: { port: 6432 }, periodSeconds: 1, failureThreshold: 120 });
  });

  it('a preset of the config own reads its port from a flag, a variable or a named port, per version, as a built-in does', () => {
    const proxy: Preset = {
      name: 'healthz-proxy',
      containers: ['proxy'],
      images: [],
      ready: { port: 8080, path: '/healthz' },
      reads: { flagSyntax: 'go', portFlag: 'health-port', envPrefix: 'PROXY_', portNames: ['healthz'] },
      versions: [
        {
          name: 'v2',
          images: ['example/proxy:2.*'],
          programs: [],
          ready: { port: 9000, path: '/ready' },
          reads: { listen: { variable: 'READY_ADDR', default: '127.0.0.1:9000' } },
        },
      ],
    };
    const probeOf = (container: Partial<Container>): unknown => {
      const r = run(
        [workload('Deployment', { spec: { containers: [APP, { name: 'proxy', image: 'example/proxy:1', ...container }] } })],
        config([proxy], '1.30'),
      );
      assert.equal(r.exitCode, 0, JSON.stringify(r.results));
      return templateOf(r.items[0]!).spec.initContainers?.find((c) => c.name === 'proxy')?.startupProbe?.httpGet;
    };
    assert.deepEqual(probeOf({}), { port: 8080, path: '/healthz' }, 'its default');
    assert.deepEqual(probeOf({ args: ['-health-port', '9100'] }), { port: 9100, path: '/healthz' }, "by flag, in Go's syntax");
    assert.deepEqual(probeOf({ env: [{ name: 'PROXY_HEALTH_PORT', value: '9101' }] }), { port: 9101, path: '/healthz' }, 'by its variable');
    assert.deepEqual(probeOf({ ports: [{ name: 'healthz', containerPort: 9102 }] }), { port: 9102, path: '/healthz' }, 'by a named port');
    assert.deepEqual(
      probeOf({ image: 'example/proxy:2.1', env: [{ name: 'READY_ADDR', value: '0.0.0.0:9200' }] }),
      { port: 9200, path: '/ready' },
      'version 2, by its listen variable',
    );
    assert.equal(probeOf({ image: 'example/proxy:2.1' }), undefined, 'version 2 on its loopback default: started first, not waited for');
    // The same preset as the config gives it, in YAML: it decodes to the same shape.
    const decoded = decodeFunctionConfig(config([proxy], '1.30'));
    assert.deepEqual(decoded.kind === 'spec' && decoded.spec.presets[0], proxy);
  });

  it("a preset's reads and versions are checked, each problem naming its field", () => {
    const cases: [unknown, string, string][] = [
      [{ flagSyntax: 'posix' }, 'spec.presets[0].reads.flagSyntax', 'expected "pflag" | "go" | "tclap", got "posix"'],
      [{ portFlag: '--port' }, 'spec.presets[0].reads.portFlag', 'expected a flag name without its dashes, got "--port"'],
      [{ envPrefix: 'MY-APP_' }, 'spec.presets[0].reads.envPrefix', 'expected an environment variable name, got "MY-APP_"'],
      [
        { listen: { default: 'nowhere', flag: 'listen' } },
        'spec.presets[0].reads.listen.default',
        'expected an address as [http://]HOST:PORT, got "nowhere"',
      ],
      [
        { listen: { default: '0.0.0.0:80', flag: 'listen', variable: 'LISTEN' } },
        'spec.presets[0].reads.listen',
        'give exactly one of flag (read from its variable too, with envPrefix) or variable',
      ],
      [{ quitOnReadyPort: 'yes' }, 'spec.presets[0].reads.quitOnReadyPort', 'expected boolean, got "yes"'],
    ];
    for (const [reads, path, message] of cases)
      assert.deepEqual(problems(config([{ name: 'p', containers: ['p'], reads }], '1.30')), [{ path, message }], JSON.stringify(reads));
    const unknown = problems(config([{ name: 'p', containers: ['p'], reads: { envoyBootstrap: { default: '/e.yaml' } } }], '1.30'));
    assert.equal(unknown[0]?.path, 'spec.presets[0].reads.envoyBootstrap');
    assert.match(unknown[0]!.message, /unknown field; expected one of flagSyntax, portFlag/);
    assert.deepEqual(problems(config([{ name: 'p', containers: ['p'], versions: [{ name: 'v1' }] }], '1.30')), [
      { path: 'spec.presets[0].versions[0]', message: 'version v1 matches nothing: give images or programs' },
    ]);
    assert.deepEqual(problems(config([{ name: 'p', containers: ['p'], versions: [{ name: 'v1', programs: ['/bin/p'] }] }], '1.30')), [
      { path: 'spec.presets[0].versions[0].programs[0]', message: 'expected a program file name, without its folder, got "/bin/p"' },
    ]);
    assert.deepEqual(
      problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { presets: '[{name: p, containers: [p], reads: {flagSyntax: posix}}]' } }),
      [{ path: 'data.presets[0].reads.flagSyntax', message: 'expected "pflag" | "go" | "tclap", got "posix"' }],
    );
  });

  it('the ConfigMap key takes names separated by commas, or YAML', () => {
    const comma = decodeFunctionConfig({ apiVersion: 'v1', kind: 'ConfigMap', data: { presets: 'istio, linkerd' } });
    assert.equal(comma.kind, 'spec');
    assert.deepEqual(comma.kind === 'spec' && comma.spec.presets.map((p) => p.name), ['istio', 'linkerd']);
    const yaml = decodeFunctionConfig({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { presets: '[{name: pgbouncer, containers: [pgbouncer], ready: {port: 6432}}]' },
    });
    assert.deepEqual(yaml.kind === 'spec' && yaml.spec.presets[0], {
      name: 'pgbouncer',
      containers: ['pgbouncer'],
      images: [],
      ready: { port: 6432 },
    });
    assert.deepEqual(problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { presets: 'istio, nope' } }), [
      {
        path: 'data.presets[1]',
        message:
          'no built-in preset is called "nope"; the built-in presets are istio, linkerd, vault, cloud-sql-proxy, envoy, oauth2-proxy, otel-collector, opentelemetry-operator, consul, or define one with name, containers and ready',
      },
    ]);
  });
});

describe('presets: what they read from the container (presets/read.ts)', () => {
  const APP_CMD: Container = { name: 'app', image: 'example/app:1', command: ['/app'] };
  const V2 = 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1';
  const one = (
    proxy: Container,
    version = '1.30',
    extra: Partial<Template['spec']> = {},
    annotations?: Record<string, string>,
    items: Resource[] = [],
  ) => {
    const w = workload('Deployment', { spec: { containers: [APP_CMD, proxy], ...extra } });
    if (annotations) (w.metadata as Record<string, unknown>).annotations = annotations;
    // Envoy stopped after the app, as a native sidecar, where what it reads shows in its startupProbe.
    return run([...items, w], config(['cloud-sql-proxy', { name: 'envoy', stop: 'after' }], version));
  };
  const native = (r: ReturnType<typeof run>): Container =>
    templateOf(r.items.at(-1)!).spec.initContainers!.find((c) => c.name !== 'order-containers-helper')!;
  const hookOf = (r: ReturnType<typeof run>, name: string) =>
    templateOf(r.items.at(-1)!).spec.containers.find((c) => c.name === name)!.lifecycle?.postStart?.exec?.command;
  const warnings = (r: ReturnType<typeof run>) => r.results.filter((x) => x.severity === 'warning' && x.message.startsWith('preset '));

  it('oauth2-proxy: the address and port of --http-address (or its variable); its default 127.0.0.1:4180 is a warning, never a gate', () => {
    const proxy = (extra: Partial<Container>): ReturnType<typeof run> =>
      run(
        [
          workload('Deployment', {
            spec: { containers: [APP_CMD, { name: 'oauth2-proxy', image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.6.0', ...extra }] },
          }),
        ],
        config([{ name: 'oauth2-proxy', stop: 'after' }], '1.30'),
      );
    assert.deepEqual(native(proxy({ args: ['--http-address=0.0.0.0:4180'] })).startupProbe?.httpGet, { port: 4180, path: '/ping' });
    assert.deepEqual(native(proxy({ args: ['--http-address', ':8081'] })).startupProbe?.httpGet, { port: 8081, path: '/ping' });
    const byEnv = proxy({ env: [{ name: 'OAUTH2_PROXY_HTTP_ADDRESS', value: 'http://0.0.0.0:4181' }] });
    assert.deepEqual(native(byEnv).startupProbe?.httpGet, { port: 4181, path: '/ping' });
    const unset = proxy({});
    assert.equal(native(unset).startupProbe, undefined, 'started first, not waited for');
    assert.deepEqual(
      warnings(unset).map((w) => [w.message.replace(/:.*/, ''), w.field]),
      [['preset oauth2-proxy', { path: 'spec.template.spec.containers[1]' }]],
    );
    assert.match(warnings(unset)[0]!.message, /on 127\.0\.0\.1 only \(the default --http-address 127\.0\.0\.1:4180\)/);
  });

  it('linkerd-proxy written by hand: the admin address of LINKERD2_PROXY_ADMIN_LISTEN_ADDR (env or envFrom); its default 127.0.0.1:4191 is a warning, never a gate', () => {
    const proxy = (extra: Partial<Container>, version: string, items: Resource[] = []): ReturnType<typeof run> =>
      run(
        [
          ...items,
          workload('Deployment', {
            spec: { containers: [APP_CMD, { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8', ...extra }] },
          }),
        ],
        config(['linkerd'], version),
      );
    const admin = (value: string): Partial<Container> => ({ env: [{ name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value }] });
    assert.deepEqual(native(proxy(admin('[::]:4191'), '1.30')).startupProbe?.httpGet, { port: 4191, path: '/ready' });
    assert.deepEqual(native(proxy(admin('0.0.0.0:4192'), '1.30')).startupProbe?.httpGet, { port: 4192, path: '/ready' });
    const settings = configMap('proxy-env', { LINKERD2_PROXY_ADMIN_LISTEN_ADDR: '0.0.0.0:4193' });
    const byEnvFrom = proxy({ envFrom: [{ configMapRef: { name: 'proxy-env' } }] }, '1.30', [settings]);
    assert.deepEqual(native(byEnvFrom).startupProbe?.httpGet, { port: 4193, path: '/ready' });
    // linkerd-await polls the default port unless told, and refuses --port given twice: told only a moved one.
    assert.deepEqual(hookOf(proxy(admin('[::]:4191'), '1.28'), 'linkerd-proxy'), ['/usr/lib/linkerd/linkerd-await', '--timeout=120s']);
    assert.deepEqual(hookOf(proxy(admin('0.0.0.0:4192'), '1.28'), 'linkerd-proxy'), [
      '/usr/lib/linkerd/linkerd-await',
      '--timeout=120s',
      '--port',
      '4192',
    ]);
    for (const [extra, where, field] of [
      [{}, 'the default LINKERD2_PROXY_ADMIN_LISTEN_ADDR 127.0.0.1:4191', 'spec.template.spec.containers[1]'],
      [
        admin('127.0.0.1:4191'),
        'spec.containers[1].env[0] (LINKERD2_PROXY_ADMIN_LISTEN_ADDR=127.0.0.1:4191)',
        'spec.template.spec.containers[1].env[0]',
      ],
    ] as const) {
      const unset = proxy(extra, '1.30');
      assert.equal(native(unset).startupProbe, undefined, 'started first, not waited for');
      assert.deepEqual(
        warnings(unset).map((w) => w.field?.path),
        [field],
      );
      assert.ok(warnings(unset)[0]!.message.includes(`on 127.0.0.1 only (${where})`), warnings(unset)[0]!.message);
      const before = proxy(extra, '1.28');
      const spec = templateOf(before.items.at(-1)!).spec;
      assert.deepEqual(names(spec.containers), ['linkerd-proxy', 'app'], 'started first');
      assert.equal(hookOf(before, 'linkerd-proxy'), undefined, 'with no gate that can never pass');
    }
  });

  it('cloud-sql-proxy v2: the port and address set by env are read, and no flag is appended for them; the wait command is told the port', () => {
    const env = [
      { name: 'CSQL_PROXY_HEALTH_CHECK', value: 'true' },
      { name: 'CSQL_PROXY_HTTP_PORT', value: '9801' },
      { name: 'CSQL_PROXY_HTTP_ADDRESS', value: '0.0.0.0' },
    ];
    const proxy: Container = { name: 'cloud-sql-proxy', image: V2, args: ['p:r:db'], env };
    const r = one(proxy);
    assert.deepEqual(native(r).args, ['p:r:db'], 'nothing appended: the env sets it');
    assert.deepEqual(native(r).startupProbe?.httpGet, { port: 9801, path: '/startup' });
    assert.match(
      r.results.find((x) => x.message.startsWith('preset cloud-sql-proxy'))!.message,
      /port 9801 from spec\.containers\[1\]\.env\[1\]/,
    );
    const hook = hookOf(one(proxy, '1.28'), 'cloud-sql-proxy');
    assert.deepEqual(
      hook,
      ['/cloud-sql-proxy', 'wait', '--max', '120s', '--http-port', '9801'],
      '`wait` reads no env: it is given the port',
    );
    assert.deepEqual(warnings(r), []);
  });

  const configMap = (name: string, data: Record<string, string>, namespace = 'shop'): Resource => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data,
  });

  it('cloud-sql-proxy v2: variables set through envFrom from a ConfigMap of the list are read as kubelet sets them, and no flag is appended for them', () => {
    const settings = configMap('proxy-settings', { HEALTH_CHECK: 'true', HTTP_PORT: '9801', HTTP_ADDRESS: '0.0.0.0' });
    const proxy: Container = {
      name: 'cloud-sql-proxy',
      image: V2,
      args: ['p:r:db'],
      envFrom: [{ prefix: 'CSQL_PROXY_', configMapRef: { name: 'proxy-settings' } }],
    };
    const r = one(proxy, '1.30', {}, undefined, [settings]);
    assert.deepEqual(native(r).args, ['p:r:db'], 'nothing appended: envFrom sets it');
    assert.deepEqual(native(r).startupProbe?.httpGet, { port: 9801, path: '/startup' });
    assert.match(
      r.results.find((x) => x.message.startsWith('preset cloud-sql-proxy'))!.message,
      /port 9801 from spec\.containers\[1\]\.envFrom\[0\] \(ConfigMap proxy-settings: CSQL_PROXY_HTTP_PORT=9801\)/,
    );
    assert.deepEqual(warnings(r), []);
    assert.deepEqual(hookOf(one(proxy, '1.28', {}, undefined, [settings]), 'cloud-sql-proxy')?.slice(-2), ['--http-port', '9801']);
    // A later source overrides an earlier one, and env overrides them all (makeEnvironmentVariables).
    const later = configMap('later', { CSQL_PROXY_HTTP_PORT: '9802' });
    const both = { ...proxy, envFrom: [...proxy.envFrom!, { configMapRef: { name: 'later' } }] };
    assert.equal((native(one(both, '1.30', {}, undefined, [settings, later])).startupProbe?.httpGet as { port?: number }).port, 9802);
    const env = { ...both, env: [{ name: 'CSQL_PROXY_HTTP_PORT', value: '9803' }] };
    assert.equal((native(one(env, '1.30', {}, undefined, [settings, later])).startupProbe?.httpGet as { port?: number }).port, 9803);
    // A ConfigMap of another namespace is not the pod's; a key without the prefix is another variable.
    const elsewhere = one(proxy, '1.30', {}, undefined, [configMap('proxy-settings', settings.data as Record<string, string>, 'other')]);
    assert.deepEqual(native(elsewhere).args, ['p:r:db', '--health-check', '--http-address=0.0.0.0']);
    const unprefixed = one({ ...proxy, envFrom: [{ configMapRef: { name: 'proxy-settings' } }] }, '1.30', {}, undefined, [settings]);
    assert.deepEqual(native(unprefixed).startupProbe?.httpGet, { port: 9090, path: '/startup' });
  });

  it('envFrom from a Secret, or a ConfigMap not in the list, that could set a variable the preset reads: a warning names the source and what was assumed', () => {
    const proxy = (envFrom: Record<string, unknown>[], env?: Record<string, unknown>[]): Container => ({
      name: 'cloud-sql-proxy',
      image: V2,
      args: ['p:r:db'],
      envFrom,
      ...(env ? { env } : {}),
    });
    const secret = one(proxy([{ configMapRef: { name: 'app-settings' } }, { secretRef: { name: 'proxy-secrets' } }]));
    const said = warnings(secret);
    assert.deepEqual(
      said.map((w) => w.field?.path),
      ['spec.template.spec.containers[1].envFrom[1]', 'spec.template.spec.containers[1].envFrom[0]'],
    );
    assert.match(
      said[0]!.message,
      /envFrom\[1\] takes its variables from Secret proxy-secrets, .*may set CSQL_PROXY_HTTP_PORT, .*assumed it does not/,
    );
    assert.match(said[1]!.message, /ConfigMap app-settings, which is not in the ResourceList/);
    assert.deepEqual(native(secret).startupProbe?.httpGet, { port: 9090, path: '/startup' }, 'assumed: the default port');
    assert.deepEqual(
      native(secret).args,
      ['p:r:db', '--health-check', '--http-address=0.0.0.0'],
      'an appended flag wins: nothing to assume',
    );
    // Nothing is said where the source cannot set what is read: another prefix, or env setting it.
    assert.deepEqual(warnings(one(proxy([{ prefix: 'DB_', secretRef: { name: 'db' } }]))), []);
    assert.deepEqual(warnings(one(proxy([{ secretRef: { name: 'db' } }], [{ name: 'CSQL_PROXY_HTTP_PORT', value: '9801' }]))), []);
    // A variable read from the list may still be overridden by a later source that is not.
    const overridden = one(
      proxy([{ prefix: 'CSQL_PROXY_', configMapRef: { name: 'proxy-settings' } }, { secretRef: { name: 'proxy-secrets' } }]),
      '1.30',
      {},
      undefined,
      [configMap('proxy-settings', { HEALTH_CHECK: 'true', HTTP_ADDRESS: '0.0.0.0' })],
    );
    assert.deepEqual(native(overridden).args, ['p:r:db']);
    assert.match(warnings(overridden)[0]!.message, /may set CSQL_PROXY_HEALTH_CHECK, CSQL_PROXY_HTTP_ADDRESS, CSQL_PROXY_HTTP_PORT, /);
  });

  it("linkerd in a Job: the variable that turns /shutdown on is read through envFrom too; a Secret's is assumed unset, and said", () => {
    const job = (envFrom: Record<string, unknown>[], items: Resource[] = []) => {
      const proxy: Container = { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8', envFrom };
      const app: Container = { name: 'app', image: 'example/app:1', command: ['/app', 'report'] };
      const r = run(
        [...items, workload('Job', { spec: { containers: [app, proxy], restartPolicy: 'Never' } })],
        config(['linkerd'], '1.27'),
      );
      const wrapped = templateOf(r.items.at(-1)!).spec.containers.find((c) => c.name === 'linkerd-proxy')!;
      return { quit: decodeWrapper(wrapped.command)?.sidecar?.quit, warnings: warnings(r) };
    };
    const on = configMap('proxy-env', { LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED: 'true', LINKERD2_PROXY_ADMIN_LISTEN_ADDR: '[::]:4192' });
    assert.deepEqual(job([{ configMapRef: { name: 'proxy-env' } }], [on]), { quit: 'http://127.0.0.1:4192/shutdown', warnings: [] });
    const secret = job([{ secretRef: { name: 'proxy-env' } }]);
    assert.equal(secret.quit, undefined, 'assumed off: the wrapper signals it instead');
    const assumed = secret.warnings.filter((w) => w.field?.path === 'spec.template.spec.containers[1].envFrom[0]');
    assert.equal(assumed.length, 1, JSON.stringify(secret.warnings));
    assert.match(assumed[0]!.message, /may set .*LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED/);
    assert.match(assumed[0]!.message, /may set .*LINKERD2_PROXY_ADMIN_LISTEN_ADDR/);
  });

  it('cloud-sql-proxy v2: --flag=value and --flag value are read alike; the last one wins', () => {
    for (const args of [
      ['--http-port=9191', 'p:r:db'],
      ['--http-port', '9191', 'p:r:db'],
      ['--http-port=1', '--http-port', '9191', 'p:r:db'],
    ]) {
      const r = one({ name: 'cloud-sql-proxy', image: V2, args });
      assert.deepEqual(native(r).startupProbe?.httpGet, { port: 9191, path: '/startup' }, args.join(' '));
      assert.deepEqual(native(r).args, [...args, '--health-check', '--http-address=0.0.0.0']);
    }
  });

  it('cloud-sql-proxy v2 bound to localhost: a warning naming the field, and no gate that can never pass', () => {
    for (const proxy of [
      { name: 'cloud-sql-proxy', image: V2, args: ['--http-address=127.0.0.1', 'p:r:db'] },
      { name: 'cloud-sql-proxy', image: V2, args: ['p:r:db'], env: [{ name: 'CSQL_PROXY_HTTP_ADDRESS', value: 'localhost' }] },
    ] as Container[]) {
      const r = one(proxy);
      const [w] = warnings(r);
      assert.match(w!.message, /listens for its health checks on (127\.0\.0\.1|localhost) only/);
      assert.equal(w!.field?.path, proxy.env ? 'spec.template.spec.containers[1].env[0]' : 'spec.template.spec.containers[1].args[0]');
      assert.equal(native(r).startupProbe, undefined);
      assert.ok(!(native(r).args ?? []).some((a) => a.startsWith('--http-address=0')), 'its address is left as it is');
    }
  });

  it('a flag written as one word with a space (the upstream health-check sample\'s "--http-address 0.0.0.0") is named, not read', () => {
    const r = one({ name: 'cloud-sql-proxy', image: V2, args: ['--health-check', '--http-address 0.0.0.0', 'p:r:db'] });
    const w = warnings(r).find((x) => /is one word/.test(x.message))!;
    assert.equal(w.field?.path, 'spec.template.spec.containers[1].args[1]');
  });

  it('a shell script gets no flag appended: a warning says what to add, naming the script', () => {
    const r = one({ name: 'cloud-sql-proxy', image: V2, command: ['/bin/sh', '-c', '/cloud-sql-proxy p:r:db'] });
    assert.deepEqual(native(r).command, ['/bin/sh', '-c', '/cloud-sql-proxy p:r:db']);
    assert.equal(native(r).args, undefined);
    assert.ok(
      warnings(r).some(
        (w) =>
          /cannot append --health-check to a shell script/.test(w.message) &&
          w.field?.path === 'spec.template.spec.containers[1].command[2]',
      ),
    );
  });

  it('cloud-sql-proxy v1 (gce-proxy): told apart by image and program; its own health flag, no v2 flag, no wait command', () => {
    const proxy: Container = {
      name: 'cloud-sql-proxy',
      image: 'gcr.io/cloudsql-docker/gce-proxy:1.33.16',
      command: ['/cloud_sql_proxy', '-instances=p:r:db=tcp:5432'],
    };
    const r = one(proxy);
    assert.deepEqual(native(r).args, ['-use_http_health_check']);
    assert.deepEqual(native(r).startupProbe?.httpGet, { port: 8090, path: '/startup' });
    const moved = one(
      { ...proxy, image: 'example/v1:1', command: ['/cloud_sql_proxy', '-use_http_health_check', '-health_check_port=8091'] },
      '1.28',
    );
    assert.equal(
      (decodeWaitHook(hookOf(moved, 'cloud-sql-proxy'))?.readiness.check as { port?: number } | undefined)?.port,
      8091,
      'the helper polls v1: it has no wait command',
    );
    assert.equal(templateOf(moved.items.at(-1)!).spec.containers[0]!.args, undefined);
  });

  it('envoy: the admin port from the bootstrap in a ConfigMap mounted where -c points, else a named port, else a warning saying how to tell it', () => {
    const bootstrap: Resource = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'envoy-config', namespace: 'shop' },
      data: { 'envoy.yaml': 'admin:\n  address:\n    socket_address: {address: 0.0.0.0, port_value: 8001}\n' },
    };
    const envoy: Container = {
      name: 'envoy',
      image: 'envoyproxy/envoy:v1.32.0',
      args: ['--config-path /etc/envoy/envoy.yaml'],
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/envoy' }],
    };
    const volumes = [{ name: 'cfg', configMap: { name: 'envoy-config' } }];
    const r = one(envoy, '1.30', { volumes }, undefined, [bootstrap]);
    assert.deepEqual(native(r).startupProbe?.httpGet, { port: 8001, path: '/ready' });
    assert.match(
      r.results.find((x) => x.message.startsWith('preset envoy'))!.message,
      /port 8001 from the bootstrap \/etc\/envoy\/envoy\.yaml \(ConfigMap envoy-config/,
    );
    const named = one({
      ...envoy,
      ports: [
        { name: 'envoy-admin', containerPort: 8001 },
        { name: 'http', containerPort: 8080 },
      ],
    });
    assert.deepEqual(native(named).startupProbe?.httpGet, { port: 8001, path: '/ready' });
    const disagree = one({ ...envoy, ports: [{ name: 'envoy-admin', containerPort: 9901 }] }, '1.30', { volumes }, undefined, [bootstrap]);
    assert.match(warnings(disagree)[0]!.message, /says port 8001, .*ports\[0\] \(envoy-admin: 9901\) says 9901; assumed 8001/);
    const unknown = one({ name: 'envoy', image: 'envoyproxy/envoy:v1.32.0' });
    assert.match(
      warnings(unknown)[0]!.message,
      /the port envoy serves readiness on is unknown .*order-containers\.dev\/ready: "envoy=PORT\/ready"/,
    );
    assert.equal(warnings(unknown)[0]!.field?.path, 'spec.template.spec.containers[1]');
    assert.equal(native(unknown).startupProbe, undefined, 'started first, not waited for');
  });

  it('order-containers.dev/ready wins over what the preset reads, but not over the container probe; a bad one is an error naming the field', () => {
    const proxy: Container = { name: 'cloud-sql-proxy', image: V2, args: ['--http-port=9191', 'p:r:db'] };
    const r = one(proxy, '1.30', {}, { 'order-containers.dev/ready': 'cloud-sql-proxy=9801/readiness' });
    assert.deepEqual(native(r).startupProbe?.httpGet, { port: 9801, path: '/readiness' });
    const envoy = one({ name: 'envoy', image: 'envoyproxy/envoy:v1.32.0' }, '1.30', {}, { 'order-containers.dev/ready': 'envoy=8001' });
    assert.deepEqual(native(envoy).startupProbe?.tcpSocket, { port: 8001 }, 'a port alone is a TCP connect');
    const own = one(
      { ...proxy, readinessProbe: { httpGet: { port: 9191, path: '/readiness' } } },
      '1.30',
      {},
      { 'order-containers.dev/ready': 'cloud-sql-proxy=9801' },
    );
    assert.deepEqual(native(own).startupProbe?.httpGet, { port: 9191, path: '/readiness' }, 'derived from its own probe');
    assert.deepEqual(native(own).readinessProbe, { httpGet: { port: 9191, path: '/readiness' } });
    const bad = one(proxy, '1.30', {}, { 'order-containers.dev/ready': 'cloud-sql-proxy=99999/x' });
    assert.equal(bad.exitCode, 1);
    const e = bad.results.find((x) => x.severity === 'error')!;
    assert.equal(e.field?.path, 'metadata.annotations.order-containers.dev/ready');
    assert.match(e.message, /99999 in "cloud-sql-proxy=99999\/x" is not a port number/);
  });

  it("the container's own probe is kept; where it checks another port than the program is told, a warning says so", () => {
    const r = one({
      name: 'cloud-sql-proxy',
      image: V2,
      args: ['--health-check', '--http-address=0.0.0.0', 'p:r:db'],
      startupProbe: { httpGet: { port: 8090, path: '/startup' } },
    });
    assert.deepEqual(native(r).startupProbe, { httpGet: { port: 8090, path: '/startup' } });
    assert.match(warnings(r)[0]!.message, /own probe checks port 8090, but .*says 9090; its probe is kept/);
  });
});

describe('presets: the OpenTelemetry Collector read from its config (presets/collector.ts)', () => {
  const APP_CMD: Container = { name: 'app', image: 'example/app:1', command: ['/app'] };
  const IMAGE = 'otel/opentelemetry-collector-contrib:0.111.0';
  const POD_IP = { name: 'MY_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };
  const configMap = (name: string, data: Record<string, string>): Resource => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'shop' },
    data,
  });
  /** The chart's way: ConfigMap key `relay` mounted as /conf/relay.yaml. */
  const relay = (text: string): Resource => configMap('otel', { relay: text });
  const chartVolumes = [{ name: 'cfg', configMap: { name: 'otel', items: [{ key: 'relay', path: 'relay.yaml' }] } }];
  const chart = (extra: Partial<Container> = {}): Container => ({
    name: 'opentelemetry-collector',
    image: IMAGE,
    args: ['--config=/conf/relay.yaml'],
    volumeMounts: [{ name: 'cfg', mountPath: '/conf' }],
    env: [POD_IP],
    ...extra,
  });
  const collector = (c: Container, items: Resource[] = [], volumes: Record<string, unknown>[] = chartVolumes, version = '1.30') =>
    run([...items, workload('Deployment', { spec: { containers: [APP_CMD, c], volumes } })], config(['otel-collector'], version));
  const probeOf = (r: ReturnType<typeof run>) => {
    const spec = templateOf(r.items.at(-1)!).spec;
    return (spec.initContainers ?? []).find((c) => c.name !== 'order-containers-helper')?.startupProbe?.httpGet;
  };
  const warnings = (r: ReturnType<typeof run>) => r.results.filter((x) => x.severity === 'warning' && x.message.startsWith('preset '));
  const enabled = (endpoint: string, more = ''): string =>
    `extensions:\n  health_check:\n    endpoint: ${endpoint}\n${more}service:\n  extensions: [health_check]\n`;

  it('an endpoint kubelet reaches is the gate: the pod IP by ${env:VAR} from status.podIP, 0.0.0.0, an empty host; its path too', () => {
    const r = collector(chart(), [relay(enabled('${env:MY_POD_IP}:13133', '    path: /health\n'))]);
    assert.equal(r.exitCode, 0, JSON.stringify(r.results));
    assert.deepEqual(probeOf(r), { port: 13133, path: '/health' });
    assert.deepEqual(warnings(r), []);
    assert.match(
      r.results.find((x) => x.message.startsWith('preset otel-collector'))!.message,
      /port 13133 from extensions\.health_check\.endpoint \$\{env:MY_POD_IP\}:13133 in \/conf\/relay\.yaml \(ConfigMap otel, key relay/,
    );
    assert.deepEqual(probeOf(collector(chart(), [relay(enabled('0.0.0.0:13200'))])), { port: 13200, path: '/' });
    assert.deepEqual(probeOf(collector(chart(), [relay(enabled('":13201"'))])), { port: 13201, path: '/' });
    assert.deepEqual(
      probeOf(collector(chart(), [relay(enabled('${MY_POD_IP}:13202'))])),
      { port: 13202, path: '/' },
      '${VAR} is ${env:VAR}',
    );
    // A literal value is used as written; a default stands in for a variable that is not set.
    const literal = chart({ env: [{ name: 'HC_HOST', value: '0.0.0.0' }] });
    assert.deepEqual(probeOf(collector(literal, [relay(enabled('${env:HC_HOST}:13203'))])), { port: 13203, path: '/' });
    assert.deepEqual(probeOf(collector(chart(), [relay(enabled('${env:UNSET:-0.0.0.0}:13204'))])), { port: 13204, path: '/' });
    // Another address of its own: taken for the pod's IP, and said.
    const other = collector(chart(), [relay(enabled('10.1.2.3:13205'))]);
    assert.deepEqual(probeOf(other), { port: 13205, path: '/' });
    assert.match(warnings(other)[0]!.message, /listens on 10\.1\.2\.3 only: assumed it is the pod's IP/);
  });

  it('several --config are merged in order, later keys winning; file:, env: and yaml: locations are read', () => {
    const items = [configMap('otel', { base: enabled('0.0.0.0:13133'), over: 'extensions::health_check::endpoint: 0.0.0.0:13300\n' })];
    const volumes = [{ name: 'cfg', configMap: { name: 'otel' } }];
    const twoFiles = chart({ args: ['--config', 'file:/conf/base', '--config=/conf/over'] });
    assert.deepEqual(probeOf(collector(twoFiles, items, volumes)), { port: 13300, path: '/' });
    const inline = chart({ args: ['--config=/conf/base', '--config=yaml:extensions::health_check::path: /up'] });
    assert.deepEqual(probeOf(collector(inline, items, volumes)), { port: 13133, path: '/up' });
    // The OpenTelemetry operator passes the whole config in a variable: --config=env:OTEL_CONFIG.
    const operator: Container = {
      name: 'otc-container',
      image: 'otel/opentelemetry-collector-k8s:0.115.0',
      args: ['--config=env:OTEL_CONFIG'],
      env: [{ name: 'OTEL_CONFIG', value: enabled('0.0.0.0:13301') }],
    };
    assert.deepEqual(probeOf(collector(operator, [], [])), { port: 13301, path: '/' });
  });

  it("a container with no command or args runs its image's own --config: read where a ConfigMap is mounted over it", () => {
    const r = collector(
      { name: 'otel-collector', image: IMAGE, volumeMounts: [{ name: 'cfg', mountPath: '/etc/otelcol-contrib' }] },
      [configMap('otel', { 'config.yaml': enabled('0.0.0.0:13133') })],
      [{ name: 'cfg', configMap: { name: 'otel' } }],
    );
    assert.deepEqual(probeOf(r), { port: 13133, path: '/' });
  });

  it("a loopback endpoint, the default localhost:13133 (v0.104.0 and later) included, is a warning and no gate, as oauth2-proxy's", () => {
    const dflt = collector(chart(), [relay('extensions:\n  health_check:\nservice:\n  extensions: [health_check]\n')]);
    assert.equal(probeOf(dflt), undefined, 'started first, not waited for');
    assert.deepEqual(
      warnings(dflt).map((w) => w.field?.path),
      ['spec.template.spec.containers[1].volumeMounts[0]'],
    );
    assert.match(
      warnings(dflt)[0]!.message,
      /listens for its health checks on localhost only \(extensions\.health_check in \/conf\/relay\.yaml .*on its default endpoint localhost:13133 \(v0\.104\.0 and later\)\).*set its endpoint to 0\.0\.0\.0:13133, or \$\{env:MY_POD_IP\}:13133/,
    );
    const local = collector(chart(), [relay(enabled('127.0.0.1:13133'))]);
    assert.equal(probeOf(local), undefined);
    assert.match(warnings(local)[0]!.message, /on 127\.0\.0\.1 only \(extensions\.health_check\.endpoint 127\.0\.0\.1:13133 in/);
    // Older images, or the gate turned off, default to 0.0.0.0: the gate is the default endpoint.
    const bare = 'extensions:\n  health_check:\nservice:\n  extensions: [health_check]\n';
    assert.deepEqual(probeOf(collector(chart({ image: 'otel/opentelemetry-collector-contrib:0.103.1' }), [relay(bare)])), {
      port: 13133,
      path: '/',
    });
    const gateOff = chart({ args: ['--config=/conf/relay.yaml', '--feature-gates=-component.UseLocalHostAsDefaultHost'] });
    assert.deepEqual(probeOf(collector(gateOff, [relay(bare)])), { port: 13133, path: '/' });
  });

  it('health_check not enabled in service.extensions, or enabled and not configured: a warning naming the field, and no gate', () => {
    const off = collector(chart(), [relay('extensions:\n  health_check:\n  pprof:\nservice:\n  extensions: [pprof]\n')]);
    assert.equal(probeOf(off), undefined);
    assert.equal(warnings(off).length, 1);
    assert.match(
      warnings(off)[0]!.message,
      /extensions\.health_check is configured, but service\.extensions in \/conf\/relay\.yaml .*does not list it/,
    );
    assert.equal(warnings(off)[0]!.field?.path, 'spec.template.spec.containers[1].volumeMounts[0]');
    const none = collector(chart(), [relay('receivers:\n  otlp:\n')]);
    assert.match(warnings(none)[0]!.message, /lists no health_check extension/);
    const dangling = collector(chart(), [relay('service:\n  extensions: [health_check]\n')]);
    assert.match(
      warnings(dangling)[0]!.message,
      /lists health_check, which extensions does not configure: the collector refuses the config/,
    );
    // A named instance is the extension too.
    const named = collector(chart(), [
      relay('extensions:\n  health_check/k8s:\n    endpoint: 0.0.0.0:13400\nservice:\n  extensions: [health_check/k8s]\n'),
    ]);
    assert.deepEqual(probeOf(named), { port: 13400, path: '/' });
    const tls = collector(chart(), [relay(enabled('0.0.0.0:13133', '    tls:\n      cert_file: /tls/cert.pem\n'))]);
    assert.equal(probeOf(tls), undefined);
    assert.match(warnings(tls)[0]!.message, /tls in .* makes it HTTPS/);
  });

  it('a config the function cannot read: a warning naming the field and what was assumed, and no gate', () => {
    const absent = collector(chart());
    assert.equal(probeOf(absent), undefined);
    assert.match(
      warnings(absent)[0]!.message,
      /\/conf\/relay\.yaml is mounted from ConfigMap otel \(spec\.containers\[1\]\.volumeMounts\[0\]\), which is not in the ResourceList; assumed its health_check cannot be checked: it is started first, not waited for/,
    );
    assert.equal(warnings(absent)[0]!.field?.path, 'spec.template.spec.containers[1].volumeMounts[0]');
    const secret = collector(chart(), [], [{ name: 'cfg', secret: { secretName: 'otel' } }]);
    assert.match(
      warnings(secret)[0]!.message,
      /\/conf\/relay\.yaml is in volume cfg \(secret otel, mounted by spec\.containers\[1\]\.volumeMounts\[0\]\), whose files the function does not read/,
    );
    assert.equal(warnings(secret)[0]!.field?.path, 'spec.template.spec.containers[1].volumeMounts[0]');
    const fromEnv = chart({
      args: ['--config=env:OTEL_CONFIG'],
      env: [{ name: 'OTEL_CONFIG', valueFrom: { secretKeyRef: { name: 'otel', key: 'c' } } }],
    });
    const env = collector(fromEnv);
    assert.match(warnings(env)[0]!.message, /--config env:OTEL_CONFIG .* reads OTEL_CONFIG: OTEL_CONFIG comes from valueFrom/);
    assert.equal(warnings(env)[0]!.field?.path, 'spec.template.spec.containers[1].env[0]');
    const http = collector(chart({ args: ['--config=https://example.com/otel.yaml'] }));
    assert.match(warnings(http)[0]!.message, /is fetched by the collector when it starts/);
    // The host from a variable the function cannot see.
    const hostEnv = chart({ env: [{ name: 'MY_POD_IP', valueFrom: { secretKeyRef: { name: 's', key: 'ip' } } }] });
    const host = collector(hostEnv, [relay(enabled('${env:MY_POD_IP}:13133'))]);
    assert.equal(probeOf(host), undefined);
    assert.match(warnings(host)[0]!.message, /\$\{env:MY_POD_IP\}: MY_POD_IP comes from valueFrom/);
    const script = collector(chart({ command: ['sh', '-c', 'exec /otelcol-contrib --config=/conf/relay.yaml'], args: [] }), [
      relay(enabled('0.0.0.0:13133')),
    ]);
    assert.equal(probeOf(script), undefined);
    assert.ok(warnings(script).some((w) => /its --config is in a shell script/.test(w.message)));
  });

  it("the container's own probe wins (the Helm chart's on 13133); a config it cannot read is then no warning", () => {
    const probes = { readinessProbe: { httpGet: { path: '/', port: 13133 } }, livenessProbe: { httpGet: { path: '/', port: 13133 } } };
    const own = collector(chart(probes), [relay(enabled('${env:MY_POD_IP}:13133', '    path: /health\n'))]);
    const sidecar = templateOf(own.items.at(-1)!).spec.initContainers!.find((c) => c.name === 'opentelemetry-collector')!;
    assert.deepEqual(sidecar.startupProbe?.httpGet, probes.readinessProbe.httpGet, "its native sidecar's startupProbe is its own check");
    assert.deepEqual(sidecar.readinessProbe, probes.readinessProbe);
    assert.deepEqual(warnings(own), []);
    assert.deepEqual(warnings(collector(chart(probes))), [], 'nothing is assumed where its own probe says');
    const elsewhere = { readinessProbe: { httpGet: { path: '/', port: 8080 } } };
    const disagree = collector(chart(elsewhere), [relay(enabled('0.0.0.0:13133'))]);
    assert.match(
      warnings(disagree)[0]!.message,
      /own probe checks port 8080, but extensions\.health_check\.endpoint 0\.0\.0\.0:13133 .* says 13133; its probe is kept/,
    );
  });

  it("before 1.29 the postStart gate polls the endpoint the config gives, at the pod's IP as kubelet: the pod's IP alone is gated", () => {
    const r = collector(chart(), [relay(enabled('0.0.0.0:13500', '    path: /health\n'))], chartVolumes, '1.28');
    const spec = templateOf(r.items.at(-1)!).spec;
    assert.deepEqual(names(spec.containers), ['opentelemetry-collector', 'app']);
    const check = decodeWaitHook(spec.containers[0]!.lifecycle?.postStart?.exec?.command)?.readiness.check;
    assert.deepEqual(check, { kind: 'http', port: 13500, path: '/health', headers: [] }, "no host: the gate connects to the pod's IP");
    // Kubelet's probes reach the pod's IP, and so does the gate's check (runtime/check.sh, connect_host).
    const podIP = collector(chart(), [relay(enabled('${env:MY_POD_IP}:13500'))], chartVolumes, '1.28');
    const hook = templateOf(podIP.items.at(-1)!).spec.containers[0]!.lifecycle?.postStart?.exec?.command;
    assert.deepEqual(decodeWaitHook(hook)?.readiness.check, { kind: 'http', port: 13500, path: '/', headers: [] });
    assert.deepEqual(warnings(podIP), []);
    // The chart as rendered, its own probes on 13133: its readinessProbe becomes the gate, which passes where kubelet's does.
    const probes = { readinessProbe: { httpGet: { path: '/', port: 13133 } } };
    const own = collector(chart(probes), [relay(enabled('${env:MY_POD_IP}:13133'))], chartVolumes, '1.28');
    const ownHook = templateOf(own.items.at(-1)!).spec.containers[0]!.lifecycle?.postStart?.exec?.command;
    assert.deepEqual(decodeWaitHook(ownHook)?.readiness.check, { kind: 'http', port: 13133, path: '/', headers: [] });
    assert.deepEqual(warnings(own), []);
    // Loopback only is still a warning: kubelet's probes never reach it.
    const local = collector(chart(), [relay(enabled('127.0.0.1:13500'))], chartVolumes, '1.28');
    assert.match(warnings(local)[0]!.message, /listens for its health checks on 127\.0\.0\.1 only/);
  });
});
