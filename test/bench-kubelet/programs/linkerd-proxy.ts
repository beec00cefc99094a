/**
 * linkerd2-proxy (/usr/lib/linkerd/linkerd2-proxy in cr.l5d.io/linkerd/proxy). Configured by environment
 * only. Sources (linkerd/linkerd2-proxy): linkerd/app/src/env.rs (LINKERD2_PROXY_ADMIN_LISTEN_ADDR default
 * 127.0.0.1:4191, inbound 0.0.0.0:4143, outbound 127.0.0.1:4140, control 0.0.0.0:4190,
 * LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED, LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD default 2 minutes),
 * linkerd/app/admin/src/server.rs (/live, /ready, POST /shutdown: 405, 403 off loopback, 404 when not
 * enabled, else 200 "shutdown\n"), linkerd2-proxy/src/main.rs (SIGTERM, SIGINT or /shutdown: drain for
 * up to the grace period, then return: exit 0). The injector sets the admin address to [::]:4191
 * (linkerd/linkerd2 charts/partials/templates/_proxy.tpl). Identity and discovery are not emulated: the
 * proxy becomes ready after the bench's startupMs (the real one once it has its certificate). Only the
 * start of identity is: where LINKERD2_PROXY_IDENTITY_DIR is set (the injector sets it), the key and CSR
 * the image's ENTRYPOINT writes there must be found (env.rs parse_linkerd_identity_config,
 * Documents::load: "Failed to read identity documents", an invalid configuration), so that a proxy run
 * without its ENTRYPOINT fails as the real one does; unset, identity is not checked at all (the real
 * proxy would refuse to start: its manifests on the bench leave identity out).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { becomeReady, exit, onTerminate, start } from './lib.js';
import { parseLinkerdDuration } from './flags.js';
import { drainMs, fromLoopback, Holder, knobs, listen, sleep, splitHostPort, waitClosed } from './support.js';

/** env.rs parse errors are reported all together; main exits EX_USAGE (64). */
function invalid(message: string): never {
  process.stderr.write(`Invalid configuration: ${message}\n`);
  process.exit(64);
}

function addr(name: string, def: string): { host: string; port: number } {
  const raw = process.env[name] ?? def;
  const hp = splitHostPort(raw);
  if (!hp || !/^(\[[0-9a-fA-F:.]*\]|\d{1,3}(\.\d{1,3}){3})$/.test(hp.host)) invalid(`${name}="${raw}" is not a valid socket address`);
  return { host: hp.host.replace(/^\[(.*)\]$/, '$1'), port: hp.port };
}

function bool(name: string): boolean {
  const raw = process.env[name];
  if (raw === undefined) return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return invalid(`${name}="${raw}" is not a boolean`);
}

const admin = addr('LINKERD2_PROXY_ADMIN_LISTEN_ADDR', '127.0.0.1:4191');
const inbound = addr('LINKERD2_PROXY_INBOUND_LISTEN_ADDR', '0.0.0.0:4143');
const outbound = addr('LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR', '127.0.0.1:4140');
const control = addr('LINKERD2_PROXY_CONTROL_LISTEN_ADDR', '0.0.0.0:4190');
// env.rs: parse_bool, then `enable_shutdown: shutdown_endpoint_enabled?.unwrap_or_default()`: off when
// unset; the injector writes it from proxy.enableShutdownEndpoint ("false" by default since 2.16), or
// "true" for a pod annotated config.linkerd.io/proxy-admin-shutdown: enabled (linkerd/linkerd2 35fb2d6).
const shutdownEnabled = bool('LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED');
const identityDir = process.env.LINKERD2_PROXY_IDENTITY_DIR;
if (identityDir !== undefined && !['key.p8', 'csr.der'].every((f) => existsSync(join(identityDir, f)))) {
  process.stdout.write(`ERROR linkerd_app::env: Failed to read identity documents error=No such file or directory (os error 2)\n`);
  invalid('LINKERD2_PROXY_IDENTITY_DIR has no key.p8 and csr.der');
}
const graceRaw = process.env.LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD;
const grace = graceRaw === undefined ? 120_000 : parseLinkerdDuration(graceRaw);
if (grace === undefined) invalid(`LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD="${graceRaw}" is not a valid duration`);

void run();

async function run(): Promise<void> {
  start();
  let ready = false;
  let draining = false;
  const holders = [new Holder(), new Holder(), new Holder()];
  const log = (m: string): void => void process.stdout.write(`[${process.uptime().toFixed(6)}s]  INFO ThreadId(01) linkerd2_proxy: ${m}\n`);

  const shutdown = async (how: string): Promise<void> => {
    if (draining) return;
    draining = true;
    log(how);
    // The drain: every server stops accepting, then the proxy waits for its connections, at most
    // the grace period ("Graceful shutdown did not complete in ..., terminating now").
    adminServer.close();
    for (const h of holders) h.close();
    const open = await waitClosed(holders, drainMs(grace!));
    if (open > 0)
      process.stdout.write(`WARN linkerd2_proxy: Graceful shutdown did not complete in ${graceRaw ?? '120s'}, terminating now\n`);
    exit(0);
  };
  onTerminate(() => void shutdown('Received shutdown signal'));

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (code: number, body: string): void => {
      res.writeHead(code, body === '' ? {} : { 'content-type': 'text/plain' });
      res.end(body);
    };
    switch (path) {
      case '/live':
        return text(200, 'live\n');
      case '/ready':
        return ready ? text(200, 'ready\n') : text(503, 'not ready\n');
      case '/metrics':
        return text(200, '');
      case '/shutdown':
        if (req.method !== 'POST') return text(405, '');
        if (!fromLoopback(req.socket.remoteAddress)) return text(403, 'Requests are only permitted from localhost.');
        if (!shutdownEnabled) return text(404, 'shutdown endpoint is not enabled\n');
        text(200, 'shutdown\n');
        void shutdown('Received shutdown via admin interface');
        return;
      default:
        return text(404, '');
    }
  };
  const adminServer = createServer(handler);
  try {
    await listen(adminServer, admin.host, admin.port);
    await listen(holders[0]!.server, inbound.host, inbound.port);
    await listen(holders[1]!.server, outbound.host, outbound.port);
    await listen(holders[2]!.server, control.host, control.port);
  } catch (e) {
    process.stderr.write(`Initialization failure: ${(e as Error).message}\n`);
    exit(1);
  }
  await sleep(knobs().startupMs ?? 0);
  if (!draining) ready = becomeReady();
  setInterval(() => undefined, 1 << 30);
}
