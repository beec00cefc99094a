/**
 * An oracle for "the declared order holds", independent of the planner: it reads an output pod spec the
 * way kubelet and our scripts would run it, and computes, for each container, when it starts, when it is
 * known to be ready and when known to have completed. A declared edge holds when its dependency reaches
 * the condition strictly before the dependent's program starts. It shares no code with src/.
 */
interface Container {
  name: string;
  command?: string[];
  restartPolicy?: string;
  startupProbe?: unknown;
  lifecycle?: { postStart?: { exec?: { command?: string[] } } };
}

interface Times {
  start: number;
  ready: number;
  completed: number;
}

/**
 * Our wrapper's waits and what it writes, read from its named flags (see run.sh): every flag takes one
 * value but the switches, and the flags end at `--`.
 */
function wrapperOf(command: string[] | undefined): { after: [string, string][]; ready: boolean; exit: boolean } | undefined {
  if (!command || !command[0]?.endsWith('/run.sh')) return undefined;
  const result = { after: [] as [string, string][], ready: false, exit: false };
  for (let i = 1; command[i] !== '--';) {
    const flag = command[i];
    if (flag === undefined) throw new Error('a wrapper without --');
    if (flag === '--record-exit' || flag === '--sidecar' || flag === '--run-once') {
      if (flag === '--record-exit') result.exit = true;
      i += 1;
      continue;
    }
    const value = command[i + 1]!;
    if (flag === '--after') {
      const colon = value.lastIndexOf(':');
      result.after.push([value.slice(0, colon), value.slice(colon + 1)]);
    } else if (flag === '--ready') result.ready = true;
    else if (!flag.startsWith('--')) throw new Error(`unreadable wrapper at ${flag}`);
    i += 2;
  }
  return result;
}

const NEVER = Number.POSITIVE_INFINITY;

function startTimes(spec: { containers: Container[]; initContainers?: Container[] | null }): Map<string, Times> {
  const times = new Map<string, Times>();
  let t = 0;
  for (const c of spec.initContainers ?? []) {
    const start = t++;
    if (c.restartPolicy === 'Always') {
      // kubelet starts the next container once a restartable init container's startupProbe passed.
      times.set(c.name, { start, ready: c.startupProbe ? t++ : NEVER, completed: NEVER });
    } else {
      times.set(c.name, { start, ready: t, completed: t++ });
    }
  }
  const kubeletStart = new Map<string, number>();
  for (const c of spec.containers) {
    kubeletStart.set(c.name, t++);
    // A blocking postStart wait holds the next container until this one is ready.
    const hook = c.lifecycle?.postStart?.exec?.command;
    const gated = hook !== undefined && hook[0]?.endsWith('/wait.sh') === true;
    times.set(c.name, { start: kubeletStart.get(c.name)!, ready: gated ? t++ : NEVER, completed: NEVER });
  }
  // Wrapped programs start once their waits are met: settle in rounds (a cycle never settles).
  const wrapped = spec.containers.flatMap((c) => {
    const w = wrapperOf(c.command);
    return w ? [{ name: c.name, ...w }] : [];
  });
  for (let round = 0; round <= wrapped.length; round++) {
    for (const w of wrapped) {
      const waits = w.after.map(([dep, state]) => {
        const d = times.get(dep);
        if (!d) return NEVER;
        return state === 'started' ? d.start : state === 'ready' ? d.ready : d.completed;
      });
      const start = Math.max(kubeletStart.get(w.name)!, ...waits.map((x) => x + 1));
      times.set(w.name, { start, ready: w.ready ? start + 0.5 : NEVER, completed: w.exit ? start + 0.75 : NEVER });
    }
  }
  return times;
}

/** The declared edges that the pod spec does not guarantee, as `to after from Condition`. */
export function brokenEdges(
  spec: { containers: Container[]; initContainers?: Container[] | null },
  edges: readonly { from: string; to: string; condition: 'Started' | 'Ready' | 'Completed' }[],
): string[] {
  const times = startTimes(spec);
  return edges
    .filter((e) => {
      const from = times.get(e.from);
      const to = times.get(e.to);
      if (!from || !to) return true;
      const reached = e.condition === 'Started' ? from.start : e.condition === 'Ready' ? from.ready : from.completed;
      return !(reached < to.start);
    })
    .map((e) => `${e.to} after ${e.from} ${e.condition}`);
}
