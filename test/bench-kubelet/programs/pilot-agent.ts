/**
 * istio-proxy (docker.io/istio/proxyv2): `pilot-agent proxy sidecar`, with the Envoy it starts emulated
 * in the same process. Sources (istio/istio): pilot/cmd/pilot-agent/main.go (errors exit -1, i.e. 255),
 * app/cmd.go (commands; root and proxy allow unknown flags; proxy type check; istio-iptables, which istio-init runs), app/wait.go (wait flags,
 * default URL http://localhost:15021/healthz/ready), app/request.go (request, --debug-port, allowed
 * ports), status/server.go (status server on ":15020": /healthz/ready, /quitquitquit POST from
 * localhost only, which SIGTERMs the agent), options/options.go (ENVOY_STATUS_PORT 15021,
 * ENVOY_PROMETHEUS_PORT 15090, MINIMUM_DRAIN_DURATION 5s, EXIT_ON_ZERO_ACTIVE_CONNECTIONS),
 * pilot/pkg/features (TERMINATION_DRAIN_DURATION_SECONDS, default 5), pkg/envoy/agent.go (SIGTERM:
 * drain, then wait the drain duration or for zero connections, then stop Envoy; exit 0),
 * tools/packaging/common/envoy_bootstrap.json (15021 and 15090 listeners on the wildcard address; 15021
 * routes /healthz/ready to the agent).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { becomeReady, exit, isExec, onTerminate, start } from './lib.js';
import { firstWord, parseGoDuration, parsePFlags, type FlagDef } from './flags.js';
import { drainMs, envoyAdminHandler, fromLoopback, httpRequest, knobs, listen, sleep, type EnvoyState } from './support.js';

// istio.io/pkg/log AttachCobraFlags: the logging flags every command has.
const LOG_FLAGS: readonly FlagDef[] = [
  { name: 'log_output_level', kind: 'string' },
  { name: 'log_stacktrace_level', kind: 'string' },
  { name: 'log_target', kind: 'list' },
  { name: 'log_caller', kind: 'string' },
  { name: 'log_rotate', kind: 'string' },
  { name: 'log_rotate_max_age', kind: 'int' },
  { name: 'log_rotate_max_size', kind: 'int' },
  { name: 'log_rotate_max_backups', kind: 'int' },
  { name: 'log_as_json', kind: 'bool' },
  { name: 'vklog', kind: 'int' },
  { name: 'help', short: 'h', kind: 'bool' },
];

const PROXY_FLAGS: readonly FlagDef[] = [
  ...LOG_FLAGS,
  { name: 'domain', kind: 'string', def: '' },
  { name: 'meshConfig', kind: 'string', def: './etc/istio/config/mesh' },
  { name: 'stsPort', kind: 'int', def: 0 },
  { name: 'tokenManagerPlugin', kind: 'string', def: 'GoogleTokenExchange' },
  { name: 'serviceCluster', kind: 'string', def: 'istio-proxy' },
  { name: 'proxyLogLevel', kind: 'string', def: 'warning,misc:error' },
  { name: 'concurrency', kind: 'int', def: 0 },
  { name: 'proxyComponentLogLevel', kind: 'string', def: '' },
  { name: 'templateFile', kind: 'string', def: '' },
  { name: 'outlierLogPath', kind: 'string', def: '' },
];

const WAIT_FLAGS: readonly FlagDef[] = [
  ...LOG_FLAGS,
  { name: 'timeoutSeconds', kind: 'int', def: 60 },
  { name: 'requestTimeoutMillis', kind: 'int', def: 500 },
  { name: 'periodMillis', kind: 'int', def: 500 },
  { name: 'url', kind: 'string', def: 'http://localhost:15021/healthz/ready' },
];

const REQUEST_FLAGS: readonly FlagDef[] = [...LOG_FLAGS, { name: 'debug-port', kind: 'int', def: 15000 }];

/** main.go: rootCmd.Execute() error -> log.Error(err); os.Exit(-1). cobra printed "Error: ..." first (SilenceUsage). */
function fail(message: string): never {
  process.stderr.write(`Error: ${message}\n${new Date().toISOString()}\terror\t${message}\n`);
  process.exit(255);
}

const args = process.argv.slice(2);
const at = firstWord(args, PROXY_FLAGS);
const sub = at >= 0 ? args[at] : undefined;
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 1)] : args;
switch (sub) {
  case 'wait':
    void runWait(rest);
    break;
  case 'request':
    void runRequest(rest);
    break;
  case 'proxy':
    void runProxy(rest);
    break;
  case 'istio-iptables':
    // istio-init's command (the injection template's `args: [istio-iptables, ...]`; tools/istio-iptables
    // cmd/root.go, `Use: "istio-iptables"`): it writes the traffic redirect and exits 0. The bench has
    // no iptables to write: the redirect is not emulated, the exit is.
    process.exit(0);
  case 'version':
    process.stdout.write('client version: bench-emulation\n');
    process.exit(0);
  case undefined:
    process.stdout.write(
      'Istio Pilot agent runs in the sidecar or gateway container and bootstraps Envoy.\n\nUsage:\n  pilot-agent [command]\n',
    );
    process.exit(0);
  default:
    fail(`unknown command "${sub}" for "pilot-agent"`);
}

/** `pilot-agent wait`: every periodMillis, GET --url (timeout requestTimeoutMillis) until 200 or timeoutSeconds. */
async function runWait(argv: string[]): Promise<void> {
  const p = parsePFlags(argv, WAIT_FLAGS);
  if (p.error) fail(p.error);
  const period = p.values.get('periodMillis') as number;
  const deadline = Date.now() + (p.values.get('timeoutSeconds') as number) * 1000;
  let last = '<nil>';
  for (;;) {
    await sleep(Math.max(0, Math.min(period, deadline - Date.now())));
    if (Date.now() >= deadline) fail(`timeout waiting for Envoy proxy to become ready. Last error: ${last}`);
    const r = await httpRequest('GET', p.values.get('url') as string, p.values.get('requestTimeoutMillis') as number);
    if (r.status === 200) {
      process.stderr.write('Envoy is ready!\n');
      process.exit(0);
    }
    last = r.error ?? `HTTP status code ${r.status}`;
  }
}

/** `pilot-agent request <method> <path> [<body>]` against localhost:--debug-port (an allowed port). */
async function runRequest(argv: string[]): Promise<void> {
  const p = parsePFlags(argv, REQUEST_FLAGS);
  if (p.error) fail(p.error);
  if (p.positionals.length < 2) fail(`requires at least 2 arg(s), only received ${p.positionals.length}`);
  const port = p.values.get('debug-port') as number;
  if (![15000, 15004, 15020, 15021].includes(port)) fail(`debug port ${port} is not in allowed list 15000, 15004, 15020, 15021`);
  const [method, path] = p.positionals as [string, string];
  const r = await httpRequest(method.toUpperCase(), `http://localhost:${port}/${path.replace(/^\//, '')}`, 60_000);
  if (r.body !== undefined) process.stdout.write(r.body);
  // Unconfirmed: how pilot/pkg/request reports a non-200 answer; treated as an error here.
  if (r.status === undefined || r.status >= 300) fail(r.error ?? `received unsuccessful status code ${r.status}`);
  process.exit(0);
}

function envInt(name: string, def: number): number {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : def;
}

async function runProxy(argv: string[]): Promise<void> {
  const p = parsePFlags(argv, PROXY_FLAGS, { allowUnknown: true });
  if (p.error) fail(p.error);
  const type = p.positionals[0] ?? 'sidecar';
  if (!['sidecar', 'router', 'waypoint'].includes(type)) fail(`Invalid proxy Type: ${type}`);
  if (isExec) fail('the agent itself cannot run as a probe or hook');
  start();

  const statusPort = 15020; // ProxyConfig.statusPort default (mesh config)
  const adminPort = 15000; // ProxyConfig.proxyAdminPort default
  const envoyStatusPort = envInt('ENVOY_STATUS_PORT', 15021);
  const prometheusPort = envInt('ENVOY_PROMETHEUS_PORT', 15090);
  let envoy: EnvoyState = 'PRE_INITIALIZING';
  let healthCheckFailed = false;
  let ready = false;
  const servers: Server[] = [];
  const state = (): EnvoyState => (envoy === 'LIVE' && healthCheckFailed ? 'DRAINING' : envoy);

  let terminating = false;
  const terminate = async (): Promise<void> => {
    if (terminating) return;
    terminating = true;
    // agent.terminate: drain Envoy's inbound listeners (none here but the agent's own), then wait.
    if (process.env.EXIT_ON_ZERO_ACTIVE_CONNECTIONS === 'true') {
      const min = parseGoDuration(process.env.MINIMUM_DRAIN_DURATION ?? '5s') ?? 5000;
      await sleep(drainMs(min));
      // activeProxyConnections counts listeners other than the admin, status and prometheus ones:
      // the emulated Envoy has no other, so the first check finds none and stops it.
      await sleep(Math.min(1000, drainMs(1000)));
    } else {
      // TERMINATION_DRAIN_DURATION_SECONDS: whole seconds, default 5 (unparsable -> default).
      await sleep(drainMs(envInt('TERMINATION_DRAIN_DURATION_SECONDS', 5) * 1000));
    }
    for (const s of servers) s.close();
    exit(0);
  };
  onTerminate(() => void terminate());

  // The status server (initStatusServer) opens before the agent starts Envoy.
  const statusHandler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (code: number, body: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    if (path === '/healthz/ready') {
      res.writeHead(ready && state() === 'LIVE' ? 200 : 503);
      res.end();
      return;
    }
    if (path === '/quitquitquit') {
      if (!fromLoopback(req.socket.remoteAddress)) return text(403, 'Only requests from localhost are allowed\n');
      if (req.method !== 'POST') return text(405, 'Method Not Allowed\n');
      res.writeHead(200);
      res.end('OK');
      // notifyExit: SIGTERM to itself.
      process.kill(process.pid, 'SIGTERM');
      return;
    }
    if (path.startsWith('/app-health/')) return text(400, `app prober config does not exists for ${path}`);
    if (path === '/metrics' || path === '/stats/prometheus') return text(200, '');
    text(404, '404 page not found\n');
  };
  const open = async (host: string, port: number, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> => {
    const server = createServer(handler);
    await listen(server, host, port);
    servers.push(server);
  };
  try {
    await open('::', statusPort, statusHandler);
  } catch (e) {
    // Run logs "Error listening on status port" and the agent goes on without it.
    process.stderr.write(`error\tError listening on status port: ${(e as Error).message}\n`);
  }

  // Envoy: the admin API (127.0.0.1:15000) first, then, once its initial configuration has come
  // (the bench's startupMs), the bootstrap's listeners and LIVE.
  try {
    await open(
      '127.0.0.1',
      adminPort,
      envoyAdminHandler({
        state,
        // Envoy exits: "Epoch 0 exited normally", the agent returns and the process exits 0.
        quit: () => setImmediate(() => exit(0)),
        drainListeners: () => undefined,
        setHealthCheckFailed: (f) => (healthCheckFailed = f),
      }),
    );
  } catch (e) {
    process.stderr.write(`Envoy exited: cannot bind the admin address: ${(e as Error).message}\n`);
    exit(1);
  }
  envoy = 'INITIALIZING';
  await sleep(knobs().startupMs ?? 0);
  if (terminating) return;
  try {
    // 15021 routes /healthz/ready (prefix) to the agent's status port: same answer.
    await open('::', envoyStatusPort, (req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname.startsWith('/healthz/ready')) return statusHandler(req, res);
      res.writeHead(404);
      res.end();
    });
    await open('::', prometheusPort, (req, res) => {
      res.writeHead(new URL(req.url ?? '/', 'http://x').pathname.startsWith('/stats/prometheus') ? 200 : 404);
      res.end();
    });
  } catch (e) {
    process.stderr.write(`Envoy exited: cannot bind a listener: ${(e as Error).message}\n`);
    exit(1);
  }
  // ready.Probe: Envoy LIVE with its configuration received.
  if (becomeReady()) {
    envoy = 'LIVE';
    ready = true;
  }
  setInterval(() => undefined, 1 << 30);
}
