/**
 * docs/ARCHITECTURE.md against the code, so that the page cannot drift from it: the folder table covers
 * every folder of src/, the value imports between folders are the ones the table allows and make no
 * cycle, the picture names modules and functions that exist, the paths the page names exist, and the
 * mechanism and check-kind lists have the files the page says a new one takes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';
import { MECHANISMS } from '../src/mechanisms/index.js';
import { CHECK_KINDS } from '../src/readiness/kinds.js';
import { ROOT } from './helpers.js';
import { mermaidParse } from './mermaid.js';

const SRC = join(ROOT, 'src');
const DOC = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');

/** Paths under `dir`, relative to it with `/` separators. */
function pathsUnder(dir: string, want: 'file' | 'directory'): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => (want === 'file' ? e.isFile() : e.isDirectory()))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** The table's unit a path of src/ belongs to: its top folder (`config/`), or itself at the root (`main.ts`). */
function unitOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash + 1);
}

const SOURCES = pathsUnder(SRC, 'file').filter((p) => p.endsWith('.ts'));
const UNITS = new Set([
  ...pathsUnder(SRC, 'directory')
    .filter((d) => !d.includes('/'))
    .map((d) => `${d}/`),
  ...SOURCES.filter((p) => !p.includes('/')),
]);

interface Import {
  readonly from: string;
  readonly to: string;
  /** Erased at compile time: `import type`, or every name imported marked `type`. */
  readonly typeOnly: boolean;
}

/** The relative imports and re-exports of one module of src/, resolved to paths under src/. */
function importsOf(path: string): Import[] {
  const source = ts.createSourceFile(path, readFileSync(join(SRC, path), 'utf8'), ts.ScriptTarget.Latest);
  const found: Import[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean): void => {
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    found.push({ from: path, to: posix.join(posix.dirname(path), specifier.text).replace(/\.js$/, '.ts'), typeOnly });
  };
  const onlyTypes = (names: ts.NamedImportBindings | ts.NamedExportBindings | undefined): boolean =>
    names !== undefined &&
    (ts.isNamedImports(names) || ts.isNamedExports(names)) &&
    names.elements.length > 0 &&
    names.elements.every((e) => e.isTypeOnly);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      add(
        node.moduleSpecifier,
        clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && onlyTypes(clause.namedBindings))),
      );
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly || onlyTypes(node.exportClause));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const IMPORTS = SOURCES.flatMap(importsOf);

/** The value imports between units, `from -> to`, each with one import that makes it, for messages. */
function unitImports(): Map<string, Import> {
  const edges = new Map<string, Import>();
  for (const i of IMPORTS) {
    const key = `${unitOf(i.from)} -> ${unitOf(i.to)}`;
    if (!i.typeOnly && unitOf(i.from) !== unitOf(i.to) && !edges.has(key)) edges.set(key, i);
  }
  return edges;
}

/** Markdown between the heading `## title` and the next `## `. */
function section(title: string): string {
  const start = DOC.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/ARCHITECTURE.md has a section "## ${title}"`);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

/** The inline code spans of Markdown text, fenced blocks left out. */
function backticked(text: string): string[] {
  return [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

interface Row {
  readonly job: string;
  readonly mayImport: ReadonlySet<string>;
}

/** The folder table: `unit` | its one job | the units it may import. */
function folderTable(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of section('Folders').split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const unit = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (cells.length !== 3 || unit === undefined) continue;
    rows.set(unit, { job: cells[1]!, mayImport: new Set(backticked(cells[2]!)) });
  }
  return rows;
}

/** Every cycle through the edges, each once, as `a -> b -> a` starting at its first name in sort order. */
function cyclesOf(edges: Iterable<string>): string[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const [from, to] = edge.split(' -> ') as [string, string];
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const found = new Set<string>();
  for (const [from, tos] of next) {
    for (const to of tos) {
      // The shortest way back from `to` to `from`, by breadth-first search.
      const back = new Map<string, string>([[to, '']]);
      const queue = [to];
      while (queue.length > 0 && !back.has(from)) {
        const at = queue.shift()!;
        for (const n of next.get(at) ?? []) {
          if (back.has(n)) continue;
          back.set(n, at);
          queue.push(n);
        }
      }
      if (!back.has(from)) continue;
      const cycle = [from];
      for (let at = back.get(from)!; at !== ''; at = back.get(at)!) cycle.splice(1, 0, at);
      const first = cycle.indexOf([...cycle].sort()[0]!);
      const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
      found.add([...rotated, rotated[0]].join(' -> '));
    }
  }
  return [...found].sort();
}

/** The modules of src/ that a path stands for: one file, or every module of a folder. */
function modulesOf(path: string): string[] {
  return path.endsWith('/') ? SOURCES.filter((s) => s.startsWith(path)) : [path];
}

/** Whether a module of src/ (or one of a folder's) declares `name`. */
function declares(path: string, name: string): boolean {
  const declaration = new RegExp(`\\b(?:function\\*?|class|interface|type|const|let|enum)\\s+${name}\\b`);
  return modulesOf(path).some((f) => declaration.test(readFileSync(join(SRC, f), 'utf8')));
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Whether a path the page names matches something in the repository; an upper-case word (`NAME`,
 * `KIND`) stands for any name.
 */
function pathExists(base: string, path: string): boolean {
  let dirs = [base];
  for (const segment of path.split('/').filter((s) => s !== '')) {
    const pattern = new RegExp(`^${segment.replace(/[.]/g, '\\.').replace(/\b[A-Z]{2,}\b/g, '[^/]+')}$`);
    dirs = dirs.flatMap((d) =>
      existsSync(d) && statSync(d).isDirectory()
        ? readdirSync(d)
            .filter((e) => pattern.test(e))
            .map((e) => join(d, e))
        : [],
    );
  }
  return dirs.length > 0;
}

describe('docs/ARCHITECTURE.md', () => {
  const table = folderTable();

  it('has a row for every folder and root module of src/, and names each nested folder in its parent row', () => {
    assert.deepEqual(
      [...UNITS].filter((u) => !table.has(u)),
      [],
      'folders and modules of src/ without a row',
    );
    assert.deepEqual(
      [...table.keys()].filter((u) => !UNITS.has(u)),
      [],
      'rows for nothing in src/',
    );
    const nested = pathsUnder(SRC, 'directory').filter((d) => d.includes('/'));
    const unnamed = nested.filter((d) => !backticked(table.get(unitOf(d))?.job ?? '').includes(`${d.slice(unitOf(d).length)}/`));
    assert.deepEqual(unnamed, [], 'nested folders not named in their parent row');
  });

  it('allows every value import between folders that the code makes', () => {
    const disallowed = [...unitImports()]
      .filter(([, i]) => !table.get(unitOf(i.from))?.mayImport.has(unitOf(i.to)))
      .map(([edge, i]) => `${edge} (${i.from} imports ${i.to})`);
    assert.deepEqual(disallowed, [], 'value imports the "may import" column does not allow');
  });

  it('has no cycle between folders, in the table or in the code', () => {
    const allowed = [...table].flatMap(([unit, row]) => [...row.mayImport].map((to) => `${unit} -> ${to}`));
    assert.deepEqual(cyclesOf(allowed), [], 'cycles the "may import" column allows');
    assert.deepEqual(cyclesOf([...unitImports().keys()]), [], 'cycles of value imports between folders');
  });

  describe('its picture', () => {
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(DOC)?.[1] ?? '';
    /** Boxes that stand for a module of src/ (`path<br/>function, ...`), and terminals (`(["stdin"])`). */
    const boxes = new Map<string, { path: string; names: string[] } | undefined>();
    const arrows: [string, string][] = [];
    const unread: string[] = [];
    for (const line of block
      .split('\n')
      .slice(1)
      .map((l) => l.trim())) {
      const box = /^(\w+)\["([\w./-]+)<br\/>([\w, ]+)"\]$/.exec(line);
      const terminal = /^(\w+)\(\["[^"]*"\]\)$/.exec(line);
      const arrow = /^(\w+) (?:-->|-\.->|-- "[^"]*" -->|-\. "[^"]*" \.->) (\w+)$/.exec(line);
      if (box) boxes.set(box[1]!, { path: box[2]!, names: box[3]!.split(', ') });
      else if (terminal) boxes.set(terminal[1]!, undefined);
      else if (arrow) arrows.push([arrow[1]!, arrow[2]!]);
      else if (line !== '' && line !== 'end' && !/^subgraph \w+\["[^"]*"\]$/.test(line)) unread.push(line);
    }
    const modules = [...boxes.values()].flatMap((b) => (b !== undefined ? [b] : []));

    it('is a Mermaid flowchart that Mermaid parses, in lines this test reads', async () => {
      assert.match(block, /^flowchart /);
      assert.deepEqual(unread, [], 'lines that are no box, arrow or subgraph of the forms this test reads');
      assert.equal(await mermaidParse(block), undefined);
    });

    it('names modules that exist, with functions they declare, and every folder and root module of src/', () => {
      const missing = modules.flatMap((b) => [
        ...(existsSync(join(SRC, b.path)) ? [] : [b.path]),
        ...b.names.filter((n) => !declares(b.path, n)).map((n) => `${n} in ${b.path}`),
      ]);
      assert.deepEqual(missing, [], 'modules or functions that do not exist');
      const drawn = new Set(modules.map((b) => unitOf(b.path)));
      assert.deepEqual(
        [...UNITS].filter((u) => !drawn.has(u)),
        [],
        'folders and modules of src/ not in the picture',
      );
    });

    it('draws arrows only between boxes it defines, and between modules only where one imports the other', () => {
      assert.deepEqual(
        arrows.flat().filter((id) => !boxes.has(id)),
        [],
        'arrows to undefined boxes',
      );
      const unrelated = arrows.filter(([a, b]) => {
        const [from, to] = [boxes.get(a), boxes.get(b)];
        if (from === undefined || to === undefined) return false;
        const [x, y] = [modulesOf(from.path), modulesOf(to.path)];
        return !IMPORTS.some((i) => (x.includes(i.from) && y.includes(i.to)) || (y.includes(i.from) && x.includes(i.to)));
      });
      assert.deepEqual(
        unrelated.map(([a, b]) => `${a} --> ${b}`),
        [],
        'arrows between modules that do not import one another',
      );
    });
  });

  it('names only paths that exist (src/ paths written from a folder of the table, or from the repository root)', () => {
    const paths = backticked(DOC).filter((t) => /^[\w.-]+\/[\w./-]*$/.test(t));
    const missing = paths.filter((p) => {
      const first = unitOf(p);
      if (UNITS.has(first)) return !pathExists(SRC, p);
      return existsSync(join(ROOT, first)) && !pathExists(ROOT, p);
    });
    assert.deepEqual(missing, []);
  });

  it('names every mechanism of the list, and each one is a folder of its own', () => {
    const folders = pathsUnder(join(SRC, 'mechanisms'), 'directory');
    assert.deepEqual(folders, MECHANISMS.map((m) => kebab(m.name)).sort(), 'one folder under src/mechanisms/ per mechanism, in kebab-case');
    for (const m of MECHANISMS) {
      assert.ok(
        existsSync(join(SRC, 'mechanisms', kebab(m.name), `${kebab(m.name)}.ts`)),
        `src/mechanisms/${kebab(m.name)}/${kebab(m.name)}.ts`,
      );
      assert.ok(DOC.includes(`\`${m.name}\``), `the page names ${m.name}`);
    }
  });

  it('names every readiness check kind of the list, and each one is a module and a shell function', () => {
    const kinds = CHECK_KINDS.map((k) => k.kind).sort();
    assert.deepEqual(
      pathsUnder(join(SRC, 'readiness', 'kinds'), 'file'),
      kinds.map((k) => `${k}.ts`),
      'src/readiness/kinds/KIND.ts',
    );
    assert.deepEqual(
      pathsUnder(join(SRC, 'runtime', 'checks'), 'file'),
      kinds.map((k) => `${k}.sh`),
      'src/runtime/checks/KIND.sh',
    );
    for (const kind of kinds) {
      assert.match(
        readFileSync(join(SRC, 'runtime', 'checks', `${kind}.sh`), 'utf8'),
        new RegExp(`^check_${kind}\\(\\) \\{$`, 'm'),
        `check_${kind} in ${kind}.sh`,
      );
      assert.ok(DOC.includes(`\`${kind}\``), `the page names ${kind}`);
    }
  });
});
