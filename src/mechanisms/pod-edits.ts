/**
 * What the mechanisms share: the readiness check of a container others wait on, the program a wrapper
 * runs, and the edits that install the static helper (runtime/helper.ts), reorder, or leave a command alone.
 */
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { error, type Diagnostic } from '../diagnostic.js';
import type { ContainerNode } from '../order/graph.js';
import { readinessOf, type Readiness } from '../readiness/readiness.js';
import type { KnownEntrypoint, PodContext } from './mechanism.js';
import type { Edit, Path } from '../resource-list/edit.js';
import { helperContainer, type HelperScript } from '../protocol/helper-container.js';
import { HELPER_CONTAINER } from '../runtime/helper.js';
import { decodeWrapper } from '../protocol/wrapper.js';
import { globMatches } from '../workloads/glob.js';
import { containerField } from '../workloads/pods.js';
import { qosClassOf } from '../workloads/qos.js';
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
 * Why the static helper cannot go into this pod, if it cannot: its busybox is a Linux program, and the
 * API server forbids the helper's Linux securityContext fields in a pod with `spec.os.name: windows`.
 */
export function helperRefusal(podSpec: PodSpecView, why: string): Diagnostic | undefined {
  if (podSpec.os?.name !== 'windows') return undefined;
  return error(
    `${why}, which runs a Linux busybox that a Windows pod cannot run; order this pod with native sidecars (Kubernetes 1.29+) and no gate on a main container`,
    'spec.os.name',
  );
}

/**
 * Mounts the helper's volumes into the main containers at `positions` (after any reorder), adds the
 * volumes, and puts the helper init container first in line. The helper goes in last so that no
 * position an earlier edit used moves. A helper already there (an earlier run's) is rewritten where it
 * differs from today's, at `helperAt` among the init containers as the edits before leave them, so that
 * a new helperImage or new scripts reach workloads rendered before.
 */
export function helperEdits(
  podSpec: PodSpecView,
  mounts: readonly { readonly position: number; readonly container: V1Container }[],
  volumes: readonly { readonly volume: V1Volume; readonly mount: V1VolumeMount }[],
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
  volumes
    .filter(({ volume }) => !existing.some((v) => v.name === volume.name))
    .forEach(({ volume }, i) => edits.push({ op: 'insert', path: ['spec', 'volumes'], index: existing.length + i, value: volume }));
  const inits = podSpec.initContainers ?? [];
  const others = [...inits, ...podSpec.containers].filter((c) => c.name !== HELPER_CONTAINER);
  const wanted = helperContainer(helperImage, scripts, qosClassOf(others));
  const present = inits.find((c) => c.name === HELPER_CONTAINER);
  if (!present) edits.push({ op: 'insert', path: ['spec', 'initContainers'], index: 0, value: wanted, before: ['containers'] });
  else if (JSON.stringify(present) !== JSON.stringify(wanted))
    edits.push({ op: 'set', path: ['spec', 'initContainers', helperAt], value: wanted });
  return edits;
}

/** True when a container's command (or hook) is already exactly `wanted`: nothing to write. */
export function sameCommand(current: readonly string[] | undefined | null, wanted: readonly string[] | undefined): boolean {
  return current !== undefined && current !== null && wanted !== undefined && JSON.stringify(current) === JSON.stringify(wanted);
}

/**
 * The moves that turn the list at `path`, holding `current` (by name), into `final`, one position at a
 * time from the front; each move's indices are those of the list as the moves before it left it.
 */
export function reorderEdits(path: Path, current: readonly string[], final: readonly string[]): Edit[] {
  const now = [...current];
  const edits: Edit[] = [];
  final.forEach((name, position) => {
    const at = now.indexOf(name);
    if (at === position) return;
    edits.push({ op: 'move', from: path, fromIndex: at, to: path, toIndex: position });
    now.splice(at, 1);
    now.splice(position, 0, name);
  });
  return edits;
}

/**
 * The program a container runs, as kubelet would start it: its command, the one our wrapper already
 * runs, or the image's entrypoint given in the config. Undefined when only the image knows.
 */
export function programOf(container: V1Container, known: readonly KnownEntrypoint[]): readonly string[] | undefined {
  const wrapped = decodeWrapper(container.command);
  if (wrapped) return wrapped.program;
  if (container.command && container.command.length > 0) return container.command;
  const entry =
    known.find((k) => 'container' in k.match && k.match.container === container.name) ??
    known.find((k) => 'image' in k.match && container.image !== undefined && globMatches(k.match.image, container.image));
  if (!entry) return undefined;
  // A command in the pod spec makes kubelet drop the image's CMD too: carry it over unless args replace it.
  return container.args === undefined ? [...entry.command, ...(entry.args ?? [])] : entry.command;
}
