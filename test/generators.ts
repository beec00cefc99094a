import fc from 'fast-check';

/**
 * Generates ResourceLists as text, the way people and tools write them: comments everywhere, odd but
 * valid quoting, block scalars, flow mappings, compact or indented sequences, LF or CRLF. Each item
 * comes with the plain value it must read as, so tests can check the reader independently.
 */
export interface GeneratedList {
  readonly text: string;
  readonly itemTexts: readonly string[];
  readonly kinds: readonly string[];
}

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const commentText = fc.stringMatching(/^[ -~]{0,30}$/).map((s) => s.replace(/\s+$/, ''));

/** A scalar written in one of the styles YAML allows for it. */
const scalar = fc.oneof(
  word,
  word.map((w) => `'${w}'`),
  word.map((w) => `"${w}"`),
  fc.constantFrom('"yes"', "'on'", '"0777"', '"a: b"', "'it''s'", '"tab\\there"', '"1.29"', '"true"', "''", '"#not-a-comment"'),
  fc.integer({ min: 0, max: 65535 }).map(String),
);

interface Ctx {
  readonly compact: boolean;
  readonly eol: string;
}

function pad(n: number): string {
  return ' '.repeat(n);
}

const maybeComment = fc.option(
  commentText.map((c) => ` # ${c}`.replace(/ $/, '')),
  { nil: '' },
);
const maybeCommentLine = fc.option(
  commentText.map((c) => `# ${c}`.trimEnd()),
  { nil: undefined },
);

/** Lines of `key: value` pairs for a small mapping at `indent`. */
const labels = fc.uniqueArray(fc.tuple(word, scalar, maybeComment), { minLength: 0, maxLength: 3, selector: ([k]) => k });

function mapping(indent: number, entries: readonly (readonly [string, string, string])[]): string[] {
  return entries.map(([k, v, c]) => `${pad(indent)}${k}: ${v}${c}`);
}

const container = fc.record({
  name: word,
  image: word.map((w) => `registry.example/${w}:1.0`),
  comment: maybeCommentLine,
  flowProbe: fc.boolean(),
  script: fc.option(fc.array(fc.stringMatching(/^[a-z#$:-][a-z #$:-]{0,19}$/), { minLength: 1, maxLength: 3 }), { nil: undefined }),
});

type GeneratedContainer = typeof container extends fc.Arbitrary<infer T> ? T : never;

function containerLines(c: GeneratedContainer, indent: number, ctx: Ctx): string[] {
  const dash = pad(indent);
  const lines: string[] = [];
  if (c.comment !== undefined) lines.push(`${dash}${c.comment}`);
  lines.push(`${dash}- name: ${c.name}`, `${dash}  image: ${c.image}`);
  if (c.flowProbe) lines.push(`${dash}  readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 5}`);
  if (c.script) {
    const seq = ctx.compact ? dash + '  ' : dash + '    ';
    lines.push(`${dash}  command:`, `${seq}- sh`, `${seq}- -c`, `${seq}- |`, ...c.script.map((l) => `${seq}  ${l}`));
  }
  return lines;
}

const workload = fc.record({
  kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Job'),
  name: scalar,
  labels,
  containers: fc.uniqueArray(container, { minLength: 1, maxLength: 4, selector: (c) => c.name }),
  comment: maybeComment,
});

const other = fc.record({
  kind: fc.constantFrom('ConfigMap', 'Service', 'Widget'),
  name: scalar,
  data: labels,
  flow: fc.boolean(),
});

const item = fc.oneof(
  workload.map((w) => ({ type: 'workload' as const, ...w })),
  other.map((o) => ({ type: 'other' as const, ...o })),
);

type GeneratedItem = typeof item extends fc.Arbitrary<infer T> ? T : never;

function itemLines(it: GeneratedItem, dash: number, ctx: Ctx): string[] {
  const i = dash + 2;
  if (it.type === 'other') {
    const apiVersion = it.kind === 'Widget' ? 'example.com/v1' : 'v1';
    if (it.flow) return [`${pad(dash)}- {apiVersion: ${apiVersion}, kind: ${it.kind}, metadata: {name: ${it.name}}}`];
    return [
      `${pad(dash)}- apiVersion: ${apiVersion}`,
      `${pad(i)}kind: ${it.kind}`,
      `${pad(i)}metadata:`,
      `${pad(i + 2)}name: ${it.name}`,
      ...(it.data.length > 0 ? [`${pad(i)}data:`, ...mapping(i + 2, it.data)] : []),
    ];
  }
  const apiVersion = it.kind === 'Job' ? 'batch/v1' : 'apps/v1';
  const seqIndent = ctx.compact ? i + 6 : i + 8;
  return [
    `${pad(dash)}- apiVersion: ${apiVersion}${it.comment}`,
    `${pad(i)}kind: ${it.kind}`,
    `${pad(i)}metadata:`,
    `${pad(i + 2)}name: ${it.name}`,
    ...(it.labels.length > 0 ? [`${pad(i + 2)}labels:`, ...mapping(i + 4, it.labels)] : []),
    `${pad(i)}spec:`,
    `${pad(i + 2)}template:`,
    `${pad(i + 4)}spec:`,
    `${pad(i + 6)}containers:`,
    ...it.containers.flatMap((c) => containerLines(c, seqIndent, ctx)),
  ];
}

export const resourceList: fc.Arbitrary<GeneratedList> = fc
  .record({
    items: fc.array(item, { minLength: 0, maxLength: 6 }),
    compact: fc.boolean(),
    crlf: fc.boolean(),
    leading: maybeCommentLine,
    between: fc.array(maybeCommentLine, { minLength: 6, maxLength: 6 }),
    functionConfigFirst: fc.boolean(),
  })
  .map(({ items, compact, crlf, leading, between, functionConfigFirst }) => {
    const eol = crlf ? '\r\n' : '\n';
    const ctx: Ctx = { compact, eol };
    const dash = compact ? 0 : 2;
    const itemTexts = items.map((it, n) => {
      const comment = between[n];
      return [...itemLines(it, dash, ctx), ...(comment !== undefined ? [`${pad(dash)}${comment}`] : [])].join(eol) + eol;
    });
    const functionConfig =
      ['functionConfig:', '  apiVersion: v1', '  kind: ConfigMap', '  metadata: {name: function-input}'].join(eol) + eol;
    const head = [...(leading !== undefined ? [leading] : []), 'apiVersion: config.kubernetes.io/v1', 'kind: ResourceList'].join(eol) + eol;
    const itemsBlock = (items.length === 0 ? 'items: []' : 'items:') + eol + itemTexts.join('');
    const text = head + (functionConfigFirst ? functionConfig + itemsBlock : itemsBlock + functionConfig);
    return { text, itemTexts, kinds: items.map((it) => it.kind) };
  });

/**
 * Scalars whose meaning depends on the reader: a YAML 1.1 reader (kubectl, kustomize: go-yaml) reads
 * legacy octals, `yes`/`on`/`Off` and `_` in numbers, a YAML 1.2 reader does not.
 */
const legacyScalar = fc.constantFrom(
  '0400',
  '0755',
  '-0644',
  '010',
  '08080',
  '0_755',
  '1_000',
  'yes',
  'on',
  'Off',
  'no',
  'Y',
  '+0x1F',
  '0b101',
  '.5',
);

/** Keys that are also names of Object.prototype members, valid in a ConfigMap. */
const specialKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty');

/** A ResourceList whose items hold scalars, merges, anchors in flow mappings and special keys that YAML 1.1 readers read their own way. */
export interface Yaml11List {
  readonly text: string;
  /** The item indices holding a Deployment the edits apply to. */
  readonly deployments: readonly number[];
}

const yaml11Deployment = fc.record({ mode: legacyScalar, optional: legacyScalar, flowLabels: fc.boolean(), name: word }).map(
  ({ mode, optional, flowLabels, name }) => `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ${name}
    labels: &labels {app: ${name}}
  spec:
    selector:
      matchLabels: *labels
    template:
      metadata:
        labels:
          <<: *labels
          tier: ${flowLabels ? '{"front": &t yes, "copy": *t}' : 'front'}
      spec:
        containers:
        - name: app
          image: app
        - name: proxy
          image: envoy
        volumes:
        - name: certs
          secret: {secretName: certs, defaultMode: ${mode}, optional: ${optional}}
`,
);

const yaml11ConfigMap = fc
  .record({ key: specialKey, values: fc.array(legacyScalar, { minLength: 1, maxLength: 4 }), flow: fc.boolean(), name: word })
  .map(({ key, values, flow, name }) => {
    const entries = values.map((v, i) => `k${i}: ${v}`);
    const data = flow
      ? `{${[`"${key}": &v ${values[0]}`, `"again":*v`, ...entries].join(', ')}}`
      : `\n    ${[`${key}: ${values[0]}`, ...entries].join('\n    ')}`;
    return `- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ${name}}
  base: &base {${entries.join(', ')}}
  data: ${data}
  merged:
    <<: *base
    own: ${values[values.length - 1]}
`;
  });

/** A ConfigMap written as one flow mapping, anchors and aliases right after the `:` of its keys. */
const yaml11FlowConfigMap = fc
  .record({ key: specialKey, value: legacyScalar, name: word })
  .map(
    ({ key, value, name }) =>
      `- {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${name}"}, "data": {"${key}":&v ${value}, "again":*v, "plain": ${value}}}\n`,
  );

/** Block items, or the same list behind a `---` and a comment on the root's line, which only the full parser reads (document form). */
export const yaml11List: fc.Arbitrary<Yaml11List> = fc
  .record({
    items: fc.array(fc.oneof(yaml11Deployment, yaml11ConfigMap, yaml11FlowConfigMap), { minLength: 1, maxLength: 4 }),
    document: fc.boolean(),
  })
  .map(({ items, document }) => ({
    text: `${document ? '--- # the whole list\n' : ''}apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('')}`,
    deployments: items.flatMap((item, index) => (item.includes('kind: Deployment') ? [index] : [])),
  }));
