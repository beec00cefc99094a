/**
 * The bench kubelet's front: finds the pod templates of a manifest, makes a pod of each (with what its
 * programs must find at start, from the declared order), runs them in parallel, each as its own
 * process in its own network and mount namespaces (pod-main.ts), and collects their reports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectationsOf, type OrderConfig, type PodContainer, type PodExpectations, type WorkloadRef } from './declared.js';
import type { ImageSpec } from './image-spec.js';
import { BASE_IMAGES } from './images-base.js';
import type { ContainerFault, PodJob } from './pod.js';
import type { PodReport, V1PodSpec } from './pod-types.js';
import type { V1Container } from '@kubernetes/client-node';
import { runsToCompletion } from './rules.js';
import { SIDECAR_IMAGES } from './images-sidecars.js';

const POD_MAIN = fileURLToPath(new URL('./pod-main.js', import.meta.url));

/** Every pod of the bench has the same IP: each is alone in its network namespace. */
const POD_IP = '127.0.100.2';

type Item = Record<string, unknown>;

interface Template {
  readonly ref: WorkloadRef;
  readonly spec: V1PodSpec;
  readonly runsToCompletion: boolean;
}

function at(item: Item, path: readonly string[]): unknown {
  let v: unknown = item;
  for (const key of path) v = v && typeof v === 'object' ? (v as Item)[key] : undefined;
  return v;
}

/** Where each kind of workload holds its pod's spec (its template's metadata is beside it). */
export const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
  CloneSet: ['spec', 'template', 'spec'],
};

/** The pod templates of a manifest's items, with the workload each belongs to. */
function templatesOf(items: readonly Item[]): Template[] {
  return items.flatMap((item) => {
    const kind = item.kind as string;
    const path = TEMPLATE_PATHS[kind];
    const spec = path && (at(item, path) as V1PodSpec | undefined);
    if (!spec || !Array.isArray(spec.containers)) return [];
    const meta = (item.metadata ?? {}) as {
      name?: string;
      namespace?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    const podMeta = (kind === 'Pod' ? meta : ((at(item, path.slice(0, -1).concat('metadata')) ?? {}) as typeof meta)) ?? {};
    const ref: WorkloadRef = {
      kind,
      name: meta.name ?? '',
      namespace: meta.namespace ?? 'default',
      labels: { ...(podMeta.labels ?? {}), ...(meta.labels ?? {}) },
      annotations: meta.annotations ?? {},
    };
    return [{ ref, spec, runsToCompletion: runsToCompletion(spec) }];
  });
}

function workloadId(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

function objectsOf(items: readonly Item[]): PodJob['objects'] {
  const configMaps: Record<string, Record<string, string>> = {};
  const secrets: Record<string, Record<string, string>> = {};
  for (const item of items) {
    const meta = (item.metadata ?? {}) as { name?: string; namespace?: string };
    const key = `${meta.namespace ?? 'default'}/${meta.name}`;
    if (item.kind === 'ConfigMap') configMaps[key] = { ...((item.data as Record<string, string>) ?? {}) };
    if (item.kind === 'Secret') {
      const data = Object.fromEntries(
        Object.entries((item.data as Record<string, string>) ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
      secrets[key] = { ...data, ...((item.stringData as Record<string, string>) ?? {}) };
    }
  }
  return { configMaps, secrets };
}

/**
 * A container's variables with a value written in the manifest, as kubelet composes them
 * (kubelet_pods.go makeEnvironmentVariables): envFrom's ConfigMaps and Secrets in order, with their
 * prefix, then `env`, each later one winning.
 */
function writtenEnv(c: V1Container, namespace: string, objects: PodJob['objects']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef
      ? objects.configMaps[`${namespace}/${from.configMapRef.name}`]
      : objects.secrets[`${namespace}/${from.secretRef?.name}`];
    for (const [k, v] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

export interface BenchOptions {
  /** The declared order the manifest went through the function with. */
  readonly config: OrderConfig;
  /** Images beyond the built-in ones (sidecars, busybox); unknown images become the generic application. */
  readonly images?: readonly ImageSpec[];
  /** Faults by workload id, then container. */
  readonly faults?: Readonly<Record<string, Readonly<Record<string, ContainerFault>>>>;
  readonly runForMs?: number;
  readonly deleteAtMs?: number;
  readonly deleteAfterReadyMs?: number;
  /** kubelet's back-off is multiplied by this (default 0.05: 10 s becomes 0.5 s). */
  readonly backOffScale?: number;
  /**
   * Sidecars that the README promises, for this input, to start first without being waited for, where
   * the bench's own reading of the order cannot tell (a collector's health_check, read from its config
   * file): what waits for them requires them Started, not Ready.
   */
  readonly notWaitedFor?: readonly string[];
}

export interface BenchPod {
  readonly job: PodJob;
  /** Containers that must stop after every other main container on deletion. */
  readonly sidecars: readonly string[];
  /** Sidecars that must be stopped with the other containers on deletion, not after them. */
  readonly stopsWithApp: readonly string[];
}

function startedOnly(requires: PodExpectations['requires'], names: readonly string[]): PodExpectations['requires'] {
  return Object.fromEntries(
    Object.entries(requires).map(([c, edges]) => [
      c,
      edges.map((e) => (names.includes(e.container) && e.condition === 'Ready' ? { ...e, condition: 'Started' as const } : e)),
    ]),
  );
}

/**
 * The pods to run for `output` (what the function wrote), each judged against the manifest as the user
 * wrote it (`input`, matched by workload): its containers' names, commands and declared order.
 */
export function podsOf(output: readonly Item[], input: readonly Item[], dir: string, options: BenchOptions): BenchPod[] {
  const written = new Map(templatesOf(input).map((t) => [workloadId(t.ref), t]));
  const objects = objectsOf(output);
  return templatesOf(output).map((t, i) => {
    const id = workloadId(t.ref);
    const before = written.get(id) ?? t;
    const containers: PodContainer[] = [
      ...(before.spec.initContainers ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        init: true,
        restartable: c.restartPolicy === 'Always',
        // A native sidecar written in the manifest reads its settings from its env as a main container does.
        env: writtenEnv(c, t.ref.namespace, objects),
      })),
      ...before.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        init: false,
        env: writtenEnv(c, t.ref.namespace, objects),
      })),
    ];
    const nativeSidecars = new Set((t.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
    const expected = expectationsOf(options.config, before.ref, containers, t.runsToCompletion, nativeSidecars);
    const job: PodJob = {
      workload: id,
      podName: `${t.ref.name}-bench`,
      namespace: t.ref.namespace,
      spec: t.spec,
      podIP: POD_IP,
      dir: join(dir, `pod-${i}`),
      images: [...(options.images ?? []), ...SIDECAR_IMAGES, ...BASE_IMAGES],
      written: Object.fromEntries(
        [...(before.spec.initContainers ?? []), ...before.spec.containers].map((c) => [c.name, { command: c.command ?? undefined }]),
      ),
      requires: startedOnly(expected.requires, options.notWaitedFor ?? []),
      runs: expected.runs,
      faults: options.faults?.[id] ?? {},
      objects,
      runForMs: options.runForMs ?? 60_000,
      ...(options.deleteAtMs === undefined ? {} : { deleteAtMs: options.deleteAtMs }),
      ...(options.deleteAfterReadyMs === undefined ? {} : { deleteAfterReadyMs: options.deleteAfterReadyMs }),
      backOffScale: options.backOffScale ?? 0.05,
    };
    return { job, sidecars: expected.sidecars, stopsWithApp: expected.stopsWithApp };
  });
}

function runOne(job: PodJob): Promise<PodReport> {
  const file = `${job.dir}.json`;
  writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['--net', '--uts', '--mount', '--propagation', 'private', process.execPath, '--enable-source-maps', POD_MAIN, file],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    // A pod's own deadline ends it; this one only guards against a bench that hangs.
    const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), job.runForMs + 120_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // every process of the pod is gone
      }
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out) as PodReport);
      } catch (e) {
        reject(new Error(`bench pod ${job.workload} failed (${(e as Error).message}): ${err}`));
      }
    });
  });
}

/**
 * Runs the pods, at most `concurrency` at once, and returns their reports in order. Pods mostly wait,
 * but each program is a node process: four at once keeps a 2-core machine's exec probes in time.
 */
export async function runPods(pods: readonly BenchPod[], concurrency = 4): Promise<PodReport[]> {
  const reports = new Array<PodReport>(pods.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pods.length) {
      const i = next++;
      reports[i] = await runOne(pods[i]!.job);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pods.length) }, worker));
  return reports;
}

/** A scratch folder for a bench run; removed by `cleanUp` unless BENCH_KEEP=1. */
export function benchDir(): string {
  return mkdtempSync(join(tmpdir(), 'order-containers-bench-'));
}

export function cleanUp(dir: string): void {
  if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}

let missing: { readonly why: string | undefined } | undefined;

/** Why the bench cannot run on this machine, or undefined when it can (asked once a process). */
export function benchMissing(): string | undefined {
  missing ??= { why: whyMissing() };
  return missing.why;
}

function whyMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the bench kubelet needs root (Linux namespaces and mounts)';
  for (const tool of ['unshare', 'nsenter', 'ip', 'mount', 'hostname']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `the bench kubelet needs ${tool} (util-linux, iproute2, hostname)`;
  }
  if (BASE_IMAGES.length === 0) return 'the bench kubelet needs a static busybox (Debian: busybox-static, or $BUSYBOX) for busybox images';
  const probe = spawnSync('unshare', ['--net', '--uts', '--mount', '--pid', '--fork', 'true']);
  if (probe.status !== 0) return `this machine refuses new namespaces: ${probe.stderr?.toString().trim()}`;
  return undefined;
}
