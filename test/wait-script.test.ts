import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeWaitHook } from '../src/protocol/wait-hook.js';
import type { ReadinessCheck } from '../src/readiness/kinds.js';
import { BUSYBOX_CANDIDATES, DASH_CANDIDATES, requireBinary, skipOrFail, standInHelper, tempDir } from './helpers.js';

const run = promisify(execFile);

/** A run folder of this run's own for the waits that leave no mark: the helper's stand-in is made beside it. */
let scratch: string | undefined;

/** A pod's host name and its /etc/hosts file. */
interface Pod {
  readonly hostname: string;
  readonly hosts: string;
}

/** Runs the wait script exactly as the postStart hook would, under a real shell, with a stand-in busybox. */
async function wait(
  shell: string[],
  bb: string,
  name: string,
  check: ReadinessCheck,
  timeout = 2,
  runDir?: string,
  pod?: Pod,
): Promise<{ code: number; stderr: string; seconds: number }> {
  // SCRIPT FLAG...: run under the shell under test, from a stand-in of the helper's folder.
  const { waitScript } = standInHelper(runDir ?? (scratch ??= tempDir('wait')), bb);
  const readiness = { check, attemptSeconds: 1 };
  const command = encodeWaitHook({ container: name, timeoutSeconds: timeout, readiness, ...(runDir ? { marksReady: true } : {}) });
  const argv = [...shell, waitScript, ...command.slice(1)];
  // In a pod: its own host name and kubelet's /etc/hosts, in mount and UTS namespaces of its own.
  const inPod = pod
    ? [
        'unshare',
        '--mount',
        '--uts',
        'sh',
        '-c',
        'hostname "$1" && mount --bind "$2" /etc/hosts && shift 2 && exec "$@"',
        'pod',
        pod.hostname,
        pod.hosts,
        ...argv,
      ]
    : argv;
  const started = Date.now();
  try {
    const r = await run(inPod[0]!, inPod.slice(1), { timeout: 20_000 });
    return { code: 0, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr, seconds: (Date.now() - started) / 1000 };
  }
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('the wait script (dash and busybox sh)', function () {
  let http: Server;
  let httpPort: number;
  let tcp: ReturnType<typeof createTcpServer>;
  let tcpPort: number;
  let closedPort: number;
  let dir: string;
  const seen: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];

  before(async () => {
    http = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const status = /^\/status\/(\d+)$/.exec(req.url ?? '')?.[1];
      res.statusCode = status ? Number(status) : req.url === '/ready' && req.headers['x-probe'] === 'a b' ? 200 : 503;
      if (res.statusCode === 302) res.setHeader('Location', '/elsewhere');
      res.end();
    });
    httpPort = await listen(http);
    // A TCP server that never closes the connection, like a database.
    tcp = createTcpServer(() => undefined);
    tcpPort = await listen(tcp);
    const closed = createTcpServer();
    closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    dir = tempDir('wait');
  });

  after(() => {
    http.close();
    tcp.close();
  });

  for (const shellName of ['dash', 'busybox sh']) {
    describe(shellName, () => {
      let shell: string[];
      let bb: string;
      beforeEach(function () {
        const busybox = requireBinary(this, 'busybox (Debian package busybox-static)', BUSYBOX_CANDIDATES);
        // The real Debian static busybox, the one the bench kubelet's helper image has (issue 15 #8).
        bb = busybox;
        shell = shellName === 'dash' ? [requireBinary(this, 'dash', DASH_CANDIDATES)] : [busybox, 'sh'];
      });

      it('returns as soon as an http check passes, sending the headers', async () => {
        const r = await wait(shell, bb, 'proxy', {
          kind: 'http',
          host: '127.0.0.1',
          port: httpPort,
          path: '/ready',
          headers: ['X-Probe: a b'],
        });
        assert.equal(r.code, 0, r.stderr);
      });

      it('judges an HTTP answer as kubelet does: 200 to 399 is ready, anything else is not', async () => {
        const check = (status: number) =>
          wait(shell, bb, 'proxy', { kind: 'http', host: '127.0.0.1', port: httpPort, path: `/status/${status}`, headers: [] }, 1);
        for (const status of [200, 204, 302, 399]) assert.equal((await check(status)).code, 0, `${status} is ready`);
        for (const status of [404, 500, 503]) assert.equal((await check(status)).code, 1, `${status} is not`);
      });

      it("sends kubelet's request headers: the probe's own, Host as host:port unless given, a kube-probe User-Agent, Accept */*", async () => {
        seen.length = 0;
        await wait(
          shell,
          bb,
          'proxy',
          { kind: 'http', host: '127.0.0.1', port: httpPort, path: '/status/200', headers: ['X-Probe: a b'] },
          1,
        );
        const first = seen[0]!.headers;
        assert.equal(first.host, `127.0.0.1:${httpPort}`);
        assert.equal(first.accept, '*/*');
        assert.match(String(first['user-agent']), /^kube-probe\//);
        assert.equal(first['x-probe'], 'a b');
        seen.length = 0;
        await wait(
          shell,
          bb,
          'proxy',
          { kind: 'http', host: '127.0.0.1', port: httpPort, path: '/status/200', headers: ['Host: shop.example', 'Accept: text/plain'] },
          1,
        );
        assert.equal(seen[0]!.headers.host, 'shop.example');
        assert.equal(seen[0]!.headers.accept, 'text/plain');
      });

      it('fails after the deadline, naming the container, when the check never passes', async () => {
        const r = await wait(shell, bb, 'proxy', { kind: 'http', host: '127.0.0.1', port: httpPort, path: '/not-ready', headers: [] });
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr,
          'order-containers: proxy was not ready after 2s; kubelet kills it and starts the containers after it anyway\n',
        );
        assert.ok(r.seconds >= 2 && r.seconds < 8, `bounded by the timeout: ${r.seconds}s`);
      });

      it('treats a TCP connection that stays open as ready, and a refused one as not', async () => {
        assert.equal((await wait(shell, bb, 'db', { kind: 'tcp', host: '127.0.0.1', port: tcpPort })).code, 0);
        assert.equal((await wait(shell, bb, 'db', { kind: 'tcp', host: '127.0.0.1', port: closedPort })).code, 1);
      });

      it('runs an exec check with its arguments as they are', async () => {
        assert.equal((await wait(shell, bb, 'x', { kind: 'exec', command: ['test', 'a b', '=', 'a b'] })).code, 0);
        assert.equal((await wait(shell, bb, 'x', { kind: 'exec', command: ['false'] })).code, 1);
      });

      it('with a run folder (holdDependents), leaves NAME.ready once the check passes, as a file of its own', async () => {
        const run = tempDir('wait-run');
        const r = await wait(shell, bb, 'db', { kind: 'tcp', host: '127.0.0.1', port: tcpPort }, 2, run);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(lstatSync(join(run, 'db.ready')).isFile());
        assert.deepEqual(readdirSync(run), ['db.ready'], 'no temporary file is left behind');
        assert.equal(lstatSync(join(run, 'db.ready')).mode & 0o777, 0o644, 'readable by containers that run as other users');
      });

      it('replaces a link planted at NAME.ready, never writing through it', async () => {
        const run = tempDir('wait-run');
        const target = join(tempDir('wait-victim'), 'file');
        writeFileSync(target, 'untouched');
        symlinkSync(target, join(run, 'db.ready'));
        const r = await wait(shell, bb, 'db', { kind: 'tcp', host: '127.0.0.1', port: tcpPort }, 2, run);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(lstatSync(join(run, 'db.ready')).isFile(), 'the link is gone, a file of our own is there');
        assert.equal(readFileSync(target, 'utf8'), 'untouched');
      });

      it("removes an earlier run's mark, and leaves none when the check never passes", async () => {
        const run = tempDir('wait-run');
        writeFileSync(join(run, 'db.ready'), '');
        const r = await wait(shell, bb, 'db', { kind: 'tcp', host: '127.0.0.1', port: closedPort }, 1, run);
        assert.equal(r.code, 1);
        assert.ok(!existsSync(join(run, 'db.ready')), 'no mark: the containers after it go on waiting');
      });

      it('fails the gate when the mark cannot be written, since the containers after it would wait for it', async () => {
        const r = await wait(shell, bb, 'db', { kind: 'tcp', host: '127.0.0.1', port: tcpPort }, 1, join(dir, 'no-such-folder'));
        assert.equal(r.code, 1);
        assert.match(r.stderr, /order-containers: db is ready, but its ready mark could not be written in /);
      });

      it("checks a probe without a host at the pod's IP, from kubelet's /etc/hosts, as kubelet probes it", async function () {
        if (process.getuid?.() !== 0) skipOrFail(this, 'root, for mount and UTS namespaces');
        // The pod's IP: any 127/8 address on this machine's loopback; 127.0.0.1 answers nothing there.
        const podIP = '127.0.100.9';
        const onPodIP = createServer((req, res) => {
          res.statusCode = req.headers.host === `${podIP}:${port}` ? 200 : 400;
          res.end();
        });
        const port = await new Promise<number>((resolve) =>
          onPodIP.listen(0, podIP, () => resolve((onPodIP.address() as AddressInfo).port)),
        );
        try {
          const hosts = join(dir, `hosts-${shellName.replace(' ', '-')}`);
          // kubelet_pods.go managedHostsFileContent, with a subdomain.
          writeFileSync(
            hosts,
            `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n${podIP}\tweb-0.web.shop.svc.cluster.local\tweb-0\n`,
          );
          const pod = { hostname: 'web-0', hosts };
          const http = await wait(shell, bb, 'proxy', { kind: 'http', port, path: '/', headers: [] }, 2, undefined, pod);
          assert.equal(http.code, 0, `the GET went to the pod's IP, its Host header ${podIP}:${port}: ${http.stderr}`);
          assert.equal((await wait(shell, bb, 'db', { kind: 'tcp', port }, 1, undefined, pod)).code, 0);
          const other = { hostname: 'web-1', hosts };
          assert.equal((await wait(shell, bb, 'db', { kind: 'tcp', port }, 1, undefined, other)).code, 1, 'no line names web-1: 127.0.0.1');
          assert.equal((await wait(shell, bb, 'db', { kind: 'tcp', port: tcpPort }, 1, undefined, other)).code, 0, 'which answers there');
        } finally {
          onPodIP.close();
        }
      });

      it('never runs a name, URL, header or command argument as shell code', async () => {
        const marker = join(dir, `pwned-${shellName.replace(' ', '-')}`);
        const evil = `$(touch ${marker})\`touch ${marker}\`;touch ${marker}`;
        await wait(shell, bb, evil, { kind: 'http', host: '127.0.0.1', port: httpPort, path: `/${evil}`, headers: [`X: ${evil}`] }, 1);
        await wait(shell, bb, evil, { kind: 'exec', command: ['test', evil, '=', 'x'] }, 1);
        assert.ok(!existsSync(marker), 'no command in the data was run');
      });
    });
  }
});
