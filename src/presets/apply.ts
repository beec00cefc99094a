/**
 * Presets applied to one pod template: which ones match (a container, or an injector's opt-in), and what
 * they add to its declared order (sidecars, readiness, wait commands, args, injector annotations).
 */
import type { V1Container, V1Probe, V1Volume } from '@kubernetes/client-node';
import type { KnownEntrypoint } from '../mechanisms/mechanism.js';
import type { Sidecar } from '../order/declaration.js';
import type { InjectionMode, SidecarHints } from '../mechanisms/mechanism.js';
import type { Diagnostic } from '../diagnostic.js';
import type { AppliedStep } from '../protocol/applied.js';
import type { Edit } from '../resource-list/edit.js';
import { podsOf } from '../workloads/pods.js';
import { globMatches } from '../workloads/glob.js';
import { mergeAnnotation } from './annotations.js';
import { TIMEOUT_PLACEHOLDER, type Endpoint, type InjectionMarker, type Preset } from './preset.js';
import { readSidecar } from './read.js';

/** Labels and annotations of a Namespace in the same ResourceList. */
export interface NamespaceMeta {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface TemplateView {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly containers: readonly V1Container[];
  readonly initContainers: readonly V1Container[];
  readonly volumes?: readonly V1Volume[];
}

type List = 'containers' | 'initContainers';

/** A preset that applies to a pod template, and why. */
export type PresetMatch =
  | {
      readonly preset: Preset;
      readonly kind: 'container';
      readonly container: V1Container;
      readonly list: List;
      readonly index: number;
      readonly why: string;
    }
  | { readonly preset: Preset; readonly kind: 'injected'; readonly why: string };

/** What the presets that apply to one pod template add to its declared order. */
export interface PresetPlan extends SidecarHints {
  readonly sidecars: readonly Sidecar[];
  readonly entrypoints: readonly KnownEntrypoint[];
  /** Annotations and args, relative to the pod template; applied before the plan's own edits. */
  readonly edits: readonly Edit[];
  /** Fields relative to the pod template. */
  readonly notes: readonly Diagnostic[];
  /** Sidecars an injector adds, for the start order: `istio-proxy(injected)`. */
  readonly injected: readonly AppliedStep[];
}

export const NO_PRESETS: PresetPlan = {
  sidecars: [],
  probes: new Map(),
  waits: new Map(),
  entrypoints: [],
  quits: new Map(),
  initsFirst: new Set(),
  edits: [],
  notes: [],
  injected: [],
};

function describeMarker(m: InjectionMarker, actual: string, namespace?: string): string {
  const what = m.source.endsWith('Label') ? 'label' : 'annotation';
  const owner = m.source.startsWith('pod') ? 'the pod template has' : `namespace ${namespace} (in this ResourceList) has`;
  return `${owner} ${what} ${m.key}=${actual}`;
}

function markerHit(
  markers: readonly InjectionMarker[],
  pod: TemplateView,
  namespace: NamespaceMeta | undefined,
  level: 'pod' | 'namespace',
): string | undefined {
  for (const m of markers) {
    if (!m.source.startsWith(level)) continue;
    const source = level === 'pod' ? pod : namespace;
    if (!source) continue;
    const values = m.source.endsWith('Label') ? source.labels : source.annotations;
    const actual = values[m.key];
    if (actual !== undefined && globMatches(m.value, actual)) return describeMarker(m, actual, namespace?.name);
  }
  return undefined;
}

/**
 * Which presets apply: a preset's container in the template (by name, else by image), or, for a
 * sidecar an injector adds, the opt-in an injector reads. The pod's own label or annotation decides
 * before its namespace's, as the injectors do; a sidecar already in the manifest is not injected again.
 */
export function matchPresets(presets: readonly Preset[], pod: TemplateView, namespace: NamespaceMeta | undefined): PresetMatch[] {
  const matches: PresetMatch[] = [];
  const taken = new Set<string>();
  const listed: { container: V1Container; list: List; index: number }[] = [
    ...pod.initContainers.map((container, index) => ({ container, list: 'initContainers' as const, index })),
    ...pod.containers.map((container, index) => ({ container, list: 'containers' as const, index })),
  ];
  for (const preset of presets) {
    const byName = listed.filter((c) => !taken.has(c.container.name) && preset.containers.includes(c.container.name));
    const byImage = listed.filter(
      (c) =>
        !taken.has(c.container.name) &&
        !byName.includes(c) &&
        preset.images.some((g) => c.container.image !== undefined && globMatches(g, c.container.image)),
    );
    for (const c of byName) matches.push({ preset, kind: 'container', ...c, why: `container ${c.container.name} is in the pod template` });
    for (const c of byImage)
      matches.push({ preset, kind: 'container', ...c, why: `container ${c.container.name} runs image ${c.container.image}` });
    for (const c of [...byName, ...byImage]) taken.add(c.container.name);
    if (byName.length + byImage.length > 0 || !preset.injection) continue;
    const { enabledBy, disabledBy } = preset.injection;
    if (markerHit(disabledBy, pod, namespace, 'pod')) continue;
    const podOptIn = markerHit(enabledBy, pod, namespace, 'pod');
    if (podOptIn) {
      matches.push({ preset, kind: 'injected', why: podOptIn });
      continue;
    }
    if (markerHit(disabledBy, pod, namespace, 'namespace')) continue;
    const namespaceOptIn = markerHit(enabledBy, pod, namespace, 'namespace');
    if (namespaceOptIn) matches.push({ preset, kind: 'injected', why: namespaceOptIn });
  }
  return matches;
}

function probeOf(endpoint: Endpoint): V1Probe {
  return endpoint.path === undefined ? { tcpSocket: { port: endpoint.port } } : { httpGet: { port: endpoint.port, path: endpoint.path } };
}

function filled(command: readonly string[], timeoutSeconds: number): string[] {
  return command.map((arg) => arg.split(TIMEOUT_PLACEHOLDER).join(String(timeoutSeconds)));
}

/** What people call the sidecar a preset is about. */
function sidecarName(preset: Preset): string {
  return preset.containers[0] ?? preset.name;
}

/**
 * What names a wait command whatever its flags: the program's file name, and its subcommand when the
 * second word is one (not a flag, not the timeout placeholder). Injectors write their hooks with their
 * own flags and paths: Linkerd's proxy-injector `/usr/lib/linkerd/linkerd-await --timeout=2m --port=4191`
 * (linkerd/linkerd2 charts/partials/templates/_proxy.tpl; 2.11 wrote a bare `linkerd-await`), Istio's
 * `pilot-agent wait` (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml).
 */
function programAndSubcommand(command: readonly string[]): readonly string[] {
  const [program, second] = command;
  const file = program?.split('/').pop() ?? '';
  const isSubcommand = second !== undefined && !second.startsWith('-') && !second.includes(TIMEOUT_PLACEHOLDER);
  return isSubcommand ? [file, second] : [file];
}

/**
 * The container's own postStart hook when it already runs the preset's wait command, by program and
 * subcommand, with whatever arguments: its injector ordered the pod already, and the hook is kept.
 */
function ownWait(container: V1Container, waitCommand: readonly string[]): readonly string[] | undefined {
  const hook = container.lifecycle?.postStart?.exec?.command;
  if (!hook || hook.length === 0) return undefined;
  const wanted = programAndSubcommand(waitCommand);
  const found = programAndSubcommand(hook);
  return wanted.length === found.length && wanted.every((word, i) => found[i] === word) ? hook : undefined;
}

/** Edits that append `missing` (flags the container does not pass yet) to its args. */
function argEdits(match: Extract<PresetMatch, { kind: 'container' }>, missing: readonly string[]): Edit[] {
  if (missing.length === 0) return [];
  const path = ['spec', match.list, match.index, 'args'];
  const args = match.container.args;
  if (args === undefined || args === null) return [{ op: 'set', path, value: missing }];
  return missing.map((value, i) => ({ op: 'insert', path, index: args.length + i, value }));
}

export interface PresetSettings {
  readonly timeoutSeconds: number;
  /** What the injected sidecars can be: native sidecars (Kubernetes 1.29+) or held by postStart. */
  readonly injectionMode: InjectionMode;
  /** Sidecars the config or the workload declares: their declaration stands. */
  readonly declaredSidecars: readonly Sidecar[];
  readonly workloadKind: string;
  /** The mechanism the config asks for (`auto`: the cluster's default) stops a Job's sidecars by itself. */
  readonly stopsJobSidecars: boolean;
  /** The pod's restartPolicy is Never or OnFailure: its sidecars must stop when the work is done. */
  readonly runsToCompletion: boolean;
  /** The workload's `order-containers.dev/ready` entries, by container. */
  readonly readyOverrides?: ReadonlyMap<string, Endpoint>;
  /** The field the overrides are read from, relative to the pod template. */
  readonly readyOverridesField?: string;
  /** A ConfigMap's data in the ResourceList, in the workload's namespace (Envoy's bootstrap). */
  readonly configMap?: (name: string) => Readonly<Record<string, string>> | undefined;
  /** Validate mode: nothing is written, so the notes say what the preset would write, never that it did. */
  readonly validateOnly?: boolean;
}

/**
 * What the matched presets add. A sidecar in the manifest becomes a declared sidecar (ready first,
 * stopped last) with the preset's readiness and wait command where its spec has none; an injected one
 * gets the annotations its injector reads, merged into the pod template's, never a container.
 */
export function planPresets(matches: readonly PresetMatch[], settings: PresetSettings, pod: TemplateView): PresetPlan {
  const sidecars: Sidecar[] = [];
  const probes = new Map<string, V1Probe>();
  const waits = new Map<string, readonly string[]>();
  const entrypoints: KnownEntrypoint[] = [];
  const quits = new Map<string, string>();
  const initsFirst = new Set<string>();
  const edits: Edit[] = [];
  const notes: Diagnostic[] = [];
  const injected: AppliedStep[] = [];
  const annotationsSet = new Map<string, string>();

  for (const match of matches) {
    const { preset } = match;
    const said = `preset ${preset.name} (${match.why})`;
    if (match.kind === 'container') {
      const { container } = match;
      const name = container.name;
      const field = `spec.${match.list}[${match.index}]`;
      const ownProbe = container.readinessProbe ?? container.startupProbe;
      // Where kubelet does not stop a Job's sidecar, its wrapper asks it to quit, or the work itself must.
      const quitWanted = settings.runsToCompletion && !settings.stopsJobSidecars;
      const override = settings.readyOverrides?.get(name);
      const read = readSidecar(
        preset,
        container,
        field,
        {
          ...(override ? { override } : {}),
          overrideField: settings.readyOverridesField ?? 'metadata.annotations.order-containers.dev/ready',
          volumes: pod.volumes ?? [],
          configMap: settings.configMap ?? (() => undefined),
        },
        quitWanted,
      );
      if (!ownProbe && read.ready) probes.set(name, probeOf(read.ready));
      const own = read.waitCommand && (ownProbe || read.ready) ? ownWait(container, read.waitCommand) : undefined;
      if (read.waitCommand && (ownProbe || read.ready)) waits.set(name, own ?? filled(read.waitCommand, settings.timeoutSeconds));
      if (own)
        notes.push({
          severity: 'info',
          message: `${said}: ${name}'s own postStart hook (${own.join(' ')}) is ${preset.name}'s wait command, as its injector writes it: it already holds the containers after ${name} until ${name} is ready, and is kept as it is`,
          field: `${field}.lifecycle.postStart.exec.command`,
        });
      const canTellReady = ownProbe !== undefined || read.ready !== undefined;
      if (!settings.declaredSidecars.some((s) => s.name === name))
        sidecars.push({ name, waitFor: canTellReady ? 'Ready' : 'Started', ...(preset.stop ? { stop: preset.stop } : {}) });
      const entrypoint = read.preset.entrypoint;
      if (entrypoint) entrypoints.push({ match: { container: name }, command: entrypoint });
      for (const init of pod.initContainers) if (preset.initContainers?.includes(init.name)) initsFirst.add(init.name);
      const quit = quitWanted ? read.quit : undefined;
      if (quit) quits.set(name, `http://127.0.0.1:${quit.port}${quit.path ?? '/'}`);
      const flags = read.append;
      edits.push(...argEdits(match, flags));
      const how = canTellReady
        ? `a sidecar, ready before the others start${!ownProbe && read.source ? ` (port ${read.ready!.port} from ${read.source})` : ''}`
        : 'a sidecar, started before the others (the preset knows no readiness check)';
      const version = read.version ? ` ${read.version}` : '';
      notes.push({
        severity: 'info',
        message: `${said}: ${name} is${version ? ` ${preset.name}${version},` : ''} ${how}${flags.length > 0 ? `; ${settings.validateOnly ? 'would add' : 'added'} ${flags.join(' ')} to its args, which ${preset.name} needs for its health${quit?.arg ? ' and quit' : ''} endpoints` : ''}`,
        field,
      });
      notes.push(...read.notes);
      continue;
    }

    const injection = preset.injection!;
    const modeAnnotations = settings.injectionMode === 'native' ? injection.nativeAnnotations : injection.postStartAnnotations;
    // Before 1.29 nothing stops an injected sidecar when a Job's work is done: the program must POST to
    // its quit endpoint (said below), which some injectors turn on only when the pod asks.
    const quitAnnotation = settings.injectionMode === 'postStart' && settings.runsToCompletion ? preset.quit?.annotation : undefined;
    const wanted = quitAnnotation ? { ...modeAnnotations, [quitAnnotation.key]: quitAnnotation.value } : modeAnnotations;
    const set: string[] = [];
    for (const [key, value] of Object.entries(wanted)) {
      const field = `metadata.annotations.${key}`;
      const existing = annotationsSet.get(key) ?? pod.annotations[key];
      const merge = mergeAnnotation(value, existing);
      if (merge.kind === 'set') {
        annotationsSet.set(key, merge.value);
        edits.push({ op: 'set', path: ['metadata', 'annotations', key], value: merge.value });
        set.push(`${key}: ${JSON.stringify(merge.value)}`);
      } else if (merge.kind === 'conflict') {
        const what = merge.keys.length > 0 ? `${merge.keys.join(', ')} in ${key}` : `${key}: ${JSON.stringify(existing)}`;
        notes.push({
          severity: 'warning',
          message: `${said}: the pod template sets ${what}, not what the preset would set (${value}); left as it is, so ${sidecarName(preset)} may not be ready before the app starts`,
          field,
        });
      } else if (merge.kind === 'unreadable') {
        notes.push({ severity: 'error', message: `${said}: cannot merge ${value} into ${key}: ${merge.reason}`, field });
      }
    }
    const which =
      injection.initContainer !== undefined
        ? `${settings.injectionMode}Annotations; its injector orders ${injection.initContainer}, not its sidecar, on any Kubernetes version`
        : settings.injectionMode === 'native'
          ? 'nativeAnnotations: native sidecars, Kubernetes 1.29+'
          : 'postStartAnnotations: clusters before Kubernetes 1.29';
    const hasAnnotations = Object.keys(wanted).length > 0;
    notes.push({
      severity: 'info',
      message: hasAnnotations
        ? `${said}: ${set.length > 0 ? `${settings.validateOnly ? 'would set' : 'set'} ${set.join(', ')}` : 'its annotations are already set'} (the preset's ${which})`
        : `${said}: set no annotation (the preset's ${which} are none: its injector has no per-pod switch for this)`,
    });
    if (injection.warning) notes.push({ severity: 'warning', message: `preset ${preset.name}: ${injection.warning}` });
    if (injection.initContainer !== undefined) {
      // Its sidecar is never native: what a Job must do holds on every version, and nothing else does.
      if (settings.runsToCompletion && injection.completion)
        notes.push({
          severity: 'warning',
          message: `preset ${preset.name}: ${podsOf(settings.workloadKind)} will not complete: ${injection.completion}`,
        });
      injected.push({ container: injection.initContainer, injected: true, gate: 'completed' });
      continue;
    }
    if (settings.injectionMode === 'postStart' && settings.runsToCompletion) {
      const stop = preset.quit
        ? `: the program must POST to http://localhost:${preset.quit.port}${preset.quit.path ?? '/'} when its work is done${quitAnnotation ? ` (the endpoint ${quitAnnotation.key}: ${JSON.stringify(quitAnnotation.value)} turns on)` : ''}`
        : '';
      notes.push({
        severity: 'warning',
        message: `preset ${preset.name}: ${podsOf(settings.workloadKind)} will not complete while the injected ${sidecarName(preset)} keeps running; before Kubernetes 1.29 nothing stops it${stop}`,
      });
    }
    // The applied order names an injected sidecar only where an annotation asks its injector for that order.
    if (Object.keys(modeAnnotations).length > 0) injected.push({ container: sidecarName(preset), injected: true });
  }
  return { sidecars, probes, waits, entrypoints, quits, initsFirst, edits, notes, injected };
}
