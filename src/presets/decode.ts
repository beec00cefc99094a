/**
 * Presets as a config gives them: built-in names, a built-in's fields replaced, or presets of its own.
 */
import type * as t from 'io-ts';
import { matching, oneOf, problemsUnder, strictObject, stringList, type DecodeProblem } from '../codec/io-ts.js';
import { codecs } from '../codec/io-ts-package.js';
import { jsonSchemaOf, withSchema } from '../codec/json-schema.js';
import { STOP_ORDERS } from '../order/declaration.js';
import { CONTAINER_NAME } from '../codec/names.js';
import { BUILT_IN_PRESETS } from './built-in.js';
import {
  FLAG_SYNTAXES,
  MARKER_SOURCES,
  type Injection,
  type InjectionMarker,
  type ListenSetting,
  type Preset,
  type PresetVersion,
  type Reads,
} from './preset.js';
import { DEFAULT_LIMITS, InputError, loadValue } from '../yaml/load.js';

const presetCodecs = codecs((t) => {
  const StringList = stringList();
  const Port = withSchema(
    new t.Type<number, number, unknown>(
      'Port',
      (u): u is number => Number.isInteger(u) && (u as number) >= 1 && (u as number) <= 65535,
      (u, c) =>
        Number.isInteger(u) && (u as number) >= 1 && (u as number) <= 65535
          ? t.success(u as number)
          : t.failure(u, c, `expected a port number from 1 to 65535, got ${JSON.stringify(u)}`),
      t.identity,
    ),
    { type: 'integer', minimum: 1, maximum: 65535 },
  );
  const UrlPath = matching('UrlPath', /^\/\S*$/, 'a URL path starting with /');
  const StringMap = t.record(t.string, t.string, 'map of strings');
  const ContainerName = matching('ContainerName', CONTAINER_NAME, 'a container name (lowercase letters, digits and "-")');
  const PresetName = matching('PresetName', CONTAINER_NAME, 'a preset name (lowercase letters, digits and "-")');
  const Pattern = matching('ImagePattern', /^\S+$/, 'an image reference, with * for any text');

  const Endpoint = strictObject('Endpoint', { port: Port }, { path: UrlPath });
  const QuitEnv = strictObject('QuitEnv', { name: t.string, value: t.string }, {});
  const QuitAnnotation = strictObject('QuitAnnotation', { key: t.string, value: t.string }, {});
  const QuitEndpoint = strictObject(
    'QuitEndpoint',
    { port: Port, path: UrlPath },
    { arg: t.string, env: QuitEnv, annotation: QuitAnnotation },
  );
  const FlagName = matching('FlagName', /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a flag name without its dashes');
  const VariableName = matching('VariableName', /^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
  const HostPort = matching('HostPort', /^(?:https?:\/\/)?(\[[^\]]*\]|[^:/\s]*):\d{1,5}$/i, 'an address as [http://]HOST:PORT');
  const PortName = matching('PortName', /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, 'a container port name');
  const ListenC = strictObject('ListenSetting', { default: HostPort }, { flag: FlagName, variable: VariableName });
  /**
   * What a config may say about reading its sidecar's container (presets/read.ts): flags, their variables
   * and named ports. Envoy's bootstrap, a format of Envoy's own, stays the envoy preset's.
   */
  const ReadsC = strictObject(
    'Reads',
    {},
    {
      flagSyntax: oneOf(FLAG_SYNTAXES),
      portFlag: FlagName,
      addressFlag: strictObject('AddressFlag', { name: FlagName, default: t.string }, {}),
      listen: ListenC,
      envPrefix: VariableName,
      portNames: t.array(PortName),
      quitPortFlag: FlagName,
      quitOnReadyPort: t.boolean,
      waitPortFlag: FlagName,
    },
  );
  const VersionFields = {
    ready: Endpoint,
    reads: ReadsC,
    waitCommand: StringList,
    entrypoint: StringList,
    requiredArgs: StringList,
    quit: QuitEndpoint,
  };
  const VersionC = strictObject(
    'PresetVersion',
    { name: t.string },
    {
      images: t.array(Pattern),
      programs: t.array(matching('Program', /^[^/\s]+$/, 'a program file name, without its folder')),
      ...VersionFields,
    },
  );
  const Marker = strictObject(
    'InjectionMarker',
    { value: t.string },
    Object.fromEntries(MARKER_SOURCES.map((s) => [s, t.string])) as Record<(typeof MARKER_SOURCES)[number], t.StringC>,
  );
  const InjectionC = strictObject(
    'Injection',
    {},
    {
      enabledBy: t.array(Marker),
      disabledBy: t.array(Marker),
      nativeAnnotations: StringMap,
      postStartAnnotations: StringMap,
      warning: t.string,
      initContainer: ContainerName,
      completion: t.string,
    },
  );
  const PresetFields = {
    containers: t.array(ContainerName),
    images: t.array(Pattern),
    ...VersionFields,
    versions: t.array(VersionC),
    initContainers: t.array(ContainerName),
    stop: oneOf(STOP_ORDERS),
    injection: InjectionC,
  };
  const PresetObject = strictObject('Preset', { name: PresetName }, PresetFields);
  /** A built-in preset by name, or a preset of the config's own (or a built-in's fields replaced). */
  const PresetEntry = withSchema(
    new t.Type<string | t.TypeOf<typeof PresetObject>, unknown, unknown>(
      'PresetEntry',
      (u): u is string | t.TypeOf<typeof PresetObject> => typeof u === 'string' || PresetObject.is(u),
      // Only an object can be a preset of one's own: its problems are the ones worth reporting.
      (u, c) =>
        typeof u === 'string'
          ? t.success(u)
          : typeof u === 'object' && u !== null
            ? PresetObject.validate(u, c)
            : t.failure(u, c, `expected a preset name or a preset, got ${JSON.stringify(u)}`),
      t.identity,
    ),
    () => ({ anyOf: [{ type: 'string', enum: BUILT_IN_PRESETS.map((p) => p.name) }, jsonSchemaOf(PresetObject)] }),
  );
  const PresetEntries = t.array(PresetEntry, 'list of presets');
  return { Marker, InjectionC, ListenC, ReadsC, VersionFields, VersionC, PresetEntry, PresetEntries };
});

type Codecs = ReturnType<typeof presetCodecs>;
type Decoded<K extends Exclude<keyof Codecs, 'VersionFields'>> = t.TypeOf<Codecs[K]>;

/** Built-in names and presets of the config's own, as a list: the functionConfig's spec.presets. */
export function presetEntries(): Codecs['PresetEntries'] {
  return presetCodecs().PresetEntries;
}

export type PresetEntry = Decoded<'PresetEntry'>;

const KNOWN = BUILT_IN_PRESETS.map((p) => p.name).join(', ');

function markersOf(entries: readonly Decoded<'Marker'>[], at: string, problems: DecodeProblem[]): InjectionMarker[] {
  return entries.flatMap((m, i): InjectionMarker[] => {
    const sources = MARKER_SOURCES.filter((s) => m[s] !== undefined);
    if (sources.length !== 1) {
      problems.push({ path: `${at}[${i}]`, message: `give exactly one of ${MARKER_SOURCES.join(', ')}, with its value` });
      return [];
    }
    const source = sources[0]!;
    return [{ source, key: m[source]!, value: m.value }];
  });
}

function injectionOf(base: Injection | undefined, given: Decoded<'InjectionC'>, at: string, problems: DecodeProblem[]): Injection {
  return {
    enabledBy: given.enabledBy ? markersOf(given.enabledBy, `${at}.enabledBy`, problems) : (base?.enabledBy ?? []),
    disabledBy: given.disabledBy ? markersOf(given.disabledBy, `${at}.disabledBy`, problems) : (base?.disabledBy ?? []),
    nativeAnnotations: given.nativeAnnotations ?? base?.nativeAnnotations ?? {},
    postStartAnnotations: given.postStartAnnotations ?? base?.postStartAnnotations ?? {},
    ...((given.warning ?? base?.warning) !== undefined ? { warning: (given.warning ?? base?.warning)! } : {}),
    ...((given.initContainer ?? base?.initContainer) !== undefined ? { initContainer: (given.initContainer ?? base?.initContainer)! } : {}),
    ...((given.completion ?? base?.completion) !== undefined ? { completion: (given.completion ?? base?.completion)! } : {}),
  };
}

/** `listen` names a flag or a variable, never both nor neither. */
function listenOf(given: Decoded<'ListenC'>, at: string, problems: DecodeProblem[]): ListenSetting | undefined {
  const { flag, variable, default: fallback } = given;
  if (flag !== undefined && variable === undefined) return { flag, default: fallback };
  if (variable !== undefined && flag === undefined) return { variable, default: fallback };
  problems.push({ path: at, message: 'give exactly one of flag (read from its variable too, with envPrefix) or variable' });
  return undefined;
}

function readsOf(given: Decoded<'ReadsC'>, at: string, problems: DecodeProblem[]): Reads {
  const { listen, ...rest } = given;
  const setting = listen ? listenOf(listen, `${at}.listen`, problems) : undefined;
  return { ...rest, ...(setting ? { listen: setting } : {}) };
}

type VersionFieldsOf = { readonly [K in keyof Codecs['VersionFields']]?: t.TypeOf<Codecs['VersionFields'][K]> };

/** The fields a preset and its versions share (`what`: `preset pgbouncer`), with `reads` checked. */
function fieldsOf<F extends VersionFieldsOf>(
  given: F,
  what: string,
  at: string,
  problems: DecodeProblem[],
): Omit<F, 'reads'> & { reads?: Reads } {
  const { reads, ...rest } = given;
  if (rest.waitCommand?.length === 0 || rest.entrypoint?.length === 0)
    problems.push({ path: at, message: `${what}: a waitCommand or entrypoint must name a program` });
  return { ...rest, ...(reads ? { reads: readsOf(reads, `${at}.reads`, problems) } : {}) };
}

function versionsOf(given: readonly Decoded<'VersionC'>[], at: string, problems: DecodeProblem[]): PresetVersion[] {
  return given.map((v, i) => {
    const { name, images = [], programs = [], ...fields } = v;
    if (images.length === 0 && programs.length === 0)
      problems.push({ path: `${at}[${i}]`, message: `version ${name} matches nothing: give images or programs` });
    return { name, images, programs, ...fieldsOf(fields, `version ${name}`, `${at}[${i}]`, problems) };
  });
}

/**
 * The presets a config names: built-ins by name; an object with a built-in's name replaces the fields
 * it gives (within `injection`, field by field); any other object is a preset of its own.
 */
export function resolvePresets(entries: readonly PresetEntry[], path: string): Preset[] | DecodeProblem[] {
  const problems: DecodeProblem[] = [];
  const seen = new Set<string>();
  const presets = entries.flatMap((entry, i): Preset[] => {
    const at = `${path}[${i}]`;
    const name = typeof entry === 'string' ? entry : entry.name;
    const builtIn = BUILT_IN_PRESETS.find((p) => p.name === name);
    if (seen.has(name)) {
      problems.push({ path: at, message: `preset ${name} is named twice` });
      return [];
    }
    seen.add(name);
    if (typeof entry === 'string') {
      if (builtIn) return [builtIn];
      problems.push({
        path: at,
        message: `no built-in preset is called ${JSON.stringify(entry)}; the built-in presets are ${KNOWN}, or define one with name, containers and ready`,
      });
      return [];
    }
    const { injection, versions, ...fields } = entry;
    const merged: Preset = {
      ...(builtIn ?? { containers: [], images: [] }),
      ...fieldsOf(fields, `preset ${name}`, at, problems),
      ...(versions ? { versions: versionsOf(versions, `${at}.versions`, problems) } : {}),
      ...(injection ? { injection: injectionOf(builtIn?.injection, injection, `${at}.injection`, problems) } : {}),
    };
    if (!builtIn && merged.containers.length === 0 && merged.images.length === 0 && merged.injection === undefined) {
      problems.push({ path: at, message: `preset ${name} matches nothing: give containers, images or injection` });
    }
    return [merged];
  });
  return problems.length > 0 ? problems : presets;
}

/** The ConfigMap `presets` key: built-in names separated by commas, or the same list as YAML. */
export function parsePresetsText(text: string): Preset[] | DecodeProblem[] {
  let value: unknown;
  try {
    value = loadValue(text, DEFAULT_LIMITS);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return [{ path: 'data.presets', message: `not YAML: ${e.message}` }];
  }
  if (typeof value === 'string')
    value = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const decoded = presetEntries().decode(value);
  if (decoded._tag === 'Left') return problemsUnder('data.presets', decoded.left);
  return resolvePresets(decoded.right, 'data.presets');
}
