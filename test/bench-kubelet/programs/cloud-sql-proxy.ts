/**
 * Cloud SQL Auth Proxy v2 (`/cloud-sql-proxy`, gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.x).
 * Sources (GoogleCloudPlatform/cloud-sql-proxy): cmd/root.go (flags, env, wait, shutdown order,
 * quitquitquit), internal/healthcheck/healthcheck.go (/startup /readiness /liveness),
 * internal/proxy/proxy.go (ports, listeners, Close), docs/cmd/cloud-sql-proxy.md (flag help: SIGTERM
 * exit 143), cmd/errors.go (SIGINT 130, bad command 1), issue #1803 (quitquitquit exits 0).
 * There is no Cloud SQL here: an instance listener accepts and holds connections.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { becomeReady, exit, isExec, onTerminate, reply, start } from './lib.js';
import { firstWord, formatGoDuration, parsePFlags, type FlagDef, type FlagValue, type Parsed } from './flags.js';
import { bindHost, drainMs, Holder, httpRequest, knobs, listen, sleep, waitClosed } from './support.js';

interface Config {
  /** Engine of each instance (the real proxy asks the SQL Admin API); default POSTGRES. */
  readonly engines?: Readonly<Record<string, 'POSTGRES' | 'MYSQL' | 'SQLSERVER'>>;
}

// cmd/root.go NewCommand: localFlags and globalFlags (http-address, http-port).
const ROOT_FLAGS: readonly FlagDef[] = [
  { name: 'help', short: 'h', kind: 'bool' },
  { name: 'version', short: 'v', kind: 'bool' },
  { name: 'config-file', kind: 'string', def: '' },
  { name: 'user-agent', kind: 'string', def: '' },
  { name: 'token', short: 't', kind: 'string', def: '' },
  { name: 'login-token', kind: 'string', def: '' },
  { name: 'credentials-file', short: 'c', kind: 'string', def: '' },
  { name: 'json-credentials', short: 'j', kind: 'string', def: '' },
  { name: 'gcloud-auth', short: 'g', kind: 'bool' },
  { name: 'structured-logs', short: 'l', kind: 'bool' },
  { name: 'debug-logs', kind: 'bool' },
  { name: 'max-connections', kind: 'uint', def: 0 },
  { name: 'min-sigterm-delay', kind: 'duration', def: 0 },
  { name: 'max-sigterm-delay', kind: 'duration', def: 0 },
  { name: 'telemetry-project', kind: 'string', def: '' },
  { name: 'disable-traces', kind: 'bool' },
  { name: 'telemetry-sample-rate', kind: 'int', def: 10_000 },
  { name: 'disable-metrics', kind: 'bool' },
  { name: 'telemetry-prefix', kind: 'string', def: '' },
  { name: 'exit-zero-on-sigterm', kind: 'bool' },
  { name: 'prometheus', kind: 'bool' },
  { name: 'prometheus-namespace', kind: 'string', def: '' },
  { name: 'http-address', kind: 'string', def: 'localhost' },
  { name: 'http-port', kind: 'string', def: '9090' },
  { name: 'debug', kind: 'bool' },
  { name: 'quitquitquit', kind: 'bool' },
  { name: 'admin-port', kind: 'string', def: '9091' },
  { name: 'health-check', kind: 'bool' },
  { name: 'sqladmin-api-endpoint', kind: 'string', def: '' },
  { name: 'universe-domain', kind: 'string', def: '' },
  { name: 'quota-project', kind: 'string', def: '' },
  { name: 'fuse', kind: 'string', def: '' },
  { name: 'fuse-tmp-dir', kind: 'string', def: '/tmp/csql-tmp' },
  { name: 'impersonate-service-account', kind: 'string', def: '' },
  { name: 'quiet', kind: 'bool' },
  { name: 'auto-ip', kind: 'bool' },
  { name: 'lazy-refresh', kind: 'bool' },
  { name: 'run-connection-test', kind: 'bool' },
  { name: 'address', short: 'a', kind: 'string', def: '127.0.0.1' },
  { name: 'port', short: 'p', kind: 'int', def: 0 },
  { name: 'unix-socket', short: 'u', kind: 'string', def: '' },
  { name: 'auto-iam-authn', short: 'i', kind: 'bool' },
  { name: 'private-ip', kind: 'bool' },
  { name: 'psc', kind: 'bool' },
];

// The wait subcommand: its own --max/-m plus the persistent http-address/http-port (root.go waitCmd).
const WAIT_FLAGS: readonly FlagDef[] = [
  { name: 'help', short: 'h', kind: 'bool' },
  { name: 'max', short: 'm', kind: 'duration', def: 30_000 },
  { name: 'http-address', kind: 'string', def: 'localhost' },
  { name: 'http-port', kind: 'string', def: '9090' },
];

// docs/cmd/cloud-sql-proxy_shutdown.md: --admin-port plus the persistent flags.
const SHUTDOWN_FLAGS: readonly FlagDef[] = [
  { name: 'help', short: 'h', kind: 'bool' },
  { name: 'admin-port', kind: 'string', def: '9091' },
  { name: 'http-address', kind: 'string', def: 'localhost' },
  { name: 'http-port', kind: 'string', def: '9090' },
];

const USAGE =
  'Usage:\n  cloud-sql-proxy INSTANCE_CONNECTION_NAME... [flags]\n  cloud-sql-proxy [command]\n\nUse "cloud-sql-proxy [command] --help" for more information about a command.\n';

/** cobra: an error before the command runs is printed as "Error: ..." with the usage; Execute exits 1. */
function cobraFail(message: string, usage = USAGE): never {
  process.stderr.write(`Error: ${message}\n${usage}`);
  // Hooks run beside the proxy must not leave the container's completion mark: exit directly.
  process.exit(1);
}

const args = process.argv.slice(2);
const word = firstWord(args, ROOT_FLAGS);
const sub = word >= 0 ? args[word] : undefined;
if (sub === 'wait') void runWait([...args.slice(0, word), ...args.slice(word + 1)]);
else if (sub === 'shutdown') void runShutdown([...args.slice(0, word), ...args.slice(word + 1)]);
else void runProxy(args);

/**
 * `cloud-sql-proxy wait`: GETs http://<http-address>:<http-port>/startup every second until 200 or
 * --max (root.go runWaitCmd). It reads its flags only: the CSQL_PROXY_* variables are bound in the root
 * command's Args hook (loadConfig), which a subcommand does not run.
 */
async function runWait(rest: string[]): Promise<void> {
  const p = parsePFlags(rest, WAIT_FLAGS);
  if (p.error) cobraFail(p.error, 'Usage:\n  cloud-sql-proxy wait [flags]\n');
  const url = `http://${p.values.get('http-address') as string}:${p.values.get('http-port') as string}/startup`;
  const deadline = Date.now() + (p.values.get('max') as number);
  for (;;) {
    if (Date.now() >= deadline) {
      // SilenceUsage is set before the loop: only the error is printed.
      process.stderr.write('Error: command failed to complete successfully\n');
      process.exit(1);
    }
    const r = await httpRequest('GET', url, 1000);
    if (r.status === 200) process.exit(0);
    await sleep(1000);
  }
}

/** `cloud-sql-proxy shutdown`: asks the admin server's /quitquitquit (docs/cmd/cloud-sql-proxy_shutdown.md). */
async function runShutdown(rest: string[]): Promise<void> {
  const p = parsePFlags(rest, SHUTDOWN_FLAGS);
  if (p.error) cobraFail(p.error, 'Usage:\n  cloud-sql-proxy shutdown [flags]\n');
  const r = await httpRequest('POST', `http://localhost:${p.values.get('admin-port') as string}/quitquitquit`, 5000);
  if (r.status === 200) process.exit(0);
  // Unconfirmed: the error text and status of a failed shutdown request.
  process.stderr.write(`Error: ${r.error ?? `status ${r.status}`}\n`);
  process.exit(1);
}

/** viper.AutomaticEnv with prefix CSQL_PROXY and "-" -> "_": an unset flag takes its variable (root.go loadConfig). */
function applyEnv(p: Parsed): void {
  for (const def of ROOT_FLAGS) {
    if (p.changed.has(def.name)) continue;
    const env = process.env[`CSQL_PROXY_${def.name.replace(/-/g, '_').toUpperCase()}`];
    if (env === undefined || env === '') continue;
    // c.Flags().Set(...) with its error ignored: an invalid value leaves the default.
    const q = parsePFlags([`--${def.name}=${env}`], [def]);
    if (!q.error) p.values.set(def.name, q.values.get(def.name) as FlagValue);
  }
}

/** CSQL_PROXY_INSTANCE_CONNECTION_NAME, else _0, _1, ... (root.go instanceFromEnv). */
function instancesFromEnv(): string[] {
  const first = process.env.CSQL_PROXY_INSTANCE_CONNECTION_NAME || process.env.CSQL_PROXY_INSTANCE_CONNECTION_NAME_0;
  if (!first) return [];
  const out = [first];
  for (let i = 1; process.env[`CSQL_PROXY_INSTANCE_CONNECTION_NAME_${i}`]; i++)
    out.push(process.env[`CSQL_PROXY_INSTANCE_CONNECTION_NAME_${i}`]!);
  return out;
}

/** --config-file: only JSON files are read here (the real proxy also reads TOML and YAML; unconfirmed beyond that). */
function applyConfigFile(p: Parsed): string[] {
  const file = p.values.get('config-file') as string;
  if (file === '') return [];
  if (!/\.(toml|ya?ml|json)$/.test(file)) cobraFail(`config file ${file} should have extension of toml, yaml, or json`);
  if (!existsSync(file) || !file.endsWith('.json')) return [];
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const def of ROOT_FLAGS) {
    if (p.changed.has(def.name) || !(def.name in doc)) continue;
    const env = process.env[`CSQL_PROXY_${def.name.replace(/-/g, '_').toUpperCase()}`];
    if (env !== undefined && env !== '') continue;
    const q = parsePFlags([`--${def.name}=${String(doc[def.name])}`], [def]);
    if (!q.error) p.values.set(def.name, q.values.get(def.name) as FlagValue);
  }
  const first = (doc['instance-connection-name'] ?? doc['instance-connection-name-0']) as string | undefined;
  if (!first) return [];
  const out = [first];
  for (let i = 1; doc[`instance-connection-name-${i}`]; i++) out.push(doc[`instance-connection-name-${i}`] as string);
  return out;
}

interface Instance {
  readonly name: string;
  readonly address?: string;
  readonly port?: number;
  readonly unixSocket?: string;
  readonly unixSocketPath?: string;
}

function isIP(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

/** Instance arguments with their optional query (root.go parseConfig). */
function parseInstances(names: readonly string[]): Instance[] {
  return names.map((a) => {
    const q = a.indexOf('?');
    if (q < 0) return { name: a };
    const params = new URLSearchParams(a.slice(q + 1));
    const inst: { -readonly [K in keyof Instance]: Instance[K] } = { name: a.slice(0, q) };
    const address = params.get('address');
    const port = params.get('port');
    if (address !== null && params.has('unix-socket')) cobraFail('cannot specify both address and unix-socket query params');
    if (port !== null && params.has('unix-socket')) cobraFail('cannot specify both port and unix-socket query params');
    if (address !== null) {
      if (!isIP(address)) cobraFail(`address query param is not a valid IP address: "${address}"`);
      inst.address = address;
    }
    if (port !== null) {
      if (!/^-?\d+$/.test(port)) cobraFail(`port query param is not a valid integer: "${port}"`);
      inst.port = Number(port);
    }
    if (params.has('unix-socket')) inst.unixSocket = params.get('unix-socket')!;
    if (params.has('unix-socket-path')) inst.unixSocketPath = params.get('unix-socket-path')!;
    return inst;
  });
}

type Stop = 'SIGTERM' | 'SIGINT' | 'quitquitquit' | 'error';

async function runProxy(argv: string[]): Promise<void> {
  const p = parsePFlags(argv, ROOT_FLAGS);
  if (p.error) cobraFail(p.error);
  if (p.help || p.values.get('help')) {
    process.stdout.write(`cloud-sql-proxy authorizes and encrypts connections to Cloud SQL.\n\n${USAGE}`);
    process.exit(0);
  }
  if (p.values.get('version')) {
    process.stdout.write('cloud-sql-proxy version 2 (bench emulation)\n');
    process.exit(0);
  }
  // A hook exec'ing the image with proxy arguments would start a second proxy: not what hooks do.
  if (isExec) cobraFail('the proxy itself cannot run as a probe or hook');
  start();
  const config = knobs<Config>();
  applyEnv(p);
  let names = p.positionals.length > 0 ? p.positionals : instancesFromEnv();
  if (names.length === 0) names = applyConfigFile(p);
  else applyConfigFile(p);
  const v = <T extends FlagValue>(name: string): T => p.values.get(name) as T;
  if (names.length === 0 && v<string>('fuse') === '') cobraFail('missing instance_connection_name (e.g., project:region:instance)');
  if (p.changed.has('address') && p.changed.has('unix-socket')) cobraFail('cannot specify --unix-socket and --address together');
  if (p.changed.has('port') && p.changed.has('unix-socket')) cobraFail('cannot specify --unix-socket and --port together');
  if (!isIP(v<string>('address'))) cobraFail(`not a valid IP address: "${v<string>('address')}"`);
  if (v<boolean>('private-ip') && v<boolean>('psc')) cobraFail('cannot specify --private-ip and --psc flags at the same time');
  const instances = parseInstances(names);

  // From here errors are logged, not printed with usage (SilenceUsage, SilenceErrors).
  const log = (m: string): void => void process.stdout.write(`${new Date().toISOString()} ${m}\n`);
  const logErr = (m: string): void => void process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  let stopping: Stop | undefined;
  let resolveStop: (s: Stop) => void = () => undefined;
  const stopped = new Promise<Stop>((resolve) => (resolveStop = resolve));
  const requestStop = (s: Stop): void => {
    if (stopping) return;
    stopping = s;
    resolveStop(s);
  };
  onTerminate((signal) => requestStop(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM'));
  const exitFor = (s: Stop): number =>
    s === 'SIGINT' ? 130 : s === 'SIGTERM' ? (v<boolean>('exit-zero-on-sigterm') ? 0 : 143) : s === 'quitquitquit' ? 0 : 1;

  // proxy.NewClient: the Admin API tells each instance's engine (the bench's startupMs stands for it).
  const startup = await Promise.race([sleep(config.startupMs ?? 0).then(() => undefined), stopped]);
  if (startup !== undefined) {
    logErr(`The proxy has encountered a terminal error: unable to start: ${startup} signal received`);
    exit(exitFor(startup));
  }
  const holders: Holder[] = [];
  const ports = { global: v<number>('port'), POSTGRES: 5432, MYSQL: 3306, SQLSERVER: 1433 };
  try {
    for (const inst of instances) {
      const engine = config.engines?.[inst.name] ?? 'POSTGRES';
      const holder = new Holder(v<number>('max-connections'));
      const unixDir = v<string>('unix-socket') || inst.unixSocket;
      if (
        ((unixDir === undefined || unixDir === '') && inst.unixSocketPath === undefined) ||
        inst.address !== undefined ||
        inst.port !== undefined
      ) {
        const np = inst.port ?? (v<number>('port') !== 0 ? ports.global++ : ports[engine]++);
        const host = inst.address ?? v<string>('address');
        await listen(holder.server, host, np);
        log(`[${inst.name}] Listening on ${host}:${np}`);
      } else {
        let path = inst.unixSocketPath ?? join(unixDir!, inst.name);
        if (inst.unixSocketPath === undefined && engine === 'POSTGRES') {
          mkdirSync(path, { recursive: true });
          path = join(path, '.s.PGSQL.5432');
        }
        await new Promise<void>((resolve, reject) => {
          holder.server.once('error', reject);
          holder.server.listen(path, () => resolve());
        });
        log(`[${inst.name}] Listening on ${path}`);
      }
      holders.push(holder);
    }
  } catch (e) {
    logErr(`The proxy has encountered a terminal error: unable to start: ${(e as Error).message}`);
    exit(1);
  }
  log('The proxy has started successfully and is ready for new connections!');

  let started = false;
  let stoppedNotified = false;
  const servers: Server[] = [];
  const httpHandler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (v<boolean>('health-check') && path === '/startup') return reply(res, started ? 200 : 503, started ? 'ok' : 'error');
    if (v<boolean>('health-check') && path === '/liveness') return reply(res, 200, 'ok');
    if (v<boolean>('health-check') && path === '/readiness') {
      if (!started) return reply(res, 503, 'proxy is not started');
      if (stoppedNotified) return reply(res, 503, 'proxy has stopped');
      const max = v<number>('max-connections');
      const open = holders.reduce((n, h) => n + h.open, 0);
      if (max > 0 && open >= max) return reply(res, 503, `max connections reached (open = ${open}, max = ${max})`);
      return reply(res, 200, 'ok');
    }
    if (v<boolean>('prometheus') && path === '/metrics') return reply(res, 200, '');
    reply(res, 404, '404 page not found\n');
  };
  const startServer = async (host: string, port: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> => {
    const server = createServer(handler);
    try {
      await listen(server, bindHost(host), Number(port));
      servers.push(server);
    } catch (e) {
      // startHTTPServer sends the failure to shutdownCh: a terminal error.
      logErr(`The proxy has encountered a terminal error: failed to start HTTP server: ${(e as Error).message}`);
      exit(1);
    }
  };
  if (v<boolean>('health-check') || v<boolean>('prometheus')) {
    if (v<boolean>('health-check')) log(`Starting health check server at ${v<string>('http-address')}:${v<string>('http-port')}`);
    await startServer(v<string>('http-address'), v<string>('http-port'), httpHandler);
  }
  if (v<boolean>('quitquitquit') || v<boolean>('debug')) {
    // The admin server listens on localhost only.
    await startServer('localhost', v<string>('admin-port'), (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (v<boolean>('quitquitquit') && path === '/quitquitquit') {
        if (req.method !== 'POST' && req.method !== 'GET') return reply(res, 400);
        reply(res, 200);
        requestStop('quitquitquit');
        return;
      }
      reply(res, 404, '404 page not found\n');
    });
  }
  // p.Serve calls notifyStarted once the listeners accept.
  if (!stopping) started = becomeReady();

  const reason = await stopped;
  log(reason === 'quitquitquit' ? '/quitquitquit received request. Shutting down...' : `${reason} signal received. Shutting down...`);
  // --min-sigterm-delay: keep accepting, then notifyStopped (readiness 503), then Close: stop
  // listening and wait up to --max-sigterm-delay for the open connections.
  await sleep(drainMs(v<number>('min-sigterm-delay')));
  stoppedNotified = true;
  for (const h of holders) h.close();
  let code = exitFor(reason);
  const wait = v<number>('max-sigterm-delay');
  if (wait > 0) {
    const open = await waitClosed(holders, drainMs(wait));
    if (open > 0) {
      logErr(`error during shutdown: ${open} connection(s) still open after waiting ${formatGoDuration(wait)}`);
      code = 1;
    }
  }
  for (const s of servers) s.close();
  exit(code);
}
