/**
 * The bench's container runtime (what CRI and runc do for kubelet): a pod sandbox with its volumes, and
 * containers started as real processes, each PID 1 of its own PID namespace, in its own mount namespace
 * whose root is assembled from the image, a base, the pod's volumes and the bench's own files. The
 * pod's network namespace is the one this process runs in (the caller made it).
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readlinkSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image } from './images.js';

const LAUNCHER = fileURLToPath(new URL('./launcher.sh', import.meta.url));
const PROGRAMS = fileURLToPath(new URL('./programs/', import.meta.url));

export interface VolumeSource {
  /** emptyDir with medium Memory: a tmpfs, sized by sizeLimit when given (bytes). */
  readonly tmpfsBytes?: number | 'unbounded';
  /** Files the volume starts with (a ConfigMap or Secret found in the same manifest). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface PodSandbox {
  readonly dir: string;
  readonly podIP: string;
  /** Host folder of each volume, by name. */
  readonly volumes: ReadonlyMap<string, string>;
  /** /.bench/pod in every container: the marks programs leave for each other. */
  readonly marksDir: string;
  /** /.bench in every container: node, the programs, package.json. */
  readonly benchDir: string;
  readonly hostsFile: string;
}

function run(argv: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')}: ${err.trim()}`))));
  });
}

/** The pod's host name and domain, as kubelet_pods.go GeneratePodHostNameAndDomain gives them. */
export interface PodHostname {
  readonly hostname: string;
  /** `<subdomain>.<namespace>.svc.<cluster domain>`, when the pod has a subdomain. */
  readonly domain?: string;
}

/**
 * The pod's name as host name (spec.hostname, else the pod's name, cut to 63 characters without a
 * trailing `-` or `.`) and domain (spec.subdomain), as kubelet_pods.go GeneratePodHostNameAndDomain and
 * truncatePodHostnameIfNeeded; the bench's cluster domain is cluster.local.
 */
export function podHostname(podName: string, namespace: string, hostname?: string, subdomain?: string): PodHostname {
  const name = hostname || podName;
  const cut = name.length <= 63 ? name : name.slice(0, 63).replace(/[-.]+$/, '');
  return { hostname: cut, ...(subdomain ? { domain: `${subdomain}.${namespace}.svc.cluster.local` } : {}) };
}

/**
 * /etc/hosts of a pod without hostNetwork, as kubelet_pods.go managedHostsFileContent writes it: the
 * loopback and IPv6 names, then the pod IP with the pod's names (no hostAliases on the bench).
 */
function managedHostsFileContent(podIP: string, { hostname, domain }: PodHostname): string {
  const names = domain === undefined ? hostname : `${hostname}.${domain}\t${hostname}`;
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${podIP}\t${names}`,
    '',
  ].join('\n');
}

/**
 * The pod's sandbox: folders for its volumes (memory-backed ones as tmpfs mounts in this process's
 * mount namespace, which the caller made private), /etc/hosts as kubelet writes it
 * (kubelet_pods.go managedHostsFileContent), and the bench's files every container sees.
 */
export async function createSandbox(
  dir: string,
  podIP: string,
  host: PodHostname,
  volumes: ReadonlyMap<string, VolumeSource>,
): Promise<PodSandbox> {
  const volumeDirs = new Map<string, string>();
  for (const [name, source] of volumes) {
    const vdir = join(dir, 'volumes', name);
    mkdirSync(vdir, { recursive: true });
    if (source.tmpfsBytes !== undefined) {
      const size = source.tmpfsBytes === 'unbounded' ? '' : `,size=${source.tmpfsBytes}`;
      await run(['mount', '-t', 'tmpfs', '-o', `mode=0777${size}`, `bench-${name}`, vdir]);
    }
    // emptyDir is world-writable (volume/emptydir: perm 0777), so non-root containers can write it.
    chmodSync(vdir, 0o777);
    for (const [file, text] of Object.entries(source.files ?? {})) {
      const target = join(vdir, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    volumeDirs.set(name, vdir);
  }
  const marksDir = join(dir, 'marks');
  mkdirSync(marksDir, { recursive: true });
  chmodSync(marksDir, 0o777);
  const benchDir = join(dir, 'bench');
  for (const d of ['programs', 'pod', 'self']) mkdirSync(join(benchDir, d), { recursive: true });
  writeFileSync(join(benchDir, 'node'), '');
  writeFileSync(join(benchDir, 'package.json'), '{"type":"module"}\n');
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, managedHostsFileContent(podIP, host));
  return { dir, podIP, volumes: volumeDirs, marksDir, benchDir, hostsFile };
}

export interface Mount {
  readonly volume: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly: boolean;
}

/** Everything the runtime needs to create and start one container (CRI's ContainerConfig). */
export interface ContainerConfig {
  readonly name: string;
  readonly instance: number;
  readonly image: Image;
  readonly argv: readonly string[];
  readonly env: readonly (readonly [string, string])[];
  readonly workingDir: string;
  readonly uid: number;
  readonly gid: number;
  readonly readOnlyRoot: boolean;
  readonly mounts: readonly Mount[];
  /** What the bench tells the programs of this container (programs/lib.ts SelfConfig), as JSON. */
  readonly self: unknown;
}

interface ExecResult {
  readonly code: number;
  readonly output: string;
  readonly timedOut: boolean;
}

export interface RunningContainer {
  readonly name: string;
  readonly hostPid: number;
  readonly log: string;
  /** The status a runtime reports: the exit code, or 128+N after signal N. */
  readonly exited: Promise<number>;
  signal(signal: NodeJS.Signals): void;
  /** Runs a command in the container's namespaces, root, working directory, user and env (CRI ExecSync). */
  exec(argv: readonly string[], timeoutMs?: number): Promise<ExecResult>;
}

/** A path inside the container's root, refusing anything a tab or newline would split in the plan. */
function inRoot(root: string, path: string): string {
  if (/[\t\n]/.test(path)) throw new Error(`the path ${JSON.stringify(path)} cannot be mounted on the bench`);
  return join(root, posix.normalize(`/${path}`));
}

function planOf(sandbox: PodSandbox, config: ContainerConfig, ctrDir: string, selfDir: string): string {
  const root = join(ctrDir, 'root');
  const { image } = config;
  const steps: string[][] = [['tmpfs', ctrDir, 'mode=0755']];
  steps.push(['overlay', `${image.dir}:${image.baseDir}`, join(ctrDir, 'root-layer'), root]);
  if (image.spec.base === 'distro') {
    // The distro's /usr and /etc are the host's, with the image's own files over them.
    for (const d of ['usr', 'etc']) {
      const own = join(image.dir, d);
      steps.push(['overlay', existsSync(own) ? `${own}:/${d}` : `/${d}`, join(ctrDir, `${d}-layer`), join(root, d)]);
    }
  }
  steps.push(['bind', '/dev', join(root, 'dev'), 'rw']);
  steps.push(['bind', sandbox.hostsFile, join(root, 'etc', 'hosts'), 'ro']);
  steps.push(['bind', sandbox.benchDir, join(root, '.bench'), 'ro']);
  steps.push(['bind', process.execPath, join(root, '.bench', 'node'), 'ro']);
  steps.push(['bind', PROGRAMS, join(root, '.bench', 'programs'), 'ro']);
  steps.push(['bind', sandbox.marksDir, join(root, '.bench', 'pod'), 'rw']);
  steps.push(['bind', selfDir, join(root, '.bench', 'self'), 'rw']);
  for (const m of config.mounts) {
    const source = sandbox.volumes.get(m.volume);
    if (source === undefined) throw new Error(`volume ${m.volume} is not in the pod`);
    const from = m.subPath ? join(source, posix.normalize(`/${m.subPath}`)) : source;
    mkdirSync(from, { recursive: true });
    steps.push(['bind', from, inRoot(root, m.mountPath), m.readOnly ? 'ro' : 'rw']);
  }
  if (config.readOnlyRoot) {
    steps.push(['readonly', root]);
    if (image.spec.base === 'distro') for (const d of ['usr', 'etc']) steps.push(['readonly', join(root, d)]);
  }
  return steps.map((s) => s.join('\t')).join('\n') + '\n';
}

/**
 * Creates and starts a container (CRI CreateContainer + StartContainer). The program is the PID 1 of
 * its PID namespace: signals without a handler are then discarded, and when it dies every other
 * process of the container dies with it, as in a container.
 */
export function startContainer(sandbox: PodSandbox, config: ContainerConfig): Promise<RunningContainer> {
  const ctrDir = join(sandbox.dir, 'containers', `${config.name}.${config.instance}`);
  const selfDir = join(sandbox.dir, 'self', config.name);
  mkdirSync(ctrDir, { recursive: true });
  mkdirSync(selfDir, { recursive: true });
  chmodSync(selfDir, 0o777);
  writeFileSync(join(selfDir, 'container.json'), JSON.stringify(config.self));
  const events = join(selfDir, 'events.jsonl');
  if (!existsSync(events)) writeFileSync(events, '');
  chmodSync(events, 0o666);
  const planFile = join(sandbox.dir, 'containers', `${config.name}.${config.instance}.plan`);
  writeFileSync(planFile, planOf(sandbox, config, ctrDir, selfDir));
  const log = join(sandbox.dir, 'logs', `${config.name}.${config.instance}.log`);
  mkdirSync(dirname(log), { recursive: true });
  const logFd = openSync(log, 'a');
  const root = join(ctrDir, 'root');
  const envArgs = config.env.map(([k, v]) => `${k}=${v}`);
  const user = config.uid === 0 && config.gid === 0 ? [] : ['--setgid', String(config.gid), '--setuid', String(config.uid)];
  const argv = [
    ...['unshare', '--mount', '--pid', '--propagation', 'private', '/bin/sh', LAUNCHER, planFile, join(root, 'proc')],
    ...['env', '-i', ...envArgs, 'unshare', `--root=${root}`, `--wd=${config.workingDir}`, ...user, '--', ...config.argv],
  ];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', logFd, logFd, 'pipe'] });
  closeSync(logFd);
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(statusOf(code, signal))));
  return new Promise((resolve, reject) => {
    let pid = '';
    const pipe = child.stdio[3] as NodeJS.ReadableStream;
    pipe.setEncoding('utf8');
    pipe.on('data', (d: string) => (pid += d));
    pipe.on('end', () => {
      const hostPid = Number(/^pid (\d+)$/m.exec(pid)?.[1]);
      if (!Number.isInteger(hostPid) || hostPid <= 0 || !/^root$/m.test(pid)) {
        void exited.then((code) => reject(new Error(`the container did not start (launcher exit ${code}); see ${log}`)));
        return;
      }
      // The root is built, but PID 1 only takes it when `unshare --root` chroots, right before it runs
      // the program: an exec that came earlier (a postStart hook) would find the host's root.
      void chrooted(hostPid).then(() =>
        resolve({
          name: config.name,
          hostPid,
          log,
          exited,
          signal: (signal) => {
            try {
              process.kill(hostPid, signal);
            } catch {
              // already gone
            }
          },
          exec: (cmd, timeoutMs) => execIn(hostPid, config, cmd, timeoutMs),
        }),
      );
    });
  });
}

/** Resolves once the process has left the host's root (or is gone). */
async function chrooted(pid: number): Promise<void> {
  for (;;) {
    try {
      if (readlinkSync(`/proc/${pid}/root`) !== '/') return;
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

function execIn(hostPid: number, config: ContainerConfig, argv: readonly string[], timeoutMs?: number): Promise<ExecResult> {
  const user = config.uid === 0 && config.gid === 0 ? [] : ['-S', String(config.uid), '-G', String(config.gid)];
  const envArgs = config.env.map(([k, v]) => `${k}=${v}`);
  const child = spawn(
    'env',
    ['-i', ...envArgs, 'BENCH_EXEC=1', 'nsenter', '-t', String(hostPid), '-m', '-p', '-r', '-w', ...user, '--', ...argv],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const take = (d: string): void => {
    if (output.length < 10_240) output += d;
  };
  child.stdout.setEncoding('utf8').on('data', take);
  child.stderr.setEncoding('utf8').on('data', take);
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, timeoutMs);
  // A process the command left behind may hold its output open: the exit decides, and what it wrote
  // is taken when the pipes close or shortly after.
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const done = (): void => resolve({ code: statusOf(code, signal), output, timedOut });
      const late = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done();
      }, 200);
      child.on('close', () => {
        clearTimeout(late);
        done();
      });
    }),
  );
}

/** The status a runtime reports: the exit code, or 128+N after signal N. */
function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? osConstants.signals[signal] : 0);
}
