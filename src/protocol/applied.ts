/**
 * `order-containers.dev/applied` on the pod template: what the function did, for a later run, explain
 * and people reading the manifest. One line, `MECHANISM: STEP -> STEP`, each step a container with what
 * it is and what the next ones wait for: `native: cloud-sql-proxy(sidecar, ready) -> migrate(completed)
 * -> app`, `entrypoint: proxy(sidecar) -> app(after proxy ready, migrate completed)`.
 */
export const APPLIED_ANNOTATION = 'order-containers.dev/applied';

/** What others wait for a container to do before they start. */
const STEP_GATES = ['started', 'ready', 'completed'] as const;
export type StepGate = (typeof STEP_GATES)[number];

export interface AppliedStep {
  readonly container: string;
  /** Added by an admission webhook, not in the pod spec. */
  readonly injected?: true;
  readonly sidecar?: true;
  readonly gate?: StepGate;
  /** For a wrapped container: what it waits for itself. */
  readonly after?: readonly { readonly container: string; readonly gate: StepGate }[];
}

export interface Applied {
  readonly mechanism: string;
  readonly steps: readonly AppliedStep[];
}

function formatStep(step: AppliedStep): string {
  const words = [step.injected ? 'injected' : '', step.sidecar ? 'sidecar' : '', step.gate ?? ''].filter((w) => w !== '');
  if (step.after && step.after.length > 0) words.push(`after ${step.after.map((d) => `${d.container} ${d.gate}`).join(', ')}`);
  return words.length === 0 ? step.container : `${step.container}(${words.join(', ')})`;
}

/** The start order, as results and the annotation say it. */
export function formatSteps(steps: readonly AppliedStep[]): string {
  return steps.map(formatStep).join(' -> ');
}

export function formatApplied(applied: Applied): string {
  return `${applied.mechanism}: ${formatSteps(applied.steps)}`;
}

const STEP = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\((.*)\))?$/;

function gateOf(word: string): StepGate | undefined {
  return STEP_GATES.find((g) => g === word);
}

function parseStep(text: string): AppliedStep | undefined {
  const m = STEP.exec(text.trim());
  if (!m) return undefined;
  const container = m[1]!;
  const inside = m[3];
  if (inside === undefined) return { container };
  const afterAt = inside.indexOf('after ');
  const words = (afterAt >= 0 ? inside.slice(0, afterAt) : inside)
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  let step: { -readonly [K in keyof AppliedStep]: AppliedStep[K] } = { container };
  for (const word of words) {
    if (word === 'injected') step.injected = true;
    else if (word === 'sidecar') step.sidecar = true;
    else if (gateOf(word) && step.gate === undefined) step.gate = gateOf(word)!;
    else return undefined;
  }
  if (afterAt >= 0) {
    const after = inside
      .slice(afterAt + 'after '.length)
      .split(',')
      .map((d) => d.trim().split(' '));
    if (after.some((d) => d.length !== 2 || gateOf(d[1]!) === undefined)) return undefined;
    step = { ...step, after: after.map(([c, g]) => ({ container: c!, gate: gateOf(g!)! })) };
  }
  return step;
}

/** The annotation read back; undefined when it is not one this version writes. */
export function parseApplied(text: string | undefined): Applied | undefined {
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const order = text.slice(colon + 1).trim();
  const steps = order === '' ? [] : order.split(' -> ').map(parseStep);
  if (steps.some((s) => s === undefined)) return undefined;
  return { mechanism: text.slice(0, colon), steps: steps as AppliedStep[] };
}
