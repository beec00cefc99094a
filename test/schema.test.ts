import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { configMapSchema, containerOrderSchema, decodeFunctionConfig } from '../src/config/function-config.js';
import { DEFAULT_LIMITS, loadOne } from '../src/yaml/load.js';
import { ROOT } from './helpers.js';

const SCHEMAS = { 'container-order.schema.json': containerOrderSchema, 'configmap.schema.json': configMapSchema } as const;
const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/m;

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([file, schema]) => [file, ajv.compile(schema())]));

function schemaFileFor(config: unknown): keyof typeof SCHEMAS {
  return (config as { kind?: unknown }).kind === 'ConfigMap' ? 'configmap.schema.json' : 'container-order.schema.json';
}

function schemaAccepts(config: unknown): boolean {
  return validators[schemaFileFor(config)]!(config);
}

function decoderAccepts(config: unknown): boolean {
  return decodeFunctionConfig(config).kind !== 'invalid';
}

/** Every functionConfig the repository ships: fn-config/ and the examples' ContainerOrders. */
function shippedConfigs(): string[] {
  const found: string[] = readdirSync(join(ROOT, 'fn-config')).map((f) => join(ROOT, 'fn-config', f));
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.yaml') && /^kind: ContainerOrder$/m.test(readFileSync(path, 'utf8'))) found.push(path);
    }
  };
  walk(join(ROOT, 'examples'));
  return found;
}

const ORDER = { apiVersion: 'order-containers.dev/v1alpha1', kind: 'ContainerOrder' };
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' };

describe('JSON Schemas of the functionConfig (schema/)', () => {
  for (const [file, schema] of Object.entries(SCHEMAS)) {
    it(`schema/${file} is what the codecs give (UPDATE_GOLDEN=1 rewrites it)`, () => {
      const path = join(ROOT, 'schema', file);
      const text = `${JSON.stringify(schema(), null, 2)}\n`;
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
      assert.equal(readFileSync(path, 'utf8'), text);
    });
  }

  it('accepts every config the repository ships, each of which names its schema in a modeline that resolves', () => {
    const configs = shippedConfigs();
    assert.ok(configs.length >= 10, `found ${configs.length} configs`);
    for (const path of configs) {
      const text = readFileSync(path, 'utf8');
      const config = loadOne(text, path, DEFAULT_LIMITS);
      assert.ok(decoderAccepts(config), `the function accepts ${relative(ROOT, path)}`);
      const validate = validators[schemaFileFor(config)]!;
      assert.ok(validate(config), `${relative(ROOT, path)}: ${ajv.errorsText(validate.errors)}`);
      const modeline = MODELINE.exec(text);
      assert.ok(modeline, `${relative(ROOT, path)} names its schema in a yaml-language-server modeline`);
      const target = resolve(dirname(path), modeline[1]!);
      assert.equal(relative(join(ROOT, 'schema'), target), schemaFileFor(config), `${relative(ROOT, path)}: ${modeline[1]}`);
      assert.ok(existsSync(target));
    }
  });

  // Each case: the schema and the function's own decoder agree. Where the decoder checks more than a
  // schema can say (one of container or image in an entrypoint; a declaration's syntax), only the decoder refuses.
  const agreeing: [string, unknown, boolean][] = [
    ['an empty spec', { ...ORDER, spec: {} }, true],
    ['a misspelt field', { ...ORDER, spec: { sidecar: [{ name: 'proxy' }] } }, false],
    ['an unknown strategy', { ...ORDER, spec: { strategy: 'fast' } }, false],
    ['a version written as a number', { ...ORDER, spec: { kubernetesVersion: 1.3 } }, false],
    ['a version with a patch', { ...ORDER, spec: { kubernetesVersion: 'v1.29.3' } }, true],
    ['a timeout of 0 s', { ...ORDER, spec: { timeoutSeconds: 0 } }, false],
    ['a timeout of one day', { ...ORDER, spec: { timeoutSeconds: 86400 } }, true],
    ['a timeout as a string', { ...ORDER, spec: { timeoutSeconds: '30' } }, false],
    ['a container name in capitals', { ...ORDER, spec: { sidecars: [{ name: 'Proxy' }] } }, false],
    ['a sidecar that stops with the app', { ...ORDER, spec: { sidecars: [{ name: 'proxy', stop: 'with' }] } }, true],
    ['a rule without after', { ...ORDER, spec: { rules: [{ container: 'app' }] } }, false],
    ['an unknown built-in preset', { ...ORDER, spec: { presets: ['istio', 'nginx'] } }, false],
    [
      'a preset of its own',
      { ...ORDER, spec: { presets: [{ name: 'pgbouncer', containers: ['pgbouncer'], ready: { port: 6432 } }] } },
      true,
    ],
    ['a preset port out of range', { ...ORDER, spec: { presets: [{ name: 'pgbouncer', ready: { port: 70000 } }] } }, false],
    ['a wrong apiVersion', { ...ORDER, apiVersion: 'order-containers.dev/v1' }, false],
    ['a ConfigMap with known keys', { ...CONFIG_MAP, data: { strategy: 'native', timeoutSeconds: '30', holdDependents: 'true' } }, true],
    ['a ConfigMap with a misspelt key', { ...CONFIG_MAP, data: { sidecar: 'proxy' } }, false],
    ['a ConfigMap with an unknown mode', { ...CONFIG_MAP, data: { mode: 'dry-run' } }, false],
    ['a ConfigMap timeout in words', { ...CONFIG_MAP, data: { timeoutSeconds: 'soon' } }, false],
    ['a ConfigMap value that is not a string', { ...CONFIG_MAP, data: { holdDependents: true } }, false],
  ];
  for (const [what, config, valid] of agreeing) {
    it(`${valid ? 'accepts' : 'refuses'} ${what}, as the function does`, () => {
      assert.equal(decoderAccepts(config), valid, 'the function');
      assert.equal(schemaAccepts(config), valid, 'the schema');
    });
  }

  it('lets the function refuse what a schema cannot say: an entrypoint with both container and image', () => {
    const config = { ...ORDER, spec: { entrypoints: [{ container: 'app', image: 'busybox:*', command: ['/bin/app'] }] } };
    assert.equal(schemaAccepts(config), true);
    assert.equal(decoderAccepts(config), false);
  });
});
