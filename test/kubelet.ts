import { spawn, type ChildProcess } from 'node:child_process';
import type { V1Container } from '@kubernetes/client-node';
import { decodeWrapper, encodeWrapper } from '../src/protocol/wrapper.js';
import { expand } from './bench-kubelet/expansion.js';
import { standInHelper } from './helpers.js';

function envOf(container: V1Container): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) if (e.value !== undefined) env.set(e.name, expand(e.value, env));
  return env;
}

/** The argv kubelet gives the container's process: command then args, both expanded. */
export function kubeletArgv(container: V1Container): string[] {
  const env = envOf(container);
  return [...(container.command ?? []), ...(container.args ?? [])].map((s) => expand(s, env));
}

export interface ContainerRun {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<{
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stderr: string;
    readonly at: number;
  }>;
}

export interface Node {
  /** The shell that stands in for `BUSYBOX sh`: busybox sh or dash. */
  readonly shell: readonly string[];
  /** Stands in for the busybox the helper copies to /order-containers/bin. */
  readonly busybox: string;
  /** Stands in for the run volume mounted at /order-containers/run. */
  readonly runDir: string;
  readonly stdin?: Readonly<Record<string, string>>;
}

/**
 * Starts the main containers of a pod spec one after another, as kubelet does (nothing else waits:
 * these pods have no postStart hooks), each as a real process with the container's environment. Our
 * wrapper's paths inside the pod are pointed at the node's stand-ins; nothing else is changed.
 */
export function startContainers(containers: readonly V1Container[], node: Node): ContainerRun[] {
  const { runScript } = standInHelper(node.runDir, node.busybox);
  return containers.map((container) => {
    const wrapper = decodeWrapper(container.command);
    // Our wrapper runs from the node's stand-in of the helper's folder (busybox and the run folder
    // where the script looks for them), under the shell under test rather than by its #! line.
    const command = wrapper ? [...node.shell, runScript, ...encodeWrapper(wrapper).slice(1)] : container.command;
    const argv = kubeletArgv({ ...container, command });
    const env = Object.fromEntries(envOf(container));
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: node.runDir,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const input = node.stdin?.[container.name];
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // In a pod, the container's other processes die with its first one; here a program's orphans may
    // keep stderr open, so what it wrote is taken shortly after the exit rather than when all close.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; at: number }>((resolve) =>
      child.on('exit', (code, signal) => {
        const at = Date.now();
        const done = (): void => resolve({ code, signal, stderr, at });
        const late = setTimeout(done, 300);
        child.stderr.on('close', () => {
          clearTimeout(late);
          done();
        });
      }),
    );
    return { name: container.name, process: child, exited };
  });
}
