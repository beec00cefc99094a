/**
 * The one front door for reading YAML. Every text the function parses comes through here: the
 * ResourceList and its items, a function config file, explain's manifests, ConfigMap and annotation
 * values. So every parse carries the same limits on size, aliases and nesting, and the errors all
 * follow one pattern. Outside src/yaml/, no module imports js-yaml or yaml (test/yaml.test.ts checks this).
 *
 * js-yaml reads where it is safe, because it is an order of magnitude faster than the yaml package's
 * document model. Text that may hold anchors or aliases goes through the yaml package, because its
 * alias count stops billion-laughs expansion. js-yaml shares aliased nodes, so with js-yaml the
 * expansion would happen later, in whatever code walks the value.
 */
import jsYaml from 'js-yaml';
import type { CST, Document, DocumentOptions, LineCounter, ScalarTag, SchemaOptions } from 'yaml';
import { GO_NUMBER, goNumber } from './go-numbers.js';
import { resolveMerges } from './merge.js';
import { yamlPackage } from './yaml-package.js';

/** Bad input: one line for stderr, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export interface ReadLimits {
  readonly maxInputBytes: number;
  /**
   * Aliases allowed in one parsed document: an item, the whole input on the full-parser path, one
   * document of a stream, or a value. This caps billion-laughs expansion.
   */
  readonly maxAliasCount: number;
  /**
   * How deep nodes may nest. Both parsers recurse once per level, so without a limit a deep enough text
   * exhausts the stack. In the yaml package that can happen where V8 cannot recover, and the process
   * aborts. js-yaml also counts some scalars and keys as a level, so the two paths may stop one level
   * apart. Both stop long before the stack runs out.
   */
  readonly maxDepth: number;
  /**
   * Documents in one text. A document costs memory even when empty, so a stream of millions of `---`
   * runs the process out of memory before anything can look at it; the count is checked while the
   * text is read, before the documents are built.
   */
  readonly maxDocuments: number;
}

/**
 * maxDepth is js-yaml's own default, so its message for a too-deep item stays what it has always been.
 * maxDocuments is far above any real stream (64 MiB holds about that many small manifests), and the
 * yaml package reads that many empty documents in about a second.
 */
export const DEFAULT_LIMITS: ReadLimits = { maxInputBytes: 64 * 1024 * 1024, maxAliasCount: 100, maxDepth: 100, maxDocuments: 100_000 };

/** JavaScript's white space (a regular expression's `\s`), for the characters past ASCII. */
const WHITE_SPACE = /\s/;

function isWhiteSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return code >= 0x80 && WHITE_SPACE.test(String.fromCharCode(code));
}

/** What may come right before an anchor or alias: white space (line breaks too), a flow indicator, or `:`. */
function mayPrecedeAnchor(code: number): boolean {
  return code === 0x5b || code === 0x7b || code === 0x2c || code === 0x3a || isWhiteSpace(code);
}

/** Whether `mark` (`&` or `*`) starts an anchor or alias somewhere in `text` (see mayHoldAliases). */
function startsAnchor(text: string, mark: '&' | '*'): boolean {
  for (let at = text.indexOf(mark); at !== -1; at = text.indexOf(mark, at + 1)) {
    if (at + 1 < text.length && !isWhiteSpace(text.charCodeAt(at + 1)) && (at === 0 || mayPrecedeAnchor(text.charCodeAt(at - 1))))
      return true;
  }
  return false;
}

/**
 * Whether `text` may hold an anchor or alias: an `&` or `*` followed by a character that is no white
 * space, at a line's start, after white space, after a flow indicator, or right after the `:` of a flow
 * mapping (`{"a":&x [..],"b":*x}` is valid YAML and js-yaml reads it). Text that may takes the yaml
 * package's path, which counts aliases, and loadEdited reads an edit of it with js-yaml only when not.
 * It may say so of what is no anchor (`a:*b`), which only costs speed. The answer is the regular
 * expression `/(?:^|[\s[{,:])[&*][^\s]/m`'s, found with indexOf: most items hold neither character,
 * and indexOf skips to the next one many times faster than the expression tries every position.
 */
export function mayHoldAliases(text: string): boolean {
  return startsAnchor(text, '&') || startsAnchor(text, '*');
}

/** A line that starts or ends a document. Only these can make a text more than one document. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?=\s|$)/gm;

/**
 * Numbers as the API server reads them (go-numbers.ts), in both parsers: YAML 1.2's core schema with
 * its integer type replaced. The yaml package tries tags in order, so the one here goes first; the
 * values it prints are plain decimal numbers, which every reader reads alike.
 */
const GO_NUMBER_JS_YAML = new jsYaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (text: string | null) => text !== null && GO_NUMBER.test(text),
  construct: goNumber,
  predicate: (value: unknown) => typeof value === 'number' && Number.isInteger(value),
  represent: (value: unknown) => String(value),
});
const JS_YAML_SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [GO_NUMBER_JS_YAML] });

const GO_NUMBER_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: GO_NUMBER,
  resolve: goNumber,
};
const YAML_OPTIONS: DocumentOptions & SchemaOptions = { customTags: (tags) => [GO_NUMBER_TAG, ...tags] };

/** A position as every message gives it. */
export function where(line: number, column?: number): string {
  return column === undefined ? `line ${line}` : `line ${line}, column ${column}`;
}

/** The size limit, for bytes not yet read as text (explain's files, before they are read). */
export function checkByteSize(bytes: number, what: string, limits: ReadLimits): void {
  const max = limits.maxInputBytes;
  if (bytes > max) throw new InputError(`${what} is larger than the limit of ${max} bytes (${max / 1024 / 1024} MiB)`);
}

/** Whether `text` takes more bytes of UTF-8 than the size limit. */
export function exceedsByteLimit(text: string, limits: ReadLimits): boolean {
  // A UTF-16 code unit is at most 3 bytes of UTF-8, so most texts need no byte count.
  return text.length * 3 > limits.maxInputBytes && Buffer.byteLength(text) > limits.maxInputBytes;
}

/** The size limit, for text. */
export function checkSize(text: string, what: string, limits: ReadLimits): void {
  if (exceedsByteLimit(text, limits)) checkByteSize(Buffer.byteLength(text), what, limits);
}

interface Tokens {
  readonly tokens: CST.Token[];
  readonly lines: LineCounter;
  /** Where the text first goes past a limit, and which one; the tokens stop there. */
  readonly overLimit?: { readonly line: number; readonly col: number; readonly message: string };
}

function nestingError(limits: ReadLimits): string {
  return `nesting exceeded maxDepth (${limits.maxDepth})`;
}

function documentsError(limits: ReadLimits): string {
  return `document count exceeded maxDocuments (${limits.maxDocuments})`;
}

/** The error for a stream whose document at `line` is one too many, for a reader that counts them itself. */
export function tooManyDocuments(what: string, line: number, limits: ReadLimits): InputError {
  return new InputError(`${what} (${where(line, 1)}): ${documentsError(limits)}`);
}

/**
 * The yaml package's CST, built token by token. Its parser keeps its own stack, while the composer and
 * toJS recurse, so checking the stack's height here stops a deep text before anything recurses; and
 * counting the documents here stops a long stream before the composer builds them.
 */
function tokensOf(text: string, limits: ReadLimits): Tokens {
  const { Lexer, LineCounter, Parser } = yamlPackage();
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const tokens: CST.Token[] = [];
  let documents = 0;
  const over = (offset: number, message: string): Tokens => ({ tokens, lines, overLimit: { ...lines.linePos(offset), message } });
  const take = (token: CST.Token): boolean => {
    if (token.type === 'document' && ++documents > limits.maxDocuments) return false;
    tokens.push(token);
    return true;
  };
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) if (!take(token)) return over(token.offset, documentsError(limits));
    // The document is the stack's bottom entry; every entry above it is a node open at that depth.
    if (parser.stack.length - 1 > limits.maxDepth) return over(parser.stack[parser.stack.length - 1]!.offset, nestingError(limits));
  }
  for (const token of parser.end()) if (!take(token)) return over(token.offset, documentsError(limits));
  return { tokens, lines };
}

/**
 * Whether `text` may hold more documents than the limit, judged by its marker lines alone (a text of
 * n markers holds at most n + 1 documents). js-yaml builds every document before it returns, so a
 * text that may be over the limit is read by tokensOf, which counts exactly and stops at the limit.
 */
function mayExceedDocuments(text: string, limits: ReadLimits): boolean {
  DOCUMENT_MARKER.lastIndex = 0;
  for (let markers = 0; DOCUMENT_MARKER.exec(text);) if (++markers + 1 > limits.maxDocuments) return true;
  return false;
}

function throwFirstError(doc: Document, lines: LineCounter, firstLine: number, what: string): void {
  const error = doc.errors[0];
  if (!error) return;
  const pos = error.pos[0] === -1 ? undefined : lines.linePos(error.pos[0]);
  const at = pos ? ` (${where(firstLine - 1 + pos.line, pos.col)})` : '';
  throw new InputError(`${what}${at}: ${error.message.split('\n')[0]}`);
}

function composeAll(text: string, what: string, limits: ReadLimits, firstLine: number): { docs: Document.Parsed[]; lines: LineCounter } {
  checkSize(text, what, limits);
  const { tokens, lines, overLimit } = tokensOf(text, limits);
  if (overLimit) throw new InputError(`${what} (${where(firstLine - 1 + overLimit.line, overLimit.col)}): ${overLimit.message}`);
  const { Composer } = yamlPackage();
  return { docs: Array.from(new Composer({ ...YAML_OPTIONS, uniqueKeys: true }).compose(tokens)), lines };
}

/**
 * The documents of `text` as yaml Documents, for a caller that edits and prints them. The first
 * document's errors are thrown here. Read the data through documentData, which counts aliases.
 */
export function loadDocuments(text: string, what: string, limits: ReadLimits, firstLine = 1): Document.Parsed[] {
  const { docs, lines } = composeAll(text, what, limits, firstLine);
  if (docs[0]) throwFirstError(docs[0], lines, firstLine, what);
  return docs;
}

/** A Document's plain data, stopping at the alias limit, its merge keys resolved (`text`: its source). */
export function documentData(doc: Document, what: string, limits: ReadLimits, text: string): unknown {
  try {
    return resolveMerges(doc.toJS({ maxAliasCount: limits.maxAliasCount }), text);
  } catch (e) {
    throw new InputError(`${what}: ${(e as Error).message}`);
  }
}

/** js-yaml has read maxDepth since 4.3; @types/js-yaml 4.0 does not know it yet. */
type JsYamlOptions = jsYaml.LoadOptions & { readonly maxDepth: number };

function jsYamlOptions(limits: ReadLimits): JsYamlOptions {
  return { schema: JS_YAML_SCHEMA, maxDepth: limits.maxDepth };
}

function jsYamlError(e: unknown, what: string, firstLine: number): unknown {
  if (e instanceof jsYaml.YAMLException) {
    const mark = e.mark as { line: number; column: number } | undefined;
    const at = mark ? ` (${where(firstLine + mark.line, mark.column + 1)})` : '';
    return new InputError(`${what}${at}: ${e.reason}`);
  }
  // Only a caller that raised maxDepth can get here: the stack ran out before the limit did.
  if (e instanceof RangeError) return new InputError(`${what} (${where(firstLine)}): nesting too deep`);
  return e;
}

/**
 * One document as plain data. `what` names the text in messages, and `firstLine` is where the text
 * starts in its file. A second document is an error on the js-yaml path but ignored on the yaml path,
 * as it always has been. The ResourceList reader checks the document count itself.
 */
export function loadOne(text: string, what: string, limits: ReadLimits, firstLine = 1): unknown {
  if (mayHoldAliases(text) || mayExceedDocuments(text, limits)) {
    const doc = loadDocuments(text, what, limits, firstLine)[0];
    return doc ? documentData(doc, what, limits, text) : null;
  }
  checkSize(text, what, limits);
  try {
    return resolveMerges(jsYaml.load(text, jsYamlOptions(limits)), text);
  } catch (e) {
    throw jsYamlError(e, what, firstLine);
  }
}

/**
 * `text`, which the function wrote by editing `source`, as plain data. A text that may hold aliases goes
 * to the yaml package for its alias count, but when `source` has none the edited text has none either:
 * new values are rendered without anchors or aliases (render.ts), and what looks like one in them is a
 * script's `*)` or `&&` inside a quoted or block scalar. So it is read with js-yaml, an order of
 * magnitude faster, and the reading stays the one the item was first read with.
 */
export function loadEdited(text: string, source: string, what: string, limits: ReadLimits, firstLine = 1): unknown {
  if (mayHoldAliases(source)) return loadOne(text, what, limits, firstLine);
  checkSize(text, what, limits);
  try {
    return resolveMerges(jsYaml.load(text, jsYamlOptions(limits)), text);
  } catch (e) {
    throw jsYamlError(e, what, firstLine);
  }
}

/** Every document of a multi-document text (a manifest file, a stream on stdin) as plain data. */
export function loadStream(text: string, what: string, limits: ReadLimits): unknown[] {
  if (mayHoldAliases(text) || mayExceedDocuments(text, limits)) {
    const { docs, lines } = composeAll(text, what, limits, 1);
    for (const doc of docs) throwFirstError(doc, lines, 1, what);
    return docs.map((doc) => documentData(doc, what, limits, text));
  }
  checkSize(text, what, limits);
  try {
    return resolveMerges(jsYaml.loadAll(text, undefined, jsYamlOptions(limits)), text);
  } catch (e) {
    throw jsYamlError(e, what, 1);
  }
}

/**
 * Where JSON text (known to be valid) first nests deeper than the limit, counting as the yaml package
 * counts a document's nodes: the root is level 1. JSON.parse itself does not recurse, but everything
 * that walks its value does (copying an item, comparing it), so the limit holds for JSON as for YAML.
 */
function jsonTooDeep(text: string, maxDepth: number): { line: number; col: number } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote. Valid JSON has no raw newline in a string.
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return { line, col: i - lineStart + 1 };
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return undefined;
}

/**
 * JSON text as data, with the same limits as YAML. `invalid` is JSON.parse's message for text that is
 * not JSON, which the caller may still read as YAML.
 */
export function loadJson(text: string, what: string, limits: ReadLimits): { readonly value: unknown } | { readonly invalid: string } {
  checkSize(text, what, limits);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { invalid: (e as Error).message };
  }
  const tooDeep = jsonTooDeep(text, limits.maxDepth);
  if (tooDeep) throw new InputError(`${what} (${where(tooDeep.line, tooDeep.col)}): ${nestingError(limits)}`);
  return { value };
}

/**
 * A value that is itself YAML (a ConfigMap value, an annotation), both as a Document to edit and as data.
 * The value is read as the yaml package's `parse` reads it. The message is the yaml package's own line,
 * which already says where in the value the problem is; the caller names the field. To get that line,
 * the value is parsed a second time after the depth check (values are short), because only the
 * package's parse functions write it.
 */
export function loadValueDocument(text: string, limits: ReadLimits): { document: Document.Parsed; value: unknown } {
  checkSize(text, 'the value', limits);
  const { overLimit } = tokensOf(text, limits);
  if (overLimit) throw new InputError(`${overLimit.message} at ${where(overLimit.line, overLimit.col)}`);
  const document = yamlPackage().parseDocument(text, YAML_OPTIONS);
  const error = document.errors[0];
  if (error) throw new InputError(error.message.split('\n')[0]!);
  try {
    return { document, value: document.toJS({ maxAliasCount: limits.maxAliasCount }) };
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

/** A ConfigMap value written as YAML, as plain data; errors as for loadValueDocument. */
export function loadValue(text: string, limits: ReadLimits): unknown {
  return loadValueDocument(text, limits).value;
}
