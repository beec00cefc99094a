import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { orderSpec } from '../src/config/order-spec.js';
import type { Sidecar } from '../src/order/declaration.js';
import { parseOrder } from '../src/config/syntax.js';
import { applyEditsToObject } from '../src/resource-list/edit.js';
import { encodeWrapper } from '../src/protocol/wrapper.js';
import { expandLikeKubelet } from '../src/readiness/expansion.js';
import { helperContainer } from '../src/protocol/helper-container.js';
import { RUN_SH, WAIT_SH } from '../src/runtime/helper.js';
import { RUN_SCRIPT, WAIT_SCRIPT } from '../src/runtime/scripts.js';
import { BUSYBOX_CANDIDATES, DASH_CANDIDATES, requireBinary, tempDir } from './helpers.js';
import { expand } from './bench-kubelet/expansion.js';
import { kubeletArgv, startContainers, type ContainerRun } from './kubelet.js';
import { planPodView as planPod } from './plan-view.js';

interface PodInput {
  readonly containers: V1Container[];
  readonly restartPolicy?: string;
  readonly terminationGracePeriodSeconds?: number;
}

/** Plans a pod with the entrypoint strategy and returns its main containers as they would be applied. */
function entrypointPod(
  pod: PodInput,
  order: { sidecars?: Sidecar[]; order?: string; timeoutSeconds?: number; kind?: string; quits?: Record<string, string> },
): V1Container[] {
  const spec = orderSpec({
    strategy: 'entrypoint',
    timeoutSeconds: order.timeoutSeconds ?? 20,
    sidecars: order.sidecars ?? [],
    rules: order.order ? parseOrder(order.order) : [],
  });
  const template = { spec: structuredClone(pod) };
  const hints = { quits: new Map(Object.entries(order.quits ?? {})) };
  const plan = planPod(spec, order.kind ?? 'Pod', template.spec, spec.sidecars, spec.rules, {}, hints);
  assert.deepEqual(plan.problems, []);
  assert.equal(plan.strategy, 'entrypoint');
  applyEditsToObject(template, plan.edits);
  return template.spec.containers;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** SIGKILL a process and every process under it, as a container killed whole (its cgroup) would be. */
function killWhole(pid: number): void {
  const children = (p: number): number[] => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((task) =>
        readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const visit = (p: number): void => {
    // Stop first, so that no process starts another one while the tree is walked.
    try {
      process.kill(p, 'SIGSTOP');
    } catch {
      return;
    }
    all.push(p);
    for (const c of children(p)) visit(c);
  };
  visit(pid);
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function byName(runs: readonly ContainerRun[], name: string): ContainerRun {
  return runs.find((r) => r.name === name)!;
}

describe('the entrypoint wrapper, run as kubelet would run it (dash and busybox sh)', function () {
  this.timeout(60_000);

  it('survives kubelet expansion byte for byte: the script and our parameters are escaped, the program is not', () => {
    const command = encodeWrapper({
      container: 'app',
      timeoutSeconds: 5,
      after: [],
      ready: { attemptSeconds: 1, check: { kind: 'exec', command: ['sh', '-c', 'test -f $(HOME)/x && echo $$'] } },
      recordExit: false,
      program: ['/app', '--home=$(HOME)'],
    });
    const env = new Map([['HOME', '/home/app']]);
    const expanded = command.map((s) => expand(s, env));
    assert.deepEqual(expanded.slice(0, 1), [RUN_SH]);
    // The script itself travels once per pod, in the helper's command, and survives expansion too.
    const helper = helperContainer('busybox', ['wait', 'run']).command!.map((s) => expand(s, env));
    assert.deepEqual(helper.slice(6), [WAIT_SH, WAIT_SCRIPT, RUN_SH, RUN_SCRIPT]);
    assert.deepEqual(expanded.slice(-11), [
      '--ready',
      'exec',
      '--check-arg',
      'sh',
      '--check-arg',
      '-c',
      '--check-arg',
      'test -f $(HOME)/x && echo $$',
      '--',
      '/app',
      '--home=/home/app',
    ]);
  });

  it('expands as kubelet does (cases from Kubernetes expand_test.go)', () => {
    const env = new Map([
      ['VAR_A', 'A'],
      ['VAR_B', 'B'],
    ]);
    for (const [input, expected] of [
      ['$(VAR_A)-$(VAR_A)', 'A-A'],
      ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
      ['f000-$$VAR_A', 'f000-$VAR_A'],
      ['$(VAR_DNE)', '$(VAR_DNE)'],
      ['$$$$$$$(VAR_A)', '$$$A'],
      ['$VAR_A)', '$VAR_A)'],
      ['$(VAR_B)_______$(A', 'B_______$(A'],
      ['$(VAR_A)foobarzab$', 'Afoobarzab$'],
      ['$?_boo_$!', '$?_boo_$!'],
    ]) {
      assert.equal(expand(input!, env), expected, input);
      assert.equal(expandLikeKubelet(input!, env), expected, `the function's own port: ${input}`);
    }
  });

  for (const shellName of ['dash', 'busybox sh']) {
    describe(shellName, () => {
      let busybox: string;
      let shell: string[];
      let dir: string;
      let events: string;
      const env = (): { name: string; value: string }[] => [{ name: 'EVENTS', value: events }];
      /** A program: a busybox sh script that logs to the events file. */
      const program = (script: string): string[] => [busybox, 'sh', '-c', script, 'program'];
      const logged = (): string[] => readFileSync(events, 'utf8').trim().split('\n');
      const start = (containers: V1Container[], stdin?: Record<string, string>): ContainerRun[] =>
        startContainers(containers, { shell, busybox, runDir: dir, ...(stdin ? { stdin } : {}) });

      beforeEach(function () {
        busybox = requireBinary(this, 'busybox (Debian package busybox-static)', BUSYBOX_CANDIDATES);
        shell = shellName === 'dash' ? [requireBinary(this, 'dash', DASH_CANDIDATES)] : [busybox, 'sh'];
        dir = tempDir('run');
        events = join(dir, 'events.log');
        writeFileSync(events, '');
      });

      it('runs three steps one after another, each once the one before it exited 0', async () => {
        const step = (n: number): V1Container => ({
          name: `step-${n}`,
          command: program(`echo "start step-${n}" >>"$EVENTS"; sleep 0.3; echo "end step-${n}" >>"$EVENTS"`),
          env: env(),
        });
        // Listed in reverse: kubelet starts step-3 first, and the wrappers still hold it back.
        const containers = entrypointPod(
          { containers: [step(3), step(2), step(1)], restartPolicy: 'Never' },
          { order: 'step-1:Completed > step-2:Completed > step-3' },
        );
        const runs = start(containers);
        const exits = await Promise.all(runs.map((r) => r.exited));
        assert.deepEqual(
          exits.map((e) => e.code),
          [0, 0, 0],
          exits.map((e) => e.stderr).join(''),
        );
        assert.deepEqual(logged(), ['start step-1', 'end step-1', 'start step-2', 'end step-2', 'start step-3', 'end step-3']);
        assert.equal(readFileSync(join(dir, 'step-1.exit'), 'utf8'), '0\n');
      });

      it('passes a failed exit code on, and makes the steps after it fail fast with a message', async () => {
        const containers = entrypointPod(
          {
            containers: [
              { name: 'step-1', command: program('exit 3'), env: env() },
              { name: 'step-2', command: program('echo "start step-2" >>"$EVENTS"'), env: env() },
              { name: 'step-3', command: program('echo "start step-3" >>"$EVENTS"'), env: env() },
            ],
            restartPolicy: 'Never',
          },
          { order: 'step-1:Completed > step-2:Completed > step-3' },
        );
        const runs = start(containers);
        const [one, two, three] = await Promise.all(runs.map((r) => r.exited));
        assert.equal(one!.code, 3);
        assert.equal(readFileSync(join(dir, 'step-1.exit'), 'utf8'), '3\n');
        assert.equal(two!.code, 1);
        assert.equal(two!.stderr, 'order-containers: step-2: step-1 exited with code 3; not starting\n');
        assert.equal(three!.code, 1);
        assert.equal(three!.stderr, 'order-containers: step-3: step-2 exited with code 1; not starting\n');
        assert.deepEqual(logged(), ['']);
      });

      it('waits for a dependency to complete however long it takes: timeoutSeconds bounds only Started and Ready waits', async () => {
        const containers = entrypointPod(
          {
            containers: [
              { name: 'build', command: program('sleep 3; echo "build done" >>"$EVENTS"'), env: env() },
              { name: 'test', command: program('echo "start test" >>"$EVENTS"'), env: env() },
            ],
            restartPolicy: 'Never',
          },
          { order: 'build:Completed > test', timeoutSeconds: 1 },
        );
        const [build, test] = await Promise.all(start(containers).map((r) => r.exited));
        assert.equal(build!.code, 0, build!.stderr);
        assert.equal(test!.code, 0, test!.stderr);
        assert.deepEqual(logged(), ['build done', 'start test']);
      });

      it('gives up after timeoutSeconds when a dependency never gets ready', async () => {
        const containers = entrypointPod(
          {
            containers: [
              { name: 'db', command: program('sleep 30'), readinessProbe: { exec: { command: ['test', '-f', join(dir, 'never')] } } },
              { name: 'next', command: program('echo "start next" >>"$EVENTS"'), env: env() },
            ],
          },
          { order: 'db > next', timeoutSeconds: 1 },
        );
        const runs = start(containers);
        const next = await byName(runs, 'next').exited;
        killWhole(byName(runs, 'db').process.pid!);
        assert.equal(next.code, 1);
        assert.equal(next.stderr, 'order-containers: next: db was not ready after 1s; not starting\n');
        assert.deepEqual(logged(), ['']);
      });

      it('does not count against timeoutSeconds the time a dependency waits for one to complete', async () => {
        const flag = join(dir, 'server-is-ready');
        // The build outlasts the timeout twice over, while the timeout leaves the server seconds to be
        // ready once it starts: with 1 s, a loaded machine once took longer to start it (CI, four test
        // files at once on two cores), and e2e gave up for that reason, not the one under test.
        const containers = entrypointPod(
          {
            containers: [
              { name: 'build', command: program('sleep 10; echo "build done" >>"$EVENTS"'), env: env() },
              {
                name: 'server',
                command: program(`echo "server up" >>"$EVENTS"; : >"${flag}"; sleep 30`),
                env: env(),
                readinessProbe: { exec: { command: ['test', '-f', flag] } },
              },
              { name: 'e2e', command: program('echo "start e2e" >>"$EVENTS"'), env: env() },
            ],
            restartPolicy: 'Never',
          },
          { order: 'build:Completed > server > e2e', timeoutSeconds: 5 },
        );
        const runs = start(containers);
        const e2e = await byName(runs, 'e2e').exited;
        byName(runs, 'server').process.kill('SIGKILL');
        assert.equal(e2e.code, 0, e2e.stderr);
        assert.deepEqual(logged(), ['build done', 'server up', 'start e2e']);
      });

      it('stops waiting for a dependency to complete on SIGTERM, and when the dependency was killed whole', async () => {
        const containers = entrypointPod(
          {
            containers: [
              { name: 'build', command: program('echo "build up" >>"$EVENTS"; sleep 60'), env: env() },
              { name: 'test', command: program('echo "start test" >>"$EVENTS"'), env: env() },
              { name: 'lint', command: program('echo "start lint" >>"$EVENTS"'), env: env() },
            ],
            restartPolicy: 'Never',
          },
          { order: 'build:Completed > test; build:Completed > lint', timeoutSeconds: 1 },
        );
        const runs = start(containers);
        // Both wait (each leaves its waiting file) while build runs.
        while (!(existsSync(join(dir, 'test.waiting')) && existsSync(join(dir, 'lint.waiting')) && logged().includes('build up')))
          await new Promise((r) => setTimeout(r, 50));
        byName(runs, 'test').process.kill('SIGTERM');
        const test = await byName(runs, 'test').exited;
        assert.equal(test.code, 143, test.stderr);
        // build's container is killed whole (its wrapper, heartbeat and program at once): no exit file.
        killWhole(byName(runs, 'build').process.pid!);
        const lint = await byName(runs, 'lint').exited;
        assert.equal(lint.code, 1);
        assert.equal(
          lint.stderr,
          'order-containers: lint: build stopped without an exit code (its container was killed whole); not starting\n',
        );
        assert.ok(!existsSync(join(dir, 'build.exit')));
        assert.deepEqual(logged(), ['build up']);
      });

      it('starts a container once its dependency is ready, and forwards SIGTERM to the program, which exits 143', async () => {
        const flag = join(dir, 'db-is-ready');
        const containers = entrypointPod(
          {
            containers: [
              {
                name: 'app',
                command: program('echo "start app" >>"$EVENTS"'),
                env: env(),
              },
              {
                name: 'db',
                command: program(
                  `trap 'echo "db got TERM" >>"$EVENTS"; kill $!; exit 143' TERM; sleep 1; echo "db ready" >>"$EVENTS"; : >"${flag}"; sleep 30 & wait`,
                ),
                env: env(),
                readinessProbe: { exec: { command: ['test', '-f', flag] } },
              },
            ],
          },
          { order: 'db > app' },
        );
        const runs = start(containers);
        assert.equal((await byName(runs, 'app').exited).code, 0);
        assert.deepEqual(logged(), ['db ready', 'start app']);
        byName(runs, 'db').process.kill('SIGTERM');
        const db = await byName(runs, 'db').exited;
        assert.equal(db.code, 143, db.stderr);
        assert.deepEqual(logged(), ['db ready', 'start app', 'db got TERM']);
        assert.equal(readFileSync(join(dir, 'db.exit'), 'utf8'), '143\n');
      });

      it("stops a Job's sidecar once the main container exited, so the pod completes", async () => {
        const containers = entrypointPod(
          {
            containers: [
              { name: 'work', command: program('sleep 0.5; echo "work done" >>"$EVENTS"'), env: env() },
              {
                name: 'proxy',
                command: program(`trap 'echo "proxy got TERM" >>"$EVENTS"; kill $!; exit 143' TERM; sleep 30 & wait`),
                env: env(),
              },
            ],
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 5,
          },
          { sidecars: [{ name: 'proxy', waitFor: 'Started' }], kind: 'Job' },
        );
        const runs = start(containers);
        const [work, proxy] = await Promise.all(runs.map((r) => r.exited));
        assert.equal(work!.code, 0, work!.stderr);
        assert.equal(proxy!.code, 0, 'a sidecar stopped because the work is done does not fail the Job');
        assert.equal(proxy!.stderr, 'order-containers: proxy: stopped once the main containers were done (the program exited with 143)\n');
        assert.deepEqual(logged(), ['work done', 'proxy got TERM']);
        assert.ok(existsSync(join(dir, 'proxy.stopped')));
      });

      it("asks a Job's sidecar to quit through its quit endpoint before any signal", async function () {
        const port = await freePort();
        // Like pilot-agent or cloud-sql-proxy --quitquitquit: a POST stops it; SIGTERM alone would not.
        const server = `const fs = require('fs');
          const log = (line) => fs.appendFileSync(process.env.EVENTS, line + '\\n');
          process.on('SIGTERM', () => log('proxy got TERM'));
          require('http').createServer((req, res) => {
            res.end();
            if (req.method === 'POST' && req.url === '/quitquitquit') { log('proxy quit'); process.exit(0); }
          }).listen(${port}, '127.0.0.1');`;
        const containers = entrypointPod(
          {
            containers: [
              { name: 'work', command: program('sleep 1; echo "work done" >>"$EVENTS"'), env: env() },
              { name: 'proxy', command: [process.execPath, '-e', server], env: env() },
            ],
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 10,
          },
          { sidecars: [{ name: 'proxy', waitFor: 'Started' }], kind: 'Job', quits: { proxy: `http://127.0.0.1:${port}/quitquitquit` } },
        );
        const runs = startContainers(containers, { shell, busybox, runDir: dir });
        const started = Date.now();
        const [work, proxy] = await Promise.all(runs.map((r) => r.exited));
        assert.equal(work!.code, 0, work!.stderr);
        assert.equal(proxy!.code, 0, proxy!.stderr);
        assert.equal(proxy!.stderr, 'order-containers: proxy: stopped once the main containers were done (the program exited with 0)\n');
        assert.deepEqual(logged(), ['work done', 'proxy quit'], 'the POST stopped it; no signal was needed');
        assert.ok(Date.now() - started < 9_000, 'it did not wait out the grace period');
      });

      it('stops a sidecar after the main containers when the pod is deleted (SIGTERM to all at once)', async () => {
        const containers = entrypointPod(
          {
            containers: [
              {
                name: 'app',
                command: program(
                  `trap 'sleep 1; echo "app stopped" >>"$EVENTS"; kill $!; exit 0' TERM; echo "app up" >>"$EVENTS"; sleep 30 & wait`,
                ),
                env: env(),
              },
              {
                name: 'proxy',
                command: program(
                  `trap 'echo "proxy stopped" >>"$EVENTS"; kill $!; exit 0' TERM; echo "proxy up" >>"$EVENTS"; sleep 30 & wait`,
                ),
                env: env(),
              },
            ],
            terminationGracePeriodSeconds: 10,
          },
          { sidecars: [{ name: 'proxy', waitFor: 'Started' }] },
        );
        const runs = start(containers);
        // Delete the pod once both programs are running (their traps set), as kubelet would: all at once.
        while (logged().length < 2) await new Promise((r) => setTimeout(r, 50));
        for (const r of runs) r.process.kill('SIGTERM');
        const [app, proxy] = await Promise.all(runs.map((r) => r.exited));
        assert.equal(app!.code, 0, app!.stderr);
        assert.equal(proxy!.code, 0, proxy!.stderr);
        // app waits for proxy Started (its started file, written just before its program runs): the two
        // programs' first lines may come in either order. The stop order is what is under test.
        assert.deepEqual(logged().slice(0, 2).sort(), ['app up', 'proxy up']);
        assert.deepEqual(logged().slice(2), ['app stopped', 'proxy stopped']);
        assert.ok(proxy!.at >= app!.at);
      });

      it('hands names, arguments, stdin and $(VAR) references to the program exactly as kubelet would, running none of them', async () => {
        const marker = join(dir, 'pwned');
        const evil = [
          `a b`,
          `"q" 'q'`,
          `$(touch ${marker})`,
          `\`touch ${marker}\``,
          `x;touch ${marker}`,
          'line\nbreak',
          '$(GREETING)',
          '$$(GREETING)',
          '$HOME',
          '',
          '*',
        ];
        const out = join(dir, 'argv.json');
        const write = `const fs = require('fs'); fs.writeFileSync(process.env.OUT, JSON.stringify({ argv: process.argv.slice(1), stdin: fs.readFileSync(0, 'utf8') }))`;
        const original: V1Container = {
          name: `a-b`,
          command: [process.execPath, '-e', write, '--', ...evil.slice(0, 5)],
          args: evil.slice(5),
          env: [
            { name: 'OUT', value: out },
            { name: 'GREETING', value: 'hello $(OUT)' },
          ],
        };
        const containers = entrypointPod(
          { containers: [original, { name: 'proxy', command: program('sleep 30') }], terminationGracePeriodSeconds: 1 },
          { sidecars: [{ name: 'proxy', waitFor: 'Started' }] },
        );
        assert.notDeepEqual(containers[0]!.command, original.command, 'the container is wrapped');
        const runs = start(containers, { 'a-b': 'stdin $(x) `y`\n' });
        const app = await byName(runs, 'a-b').exited;
        byName(runs, 'proxy').process.kill('SIGKILL');
        assert.equal(app.code, 0, app.stderr);
        const seen = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; stdin: string };
        assert.deepEqual(seen.argv, kubeletArgv(original).slice(4));
        assert.equal(seen.argv[6], `hello ${out}`);
        assert.equal(seen.argv[7], '$(GREETING)');
        assert.equal(seen.stdin, 'stdin $(x) `y`\n');
        assert.ok(!existsSync(marker), 'no argument was run as shell code');
      });

      it('writes its files without following a link another container put in the run folder (issue 15 #16)', async () => {
        const victim = join(dir, 'victim');
        writeFileSync(victim, 'precious\n');
        // Where the wrapper writes its started and exit files, and where it used to stage the exit file.
        for (const name of ['step.started', 'step.exit', '.step.exit']) symlinkSync(victim, join(dir, name));
        const containers = entrypointPod(
          {
            containers: [
              { name: 'app', command: program('true'), env: env() },
              { name: 'step', command: program('echo "step" >>"$EVENTS"'), env: env() },
            ],
            restartPolicy: 'Never',
          },
          { order: 'step:Completed > app' },
        );
        const [app, step] = await Promise.all(start(containers).map((r) => r.exited));
        assert.equal(step!.code, 0, step!.stderr);
        assert.equal(app!.code, 0, app!.stderr);
        assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the link target is untouched');
        for (const name of ['step.started', 'step.exit'])
          assert.ok(!lstatSync(join(dir, name)).isSymbolicLink(), `${name} is a file of its own`);
      });

      it('never runs a container name as shell code', async () => {
        // Kubernetes names cannot hold a slash; the harness runs every container in the run folder.
        const marker = join(dir, 'pwned');
        const name = 'w $(touch pwned);`touch pwned`';
        const containers = entrypointPod(
          {
            containers: [
              { name, command: program('echo "work" >>"$EVENTS"'), env: env() },
              { name: 'proxy', command: program('sleep 30') },
            ],
            restartPolicy: 'Never',
          },
          { sidecars: [{ name: 'proxy', waitFor: 'Started' }], kind: 'Job' },
        );
        const runs = start(containers);
        const [work, proxy] = await Promise.all(runs.map((r) => r.exited));
        assert.equal(work!.code, 0, work!.stderr);
        assert.equal(proxy!.code, 0, proxy!.stderr);
        assert.ok(existsSync(join(dir, `${name}.exit`)));
        assert.ok(!existsSync(marker));
      });
    });
  }
});
