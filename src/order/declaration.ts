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

/**
 * When a sidecar stops, as the pod stops: `after` the other containers (an outbound helper: a database
 * proxy, a mesh proxy, a log shipper, which the app needs until its last request), or `with` them (an
 * inbound proxy: oauth2-proxy, Envoy in front of the app, which would go on taking requests for an app
 * that is gone).
 */
export const STOP_ORDERS = ['after', 'with'] as const;
export type StopOrder = (typeof STOP_ORDERS)[number];

/** A sidecar's stop order when its declaration does not say. */
export const DEFAULT_STOP_ORDER = 'after' satisfies StopOrder;

export interface Sidecar {
  readonly name: string;
  readonly waitFor: SidecarWait;
  /** Absent: DEFAULT_STOP_ORDER. */
  readonly stop?: StopOrder;
}

interface Dependency {
  readonly container: string;
  readonly condition: Condition;
}

export interface Rule {
  readonly container: string;
  readonly after: readonly Dependency[];
}
