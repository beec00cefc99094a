import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { runFunction } from '../src/function.js';
import { readResourceList } from '../src/resource-list/read.js';
import { podTemplatePathOf } from '../src/workloads/kinds.js';
import { valueAt } from '../src/resource-list/edit.js';
import { BUILT_IN_PRESETS } from '../src/presets/built-in.js';
import { violationsIn } from './api-rules.js';
import { requireBinary, ROOT } from './helpers.js';
import { brokenEdges } from './order-oracle.js';

/** test/real-world/sources.yaml: where each manifest comes from, and how it is rendered. */
interface Source {
  readonly name: string;
  readonly package: string;
  readonly license: string;
  readonly file: string;
  readonly heredoc?: number;
  readonly values?: Readonly<Record<string, string>>;
  /** `empty`: backquoted text names no command, and sh substituted nothing for it. */
  readonly backquotes?: 'empty';
}

const SOURCES = jsYaml.load(readFileSync(join(ROOT, 'test', 'real-world', 'sources.yaml'), 'utf8')) as Source[];
const UNPACKED = join(process.env.REAL_WORLD_DIR ?? join(ROOT, '.real-world'), 'root');

/** The body of the Nth `cat << EOF` / `$(cat <<EOF` here-document of a shell script. */
function heredoc(script: string, n: number): string {
  const lines = script.split('\n');
  const starts = lines.flatMap((line, i) => (/cat <<\s*EOF\b/.test(line) ? [i] : []));
  const start = starts[n - 1];
  assert.ok(start !== undefined, `no here-document ${n} (the script has ${starts.length})`);
  const end = lines.findIndex((line, i) => i > start && /^EOF\)?$/.test(line));
  return lines.slice(start + 1, end).join('\n') + '\n';
}

/**
 * What sh makes of an unquoted here-document: `\$`, `` \` `` and `\\` escape, `${NAME:-default}`,
 * `${NAME}` and `$NAME` expand. A command substitution, or a name the source gives no value for, is
 * an error (the test renders, it never runs or guesses), unless the source says its backquotes name no
 * command.
 */
function expandHeredoc(body: string, source: Source): string {
  const values = source.values ?? {};
  return body.replace(/\\([$`\\])|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\(|`([^`]*)`|`/g, (match, escaped, braced, fallback, bare, quoted) => {
    if (escaped !== undefined) return escaped as string;
    if (quoted !== undefined && source.backquotes === 'empty') return '';
    const name = (braced ?? bare) as string | undefined;
    if (name === undefined) throw new Error(`the here-document runs a command (${match}); it cannot be rendered safely`);
    if (values[name] !== undefined) return values[name];
    if (fallback !== undefined) return fallback as string;
    throw new Error(`the here-document reads $${name}: give it a value in sources.yaml`);
  });
}

function manifestsOf(source: Source): Record<string, unknown>[] {
  const text = readFileSync(join(UNPACKED, source.file), 'utf8');
  const rendered = source.heredoc === undefined ? text : expandHeredoc(heredoc(text, source.heredoc), source);
  return (jsYaml.loadAll(rendered) as unknown[]).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

/** Helpers people run next to their workloads, under the names these manifests give them. */
const SIDECARS = ['csi-attacher', 'csi-provisioner', 'csi-snapshotter', 'csi-resizer', 'liveness-probe', 'node-driver-registrar', 'dnsmasq', 'sidecar'];

function config(version: string): Record<string, unknown> {
  return {
    apiVersion: 'order-containers.dev/v1alpha1',
    kind: 'ContainerOrder',
    metadata: { name: 'broad' },
    spec: {
      kubernetesVersion: version,
      sidecars: SIDECARS.map((name) => ({ name, waitFor: 'Started' })),
      presets: BUILT_IN_PRESETS.map((p) => p.name),
    },
  };
}

function run(items: readonly Record<string, unknown>[], version: string) {
  const list = readResourceList(Buffer.from(jsYaml.dump({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, functionConfig: config(version) })));
  const r = runFunction(list);
  return { ...r, items: (jsYaml.load(r.chunks.join('')) as { items: Record<string, unknown>[] }).items };
}

function podSpecOf(item: Record<string, unknown>): { containers: { name: string }[]; initContainers?: { name: string }[] } | undefined {
  const path = podTemplatePathOf(item.apiVersion, item.kind, []);
  return path === undefined ? undefined : (valueAt(item, path) as { spec?: ReturnType<typeof podSpecOf> } | undefined)?.spec;
}

describe('real-world manifests (test/real-world/sources.yaml)', () => {
  for (const source of SOURCES) {
    for (const version of ['1.28', '1.30']) {
      it(`${source.name} (${source.package}, ${source.license.split(' ')[0]}), Kubernetes ${version}: nothing lost, valid output, declared order realised, idempotent`, function () {
        requireBinary(this, `${source.package} unpacked by test/real-world/fetch.sh`, [join(UNPACKED, source.file)]);
        const input = manifestsOf(source);
        assert.ok(input.some((i) => podSpecOf(i) !== undefined), 'the source has workloads');
        const first = run(input, version);
        assert.equal(first.exitCode, 0, JSON.stringify(first.results.filter((r) => r.severity === 'error')));
        assert.deepEqual(
          first.items.map((i) => `${i.kind}/${(i.metadata as { name?: string }).name}`),
          input.map((i) => `${i.kind}/${(i.metadata as { name?: string }).name}`),
          'every item, once, in input order',
        );
        first.items.forEach((item, i) => {
          if (podSpecOf(input[i]!) === undefined) assert.deepEqual(item, input[i], `${item.kind} is not a workload and comes back as it was`);
        });
        assert.deepEqual(violationsIn(first.items), []);
        for (const item of first.items) {
          const spec = podSpecOf(item);
          if (!spec) continue;
          const names = new Set([...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name));
          const declared = SIDECARS.filter((s) => names.has(s));
          const edges = declared.flatMap((s) => spec.containers.filter((c) => !SIDECARS.includes(c.name)).map((c) => ({ from: s, to: c.name, condition: 'Started' as const })));
          assert.deepEqual(brokenEdges(spec as Parameters<typeof brokenEdges>[0], edges), [], `${item.kind}/${(item.metadata as { name: string }).name}`);
        }
        const second = run(first.items, version);
        assert.equal(second.exitCode, 0);
        assert.deepEqual(second.items, first.items, 'a second run changes nothing');
      });
    }
  }
});
