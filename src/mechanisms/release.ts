/**
 * Own what you write (issue 15 #22): whatever an earlier run wrote into a pod and this run does not
 * write again goes, whatever changed in between (a rule dropped, another strategy, holdDependents
 * turned off). Left in place, a stale wrapper waits for a mark no container leaves any more, gives up
 * and restarts forever; a stale wait hook still holds the next container, and fails it when its check
 * no longer passes; a stale helper still runs in every pod. Each mechanism says what it keeps (Kept);
 * this module undoes the rest, and only what is recognisably ours: our wrapper's command, our wait
 * hook, our mounts at our paths, our volumes, the helper, a startupProbe in the form we derive.
 */
import type { V1Container, V1VolumeMount } from '@kubernetes/client-node';
import { error, type Diagnostic } from '../diagnostic.js';
import { decodeWaitHook } from '../protocol/wait-hook.js';
import { decodeWrapper } from '../protocol/wrapper.js';
import { hasDerivedStartupProbe } from '../readiness/readiness.js';
import type { Edit, Path } from '../resource-list/edit.js';
import { HELPER_CONTAINER, HELPER_MOUNT, HELPER_VOLUME, RUN_MOUNT, RUN_VOLUME } from '../runtime/helper.js';
import { containerField } from '../workloads/pods.js';
import type { PodContext } from './mechanism.js';
import { programOf, sameCommand, type HelperVolume } from './pod-edits.js';

/** What of ours a mechanism's run leaves in the pod, by container name: anything else of ours goes. */
export interface Kept {
  /** Containers whose command is a wrapper after this run. */
  readonly wrapped: ReadonlySet<string>;
  /** Containers whose postStart this run writes: our wait hook, or a preset's own wait command. */
  readonly hooked: ReadonlySet<string>;
  /** Containers that mount `volumes` after this run. */
  readonly users: ReadonlySet<string>;
  /** The helper's volumes this run uses; with none, the helper init container goes too. */
  readonly volumes: readonly HelperVolume[];
  /** Native sidecars that keep a derived startupProbe: others wait for them to be Ready. */
  readonly probed: ReadonlySet<string>;
}

/** The wrappers an earlier run wrote on containers this run does not wrap, with the command each gets back. */
export interface Released {
  /** The program (`--` and after), or undefined where the container had no command of its own. */
  readonly commands: ReadonlyMap<string, readonly string[] | undefined>;
  readonly problems: readonly Diagnostic[];
}

/**
 * Each gets its program back, or none where the container had none (the config's entrypoint gave the
 * program, or an image without ENTRYPOINT ran its args). An error, naming the field, where what the
 * container ran before cannot be known.
 */
export function releasedWrappers(pod: PodContext, wrapped: ReadonlySet<string>): Released {
  const commands = new Map<string, readonly string[] | undefined>();
  const problems: Diagnostic[] = [];
  for (const n of pod.graph.nodes.values()) {
    const wrapper = wrapped.has(n.name) || n.name === HELPER_CONTAINER ? undefined : decodeWrapper(n.container.command);
    if (!wrapper) continue;
    const { program } = wrapper;
    const args = n.container.args ?? [];
    if (program.length === 0) {
      // Written only for an image without ENTRYPOINT (entrypoints command: []) run with its args.
      if (args.length > 0) commands.set(n.name, undefined);
      else
        problems.push(
          error(
            `${n.name}'s command is an order-containers wrapper that this run no longer needs, but it carries no program and ${n.name} has no args, so what ${n.name} ran before cannot be known; set its command`,
            `${containerField(n.list, n.index)}.command`,
          ),
        );
      continue;
    }
    // The program the config's entrypoint gives the container without a command: it had none.
    const bare = programOf({ ...n.container, command: undefined }, pod.entrypoints);
    commands.set(n.name, Array.isArray(bare) && sameCommand(bare as readonly string[], program) ? undefined : program);
  }
  return { commands, problems };
}

/** A container's lifecycle is our wait hook and nothing else: it goes whole when the hook goes. */
export function onlyOurWaitHook(container: V1Container): boolean {
  const { lifecycle } = container;
  if (!lifecycle || !decodeWaitHook(lifecycle.postStart?.exec?.command)) return false;
  return Object.entries(lifecycle).every(([key, value]) => key === 'postStart' || value === undefined);
}

const OUR_MOUNTS: readonly V1VolumeMount[] = [HELPER_MOUNT, RUN_MOUNT];
const OUR_VOLUMES: readonly string[] = [HELPER_VOLUME, RUN_VOLUME];

const isOurs = (m: V1VolumeMount): boolean => OUR_MOUNTS.some((o) => o.name === m.name && o.mountPath === m.mountPath);

/**
 * The edits that undo what `kept` does not keep. `pathOf` gives a container's path after the
 * mechanism's own edits, and `helperAt` the helper's position among the init containers then (-1:
 * none); the edits go after the mechanism's, whose inserts of mounts and volumes append.
 */
export function releaseEdits(
  pod: PodContext,
  kept: Kept,
  released: Released,
  pathOf: (name: string) => Path,
  helperAt: number,
  initCount: number,
): Edit[] {
  const edits: Edit[] = [];
  const volumeKept = (name: string): boolean => kept.volumes.some(({ volume }) => volume.name === name);
  for (const n of pod.graph.nodes.values()) {
    if (n.name === HELPER_CONTAINER) continue;
    const path = pathOf(n.name);
    const { container } = n;
    if (released.commands.has(n.name)) {
      const command = released.commands.get(n.name);
      edits.push(command ? { op: 'set', path: [...path, 'command'], value: command } : { op: 'remove', path: [...path, 'command'] });
    }
    if (!kept.hooked.has(n.name) && decodeWaitHook(container.lifecycle?.postStart?.exec?.command)) {
      edits.push({ op: 'remove', path: onlyOurWaitHook(container) ? [...path, 'lifecycle'] : [...path, 'lifecycle', 'postStart'] });
    }
    if (
      !kept.probed.has(n.name) &&
      path[1] === 'initContainers' &&
      container.restartPolicy === 'Always' &&
      hasDerivedStartupProbe(container, pod.hints.probes.get(n.name))
    ) {
      edits.push({ op: 'remove', path: [...path, 'startupProbe'] });
    }
    const mounts = container.volumeMounts ?? [];
    const user = kept.users.has(n.name);
    const drop = mounts.flatMap((m, i) => (isOurs(m) && !(user && volumeKept(m.name)) ? [i] : []));
    if (drop.length === 0) continue;
    // Whole, unless this run appends a mount of its own to the list.
    if (drop.length === mounts.length && !user) edits.push({ op: 'remove', path: [...path, 'volumeMounts'] });
    else for (const i of drop.reverse()) edits.push({ op: 'remove', path: [...path, 'volumeMounts', i] });
  }
  const volumes = pod.podSpec.volumes ?? [];
  const stale = volumes.flatMap((v, i) => (OUR_VOLUMES.includes(v.name) && !volumeKept(v.name) ? [i] : []));
  if (stale.length > 0 && stale.length === volumes.length && kept.volumes.length === 0)
    edits.push({ op: 'remove', path: ['spec', 'volumes'] });
  else for (const i of stale.reverse()) edits.push({ op: 'remove', path: ['spec', 'volumes', i] });
  if (kept.volumes.length === 0 && helperAt >= 0) {
    edits.push(
      initCount === 1 ? { op: 'remove', path: ['spec', 'initContainers'] } : { op: 'remove', path: ['spec', 'initContainers', helperAt] },
    );
  }
  return edits;
}
