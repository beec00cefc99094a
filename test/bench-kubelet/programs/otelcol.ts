/**
 * The OpenTelemetry Collector (/otelcol in otel/opentelemetry-collector, /otelcol-contrib in
 * otel/opentelemetry-collector-contrib). Sources: open-telemetry/opentelemetry-collector otelcol/command.go
 * (cobra root: --config repeatable, --set, --feature-gates; errors are fatal: exit 1; SIGTERM shuts down
 * gracefully, exit 0), open-telemetry/opentelemetry-collector-contrib extension/healthcheckextension
 * (README: endpoint, path "/"; internal/healthcheck/handler.go: 200 {"status":"Server available",...}
 * when the pipelines are ready, 503 {"status":"Server not available",...} before and while shutting
 * down). The extension runs only when listed in service.extensions. Its default endpoint is
 * localhost:13133 since v0.104.0 (component.UseLocalHostAsDefaultHost on by default: contrib issues
 * #34133, #34394), 0.0.0.0:13133 before (collector PR #2828); --feature-gates=-component.UseLocalHostAsDefaultHost
 * or the registry config { legacyDefaultHost: true } (an image older than 0.104.0) restores 0.0.0.0.
 * confmap (resolver.go): the --config documents are merged in order, keys split at "::", then
 * `${env:VAR}` and `${VAR}` expanded from the environment (the Helm chart's `${env:MY_POD_IP}:13133`).
 * Receivers are not emulated (no listener but the health check's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { becomeReady, exit, isExec, onTerminate, start } from './lib.js';
import { parsePFlags, type FlagDef } from './flags.js';
import { bindHost, dig, knobs, listen, merge, muxMatch, parseYaml, sleep, splitHostPort, type YamlValue } from './support.js';

const FLAGS: readonly FlagDef[] = [
  { name: 'config', kind: 'list' },
  { name: 'set', kind: 'list' },
  { name: 'feature-gates', kind: 'list' },
  { name: 'help', short: 'h', kind: 'bool' },
  { name: 'version', short: 'v', kind: 'bool' },
];

/** main: `if err := run(params); err != nil { log.Fatal(err) }`; cobra printed "Error: ..." first. */
function fatal(message: string): never {
  process.stderr.write(`Error: ${message}\n${new Date().toISOString().replace('T', ' ').slice(0, 19)} ${message}\n`);
  exit(1);
}

const args = process.argv.slice(2);
const validateOnly = args[0] === 'validate';
const p = parsePFlags(validateOnly ? args.slice(1) : args, FLAGS);
if (p.error) {
  process.stderr.write(`Error: ${p.error}\n`);
  process.exit(1);
}
if (p.help || p.values.get('help')) {
  process.stdout.write('OpenTelemetry Collector\n\nUsage:\n  otelcol [flags]\n  otelcol [command]\n');
  process.exit(0);
}
if (p.values.get('version')) {
  process.stdout.write('otelcol version bench-emulation\n');
  process.exit(0);
}
if (isExec && !validateOnly) process.exit(1);

/** A --config value: a file path, or a "file:", "env:" or "yaml:" URI (confmap providers). */
function load(uri: string): YamlValue {
  const m = /^([a-z]+):(.*)$/s.exec(uri);
  const scheme = m && m[1] !== undefined && m[1].length > 1 ? m[1] : 'file';
  const rest = m && scheme !== 'file' ? m[2]! : uri.replace(/^file:/, '');
  if (scheme === 'yaml') return parseYaml(nested(rest));
  if (scheme === 'env') return parseYaml(process.env[rest] ?? '');
  if (scheme !== 'file') throw new Error(`scheme "${scheme}" is not supported for uri "${uri}"`);
  if (!existsSync(rest))
    throw new Error(`cannot retrieve the configuration: unable to read the file ${rest}: open ${rest}: no such file or directory`);
  return parseYaml(readFileSync(rest, 'utf8'));
}

/** "a::b::c: v" (the yaml provider's and --set's key separator) as nested YAML. */
function nested(text: string): string {
  const i = text.indexOf(': ');
  if (i < 0 || !text.slice(0, i).includes('::')) return text;
  const keys = text.slice(0, i).split('::');
  return keys.map((k, n) => `${'  '.repeat(n)}${k}:${n === keys.length - 1 ? ` ${text.slice(i + 2)}` : ''}`).join('\n');
}

/** Keys split at "::" (confmap's KeyDelimiter) at every level, as koanf unflattens them. */
function unflatten(value: YamlValue): YamlValue {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  let out: YamlValue = {};
  for (const [key, v] of Object.entries(value)) {
    out = merge(
      out,
      key.split('::').reduceRight<YamlValue>((inner, k) => ({ [k]: inner }), unflatten(v)),
    );
  }
  return out;
}

/**
 * confmap/resolver.go expandValue, once the documents are merged: `${env:VAR}`, `${VAR}` (the env
 * provider is the default scheme since v0.104.0) and `${env:VAR:-default}` in every string; an unset
 * variable is empty text.
 */
function expand(value: YamlValue): YamlValue {
  if (typeof value === 'string')
    return value.replace(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_all, name: string, fallback?: string) => {
      const v = process.env[name];
      return v ?? fallback ?? '';
    });
  if (Array.isArray(value)) return value.map(expand);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  return value;
}

let config: YamlValue = {};
try {
  const uris = p.values.get('config') as readonly string[];
  if (uris.length === 0) throw new Error('at least one config flag must be provided');
  for (const uri of uris) config = merge(config, unflatten(load(uri)));
  config = expand(config);
} catch (e) {
  fatal(`failed to get config: ${(e as Error).message}`);
}
const extensions = dig(config, 'extensions');
const enabled = dig(config, 'service', 'extensions');
const enabledList = Array.isArray(enabled) ? enabled.map(String) : [];
for (const id of enabledList) {
  if (!extensions || typeof extensions !== 'object' || Array.isArray(extensions) || !(id in extensions)) {
    fatal(`invalid configuration: service::extensions: references extension "${id}" which is not configured`);
  }
}
if (validateOnly) process.exit(0);
void run();

async function run(): Promise<void> {
  start();
  const gates = (p.values.get('feature-gates') as readonly string[]).flatMap((g) => g.split(','));
  const legacy =
    knobs<{ legacyDefaultHost: boolean }>().legacyDefaultHost === true || gates.includes('-component.UseLocalHostAsDefaultHost');
  const health = enabledList.filter((id) => id === 'health_check' || id.startsWith('health_check/'));
  let ready = false;
  let upSince = '';
  const servers: Server[] = [];
  const startMs = Date.now();
  for (const id of health) {
    const ext = dig(extensions ?? undefined, id);
    const endpoint =
      typeof dig(ext ?? undefined, 'endpoint') === 'string'
        ? (dig(ext ?? undefined, 'endpoint') as string)
        : `${legacy ? '0.0.0.0' : 'localhost'}:13133`;
    const path = typeof dig(ext ?? undefined, 'path') === 'string' ? (dig(ext ?? undefined, 'path') as string) : '/';
    const hp = splitHostPort(endpoint);
    if (!hp) fatal(`failed to start extensions: listen tcp: address ${endpoint}: missing port in address`);
    const server = createServer((req, res) => {
      const reqPath = new URL(req.url ?? '/', 'http://x').pathname;
      if (!muxMatch(path, reqPath)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
        return;
      }
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        ready
          ? JSON.stringify({ status: 'Server available', upSince, uptime: `${((Date.now() - Date.parse(upSince)) / 1000).toFixed(3)}s` })
          : JSON.stringify({ status: 'Server not available', upSince: '0001-01-01T00:00:00Z', uptime: '' }),
      );
    });
    try {
      await listen(server, bindHost(hp.host), hp.port);
    } catch (e) {
      fatal(`failed to start extensions: failed to bind to address ${endpoint}: ${(e as Error).message}`);
    }
    servers.push(server);
  }
  let stopping = false;
  onTerminate(() => {
    if (stopping) return;
    stopping = true;
    // The service shuts down: the health check turns "not available", then the extensions stop.
    ready = false;
    setTimeout(() => {
      for (const s of servers) s.close();
      exit(0);
    }, 50);
  });
  // Building and starting the pipelines (the bench's startupMs), then Ready.
  await sleep(Math.max(0, (knobs().startupMs ?? 0) - (Date.now() - startMs)));
  if (!stopping && becomeReady()) {
    ready = true;
    upSince = new Date().toISOString();
  }
  setInterval(() => undefined, 1 << 30);
}
