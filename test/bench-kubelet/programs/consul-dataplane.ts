/**
 * consul-dataplane (/usr/local/bin/consul-dataplane in hashicorp/consul-dataplane), with the Envoy it
 * starts emulated in the same process. Sources (hashicorp/consul-dataplane):
 * cmd/consul-dataplane/main.go at d3a4c092a460fa61a006b9bbed241d7711185235 (Go `flag` set, ContinueOnError:
 * a bad flag makes run() return the error and main log.Fatal it, exit 1; `-check-proxy-health`, handled in
 * run() before any normal start-up, never starts Envoy: runProxyReadyCmd -> doHealthCheck(adminPort),
 * GET http://127.0.0.1:<adminPort>/ready with a 3 s timeout, exit 0 on a status 200-399, else exit 1,
 * a connection error included; adminPort is Envoy.AdminBindPort, default 19000, which
 * -envoy-admin-bind-port or DP_ENVOY_ADMIN_BIND_PORT override; SIGINT or SIGTERM: GracefulShutdown, then
 * Run returns). Envoy's admin listens on -envoy-admin-bind-address (default 127.0.0.1), and its `/ready`
 * answers 503 until the server is LIVE (support.ts envoyAdminHandler). Before it starts, the normal mode
 * reads the proxy's ID from -proxy-service-id-path (readServiceIDFromFile: log.Fatalf, exit 1, when the
 * file cannot be read), which consul-connect-inject-init writes. The inbound listener Envoy gets
 * from Consul's xDS is on ProxyDefaultInboundPort 20000 (hashicorp/consul-k8s
 * control-plane/connect-inject/constants), the port of the injector's TCP readinessProbe: it opens once
 * Envoy is LIVE. xDS and the Consul servers are not emulated: Envoy becomes LIVE after the bench's
 * startupMs (the real one once it has its configuration). Only the flags the injector writes
 * (hashicorp/consul-k8s webhook/consul_dataplane_sidecar.go getContainerSidecarArgs) are known.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { becomeReady, exit, onTerminate, start } from './lib.js';
import { parseGoFlags, type FlagDef } from './flags.js';
import { envoyAdminHandler, Holder, httpRequest, knobs, listen, sleep, type EnvoyState } from './support.js';

const DEFS: readonly FlagDef[] = [
  { name: 'version', kind: 'bool', def: false },
  { name: 'check-proxy-health', kind: 'bool', def: false },
  { name: 'addresses', kind: 'string' },
  { name: 'grpc-port', kind: 'int' },
  { name: 'envoy-admin-bind-address', kind: 'string' },
  { name: 'envoy-admin-bind-port', kind: 'int' },
  { name: 'envoy-ready-bind-port', kind: 'int' },
  { name: 'envoy-concurrency', kind: 'int' },
  { name: 'consul-dns-bind-addr', kind: 'string' },
  { name: 'xds-bind-addr', kind: 'string' },
  { name: 'proxy-service-id-path', kind: 'string' },
  { name: 'log-level', kind: 'string' },
  { name: 'log-json', kind: 'bool' },
  { name: 'tls-disabled', kind: 'bool' },
  { name: 'server-watch-disabled', kind: 'bool' },
  { name: 'graceful-addr', kind: 'string' },
  { name: 'graceful-port', kind: 'int' },
  { name: 'shutdown-drain-listeners', kind: 'bool' },
  { name: 'shutdown-grace-period-seconds', kind: 'int' },
  { name: 'graceful-shutdown-path', kind: 'string' },
  { name: 'startup-grace-period-seconds', kind: 'int' },
  { name: 'graceful-startup-path', kind: 'string' },
  { name: 'telemetry-prom-scrape-path', kind: 'string' },
  { name: 'telemetry-prom-merge-port', kind: 'int' },
];

const INBOUND_PORT = 20000;

const parsed = parseGoFlags(process.argv.slice(2), DEFS);
if (parsed.error !== undefined) {
  process.stderr.write(`${parsed.error}\n`);
  process.exit(1);
}
const flag = (name: string): string | undefined => {
  const v = parsed.values.get(name);
  return v === undefined ? undefined : String(v);
};
const adminPort = Number(flag('envoy-admin-bind-port') ?? process.env.DP_ENVOY_ADMIN_BIND_PORT ?? 19000);

if (parsed.values.get('check-proxy-health') === true) void checkProxyHealth();
else void run();

/** doHealthCheck: a probe run beside the program (kubelet's exec), not the container's program: no marks. */
async function checkProxyHealth(): Promise<void> {
  process.stdout.write('Checking envoy proxy health\n');
  const r = await httpRequest('GET', `http://127.0.0.1:${adminPort}/ready`, 3000);
  if (r.status === undefined) {
    process.stderr.write(`Error connecting to Envoy admin endpoint: ${r.error}\n`);
    process.exit(1);
  }
  if (r.status >= 200 && r.status < 400) {
    process.stdout.write('Envoy proxy is ready.\n');
    process.exit(0);
  }
  process.stderr.write(`Envoy proxy is not ready. Received status code: ${r.status}\n`);
  process.exit(1);
}

/** readServiceIDFromFile: the proxy's ID, which consul-connect-inject-init wrote, or log.Fatalf. */
function readServiceId(): void {
  const path = flag('proxy-service-id-path');
  if (path === undefined || path === '') return;
  try {
    readFileSync(path);
  } catch (e) {
    process.stderr.write(`failed to read given -proxy-service-id-path: ${(e as Error).message}\n`);
    exit(1);
  }
}

async function run(): Promise<void> {
  start();
  readServiceId();
  let state: EnvoyState = 'PRE_INITIALIZING';
  const inbound = new Holder();
  const stop = (): void => {
    state = 'DRAINING';
    inbound.server.close();
    exit(0);
  };
  onTerminate(stop);
  const admin = envoyAdminHandler({
    state: () => state,
    quit: stop,
    drainListeners: () => undefined,
    setHealthCheckFailed: () => undefined,
  });
  try {
    await listen(createServer(admin), flag('envoy-admin-bind-address') ?? '127.0.0.1', adminPort);
  } catch (e) {
    process.stderr.write(`envoy: cannot bind the admin address: ${(e as Error).message}\n`);
    exit(1);
  }
  await sleep(knobs().startupMs ?? 0);
  if (state !== 'PRE_INITIALIZING') return;
  if (becomeReady()) {
    state = 'LIVE';
    await listen(inbound.server, '::', INBOUND_PORT);
  }
  setInterval(() => undefined, 1 << 30);
}
