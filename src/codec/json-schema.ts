/**
 * JSON Schemas of the config, derived from the io-ts codecs that decode it, so that what an editor or
 * kubeconform accepts and what the function accepts come from one source. The io-ts types built in
 * (string, boolean, literal, keyof, array, record, type, partial, intersection, union) are read by their
 * tags; a codec written by hand says its schema where it is defined (`withSchema`), and one that does
 * not is an error here, so a new codec cannot silently drop out of the schema.
 */
import type * as t from 'io-ts';

/** The part of JSON Schema (draft 2020-12) that the config's codecs need. */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: 'string' | 'boolean' | 'integer' | 'number' | 'object' | 'array';
  readonly const?: string;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

/** Thunks, so that a codec can name its schema before the codecs inside it are built. */
const SCHEMAS = new WeakMap<t.Mixed, () => JsonSchema>();

/** Gives a hand-written codec its schema; returns the codec. */
export function withSchema<C extends t.Mixed>(codec: C, schema: JsonSchema | (() => JsonSchema)): C {
  SCHEMAS.set(codec, typeof schema === 'function' ? schema : () => schema);
  return codec;
}

/** io-ts' built-in types, as far as their tags and fields go. */
interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly value?: unknown;
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly type?: t.Mixed;
  readonly codomain?: t.Mixed;
  readonly props?: Readonly<Record<string, t.Mixed>>;
  readonly types?: readonly t.Mixed[];
}

function objectOf(props: Readonly<Record<string, t.Mixed>>, required: boolean): JsonSchema {
  const keys = Object.keys(props);
  return {
    type: 'object',
    properties: Object.fromEntries(keys.map((k) => [k, jsonSchemaOf(props[k]!)])),
    ...(required && keys.length > 0 ? { required: keys } : {}),
  };
}

export function jsonSchemaOf(codec: t.Mixed): JsonSchema {
  const own = SCHEMAS.get(codec);
  if (own) return own();
  const c = codec as unknown as Tagged;
  switch (c._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'LiteralType':
      return { const: String(c.value) };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys!) };
    case 'ArrayType':
      return { type: 'array', items: jsonSchemaOf(c.type!) };
    case 'DictionaryType':
      return { type: 'object', additionalProperties: jsonSchemaOf(c.codomain!) };
    case 'InterfaceType':
      return objectOf(c.props!, true);
    case 'PartialType':
      return objectOf(c.props!, false);
    case 'IntersectionType':
      return { allOf: c.types!.map(jsonSchemaOf) };
    case 'UnionType':
      return { anyOf: c.types!.map(jsonSchemaOf) };
    default:
      throw new Error(`no JSON Schema for the codec ${c.name}: give it one with withSchema where it is defined`);
  }
}
