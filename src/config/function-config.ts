/**
 * The functionConfig decoder: a ContainerOrder or a ConfigMap in, one OrderSpec out (defaults filled by
 * orderSpec), or problems that name each field. Unknown fields are errors, never ignored.
 */
import type * as t from 'io-ts';
import { matching, oneOf, problemsOf, problemsUnder, strictObject, stringList, type DecodeProblem } from '../codec/io-ts.js';
import { codecs } from '../codec/io-ts-package.js';
import { jsonSchemaOf, withSchema, type JsonSchema } from '../codec/json-schema.js';
import { MODES, orderSpec, STRATEGIES, type OrderSpec } from './order-spec.js';
import { CONDITIONS, DEFAULT_CONDITION, SIDECAR_WAITS, STOP_ORDERS, type Rule, type Sidecar } from '../order/declaration.js';
import type { KnownEntrypoint, KubernetesVersion } from '../mechanisms/mechanism.js';
import { CONTAINER_NAME, NAMESPACE_NAME } from '../codec/names.js';
import { mechanismNamed } from '../mechanisms/index.js';
import { parseField, parseOrder, parseSidecarList } from './syntax.js';
import { parsePresetsText, presetEntries, resolvePresets } from '../presets/decode.js';
import type { Preset } from '../presets/preset.js';
import { DEFAULT_LIMITS, InputError, loadValue } from '../yaml/load.js';

const CONTAINER_ORDER_API_VERSION = 'order-containers.dev/v1alpha1';
export const CONTAINER_ORDER_KIND = 'ContainerOrder';
const CONFIG_MAP_KIND = 'ConfigMap';
/** The ConfigMap kpt builds of `key=value` arguments or a Kptfile's inline `configMap`. */
export function functionInputConfigMap(data: unknown): { apiVersion: 'v1'; kind: 'ConfigMap'; metadata: { name: string }; data: unknown } {
  return { apiVersion: 'v1', kind: CONFIG_MAP_KIND, metadata: { name: 'function-input' }, data };
}

/** The kinds a functionConfig may be. */
export const FUNCTION_CONFIG_KINDS: readonly string[] = [CONTAINER_ORDER_KIND, CONFIG_MAP_KIND];

const VERSION = /^v?(\d+)\.(\d+)(?:\.\d+)?$/;
/**
 * The oldest Kubernetes the function writes for: the startupProbe it gives native sidecars is GA from
 * 1.20 (and the helper's securityContext.seccompProfile from 1.19). It also catches a version that YAML
 * read as a number on its way into a ConfigMap value (`kubernetesVersion: 1.30` unquoted in a Kptfile's
 * configMap is "1.3"), which the ContainerOrder refuses as a number: one rule for both forms.
 */
const OLDEST_MINOR = 20;
const tooOld = (text: string): boolean => {
  const m = VERSION.exec(text)!;
  return Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < OLDEST_MINOR);
};
function tooOldMessage(text: string): string {
  const minor = Number(VERSION.exec(text)![2]);
  // A YAML number drops a trailing 0: 1.30 becomes 1.3.
  const meant =
    minor < 10 && minor * 10 >= OLDEST_MINOR
      ? `; if you meant 1.${minor}0, YAML read it as a number and dropped its 0: quote it ("1.${minor}0")`
      : '';
  return `Kubernetes ${text} is older than 1.${OLDEST_MINOR}, the oldest the function writes for${meant}`;
}
const MAX_TIMEOUT_SECONDS = 86400;
/** timeoutSeconds as ConfigMap text: digits, read as a number and then checked as TimeoutSeconds. */
const SECONDS_TEXT = /^\d+$/;

/** The codecs of both forms, built the first time a functionConfig is decoded. */
const configCodecs = codecs((t) => {
  const StringList = stringList();
  const ContainerName = matching('ContainerName', CONTAINER_NAME, 'a container name (lowercase letters, digits and "-")');
  const KubernetesVersionString = withSchema(
    new t.Type<string, string, unknown>(
      'KubernetesVersion',
      (u): u is string => typeof u === 'string' && VERSION.test(u) && !tooOld(u),
      (u, c) =>
        typeof u === 'string' && VERSION.test(u)
          ? tooOld(u)
            ? t.failure(u, c, tooOldMessage(u))
            : t.success(u)
          : typeof u === 'number'
            ? t.failure(u, c, `write the version as a quoted string such as "1.30" (an unquoted ${u} reads as a number)`)
            : t.failure(u, c, `expected a Kubernetes minor version such as "1.29", got ${JSON.stringify(u)}`),
      t.identity,
    ),
    { type: 'string', pattern: VERSION.source, description: 'a Kubernetes minor version such as "1.29", quoted' },
  );
  const TimeoutSeconds = withSchema(
    new t.Type<number, number, unknown>(
      'TimeoutSeconds',
      (u): u is number => Number.isInteger(u) && (u as number) >= 1 && (u as number) <= MAX_TIMEOUT_SECONDS,
      (u, c) =>
        Number.isInteger(u) && (u as number) >= 1 && (u as number) <= MAX_TIMEOUT_SECONDS
          ? t.success(u as number)
          : t.failure(u, c, `expected whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}, got ${JSON.stringify(u)}`),
      t.identity,
    ),
    { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_SECONDS },
  );
  const Image = matching('Image', /^[^\s]+$/, 'a container image reference');
  const NamespaceName = matching('NamespaceName', NAMESPACE_NAME, 'a namespace name (lowercase letters, digits and "-", at most 63)');
  const ModeC = oneOf(MODES);
  const Strategy = oneOf(STRATEGIES);
  const ConditionC = oneOf(CONDITIONS);
  const SidecarWaitC = oneOf(SIDECAR_WAITS);
  const StopOrderC = oneOf(STOP_ORDERS);
  /** The ConfigMap's form of a boolean: its values are strings. */
  const BooleanText = oneOf(['true', 'false']);

  const Entrypoint = strictObject(
    'Entrypoint',
    { command: StringList },
    { container: ContainerName, image: matching('ImagePattern', /^[^\s]+$/, 'an image reference, with * for any text'), args: StringList },
  );
  const Entrypoints = t.array(Entrypoint);

  const LabelSelector = strictObject(
    'LabelSelector',
    {},
    {
      matchLabels: t.record(t.string, t.string, 'map of strings'),
      matchExpressions: t.array(
        strictObject(
          'LabelSelectorRequirement',
          {
            key: t.string,
            operator: t.keyof({ In: null, NotIn: null, Exists: null, DoesNotExist: null }, '"In" | "NotIn" | "Exists" | "DoesNotExist"'),
          },
          { values: StringList },
        ),
      ),
    },
  );

  const Selector = strictObject(
    'Selector',
    {},
    { kinds: StringList, names: StringList, namespaces: StringList, labelSelector: LabelSelector },
  );

  const ContainerOrderSpec = strictObject(
    'ContainerOrderSpec',
    {},
    {
      mode: ModeC,
      strategy: Strategy,
      kubernetesVersion: KubernetesVersionString,
      selector: Selector,
      sidecars: t.array(strictObject('Sidecar', { name: ContainerName }, { waitFor: SidecarWaitC, stop: StopOrderC })),
      rules: t.array(
        strictObject(
          'Rule',
          { container: ContainerName, after: t.array(strictObject('Dependency', { container: ContainerName }, { condition: ConditionC })) },
          {},
        ),
      ),
      timeoutSeconds: TimeoutSeconds,
      holdDependents: t.boolean,
      helperImage: Image,
      entrypoints: Entrypoints,
      presets: presetEntries(),
      namespace: NamespaceName,
      workloadKinds: t.array(
        strictObject(
          'WorkloadKind',
          {
            apiVersion: t.string,
            kind: t.string,
            podTemplatePath: matching('FieldPath', /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a dotted field path such as spec.template'),
          },
          {},
        ),
      ),
    },
  );

  const Metadata = t.partial({ name: t.string, namespace: t.string, annotations: t.record(t.string, t.string) });

  const ContainerOrder = strictObject(
    'ContainerOrder',
    { apiVersion: t.literal(CONTAINER_ORDER_API_VERSION), kind: t.literal(CONTAINER_ORDER_KIND) },
    { metadata: Metadata, spec: ContainerOrderSpec },
  );

  /** ConfigMap data values are strings; YAML reads an unquoted 30 or true as something else. */
  const DataString = withSchema(
    new t.Type<string, string, unknown>(
      'string',
      (u): u is string => typeof u === 'string',
      (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c, `ConfigMap data values are strings: quote it ("${String(u)}")`)),
      t.identity,
    ),
    { type: 'string' },
  );

  /**
   * The ConfigMap form's keys, each with the codec of its text: a spec field's own codec where the text is
   * the value, DataString where the text is parsed (the declaration syntax, or YAML for entrypoints and presets).
   */
  const CONFIGMAP_TEXT = {
    mode: ModeC,
    strategy: Strategy,
    kubernetesVersion: KubernetesVersionString,
    sidecars: DataString,
    order: DataString,
    // Read as a number and then checked as TimeoutSeconds, whose message names the range.
    timeoutSeconds: matching('SecondsText', SECONDS_TEXT, `whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}, as digits`),
    holdDependents: BooleanText,
    helperImage: Image,
    entrypoints: DataString,
    presets: DataString,
    namespace: NamespaceName,
  } as const;
  type TextKey = keyof typeof CONFIGMAP_TEXT;

  const ConfigMapData = strictObject(
    'ConfigMapData',
    {},
    Object.fromEntries(Object.keys(CONFIGMAP_TEXT).map((k) => [k, DataString])) as Record<TextKey, typeof DataString>,
  );

  const ConfigMap = t.intersection([
    t.type({ apiVersion: t.literal('v1'), kind: t.literal(CONFIG_MAP_KIND) }),
    t.partial({ metadata: Metadata, data: ConfigMapData }),
  ]);

  return { Entrypoints, ContainerOrder, Metadata, TimeoutSeconds, CONFIGMAP_TEXT, ConfigMap };
});

type Codecs = ReturnType<typeof configCodecs>;
type ConfigMapKey = keyof Codecs['CONFIGMAP_TEXT'];

export type FunctionConfig =
  /** No config, or kpt's empty `function-input` ConfigMap: nothing to do. */
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'spec'; readonly spec: OrderSpec }
  | { readonly kind: 'invalid'; readonly problems: readonly DecodeProblem[] };

function parseVersion(text: string): KubernetesVersion {
  const m = VERSION.exec(text)!;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function invalid(problems: DecodeProblem[]): FunctionConfig {
  return { kind: 'invalid', problems };
}

/**
 * Each entry names exactly one container or one image pattern, and the image's ENTRYPOINT: `command: []`
 * says it has none (busybox, alpine), so the container's `args`, or else the image's CMD, are the program.
 */
function knownEntrypoints(entries: t.TypeOf<Codecs['Entrypoints']>, path: string): KnownEntrypoint[] | DecodeProblem[] {
  const problems: DecodeProblem[] = [];
  const known = entries.flatMap((e, i): KnownEntrypoint[] => {
    const at = `${path}[${i}]`;
    if ((e.container === undefined) === (e.image === undefined)) {
      problems.push({ path: at, message: 'give either container (a container name) or image (an image pattern), not both or neither' });
      return [];
    }
    if (e.command.length === 0 && e.args?.length === 0) {
      problems.push({
        path: `${at}.args`,
        message:
          'an image with no ENTRYPOINT (command: []) runs its CMD: give it as args, or leave args out where the containers give their own',
      });
      return [];
    }
    const match = e.container !== undefined ? { container: e.container } : { image: e.image! };
    return [{ match, command: e.command, ...(e.args ? { args: e.args } : {}) }];
  });
  return problems.length > 0 ? problems : known;
}

function isProblems<A extends object>(v: A[] | DecodeProblem[]): v is DecodeProblem[] {
  return v.some((x) => 'message' in x);
}

function fromContainerOrder(value: t.TypeOf<Codecs['ContainerOrder']>): FunctionConfig {
  const spec = value.spec ?? {};
  const entrypoints = knownEntrypoints(spec.entrypoints ?? [], 'spec.entrypoints');
  const presets = resolvePresets(spec.presets ?? [], 'spec.presets');
  if (isProblems(entrypoints) || isProblems(presets))
    return invalid([...(isProblems(entrypoints) ? entrypoints : []), ...(isProblems(presets) ? presets : [])]);
  const selector = spec.selector ?? {};
  const labels = selector.labelSelector ?? {};
  return {
    kind: 'spec',
    spec: orderSpec({
      mode: spec.mode,
      strategy: spec.strategy,
      kubernetesVersion: spec.kubernetesVersion ? parseVersion(spec.kubernetesVersion) : undefined,
      selector: {
        ...(selector.kinds ? { kinds: selector.kinds } : {}),
        ...(selector.names ? { names: selector.names } : {}),
        ...(selector.namespaces ? { namespaces: selector.namespaces } : {}),
        ...(labels.matchLabels ? { matchLabels: labels.matchLabels } : {}),
        ...(labels.matchExpressions ? { matchExpressions: labels.matchExpressions.map((e) => ({ ...e, values: e.values ?? [] })) } : {}),
      },
      sidecars: (spec.sidecars ?? []).map((s): Sidecar => ({
        name: s.name,
        waitFor: s.waitFor ?? DEFAULT_CONDITION,
        ...(s.stop ? { stop: s.stop } : {}),
      })),
      rules: (spec.rules ?? []).map((r): Rule => ({
        container: r.container,
        after: r.after.map((d) => ({ container: d.container, condition: d.condition ?? DEFAULT_CONDITION })),
      })),
      timeoutSeconds: spec.timeoutSeconds,
      holdDependents: spec.holdDependents,
      helperImage: spec.helperImage,
      workloadKinds: (spec.workloadKinds ?? []).map((k) => ({ ...k, podTemplatePath: k.podTemplatePath.split('.') })),
      entrypoints,
      presets,
      namespace: spec.namespace,
    }),
  };
}

/** The `entrypoints` key holds the same list as spec.entrypoints, written as YAML (flow style fits a value). */
function parseEntrypointsText(text: string): KnownEntrypoint[] | DecodeProblem[] {
  let value: unknown;
  try {
    value = loadValue(text, DEFAULT_LIMITS);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return [{ path: 'data.entrypoints', message: `not YAML: ${e.message}` }];
  }
  const decoded = configCodecs().Entrypoints.decode(value);
  if (decoded._tag === 'Left') return problemsUnder('data.entrypoints', decoded.left);
  return knownEntrypoints(decoded.right, 'data.entrypoints');
}

function fromConfigMapData(data: Partial<Record<ConfigMapKey, string>>): FunctionConfig {
  const { CONFIGMAP_TEXT, TimeoutSeconds } = configCodecs();
  const problems: DecodeProblem[] = [];
  const check = <A>(key: string, codec: t.Decoder<unknown, A>, value: unknown): A | undefined => {
    const decoded = codec.decode(value);
    if (decoded._tag === 'Right') return decoded.right;
    problems.push(...problemsOf(decoded.left).map((p) => ({ path: `data.${key}`, message: p.message })));
    return undefined;
  };
  const mode = data.mode === undefined ? undefined : check('mode', CONFIGMAP_TEXT.mode, data.mode);
  const strategy = data.strategy === undefined ? undefined : check('strategy', CONFIGMAP_TEXT.strategy, data.strategy);
  const version =
    data.kubernetesVersion === undefined ? undefined : check('kubernetesVersion', CONFIGMAP_TEXT.kubernetesVersion, data.kubernetesVersion);
  const timeout =
    data.timeoutSeconds === undefined
      ? undefined
      : check('timeoutSeconds', TimeoutSeconds, SECONDS_TEXT.test(data.timeoutSeconds) ? Number(data.timeoutSeconds) : data.timeoutSeconds);
  const hold = data.holdDependents === undefined ? undefined : check('holdDependents', CONFIGMAP_TEXT.holdDependents, data.holdDependents);
  const helperImage = data.helperImage === undefined ? undefined : check('helperImage', CONFIGMAP_TEXT.helperImage, data.helperImage);
  const namespace = data.namespace === undefined ? undefined : check('namespace', CONFIGMAP_TEXT.namespace, data.namespace);
  const field = <A>(path: string, text: string | undefined, parse: (text: string) => A): A | undefined => {
    if (text === undefined) return undefined;
    const parsed = parseField(path, text, parse);
    if ('problem' in parsed) problems.push(parsed.problem);
    return 'value' in parsed ? parsed.value : undefined;
  };
  const sidecars = field('data.sidecars', data.sidecars, parseSidecarList);
  const rules = field('data.order', data.order, parseOrder);
  let entrypoints: KnownEntrypoint[] = [];
  if (data.entrypoints !== undefined) {
    const known = parseEntrypointsText(data.entrypoints);
    if (isProblems(known)) problems.push(...known);
    else entrypoints = known;
  }
  let presets: Preset[] = [];
  if (data.presets !== undefined) {
    const resolved = parsePresetsText(data.presets);
    if (isProblems(resolved)) problems.push(...resolved);
    else presets = resolved;
  }
  if (problems.length > 0) return invalid(problems);
  return {
    kind: 'spec',
    spec: orderSpec({
      mode,
      strategy,
      kubernetesVersion: version ? parseVersion(version) : undefined,
      sidecars,
      rules,
      timeoutSeconds: timeout,
      holdDependents: hold === undefined ? undefined : hold === 'true',
      helperImage,
      entrypoints,
      presets,
      namespace,
    }),
  };
}

/** A strategy that names a mechanism the cluster's kubelets lack (native below 1.29) is refused. */
function available(config: FunctionConfig, path: string): FunctionConfig {
  if (config.kind !== 'spec' || config.spec.strategy === 'auto') return config;
  const { strategy, kubernetesVersion: v } = config.spec;
  if (mechanismNamed(strategy).available(v)) return config;
  return invalid([
    {
      path,
      message: `strategy ${strategy} needs a newer kubelet than kubernetesVersion ${v.major}.${v.minor} says the cluster has (native sidecars: 1.29)`,
    },
  ]);
}

/** Decodes the functionConfig (a ContainerOrder or a ConfigMap) into an OrderSpec. */
export function decodeFunctionConfig(config: unknown): FunctionConfig {
  if (config === undefined || config === null) return { kind: 'none', reason: 'no functionConfig was given' };
  const kind = (config as { kind?: unknown }).kind;
  if (kind === CONFIG_MAP_KIND) {
    const raw = config as Record<string, unknown>;
    // `data:` with nothing under it is null in YAML; it means the same as no data.
    const decoded = configCodecs().ConfigMap.decode(raw.data === null ? { ...raw, data: {} } : raw);
    if (decoded._tag === 'Left') return invalid(problemsOf(decoded.left));
    const data = decoded.right.data ?? {};
    if (Object.keys(data).length === 0) return { kind: 'none', reason: 'the functionConfig ConfigMap has no data' };
    return available(fromConfigMapData(data), 'data.strategy');
  }
  if (kind === CONTAINER_ORDER_KIND) {
    const decoded = configCodecs().ContainerOrder.decode(config);
    return decoded._tag === 'Left' ? invalid(problemsOf(decoded.left)) : available(fromContainerOrder(decoded.right), 'spec.strategy');
  }
  return invalid([
    {
      path: 'kind',
      message: `functionConfig must be a ${CONTAINER_ORDER_KIND} (${CONTAINER_ORDER_API_VERSION}) or a ConfigMap, got kind ${JSON.stringify(kind ?? null)}`,
    },
  ]);
}

const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The JSON Schema of a ContainerOrder, from the codec that decodes it. */
export function containerOrderSchema(): JsonSchema {
  return {
    $schema: SCHEMA_DIALECT,
    title: `${CONTAINER_ORDER_KIND} (${CONTAINER_ORDER_API_VERSION}), the functionConfig of order-containers`,
    ...jsonSchemaOf(configCodecs().ContainerOrder),
  };
}

/** The JSON Schema of the ConfigMap form, each data key with the schema of its text. */
export function configMapSchema(): JsonSchema {
  return {
    $schema: SCHEMA_DIALECT,
    title: 'The ConfigMap form of the functionConfig of order-containers',
    type: 'object',
    properties: {
      apiVersion: { const: 'v1' },
      kind: { const: CONFIG_MAP_KIND },
      metadata: jsonSchemaOf(configCodecs().Metadata),
      data: {
        type: 'object',
        properties: Object.fromEntries(Object.entries(configCodecs().CONFIGMAP_TEXT).map(([k, codec]) => [k, jsonSchemaOf(codec)])),
        additionalProperties: false,
      },
    },
    required: ['apiVersion', 'kind'],
  };
}
