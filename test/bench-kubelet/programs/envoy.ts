/**
 * Envoy (envoyproxy/envoy images, /usr/local/bin/envoy). Sources (envoyproxy/envoy): the CLI options
 * (docs operations/cli: -c/--config-path, --config-yaml merged over it, --drain-time-s default 600,
 * --mode ...); source/server/server.cc (SIGTERM and SIGINT: "caught SIGTERM", immediate shutdown, no
 * drain: --drain-time-s applies to hot restarts and listener removal only); admin/admin.cc and
 * server_info_handler.cc (see support.ts envoyAdminHandler). The admin server exists only when the
 * bootstrap has an `admin.address`.
 * Bootstraps: JSON (.json), or YAML (.yaml/.yml, --config-yaml) in the block/flow subset support.ts
 * reads, which covers envoy's own examples (configs/envoyproxy_io_proxy.yaml). Protobuf text is not read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { becomeReady, exit, isExec, onTerminate, start } from './lib.js';
import { dig, envoyAdminHandler, Holder, knobs, listen, merge, parseYaml, sleep, type EnvoyState, type YamlValue } from './support.js';

// TCLAP ValueArgs and SwitchArgs of source/server/options_impl.cc (the ones operators use).
const VALUE_FLAGS = new Set([
  'config-path',
  'config-yaml',
  'drain-time-s',
  'parent-shutdown-time-s',
  'drain-strategy',
  'log-level',
  'component-log-level',
  'log-format',
  'log-path',
  'base-id',
  'base-id-path',
  'concurrency',
  'mode',
  'service-cluster',
  'service-node',
  'service-zone',
  'file-flush-interval-msec',
  'restart-epoch',
  'local-address-ip-version',
  'bootstrap-version',
  'disable-extensions',
  'socket-path',
  'socket-mode',
  'stats-tag',
  'admin-address-path',
]);
const SWITCHES = new Set([
  'use-dynamic-base-id',
  'hot-restart-version',
  'disable-hot-restart',
  'allow-unknown-static-fields',
  'reject-unknown-dynamic-fields',
  'ignore-unknown-dynamic-fields',
  'enable-fine-grain-logging',
  'enable-core-dump',
  'cpuset-threads',
  'log-format-escaped',
  'skip-hot-restart-on-no-parent',
  'skip-hot-restart-parent-stats',
  'enable-mutex-tracing',
  'version',
  'help',
]);
const SHORT: Record<string, string> = { c: 'config-path', l: 'log-level' };

/** main_common.cc: a MalformedArgvException is printed and the process exits 1 (wording unconfirmed). */
function malformed(message: string): never {
  process.stderr.write(
    `PARSE ERROR: ${message}\n\nBrief USAGE: \n   envoy  [options]\n\nFor complete USAGE and HELP type: \n   envoy --help\n\n`,
  );
  process.exit(1);
}

const opts = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  const long = a.startsWith('--') ? a.slice(2) : a.length === 2 && a[0] === '-' ? SHORT[a[1]!] : undefined;
  if (long === undefined) malformed(`Argument: ${a}\n             Couldn't find match for argument`);
  // TCLAP's Arg::trimFlag splits one word at the delimiter, a space: "--config-path /etc/e.yaml" is a
  // flag and its value. "--name=value" is accepted too (unconfirmed whether envoy's TCLAP takes it).
  const eq = / /.test(long) ? long.indexOf(' ') : long.indexOf('=');
  const name = eq >= 0 ? long.slice(0, eq) : long;
  if (SWITCHES.has(name)) opts.set(name, 'true');
  else if (VALUE_FLAGS.has(name)) {
    if (eq >= 0) opts.set(name, long.slice(eq + 1));
    else if (i + 1 < argv.length) opts.set(name, argv[++i]!);
    else malformed(`Argument: ${a}\n             Missing a value for this argument!`);
  } else malformed(`Argument: ${a}\n             Couldn't find match for argument`);
}
if (opts.has('version')) {
  process.stdout.write('\nenvoy  version: bench-emulation\n\n');
  process.exit(0);
}
for (const n of ['drain-time-s', 'parent-shutdown-time-s', 'concurrency', 'base-id', 'restart-epoch']) {
  const v = opts.get(n);
  if (v !== undefined && !/^\d+$/.test(v)) malformed(`Argument: (--${n})\n             Couldn't read argument value from string '${v}'`);
}
if (isExec) {
  // Only hooks that run envoy itself would land here; there is no such use.
  process.exit(1);
}

/** Loads and merges the bootstrap; an error ends Envoy as "error initializing configuration". */
function bootstrap(): YamlValue {
  const path = opts.get('config-path');
  const yaml = opts.get('config-yaml');
  if (path === undefined && yaml === undefined)
    throw new Error('At least one of --config-path or --config-yaml or Options::configProto() should be non-empty');
  let doc: YamlValue = {};
  if (path !== undefined) {
    if (!existsSync(path)) throw new Error(`Invalid path: ${path}`);
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.json')) doc = JSON.parse(text) as YamlValue;
    else if (/\.ya?ml$/.test(path)) doc = parseYaml(text);
    else throw new Error(`Unsupported config file extension for ${path} (the bench reads .json, .yaml and .yml)`);
  }
  if (yaml !== undefined) doc = merge(doc, parseYaml(yaml));
  return doc;
}

function socketAddress(addr: YamlValue | undefined): { host: string; port: number } | undefined {
  const host = dig(addr, 'socket_address', 'address');
  const port = dig(addr, 'socket_address', 'port_value');
  if (typeof host !== 'string' || typeof port !== 'number') return undefined;
  return { host, port };
}

void run();

async function run(): Promise<void> {
  start();
  let config: YamlValue;
  try {
    config = bootstrap();
  } catch (e) {
    process.stderr.write(`[critical][main] error initializing configuration '${opts.get('config-path') ?? ''}': ${(e as Error).message}\n`);
    exit(1);
  }
  let state: EnvoyState = 'PRE_INITIALIZING';
  let healthCheckFailed = false;
  const servers: Server[] = [];
  const holders: Holder[] = [];
  const shutdown = (): void => {
    for (const s of servers) s.close();
    for (const h of holders) h.close();
    // InstanceImpl::shutdown: the dispatcher exits, main returns EXIT_SUCCESS.
    setImmediate(() => exit(0));
  };
  onTerminate((signal) => {
    process.stderr.write(`[warning][main] caught ${signal}\n`);
    shutdown();
  });

  const admin = socketAddress(dig(config, 'admin', 'address'));
  if (admin) {
    const server = createServer(
      envoyAdminHandler({
        state: () => (state === 'LIVE' && healthCheckFailed ? 'DRAINING' : state),
        quit: shutdown,
        // Unconfirmed: a graceful drain keeps accepting for --drain-time-s first; closed at once here.
        drainListeners: () => {
          for (const h of holders) h.close();
        },
        setHealthCheckFailed: (f) => (healthCheckFailed = f),
      }),
    );
    try {
      await listen(server, admin.host, admin.port);
    } catch (e) {
      process.stderr.write(
        `[critical][main] error initializing configuration: cannot bind '${admin.host}:${admin.port}': ${(e as Error).message}\n`,
      );
      exit(1);
    }
    servers.push(server);
  }
  state = 'INITIALIZING';
  // The init manager: clusters and dynamic resources (the bench's startupMs), then the workers start
  // and the static listeners accept.
  await sleep(knobs().startupMs ?? 0);
  const listeners = dig(config, 'static_resources', 'listeners');
  for (const l of Array.isArray(listeners) ? listeners : []) {
    const a = socketAddress(dig(l, 'address'));
    if (!a) continue;
    const h = new Holder();
    try {
      await listen(h.server, a.host, a.port);
    } catch (e) {
      process.stderr.write(
        `[critical][main] error initializing configuration: cannot bind '${a.host}:${a.port}': ${(e as Error).message}\n`,
      );
      exit(1);
    }
    holders.push(h);
  }
  if (becomeReady()) state = 'LIVE';
  setInterval(() => undefined, 1 << 30);
}
