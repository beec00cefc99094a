/**
 * Cloud SQL Auth Proxy v1 (`/cloud_sql_proxy`, gcr.io/cloudsql-docker/gce-proxy). Sources
 * (GoogleCloudPlatform/cloud-sql-proxy, v1 tree): cmd/cloud_sql_proxy/cloud_sql_proxy.go (flags, INSTANCES,
 * runProxy order, SIGTERM: exit 0, or 2 when connections outlive -term_timeout),
 * cmd/cloud_sql_proxy/internal/healthcheck/healthcheck.go (server on ":port", /startup /readiness
 * /liveness), README.md (-health_check_port defaults to 8090). Flags parse with Go's flag package.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { becomeReady, exit, onTerminate, reply, start } from './lib.js';
import { formatGoDuration, parseGoFlags, type FlagDef } from './flags.js';
import { drainMs, Holder, knobs, listen, sleep, waitClosed } from './support.js';

const FLAGS: readonly FlagDef[] = [
  { name: 'version', kind: 'bool' },
  { name: 'verbose', kind: 'bool', def: true },
  { name: 'quiet', kind: 'bool' },
  { name: 'log_debug_stdout', kind: 'bool' },
  { name: 'structured_logs', kind: 'bool' },
  { name: 'refresh_config_throttle', kind: 'duration', def: 60_000 },
  { name: 'check_region', kind: 'bool' },
  { name: 'dir', kind: 'string', def: '' },
  { name: 'projects', kind: 'string', def: '' },
  { name: 'instances', kind: 'list' },
  { name: 'instances_metadata', kind: 'string', def: '' },
  { name: 'fuse', kind: 'bool' },
  { name: 'fuse_tmp', kind: 'string', def: '/tmp/cloudsql-proxy-tmp' },
  { name: 'max_connections', kind: 'uint', def: 0 },
  { name: 'fd_rlimit', kind: 'uint', def: 8500 },
  { name: 'term_timeout', kind: 'duration', def: 0 },
  { name: 'token', kind: 'string', def: '' },
  { name: 'login_token', kind: 'string', def: '' },
  { name: 'credential_file', kind: 'string', def: '' },
  { name: 'ip_address_types', kind: 'string', def: 'PUBLIC,PRIVATE' },
  { name: 'enable_iam_login', kind: 'bool' },
  { name: 'skip_failed_instance_config', kind: 'bool' },
  { name: 'host', kind: 'string', def: '' },
  { name: 'quota_project', kind: 'string', def: '' },
  { name: 'use_http_health_check', kind: 'bool' },
  { name: 'health_check_port', kind: 'string', def: '8090' },
];

const p = parseGoFlags(process.argv.slice(2), FLAGS);
const usage = (): string =>
  `\nThe Cloud SQL Auth proxy allows simple, secure connectivity to Google Cloud SQL.\n\nInformation for all flags:\n${FLAGS.map((f) => `  -${f.name}\n`).join('')}`;
if (p.help) {
  // flag.ExitOnError: -h prints the usage and exits 0.
  process.stderr.write(usage());
  process.exit(0);
}
if (p.error) {
  // flag.ExitOnError: the error, the usage, exit status 2.
  process.stderr.write(`${p.error}\n${usage()}`);
  process.exit(2);
}
if (p.values.get('version')) {
  process.stdout.write('Cloud SQL Auth proxy: 1 (bench emulation)\n');
  process.exit(0);
}
void run();

function logLine(m: string): void {
  process.stderr.write(`${new Date().toISOString().replace('T', ' ').slice(0, 19)} ${m}\n`);
}

interface Listen {
  readonly name: string;
  readonly tcp?: { readonly host: string; readonly port: number };
  readonly unix?: string;
}

/** "project:region:name[=tcp:[host:]port | =unix:path]" (the -instances help text). */
function parseInstance(spec: string, dir: string): Listen | string {
  const eq = spec.indexOf('=');
  if (eq < 0) {
    if (dir === '') return `invalid instance "${spec}": no -dir to place its Unix socket in (unconfirmed message)`;
    return { name: spec, unix: join(dir, spec) };
  }
  const name = spec.slice(0, eq);
  const rest = spec.slice(eq + 1);
  const tcp = /^tcp:(?:(.*):)?(\d+)$/.exec(rest);
  if (tcp) return { name, tcp: { host: tcp[1] ?? '127.0.0.1', port: Number(tcp[2]) } };
  const unix = /^unix:(.+)$/.exec(rest);
  if (unix) return { name, unix: unix[1]!.startsWith('/') ? unix[1]! : join(dir, unix[1]!) };
  return `invalid instance "${spec}" (unconfirmed message)`;
}

async function run(): Promise<void> {
  start();
  const v = p.values;
  let started = false;
  const holders: Holder[] = [];
  let terminating = false;
  // Go's runtime: a SIGTERM before signal.Notify still stops the process; handled alike here.
  onTerminate(() => {
    if (terminating) return;
    terminating = true;
    void terminate();
  });
  let instances = [...(v.get('instances') as readonly string[])].flatMap((s) => s.split(',')).filter((s) => s !== '');
  // "if instances is blank and env var INSTANCES is supplied use it".
  if (instances.length === 0 && process.env.INSTANCES) instances = process.env.INSTANCES.split(',').filter((s) => s !== '');
  if (instances.length === 0 && v.get('instances_metadata') === '' && v.get('projects') === '' && !v.get('fuse')) {
    // gcloudProject(): the image has no gcloud.
    logLine('gcloud is not in the path and -instances and -projects are empty');
    exit(1);
  }
  if (instances.length === 0) {
    // -projects and -instances_metadata need the Admin API or the GCE metadata server: unconfirmed here.
    logLine('no Cloud SQL Instances found (the bench has no Admin API or metadata server)');
    exit(1);
  }
  const listens: Listen[] = [];
  for (const spec of instances) {
    const l = parseInstance(spec, v.get('dir') as string);
    if (typeof l === 'string') {
      logLine(l);
      exit(1);
    }
    listens.push(l);
  }

  if (v.get('use_http_health_check')) {
    // healthcheck.NewServer listens on ":"+port (every address) before the instance sockets open.
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/startup') return reply(res, started ? 200 : 503, started ? 'ok' : 'error');
      if (path === '/liveness') return reply(res, 200, 'ok');
      if (path === '/readiness') {
        const max = v.get('max_connections') as number;
        const open = holders.reduce((n, h) => n + h.open, 0);
        const ok = started && !(max > 0 && open >= max);
        return reply(res, ok ? 200 : 503, ok ? 'ok' : 'error');
      }
      reply(res, 404, '404 page not found\n');
    };
    try {
      await listen(createServer(handler), '::', Number(v.get('health_check_port')));
    } catch (e) {
      logLine(`[Health Check] Could not initialize health check server: ${(e as Error).message}`);
      exit(1);
    }
  }

  await sleep(knobs().startupMs ?? 0);
  for (const l of listens) {
    const holder = new Holder(v.get('max_connections') as number);
    try {
      if (l.tcp) {
        await listen(holder.server, l.tcp.host, l.tcp.port);
        logLine(`Listening on ${l.tcp.host}:${l.tcp.port} for ${l.name}`);
      } else {
        await new Promise<void>((resolve, reject) => {
          holder.server.once('error', reject);
          holder.server.listen(l.unix!, () => resolve());
        });
        logLine(`Listening on ${l.unix} for ${l.name}`);
      }
    } catch (e) {
      logLine((e as Error).message);
      exit(1);
    }
    holders.push(holder);
  }
  logLine('Ready for new connections');
  if (!terminating) started = becomeReady();
  setInterval(() => undefined, 1 << 30);

  async function terminate(): Promise<void> {
    const timeout = v.get('term_timeout') as number;
    logLine(`Received TERM signal. Waiting up to ${formatGoDuration(timeout)} before terminating.`);
    // proxyClient.Shutdown(termTimeout) waits for the active connections; the listeners are left
    // as they are until the process exits (unconfirmed whether v1 stops accepting first).
    const open = await waitClosed(holders, drainMs(timeout));
    if (open > 0) {
      // Unconfirmed wording (the proxy/proxy package's Shutdown error); the status 2 is main's.
      logLine(`Error during SIGTERM shutdown: ${open} active connections still exist after waiting for ${formatGoDuration(timeout)}`);
      exit(2);
    }
    exit(0);
  }
}
