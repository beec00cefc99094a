/**
 * explain's output formats: text for people, Mermaid and DOT for pictures, JSON for tools. EXPLAIN_FORMATS
 * is the one list; --help and the flag check read it.
 */
import { markedLines } from '../preview/unified.js';
import type { PodTimeline, TimelineStep } from './timeline.js';

export const EXPLAIN_FORMATS = ['text', 'mermaid', 'dot', 'json'] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];
/** The formats `explain --diff` writes: a picture of two timelines in one is not one of them. */
export const DIFF_FORMATS = ['text', 'json'] as const satisfies readonly ExplainFormat[];

/** The stop order: groups stopped together, joined by +, in the order kubelet stops them. */
function stopLine(t: PodTimeline): string {
  return `stop: ${t.stop.map((group) => group.join(' + ')).join(', then ')}`;
}

function title(t: PodTimeline): string {
  const { kind, name, namespace } = t.workload;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name} (${t.mechanism})${t.path !== undefined ? ` in ${t.path}` : ''}`;
}

interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly warn: (s: string) => string;
}

const PLAIN: Style = { bold: (s) => s, dim: (s) => s, warn: (s) => s };
const ANSI: Style = { bold: (s) => `\x1b[1m${s}\x1b[0m`, dim: (s) => `\x1b[2m${s}\x1b[0m`, warn: (s) => `\x1b[33m${s}\x1b[0m` };

/**
 * The edges of the start graph, [from, to, label] as positions in `start`: what each container waits
 * for. kubelet holds each one until the one before it passed its gate; a wrapped main container waits
 * for what its wrapper lists, and for the init containers (kubelet runs them first).
 */
function edges(start: readonly TimelineStep[]): [number, number, string][] {
  const out: [number, number, string][] = [];
  start.forEach((step, i) => {
    if (!step.after) {
      if (i > 0) out.push([i - 1, i, start[i - 1]!.gate]);
      return;
    }
    for (const wait of step.after) {
      const from = start.findIndex((s) => s.name === wait.container);
      if (from >= 0) out.push([from, i, wait.gate]);
    }
    if (step.after.length === 0) {
      const lastInit = start.slice(0, i).findLastIndex((s) => s.list === 'initContainers');
      if (lastInit >= 0) out.push([lastInit, i, start[lastInit]!.gate]);
    }
  });
  return out;
}

/** The wait before each container, as text. */
function waits(start: readonly TimelineStep[]): string[] {
  const all = edges(start);
  return start.map((_, i) => {
    const mine = all.filter(([, to]) => to === i).map(([from, , label]) => `${start[from]!.name} ${label}`);
    return mine.length > 0 ? `after ${mine.join(', ')}` : '';
  });
}

export function renderText(timelines: readonly PodTimeline[], colour: boolean): string {
  const s = colour ? ANSI : PLAIN;
  const out: string[] = [];
  for (const t of timelines) {
    out.push(s.bold(title(t)));
    const after = waits(t.start);
    const width = Math.max(...t.start.map((x) => x.name.length));
    t.start.forEach((x, i) => {
      const how = x.how === 'none' ? '' : `  ${s.dim(x.how)}`;
      out.push(
        `  ${String(i + 1).padStart(2)}. ${x.name.padEnd(width)}  ${x.phase.padEnd(7)}${after[i] ? `  ${after[i]}` : ''}${how}`.trimEnd(),
      );
    });
    out.push(`  ${stopLine(t)}`);
    for (const w of t.warnings) out.push(`  ${s.warn(`warning: ${w}`)}`);
    out.push('');
  }
  return out.join('\n');
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;');
}

const PHASE_TITLES: Readonly<Record<PodTimeline['start'][number]['phase'], string>> = {
  init: 'init containers',
  sidecar: 'sidecars',
  main: 'main containers',
};

/** The phases present, in the order kubelet reaches them, with the positions of their containers. */
function phases(t: PodTimeline): [PodTimeline['start'][number]['phase'], number[]][] {
  const groups = new Map<PodTimeline['start'][number]['phase'], number[]>();
  t.start.forEach((x, i) => groups.set(x.phase, [...(groups.get(x.phase) ?? []), i]));
  return [...groups];
}

/** How to read the pictures, once per picture: what an arrow, a dashed box and the note say. */
const LEGEND =
  'An arrow A to B: B starts once A has passed the gate written on it. Dashed boxes: the phases kubelet runs in order. The note: the stop order, groups joined by + stopping together.';

function renderMermaid(timelines: readonly PodTimeline[]): string {
  const out = ['flowchart LR', `  legend["${mermaidText(LEGEND)}"]`];
  timelines.forEach((t, w) => {
    out.push(`  subgraph w${w}["${mermaidText(title(t))}"]`, '    direction LR');
    for (const [phase, members] of phases(t)) {
      out.push(`    subgraph w${w}_${phase}["${PHASE_TITLES[phase]}"]`);
      for (const i of members) out.push(`      w${w}_n${i}["${mermaidText(t.start[i]!.name)}"]`);
      out.push('    end');
    }
    for (const [from, to, label] of edges(t.start)) out.push(`    w${w}_n${from} -- "${mermaidText(label)}" --> w${w}_n${to}`);
    out.push(`    w${w}_stop>"${mermaidText(stopLine(t))}"]`);
    out.push('  end');
  });
  return out.join('\n') + '\n';
}

function dotText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function renderDot(timelines: readonly PodTimeline[]): string {
  const out = ['digraph order {', '  rankdir=LR;', `  label="${dotText(LEGEND)}";`, '  labelloc=b;', '  node [shape=box, style=rounded];'];
  timelines.forEach((t, w) => {
    // labelloc: the legend's place at the bottom is the root graph's own, not its clusters'.
    out.push(`  subgraph cluster_${w} {`, `    label="${dotText(title(t))}";`, '    labelloc=t;');
    for (const [phase, members] of phases(t)) {
      out.push(`    subgraph cluster_${w}_${phase} {`, `      label="${PHASE_TITLES[phase]}";`, '      style=dashed;');
      for (const i of members) out.push(`      w${w}_n${i} [label="${dotText(t.start[i]!.name)}"];`);
      out.push('    }');
    }
    for (const [from, to, label] of edges(t.start)) out.push(`    w${w}_n${from} -> w${w}_n${to} [label="${dotText(label)}"];`);
    out.push(`    w${w}_stop [shape=note, style="", label="${dotText(stopLine(t))}"];`);
    out.push('  }');
  });
  out.push('}');
  return out.join('\n') + '\n';
}

/** A timeline for tools: its edges named, so that no reader has to work out what waits for what. */
function withEdges(t: PodTimeline): PodTimeline & { readonly edges: readonly { from: string; to: string; gate: string }[] } {
  return { ...t, edges: edges(t.start).map(([from, to, gate]) => ({ from: t.start[from]!.name, to: t.start[to]!.name, gate })) };
}

export function renderTimelines(timelines: readonly PodTimeline[], format: ExplainFormat, colour: boolean): string {
  switch (format) {
    case 'text':
      return renderText(timelines, colour);
    case 'mermaid':
      return renderMermaid(timelines);
    case 'dot':
      return renderDot(timelines);
    case 'json':
      return JSON.stringify(timelines.map(withEdges), null, 2) + '\n';
  }
}

/**
 * Each workload before the function and after it (`before` and `after` are the same workloads, in the
 * same order): as text, an unchanged timeline once, a changed one as both, its lines marked - and +;
 * as JSON, a {before, after} pair per workload.
 */
export function renderTimelineDiff(
  before: readonly PodTimeline[],
  after: readonly PodTimeline[],
  format: (typeof DIFF_FORMATS)[number],
): string {
  if (format === 'json')
    return (
      JSON.stringify(
        after.map((t, i) => ({ before: withEdges(before[i]!), after: withEdges(t) })),
        null,
        2,
      ) + '\n'
    );
  return after
    .map((t, i) => {
      const [was, is] = [renderText([before[i]!], false), renderText([t], false)];
      return was === is ? is : markedLines(was, is);
    })
    .join('\n');
}
