import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { decodeFunctionConfig, type FunctionConfig } from '../src/config/function-config.js';
import { OrderSyntaxError, parseOrder } from '../src/config/syntax.js';
import { globMatches } from '../src/workloads/glob.js';
import { selects } from '../src/workloads/selector.js';
import { ROOT } from './helpers.js';

const CR = { apiVersion: 'order-containers.dev/v1alpha1', kind: 'ContainerOrder', metadata: { name: 'o' } };

function problems(config: unknown): { path: string; message: string }[] {
  const decoded = decodeFunctionConfig(config);
  assert.equal(decoded.kind, 'invalid', JSON.stringify(decoded));
  return [...(decoded as Extract<FunctionConfig, { kind: 'invalid' }>).problems];
}

function spec(config: unknown) {
  const decoded = decodeFunctionConfig(config);
  assert.equal(decoded.kind, 'spec', JSON.stringify(decoded));
  return (decoded as Extract<FunctionConfig, { kind: 'spec' }>).spec;
}

describe('functionConfig', () => {
  it('fills the defaults of an empty ContainerOrder', () => {
    assert.deepEqual(spec({ ...CR, spec: {} }), {
      mode: 'apply',
      strategy: 'auto',
      kubernetesVersion: { major: 1, minor: 29 },
      selector: {},
      sidecars: [],
      rules: [],
      timeoutSeconds: 120,
      holdDependents: false,
      helperImage: 'docker.io/library/busybox:1.36.1-musl@sha256:c29b078aeeb7cdc487cf52dc87a69dac71499937f498b35cb606c7943bc412c9',
      workloadKinds: [],
      entrypoints: [],
      presets: [],
    });
  });

  it('decodes every field of the documented example (fn-config/container-order.yaml)', () => {
    const s = spec(jsYaml.load(readFileSync(join(ROOT, 'fn-config', 'container-order.yaml'), 'utf8')));
    assert.deepEqual(s.selector, {
      kinds: ['Deployment', 'StatefulSet', 'Job'],
      names: ['checkout', 'report-*'],
      namespaces: ['shop'],
      matchLabels: { 'app.kubernetes.io/part-of': 'shop' },
    });
    assert.deepEqual(s.sidecars, [{ name: 'cloud-sql-proxy', waitFor: 'Ready', stop: 'after' }]);
    assert.deepEqual(s.rules, [{ container: 'app', after: [{ container: 'migrate', condition: 'Completed' }] }]);
    assert.deepEqual(s.entrypoints, [
      { match: { image: 'ghcr.io/example/publisher:*' }, command: ['/usr/local/bin/publish'], args: ['--registry=ghcr.io/example'] },
    ]);
    assert.deepEqual(s.workloadKinds, [{ apiVersion: 'apps.example.com/v1', kind: 'WebApp', podTemplatePath: ['spec', 'podTemplate'] }]);
    assert.equal(s.namespace, 'shop');
    assert.deepEqual(
      s.presets.map((p) => p.name),
      ['istio', 'cloud-sql-proxy', 'linkerd', 'pgbouncer'],
    );
    assert.deepEqual(s.presets[2]!.injection!.nativeAnnotations, {
      'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'true',
      'config.linkerd.io/proxy-await': 'enabled',
    });
    assert.deepEqual(
      s.presets[2]!.injection!.postStartAnnotations,
      { 'config.linkerd.io/proxy-await': 'enabled' },
      'the fields not given stay the built-in ones',
    );
    assert.deepEqual(s.presets[3], { name: 'pgbouncer', containers: ['pgbouncer'], images: ['*/pgbouncer:*'], ready: { port: 6432 } });
  });

  it('decodes the documented ConfigMap (fn-config/configmap.yaml)', () => {
    const s = spec(jsYaml.load(readFileSync(join(ROOT, 'fn-config', 'configmap.yaml'), 'utf8')));
    assert.deepEqual(s.sidecars, [{ name: 'cloud-sql-proxy', waitFor: 'Ready' }]);
    assert.equal(s.timeoutSeconds, 120);
  });

  it('names the field of every problem, unknown fields included', () => {
    assert.deepEqual(
      problems({
        ...CR,
        spec: { sidecar: [], sidecars: [{ name: 'Proxy' }, { name: 'x', waitFor: 'Later' }], kubernetesVersion: 1.3, timeoutSeconds: 0 },
      }),
      [
        {
          path: 'spec.sidecar',
          message:
            'unknown field; expected one of mode, strategy, kubernetesVersion, selector, sidecars, rules, timeoutSeconds, holdDependents, helperImage, entrypoints, presets, namespace, workloadKinds',
        },
        {
          path: 'spec.kubernetesVersion',
          message: 'write the version as a quoted string such as "1.30" (an unquoted 1.3 reads as a number)',
        },
        { path: 'spec.sidecars[0].name', message: 'expected a container name (lowercase letters, digits and "-"), got "Proxy"' },
        { path: 'spec.sidecars[1].waitFor', message: 'expected "Started" | "Ready", got "Later"' },
        { path: 'spec.timeoutSeconds', message: 'expected whole seconds from 1 to 86400, got 0' },
      ],
    );
  });

  it('reports a missing required field', () => {
    assert.deepEqual(problems({ ...CR, spec: { rules: [{ container: 'app' }] } }), [
      { path: 'spec.rules[0].after', message: 'required field is missing (expected Array<Dependency>)' },
    ]);
  });

  it('refuses a functionConfig of another kind', () => {
    assert.deepEqual(problems({ apiVersion: 'v1', kind: 'Secret' }), [
      {
        path: 'kind',
        message: 'functionConfig must be a ContainerOrder (order-containers.dev/v1alpha1) or a ConfigMap, got kind "Secret"',
      },
    ]);
  });

  it('treats no config and the empty function-input ConfigMap as nothing to do', () => {
    assert.equal(decodeFunctionConfig(undefined).kind, 'none');
    assert.equal(decodeFunctionConfig({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' } }).kind, 'none');
    assert.equal(
      decodeFunctionConfig({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data: null }).kind,
      'none',
    );
  });

  it('refuses a strategy the cluster cannot run: native below 1.29 (issue 15 #5)', () => {
    assert.deepEqual(
      decodeFunctionConfig({ apiVersion: 'v1', kind: 'ConfigMap', data: { strategy: 'native', kubernetesVersion: '1.28' } }),
      {
        kind: 'invalid',
        problems: [
          {
            path: 'data.strategy',
            message: 'strategy native needs a newer kubelet than kubernetesVersion 1.28 says the cluster has (native sidecars: 1.29)',
          },
        ],
      },
    );
    assert.equal(decodeFunctionConfig({ ...CR, spec: { strategy: 'native', kubernetesVersion: '1.27' } }).kind, 'invalid');
    assert.equal(decodeFunctionConfig({ ...CR, spec: { strategy: 'native', kubernetesVersion: '1.29' } }).kind, 'spec');
  });

  it('refuses a Kubernetes version older than 1.20 in both forms, and says when a YAML number dropped its 0 (issue 18)', () => {
    const problemsOf = (config: unknown) => {
      const decoded = decodeFunctionConfig(config);
      return decoded.kind === 'invalid' ? decoded.problems : [];
    };
    const lostZero =
      'Kubernetes 1.3 is older than 1.20, the oldest the function writes for; if you meant 1.30, YAML read it as a number and dropped its 0: quote it ("1.30")';
    // What kpt makes of `kubernetesVersion: 1.30` unquoted in a Kptfile's configMap: the string "1.3".
    assert.deepEqual(problemsOf({ apiVersion: 'v1', kind: 'ConfigMap', data: { kubernetesVersion: '1.3' } }), [
      { path: 'data.kubernetesVersion', message: lostZero },
    ]);
    assert.deepEqual(problemsOf({ ...CR, spec: { kubernetesVersion: '1.3' } }), [{ path: 'spec.kubernetesVersion', message: lostZero }]);
    assert.deepEqual(problemsOf({ ...CR, spec: { kubernetesVersion: '1.19' } }), [
      { path: 'spec.kubernetesVersion', message: 'Kubernetes 1.19 is older than 1.20, the oldest the function writes for' },
    ]);
    assert.equal(decodeFunctionConfig({ ...CR, spec: { kubernetesVersion: '1.20' } }).kind, 'spec');
  });

  it('decodes the ConfigMap keys with the same meaning as the ContainerOrder fields', () => {
    const fromMap = spec({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: {
        sidecars: 'proxy:Started, vault',
        strategy: 'native',
        kubernetesVersion: 'v1.31',
        timeoutSeconds: '30',
        holdDependents: 'true',
        order: 'proxy > app',
      },
    });
    const fromCr = spec({
      ...CR,
      spec: {
        sidecars: [{ name: 'proxy', waitFor: 'Started' }, { name: 'vault' }],
        strategy: 'native',
        kubernetesVersion: '1.31',
        timeoutSeconds: 30,
        holdDependents: true,
        rules: [{ container: 'app', after: [{ container: 'proxy' }] }],
      },
    });
    assert.deepEqual(fromMap, fromCr);
    assert.equal(fromMap.holdDependents, true);
  });

  it("takes a sidecar's stop order in both forms, a condition before it, and names what is wrong", () => {
    const sidecars = [
      { name: 'envoy', waitFor: 'Ready', stop: 'with' },
      { name: 'proxy', waitFor: 'Started', stop: 'after' },
      { name: 'vault', waitFor: 'Ready' },
    ];
    assert.deepEqual(
      spec({ ...CR, spec: { sidecars: [{ name: 'envoy', stop: 'with' }, sidecars[1], { name: 'vault' }] } }).sidecars,
      sidecars,
    );
    assert.deepEqual(
      spec({ apiVersion: 'v1', kind: 'ConfigMap', data: { sidecars: 'envoy:with, proxy:Started:after, vault' } }).sidecars,
      sidecars,
    );
    assert.deepEqual(problems({ ...CR, spec: { sidecars: [{ name: 'envoy', stop: 'before' }] } }), [
      { path: 'spec.sidecars[0].stop', message: 'expected "after" | "with", got "before"' },
    ]);
    assert.deepEqual(problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { sidecars: 'envoy:with:Ready' } }), [
      { path: 'data.sidecars', message: '"envoy:with:Ready": give at most one condition, then at most one stop order (envoy:Ready:with)' },
    ]);
  });

  it('names the ConfigMap key of each problem', () => {
    assert.deepEqual(
      problems({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: { strategy: 'fast', timeoutSeconds: 'soon', holdDependents: 'yes', sidecars: 'a:Done', order: 'a >' },
      }),
      [
        { path: 'data.strategy', message: 'expected "auto" | "native" | "entrypoint" | "postStart", got "fast"' },
        { path: 'data.timeoutSeconds', message: 'expected whole seconds from 1 to 86400, got "soon"' },
        { path: 'data.holdDependents', message: 'expected "true" | "false", got "yes"' },
        { path: 'data.sidecars', message: '"Done" in "a:Done" is not a sidecar condition (Started, Ready) or stop order (after, with)' },
        { path: 'data.order', message: 'expected a container name at the end at column 4' },
      ],
    );
  });
});

describe('order syntax', () => {
  it('turns chains into rules, Ready unless a condition is written', () => {
    assert.deepEqual(parseOrder('cloud-sql-proxy > migrate:Completed > app; vault:started > app'), [
      { container: 'migrate', after: [{ container: 'cloud-sql-proxy', condition: 'Ready' }] },
      {
        container: 'app',
        after: [
          { container: 'migrate', condition: 'Completed' },
          { container: 'vault', condition: 'Started' },
        ],
      },
    ]);
  });

  for (const [text, message] of [
    ['proxy > > app', 'expected a container name before ">" at column 9'],
    ['proxy app', 'expected ">" or ";" before "app" at column 7'],
    ['proxy:Complete > app', '"Complete" is not a condition (Started, Ready, Completed) at column 7'],
    ['Proxy > app', '"Proxy" is not a container name (lowercase letters, digits and "-", at most 63) at column 1'],
    ['proxy > app:Ready', '":Ready" on the last container of a chain has nothing to wait for it at column 12'],
    ['proxy', '"proxy" alone orders nothing; write "a > b" at column 1'],
    ['a > b, c', '"b," is not a container name (lowercase letters, digits and "-", at most 63) at column 5'],
  ] as const) {
    it(`points at the offending token: ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseOrder(text),
        (e: unknown) => e instanceof OrderSyntaxError && e.message === message,
      );
    });
  }
});

describe('workload selector', () => {
  const item = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'report-daily', namespace: 'shop', labels: { tier: 'batch', team: 'a' } },
  };

  it('matches on omitted parts, kinds, name globs, namespaces and labels', () => {
    assert.ok(selects({}, item));
    assert.ok(selects({ kinds: ['Deployment'], names: ['report-*'], namespaces: ['shop'], matchLabels: { tier: 'batch' } }, item));
    assert.ok(!selects({ kinds: ['Job'] }, item));
    assert.ok(!selects({ names: ['report'] }, item));
    assert.ok(!selects({ names: ['report-.*'] }, item), 'a name glob is not a regular expression');
    assert.ok(!selects({ namespaces: ['default'] }, item));
    assert.ok(!selects({ matchLabels: { tier: 'web' } }, item));
  });

  it('evaluates matchExpressions as metav1.LabelSelector does', () => {
    const e = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values: string[] = []) => ({
      matchExpressions: [{ key: 'tier', operator, values }],
    });
    assert.ok(selects(e('In', ['batch', 'web']), item));
    assert.ok(!selects(e('NotIn', ['batch']), item));
    assert.ok(selects(e('Exists'), item));
    assert.ok(!selects(e('DoesNotExist'), item));
    assert.ok(selects({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, item), 'NotIn matches a missing label');
  });
});

describe('globs', () => {
  /** The definition: `*` is `.*`, everything else itself. */
  const reference = (glob: string, text: string): boolean => {
    const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'));
    return new RegExp('^' + escaped.join('.*') + '$', 's').test(text);
  };

  it('match as the regular expression does', () => {
    // A small alphabet, so that pieces overlap and repeat, with stars anywhere.
    const text = fc.stringMatching(/^[ab.-]{0,12}$/);
    const glob = fc.stringMatching(/^[ab.*-]{0,8}$/);
    fc.assert(
      fc.property(glob, text, (g, t) => assert.equal(globMatches(g, t), reference(g, t), `${g} against ${t}`)),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) * 10 },
    );
  });

  it('match a long name in linear time (a regular expression backtracks)', () => {
    assert.equal(globMatches('*-*-*-*-prod', '-'.repeat(100_000)), false);
    assert.equal(globMatches('*-*-prod', `${'-'.repeat(100_000)}prod`), true);
  });
});

describe('entrypoints (for the entrypoint strategy)', () => {
  it('takes a container name or an image pattern, with a command and optional args, in a ContainerOrder and a ConfigMap', () => {
    const entries = [
      { image: 'ghcr.io/acme/*', command: ['/entrypoint'], args: ['serve'] },
      { container: 'migrate', command: ['/migrate'] },
    ];
    const expected = [
      { match: { image: 'ghcr.io/acme/*' }, command: ['/entrypoint'], args: ['serve'] },
      { match: { container: 'migrate' }, command: ['/migrate'] },
    ];
    assert.deepEqual(spec({ ...CR, spec: { entrypoints: entries } }).entrypoints, expected);
    const text = '[{image: "ghcr.io/acme/*", command: [/entrypoint], args: [serve]}, {container: migrate, command: [/migrate]}]';
    assert.deepEqual(
      spec({ apiVersion: 'v1', kind: 'ConfigMap', data: { strategy: 'entrypoint', entrypoints: text } }).entrypoints,
      expected,
    );
  });

  it('takes command: [] for an image with no ENTRYPOINT (busybox, alpine), whose args or CMD are the program', () => {
    assert.deepEqual(spec({ ...CR, spec: { entrypoints: [{ image: 'busybox:*', command: [], args: ['sh'] }] } }).entrypoints, [
      { match: { image: 'busybox:*' }, command: [], args: ['sh'] },
    ]);
    assert.deepEqual(spec({ ...CR, spec: { entrypoints: [{ container: 'c', command: [] }] } }).entrypoints, [
      { match: { container: 'c' }, command: [] },
    ]);
  });

  it('names the entry that gives both or neither match, nothing to run, an unknown field, or YAML that does not parse', () => {
    assert.deepEqual(
      problems({
        ...CR,
        spec: {
          entrypoints: [{ container: 'a', image: 'b', command: ['/x'] }, { command: ['/x'] }, { container: 'c', command: [], args: [] }],
        },
      }),
      [
        {
          path: 'spec.entrypoints[0]',
          message: 'give either container (a container name) or image (an image pattern), not both or neither',
        },
        {
          path: 'spec.entrypoints[1]',
          message: 'give either container (a container name) or image (an image pattern), not both or neither',
        },
        {
          path: 'spec.entrypoints[2].args',
          message:
            'an image with no ENTRYPOINT (command: []) runs its CMD: give it as args, or leave args out where the containers give their own',
        },
      ],
    );
    assert.deepEqual(problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { entrypoints: '[{container: a, cmd: [/x]}]' } }), [
      { path: 'data.entrypoints[0].cmd', message: 'unknown field; expected one of command, container, image, args' },
      { path: 'data.entrypoints[0].command', message: 'required field is missing (expected list of strings)' },
    ]);
    assert.equal(problems({ apiVersion: 'v1', kind: 'ConfigMap', data: { entrypoints: '[{container: a' } })[0]!.path, 'data.entrypoints');
  });
});
