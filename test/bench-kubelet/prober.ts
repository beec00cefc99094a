/**
 * kubelet's prober on the bench: one probe attempt as pkg/kubelet/prober/prober.go runProbe makes it
 * (with pkg/probe/http, pkg/probe/tcp and pkg/probe/exec doing the I/O), and the per-container workers
 * of pkg/kubelet/prober/worker.go with the results managers and UpdatePodStatus of
 * pkg/kubelet/prober/prober_manager.go, on real timers. Read from kubelet 1.31-1.34 sources.
 *
 * The bench process runs in the pod's network namespace: it reaches the pod IP as kubelet does, but a
 * probe host that is not the pod IP would be dialled by kubelet from the node, which the bench does not
 * have; such probes fail and say why.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { V1Container, V1HTTPGetAction, V1Probe } from '@kubernetes/client-node';
import { expand } from './expansion.js';
import type { ContainerProbeStatus } from './pod-types.js';

/** The kubelet version the probes claim (request.go userAgent: "kube-probe/<major>.<minor>"). */
const KUBE_VERSION = '1.33';
/** http.go maxRespBodyLength and exec.go maxReadLength: 10 KiB of body or output is read. */
const MAX_READ_BYTES = 10 * 1024;
/** prober.go maxProbeRetries: a probe that errors (not one that fails) is retried this many times. */
const MAX_PROBE_RETRIES = 3;

export interface ProbeTarget {
  /** Probes with no host target this. */
  readonly podIP: string;
  /** For named ports and the static env of exec probes. */
  readonly container: V1Container;
  /**
   * The container's env as kubelet resolved it. Exec probes do NOT use it: kubelet expands their
   * command with ExpandContainerCommandOnlyStatic over container.env (see runExec).
   */
  readonly env: ReadonlyMap<string, string>;
  /** Runs argv in the container (CRI ExecSync). */
  exec(argv: readonly string[], timeoutMs: number): Promise<{ code: number; output: string; timedOut?: boolean }>;
}

export interface ProbeOutcome {
  /** pkg/probe Result; Warning counts as success (prober.go probe). */
  readonly result: 'success' | 'warning' | 'failure';
  readonly detail: string;
  /**
   * The probe could not be made (runProbe returned an error: an unknown named port, an exec the runtime
   * could not run, a body that could not be read). kubelet retries it up to 3 times, then the worker
   * throws the result away (worker.go doProbe: "Prober error, throw away the result"): it counts neither
   * as a success nor as a failure.
   */
  readonly errored?: boolean;
}

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** pkg/apis/core/v1/defaults.go SetDefaults_Probe (and initialDelaySeconds 0). */
interface ProbeTiming {
  readonly timeoutSeconds: number;
  readonly periodSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  readonly initialDelaySeconds: number;
}

function timingOf(p: V1Probe): ProbeTiming {
  return {
    timeoutSeconds: p.timeoutSeconds || 1,
    periodSeconds: p.periodSeconds || 10,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
  };
}

/** pkg/probe/util.go ResolveContainerPort: a number, or the containerPort of the container's port of that name. */
function resolveContainerPort(port: number | string, container: V1Container): number | Error {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    // findPortByName; no fallback to a numeric string.
    const found = (container.ports ?? []).find((p) => p.name === port);
    if (found === undefined) return new Error(`port "${port}" not found`);
    n = found.containerPort;
  }
  return n > 0 && n < 65536 ? n : new Error(`invalid port number: ${n}`);
}

/** Go's net.JoinHostPort. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's textproto.CanonicalMIMEHeaderKey, which http.Header.Add applies (request.go v1HeaderToHTTPHeader). */
function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('-');
}

/** Go's error text for a failed dial, as kubelet shows it in the probe's event. */
function dialError(err: NodeJS.ErrnoException, hostPort: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${hostPort}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${hostPort}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${hostPort}: read: connection reset by peer`;
    default:
      return err.message;
  }
}

/**
 * A host kubelet would dial from the node. The bench has only the pod's network: say what kubelet would
 * see for the node's loopback (nothing of the pod listens there) and that nothing else is reachable.
 */
function offNodeDetail(host: string, port: number, podIP: string): string {
  const hp = joinHostPort(host, port);
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  const cause = loopback ? `dial tcp ${hp}: connect: connection refused` : `dial tcp ${hp}: unreachable`;
  return `${cause} (kubelet dials the probe's host ${host} from the node, not from the pod; the bench node reaches only the pod IP ${podIP})`;
}

// ---------------------------------------------------------------------------------------------------
// HTTP: pkg/probe/http (request.go NewRequestForHTTPGetAction/newProbeRequest, http.go DoHTTPProbe,
// RedirectChecker with followNonLocalRedirects = false)

interface Response {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

class BodyReadError extends Error {}

function portOf(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}

/** One GET, keep-alive off, no proxy, TLS unverified (http.go NewWithTLSConfig), bounded by `deadline`. */
function getOnce(url: URL, headers: Record<string, string[]>, hostHeader: string, deadline: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = portOf(url);
    let gotHeaders = false;
    const req = mod.request({
      protocol: url.protocol,
      hostname,
      port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      // Go sends Host from req.Host (the Host header of the probe, else the URL's host:port).
      headers: { ...headers, Host: hostHeader },
      agent: false,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => {
        req.destroy(
          gotHeaders
            ? new BodyReadError('context deadline exceeded (Client.Timeout or context cancellation while reading body)')
            : Object.assign(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'), { code: 'TIMEOUT' }),
        );
      },
      Math.max(0, deadline - Date.now()),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof BodyReadError) reject(err);
      else reject(new Error(err.code === 'TIMEOUT' ? err.message : dialError(err, joinHostPort(hostname, port))));
    });
    req.on('response', (res) => {
      gotHeaders = true;
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const loc = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location: loc, body: Buffer.concat(chunks).subarray(0, MAX_READ_BYTES).toString('utf8') });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // utilio.ReadAtMost: "Non fatal body truncation"
        if (size >= MAX_READ_BYTES) finish();
      });
      res.on('end', finish);
      res.on('error', (err) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(err instanceof BodyReadError ? err : new BodyReadError(err.message));
      });
    });
    req.end();
  });
}

/** Go's http.Client.Do with RedirectChecker(false): same-hostname redirects followed (10 at most), others returned. */
async function clientDo(
  url: URL,
  headers: Record<string, string[]>,
  hostOverride: string | undefined,
  timeoutMs: number,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  const first = url;
  // formatURL: u.Host = JoinHostPort(host, port), the port always written.
  const firstHost = joinHostPort(first.hostname.replace(/^\[|\]$/g, ''), portOf(first));
  let current = url;
  let host = hostOverride ?? firstHost;
  for (let via = 1; ; via++) {
    const res = await getOnce(current, headers, host, deadline);
    const redirect = [301, 302, 303, 307, 308].includes(res.status) && res.location !== undefined && res.location !== '';
    if (!redirect) return res;
    let next: URL;
    try {
      next = new URL(res.location!, current);
    } catch (e) {
      throw new Error(`failed to parse Location header "${res.location}": ${(e as Error).message}`, { cause: e });
    }
    // RedirectChecker: "req.URL.Hostname() != via[0].URL.Hostname()" → http.ErrUseLastResponse.
    if (next.hostname !== first.hostname) return res;
    if (via >= 10) throw Object.assign(new Error('stopped after 10 redirects'), { url: next.href });
    // net/http redirectBehavior: a Host override survives only a relative Location.
    const relative = !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(res.location!);
    host = hostOverride !== undefined && hostOverride !== firstHost && relative ? hostOverride : next.host;
    current = next;
  }
}

/** request.go formatURL: the path is parsed as a URL reference (query kept), scheme and host:port set. */
function formatURL(scheme: string, host: string, port: number, path: string): URL {
  const base = `${scheme}://${joinHostPort(host, port)}`;
  try {
    return new URL(path.startsWith('/') ? `${base}${path}` : `${base}/${path}`);
  } catch {
    return new URL(base);
  }
}

async function runHTTP(action: V1HTTPGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const scheme = (action.scheme ?? '').toLowerCase() || 'http';
  const host = action.host || target.podIP;
  const port = resolveContainerPort(action.port, target.container);
  if (port instanceof Error) return { result: 'failure', detail: port.message, errored: true };
  const url = formatURL(scheme, host, port, action.path ?? '');
  const shown = url.href;
  if (host !== target.podIP) return { result: 'failure', detail: `Get "${shown}": ${offNodeDetail(host, port, target.podIP)}` };

  // newProbeRequest: the probe's headers, then User-Agent and Accept unless given; an empty Accept is removed.
  const headers: Record<string, string[]> = {};
  for (const h of action.httpHeaders ?? []) (headers[canonicalHeaderKey(h.name)] ??= []).push(h.value);
  if (headers['User-Agent'] === undefined) headers['User-Agent'] = [`kube-probe/${KUBE_VERSION}`];
  if (headers['Accept'] === undefined) headers['Accept'] = ['*/*'];
  else if (headers['Accept'][0] === '') delete headers['Accept'];
  // req.Host = headers.Get("Host"): the first Host header, when not empty, replaces the URL's host.
  const hostOverride = headers['Host']?.[0] || undefined;
  delete headers['Host'];

  let res: Response;
  try {
    res = await clientDo(url, headers, hostOverride, timeoutMs);
  } catch (e) {
    const err = e as Error & { url?: string };
    // ReadAtMost failed: Failure with an error (the worker throws the result away after the retries).
    if (err instanceof BodyReadError) return { result: 'failure', detail: err.message, errored: true };
    // "Convert errors into failures to catch timeouts."
    return { result: 'failure', detail: `Get "${err.url ?? shown}": ${err.message}` };
  }
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) return { result: 'warning', detail: `Probe terminated redirects, Response body: ${res.body}` };
    return { result: 'success', detail: res.body };
  }
  // "this user-facing failure message must not contain the response body"
  return { result: 'failure', detail: `HTTP probe failed with statuscode: ${res.status}` };
}

// ---------------------------------------------------------------------------------------------------
// TCP: pkg/probe/tcp DoTCPProbe

function runTCP(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const hp = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: 'failure', detail: `dial tcp ${hp}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'success', detail: '' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'failure', detail: dialError(err, hp) });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Exec: prober.go (ExpandContainerCommandOnlyStatic, newExecInContainer) and pkg/probe/exec

/**
 * container/helpers.go ExpandContainerCommandOnlyStatic: `$(VAR)` from the container's own env entries
 * as written (v1EnvVarsToMap: name → value, a later entry winning). A valueFrom entry has no value, so
 * `$(POD_NAME)` from the downward API expands to the empty string; values are not expanded themselves.
 */
function expandProbeCommand(command: readonly string[], container: V1Container): string[] {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) env.set(e.name, e.value ?? '');
  return command.map((s) => expand(s, env));
}

async function runExec(command: readonly string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const argv = expandProbeCommand(command, target.container);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    // The runtime's ExecSync enforces the timeout; this bound only guards against a runtime that does not.
    timer = setTimeout(() => resolve('timeout'), timeoutMs + 1000);
  });
  try {
    const r = await Promise.race([target.exec(argv, timeoutMs), timedOut]);
    // ExecProbeTimeout (on by default): a timed-out exec probe is a failure.
    if (r === 'timeout' || r.timedOut) return { result: 'failure', detail: `command ${JSON.stringify(argv.join(' '))} timed out` };
    const output = r.output.slice(0, MAX_READ_BYTES);
    return { result: r.code === 0 ? 'success' : 'failure', detail: output };
  } catch (e) {
    // Not an exit status: probe.Unknown with the error.
    return { result: 'failure', detail: (e as Error).message, errored: true };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * prober.go runProbe: one attempt of the probe, exec, then httpGet, then tcpSocket, then grpc.
 * timeoutSeconds defaults to 1.
 */
export async function runProbe(probe: V1Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds || 1) * 1000;
  if (probe.exec) return runExec(probe.exec.command ?? [], target, timeoutMs);
  if (probe.httpGet) return runHTTP(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) {
    const port = resolveContainerPort(probe.tcpSocket.port, target.container);
    if (port instanceof Error) return { result: 'failure', detail: port.message, errored: true };
    const host = probe.tcpSocket.host || target.podIP;
    if (host !== target.podIP) return { result: 'failure', detail: offNodeDetail(host, port, target.podIP) };
    return runTCP(host, port, timeoutMs);
  }
  if (probe.grpc) {
    return {
      result: 'failure',
      detail: `gRPC probes are not supported on the bench (kubelet would call grpc.health.v1.Health/Check${probe.grpc.service ? ` for service "${probe.grpc.service}"` : ''} on ${joinHostPort(target.podIP, probe.grpc.port)})`,
    };
  }
  return { result: 'failure', detail: `missing probe handler for ${target.container.name}`, errored: true };
}

/** prober.go runProbeWithRetries: only an errored attempt is retried, up to 3 attempts. */
async function runProbeWithRetries(probe: V1Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  let outcome: ProbeOutcome = { result: 'failure', detail: '', errored: true };
  for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
    outcome = await runProbe(probe, target);
    if (!outcome.errored) return outcome;
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------------
// Workers and results: worker.go, results_manager.go, prober_manager.go

type Result = 'success' | 'failure' | 'unknown';

/** worker.go newWorker: the result a new container starts with. */
const INITIAL: Record<ProbeKind, Result> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

interface Instance {
  readonly container: V1Container;
  readonly startedAtMs: number;
  readonly target: ProbeTarget;
  readonly seq: number;
}

/** worker.go worker: one per container and probe kind; it outlives container instances, as in kubelet. */
class Worker {
  /** results manager entry for the current instance (undefined: none). */
  result: Result | undefined;
  /** worker.go lastResult/resultRun: kept across instances of the container. */
  lastResult: 'success' | 'failure' | undefined;
  resultRun = 0;
  onHold = false;
  interval: NodeJS.Timeout | undefined;
  running = false;
  pendingTick = false;
  pendingManual = false;
  stopped = false;

  constructor(
    readonly name: string,
    readonly kind: ProbeKind,
    readonly probe: V1Probe,
    readonly timing: ProbeTiming,
  ) {}
}

export type ProbeChange = 'started' | 'ready' | 'unready' | 'failed';

export interface ProbeManagerOptions {
  /** The clock of add()'s startedAtMs; Date.now by default. */
  readonly now?: () => number;
  /**
   * periodSeconds and initialDelaySeconds are multiplied by this (the bench may compress time); the
   * timeouts are not, since they bound a real process's answer. 1 by default.
   */
  readonly scale?: number;
}

/**
 * prober_manager.go manager for one pod. add() when a container instance starts running (kubelet's
 * worker sees the new container ID), remove() when it exits or is killed. status() is kubelet's
 * Started/Ready/liveness-startup verdict for the current instance; changes and every probe attempt are
 * reported to listeners.
 *
 * Timing, as worker.go run/doProbe: each worker ticks every periodSeconds from add() (kubelet's ticks
 * from the pod's admission, so its first attempt falls anywhere in one period; the bench takes the
 * earliest, an attempt at add()); nothing is probed before initialDelaySeconds (whole seconds since the
 * container started, truncated); readiness and liveness wait until the container is started (startup
 * probe succeeded, or none); the startup probe stops once started. Attempts of one worker never overlap:
 * a tick that comes during an attempt waits (one at most, like Go's ticker channel) and runs right after.
 * A readiness attempt also runs as soon as the container is started (UpdatePodStatus triggers it) and on
 * updatePodStatus().
 */
export class ProbeManager {
  private readonly now: () => number;
  private readonly scale: number;
  private readonly instances = new Map<string, Instance>();
  private readonly workers = new Map<string, Map<ProbeKind, Worker>>();
  private readonly last = new Map<string, ContainerProbeStatus>();
  private readonly changeListeners: ((name: string, what: ProbeChange, detail: string) => void)[] = [];
  private readonly attemptListeners: ((name: string, kind: ProbeKind, outcome: ProbeOutcome) => void)[] = [];
  private seq = 0;
  private stopped = false;

  constructor(opts: ProbeManagerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.scale = opts.scale ?? 1;
  }

  onChange(listener: (name: string, what: ProbeChange, detail: string) => void): void {
    this.changeListeners.push(listener);
  }

  /** Every probe attempt (after kubelet's retries of errored ones), as kubelet records a probe event. */
  onAttempt(listener: (name: string, kind: ProbeKind, outcome: ProbeOutcome) => void): void {
    this.attemptListeners.push(listener);
  }

  /** A container instance started running at `startedAtMs` (on the `now` clock). */
  add(name: string, container: V1Container, startedAtMs: number, target: ProbeTarget): void {
    if (this.stopped) return;
    if (this.instances.has(name)) this.remove(name);
    const inst: Instance = { container, startedAtMs, target, seq: ++this.seq };
    this.instances.set(name, inst);
    // prober_manager.go AddPod: a worker per probe the container has (startup, readiness, liveness).
    let byKind = this.workers.get(name);
    if (byKind === undefined) {
      byKind = new Map();
      this.workers.set(name, byKind);
    }
    for (const [kind, probe] of [
      ['startup', container.startupProbe],
      ['readiness', container.readinessProbe],
      ['liveness', container.livenessProbe],
    ] as const) {
      if (probe === undefined) {
        byKind.delete(kind);
        continue;
      }
      let w = byKind.get(kind);
      if (w === undefined || w.stopped || w.probe !== probe) {
        w = new Worker(name, kind, probe, timingOf(probe));
        byKind.set(kind, w);
      }
      // doProbe on a new container ID: results manager set to the initial value, probing resumed.
      w.result = INITIAL[kind];
      w.onHold = false;
      w.pendingTick = false;
      w.pendingManual = false;
      const worker = w;
      worker.interval = setInterval(() => this.kick(worker, 'tick'), worker.timing.periodSeconds * 1000 * this.scale);
      worker.interval.unref();
    }
    this.changed(name, 'container started', false);
    for (const w of byKind.values()) this.kick(w, 'tick');
  }

  /** The container instance exited or was killed: its results go (the next instance starts afresh). */
  remove(name: string): void {
    if (!this.instances.delete(name)) return;
    for (const w of this.workers.get(name)?.values() ?? []) {
      clearInterval(w.interval);
      w.interval = undefined;
      w.result = undefined;
      w.pendingTick = false;
      w.pendingManual = false;
    }
    this.changed(name, 'container not running');
  }

  /**
   * prober_manager.go isContainerStarted and UpdatePodStatus: started when running and the startup probe
   * has succeeded (or there is none); ready when started and the readiness probe has succeeded (or there
   * is none); failed when liveness (checked first, as computePodActions does) or startup has failed.
   */
  status(name: string): ContainerProbeStatus {
    if (!this.instances.has(name)) return { started: false, ready: false };
    const byKind = this.workers.get(name);
    const startup = byKind?.get('startup');
    const readiness = byKind?.get('readiness');
    const started = startup === undefined || startup.result === 'success';
    const ready = started && (readiness === undefined || readiness.result === 'success');
    const failed = byKind?.get('liveness')?.result === 'failure' ? 'liveness' : startup?.result === 'failure' ? 'startup' : undefined;
    return failed === undefined ? { started, ready } : { started, ready, failed };
  }

  /**
   * prober_manager.go UpdatePodStatus, which kubelet runs on every pod sync: a started container that is
   * not ready and has a readiness probe gets an immediate readiness attempt.
   */
  updatePodStatus(): void {
    for (const name of this.instances.keys()) this.triggerReadiness(name);
  }

  /**
   * prober_manager.go StopLivenessAndStartup (SyncTerminatingPod): the liveness and startup workers of
   * these containers (kubelet: the regular ones) stop, and their results go with them, so a container
   * whose startup probe never succeeded counts as started from then on.
   */
  stopLivenessAndStartup(names?: readonly string[]): void {
    for (const name of names ?? [...this.workers.keys()]) {
      const byKind = this.workers.get(name);
      for (const kind of ['liveness', 'startup'] as const) {
        const w = byKind?.get(kind);
        if (w === undefined) continue;
        this.stopWorker(w);
        byKind!.delete(kind);
      }
      if (this.instances.has(name)) this.changed(name, 'liveness and startup probes stopped');
    }
  }

  /** Stops every worker (the pod is done). */
  stop(): void {
    this.stopped = true;
    for (const byKind of this.workers.values()) for (const w of byKind.values()) this.stopWorker(w);
  }

  private stopWorker(w: Worker): void {
    w.stopped = true;
    clearInterval(w.interval);
    w.interval = undefined;
  }

  private triggerReadiness(name: string): void {
    const w = this.workers.get(name)?.get('readiness');
    const st = this.status(name);
    if (w !== undefined && st.started && !st.ready) this.kick(w, 'manual');
  }

  /** worker.go run: the probe loop's select over the ticker and the manual trigger, one attempt at a time. */
  private kick(w: Worker, why: 'tick' | 'manual'): void {
    if (w.stopped || this.stopped) return;
    if (w.running) {
      if (why === 'tick') w.pendingTick = true;
      else w.pendingManual = true;
      return;
    }
    w.running = true;
    void this.doProbe(w).finally(() => {
      w.running = false;
      if (w.pendingTick) {
        w.pendingTick = false;
        this.kick(w, 'tick');
      } else if (w.pendingManual) {
        w.pendingManual = false;
        this.kick(w, 'manual');
      }
    });
  }

  /** worker.go doProbe. */
  private async doProbe(w: Worker): Promise<void> {
    const inst = this.instances.get(w.name);
    if (inst === undefined || w.stopped) return; // "Probe target container not found"
    if (w.onHold) return; // until there is a new container
    // "Probe disabled for InitialDelaySeconds": whole seconds since the container started.
    const elapsedSeconds = Math.trunc((this.now() - inst.startedAtMs) / (1000 * this.scale));
    if (elapsedSeconds < w.timing.initialDelaySeconds) return;
    const started = this.status(w.name).started;
    if (started) {
      if (w.kind === 'startup') return; // "Stop probing for startup once container has started."
    } else if (w.kind !== 'startup') {
      return; // "Disable other probes until container has started."
    }

    const outcome = await runProbeWithRetries(w.probe, inst.target);
    if (w.stopped || this.instances.get(w.name)?.seq !== inst.seq) return; // the instance is gone
    for (const l of this.attemptListeners) l(w.name, w.kind, outcome);
    if (outcome.errored) return; // "Prober error, throw away the result."

    const result = outcome.result === 'failure' ? 'failure' : 'success';
    if (w.lastResult === result) w.resultRun++;
    else {
      w.lastResult = result;
      w.resultRun = 1;
    }
    // "Success or failure is below threshold - leave the probe state unchanged."
    if (
      (result === 'failure' && w.resultRun < w.timing.failureThreshold) ||
      (result === 'success' && w.resultRun < w.timing.successThreshold)
    )
      return;

    w.result = result;
    if ((w.kind === 'liveness' || w.kind === 'startup') && result === 'failure') {
      // "Stop probing until we see a new container ID."
      w.onHold = true;
      w.resultRun = 0;
    }
    const detail =
      result === 'failure'
        ? `${w.kind} probe failed ${w.timing.failureThreshold} time(s) in a row: ${outcome.detail}`
        : `${w.kind} probe succeeded${outcome.result === 'warning' ? ` with a warning: ${outcome.detail}` : ''}`;
    this.changed(w.name, detail);
  }

  /** Reports what changed in status(name) and, once started, asks for a readiness attempt (UpdatePodStatus on the sync that follows). */
  private changed(name: string, detail: string, trigger = true): void {
    const before = this.last.get(name) ?? { started: false, ready: false };
    const after = this.status(name);
    this.last.set(name, after);
    const events: ProbeChange[] = [];
    if (!before.started && after.started) events.push('started');
    if (!before.ready && after.ready) events.push('ready');
    if (before.ready && !after.ready) events.push('unready');
    if (before.failed === undefined && after.failed !== undefined) events.push('failed');
    for (const what of events) for (const l of this.changeListeners) l(name, what, detail);
    // Only a change reaches the results manager's update channel (results_manager.go Set), and so a
    // sync and its UpdatePodStatus: the same failure again triggers nothing.
    if (trigger && events.length > 0 && this.instances.has(name) && after.started && !after.ready) this.triggerReadiness(name);
  }
}
