/**
 * The two compact syntaxes that ConfigMap keys and workload annotations share, side by side, and the one
 * way a field written in them is read (parseField).
 *
 * The order syntax:
 *   `cloud-sql-proxy > migrate:Completed > app; vault-agent > app`
 * Each `>` makes the right-hand container start after the left-hand one reaches the condition written
 * after its name (Ready when none is written). `;` separates independent chains.
 */
import type { DecodeProblem } from '../codec/io-ts.js';
import { CONTAINER_NAME } from '../codec/names.js';
import {
  CONDITIONS,
  DEFAULT_CONDITION,
  SIDECAR_WAITS,
  STOP_ORDERS,
  type Condition,
  type Rule,
  type Sidecar,
  type SidecarWait,
  type StopOrder,
} from '../order/declaration.js';

/** Text that does not follow its syntax; the message says what was expected. */
class DeclarationSyntaxError extends Error {
  override readonly name: string = 'DeclarationSyntaxError';
}

export class OrderSyntaxError extends DeclarationSyntaxError {
  override readonly name = 'OrderSyntaxError';
  constructor(
    message: string,
    /** One-based column of the offending token. */
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
  }
}

interface Step {
  readonly name: string;
  readonly condition?: Condition;
  readonly column: number;
}

const TOKEN = /\s*(?:([^\s>;:]+)(?::([^\s>;]*))?|([>;])|(\S))/y;

function parseChains(text: string): Step[][] {
  const chains: Step[][] = [[]];
  let expectName = true;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) break;
    const column = start + (m[0].length - m[0].trimStart().length) + 1;
    if (m[0].trim() === '') break;
    const chain = chains[chains.length - 1]!;
    if (m[3] !== undefined || m[4] !== undefined) {
      const sep = m[3] ?? m[4]!;
      if (sep !== '>' && sep !== ';') throw new OrderSyntaxError(`unexpected "${sep}"`, column);
      if (expectName) throw new OrderSyntaxError(`expected a container name before "${sep}"`, column);
      if (sep === ';') chains.push([]);
      expectName = true;
      continue;
    }
    if (!expectName) throw new OrderSyntaxError(`expected ">" or ";" before "${m[1]}"`, column);
    const name = m[1]!;
    if (!CONTAINER_NAME.test(name) || name.length > 63) {
      throw new OrderSyntaxError(`"${name}" is not a container name (lowercase letters, digits and "-", at most 63)`, column);
    }
    let condition: Condition | undefined;
    if (m[2] !== undefined) {
      const found = CONDITIONS.find((c) => c.toLowerCase() === m[2]!.toLowerCase());
      if (!found) {
        throw new OrderSyntaxError(`"${m[2]}" is not a condition (${CONDITIONS.join(', ')})`, column + name.length + 1);
      }
      condition = found;
    }
    chain.push({ name, column, ...(condition ? { condition } : {}) });
    expectName = false;
  }
  if (expectName && chains.some((c) => c.length > 0)) {
    throw new OrderSyntaxError('expected a container name at the end', text.trimEnd().length + 1);
  }
  return chains.filter((c) => c.length > 0);
}

/** Parses the order syntax into rules; throws OrderSyntaxError pointing at the offending token. */
export function parseOrder(text: string): Rule[] {
  const byContainer = new Map<string, { container: string; condition: Condition }[]>();
  for (const chain of parseChains(text)) {
    if (chain.length < 2) throw new OrderSyntaxError(`"${chain[0]!.name}" alone orders nothing; write "a > b"`, chain[0]!.column);
    const last = chain[chain.length - 1]!;
    if (last.condition) {
      throw new OrderSyntaxError(
        `":${last.condition}" on the last container of a chain has nothing to wait for it`,
        last.column + last.name.length,
      );
    }
    for (let i = 1; i < chain.length; i++) {
      const from = chain[i - 1]!;
      const to = chain[i]!;
      const after = byContainer.get(to.name) ?? [];
      after.push({ container: from.name, condition: from.condition ?? DEFAULT_CONDITION });
      byContainer.set(to.name, after);
    }
  }
  return [...byContainer].map(([container, after]) => ({ container, after }));
}

/**
 * The sidecar list: names separated by commas, each optionally with what the others wait for
 * (`:Started` or `:Ready`) and when it stops (`:after` or `:with`), in that order: `proxy, envoy:with`.
 */
export function parseSidecarList(text: string): Sidecar[] {
  const sidecars: Sidecar[] = [];
  const expected = `a sidecar condition (${SIDECAR_WAITS.join(', ')}) or stop order (${STOP_ORDERS.join(', ')})`;
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [name, ...options] = entry.split(':');
    if (!CONTAINER_NAME.test(name!) || options.length > 2)
      throw new DeclarationSyntaxError(`"${entry}" is not a container name (optionally :Started or :Ready, then :after or :with)`);
    let waitFor: SidecarWait | undefined;
    let stop: StopOrder | undefined;
    for (const option of options) {
      const wait = SIDECAR_WAITS.find((w) => w === option);
      const order = STOP_ORDERS.find((o) => o === option);
      if (wait !== undefined && waitFor === undefined && stop === undefined) waitFor = wait;
      else if (order !== undefined && stop === undefined) stop = order;
      else if (wait === undefined && order === undefined) throw new DeclarationSyntaxError(`"${option}" in "${entry}" is not ${expected}`);
      else throw new DeclarationSyntaxError(`"${entry}": give at most one condition, then at most one stop order (${name}:Ready:with)`);
    }
    sidecars.push({ name: name!, waitFor: waitFor ?? DEFAULT_CONDITION, ...(stop ? { stop } : {}) });
  }
  return sidecars;
}

/** Where a sidecar serves readiness, as `order-containers.dev/ready` gives it: `PORT` (TCP) or `PORT/PATH` (HTTP GET). */
export interface ReadyAt {
  readonly port: number;
  readonly path?: string;
}

/**
 * The ready list: `envoy=8001/ready, cloud-sql-proxy=9801/startup`: per container, the port and, for
 * an HTTP GET, the path (`pgbouncer=6432` is a TCP connect).
 */
export function parseReadyList(text: string): Map<string, ReadyAt> {
  const ready = new Map<string, ReadyAt>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([^=\s]+)=(\d+)(\/\S*)?$/.exec(entry);
    if (!m) throw new DeclarationSyntaxError(`"${entry}" is not CONTAINER=PORT or CONTAINER=PORT/PATH (envoy=8001/ready)`);
    const [, name, digits, path] = m;
    if (!CONTAINER_NAME.test(name!)) throw new DeclarationSyntaxError(`"${name}" in "${entry}" is not a container name`);
    const port = Number(digits);
    if (port < 1 || port > 65535) throw new DeclarationSyntaxError(`${digits} in "${entry}" is not a port number from 1 to 65535`);
    if (ready.has(name!)) throw new DeclarationSyntaxError(`${name} is given twice`);
    ready.set(name!, { port, ...(path !== undefined ? { path } : {}) });
  }
  return ready;
}

/** A field written in one of these syntaxes: its value, or a problem that names the field. */
export function parseField<A>(
  path: string,
  text: string,
  parse: (text: string) => A,
): { readonly value: A } | { readonly problem: DecodeProblem } {
  try {
    return { value: parse(text) };
  } catch (e) {
    if (!(e instanceof DeclarationSyntaxError)) throw e;
    return { problem: { path, message: e.message } };
  }
}
