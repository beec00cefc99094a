/**
 * The planner's answer for one pod, as the tests read it: problems (errors), notes (skipped parts of
 * the declaration), warnings, news (info, but for auto's choice), the start order as results say it, and
 * why `auto` chose another mechanism.
 */
import type { V1Probe } from '@kubernetes/client-node';
import type { OrderSpec } from '../src/config/order-spec.js';
import type { KnownEntrypoint } from '../src/mechanisms/mechanism.js';
import type { Rule, Sidecar } from '../src/order/declaration.js';
import type { Diagnostic } from '../src/diagnostic.js';
import { planPod } from '../src/plan/plan-pod.js';
import { formatSteps } from '../src/protocol/applied.js';
import type { PodSpecView } from '../src/workloads/pods.js';

export interface Hints {
  readonly probes?: ReadonlyMap<string, V1Probe>;
  readonly waits?: ReadonlyMap<string, readonly string[]>;
  readonly entrypoints?: readonly KnownEntrypoint[];
  readonly quits?: ReadonlyMap<string, string>;
  readonly initsFirst?: ReadonlySet<string>;
  /** The named targetPorts of the Services that select the pod: port name → Service name. */
  readonly serviceTargetPorts?: ReadonlyMap<string, string>;
}

type Said = { readonly message: string; readonly field?: string };

const FALLBACK = /^strategy auto chose \S+ for this pod: /;

export function planPodView(
  spec: OrderSpec,
  workloadKind: string,
  podSpec: PodSpecView,
  sidecars: readonly Sidecar[],
  rules: readonly Rule[],
  annotations: Readonly<Record<string, string>>,
  hints: Hints = {},
) {
  const plan = planPod(spec, {
    workloadKind,
    podSpec,
    annotations,
    sidecars,
    rules,
    hints: {
      probes: hints.probes ?? new Map(),
      waits: hints.waits ?? new Map(),
      quits: hints.quits ?? new Map(),
      initsFirst: hints.initsFirst ?? new Set(),
    },
    entrypoints: hints.entrypoints ?? [],
    serviceTargetPorts: hints.serviceTargetPorts ?? new Map(),
  });
  const said = (severity: Diagnostic['severity']): Said[] =>
    plan.diagnostics
      .filter((d) => d.severity === severity)
      .map((d) => ({ message: d.message, ...(d.field !== undefined ? { field: d.field } : {}) }));
  const fallback = plan.diagnostics.find((d) => d.severity === 'info' && FALLBACK.test(d.message));
  return {
    strategy: plan.mechanism,
    edits: plan.edits,
    steps: plan.steps,
    startOrder: formatSteps(plan.steps),
    problems: said('error'),
    notes: said('skipped'),
    warnings: said('warning'),
    news: said('info').filter((d) => !FALLBACK.test(d.message)),
    ...(fallback ? { fallbackReason: fallback.message.replace(FALLBACK, '') } : {}),
  };
}
