/**
 * How the function writes YAML: new values as lines (for the line editor and for results), and whole
 * Documents after the Document editor. The print options live here, so both paths follow the file's
 * sequence indent and never fold a line.
 */
import type { Document, Scalar, ScalarTag } from 'yaml';
import { yamlPackage } from './yaml-package.js';

/** How the user's file writes nested sequences: `key:\n- a` (compact, kpt's style) or `key:\n  - a`. */
export interface SequenceStyle {
  readonly compact: boolean;
}

/**
 * A Document as text, in the style of the file it came from, its plain scalars as the source wrote
 * them (SOURCE_TEXT). The schema it prints with has YAML 1.1's tags as `compat`, as renderLines has, so
 * a new string such as `yes` or `0400` is quoted: written plain, kubectl and kustomize would read a
 * boolean or a number.
 */
export function printDocument(document: Document, style: SequenceStyle): string {
  const kept = plainNonStrings(document);
  const schema = document.schema;
  try {
    for (const { node, source } of kept) node.value = new SourceText(source);
    document.schema = schemaWithSourceText(schema);
    return document.toString({ lineWidth: 0, indentSeq: !style.compact, flowCollectionPadding: false });
  } finally {
    document.schema = schema;
    for (const { node, value } of kept) node.value = value;
  }
}

/** The text of a plain scalar as the source wrote it, printed as it is. */
class SourceText {
  constructor(readonly text: string) {}
}

/**
 * Plain scalars that are not strings (numbers, booleans, null) are printed as the source wrote them,
 * never as the yaml package would print their YAML 1.2 value: `0400` read as 1.2 is the number 400,
 * printed `400`, which kustomize and kubectl (YAML 1.1) read as 400 rather than 0o400, so a Secret's
 * `defaultMode: 0400` would become group-writable; `.5`, `+12`, `0x1F`, `1e3` would change their text
 * too. Only scalars read from the source have a `source`: the values an edit writes are printed anew.
 */
const SOURCE_TEXT: ScalarTag = {
  tag: 'tag:order-containers.dev,2026:source-text',
  default: true,
  identify: (value) => value instanceof SourceText,
  resolve: (text) => text,
  stringify: (item) => ((item as Scalar).value as SourceText).text,
};

const withSourceText = new WeakMap<Document['schema'], Document['schema']>();

type Tags = NonNullable<Document['schema']['compat']>;

let yaml11Tags: Tags | undefined;

/** YAML 1.1's tags, as the yaml package's `compat: 'yaml-1.1'` option makes them. */
function yaml11(): Tags {
  return (yaml11Tags ??= new (yamlPackage().Document)(null, { compat: 'yaml-1.1' }).schema.compat ?? []);
}

/** Whether a YAML 1.1 reader takes this plain text for something other than a string (`yes`, `Off`, `0400`). */
function notAStringIn11(text: string): boolean {
  return yaml11().some(
    (tag) => Boolean(tag.default) && tag.tag !== 'tag:yaml.org,2002:str' && (tag as ScalarTag).test?.test(text) === true,
  );
}

function schemaWithSourceText(schema: Document['schema']): Document['schema'] {
  let extended = withSourceText.get(schema);
  if (!extended) {
    extended = schema.clone();
    extended.tags = [SOURCE_TEXT, ...extended.tags];
    extended.compat = yaml11();
    withSourceText.set(schema, extended);
  }
  return extended;
}

/**
 * The plain scalars read from the source that are no strings to one reader or the other, one line each,
 * with their source and the value to restore: the non-strings, and the strings a YAML 1.1 reader does
 * not read as strings (`yes`), which compat would otherwise quote, making them strings to that reader.
 */
function plainNonStrings(document: Document): { node: Scalar; source: string; value: unknown }[] {
  const found: { node: Scalar; source: string; value: unknown }[] = [];
  yamlPackage().visit(document, {
    Scalar(_, node) {
      const { source } = node;
      if (node.type !== 'PLAIN' || source === undefined || /[\r\n]/.test(source)) return;
      if (typeof node.value === 'string' && !notAStringIn11(source)) return;
      found.push({ node, source, value: node.value });
    },
  });
  return found;
}

/**
 * Renders a new value as YAML lines for insertion at `indent`. `compat: yaml-1.1` quotes words such as
 * `yes`/`on` that YAML 1.1 readers (go-yaml in older tools) would take for booleans; `lineWidth: 0`
 * never folds a long string.
 */
export function renderLines(value: unknown, indent: number, style: SequenceStyle): string[] {
  return [...linesOf(value, indent, style)];
}

/**
 * The lines of a sequence whose one entry is `value`, its dash at `dashColumn`: what an insert into a
 * block sequence writes. The array is shared: a frozen value's rendering is kept by identity, so that
 * a caller may recognise the same lines again (the writer reads them back once, not once per pod).
 */
export function renderEntryLines(value: unknown, dashColumn: number, style: SequenceStyle): readonly string[] {
  if (!isFrozenObject(value)) return linesOf([value], dashColumn, style);
  let byPlace = renderedFrozen.get(value);
  if (byPlace === undefined) renderedFrozen.set(value, (byPlace = new Map<string, readonly string[]>()));
  const place = `${dashColumn} ${style.compact}`;
  let lines = byPlace.get(place);
  if (lines === undefined) byPlace.set(place, (lines = Object.freeze(linesOf([value], dashColumn, style))));
  return lines;
}

function isFrozenObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.isFrozen(value);
}

/**
 * Renderings of frozen values (the helper container, the same in every pod of a run) by identity: a
 * frozen value cannot change, and its identity is found without reading the value, where the text key
 * of `rendered` costs a JSON text of the whole value per lookup.
 */
const renderedFrozen = new WeakMap<object, Map<string, readonly string[]>>();

/**
 * The yaml package's renderings by value, indent and style. Every pod a gate or wrapper is added to gets
 * the same helper container, whose scripts the yaml package takes a quarter of an edit-all run to
 * print, each time anew. JSON text names a value exactly enough: what it cannot tell apart (NaN from
 * null) no plan writes, and the writer reads every edited item back all the same.
 */
const rendered = new Map<string, readonly string[]>();
const RENDERED_KEPT = 64;

function linesOf(value: unknown, indent: number, style: SequenceStyle): readonly string[] {
  const simple: string[] = [];
  if (simpleLines(value, ' '.repeat(indent), style, simple)) return simple;
  const key = `${indent} ${style.compact} ${JSON.stringify(value)}`;
  let lines = rendered.get(key);
  if (lines === undefined) {
    const text = yamlPackage().stringify(value, {
      lineWidth: 0,
      indentSeq: !style.compact,
      compat: 'yaml-1.1',
      aliasDuplicateObjects: false,
    });
    const pad = ' '.repeat(indent);
    lines = (text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')).map((l) => (l === '' ? l : pad + l));
    if (rendered.size >= RENDERED_KEPT) rendered.clear();
    rendered.set(key, lines);
  }
  return lines;
}

/**
 * Strings that read back as themselves when written plain, in YAML 1.2 and in YAML 1.1 alike, in block
 * and flow context: a word of letters, digits and `_./-`, starting with a letter, `_` or `/`, or a flag
 * (`-c`, `--name`; a plain scalar may start with `-` followed by a non-space character).
 */
const SAFE_PLAIN = /^(?:[A-Za-z_/]|--?[A-Za-z])[A-Za-z0-9_./-]*$/;
const SPECIAL_WORDS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

function simpleScalar(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v)) return undefined;
  return SAFE_PLAIN.test(v) && !SPECIAL_WORDS.test(v) ? v : JSON.stringify(v);
}

/**
 * A list of scalars on one line, `[a, "b c", "9090"]`, as manifests write commands: a generated wait or
 * wrapper command is a few dozen words, and a line each would make it most of the pod's bytes. Every
 * word is a simpleScalar, which quotes anything a flow context could misread (`,`, brackets, `#`, `: `).
 */
function flowSequence(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const words = v.map(simpleScalar);
  return words.every((w) => w !== undefined) ? `[${words.join(', ')}]` : undefined;
}

/**
 * Block-style lines for plain data (mappings with plain keys, sequences, strings, whole numbers,
 * booleans), without building a yaml Document: edits render thousands of these (restartPolicy,
 * annotations, probes, results), and the writer reads every edited item back, so a wrong rendering
 * could not get out unnoticed. JSON's double-quoted strings are YAML double-quoted scalars for
 * printable ASCII. Anything else (empty collections, other text) is left to the yaml package.
 */
function simpleLines(value: unknown, indent: string, style: SequenceStyle, out: string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    if (value.length === 0) return false;
    for (const element of value) {
      const scalar = simpleScalar(element);
      if (scalar !== undefined) {
        out.push(`${indent}- ${scalar}`);
        continue;
      }
      const at = out.length;
      if (!simpleLines(element, indent + '  ', style, out)) return false;
      out[at] = `${indent}- ${out[at]!.slice(indent.length + 2)}`;
    }
    return true;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return false;
  for (const [key, v] of entries) {
    if (!SIMPLE_KEY.test(key)) return false;
    const scalar = simpleScalar(v);
    if (scalar !== undefined) {
      out.push(`${indent}${key}: ${scalar}`);
      continue;
    }
    const flow = flowSequence(v);
    if (flow !== undefined) {
      out.push(`${indent}${key}: ${flow}`);
      continue;
    }
    out.push(`${indent}${key}:`);
    const nested = Array.isArray(v) && style.compact ? indent : indent + '  ';
    if (!simpleLines(v, nested, style, out)) return false;
  }
  return true;
}

/** `key:` at `indent`, for a key whose block value follows on the next lines. */
export function renderKeyLine(key: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return SIMPLE_KEY.test(key) ? `${pad}${key}:` : `${pad}${yamlPackage().stringify(key, { lineWidth: 0 }).trimEnd()}:`;
}
