import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { KnownEntrypoint, OrderSpec, Rule, Sidecar } from '../config/order-spec.js';
import { buildOrderGraph } from '../order/graph.js';
import { compileKubeletOrder } from './compile.js';
import { compileEntrypoints } from './entrypoint.js';
import type { PlanProblem, PodPlan, PodSpecView } from './pod-plan.js';

/** What presets know of sidecars that their pod specs do not say (presets/apply.ts). */
export interface SidecarHints {
  /** Readiness of sidecars without a probe: planned with, never written as a readinessProbe. */
  readonly probes: ReadonlyMap<string, V1Probe>;
  /** postStart gates in the sidecar's own image, used instead of the helper's poll. */
  readonly waits: ReadonlyMap<string, readonly string[]>;
  /** Image entrypoints, after the config's own. */
  readonly entrypoints: readonly KnownEntrypoint[];
  /** URLs a sidecar stops on when POSTed to, for a wrapped Job sidecar. */
  readonly quits: ReadonlyMap<string, string>;
}

const NO_HINTS: SidecarHints = { probes: new Map(), waits: new Map(), entrypoints: [], quits: new Map() };

function withReadiness(podSpec: PodSpecView, probes: ReadonlyMap<string, V1Probe>): PodSpecView {
  if (probes.size === 0) return podSpec;
  const tell = (c: V1Container): V1Container => (probes.has(c.name) ? { ...c, readinessProbe: probes.get(c.name)! } : c);
  return { ...podSpec, containers: podSpec.containers.map(tell), ...(podSpec.initContainers ? { initContainers: podSpec.initContainers.map(tell) } : {}) };
}

/** The strategy `auto` starts from: what the oldest kubelet the workloads run on can do. */
export function clusterStrategy(spec: OrderSpec): 'native' | 'postStart' {
  const { major, minor } = spec.kubernetesVersion;
  return major > 1 || minor >= 29 ? 'native' : 'postStart';
}

function sentence(problems: readonly PlanProblem[]): string {
  return problems.map((p) => p.message).join('; ');
}

/**
 * Plans one pod template. `auto` uses the cluster's strategy, and the entrypoint strategy for the whole
 * pod when the cluster's cannot express the order (or cannot let a Job with sidecars complete) and the
 * entrypoint strategy can; when neither can, the problems of both are reported.
 */
export function planPod(
  config: OrderSpec,
  workloadKind: string,
  declaredPodSpec: PodSpecView,
  sidecars: readonly Sidecar[],
  rules: readonly Rule[],
  annotations: Readonly<Record<string, string>>,
  hints: SidecarHints = NO_HINTS,
): PodPlan {
  const podSpec = withReadiness(declaredPodSpec, hints.probes);
  const spec = hints.entrypoints.length > 0 ? { ...config, entrypoints: [...config.entrypoints, ...hints.entrypoints] } : config;
  const build = buildOrderGraph(podSpec, sidecars, rules);
  const notes = build.missing;
  const strategy = spec.strategy === 'auto' ? clusterStrategy(spec) : spec.strategy;
  if (build.problems.length > 0) return { strategy, edits: [], startOrder: '', problems: build.problems, notes, warnings: [] };
  if (strategy === 'entrypoint') return { ...compileEntrypoints(spec, podSpec, build.graph, hints.quits), notes };

  const plan = compileKubeletOrder(strategy, spec, workloadKind, podSpec, build.graph, annotations, hints.waits);
  const limits = plan.problems.length > 0 ? plan.problems : plan.warnings.filter((w) => w.entrypointCan);
  if (spec.strategy !== 'auto' || limits.length === 0 || !limits.every((p) => p.entrypointCan)) return { ...plan, notes };

  const alternative = compileEntrypoints(spec, podSpec, build.graph, hints.quits);
  if (alternative.problems.length === 0) return { ...alternative, notes, fallbackReason: `${strategy} cannot do it: ${sentence(limits)}` };
  const why = { message: `the entrypoint strategy could, but ${sentence(alternative.problems)}`, ...(alternative.problems[0]?.field ? { field: alternative.problems[0].field } : {}) };
  return plan.problems.length > 0 ? { ...plan, notes, problems: [...plan.problems, why] } : { ...plan, notes, warnings: [...plan.warnings, why] };
}
