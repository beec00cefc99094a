/**
 * The order a user declared, read from the functionConfig and the workloads' annotations the way the
 * README documents them: the bench's own reading, sharing no code with src/, so that it can judge what
 * the function made of them. From it come what each program must find when it starts (its
 * dependencies at their conditions) and which containers are meant to finish.
 */
import { globMatches } from './images.js';
import type { Condition } from './programs/lib.js';

interface Edge {
  readonly container: string;
  readonly condition: Condition;
}

interface DeclaredOrder {
  /** Sidecars, with the condition the others wait for. */
  readonly sidecars: ReadonlyMap<string, Condition>;
  /** Sidecars declared to stop with the other containers (`stop: with`), and those declared `after`. */
  readonly stops: ReadonlyMap<string, 'after' | 'with'>;
  /** container -> what it starts after. */
  readonly edges: ReadonlyMap<string, readonly Edge[]>;
  /** Preset names the config turns on. */
  readonly presets: readonly string[];
  /** The presets of the config's own, by name, as their sidecars (README: "A preset of your own"). */
  readonly ownPresets?: Readonly<Record<string, PresetSidecars>>;
}

interface Selector {
  readonly kinds?: readonly string[];
  readonly names?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly labelSelector?: { readonly matchLabels?: Readonly<Record<string, string>> };
}

export interface OrderConfig {
  readonly order: DeclaredOrder;
  readonly selector?: Selector;
}

const CONDITIONS: readonly Condition[] = ['Started', 'Ready', 'Completed'];

function condition(text: string | undefined, fallback: Condition): Condition {
  if (text === undefined || text === '') return fallback;
  const found = CONDITIONS.find((c) => c.toLowerCase() === text.toLowerCase());
  if (!found) throw new Error(`declared: "${text}" is not a condition`);
  return found;
}

/** `a > b:Completed > c; d > e`: each container after the one before it, at the condition written there (Ready). */
function parseOrder(text: string): Map<string, Edge[]> {
  const edges = new Map<string, Edge[]>();
  for (const chain of text.split(';')) {
    const steps = chain
      .split('>')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (let i = 1; i < steps.length; i++) {
      const [dep, cond] = steps[i - 1]!.split(':');
      const name = steps[i]!.split(':')[0]!;
      edges.set(name, [...(edges.get(name) ?? []), { container: dep!, condition: condition(cond, 'Ready') }]);
    }
  }
  return edges;
}

const STOPS = ['after', 'with'] as const;

/**
 * `a, b:Started, c:with, d:Ready:after`: sidecars, each with the condition the others wait for (Ready
 * when none is written) and, when written, when it stops.
 */
function sidecarList(text: string): { sidecars: Map<string, Condition>; stops: Map<string, 'after' | 'with'> } {
  const sidecars = new Map<string, Condition>();
  const stops = new Map<string, 'after' | 'with'>();
  for (const entry of text.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    const [name, ...options] = entry.split(':').map((s) => s.trim());
    const stop = STOPS.find((o) => o === options[options.length - 1]);
    if (stop) {
      stops.set(name!, stop);
      options.pop();
    }
    sidecars.set(name!, condition(options[0], 'Ready'));
  }
  return { sidecars, stops };
}

interface ConfigObject {
  readonly kind?: string;
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: {
    readonly sidecars?: readonly { readonly name: string; readonly waitFor?: string; readonly stop?: 'after' | 'with' }[];
    readonly rules?: readonly {
      readonly container: string;
      readonly after: readonly { readonly container: string; readonly condition?: string }[];
    }[];
    readonly presets?: readonly (
      | string
      | { readonly name: string; readonly containers?: readonly string[]; readonly images?: readonly string[]; readonly ready?: unknown }
    )[];
    readonly selector?: Selector;
  };
}

/** A ContainerOrder, or a ConfigMap's data (kpt's key=value arguments), as a declared order. */
export function orderConfigOf(config: ConfigObject | undefined): OrderConfig {
  if (!config) return { order: { sidecars: new Map(), stops: new Map(), edges: new Map(), presets: [] } };
  if (config.kind === 'ConfigMap' || config.data) {
    const d = config.data ?? {};
    return {
      order: {
        ...sidecarList(d.sidecars ?? ''),
        edges: parseOrder(d.order ?? ''),
        presets: (d.presets ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      },
    };
  }
  const spec = config.spec ?? {};
  const edges = new Map<string, Edge[]>();
  for (const rule of spec.rules ?? []) {
    edges.set(rule.container, [
      ...(edges.get(rule.container) ?? []),
      ...rule.after.map((a) => ({ container: a.container, condition: condition(a.condition, 'Ready') })),
    ]);
  }
  return {
    order: {
      sidecars: new Map((spec.sidecars ?? []).map((s) => [s.name, condition(s.waitFor, 'Ready')])),
      stops: new Map((spec.sidecars ?? []).flatMap((s) => (s.stop ? [[s.name, s.stop] as const] : []))),
      edges,
      presets: (spec.presets ?? []).map((p) => (typeof p === 'string' ? p : p.name)),
      // A preset of the config's own is a sidecar like a built-in: waited for Ready where it gives `ready`.
      ownPresets: Object.fromEntries(
        (spec.presets ?? []).flatMap((p) =>
          typeof p === 'string' || PRESET_SIDECARS[p.name]
            ? []
            : [[p.name, { names: p.containers ?? [], images: p.images ?? [], ...(p.ready ? {} : { waitFor: 'Started' as const }) }]],
        ),
      ),
    },
    ...(spec.selector ? { selector: spec.selector } : {}),
  };
}

export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

function selects(selector: Selector | undefined, w: WorkloadRef): boolean {
  if (!selector) return true;
  if (selector.kinds && !selector.kinds.includes(w.kind)) return false;
  if (selector.names && !selector.names.some((n) => globMatches(n, w.name))) return false;
  if (selector.namespaces && !selector.namespaces.includes(w.namespace)) return false;
  for (const [k, v] of Object.entries(selector.labelSelector?.matchLabels ?? {})) if (w.labels[k] !== v) return false;
  return true;
}

/** An image repository on Docker Hub or behind any registry, with a tag, a digest, both or neither. */
const repositories = (...names: readonly string[]): string[] =>
  names.flatMap((n) => [n, `${n}:*`, `${n}@*`, `*/${n}`, `*/${n}:*`, `*/${n}@*`]);

/** What a preset makes a sidecar, by container name and image, and what the others wait for. */
interface PresetSidecars {
  readonly names: readonly string[];
  readonly images: readonly string[];
  readonly inits?: readonly string[];
  readonly stop?: 'with';
  /** Where the preset knows no readiness endpoint, the others wait for it only to be started (README: "started first"). */
  readonly waitFor?: 'Started';
  /**
   * The variable that says where its ready endpoint listens, and its default: on a loopback address,
   * which kubelet's probes cannot reach, the others wait for it only to be started (README: Presets, the
   * loopback warning).
   */
  readonly listensOn?: { readonly variable: string; readonly default: string };
}

/**
 * The sidecars of the built-in presets (README: Presets): the bench's own list of what a preset makes a
 * sidecar, kept beside the README's table rather than read from src/.
 */
const PRESET_SIDECARS: Readonly<Record<string, PresetSidecars>> = {
  istio: { names: ['istio-proxy'], images: [], inits: ['istio-init', 'istio-validation'] },
  linkerd: {
    names: ['linkerd-proxy'],
    images: [],
    inits: ['linkerd-init', 'linkerd-network-validator'],
    listensOn: { variable: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', default: '127.0.0.1:4191' },
  },
  vault: { names: ['vault-agent'], images: [], waitFor: 'Started' },
  'cloud-sql-proxy': { names: ['cloud-sql-proxy', 'cloudsql-proxy'], images: repositories('cloud-sql-connectors/cloud-sql-proxy') },
  envoy: {
    names: ['envoy'],
    images: repositories(
      ...['', '-alpine', '-debug', '-distroless', '-contrib'].flatMap((v) => [`envoyproxy/envoy${v}`, `envoyproxy/envoy${v}-dev`]),
    ),
    stop: 'with',
  },
  'oauth2-proxy': { names: ['oauth2-proxy'], images: repositories('oauth2-proxy/oauth2-proxy'), stop: 'with' },
  'otel-collector': {
    names: ['otel-collector', 'opentelemetry-collector', 'otc-container'],
    images: repositories('opentelemetry-collector', 'opentelemetry-collector-contrib', 'opentelemetry-collector-k8s'),
  },
  'opentelemetry-operator': { names: ['otc-container'], images: [], waitFor: 'Started' },
  consul: { names: ['consul-dataplane', 'envoy-sidecar'], images: [], inits: ['consul-connect-inject-init'], waitFor: 'Started' },
};

/** True when `container` waits for `dependency` by the rules, directly or through others. */
function waitsFor(edges: ReadonlyMap<string, readonly Edge[]>, container: string, dependency: string): boolean {
  const seen = new Set<string>();
  const visit = (name: string): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    return (edges.get(name) ?? []).some((e) => e.container === dependency || visit(e.container));
  };
  return visit(container);
}

export interface PodContainer {
  readonly name: string;
  readonly image?: string;
  /** An init container in the manifest as written (runs to completion unless it is a sidecar). */
  readonly init: boolean;
  /** A native sidecar in the manifest as written (an init container with restartPolicy Always). */
  readonly restartable?: boolean;
  /** Its `env` entries with a value, as written. */
  readonly env?: Readonly<Record<string, string>>;
}

/** An address only the pod's own containers reach, at the start of `HOST:PORT`. */
function isLoopback(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export interface PodExpectations {
  readonly requires: Record<string, Edge[]>;
  readonly runs: Record<string, 'to-completion' | 'until-stopped'>;
  /** Containers that must stop after every other main container when the pod is deleted. */
  readonly sidecars: string[];
  /** Sidecars that must be stopped with the other containers, not after them, when the pod is deleted. */
  readonly stopsWithApp: string[];
}

/**
 * What each container of one pod (as the manifest wrote it) must find when it starts, and which ones
 * finish: the config's order when it selects the workload, the workload's own annotations over it.
 * Where a declared sidecar written as a main container runs as a native sidecar (`nativeSidecars`, read
 * from the output), the README promises that it starts before the pod's own init containers too, except
 * the ones a mesh preset runs first (its injector's, README: Presets, `initContainers`).
 */
export function expectationsOf(
  config: OrderConfig,
  w: WorkloadRef,
  containers: readonly PodContainer[],
  runsToCompletion: boolean,
  nativeSidecars: ReadonlySet<string> = new Set(),
): PodExpectations {
  const own = w.annotations;
  const selected =
    selects(config.selector, w) || own['order-containers.dev/sidecars'] !== undefined || own['order-containers.dev/order'] !== undefined;
  let sidecars = new Map<string, Condition>();
  let stops = new Map<string, 'after' | 'with'>();
  let edges = new Map<string, Edge[]>();
  const meshInits = new Set<string>();
  if (selected) {
    sidecars = new Map(config.order.sidecars);
    stops = new Map(config.order.stops);
    edges = new Map([...config.order.edges].map(([k, v]) => [k, [...v]]));
    for (const preset of config.order.presets) {
      const p = PRESET_SIDECARS[preset] ?? config.order.ownPresets?.[preset];
      for (const c of containers)
        if (p && (p.names.includes(c.name) || p.images.some((i) => globMatches(i, c.image ?? '')))) {
          // A sidecars entry of the user's wins, its stop order included.
          if (!sidecars.has(c.name) && p.stop) stops.set(c.name, p.stop);
          const unreachable = p.listensOn && isLoopback(c.env?.[p.listensOn.variable] ?? p.listensOn.default);
          sidecars.set(c.name, sidecars.get(c.name) ?? p.waitFor ?? (unreachable ? 'Started' : 'Ready'));
          for (const init of p.inits ?? []) meshInits.add(init);
        }
    }
    if (own['order-containers.dev/sidecars'] !== undefined) ({ sidecars, stops } = sidecarList(own['order-containers.dev/sidecars']));
    if (own['order-containers.dev/order'] !== undefined) edges = parseOrder(own['order-containers.dev/order']);
  }
  const names = new Set(containers.map((c) => c.name));
  const movedToNative = new Set(containers.filter((c) => !c.init && nativeSidecars.has(c.name)).map((c) => c.name));
  const requires: Record<string, Edge[]> = {};
  for (const c of containers) {
    const list: Edge[] = [];
    if (!c.init && !sidecars.has(c.name)) for (const [s, cond] of sidecars) if (names.has(s)) list.push({ container: s, condition: cond });
    if (c.init && !c.restartable && !sidecars.has(c.name) && !meshInits.has(c.name))
      for (const [s, cond] of sidecars)
        if (movedToNative.has(s) && !waitsFor(edges, s, c.name)) list.push({ container: s, condition: cond });
    for (const e of edges.get(c.name) ?? []) if (names.has(e.container)) list.push(e);
    requires[c.name] = list;
  }
  const completed = new Set(
    [...edges.values()]
      .flat()
      .filter((e) => e.condition === 'Completed')
      .map((e) => e.container),
  );
  const runs: Record<string, 'to-completion' | 'until-stopped'> = {};
  for (const c of containers) {
    runs[c.name] =
      sidecars.has(c.name) || c.restartable
        ? 'until-stopped'
        : c.init || completed.has(c.name) || runsToCompletion
          ? 'to-completion'
          : 'until-stopped';
  }
  // In a pod that runs to completion, every sidecar is stopped after the work (README: Configuration, `stop`).
  const present = [...sidecars.keys()].filter((s) => names.has(s));
  const withApp = (s: string): boolean => !runsToCompletion && stops.get(s) === 'with';
  return { requires, runs, sidecars: present.filter((s) => !withApp(s)), stopsWithApp: present.filter(withApp) };
}
