/**
 * The declared order, as people write it in any config source: sidecars, and rules that make a
 * container start after others reach a condition. Each enum is one list; its type and its codec derive
 * from it.
 */
export const CONDITIONS = ['Started', 'Ready', 'Completed'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const SIDECAR_WAITS = ['Started', 'Ready'] as const satisfies readonly Condition[];
export type SidecarWait = (typeof SIDECAR_WAITS)[number];

/** What a dependency, or a sidecar, is waited for when the declaration does not say. */
export const DEFAULT_CONDITION = 'Ready' satisfies SidecarWait;

export interface Sidecar {
  readonly name: string;
  readonly waitFor: SidecarWait;
}

interface Dependency {
  readonly container: string;
  readonly condition: Condition;
}

export interface Rule {
  readonly container: string;
  readonly after: readonly Dependency[];
}
