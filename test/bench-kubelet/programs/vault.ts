/**
 * The vault CLI (/bin/vault in hashicorp/vault) as the vault-k8s injector runs it: `vault agent
 * -config=/home/vault/config.json` for the vault-agent-init and vault-agent containers
 * (hashicorp/vault-k8s agent-inject/agent/container_sidecar.go, container_init_sidecar.go: command
 * ["/bin/sh", "-ec"], no probes, no ports). Sources (hashicorp/vault): command/agent.go (exactly one
 * -config, "No auto_auth or cache block found in config file", -exit-after-auth overrides the file,
 * "==> Vault Agent shutdown triggered" on SIGTERM/SIGINT and exit 0, exit 0 once the sinks are done
 * with exit_after_auth). Vault's flags parse with Go's flag package (errors: message, exit 1).
 * There is no Vault server: auto-auth succeeds after the bench's startupMs (authMs); the sink and the
 * templates' destinations are then written with placeholder content. The agent has no health endpoint:
 * a listener exists only when the configuration has one (cache / API proxy), and the injector binds it
 * to 127.0.0.1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { becomeReady, exit, isExec, onTerminate, start } from './lib.js';
import { parseGoFlags, type FlagDef } from './flags.js';
import { knobs, listen, sleep, splitHostPort } from './support.js';

const AGENT_FLAGS: readonly FlagDef[] = [
  { name: 'config', kind: 'list' },
  { name: 'exit-after-auth', kind: 'bool' },
  { name: 'log-level', kind: 'string', def: 'info' },
  { name: 'log-format', kind: 'string', def: 'standard' },
  { name: 'log-file', kind: 'string', def: '' },
  { name: 'address', kind: 'string', def: '' },
  { name: 'ca-cert', kind: 'string', def: '' },
  { name: 'ca-path', kind: 'string', def: '' },
  { name: 'client-cert', kind: 'string', def: '' },
  { name: 'client-key', kind: 'string', def: '' },
  { name: 'tls-skip-verify', kind: 'bool' },
  { name: 'tls-server-name', kind: 'string', def: '' },
];

const [sub, ...rest] = process.argv.slice(2);
switch (sub) {
  case 'agent':
    void agent(rest);
    break;
  case 'version':
    process.stdout.write('Vault v1 (bench emulation)\n');
    process.exit(0);
  case 'token':
    // `vault token revoke -self` (the injector's preStop with revoke-on-shutdown): unconfirmed output.
    if (rest[0] === 'revoke') {
      process.stdout.write('Success! Revoked token (if it existed)\n');
      process.exit(0);
    }
    process.stderr.write(`Usage: vault token <subcommand> [options] [args]\n`);
    process.exit(1);
  default:
    // mitchellh/cli: an unknown (or no) command prints the help; unconfirmed exit status 127.
    process.stderr.write('Usage: vault <command> [args]\n\nCommon commands:\n    agent      Start a Vault agent\n');
    process.exit(127);
}

interface AgentConfig {
  readonly autoAuth: boolean;
  readonly cache: boolean;
  readonly exitAfterAuth: boolean;
  readonly pidFile?: string;
  readonly sinks: string[];
  readonly templates: string[];
  readonly listeners: { readonly address: string; readonly enableQuit: boolean }[];
}

function list(v: unknown): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
}

/** The injector writes JSON; an HCL file is read only for the keys used below (a restricted reader). */
function loadConfig(path: string): AgentConfig {
  const text = readFileSync(path, 'utf8');
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    const grab = (re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);
    return {
      autoAuth: /(^|\n)\s*"?auto_auth"?\s*=?\s*\{/.test(text),
      cache: /(^|\n)\s*"?cache"?\s*=?\s*\{/.test(text),
      exitAfterAuth: /"?exit_after_auth"?\s*=\s*true/.test(text),
      ...(grab(/"?pid_file"?\s*=\s*"([^"]*)"/g)[0] === undefined ? {} : { pidFile: grab(/"?pid_file"?\s*=\s*"([^"]*)"/g)[0]! }),
      sinks: grab(/"?path"?\s*=\s*"([^"]*)"/g),
      templates: grab(/"?destination"?\s*=\s*"([^"]*)"/g),
      listeners: grab(/"?address"?\s*=\s*"([^"]*:\d+)"/g).map((address) => ({
        address,
        enableQuit: /enable_quit"?\s*=\s*true/.test(text),
      })),
    };
  }
  const autoAuth = doc.auto_auth as Record<string, unknown> | undefined;
  return {
    autoAuth: autoAuth !== undefined && autoAuth !== null,
    cache: doc.cache !== undefined && doc.cache !== null,
    exitAfterAuth: doc.exit_after_auth === true,
    ...(typeof doc.pid_file === 'string' ? { pidFile: doc.pid_file } : {}),
    sinks: list(autoAuth?.sink)
      .map((s) => (s.config as Record<string, unknown> | undefined)?.path)
      .filter((p): p is string => typeof p === 'string'),
    templates: list(doc.template)
      .map((t) => t.destination)
      .filter((d): d is string => typeof d === 'string'),
    listeners: list(doc.listener).flatMap((l) => {
      const tcp = (l.tcp as Record<string, unknown> | undefined) ?? l;
      const address = typeof tcp.address === 'string' ? tcp.address : '127.0.0.1:8200';
      const api = (tcp.agent_api as Record<string, unknown> | undefined) ?? {};
      return [{ address, enableQuit: api.enable_quit === true }];
    }),
  };
}

function write(path: string, content: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch {
    // A destination the container cannot write: the real agent would log the template error.
  }
}

async function agent(argv: string[]): Promise<void> {
  const p = parseGoFlags(argv, AGENT_FLAGS);
  if (p.help) {
    process.stderr.write('Usage: vault agent [options]\n');
    process.exit(0);
  }
  if (p.error) {
    process.stderr.write(`${p.error}\n`);
    process.exit(1);
  }
  if (isExec) process.exit(1);
  start();
  const configs = p.values.get('config') as readonly string[];
  if (configs.length !== 1) {
    process.stderr.write('Must specify exactly one config path using -config\n');
    exit(1);
  }
  const path = configs[0]!;
  if (!existsSync(path)) {
    process.stderr.write(`Error loading configuration from ${path}: open ${path}: no such file or directory\n`);
    exit(1);
  }
  let config: AgentConfig;
  try {
    config = loadConfig(path);
  } catch (e) {
    process.stderr.write(`Error loading configuration from ${path}: ${(e as Error).message}\n`);
    exit(1);
  }
  if (!config.autoAuth && !config.cache) {
    process.stderr.write('No auto_auth or cache block found in config file\n');
    exit(1);
  }
  const exitAfterAuth = p.changed.has('exit-after-auth') ? (p.values.get('exit-after-auth') as boolean) : config.exitAfterAuth;

  onTerminate(() => {
    process.stdout.write('==> Vault Agent shutdown triggered\n');
    exit(0);
  });
  setInterval(() => undefined, 1 << 30);
  for (const l of config.listeners) {
    const hp = splitHostPort(l.address);
    if (!hp) continue;
    const server = createServer((req, res) => {
      if (l.enableQuit && new URL(req.url ?? '/', 'http://x').pathname === '/agent/v1/quit') {
        res.writeHead(req.method === 'POST' ? 200 : 405);
        res.end();
        if (req.method === 'POST') exit(0);
        return;
      }
      // Everything else is proxied to the Vault server, which the bench does not have (unconfirmed status).
      res.writeHead(502);
      res.end();
    });
    try {
      await listen(server, hp.host.replace(/^\[(.*)\]$/, '$1'), hp.port);
    } catch (e) {
      process.stderr.write(`Error starting listener: ${(e as Error).message}\n`);
      exit(1);
    }
  }
  if (config.pidFile) write(config.pidFile, String(process.pid));
  process.stdout.write('==> Vault Agent started! Log data will stream in below:\n');
  if (!config.autoAuth) return;
  const k = knobs<{ authMs: number }>();
  await sleep(k.authMs ?? k.startupMs ?? 0);
  // A scenario's neverReady: authentication keeps failing and the agent keeps retrying.
  if (!becomeReady()) return;
  for (const sink of config.sinks) write(sink, 'bench-vault-token');
  for (const dest of config.templates) write(dest, `bench: rendered secret for ${dest}\n`);
  if (exitAfterAuth) {
    process.stdout.write('[INFO]  sinks finished, exiting\n');
    exit(0);
  }
}
