/**
 * Helpers the emulated sidecars share: the bench knobs of their registry entries, how Go, Rust and C++
 * programs resolve "localhost", listeners that hold connections (so that drains have something to
 * wait for), a small HTTP client, and a YAML reader for the configuration files they load.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { programConfig } from './lib.js';

/** The bench knobs every sidecar entry may set in its registry config (none is a real program's setting). */
export interface BenchKnobs {
  /** How long the program takes to become ready (connecting to its control plane, fetching certs...). */
  readonly startupMs?: number;
  /** An upper bound on every drain and shutdown delay, so that a scenario need not wait real minutes. */
  readonly maxDrainMs?: number;
}

export function knobs<T extends object>(): BenchKnobs & Partial<T> {
  return (programConfig ?? {}) as BenchKnobs & Partial<T>;
}

/** A real drain delay, shortened by the registry's maxDrainMs when it sets one. */
export function drainMs(realMs: number): number {
  const cap = knobs().maxDrainMs;
  return cap === undefined ? realMs : Math.min(realMs, cap);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The address a Go (or Rust) server binds for a host: "localhost" is its first IPv4 address (Go's
 * ListenConfig picks addrs.first(isIPv4)), an empty host is every address.
 */
export function bindHost(host: string): string {
  if (host === 'localhost') return '127.0.0.1';
  if (host === '' || host === '[::]' || host === '::') return '::';
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** Splits "host:port" ("[::1]:80", ":80"); undefined when there is no port. */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(addr);
  if (!m) return undefined;
  return { host: m[1]!, port: Number(m[2]) };
}

/** Listens on host:port; "::" also takes IPv4 (dual stack), falling back to 0.0.0.0 without IPv6. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (h: string): void => {
      const onError = (e: NodeJS.ErrnoException): void => {
        if (h === '::' && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) attempt('0.0.0.0');
        else reject(e);
      };
      server.once('error', onError);
      server.listen({ port, host: h, ipv6Only: false }, () => {
        server.off('error', onError);
        resolve();
      });
    };
    attempt(host);
  });
}

/** A TCP (or Unix) listener that accepts and holds connections, as a proxy with no backend would. */
export class Holder {
  readonly server: Server;
  readonly sockets = new Set<Socket>();
  constructor(limit = 0) {
    this.server = createServer((socket) => {
      if (limit > 0 && this.sockets.size >= limit) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('end', () => socket.end());
      socket.resume();
    });
  }
  /** Stops accepting; held connections stay open. */
  close(): void {
    this.server.close();
  }
  get open(): number {
    return this.sockets.size;
  }
}

/** Waits until every held connection has closed or the time is up; returns how many are still open. */
export async function waitClosed(holders: readonly Holder[], ms: number): Promise<number> {
  const until = Date.now() + ms;
  const open = (): number => holders.reduce((n, h) => n + h.open, 0);
  while (open() > 0 && Date.now() < until) await sleep(Math.min(100, Math.max(1, until - Date.now())));
  return open();
}

export interface HttpResult {
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

function requestOnce(method: string, host: string, port: number, path: string, timeoutMs: number): Promise<HttpResult> {
  return new Promise((resolve) => {
    const req = request({ method, host, port, path, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

/**
 * An HTTP request as a Go or Rust client makes it: "localhost" resolves to 127.0.0.1 and ::1 and each
 * is tried in turn (Go's dialer and hyper's connector fall back across the resolved addresses).
 */
export async function httpRequest(method: string, url: string, timeoutMs = 1000): Promise<HttpResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: `invalid URL ${url}` };
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(u.port || '80');
  const path = `${u.pathname}${u.search}`;
  const hosts = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
  let last: HttpResult = { error: 'no address' };
  for (const h of hosts) {
    last = await requestOnce(method, h, port, path, timeoutMs);
    if (last.status !== undefined) return last;
  }
  return last;
}

/** Whether the peer of a request is a loopback address (IPv4-mapped included). */
export function fromLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.replace(/^::ffff:/, '');
  return a.startsWith('127.') || a === '::1';
}

/** A Go ServeMux pattern match: a pattern ending in "/" matches its subtree, others match exactly. */
export function muxMatch(pattern: string, path: string): boolean {
  return pattern.endsWith('/') ? path.startsWith(pattern) : path === pattern;
}

// ---------------------------------------------------------------------------------------------------
// YAML: the subset the sidecars' configuration files use (block mappings and sequences, flow
// sequences and mappings of scalars, plain/quoted scalars, comments). No anchors, tags or multi-line
// scalars: such a file is reported as unreadable.

export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly no: number;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function scalar(text: string): YamlValue {
  const t = text.trim();
  if (t === '' || t === '~' || t === 'null' || t === 'Null' || t === 'NULL') return null;
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return JSON.parse(t) as string;
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('[') || t.startsWith('{')) return flow(t);
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[&*!|>]/.test(t)) throw new Error(`unsupported YAML construct: ${t}`);
  return t;
}

function splitFlow(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (const c of inner) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts;
}

function flow(t: string): YamlValue {
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new Error(`unterminated flow sequence: ${t}`);
    return splitFlow(t.slice(1, -1)).map((p) => scalar(p));
  }
  if (!t.endsWith('}')) throw new Error(`unterminated flow mapping: ${t}`);
  const out: { [key: string]: YamlValue } = {};
  for (const p of splitFlow(t.slice(1, -1))) {
    const i = keyEnd(p);
    if (i < 0) throw new Error(`bad flow mapping entry: ${p}`);
    out[keyText(p.slice(0, i))] = scalar(p.slice(i + 1));
  }
  return out;
}

/** The index of the ":" ending a mapping key, or -1. */
function keyEnd(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === '[' || c === '{') return -1;
    else if (c === ':' && (i + 1 === text.length || text[i + 1] === ' ' || text[i + 1] === '\t')) return i;
  }
  return -1;
}

function keyText(k: string): string {
  const v = scalar(k);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function parseYaml(source: string): YamlValue {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, no) => {
    if (raw.trim() === '---' || raw.trim() === '...') return;
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new Error(`line ${no + 1}: tab indentation`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trimStart(), no: no + 1 });
  });
  let pos = 0;
  const block = (indent: number): YamlValue => {
    const first = lines[pos];
    if (!first || first.indent < indent) return null;
    if (first.text.startsWith('{') || first.text.startsWith('[')) {
      // A flow collection, possibly over several lines.
      let text = '';
      while (pos < lines.length && (text === '' || lines[pos]!.indent > first.indent || /^[\]}]/.test(lines[pos]!.text)))
        text += ` ${lines[pos++]!.text}`;
      return scalar(text);
    }
    if (first.text === '-' || first.text.startsWith('- ')) return sequence(first.indent);
    return mapping(first.indent);
  };
  const item = (text: string, parentIndent: number): YamlValue => {
    // A sequence entry's inline text, or the block below it.
    if (text === '') {
      const next = lines[pos];
      return next && next.indent > parentIndent ? block(next.indent) : null;
    }
    return scalar(text);
  };
  const mapping = (indent: number): YamlValue => {
    const out: { [key: string]: YamlValue } = {};
    while (pos < lines.length && lines[pos]!.indent === indent) {
      const line = lines[pos]!;
      if (line.text.startsWith('- ')) break;
      const i = keyEnd(line.text);
      if (i < 0) throw new Error(`line ${line.no}: expected "key: value"`);
      pos++;
      const rest = line.text.slice(i + 1).trim();
      if (rest === '') {
        const next = lines[pos];
        // A sequence may sit at the key's own indentation.
        if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- ')))))
          out[keyText(line.text.slice(0, i))] = block(next.indent);
        else out[keyText(line.text.slice(0, i))] = null;
      } else out[keyText(line.text.slice(0, i))] = scalar(rest);
    }
    if (pos < lines.length && lines[pos]!.indent > indent) throw new Error(`line ${lines[pos]!.no}: bad indentation`);
    return out;
  };
  const sequence = (indent: number): YamlValue => {
    const out: YamlValue[] = [];
    while (pos < lines.length && lines[pos]!.indent === indent && (lines[pos]!.text === '-' || lines[pos]!.text.startsWith('- '))) {
      const line = lines[pos]!;
      const rest = line.text === '-' ? '' : line.text.slice(2).trimStart();
      const restIndent = indent + (line.text.length - rest.length);
      if (rest !== '' && keyEnd(rest) >= 0) {
        // "- key: value" opens a mapping whose further keys sit under the first.
        lines[pos] = { indent: restIndent, text: rest, no: line.no };
        out.push(mapping(restIndent));
      } else {
        pos++;
        out.push(item(rest, indent));
      }
    }
    return out;
  };
  const value = block(0);
  if (pos < lines.length) throw new Error(`line ${lines[pos]!.no}: unexpected content`);
  return value;
}

/** Looks a path of keys up in a parsed document. */
export function dig(doc: YamlValue | undefined, ...keys: string[]): YamlValue | undefined {
  let cur: YamlValue | undefined = doc;
  for (const k of keys) {
    if (cur === null || cur === undefined || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Deep-merges mappings (later wins), as the collector and envoy merge several configuration sources. */
export function merge(a: YamlValue, b: YamlValue): YamlValue {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: { [key: string]: YamlValue } = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k]!, v) : v;
    return out;
  }
  return b;
}

// ---------------------------------------------------------------------------------------------------
// Envoy's admin API, shared by envoy.ts and pilot-agent.ts (which emulates the Envoy it runs).
// envoyproxy/envoy source/server/admin/admin.cc (handler lookup: exact path, POST for mutating
// handlers, 405 "Method X not allowed, POST required."), server_info_handler.cc handlerReady
// ("<STATE>\n", 200 only when LIVE), server.cc (/quitquitquit answers "OK\n" and shuts down).

export type EnvoyState = 'LIVE' | 'DRAINING' | 'PRE_INITIALIZING' | 'INITIALIZING';

export interface EnvoyAdmin {
  readonly state: () => EnvoyState;
  readonly quit: () => void;
  readonly drainListeners: (graceful: boolean, inboundOnly: boolean) => void;
  readonly setHealthCheckFailed: (failed: boolean) => void;
  /** Text of /stats?filter=downstream_cx_active$ style queries (istio reads it while draining). */
  readonly stats?: () => string;
}

const MUTATING = new Set([
  '/quitquitquit',
  '/healthcheck/fail',
  '/healthcheck/ok',
  '/drain_listeners',
  '/logging',
  '/reset_counters',
  '/runtime_modify',
  '/cpuprofiler',
  '/heapprofiler',
]);

export function envoyAdminHandler(admin: EnvoyAdmin): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const send = (code: number, body: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=UTF-8' });
      res.end(body);
    };
    if (MUTATING.has(path) && req.method !== 'POST') return send(405, `Method ${req.method ?? 'GET'} not allowed, POST required.`);
    switch (path) {
      case '/ready': {
        const s = admin.state();
        return send(s === 'LIVE' ? 200 : 503, `${s}\n`);
      }
      case '/server_info':
        return send(200, JSON.stringify({ state: admin.state() }));
      case '/quitquitquit':
        send(200, 'OK\n');
        admin.quit();
        return;
      case '/healthcheck/fail':
        admin.setHealthCheckFailed(true);
        return send(200, 'OK\n');
      case '/healthcheck/ok':
        admin.setHealthCheckFailed(false);
        return send(200, 'OK\n');
      case '/drain_listeners':
        admin.drainListeners(url.searchParams.has('graceful'), url.searchParams.has('inboundonly'));
        return send(200, 'OK\n');
      case '/stats':
        return send(200, admin.stats?.() ?? '');
      default:
        return send(
          404,
          'invalid path. admin commands are:\n  /ready\n  /quitquitquit\n  /server_info\n  /stats\n  /drain_listeners\n  /healthcheck/fail\n  /healthcheck/ok\n',
        );
    }
  };
}
