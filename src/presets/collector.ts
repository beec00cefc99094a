/**
 * Where an OpenTelemetry Collector serves its health_check extension, read from its configuration as the
 * collector resolves it. Pure: the container's words and what read.ts can see of its files and
 * variables in; the extension's endpoint, or why it is off or cannot be known, out.
 *
 * open-telemetry/opentelemetry-collector otelcol/flags.go: `--config` is repeatable, one location each;
 * confmap/resolver.go (NewResolver, Resolve): a location without `:` (or with a drive letter) is a file,
 * else `SCHEME:VALUE` with SCHEME `[A-Za-z][A-Za-z0-9+.-]+` and a provider for it (the distributions
 * have file, env, yaml, http and https); the documents are merged in the order given, later keys over
 * earlier ones and lists replaced (confmap.go Merge), keys split at `::` (KeyDelimiter), and then
 * `${SCHEME:VALUE}` in values is expanded, `${VAR}` and `${env:VAR:-default}` from the environment.
 *
 * open-telemetry/opentelemetry-collector-contrib extension/healthcheckextension: config.go (`endpoint`,
 * required, HOST:PORT; `path`, must begin with `/`; `tls` makes it HTTPS), factory.go (the default
 * endpoint is localhostgate.EndpointForPort(13133) and path "/"), README.md (default localhost:13133;
 * 0.0.0.0:13133 with the feature gate component.UseLocalHostAsDefaultHost off). The gate is on by
 * default from v0.104.0 (release notes: "The otlpreceiver now uses localhost by default instead of
 * 0.0.0.0 ... disable the component.UseLocalHostAsDefaultHost feature gate"); before, 0.0.0.0:13133
 * (collector #2828, after #2782 had made it localhost). The collector starts an extension only where
 * `service.extensions` lists it (`health_check` or `health_check/NAME`), and refuses a config whose list
 * names one that `extensions` does not configure.
 */
import { DEFAULT_LIMITS, InputError, loadValue } from '../yaml/load.js';
import { globMatches } from '../workloads/glob.js';
import type { CollectorConfig } from './preset.js';

/** A word of the container's command line, with its field. */
interface Word {
  readonly text: string;
  readonly field: string;
}

/** A file the config names, as the pod shows it: a ConfigMap of the list mounted there, or why not. */
export type FileText = { readonly kind: 'text'; readonly text: string; readonly from: string; readonly field: string } | Unseen;

/** A variable of the container: its value, the pod's IP (fieldRef status.podIP), or why not known. */
export type EnvText =
  | { readonly kind: 'value'; readonly value: string; readonly from: string; readonly field: string }
  | { readonly kind: 'podIP'; readonly from: string; readonly field: string }
  | Unseen;

interface Unseen {
  readonly kind: 'unseen';
  readonly why: string;
  readonly field: string;
}

/** What read.ts gives: the container's words (none for a shell script) and how to read what they name. */
export interface CollectorContainer {
  readonly words: readonly Word[];
  /** No command and no args: the image's CMD runs, with its own `--config`. */
  readonly bare: boolean;
  readonly image?: string;
  /** The container's field, for what belongs to no word. */
  readonly at: string;
  readonly file: (path: string) => FileText;
  readonly env: (name: string) => EnvText;
}

/**
 * The health_check extension the collector starts: `host` as written once expanded (`podIP` where it is
 * a variable kubelet sets to the pod's IP), or why none is served where kubelet could check it.
 */
export type HealthCheck =
  | {
      readonly kind: 'serves';
      readonly host: { readonly kind: 'podIP' } | { readonly kind: 'address'; readonly address: string };
      readonly port: number;
      readonly path: string;
      /** `extensions.health_check.endpoint in /conf/relay.yaml (ConfigMap ...)`. */
      readonly from: string;
      readonly field: string;
    }
  | { readonly kind: 'off'; readonly why: string; readonly field: string }
  | { readonly kind: 'unknown'; readonly why: string; readonly field: string };

/** One document of the config, and where it came from. */
interface Source {
  readonly doc: Record<string, unknown>;
  readonly from: string;
  readonly field: string;
}

const DEFAULT_PORT = 13133;
const DEFAULT_PATH = '/';
const GATE = 'component.UseLocalHostAsDefaultHost';

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** koanf's unflatten at the `::` delimiter, at every level: `a::b: 1` is `a: {b: 1}`. */
function unflatten(value: unknown): unknown {
  if (!isMap(value)) return value;
  let out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const keys = key.split('::');
    const nested = keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), unflatten(v));
    out = merged(out, nested as Record<string, unknown>);
  }
  return out;
}

/** confmap's Merge: maps key by key, the later value winning; anything else (lists too) replaced. */
function merged(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const before = out[k];
    out[k] = isMap(before) && isMap(v) ? merged(before, v) : v;
  }
  return out;
}

/** A YAML scalar as the text mapstructure decodes a string field from; none for a map or list. */
function scalar(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function get(doc: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), doc);
}

function has(doc: unknown, ...keys: string[]): boolean {
  const parent = get(doc, ...keys.slice(0, -1));
  return isMap(parent) && Object.hasOwn(parent, keys.at(-1)!);
}

/** Every value of a repeatable pflag flag, in order: `--name=v`, `--name v`; parsing stops at `--`. */
function flagValues(words: readonly Word[], name: string): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.text === '--') break;
    if (w.text.startsWith(`--${name}=`)) out.push({ text: w.text.slice(name.length + 3), field: w.field });
    else if (w.text === `--${name}` && i + 1 < words.length) out.push(words[++i]!);
  }
  return out;
}

/** The document a `--config` location gives, or why it cannot be read here. */
function retrieve(location: Word, c: CollectorContainer): Source | Unseen {
  const uri = location.text;
  const m = /^([A-Za-z][A-Za-z0-9+.-]+):(.*)$/s.exec(uri);
  const scheme = !uri.includes(':') || /^[A-Za-z]:/.test(uri) ? 'file' : m?.[1];
  const value = scheme === 'file' && !m ? uri : (m?.[2] ?? '');
  const said = `--config ${uri.length > 60 ? `${uri.slice(0, 57)}...` : uri} (${location.field})`;
  let text: string;
  let from: string;
  let field: string;
  if (scheme === 'file') {
    const f = c.file(value);
    if (f.kind === 'unseen') return f;
    ({ text, from, field } = f);
  } else if (scheme === 'env') {
    const e = c.env(value);
    if (e.kind === 'unseen') return { kind: 'unseen', why: `${said} reads ${value}: ${e.why}`, field: e.field };
    if (e.kind === 'podIP') return { kind: 'unseen', why: `${said} reads ${value}, the pod's IP, which is no config`, field: e.field };
    ({ value: text, from, field } = e);
  } else if (scheme === 'yaml') {
    text = value;
    from = said;
    field = location.field;
  } else if (scheme === 'http' || scheme === 'https') {
    return { kind: 'unseen', why: `${said} is fetched by the collector when it starts`, field: location.field };
  } else
    return { kind: 'unseen', why: `${said} is not a location the collector reads (file, env, yaml, http, https)`, field: location.field };
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : loadValue(text, DEFAULT_LIMITS);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { kind: 'unseen', why: `${from} is not YAML: ${e.message}`, field };
  }
  if (!isMap(doc)) return { kind: 'unseen', why: `${from} is not a YAML mapping`, field };
  return { doc: unflatten(doc) as Record<string, unknown>, from, field };
}

/** The last document that sets the key: the merge keeps its value. */
function sourceOf(sources: readonly Source[], ...keys: string[]): Source {
  return [...sources].reverse().find((s) => has(s.doc, ...keys)) ?? sources.at(-1)!;
}

/**
 * The default host of the extension's endpoint: localhost from v0.104.0 unless the gate is turned off
 * by `--feature-gates=-component.UseLocalHostAsDefaultHost`; 0.0.0.0 for an image tagged older. An
 * image tag that names no version (latest, a digest) is taken for a recent one.
 */
function defaultHost(c: CollectorContainer): { host: string; why: string } {
  const gate = flagValues(c.words, 'feature-gates').find((w) => w.text.split(',').includes(`-${GATE}`));
  if (gate) return { host: '0.0.0.0', why: `--feature-gates ${gate.text}` };
  const tag = /:v?(\d+)\.(\d+)\.\d+[^/]*$/.exec(c.image ?? '');
  if (tag && Number(tag[1]) === 0 && Number(tag[2]) < 104) return { host: '0.0.0.0', why: 'before v0.104.0' };
  return { host: 'localhost', why: 'v0.104.0 and later' };
}

/** Stands for the pod's IP in an expanded value: no character an endpoint can hold. */
const POD_IP = '\0';

/**
 * `${env:VAR}`, `${VAR}` and `${env:VAR:-default}` in a value, as the resolver expands them; a variable
 * set from status.podIP becomes POD_IP, anything else that cannot be known is `unseen`.
 */
function expand(text: string, c: CollectorContainer): string | Unseen {
  let unseen: Unseen | undefined;
  const out = text.replace(
    /\$\{(?:([A-Za-z][A-Za-z0-9+.-]+):)?([^}:]*)(?::-([^}]*))?\}/g,
    (all, scheme: string | undefined, name: string, fallback) => {
      if (scheme !== undefined && scheme !== 'env') {
        unseen ??= { kind: 'unseen', why: `${all} is read by the collector's ${scheme} provider when it starts`, field: c.at };
        return '';
      }
      const e = c.env(name);
      if (e.kind === 'podIP') return POD_IP;
      if (e.kind === 'value') return e.value;
      if (fallback !== undefined) return fallback as string;
      unseen ??= { kind: 'unseen', why: `${all}: ${e.why}`, field: e.field };
      return '';
    },
  );
  return unseen ?? out;
}

/** Reads the collector's config for its health_check extension (module comment). */
export function healthCheckOf(c: CollectorContainer, spec: CollectorConfig): HealthCheck {
  const unknown = (u: Unseen): HealthCheck => ({ kind: 'unknown', why: u.why, field: u.field });
  let locations = flagValues(c.words, 'config');
  if (locations.length === 0 && c.bare) {
    const image = spec.imageConfigs.find((d) => c.image !== undefined && d.images.some((g) => globMatches(g, c.image!)));
    if (!image)
      return { kind: 'unknown', why: `its image's own --config is not known for ${c.image ?? 'a container with no image'}`, field: c.at };
    locations = [{ text: image.config, field: `${c.at}.image` }];
  }
  if (locations.length === 0)
    return { kind: 'off', why: 'it has no --config, and the collector exits: "at least one config flag must be provided"', field: c.at };
  const sources: Source[] = [];
  for (const location of locations) {
    const s = retrieve(location, c);
    if ('kind' in s) return unknown(s);
    sources.push(s);
  }
  const sets = flagValues(c.words, 'set').find((w) => /^(extensions|service)(::|\.|=)/.test(w.text));
  if (sets)
    return {
      kind: 'unknown',
      why: `--set ${sets.text} (${sets.field}) changes the config in a way the preset does not read`,
      field: sets.field,
    };
  const config = sources.reduce<Record<string, unknown>>((all, s) => merged(all, s.doc), {});

  const listed = get(config, 'service', 'extensions');
  const ids = Array.isArray(listed) ? listed.map(String) : [];
  const id = ids.find((x) => x === 'health_check' || x.startsWith('health_check/'));
  const list = sourceOf(sources, 'service', 'extensions');
  if (id === undefined) {
    const extensions = get(config, 'extensions');
    const configured = Object.keys(isMap(extensions) ? extensions : {}).find((x) => x === 'health_check' || x.startsWith('health_check/'));
    const why = configured
      ? `extensions.${configured} is configured, but service.extensions in ${list.from} does not list it, so the collector does not start it`
      : `service.extensions in ${list.from} lists no health_check extension`;
    return { kind: 'off', why, field: list.field };
  }
  if (!has(config, 'extensions', id))
    return {
      kind: 'off',
      why: `service.extensions in ${list.from} lists ${id}, which extensions does not configure: the collector refuses the config`,
      field: list.field,
    };
  const settings = get(config, 'extensions', id);
  const at = sourceOf(sources, 'extensions', id, 'endpoint');
  const where = `extensions.${id}`;
  if (get(settings, 'tls') !== undefined && get(settings, 'tls') !== null) {
    const s = sourceOf(sources, 'extensions', id, 'tls');
    return { kind: 'off', why: `${where}.tls in ${s.from} makes it HTTPS, which the preset's HTTP check cannot read`, field: s.field };
  }
  const rawPath = get(settings, 'path');
  const path = rawPath === undefined || rawPath === null ? DEFAULT_PATH : scalar(rawPath);
  if (!path?.startsWith('/')) {
    const s = sourceOf(sources, 'extensions', id, 'path');
    return {
      kind: 'off',
      why: `${where}.path ${JSON.stringify(rawPath)} in ${s.from} does not begin with "/": the collector refuses the config`,
      field: s.field,
    };
  }
  const rawEndpoint = get(settings, 'endpoint');
  const written = rawEndpoint !== undefined && rawEndpoint !== null;
  const fallback = defaultHost(c);
  const endpoint = written ? (scalar(rawEndpoint) ?? JSON.stringify(rawEndpoint)) : `${fallback.host}:${DEFAULT_PORT}`;
  const from = written
    ? `${where}.endpoint ${endpoint} in ${at.from}`
    : `${where} in ${sourceOf(sources, 'extensions', id).from}, on its default endpoint ${endpoint} (${fallback.why})`;
  const field = written ? at.field : sourceOf(sources, 'extensions', id).field;
  const expanded = expand(endpoint, c);
  if (typeof expanded !== 'string') return unknown({ ...expanded, why: `${from}: ${expanded.why}` });
  const hp = /^(\[[^\]]*\]|[^:]*):(\d{1,5})$/.exec(expanded);
  const port = hp ? Number(hp[2]) : NaN;
  if (!hp || port < 1 || port > 65535) return { kind: 'off', why: `${from} is not HOST:PORT, and the collector fails to start it`, field };
  const host = hp[1]!.replace(/^\[(.*)\]$/, '$1');
  return {
    kind: 'serves',
    host: host === POD_IP ? { kind: 'podIP' } : { kind: 'address', address: host.replaceAll(POD_IP, "(the pod's IP)") },
    port,
    path,
    from,
    field,
  };
}
