/**
 * linkerd2-proxy-identity (/usr/lib/linkerd/linkerd2-proxy-identity, the proxy image's ENTRYPOINT from
 * Linkerd 2.11 on: linkerd/linkerd2#6228 folded the linkerd2-proxy-run script into it, and the proxy's
 * development Dockerfile still sets it with edge-25.8.2's files). Source: linkerd/linkerd2
 * proxy-identity/main.go (LINKERD2_PROXY_IDENTITY_DIR must be an existing directory, where it writes
 * key.p8 and csr.der; LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS must be set; LINKERD2_PROXY_IDENTITY_LOCAL_NAME
 * must be a fully qualified name; log.Fatalf otherwise: exit 1) and run_proxy_unix.go (then exec
 * /usr/lib/linkerd/linkerd2-proxy with no arguments, whatever its own were). The key and CSR written
 * here are stand-ins: the emulated proxy only checks that they are there. The exec is a child whose
 * signals are forwarded and whose status is returned, which is the same to the bench.
 * Before 2.11 (the same main.go then) it read the folder and name from its flags -dir and -name (a
 * flag.NewFlagSet with ExitOnError; LINKERD2_PROXY_IDENTITY_DISABLED set: exit 0 at once), the trust
 * anchors still from the variable, and returned once the files were written: the image's ENTRYPOINT,
 * proxy-identity/run-proxy.sh, then exec'd the proxy. The image entry of such a version sets
 * config { before211: true }.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoFlags } from './flags.js';
import { knobs } from './support.js';

/** logrus's Fatalf: a level=fatal line on stderr, status 1. */
function fatal(message: string): never {
  process.stderr.write(`time="${new Date().toISOString()}" level=fatal msg="${message}"\n`);
  process.exit(1);
}

const before211 = knobs<{ before211: boolean }>().before211 === true;
const flags = parseGoFlags(before211 ? process.argv.slice(2) : [], [
  { name: 'dir', kind: 'string', def: '' },
  { name: 'name', kind: 'string', def: '' },
]);
if (flags.error) {
  process.stderr.write(`${flags.error}\nUsage of linkerd2-proxy-identity:\n  -dir string\n  -name string\n`);
  process.exit(2);
}
if (before211 && (process.env.LINKERD2_PROXY_IDENTITY_DISABLED ?? '') !== '') process.exit(0);
const dir = before211 ? (flags.values.get('dir') as string) : (process.env.LINKERD2_PROXY_IDENTITY_DIR ?? '');
if (dir === '') fatal('Invalid end-entity directory: no end entity directory specified');
if (!existsSync(dir)) fatal(`Invalid end-entity directory: stat ${dir}: no such file or directory`);
if (!statSync(dir).isDirectory()) fatal(`Invalid end-entity directory: not a directory: ${dir}`);
if ((process.env.LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS ?? '') === '')
  fatal("Failed to load trust anchors: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS' must be set");
const name = before211 ? (flags.values.get('name') as string) : (process.env.LINKERD2_PROXY_IDENTITY_LOCAL_NAME ?? '');
if (name === '') fatal('a non-empty identity is required');
if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
  fatal(`${name} a fully qualified DNS name is required`);
writeFileSync(join(dir, 'key.p8'), 'bench stand-in for a PKCS#8 key\n', { mode: 0o600 });
writeFileSync(join(dir, 'csr.der'), `bench stand-in for a CSR of ${name}\n`, { mode: 0o600 });
if (before211) process.exit(0);

const proxy = spawn('/usr/lib/linkerd/linkerd2-proxy', [], { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void proxy.kill(signal));
proxy.on('error', (e) => fatal(`Failed to run proxy: ${e.message}`));
proxy.on('exit', (code, signal) => process.exit(code ?? 128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : 2)));
