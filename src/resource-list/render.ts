import { stringify } from 'yaml';

/** How the user's file writes nested sequences: `key:\n- a` (compact, kpt's style) or `key:\n  - a`. */
export interface SequenceStyle {
  readonly compact: boolean;
}

/**
 * Renders a new value as YAML lines for insertion at `indent`. `compat: yaml-1.1` quotes words such as
 * `yes`/`on` that YAML 1.1 readers (go-yaml in older tools) would take for booleans; `lineWidth: 0`
 * never folds a long string.
 */
export function renderLines(value: unknown, indent: number, style: SequenceStyle): string[] {
  const text = stringify(value, { lineWidth: 0, indentSeq: !style.compact, compat: 'yaml-1.1', aliasDuplicateObjects: false });
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const pad = ' '.repeat(indent);
  return lines.map((l) => (l === '' ? l : pad + l));
}
