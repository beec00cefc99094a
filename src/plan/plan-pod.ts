/**
 * Plans one pod template: builds the declared order against it, then compiles it with the mechanism
 * the config names, or, for `auto`, with the cluster's default, then the others in order; the first
 * without a blocking diagnostic wins. When none does, the default's diagnostics stand, with what the
 * others would have needed.
 */
import type { OrderSpec } from '../config/order-spec.js';
import type { KnownEntrypoint } from '../mechanisms/mechanism.js';
import type { Rule, Sidecar } from '../order/declaration.js';
import { autoCandidates, mechanismNamed, type MechanismName } from '../mechanisms/index.js';
import type { Mechanism, MechanismPlan, PodContext, SidecarHints } from '../mechanisms/mechanism.js';
import { outlivingSidecars } from '../mechanisms/pod-edits.js';
import { buildOrderGraph } from '../order/graph.js';
import type { PodSpecView } from '../workloads/pods.js';
import { blocks, type Diagnostic } from '../diagnostic.js';

export interface PodRequest {
  readonly workloadKind: string;
  readonly podSpec: PodSpecView;
  /** The pod template's annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly sidecars: readonly Sidecar[];
  readonly rules: readonly Rule[];
  readonly hints: SidecarHints;
  /** Image entrypoints the presets know, after the config's own. */
  readonly entrypoints: readonly KnownEntrypoint[];
  /** The named `targetPort`s of the Services that select this pod: port name → Service name. */
  readonly serviceTargetPorts: ReadonlyMap<string, string>;
}

export interface PodPlan extends MechanismPlan {
  readonly mechanism: MechanismName;
}

function sentence(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => d.message).join('; ');
}

export function planPod(spec: OrderSpec, request: PodRequest): PodPlan {
  const candidates: readonly Mechanism<MechanismName>[] =
    spec.strategy === 'auto' ? autoCandidates(spec.kubernetesVersion) : [mechanismNamed(spec.strategy)];
  const first = candidates[0]!;
  const build = buildOrderGraph(request.podSpec, request.sidecars, request.rules, request.hints.probes);
  const skipped = build.missing.map((m): Diagnostic => ({ severity: 'skipped', message: m.message }));
  if (build.problems.length > 0)
    return {
      mechanism: first.name,
      edits: [],
      steps: [],
      diagnostics: [...skipped, ...build.problems.map((p) => ({ severity: 'error' as const, ...p }))],
    };

  const pod: PodContext = {
    cluster: spec.kubernetesVersion,
    workloadKind: request.workloadKind,
    podSpec: request.podSpec,
    annotations: request.annotations,
    graph: build.graph,
    outliving: outlivingSidecars(request.podSpec, build.graph),
    timeoutSeconds: spec.timeoutSeconds,
    holdDependents: spec.holdDependents,
    helperImage: spec.helperImage,
    entrypoints: [...spec.entrypoints, ...request.entrypoints],
    hints: request.hints,
    serviceTargetPorts: request.serviceTargetPorts,
  };
  const plans = new Map<Mechanism<MechanismName>, MechanismPlan>();
  const compiled = (m: Mechanism<MechanismName>): MechanismPlan => plans.get(m) ?? plans.set(m, m.compile(pod)).get(m)!;
  const outcome = (m: Mechanism<MechanismName>, extra: readonly Diagnostic[] = []): PodPlan => {
    const plan = compiled(m);
    return { mechanism: m.name, edits: plan.edits, steps: plan.steps, diagnostics: [...skipped, ...plan.diagnostics, ...extra] };
  };

  const limits = compiled(first).diagnostics.filter(blocks);
  if (limits.length === 0 || candidates.length === 1) return outcome(first);
  for (const other of candidates.slice(1)) {
    if (compiled(other).diagnostics.some(blocks)) continue;
    return outcome(other, [
      { severity: 'info', message: `strategy auto chose ${other.name} for this pod: ${first.name} cannot do it: ${sentence(limits)}` },
    ]);
  }
  // None can: say what each other mechanism would have needed beyond what the default needs.
  const known = new Set(limits.map((d) => d.message));
  const severity = limits.some((d) => d.severity === 'error') ? 'error' : 'warning';
  const others = candidates.slice(1).flatMap((other): Diagnostic[] => {
    const own = compiled(other).diagnostics.filter((d) => blocks(d) && !known.has(d.message));
    return own.length === 0
      ? []
      : [
          {
            severity,
            message: `the ${other.name} strategy could, but ${sentence(own)}`,
            ...(own[0]!.field !== undefined ? { field: own[0]!.field } : {}),
          },
        ];
  });
  return outcome(first, others);
}
