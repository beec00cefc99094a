/**
 * What the tests ask of the bench kubelet: run manifests (as they are, or after the function) and read
 * the timelines back as orderings. Assertions are about the order of events and their outcomes, never
 * about how long anything took.
 */
import assert from 'node:assert/strict';
import { benchDir, benchMissing, cleanUp, podsOf, runPods, type BenchOptions, type BenchPod } from './bench.js';
import { skipOrFail } from '../helpers.js';
import { orderConfigOf } from './declared.js';
import { loadAllAsKubectl, render, renderText, type Item } from './manifests.js';
import { runsToCompletion } from './rules.js';
import type { EventKind, PodEvent, PodReport } from './pod-types.js';

/**
 * Skips the test when the bench cannot run here, naming what is missing; under REQUIRE_E2E=1 (CI) that
 * is a failure instead.
 */
export function requireBench(ctx: Mocha.Context): void {
  const missing = benchMissing();
  if (missing !== undefined) skipOrFail(ctx, missing);
}

export interface Run {
  readonly reports: readonly PodReport[];
  /** Containers that must stop after the other main containers, per pod. */
  readonly sidecars: readonly (readonly string[])[];
  /** Sidecars that must be stopped with the other main containers, per pod. */
  readonly stopsWithApp: readonly (readonly string[])[];
  /** Whether each pod runs to completion (its restartPolicy is Never or OnFailure: a Job's, say). */
  readonly completes: readonly boolean[];
}

/** The run of these pods with these reports. */
export function runOf(pods: readonly BenchPod[], reports: readonly PodReport[]): Run {
  return {
    reports,
    sidecars: pods.map((p) => p.sidecars),
    stopsWithApp: pods.map((p) => p.stopsWithApp),
    completes: pods.map((p) => runsToCompletion(p.job.spec)),
  };
}

export type ScenarioOptions = Omit<BenchOptions, 'config'> & { readonly functionConfig?: Item };

/** Runs manifests as they are on the bench kubelet. */
export async function runAsIs(items: readonly Item[], options: ScenarioOptions = {}): Promise<Run> {
  return runOn(items, items, options);
}

/** The function's output items for `items` under `functionConfig` (which must succeed). */
export function throughFunction(items: readonly Item[], functionConfig?: Item): Item[] {
  const r = render(items, functionConfig);
  if (r.status !== 0) throw new Error(`the function failed (exit ${r.status}): ${JSON.stringify(r.results)}${r.stderr}`);
  return r.items;
}

/** Runs manifests after the function, judged against the order they declare. */
export async function runRendered(items: readonly Item[], options: ScenarioOptions = {}): Promise<Run> {
  return runOn(throughFunction(items, options.functionConfig), items, options);
}

/**
 * Runs a ResourceList written as YAML text after the function, the way kpt hands it over: the function
 * reads the text itself, and the bench reads both the input and the output as kubectl would.
 */
export async function runRenderedText(text: string, options: Omit<ScenarioOptions, 'functionConfig'> = {}): Promise<Run> {
  const list = loadAllAsKubectl(text)[0] as { items: Item[]; functionConfig?: Item };
  const r = renderText(text);
  if (r.status !== 0) throw new Error(`the function failed (exit ${r.status}): ${JSON.stringify(r.results)}${r.stderr}`);
  return runOn(r.items, list.items, { ...options, ...(list.functionConfig ? { functionConfig: list.functionConfig } : {}) });
}

/** Runs `output` (what the function wrote) judged against `input` (what the user wrote). */
export async function runOn(output: readonly Item[], input: readonly Item[], options: ScenarioOptions = {}): Promise<Run> {
  const dir = benchDir();
  try {
    const pods = podsOf(output, input, dir, {
      ...options,
      config: orderConfigOf(options.functionConfig as Parameters<typeof orderConfigOf>[0]),
    });
    return runOf(pods, await runPods(pods));
  } finally {
    cleanUp(dir);
  }
}

/**
 * Runs bench scenarios at most `n` at a time (each run's pods run in parallel too): a file starts all its
 * cases at once, each awaited by its own test, without loading a 2-core machine past its deadlines.
 */
export function atMost(n: number): (f: () => Promise<Run>) => Promise<Run> {
  const queue: (() => void)[] = [];
  let active = 0;
  return async (f) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

export function eventsOf(report: PodReport, container: string, kind?: EventKind): PodEvent[] {
  return report.events.filter((e) => e.container === container && (kind === undefined || e.event === kind));
}

/** When `container` first reached `kind`, or Infinity when it never did. */
export function first(report: PodReport, container: string, kind: EventKind): number {
  return eventsOf(report, container, kind)[0]?.t ?? Number.POSITIVE_INFINITY;
}

/** When `container` last exited, or Infinity when it never did. */
export function lastExit(report: PodReport, container: string): number {
  return eventsOf(report, container, 'exited').at(-1)?.t ?? Number.POSITIVE_INFINITY;
}

/** The timeline as text, for assertion messages. */
export function show(report: PodReport): string {
  return [
    `${report.workload}: ${report.phase}, ready ${report.ready}`,
    ...report.events.map((e) => `  ${e.t} ${e.container} ${e.event}${e.code === undefined ? '' : ` ${e.code}`} ${e.detail ?? ''}`),
  ].join('\n');
}

/**
 * A healthy run: every program found what it depends on when it started, nothing restarted, each pod
 * became Ready (a Job's pod Succeeded), and (unless the mechanism cannot) on deletion the declared
 * sidecars stopped after the other main containers.
 */
export function assertHealthy(run: Run, options: { readonly stopOrder?: boolean } = {}): void {
  run.reports.forEach((r, i) => {
    assert.deepEqual(
      r.events.filter((e) => e.event === 'violation'),
      [],
      `every program found what it depends on when it started:\n${show(r)}`,
    );
    assert.deepEqual(
      r.events.filter((e) => e.event === 'restarted'),
      [],
      `nothing restarts when every program is healthy:\n${show(r)}`,
    );
    if (run.completes[i]) assert.equal(r.phase, 'Succeeded', show(r));
    else assert.ok(r.ready, `the pod becomes Ready:\n${show(r)}`);
    if (options.stopOrder === false || run.completes[i]) return;
    const sidecars = run.sidecars[i]!;
    const mains = [...new Set(r.events.map((e) => e.container))].filter(
      (c) => !sidecars.includes(c) && eventsOf(r, c, 'killed').length > 0,
    );
    for (const s of sidecars) for (const m of mains) assert.ok(lastExit(r, m) <= lastExit(r, s), `${s} stops after ${m}:\n${show(r)}`);
  });
}
