/**
 * What the mechanisms share: the readiness check of a container others wait on, the program a wrapper
 * runs, and the edits that install the static helper (runtime/helper.ts), reorder, or leave a command alone.
 */
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { error, type Diagnostic } from '../diagnostic.js';
import type { ContainerNode, OrderGraph } from '../order/graph.js';
import { readinessOf, type Readiness } from '../readiness/readiness.js';
import type { KnownEntrypoint, PodContext } from './mechanism.js';
import type { Edit, Path } from '../resource-list/edit.js';
import { foreignHelperField, foreignMount, foreignVolumeField, helperContainer, type HelperScript } from '../protocol/helper-container.js';
import { HELPER_CONTAINER } from '../runtime/helper.js';
import { decodeWrapper } from '../protocol/wrapper.js';
import { globMatches } from '../workloads/glob.js';
import { containerField, runsToCompletion } from '../workloads/pods.js';
import { qosClassOf } from '../workloads/qos.js';
import { Remaining } from './remaining.js';
import type { PodSpecView } from '../workloads/pods.js';

/** The check a gate or wrapper runs for a container others wait on to be Ready, or why there is none. */
export function waitedReadiness(pod: PodContext, n: ContainerNode): Readiness | Diagnostic {
  const readiness = readinessOf(n.container, pod.hints.probes.get(n.name));
  if (readiness.kind === 'check') return { check: readiness.check, attemptSeconds: readiness.attemptSeconds };
  const at = containerField(n.list, n.index);
  return error(
    `others wait for ${n.name} to be Ready, but ${readiness.message}`,
    readiness.field === undefined ? at : `${at}.${readiness.field}`,
  );
}

/**
 * The sidecars that stop after the other containers: all but those declared to stop with them
 * (`stop: with`, an inbound proxy). In a pod that runs to completion, a sidecar must stop once the work
 * is done or the pod never completes, so there every sidecar is stopped after the work, whatever it declares.
 */
export function outlivingSidecars(podSpec: PodSpecView, graph: OrderGraph): ReadonlySet<string> {
  const { sidecars, stopsWithApp } = graph;
  const all = [...sidecars.keys()];
  return new Set(runsToCompletion(podSpec) !== undefined ? all : all.filter((n) => !stopsWithApp.has(n)));
}

/** A volume the static helper fills or the containers it serves share, and how they mount it. */
export interface HelperVolume {
  readonly volume: V1Volume;
  readonly mount: V1VolumeMount;
}

/**
 * Why the static helper cannot go into this pod, if it cannot, naming the field: its busybox is a Linux
 * program, and the API server forbids the helper's Linux securityContext fields in a pod with
 * `spec.os.name: windows`; and a foreign object under the helper's names (protocol/helper-container.ts
 * says which are ours) is never adopted, because the helper's `users` would then mount and run what
 * someone else put there, or the pod would hold two containers or mounts where there must be one.
 */
export function helperRefusals(
  podSpec: PodSpecView,
  why: string,
  users: readonly ContainerNode[],
  volumes: readonly HelperVolume[],
): Diagnostic[] {
  const refusals: Diagnostic[] = [];
  if (podSpec.os?.name === 'windows') {
    refusals.push(
      error(
        `${why}, which runs a Linux busybox that a Windows pod cannot run; order this pod with native sidecars (Kubernetes 1.29+) and no gate on a main container`,
        'spec.os.name',
      ),
    );
  }
  const named = `${why}, an init container named ${HELPER_CONTAINER}`;
  podSpec.containers.forEach((c, i) => {
    if (c.name === HELPER_CONTAINER) {
      refusals.push(
        error(
          `${named}; a main container has that name, which order-containers will not take over; rename it`,
          `${containerField('containers', i)}.name`,
        ),
      );
    }
  });
  (podSpec.initContainers ?? []).forEach((c, i) => {
    const foreign = c.name === HELPER_CONTAINER ? foreignHelperField(c) : undefined;
    if (foreign !== undefined) {
      refusals.push(
        error(
          `${named}; the init container of that name is not the helper order-containers writes (its ${foreign} differs), and order-containers will not replace it; rename it`,
          `${containerField('initContainers', i)}.${foreign}`,
        ),
      );
    }
  });
  (podSpec.volumes ?? []).forEach((v, i) => {
    const ours = volumes.find(({ volume }) => volume.name === v.name);
    const foreign = ours ? foreignVolumeField(v) : undefined;
    if (foreign !== undefined) {
      refusals.push(
        error(
          `${why}, which mounts an emptyDir volume named ${v.name} into the containers it serves; the volume of that name is a ${foreign}, which order-containers will not mount into them; rename it`,
          `spec.volumes[${i}].${foreign}`,
        ),
      );
    }
  });
  for (const n of users) {
    (n.container.volumeMounts ?? []).forEach((m, k) => {
      const ours = volumes.find(({ mount }) => foreignMount(m, mount));
      if (ours) {
        refusals.push(
          error(
            `${why}, which mounts volume ${ours.mount.name} at ${ours.mount.mountPath} in ${n.name}; ${n.name} already mounts volume ${m.name} at ${m.mountPath}${m.subPath || m.subPathExpr ? ' (a subPath)' : ''}; change that mount`,
            `${containerField(n.list, n.index)}.volumeMounts[${k}]`,
          ),
        );
      }
    });
  }
  return refusals;
}

/**
 * Mounts the helper's volumes into the main containers at `positions` (after any reorder), adds the
 * volumes, and puts the helper init container first in line. The helper goes in last so that no
 * position an earlier edit used moves. What an earlier run wrote (helperRefusals has refused anything
 * else under our names) is rewritten where it differs from today's: the helper at `helperAt` among the
 * init containers as the edits before leave them, and the volumes, so that a new helperImage, new
 * scripts or new sizes reach workloads rendered before.
 */
export function helperEdits(
  podSpec: PodSpecView,
  mounts: readonly { readonly position: number; readonly container: V1Container }[],
  volumes: readonly HelperVolume[],
  helperImage: string,
  helperAt: number,
  scripts: readonly HelperScript[],
): Edit[] {
  const edits: Edit[] = [];
  for (const { position, container } of mounts) {
    const present = container.volumeMounts ?? [];
    const missing = volumes.filter(({ volume }) => !present.some((m) => m.name === volume.name));
    missing.forEach(({ mount }, i) => {
      const path: Path = ['spec', 'containers', position, 'volumeMounts'];
      edits.push({ op: 'insert', path, index: present.length + i, value: mount });
    });
  }
  const existing = podSpec.volumes ?? [];
  existing.forEach((v, i) => {
    const wanted = volumes.find(({ volume }) => volume.name === v.name)?.volume;
    if (wanted && !sameJson(v, wanted)) edits.push({ op: 'set', path: ['spec', 'volumes', i], value: wanted });
  });
  volumes
    .filter(({ volume }) => !existing.some((v) => v.name === volume.name))
    .forEach(({ volume }, i) => edits.push({ op: 'insert', path: ['spec', 'volumes'], index: existing.length + i, value: volume }));
  const inits = podSpec.initContainers ?? [];
  const others = [...inits, ...podSpec.containers].filter((c) => c.name !== HELPER_CONTAINER);
  const wanted = helperContainer(helperImage, scripts, { qos: qosClassOf(others), runAsUser: podSpec.securityContext?.runAsUser });
  const present = inits.find((c) => c.name === HELPER_CONTAINER);
  if (!present) edits.push({ op: 'insert', path: ['spec', 'initContainers'], index: 0, value: wanted, before: ['containers'] });
  else if (!sameJson(present, wanted)) edits.push({ op: 'set', path: ['spec', 'initContainers', helperAt], value: wanted });
  return edits;
}

/** Two values as JSON, keys compared in order: a difference in order only costs a rewrite to the same content. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** True when a container's command (or hook) is already exactly `wanted`: nothing to write. */
export function sameCommand(current: readonly string[] | undefined | null, wanted: readonly string[] | undefined): boolean {
  // Word by word: both are lists of strings (the pod template's were decoded so), compared for every wrapped or gated container.
  return (
    current !== undefined &&
    current !== null &&
    wanted !== undefined &&
    current.length === wanted.length &&
    current.every((word, i) => word === wanted[i])
  );
}

/**
 * The moves that turn the list at `path`, holding `current` (by name), into `final`, one position at a
 * time from the front; each move's indices are those of the list as the moves before it left it.
 */
export function reorderEdits(path: Path, current: readonly string[], final: readonly string[]): Edit[] {
  const rest = new Remaining(current);
  const edits: Edit[] = [];
  final.forEach((name, position) => {
    const at = position + rest.positionOf(name);
    rest.take(name);
    if (at !== position) edits.push({ op: 'move', from: path, fromIndex: at, to: path, toIndex: position });
  });
  return edits;
}

/**
 * The part of a container's program that the wrapper's command carries after `--`, as kubelet would
 * start it: its command, the one our wrapper already runs, or the image's entrypoint given in the
 * config. The container's `args` stay where they are, and kubelet appends them to the wrapper's command
 * (so they are never carried too, or they would be passed twice): for an image with no ENTRYPOINT
 * (`command: []`, busybox run with `args` only) the args are the whole program, and the carried part is
 * empty. Undefined when only the image knows; why, when nothing would be left to run.
 */
export function programOf(container: V1Container, known: readonly KnownEntrypoint[]): readonly string[] | string | undefined {
  const wrapped = decodeWrapper(container.command);
  if (wrapped) return wrapped.program;
  if (container.command && container.command.length > 0) return container.command;
  const entry =
    known.find((k) => 'container' in k.match && k.match.container === container.name) ??
    known.find((k) => 'image' in k.match && container.image !== undefined && globMatches(k.match.image, container.image));
  if (!entry) return undefined;
  // A command in the pod spec makes the runtime drop the image's CMD too: carry it over unless the
  // container's own args replace it. An empty args list is none (containerd WithProcessArgs, CRI).
  const ownArgs = container.args !== undefined && container.args !== null && container.args.length > 0;
  const program = ownArgs ? entry.command : [...entry.command, ...(entry.args ?? [])];
  return ownArgs || program.length > 0
    ? program
    : `the entrypoints entry for it says its image has no ENTRYPOINT (command: []), and it has no args to run; give the image's CMD as the entry's args, or give the container args`;
}
