/**
 * oauth2-proxy (/bin/oauth2-proxy in quay.io/oauth2-proxy/oauth2-proxy). Sources (oauth2-proxy/oauth2-proxy):
 * main.go (pflag parsing with ExitOnError: an unknown flag prints pflag's error and usage, exit 2;
 * validation errors go to logger.Fatalf: exit 1), pkg/apis/options/load.go (config file, then
 * OAUTH2_PROXY_<cfg name> variables, then changed flags), legacy options flag set ("http-address"
 * default 127.0.0.1:4180), pkg/validation (the "invalid configuration:" list: cookie-secret, client-id,
 * "client-secret or client-secret-file", email-domain; cookie secret sizes), oauthproxy.go (Start: SIGTERM
 * or SIGINT cancels the server, which shuts down gracefully; exit 0). /ping (--ping-path) answers 200
 * "OK"; /ready (--ready-path) 200 "OK" once serving.
 * Only the flags listed below are known here; the real binary has more, which this emulation rejects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { becomeReady, exit, isExec, onTerminate, start } from './lib.js';
import { parsePFlags, type FlagDef, type FlagValue } from './flags.js';
import { listen } from './support.js';

type Def = FlagDef & { readonly cfg?: string };
const s = (name: string, def = '', cfg?: string): Def => ({ name, kind: 'string', def, ...(cfg ? { cfg } : {}) });
const b = (name: string, def = false): Def => ({ name, kind: 'bool', def });
const l = (name: string, cfg: string): Def => ({ name, kind: 'list', cfg });
const FLAGS: readonly Def[] = [
  s('config'),
  s('alpha-config'),
  b('convert-config-to-alpha'),
  b('version'),
  s('http-address', '127.0.0.1:4180'),
  s('https-address', ':443'),
  s('metrics-address'),
  s('metrics-secure-address'),
  s('tls-cert-file'),
  s('tls-key-file'),
  s('tls-min-version'),
  b('reverse-proxy'),
  s('provider', 'google'),
  s('provider-display-name'),
  s('client-id'),
  s('client-secret'),
  s('client-secret-file'),
  s('cookie-secret'),
  s('cookie-secret-file'),
  s('cookie-name', '_oauth2_proxy'),
  l('cookie-domain', 'cookie_domains'),
  s('cookie-path', '/'),
  { name: 'cookie-expire', kind: 'duration', def: 168 * 3_600_000 },
  { name: 'cookie-refresh', kind: 'duration', def: 0 },
  b('cookie-secure', true),
  b('cookie-httponly', true),
  s('cookie-samesite'),
  b('cookie-csrf-per-request'),
  l('email-domain', 'email_domains'),
  s('authenticated-emails-file'),
  s('htpasswd-file'),
  l('htpasswd-user-group', 'htpasswd_user_groups'),
  l('upstream', 'upstreams'),
  s('redirect-url'),
  s('proxy-prefix', '/oauth2'),
  s('ping-path', '/ping'),
  s('ready-path', '/ready'),
  s('ping-user-agent'),
  b('silence-ping-logging'),
  b('request-logging', true),
  b('standard-logging', true),
  b('auth-logging', true),
  b('gcp-healthchecks'),
  s('oidc-issuer-url'),
  s('oidc-jwks-url'),
  s('oidc-email-claim', 'email'),
  s('oidc-groups-claim', 'groups'),
  b('skip-oidc-discovery'),
  b('insecure-oidc-allow-unverified-email'),
  b('insecure-oidc-skip-issuer-verification'),
  l('extra-jwt-issuers', 'extra_jwt_issuers'),
  s('login-url'),
  s('redeem-url'),
  s('profile-url'),
  s('validate-url'),
  s('scope'),
  s('prompt'),
  s('approval-prompt', 'force'),
  s('code-challenge-method'),
  b('skip-provider-button'),
  b('set-xauthrequest'),
  b('set-authorization-header'),
  b('pass-access-token'),
  b('pass-authorization-header'),
  b('pass-user-headers', true),
  b('pass-host-header', true),
  b('pass-basic-auth', true),
  b('skip-auth-preflight'),
  b('skip-jwt-bearer-tokens'),
  b('ssl-insecure-skip-verify'),
  b('ssl-upstream-insecure-skip-verify'),
  b('force-https'),
  b('force-json-errors'),
  b('show-debug-on-error'),
  b('encode-state'),
  b('skip-claims-from-profile-url'),
  l('skip-auth-route', 'skip_auth_routes'),
  l('skip-auth-regex', 'skip_auth_regex'),
  l('api-route', 'api_routes'),
  l('whitelist-domain', 'whitelist_domains'),
  l('trusted-ip', 'trusted_ips'),
  l('allowed-group', 'allowed_groups'),
  l('allowed-role', 'allowed_roles'),
  s('session-store-type', 'cookie'),
  s('redis-connection-url'),
  s('custom-templates-dir'),
  s('custom-sign-in-logo'),
  s('banner'),
  s('footer'),
  s('real-client-ip-header', 'X-Real-IP'),
  s('user-id-claim', 'email'),
  s('github-org'),
  s('github-team'),
  s('github-repo'),
  s('github-user'),
  l('gitlab-group', 'gitlab_groups'),
  l('google-group', 'google_groups'),
  s('google-admin-email'),
  s('google-service-account-json'),
  l('keycloak-group', 'keycloak_groups'),
  s('azure-tenant', 'common'),
  s('jwt-key'),
  s('jwt-key-file'),
  s('pubjwk-url'),
  { name: 'upstream-timeout', kind: 'duration', def: 30_000 },
  { name: 'flush-interval', kind: 'duration', def: 1000 },
  s('logging-filename'),
];

/** pflag ExitOnError: the error, "Usage of oauth2-proxy:", the defaults; status 2. */
function usageExit(message: string): never {
  process.stderr.write(`${message}\nUsage of oauth2-proxy:\n${FLAGS.map((f) => `      --${f.name}\n`).join('')}`);
  process.exit(2);
}

/** logger.Fatalf: "[date] [file:line] message", status 1. */
function fatal(message: string): never {
  const d = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  process.stderr.write(
    `[${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}] [main.go:60] ${message}\n`,
  );
  exit(1);
}

const p = parsePFlags(process.argv.slice(2), FLAGS);
if (p.error) usageExit(p.error);
if (p.help) {
  // pflag ExitOnError: help requested prints the usage and exits 0.
  process.stderr.write(`Usage of oauth2-proxy:\n${FLAGS.map((f) => `      --${f.name}\n`).join('')}`);
  process.exit(0);
}
if (p.values.get('version')) {
  process.stdout.write('oauth2-proxy v7 (bench emulation)\n');
  process.exit(0);
}
if (isExec) process.exit(1);
start();

const cfgName = (f: Def): string => f.cfg ?? f.name.replace(/-/g, '_');
// Config file (TOML): only `key = "value"`, `key = true|false|number` and `key = ["a", "b"]` lines are read.
const fileValues = new Map<string, string>();
const configPath = p.values.get('config') as string;
if (configPath !== '') {
  if (!existsSync(configPath))
    fatal(`ERROR: failed to load config: unable to load config file: open ${configPath}: no such file or directory`);
  for (const line of readFileSync(configPath, 'utf8').split('\n')) {
    const m = /^\s*([a-z0-9_]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (m) fileValues.set(m[1]!, m[2]!);
  }
}
const values = new Map<string, FlagValue>(p.values);
for (const f of FLAGS) {
  if (p.changed.has(f.name)) continue;
  const env = process.env[`OAUTH2_PROXY_${cfgName(f).toUpperCase()}`];
  const fromFile = fileValues.get(cfgName(f));
  let text: string | undefined;
  let items: string[] | undefined;
  if (env !== undefined && env !== '') {
    text = env;
    // viper/cast turns a variable into a slice by splitting on whitespace.
    items = env.split(/\s+/).filter((x) => x !== '');
  } else if (fromFile !== undefined) {
    const arr = /^\[(.*)\]$/.exec(fromFile);
    items = arr ? [...arr[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!) : [fromFile.replace(/^"(.*)"$/, '$1')];
    text = items[0] ?? '';
  }
  if (text === undefined) continue;
  if (f.kind === 'list') values.set(f.name, items ?? []);
  else {
    const q = parsePFlags([`--${f.name}=${text}`], [f]);
    if (!q.error) values.set(f.name, q.values.get(f.name) as FlagValue);
  }
}
const str = (n: string): string => values.get(n) as string;

/** secretBytes: a base64 (standard or URL, padded or not) secret that decodes to a valid AES size is used decoded. */
function cookieSecretLength(secret: string): number {
  for (const enc of ['base64', 'base64url'] as const) {
    const raw = secret.replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/_-]*$/.test(raw)) continue;
    const decoded = Buffer.from(raw, enc);
    if ([16, 24, 32].includes(decoded.length)) return decoded.length;
  }
  return Buffer.byteLength(secret);
}

const msgs: string[] = [];
const cookieSecret = str('cookie-secret');
if (cookieSecret === '' && str('cookie-secret-file') === '') msgs.push('missing setting: cookie-secret');
else if (cookieSecret !== '' && ![16, 24, 32].includes(cookieSecretLength(cookieSecret))) {
  msgs.push(`cookie_secret must be 16, 24, or 32 bytes to create an AES cipher, but is ${Buffer.byteLength(cookieSecret)} bytes`);
}
if (str('client-id') === '') msgs.push('missing setting: client-id');
if (str('client-secret') === '' && str('client-secret-file') === '' && str('provider') !== 'login.gov')
  msgs.push('missing setting: client-secret or client-secret-file');
if (
  (values.get('email-domain') as readonly string[]).length === 0 &&
  str('authenticated-emails-file') === '' &&
  str('htpasswd-file') === ''
) {
  msgs.push(
    'missing setting for email validation: email-domain or authenticated-emails-file required.\n      use email-domain=* to authorize all email addresses',
  );
}
if (msgs.length > 0) fatal(`invalid configuration:\n  ${msgs.join('\n  ')}`);

void serve();

async function serve(): Promise<void> {
  const addr = str('http-address').replace(/^http:\/\//i, '');
  let ready = false;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (code: number, body: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    if (path === str('ping-path')) return text(200, 'OK');
    // Unconfirmed: the status a not-ready /ready returns (the readiness check of the session store).
    if (path === str('ready-path')) return ready ? text(200, 'OK') : text(500, 'error');
    // Unauthenticated requests are sent to sign in: 403 here (the sign-in page), unconfirmed.
    text(403, 'Forbidden');
  });
  try {
    if (/^unix:\/\//i.test(addr)) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(addr.replace(/^unix:\/\//i, ''), () => resolve());
      });
    } else {
      const m = /^(.*):(\d+)$/.exec(addr);
      if (!m) throw new Error(`invalid address ${addr}`);
      const host = m[1] === '' ? '::' : m[1]!.replace(/^\[(.*)\]$/, '$1');
      await listen(server, host, Number(m[2]));
    }
  } catch (e) {
    fatal(`ERROR: Failed to initialise OAuth2 Proxy: error setting up server: listen tcp ${addr}: ${(e as Error).message}`);
  }
  onTerminate(() => {
    server.close(() => exit(0));
    server.closeAllConnections();
  });
  ready = becomeReady();
}
