/**
 * The real-world manifests of test/real-world/sources.yaml, rendered as their packages ship them, and the
 * functionConfig the tests run them through: shared by test/real-world.test.ts (the function's output
 * is valid and keeps every item) and test/bench-real-world.test.ts (the output runs on the bench
 * kubelet).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { BUILT_IN_PRESETS } from '../../src/presets/built-in.js';
import { ROOT } from '../helpers.js';

/** test/real-world/sources.yaml: where each manifest comes from, and how it is rendered. */
export interface Source {
  readonly name: string;
  readonly package: string;
  readonly license: string;
  readonly file: string;
  readonly heredoc?: number;
  readonly values?: Readonly<Record<string, string>>;
  /** `empty`: backquoted text names no command, and sh substituted nothing for it. */
  readonly backquotes?: 'empty';
}

export const SOURCES = jsYaml.load(readFileSync(join(ROOT, 'test', 'real-world', 'sources.yaml'), 'utf8')) as Source[];
export const UNPACKED = join(process.env.REAL_WORLD_DIR ?? join(ROOT, '.real-world'), 'root');

/** The Kubernetes versions each source is rendered for: postStart gates (1.28) and native sidecars (1.30). */
export const VERSIONS = ['1.28', '1.30'] as const;

/** The Nth `cat << EOF` / `$(cat <<EOF` here-document of a shell script. */
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
  return body.replace(
    /\\([$`\\])|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\(|`([^`]*)`|`/g,
    (match, escaped, braced, fallback, bare, quoted) => {
      if (escaped !== undefined) return escaped as string;
      if (quoted !== undefined && source.backquotes === 'empty') return '';
      const name = (braced ?? bare) as string | undefined;
      if (name === undefined) throw new Error(`the here-document runs a command (${match}); it cannot be rendered safely`);
      if (values[name] !== undefined) return values[name];
      if (fallback !== undefined) return fallback as string;
      throw new Error(`the here-document reads $${name}: give it a value in sources.yaml`);
    },
  );
}

/**
 * test/real-world/upstream/FILE: manifests a project publishes (a Helm chart's rendered examples), copied
 * with their source URL and what was trimmed in the file's header.
 */
export function upstream(file: string): Record<string, unknown>[] {
  const text = readFileSync(join(ROOT, 'test', 'real-world', 'upstream', file), 'utf8');
  return (jsYaml.loadAll(text) as unknown[]).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

/** The source's file as unpacked by test/real-world/fetch.sh. */
export function fileOf(source: Source): string {
  return join(UNPACKED, source.file);
}

export function manifestsOf(source: Source): Record<string, unknown>[] {
  const text = readFileSync(fileOf(source), 'utf8');
  const rendered = source.heredoc === undefined ? text : expandHeredoc(heredoc(text, source.heredoc), source);
  return (jsYaml.loadAll(rendered) as unknown[]).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

/** Helpers people run next to their workloads, under the names these manifests give them. */
export const SIDECARS = [
  'csi-attacher',
  'csi-provisioner',
  'csi-snapshotter',
  'csi-resizer',
  'liveness-probe',
  'node-driver-registrar',
  'dnsmasq',
  'sidecar',
];

export function config(version: string): Record<string, unknown> {
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
