import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoDuration, parseGoFlags, parsePFlags } from './bench-kubelet/programs/flags.js';
import { SIDECAR_IMAGES } from './bench-kubelet/images-sidecars.js';
import { BASE_IMAGES } from './bench-kubelet/images-base.js';
import { globMatches } from './bench-kubelet/images.js';
import { orderSpec } from '../src/config/order-spec.js';
import { ROOT, tempDir } from './helpers.js';
import { requireBench } from './bench-kubelet/scenario.js';

const PROGRAMS = join(ROOT, 'dist', 'test', 'bench-kubelet', 'programs');
const POD_IP = '127.0.100.2';
// A deadline, not a measure, for every wait here: test files run four at a time, and on a loaded 2-core
// machine three programs starting in a fresh namespace once took 30 s (linkerd-await --shutdown), and a
// proxy's first answer once came after more than 20 s (cloud-sql-proxy, in CI).
const DEADLINE_MS = 60_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  output(): string;
}

interface Probe {
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

// An HTTP request (or a held TCP connection) made from inside the namespace.
const PROBE = `
const [method, url] = process.argv.slice(1);
const http = require('node:http');
const u = new URL(url);
const req = http.request({ method, host: u.hostname, port: u.port, path: u.pathname + u.search, timeout: 3000 }, (res) => {
  let body = '';
  res.on('data', (d) => (body += d));
  res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body })));
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => process.stdout.write(JSON.stringify({ error: e.code ?? e.message })));
req.end();
`;
const HOLD = `require('node:net').connect(Number(process.argv[2]), process.argv[1]).on('connect', () => console.log('connected')).on('error', () => process.exit(1)); setInterval(() => {}, 1000);`;

/** A network namespace (loopback up) held by a sleeping process; programs and probes enter it. */
class Netns {
  private readonly holder: ChildProcess;
  private readonly procs: ChildProcess[] = [];
  readonly self: string;
  readonly pod: string;
  constructor() {
    this.holder = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec sleep 600'], { stdio: 'ignore' });
    const dir = tempDir('bench-programs');
    this.self = join(dir, 'self');
    this.pod = join(dir, 'pod');
    mkdirSync(this.self);
    mkdirSync(this.pod);
  }

  private enter(): string[] {
    return ['--net=/proc/' + this.holder.pid + '/ns/net'];
  }

  async ready(): Promise<void> {
    await until(
      () => spawnSync('nsenter', [...this.enter(), 'ip', 'link', 'show', 'lo'], { encoding: 'utf8' }).stdout.includes('UP'),
      'namespace up',
    );
  }

  /** Writes this container's /.bench/self/container.json (name, faults). */
  container(config: object): void {
    writeFileSync(join(this.self, 'container.json'), JSON.stringify({ name: 'sidecar', podStart: Date.now(), requires: [], ...config }));
  }

  /** Runs programs/NAME.js as an image stub would: the registry config set first, then the program. */
  run(name: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; config?: unknown; exec?: boolean } = {}): Proc {
    let file = join(PROGRAMS, `${name}.js`);
    if (options.config !== undefined) {
      file = join(this.self, `${name}-stub.mjs`);
      writeFileSync(
        file,
        `globalThis.benchProgramConfig = ${JSON.stringify(options.config)};\nawait import(${JSON.stringify(join(PROGRAMS, `${name}.js`))});\n`,
      );
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      BENCH_SELF_DIR: this.self,
      BENCH_POD_DIR: this.pod,
      ...(options.exec ? { BENCH_EXEC: '1' } : {}),
      ...options.env,
    };
    const child = spawn('nsenter', [...this.enter(), process.execPath, file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { child, exited, output: () => out };
  }

  probe(method: string, url: string): Probe {
    const r = spawnSync('nsenter', [...this.enter(), process.execPath, '-e', PROBE, method, url], { encoding: 'utf8', timeout: 20_000 });
    return JSON.parse(r.stdout || '{"error":"no answer"}') as Probe;
  }

  /**
   * Opens a TCP connection from inside the namespace and keeps it until the test ends. The program may
   * not listen yet when this is called: it tries again until it connects (or the deadline has passed).
   */
  async hold(host: string, port: number): Promise<ChildProcess> {
    const end = Date.now() + DEADLINE_MS;
    for (;;) {
      const child = spawn('nsenter', [...this.enter(), process.execPath, '-e', HOLD, host, String(port)], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      this.procs.push(child);
      const connected = await new Promise<boolean>((resolve) => {
        child.stdout!.on('data', () => resolve(true));
        child.on('exit', () => resolve(false));
      });
      if (connected) return child;
      if (Date.now() > end) throw new Error(`cannot connect to ${host}:${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Polls until the probe's status is `status`. */
  async until(method: string, url: string, status: number): Promise<Probe> {
    let last: Probe = {};
    await until(
      () => (last = this.probe(method, url)).status === status,
      () => `${method} ${url} -> ${status} (last: ${JSON.stringify(last)})`,
    );
    return last;
  }

  mark(condition: 'started' | 'ready' | 'completed', name = 'program'): boolean {
    return existsSync(join(this.pod, `${name}.${condition}`));
  }

  close(): void {
    for (const p of this.procs) p.kill('SIGKILL');
    this.holder.kill('SIGKILL');
  }
}

async function until(check: () => boolean, what: string | (() => string)): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exitOf(p: Proc): Promise<Exit> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), DEADLINE_MS);
  const e = await p.exited;
  clearTimeout(timer);
  return e;
}

describe('bench sidecar programs', function () {
  this.timeout(240_000);
  let ns: Netns;
  before(function () {
    requireBench(this);
  });
  beforeEach(async () => {
    ns = new Netns();
    await ns.ready();
  });
  afterEach(() => ns.close());

  describe('flag parsers', () => {
    it('parse Go durations, Go flags and pflag as the libraries do', () => {
      assert.equal(parseGoDuration('1m30s'), 90_000);
      assert.equal(parseGoDuration('1.5s'), 1500);
      assert.equal(parseGoDuration('10'), undefined);
      const go = parseGoFlags(
        ['--instances=a', '-use_http_health_check', 'rest', '-x'],
        [
          { name: 'instances', kind: 'list' },
          { name: 'use_http_health_check', kind: 'bool' },
        ],
      );
      assert.deepEqual(go.values.get('instances'), ['a']);
      assert.equal(go.values.get('use_http_health_check'), true);
      assert.deepEqual(go.positionals, ['rest', '-x']);
      assert.equal(parseGoFlags(['-nope'], []).error, 'flag provided but not defined: -nope');
      const pf = parsePFlags(
        ['inst', '-p', '5000', '--health-check', 'inst2'],
        [
          { name: 'port', short: 'p', kind: 'int' },
          { name: 'health-check', kind: 'bool' },
        ],
      );
      assert.equal(pf.values.get('port'), 5000);
      assert.deepEqual(pf.positionals, ['inst', 'inst2']);
      assert.equal(parsePFlags(['--nope'], []).error, 'unknown flag: --nope');
    });
  });

  describe('cloud-sql-proxy (v2)', () => {
    it('listens on 127.0.0.1 at the engine port and has no health server without --health-check', async () => {
      const p = ns.run('cloud-sql-proxy', ['proj:region:db']);
      await ns.hold('127.0.0.1', 5432);
      assert.ok(ns.mark('started'));
      assert.equal(ns.probe('GET', `http://${POD_IP}:5432/`).error, 'ECONNREFUSED');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9090/startup').error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 143);
    });

    it('serves /startup, /readiness and /liveness on localhost only, unless --http-address says otherwise', async () => {
      const p = ns.run('cloud-sql-proxy', ['--health-check', '--port=6000', 'proj:region:db']);
      assert.equal((await ns.until('GET', 'http://127.0.0.1:9090/startup', 200)).body, 'ok');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9090/readiness').status, 200);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9090/liveness').status, 200);
      assert.equal(ns.probe('GET', `http://${POD_IP}:9090/startup`).error, 'ECONNREFUSED');
      assert.ok(ns.mark('ready'));
      p.child.kill('SIGTERM');
      await exitOf(p);
      const q = ns.run('cloud-sql-proxy', ['--health-check', '--http-address=0.0.0.0', 'proj:region:db']);
      await ns.until('GET', `http://${POD_IP}:9090/startup`, 200);
      q.child.kill('SIGTERM');
      await exitOf(q);
    });

    it('takes CSQL_PROXY_* variables for unset flags; a flag beats its variable', async () => {
      const env = { CSQL_PROXY_HEALTH_CHECK: 'true', CSQL_PROXY_HTTP_PORT: '9190', CSQL_PROXY_INSTANCE_CONNECTION_NAME: 'proj:region:db' };
      const p = ns.run('cloud-sql-proxy', [], { env });
      await ns.until('GET', 'http://127.0.0.1:9190/startup', 200);
      p.child.kill('SIGTERM');
      await exitOf(p);
      const q = ns.run('cloud-sql-proxy', ['--http-port=9290'], { env });
      await ns.until('GET', 'http://127.0.0.1:9290/startup', 200);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9190/startup').error, 'ECONNREFUSED');
      q.child.kill('SIGTERM');
      await exitOf(q);
    });

    it('`wait` returns 0 once /startup answers, 1 on timeout, and reads flags, not CSQL_PROXY_* variables', async () => {
      const waiting = ns.run('cloud-sql-proxy', ['wait', '--max', '30s'], { exec: true });
      const p = ns.run('cloud-sql-proxy', ['--health-check', 'proj:region:db'], { env: { CSQL_PROXY_PORT: '7000' } });
      assert.equal((await exitOf(waiting)).code, 0);
      p.child.kill('SIGTERM');
      await exitOf(p);
      const env = { CSQL_PROXY_HTTP_PORT: '9191' };
      const q = ns.run('cloud-sql-proxy', ['--health-check', 'proj:region:db'], { env });
      await ns.until('GET', 'http://127.0.0.1:9191/startup', 200);
      const failed = ns.run('cloud-sql-proxy', ['wait', '--max=1s'], { env, exec: true });
      const e = await exitOf(failed);
      assert.equal(e.code, 1);
      assert.match(failed.output(), /command failed to complete successfully/);
      assert.equal((await exitOf(ns.run('cloud-sql-proxy', ['wait', '-m', '5s', '--http-port', '9191'], { exec: true }))).code, 0);
      q.child.kill('SIGTERM');
      await exitOf(q);
    });

    it('exits 143 on SIGTERM, 0 with --exit-zero-on-sigterm, and 0 on /quitquitquit (admin server only with the flag)', async () => {
      const p = ns.run('cloud-sql-proxy', ['--exit-zero-on-sigterm', '--health-check', 'proj:region:db']);
      await ns.until('GET', 'http://127.0.0.1:9090/startup', 200);
      assert.equal(ns.probe('POST', 'http://127.0.0.1:9091/quitquitquit').error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
      assert.ok(ns.mark('completed'));
      const q = ns.run('cloud-sql-proxy', ['--quitquitquit', 'proj:region:db']);
      await ns.until('PUT', 'http://127.0.0.1:9091/quitquitquit', 400);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9091/quitquitquit').status, 200);
      assert.equal((await exitOf(q)).code, 0);
    });

    it('exits 1 when connections outlive --max-sigterm-delay', async () => {
      const p = ns.run('cloud-sql-proxy', ['--max-sigterm-delay=1s', '--health-check', 'proj:region:db']);
      await ns.until('GET', 'http://127.0.0.1:9090/startup', 200);
      await ns.hold('127.0.0.1', 5432);
      p.child.kill('SIGTERM');
      const e = await exitOf(p);
      assert.equal(e.code, 1);
      assert.match(p.output(), /1 connection\(s\) still open after waiting 1s/);
    });

    it('rejects an unknown flag and a missing instance with exit status 1', async () => {
      const p = ns.run('cloud-sql-proxy', ['--no-such-flag', 'proj:region:db']);
      assert.equal((await exitOf(p)).code, 1);
      assert.match(p.output(), /Error: unknown flag: --no-such-flag/);
      const q = ns.run('cloud-sql-proxy', []);
      assert.equal((await exitOf(q)).code, 1);
      assert.match(q.output(), /missing instance_connection_name/);
    });

    it('keeps /startup at 503 when the scenario says it never gets ready', async () => {
      ns.container({ name: 'csql', fault: { neverReady: true } });
      const p = ns.run('cloud-sql-proxy', ['--health-check', 'proj:region:db']);
      await ns.until('GET', 'http://127.0.0.1:9090/startup', 503);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9090/liveness').status, 200);
      assert.ok(ns.mark('started', 'csql'));
      assert.ok(!ns.mark('ready', 'csql'));
      p.child.kill('SIGTERM');
      await exitOf(p);
    });
  });

  describe('gce-proxy (cloud_sql_proxy v1)', () => {
    it('parses Go flags (one or two dashes), serves health on every address at 8090, exits 0 on SIGTERM', async () => {
      const p = ns.run('gce-proxy', ['--instances=proj:region:db=tcp:5432', '-use_http_health_check']);
      assert.equal((await ns.until('GET', `http://${POD_IP}:8090/readiness`, 200)).body, 'ok');
      assert.equal(ns.probe('GET', `http://${POD_IP}:8090/startup`).status, 200);
      assert.equal(ns.probe('GET', `http://${POD_IP}:5432/`).error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
    });

    it('reads INSTANCES, and exits 2 when a connection outlives -term_timeout', async () => {
      const p = ns.run('gce-proxy', ['-term_timeout=1s'], { env: { INSTANCES: 'proj:region:db=tcp:0.0.0.0:3306' } });
      await ns.hold(POD_IP, 3306);
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 2);
    });

    it('exits 2 on an unknown flag and 1 without instances', async () => {
      const p = ns.run('gce-proxy', ['-no_such_flag']);
      assert.equal((await exitOf(p)).code, 2);
      assert.match(p.output(), /flag provided but not defined: -no_such_flag/);
      const q = ns.run('gce-proxy', []);
      assert.equal((await exitOf(q)).code, 1);
    });
  });

  describe('pilot-agent (istio-proxy)', () => {
    it('answers /healthz/ready on 15020 and 15021 at the pod IP; `wait` defaults to localhost:15021', async () => {
      const waiting = ns.run('pilot-agent', ['wait', '--timeoutSeconds', '30'], { exec: true });
      const p = ns.run('pilot-agent', ['proxy', 'sidecar', '--unknown-is-allowed', 'x'], {
        env: { TERMINATION_DRAIN_DURATION_SECONDS: '0' },
      });
      assert.equal((await exitOf(waiting)).code, 0);
      assert.equal(ns.probe('GET', `http://${POD_IP}:15021/healthz/ready`).status, 200);
      assert.equal(ns.probe('GET', `http://${POD_IP}:15020/healthz/ready`).status, 200);
      assert.equal(ns.probe('GET', `http://${POD_IP}:15000/ready`).error, 'ECONNREFUSED');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:15000/ready').body, 'LIVE\n');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
    });

    it('/quitquitquit on 15020 wants POST, then stops the agent (exit 0)', async () => {
      const p = ns.run('pilot-agent', ['proxy', 'sidecar'], { env: { TERMINATION_DRAIN_DURATION_SECONDS: '0' } });
      await ns.until('GET', 'http://127.0.0.1:15020/healthz/ready', 200);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:15020/quitquitquit').status, 405);
      assert.equal(ns.probe('POST', 'http://127.0.0.1:15020/quitquitquit').status, 200);
      assert.equal((await exitOf(p)).code, 0);
    });

    it('exits 255 when `wait` times out, on an unknown `wait` flag and on a bad proxy type', async () => {
      assert.equal((await exitOf(ns.run('pilot-agent', ['wait', '--timeoutSeconds', '1'], { exec: true }))).code, 255);
      const bad = ns.run('pilot-agent', ['wait', '--max', '1s'], { exec: true });
      assert.equal((await exitOf(bad)).code, 255);
      assert.match(bad.output(), /unknown flag: --max/);
      assert.equal((await exitOf(ns.run('pilot-agent', ['proxy', 'gateway']))).code, 255);
    });

    it('drains for TERMINATION_DRAIN_DURATION_SECONDS, answering readiness meanwhile, then exits 0', async () => {
      const p = ns.run('pilot-agent', ['proxy', 'sidecar'], {
        env: { TERMINATION_DRAIN_DURATION_SECONDS: '600' },
        config: { maxDrainMs: 1500 },
      });
      await ns.until('GET', 'http://127.0.0.1:15020/healthz/ready', 200);
      p.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(p.child.exitCode, null, 'still draining');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:15020/healthz/ready').status, 200);
      assert.equal((await exitOf(p)).code, 0);
    });
  });

  describe('linkerd-proxy and linkerd-await', () => {
    it('serves the admin API on 127.0.0.1:4191 by default, on the pod IP when LINKERD2_PROXY_ADMIN_LISTEN_ADDR says so', async () => {
      const p = ns.run('linkerd-proxy', []);
      assert.equal((await ns.until('GET', 'http://127.0.0.1:4191/ready', 200)).body, 'ready\n');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:4191/live').body, 'live\n');
      assert.equal(ns.probe('GET', `http://${POD_IP}:4191/ready`).error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
      const q = ns.run('linkerd-proxy', [], { env: { LINKERD2_PROXY_ADMIN_LISTEN_ADDR: '[::]:4191' } });
      await ns.until('GET', `http://${POD_IP}:4191/ready`, 200);
      q.child.kill('SIGTERM');
      await exitOf(q);
    });

    it('/shutdown: 405 for GET, 404 unless LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED, else the proxy exits 0', async () => {
      const p = ns.run('linkerd-proxy', []);
      await ns.until('GET', 'http://127.0.0.1:4191/ready', 200);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:4191/shutdown').status, 405);
      assert.equal(ns.probe('POST', 'http://127.0.0.1:4191/shutdown').status, 404);
      p.child.kill('SIGTERM');
      await exitOf(p);
      const q = ns.run('linkerd-proxy', [], { env: { LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED: 'true' } });
      await ns.until('GET', 'http://127.0.0.1:4191/ready', 200);
      assert.equal(ns.probe('POST', 'http://127.0.0.1:4191/shutdown').body, 'shutdown\n');
      assert.equal((await exitOf(q)).code, 0);
    });

    it('with LINKERD2_PROXY_IDENTITY_DIR, the proxy needs the key and CSR its ENTRYPOINT writes there: without them it exits 64', async () => {
      const dir = join(ns.self, 'end-entity');
      mkdirSync(dir);
      const bare = ns.run('linkerd-proxy', [], { env: { LINKERD2_PROXY_IDENTITY_DIR: dir } });
      assert.equal((await exitOf(bare)).code, 64);
      assert.match(bare.output(), /Failed to read identity documents/);
      writeFileSync(join(dir, 'key.p8'), 'key');
      writeFileSync(join(dir, 'csr.der'), 'csr');
      const p = ns.run('linkerd-proxy', [], { env: { LINKERD2_PROXY_IDENTITY_DIR: dir } });
      await ns.until('GET', 'http://127.0.0.1:4191/ready', 200);
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
    });

    it('linkerd2-proxy-identity exits 1 without its folder, trust anchors or a fully qualified name', async () => {
      const dir = join(ns.self, 'identity');
      mkdirSync(dir);
      const complete = {
        LINKERD2_PROXY_IDENTITY_DIR: dir,
        LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS: 'pem',
        LINKERD2_PROXY_IDENTITY_LOCAL_NAME: 'default.shop.serviceaccount.identity.linkerd.cluster.local',
      };
      for (const [missing, message] of [
        [{ LINKERD2_PROXY_IDENTITY_DIR: undefined }, /no end entity directory specified/],
        [{ LINKERD2_PROXY_IDENTITY_DIR: join(dir, 'absent') }, /no such file or directory/],
        [{ LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS: undefined }, /must be set/],
        [{ LINKERD2_PROXY_IDENTITY_LOCAL_NAME: 'default' }, /a fully qualified DNS name is required/],
      ] as const) {
        const p = ns.run('linkerd-proxy-identity', [], { env: { ...complete, ...missing } });
        assert.equal((await exitOf(p)).code, 1, JSON.stringify(missing));
        assert.match(p.output(), message);
      }
    });

    it('linkerd2-proxy-identity before 2.11 reads -dir and -name, not the variables, and returns once the key and CSR are written', async () => {
      const dir = join(ns.self, 'identity-2.10');
      mkdirSync(dir);
      const env = { LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS: 'pem' };
      const config = { before211: true };
      const name = 'default.shop.serviceaccount.identity.linkerd.cluster.local';
      const p = ns.run('linkerd-proxy-identity', ['-dir', dir, '-name', name], { env, config });
      assert.equal((await exitOf(p)).code, 0, p.output());
      assert.ok(existsSync(join(dir, 'key.p8')) && existsSync(join(dir, 'csr.der')));
      const byVariables = ns.run('linkerd-proxy-identity', [], {
        env: { ...env, LINKERD2_PROXY_IDENTITY_DIR: dir, LINKERD2_PROXY_IDENTITY_LOCAL_NAME: name },
        config,
      });
      assert.equal((await exitOf(byVariables)).code, 1);
      assert.match(byVariables.output(), /no end entity directory specified/);
    });

    it('linkerd-await: 0 once /ready answers, 69 on --timeout, 2 on an unknown flag', async () => {
      const waiting = ns.run('linkerd-await', ['--timeout=30s', '--port=4191'], { exec: true });
      const p = ns.run('linkerd-proxy', [], { config: { startupMs: 500 } });
      assert.equal((await exitOf(waiting)).code, 0);
      p.child.kill('SIGTERM');
      await exitOf(p);
      const late = ns.run('linkerd-await', ['--timeout=1s'], { exec: true });
      assert.equal((await exitOf(late)).code, 69);
      assert.match(late.output(), /linkerd-proxy failed to become ready within 1s timeout/);
      assert.equal((await exitOf(ns.run('linkerd-await', ['--no-such-flag'], { exec: true }))).code, 2);
    });

    it("linkerd-await --shutdown runs the command, shuts the proxy down and exits with the command's status", async () => {
      const p = ns.run('linkerd-proxy', [], { env: { LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED: 'true' } });
      const job = ns.run('linkerd-await', ['--shutdown', '--', 'sh', '-c', 'exit 3']);
      assert.equal((await exitOf(job)).code, 3);
      assert.equal((await exitOf(p)).code, 0);
    });
  });

  describe('envoy', () => {
    it('serves the admin API of the bootstrap: /ready LIVE, /quitquitquit POST only, then exits 0', async () => {
      const bootstrap = join(ns.self, 'envoy.yaml');
      writeFileSync(bootstrap, 'admin:\n  address:\n    socket_address: { address: 0.0.0.0, port_value: 9901 }\n');
      const p = ns.run('envoy', ['-c', bootstrap, '--drain-time-s', '600']);
      assert.equal((await ns.until('GET', `http://${POD_IP}:9901/ready`, 200)).body, 'LIVE\n');
      assert.equal(ns.probe('GET', `http://${POD_IP}:9901/quitquitquit`).status, 405);
      assert.equal(ns.probe('POST', `http://${POD_IP}:9901/quitquitquit`).body, 'OK\n');
      assert.equal((await exitOf(p)).code, 0);
    });

    it('has no admin port without an admin block; exits 0 at once on SIGTERM whatever --drain-time-s', async () => {
      const bootstrap = join(ns.self, 'envoy.json');
      writeFileSync(
        bootstrap,
        JSON.stringify({
          static_resources: { listeners: [{ name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 10000 } } }] },
        }),
      );
      const p = ns.run('envoy', ['--config-path', bootstrap, '--drain-time-s', '600']);
      await ns.hold(POD_IP, 10000);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9901/ready').error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
    });

    it('answers /ready 503 DRAINING after /healthcheck/fail; exits 1 on an unknown flag or no configuration', async () => {
      const p = ns.run('envoy', ['--config-yaml', 'admin: {address: {socket_address: {address: 127.0.0.1, port_value: 9901}}}']);
      await ns.until('GET', 'http://127.0.0.1:9901/ready', 200);
      assert.equal(ns.probe('POST', 'http://127.0.0.1:9901/healthcheck/fail').status, 200);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:9901/ready').body, 'DRAINING\n');
      p.child.kill('SIGTERM');
      await exitOf(p);
      assert.equal((await exitOf(ns.run('envoy', ['--no-such-flag']))).code, 1);
      assert.equal((await exitOf(ns.run('envoy', []))).code, 1);
    });
  });

  describe('vault agent', () => {
    it('with exit_after_auth renders its templates and exits 0 (a completion); without it runs until SIGTERM', async () => {
      const out = join(ns.self, 'secrets');
      const config = join(ns.self, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          auto_auth: { method: { type: 'kubernetes' }, sink: [{ type: 'file', config: { path: join(out, 'token') } }] },
          exit_after_auth: true,
          template: [{ destination: join(out, 'db'), contents: '{{ . }}' }],
        }),
      );
      const init = ns.run('vault', ['agent', `-config=${config}`]);
      assert.equal((await exitOf(init)).code, 0);
      assert.ok(existsSync(join(out, 'db')) && readFileSync(join(out, 'token'), 'utf8') !== '');
      assert.ok(ns.mark('completed'));
      const sidecar = ns.run('vault', ['agent', '-config', config, '-exit-after-auth=false']);
      await until(() => sidecar.output().includes('Vault Agent started'), 'agent start');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(sidecar.child.exitCode, null);
      sidecar.child.kill('SIGTERM');
      assert.equal((await exitOf(sidecar)).code, 0);
      assert.match(sidecar.output(), /Vault Agent shutdown triggered/);
    });

    it('exits 1 without exactly one -config, on an unknown flag, and without auto_auth or cache', async () => {
      assert.equal((await exitOf(ns.run('vault', ['agent']))).code, 1);
      assert.equal((await exitOf(ns.run('vault', ['agent', '-no-such-flag']))).code, 1);
      const config = join(ns.self, 'empty.json');
      writeFileSync(config, '{"exit_after_auth": true}');
      const p = ns.run('vault', ['agent', `-config=${config}`]);
      assert.equal((await exitOf(p)).code, 1);
      assert.match(p.output(), /No auto_auth or cache block found in config file/);
    });
  });

  describe('oauth2-proxy', () => {
    const required = {
      OAUTH2_PROXY_COOKIE_SECRET: '0123456789abcdef',
      OAUTH2_PROXY_CLIENT_ID: 'id',
      OAUTH2_PROXY_CLIENT_SECRET: 'secret',
      OAUTH2_PROXY_EMAIL_DOMAINS: '*',
    };

    it('exits 1 with the list of missing settings, 2 on an unknown flag', async () => {
      const p = ns.run('oauth2-proxy', []);
      assert.equal((await exitOf(p)).code, 1);
      assert.match(
        p.output(),
        /invalid configuration:\n {2}missing setting: cookie-secret\n {2}missing setting: client-id\n {2}missing setting: client-secret or client-secret-file/,
      );
      const q = ns.run('oauth2-proxy', ['--no-such-flag']);
      assert.equal((await exitOf(q)).code, 2);
      assert.match(q.output(), /unknown flag: --no-such-flag/);
      const r = ns.run('oauth2-proxy', [], { env: { ...required, OAUTH2_PROXY_COOKIE_SECRET: 'short' } });
      assert.equal((await exitOf(r)).code, 1);
      assert.match(r.output(), /cookie_secret must be 16, 24, or 32 bytes/);
    });

    it('answers /ping on 127.0.0.1:4180 by default; OAUTH2_PROXY_HTTP_ADDRESS and --http-address move it (the flag wins)', async () => {
      const p = ns.run('oauth2-proxy', [], { env: required });
      assert.equal((await ns.until('GET', 'http://127.0.0.1:4180/ping', 200)).body, 'OK');
      assert.equal(ns.probe('GET', `http://${POD_IP}:4180/ping`).error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
      const env = { ...required, OAUTH2_PROXY_HTTP_ADDRESS: '0.0.0.0:4180' };
      const q = ns.run('oauth2-proxy', [], { env });
      await ns.until('GET', `http://${POD_IP}:4180/ready`, 200);
      q.child.kill('SIGTERM');
      await exitOf(q);
      const r = ns.run('oauth2-proxy', ['--http-address=0.0.0.0:4181'], { env });
      await ns.until('GET', `http://${POD_IP}:4181/ping`, 200);
      assert.equal(ns.probe('GET', `http://${POD_IP}:4180/ping`).error, 'ECONNREFUSED');
      r.child.kill('SIGTERM');
      await exitOf(r);
    });
  });

  describe('otelcol', () => {
    const write = (text: string): string => {
      const f = join(ns.self, `otel-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(f, text);
      return f;
    };

    it('runs health_check only when service.extensions lists it, on localhost:13133 by default', async () => {
      const p = ns.run('otelcol', ['--config', write('extensions:\n  health_check:\nservice:\n  extensions: [health_check]\n')]);
      const r = await ns.until('GET', 'http://127.0.0.1:13133/', 200);
      assert.equal((JSON.parse(r.body!) as { status: string }).status, 'Server available');
      assert.equal(ns.probe('GET', `http://${POD_IP}:13133/`).error, 'ECONNREFUSED');
      p.child.kill('SIGTERM');
      assert.equal((await exitOf(p)).code, 0);
      const q = ns.run('otelcol', ['--config', write('extensions:\n  health_check:\nservice:\n  extensions: []\n')]);
      await until(() => ns.mark('ready'), 'collector ready');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:13133/').error, 'ECONNREFUSED');
      q.child.kill('SIGTERM');
      await exitOf(q);
    });

    it('binds 0.0.0.0 with the pre-0.104 default or an explicit endpoint, and serves only its path', async () => {
      const cfg = write('extensions:\n  health_check:\nservice:\n  extensions: [health_check]\n');
      const p = ns.run('otelcol', ['--config', cfg], { config: { legacyDefaultHost: true } });
      await ns.until('GET', `http://${POD_IP}:13133/`, 200);
      p.child.kill('SIGTERM');
      await exitOf(p);
      const q = ns.run('otelcol', [
        '--config',
        write('extensions:\n  health_check:\n    endpoint: 0.0.0.0:13134\n    path: /health\nservice:\n  extensions: [health_check]\n'),
      ]);
      await ns.until('GET', `http://${POD_IP}:13134/health`, 200);
      assert.equal(ns.probe('GET', `http://${POD_IP}:13134/`).status, 404);
      q.child.kill('SIGTERM');
      await exitOf(q);
    });

    it('expands ${env:VAR} after merging its --config documents in order (the Helm chart: ${env:MY_POD_IP}:13133)', async () => {
      const base = write('extensions:\n  health_check:\n    endpoint: 127.0.0.1:13135\nservice:\n  extensions: [health_check]\n');
      const p = ns.run('otelcol', ['--config', base, '--config=yaml:extensions::health_check::endpoint: ${env:MY_POD_IP}:13136'], {
        env: { MY_POD_IP: POD_IP },
      });
      await ns.until('GET', `http://${POD_IP}:13136/`, 200);
      assert.equal(ns.probe('GET', 'http://127.0.0.1:13136/').error, 'ECONNREFUSED', 'on the pod IP only');
      assert.equal(ns.probe('GET', 'http://127.0.0.1:13135/').error, 'ECONNREFUSED', 'the later document wins');
      p.child.kill('SIGTERM');
      await exitOf(p);
    });

    it('exits 1 on an unknown flag, a missing --config and an extension that is not configured', async () => {
      assert.equal((await exitOf(ns.run('otelcol', ['--no-such-flag']))).code, 1);
      assert.equal((await exitOf(ns.run('otelcol', []))).code, 1);
      const p = ns.run('otelcol', ['--config', write('service:\n  extensions: [health_check]\n')]);
      assert.equal((await exitOf(p)).code, 1);
      assert.match(p.output(), /references extension "health_check" which is not configured/);
    });
  });

  describe('the sidecar image registry', () => {
    it('maps each sidecar reference to an image whose programs exist', () => {
      const refs: Record<string, string> = {
        'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1': '/cloud-sql-proxy',
        'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1-alpine': '/cloud-sql-proxy',
        'gcr.io/cloudsql-docker/gce-proxy:1.33.16': '/cloud_sql_proxy',
        'docker.io/istio/proxyv2:1.24.0': '/usr/local/bin/pilot-agent',
        'istio/proxyv2:1.24.0-distroless': '/usr/local/bin/pilot-agent',
        'cr.l5d.io/linkerd/proxy:edge-25.1.1': '/usr/lib/linkerd/linkerd-await',
        'cr.l5d.io/linkerd/proxy:stable-2.10.2': '/usr/bin/linkerd2-proxy-run',
        'envoyproxy/envoy:v1.32.0': '/usr/local/bin/envoy',
        'docker.io/envoyproxy/envoy:distroless-v1.32.0': '/usr/local/bin/envoy',
        'hashicorp/vault:1.18': '/bin/vault',
        'quay.io/oauth2-proxy/oauth2-proxy:v7.7.1': '/bin/oauth2-proxy',
        'otel/opentelemetry-collector-contrib:0.115.0': '/otelcol-contrib',
        'otel/opentelemetry-collector:0.115.0': '/otelcol',
        'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.153.0': '/otelcol-k8s',
      };
      const glob = (pattern: string): RegExp =>
        new RegExp(
          `^${pattern
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        );
      for (const [ref, file] of Object.entries(refs)) {
        const spec = SIDECAR_IMAGES.find((s) => glob(s.pattern).test(ref));
        assert.ok(spec, ref);
        assert.ok(file in spec.files, `${ref} has ${file}`);
        assert.ok(spec.source.length > 0);
        if (ref.endsWith('-alpine')) assert.equal(spec.base, 'distro');
        if (ref.includes('distroless')) assert.equal(spec.base, 'distroless');
      }
      for (const spec of SIDECAR_IMAGES) {
        for (const f of Object.values(spec.files)) if ('program' in f) assert.ok(existsSync(join(PROGRAMS, `${f.program}.js`)), f.program);
      }
    });

    it("gives the function's default helperImage, fully qualified and pinned, the bench's busybox", function () {
      if (BASE_IMAGES.length === 0) this.skip();
      // The registry takes the first pattern that matches, in the order bench.ts lists them.
      const ref = orderSpec().helperImage;
      const spec = [...SIDECAR_IMAGES, ...BASE_IMAGES].find((s) => globMatches(s.pattern, ref));
      assert.ok(spec && BASE_IMAGES.includes(spec), ref);
      assert.ok('/bin/busybox' in spec.files);
    });
  });
});
