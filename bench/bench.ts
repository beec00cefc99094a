/**
 * Whole-process benchmark: the function against a js-yaml round trip and kpt-functions' no-op function,
 * measured in the same run and reported as ratios, because the machines are noisy and only ratios
 * carry from one run to the next. Then the bytes the gates and wrappers add to the output
 * (generated-bytes.ts), on the first size. Usage: npm run bench [-- --runs N --sizes 1000,10000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchBigPods } from './big-pods.js';
import { median } from './median.js';
import { BYTES_PER_CONTAINER_BOUND, generatedBytes, withoutResults, type GatingStrategy } from './generated-bytes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'src', 'main.js');
const RSS_HOOK = join(ROOT, 'bench', 'rss-hook.cjs');
const JS_YAML_ROUND_TRIP = join(ROOT, 'bench', 'js-yaml-round-trip.cjs');
const KPT_FUNCTIONS_NOOP = join(ROOT, 'bench', 'kpt-functions-noop.cjs');

/** A Deployment as people write them: comments, labels, probes, quoted strings. */
function deployment(n: number): string {
  return `- # Deployment ${n} of the shop
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: shop-${n} # service ${n}
    namespace: shop
    labels:
      app.kubernetes.io/name: shop-${n}
      app.kubernetes.io/part-of: shop
    annotations:
      internal.config.kubernetes.io/path: 'deploy/shop-${n}.yaml'
      internal.config.kubernetes.io/index: '0'
  spec:
    replicas: 3
    selector:
      matchLabels: {app.kubernetes.io/name: shop-${n}}
    template:
      metadata:
        labels:
          app.kubernetes.io/name: shop-${n}
      spec:
        containers:
        - name: app
          image: "ghcr.io/shop/app:1.${n % 50}.0"
          args: ["--port=8080", '--log-level=info']
          ports:
          - containerPort: 8080
          env:
          - name: FEATURE_FLAG
            value: "yes"
        # talks to Cloud SQL for the app
        - name: proxy
          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0
          args:
          - --health-check
          - --http-address=0.0.0.0
          readinessProbe:
            httpGet:
              path: /readiness
              port: 9090
`;
}

function other(n: number): string {
  switch (n % 3) {
    case 0:
      return `- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings-${n}
  data:
    enabled: 'on'
    script: |
      #!/bin/sh
      echo ${n}
`;
    case 1:
      return `- apiVersion: batch/v1
  kind: Job
  metadata:
    name: report-${n}
  spec:
    template:
      spec:
        restartPolicy: Never
        containers:
        - name: report
          image: ghcr.io/shop/report:2
`;
    default:
      return `- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: db-${n}
  spec:
    serviceName: db-${n}
    template:
      spec:
        containers:
        - name: db
          image: postgres:16
`;
  }
}

function resourceList(deployments: number, functionConfig: string): string {
  const items: string[] = [];
  for (let n = 0; n < deployments; n++) {
    items.push(deployment(n));
    if (n % 100 === 0) items.push(other(n / 100));
  }
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('')}${functionConfig}`;
}

/** A ContainerOrder making `proxy` a sidecar in the workloads `selector` picks. */
function containerOrder(selector: string): string {
  return `functionConfig:
  apiVersion: order-containers.dev/v1alpha1
  kind: ContainerOrder
  metadata:
    name: bench
  spec:
    selector:
      ${selector}
    sidecars:
    - name: proxy
`;
}

const TOUCH_EVERY_WORKLOAD = containerOrder('kinds: [Deployment]');
/** The same sidecar found by the cloud-sql-proxy preset (by image), with istio's injection looked up too. */
const PRESETS_EVERY_WORKLOAD = `functionConfig:
  apiVersion: order-containers.dev/v1alpha1
  kind: ContainerOrder
  metadata:
    name: bench
  spec:
    presets: [istio, cloud-sql-proxy]
`;
const SELECT_NOTHING = containerOrder('names: [no-such-workload]');

interface Sample {
  readonly ms: number;
  readonly rssKiB: number;
}

function runOnce(script: string, args: readonly string[], input: string): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', RSS_HOOK, script, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
    input: readFileSync(input),
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}: ${stderr}`);
  const m = /maxrss-kib=(\d+)/.exec(stderr);
  return { ms, rssKiB: m ? Number(m[1]) : NaN };
}

interface Case {
  readonly label: string;
  readonly script: string;
  readonly input: string;
}

/** The function's output on a ResourceList's text, without its results. */
function runCli(input: string): string {
  const r = spawnSync(process.execPath, [CLI], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the function exited ${r.status}: ${r.stderr}`);
  return withoutResults(r.stdout);
}

/** Issue 15 #23: what the gates and wrappers cost in the output, per container and once per pod. */
function printGeneratedBytes(deployments: number): void {
  console.log(
    `\ngenerated bytes, ${deployments} Deployments (issue 15 #23: at most ${BYTES_PER_CONTAINER_BOUND} per wrapped or gated container)`,
  );
  console.log(
    `${'strategy'.padEnd(12)} ${'per container'.padStart(14)} ${'bound'.padStart(6)} ${'once per pod (helper, volumes)'.padStart(31)}`,
  );
  for (const strategy of ['entrypoint', 'postStart'] as const satisfies readonly GatingStrategy[]) {
    const { perContainer, oncePerPod } = generatedBytes(runCli, deployments, strategy);
    const verdict = perContainer <= BYTES_PER_CONTAINER_BOUND ? 'ok' : 'OVER';
    console.log(
      `${strategy.padEnd(12)} ${perContainer.toFixed(0).padStart(14)} ${verdict.padStart(6)} ${oncePerPod.toFixed(0).padStart(31)}`,
    );
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      sizes: { type: 'string', default: '1000,10000' },
      'keep-inputs': { type: 'string' },
      // The big pods take a while while editing is not linear in the pod either; 0 skips them.
      'pod-runs': { type: 'string', default: '1' },
    },
  });
  const runs = Number(values.runs);
  const sizes = values.sizes!.split(',').map(Number);
  // --keep-inputs DIR leaves the generated ResourceLists there, for profiling one case by hand.
  const dir = values['keep-inputs'] ?? mkdtempSync(join(tmpdir(), 'order-containers-bench-'));
  try {
    for (const size of sizes) {
      const plain = join(dir, `plain-${size}.yaml`);
      const touch = join(dir, `touch-${size}.yaml`);
      const none = join(dir, `none-${size}.yaml`);
      writeFileSync(plain, resourceList(size, ''));
      writeFileSync(touch, resourceList(size, TOUCH_EVERY_WORKLOAD));
      writeFileSync(none, resourceList(size, SELECT_NOTHING));
      const presets = join(dir, `presets-${size}.yaml`);
      writeFileSync(presets, resourceList(size, PRESETS_EVERY_WORKLOAD));
      // The function's own output, run again: every workload is read and planned, none needs an edit.
      const ordered = join(dir, `ordered-${size}.yaml`);
      const again = spawnSync(process.execPath, [CLI, '-i', touch], { maxBuffer: 1 << 30, encoding: 'utf8' });
      if (again.status !== 0) throw new Error(`preparing ${ordered}: ${again.stderr}`);
      const orderedText = again.stdout.slice(0, again.stdout.lastIndexOf('\nresults:\n') + 1);
      writeFileSync(ordered, orderedText);
      // The same ordered list with a selector that matches nothing: its pass-through is e's baseline,
      // since ordered items are longer to read than the originals.
      const orderedNone = join(dir, `ordered-none-${size}.yaml`);
      writeFileSync(orderedNone, orderedText.slice(0, orderedText.lastIndexOf('\nfunctionConfig:\n') + 1) + SELECT_NOTHING);
      const cases: Case[] = [
        { label: 'a  pass-through, no functionConfig', script: CLI, input: plain },
        { label: "a' pass-through, selector matches none", script: CLI, input: none },
        { label: 'b  sidecar ordered in every Deployment', script: CLI, input: touch },
        { label: 'p  the same, the sidecar found by a preset', script: CLI, input: presets },
        { label: 'e  every Deployment planned, all in order', script: CLI, input: ordered },
        { label: "e' the same list, selector matches none", script: CLI, input: orderedNone },
        { label: 'c  js-yaml load + dump (baseline)', script: JS_YAML_ROUND_TRIP, input: plain },
        { label: 'd  kpt-functions no-op function', script: KPT_FUNCTIONS_NOOP, input: plain },
      ];
      const samples = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
      // Interleave the cases so that a slow spell of the machine hits all of them alike.
      for (let i = 0; i < runs + 1; i++) {
        for (const c of cases) {
          const sample = runOnce(c.script, [], c.input);
          if (i > 0) samples.get(c.label)!.push(sample);
        }
      }
      const bytes = statSync(plain).size;
      const ms = (label: string): number => median(samples.get(label)!.map((s) => s.ms));
      const rss = (label: string): number => Math.max(...samples.get(label)!.map((s) => s.rssKiB));
      console.log(`\n${size} Deployments, ${(bytes / 1e6).toFixed(1)} MB, median of ${runs} runs (after one warm-up)`);
      console.log(`${'case'.padEnd(42)} ${'median ms'.padStart(10)} ${'peak RSS MiB'.padStart(13)} ${'RSS/input'.padStart(10)}`);
      for (const c of cases) {
        console.log(
          `${c.label.padEnd(42)} ${ms(c.label).toFixed(0).padStart(10)} ${(rss(c.label) / 1024).toFixed(0).padStart(13)} ${((rss(c.label) * 1024) / bytes).toFixed(1).padStart(10)}`,
        );
      }
      const [a, a2, b, p, e, e2, c, d] = cases.map((x) => ms(x.label)) as [number, number, number, number, number, number, number, number];
      console.log(
        `ratios: a/c ${(a / c).toFixed(2)}  b/c ${(b / c).toFixed(2)}  a/d ${(a / d).toFixed(2)}  b/d ${(b / d).toFixed(2)}  ` +
          `ordering work e/e' ${(e / e2).toFixed(2)}  edits b/a' ${(b / a2).toFixed(2)}  presets p/b ${(p / b).toFixed(2)}`,
      );
    }
    printGeneratedBytes(sizes[0]!);
    const podRuns = Number(values['pod-runs']);
    if (podRuns > 0) benchBigPods(dir, podRuns, (input) => runOnce(CLI, [], input).ms, writeFileSync);
  } finally {
    if (values['keep-inputs'] === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

main();
