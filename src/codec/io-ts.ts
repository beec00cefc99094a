/** io-ts codecs the config and the presets share, and their errors as field problems. */
import type * as t from 'io-ts';
import { fieldPath } from '../diagnostic.js';
import { codecs, ioTs } from './io-ts-package.js';
import { jsonSchemaOf, withSchema } from './json-schema.js';

/**
 * An object codec that rejects unknown fields: io-ts' `exact` would drop them silently, and a misspelt
 * field (`sidecar:` for `sidecars:`) must be an error, not a config that quietly does less.
 */
export function strictObject<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) {
  const io = ioTs();
  const base = io.intersection([io.type(required), io.partial(optional)]);
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const codec = new io.Type<t.TypeOf<typeof base>, t.OutputOf<typeof base>, unknown>(
    name,
    base.is,
    (input, context) => {
      const result = base.validate(input, io.appendContext(context, '', base, input));
      const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
      const unknownFields: t.Errors = Object.keys(record)
        .filter((k) => !known.has(k))
        .map((key) => ({
          value: record[key],
          context: [...context, { key, type: io.never, actual: record[key] }],
          message: `unknown field; expected one of ${[...known].join(', ')}`,
        }));
      if (unknownFields.length === 0) return result;
      return io.failures(result._tag === 'Left' ? [...unknownFields, ...result.left] : unknownFields);
    },
    base.encode,
  );
  return withSchema(codec, () => ({
    type: 'object',
    properties: Object.fromEntries([...known].map((k) => [k, jsonSchemaOf((required[k] ?? optional[k])!)])),
    ...(Object.keys(required).length > 0 ? { required: Object.keys(required) } : {}),
    additionalProperties: false,
  }));
}

/** One of a list of strings: the codec of an enum defined once as an `as const` list. */
export function oneOf<const V extends string>(values: readonly V[]): t.Type<V, V, unknown> {
  return ioTs().keyof(
    Object.fromEntries(values.map((v) => [v, null])) as Record<V, null>,
    values.map((v) => `"${v}"`).join(' | '),
  ) as unknown as t.Type<V, V, unknown>;
}

export const stringList = codecs((t) => t.array(t.string, 'list of strings'));

/** A string that matches `pattern`, with a message that says what was expected. */
export function matching(name: string, pattern: RegExp, expected: string) {
  const io = ioTs();
  const codec = new io.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && pattern.test(u),
    (u, c) =>
      typeof u === 'string' && pattern.test(u) ? io.success(u) : io.failure(u, c, `expected ${expected}, got ${JSON.stringify(u)}`),
    io.identity,
  );
  return withSchema(codec, { type: 'string', pattern: pattern.source, description: expected });
}

export interface DecodeProblem {
  /** Dotted path with [n] for indices, relative to the decoded value. */
  readonly path: string;
  readonly message: string;
}

/** io-ts names an array index by its decimal string, as it names a key. */
function joinPath(keys: readonly string[]): string {
  return fieldPath(keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k)));
}

/** io-ts errors as one problem per field, with the path people would write in YAML. */
export function problemsOf(errors: t.Errors): DecodeProblem[] {
  const seen = new Map<string, DecodeProblem>();
  for (const error of errors) {
    const keys: string[] = [];
    for (let i = 1; i < error.context.length; i++) {
      const parent = error.context[i - 1]!.type as unknown as { _tag?: string };
      const key = error.context[i]!.key;
      if (key === '' || parent._tag === 'IntersectionType' || parent._tag === 'UnionType') continue;
      keys.push(key);
    }
    const path = joinPath(keys);
    if (seen.has(path)) continue;
    const last = error.context[error.context.length - 1];
    const message =
      error.message ??
      (error.value === undefined
        ? `required field is missing (expected ${last?.type.name})`
        : `expected ${last?.type.name}, got ${JSON.stringify(error.value)}`);
    seen.set(path, { path, message });
  }
  return [...seen.values()];
}

/** Problems of a value decoded on its own (the YAML text of a ConfigMap key), placed under `prefix`. */
export function problemsUnder(prefix: string, errors: t.Errors): DecodeProblem[] {
  return problemsOf(errors).map((p) => ({
    path: p.path ? `${prefix}${p.path.startsWith('[') ? '' : '.'}${p.path}` : prefix,
    message: p.message,
  }));
}
