/**
 * What a preset's sidecar is configured to serve, read from its container: the one home of a preset's
 * readiness endpoint, quit endpoint, wait command and the flags it appends. Pure: the container, the
 * pod's volumes and the ConfigMaps of the ResourceList in; an answer and diagnostics out.
 *
 * The ready endpoint comes from the first of these that says it (README: Presets, "what it reads"):
 *   1. the container's own readinessProbe or startupProbe (planPresets keeps it; only a disagreement
 *      with what the program is told is said here),
 *   2. the workload's `order-containers.dev/ready` annotation for this container,
 *   3. the program's flag (`--http-port`), in `command` and `args`, the last one written winning as in
 *      the program's own flag parser,
 *   4. the variable the program reads for that flag (`CSQL_PROXY_HTTP_PORT`; flags win over it, as in
 *      the program), from `env`, else from `envFrom` (a ConfigMap of the ResourceList), as kubelet
 *      builds the environment,
 *   5. Envoy's bootstrap (`admin.address`) in a ConfigMap the pod mounts where `-c` points; an
 *      OpenTelemetry Collector's config where its `--config` points (presets/collector.ts), which
 *      also says whether its health_check runs at all, and where,
 *   6. a container port with a name the program's own samples give it (`envoy-admin`),
 *   7. the program's default port, when it has one.
 * A value that cannot be read (a shell script's `-c`, `$(VAR)`, `valueFrom`, an `envFrom` Secret or a
 * ConfigMap not in the list) or sources that disagree give a warning naming the field and what was assumed; nothing known gives a warning saying how to tell
 * it, and the sidecar is started first without a readiness gate: never a gate that can never pass.
 */
import type { V1Container, V1EnvFromSource, V1EnvVar, V1Probe, V1Volume } from '@kubernetes/client-node';
import type { Diagnostic } from '../diagnostic.js';
import { decodeWrapper } from '../protocol/wrapper.js';
import { globMatches } from '../workloads/glob.js';
import { DEFAULT_LIMITS, InputError, loadValue } from '../yaml/load.js';
import { healthCheckOf, type EnvText, type FileText } from './collector.js';
import type { Endpoint, FlagSyntax, Preset, PresetVersion, QuitEndpoint, Reads } from './preset.js';

/** What the pod around the container offers to read. */
export interface ReadContext {
  /** The workload's `order-containers.dev/ready` entry for this container. */
  readonly override?: Endpoint;
  readonly volumes: readonly V1Volume[];
  /** A ConfigMap's data in the ResourceList, by name, in the workload's namespace. */
  readonly configMap: (name: string) => Readonly<Record<string, string>> | undefined;
  /** The field of the override, for results. */
  readonly overrideField: string;
}

export interface SidecarReading {
  /** The preset with the matching version's fields in place. */
  readonly preset: Preset;
  /** The version that matched, if the preset has versions. */
  readonly version?: string;
  /** Where it serves readiness; absent when nothing tells. */
  readonly ready?: Endpoint;
  readonly quit?: QuitEndpoint;
  /** The preset's wait command, with the port it must poll, or none where it cannot be known. */
  readonly waitCommand?: readonly string[];
  /** Flags to append to its args. */
  readonly append: readonly string[];
  /** Where the ready endpoint came from: `port 9801 from env CSQL_PROXY_HTTP_PORT`. */
  readonly source?: string;
  /** Fields relative to the pod template. */
  readonly notes: readonly Diagnostic[];
}

/** The first version of the preset whose image or program the container has, in place; the preset itself otherwise. */
function versionOf(preset: Preset, container: V1Container): { preset: Preset; version?: PresetVersion } {
  const program = commandOf(container)?.[0]?.split('/').pop();
  const version = preset.versions?.find(
    (v) =>
      v.images.some((g) => container.image !== undefined && globMatches(g, container.image)) ||
      (program !== undefined && v.programs.includes(program)),
  );
  if (!version) return { preset };
  // The version's fields replace the preset's, and the ones it leaves out are dropped.
  const { name: _name, images: _images, programs: _programs, ...fields } = version;
  const { ready: _ready, reads: _reads, waitCommand: _wait, entrypoint: _entrypoint, requiredArgs: _args, quit: _quit, ...rest } = preset;
  return { preset: { ...rest, ...fields }, version };
}

/** One word of the container's command line, with its field. */
interface Word {
  readonly text: string;
  readonly field: string;
}

/**
 * An `envFrom` source whose values are not in the ResourceList (a Secret, or a ConfigMap of the cluster)
 * and that may set a variable the preset reads: it is assumed not to, and a warning says so.
 */
interface Unseen {
  readonly field: string;
  readonly source: string;
  readonly variable: string;
}

/**
 * A setting's value and the field it came from; `unreadable` says why it cannot be known. `unseen` are
 * the envFrom sources that could override it (or set it, when absent) and were assumed not to.
 */
type Found =
  | { readonly kind: 'absent'; readonly unseen?: readonly Unseen[] }
  | { readonly kind: 'value'; readonly value: string; readonly field: string; readonly from: string; readonly unseen?: readonly Unseen[] }
  | { readonly kind: 'unreadable'; readonly field: string; readonly why: string };

const ABSENT: Found = { kind: 'absent' };

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

/** The shell's script word when the container runs its program through `sh -c`. */
function shellScript(words: readonly Word[]): Word | undefined {
  const first = words[0]?.text.split('/').pop();
  if (first === undefined || !SHELLS.has(first)) return undefined;
  const c = words.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.text));
  return c > 0 ? (words[c + 1] ?? words[c]) : undefined;
}

/** The container's own command: an entrypoint wrapper an earlier run wrote runs it after `--`. */
function commandOf(container: V1Container): readonly string[] | undefined {
  return decodeWrapper(container.command)?.program ?? container.command;
}

function wordsOf(container: V1Container, at: string): Word[] {
  const wrapped = decodeWrapper(container.command) !== undefined;
  return [
    ...(commandOf(container) ?? []).map((text, i) => ({ text, field: wrapped ? `${at}.command` : `${at}.command[${i}]` })),
    ...(container.args ?? []).map((text, i) => ({ text, field: `${at}.args[${i}]` })),
  ];
}

/** A program whose syntax the preset does not say parses its flags with pflag, the most common. */
function syntaxOf(reads: Reads | undefined): FlagSyntax {
  return reads?.flagSyntax ?? 'pflag';
}

/** The dashes a flag takes in the program's syntax: Go's flag package takes one or two. */
function flagNameOf(word: string, syntax: FlagSyntax): string | undefined {
  if (word.startsWith('--')) return word.slice(2);
  if (word.startsWith('-') && word.length > 1 && (syntax === 'go' || syntax === 'tclap')) return word.slice(1);
  return undefined;
}

/**
 * The last value given to flag `name` (pflag and Go's flag package both keep the last): `--name=v`,
 * `--name v`, and for a bool `--name` alone (true). Parsing stops at `--`.
 */
function flagIn(words: readonly Word[], name: string, syntax: FlagSyntax, bool: boolean, aliases: readonly string[] = []): Found {
  let found: Found = ABSENT;
  const names = [name, ...aliases];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.text === '--') break;
    const flag = flagNameOf(word.text, syntax);
    if (flag === undefined) continue;
    // TCLAP (Envoy) splits one word at its delimiter, a space (Arg::trimFlag): `--config-path /etc/e.yaml`.
    const eq = syntax === 'tclap' && /\s/.test(flag) ? flag.search(/\s/) : flag.indexOf('=');
    const key = eq >= 0 ? flag.slice(0, eq) : flag;
    if (!names.includes(key)) {
      const spaced = /^(\S+)\s/.exec(flag);
      if (spaced && names.includes(spaced[1]!))
        found = {
          kind: 'unreadable',
          field: word.field,
          why: `"${word.text}" is one word: the program reads it as an unknown flag and exits; write ${word.text.replace(/\s+/, '=')} or two words`,
        };
      continue;
    }
    if (eq >= 0) found = { kind: 'value', value: flag.slice(eq + 1), field: word.field, from: `${word.field} (${word.text})` };
    else if (bool) found = { kind: 'value', value: 'true', field: word.field, from: `${word.field} (${word.text})` };
    else if (i + 1 < words.length) {
      const next = words[++i]!;
      found = { kind: 'value', value: next.text, field: next.field, from: `${word.field} (${word.text} ${next.text})` };
    }
  }
  if (found.kind === 'value' && found.value.includes('$('))
    return { kind: 'unreadable', field: found.field, why: `${found.from} is expanded by kubelet from a variable` };
  return found;
}

/**
 * The container's variable `name` as kubelet builds the environment (pkg/kubelet/kubelet_pods.go,
 * makeEnvironmentVariables): every `envFrom` source in order, each key with the source's `prefix` in
 * front and a later source overriding an earlier one, then `env`, whose entries override them all, the
 * last entry of a name winning. Kubelet reads an envFrom ConfigMap's `data` only. Kubelets before 1.30 skip
 * a key that is not a valid variable name once prefixed (kubernetes#42642, undone by #123385): a name read
 * here is a valid one, so that skip never hides it, and it is not checked.
 */
function envIn(container: V1Container, at: string, name: string, configMap: ReadContext['configMap']): Found {
  const env = container.env ?? [];
  let index = -1;
  env.forEach((e: V1EnvVar, i) => {
    if (e.name === name) index = i;
  });
  if (index < 0) return envFromIn(container.envFrom ?? [], at, name, configMap);
  const e = env[index]!;
  const field = `${at}.env[${index}]`;
  if (e.valueFrom !== undefined) return { kind: 'unreadable', field, why: `${name} comes from valueFrom, which is read only on the node` };
  const value = e.value ?? '';
  if (value.includes('$(')) return { kind: 'unreadable', field, why: `${name} is expanded by kubelet from another variable` };
  return { kind: 'value', value, field, from: `${field} (${name}=${value})` };
}

/**
 * The variable `name` as the `envFrom` sources set it, the last one that does winning. A ConfigMap of the
 * list gives its value (kubelet expands no `$(VAR)` in it); a Secret, or a ConfigMap the list does not
 * have, could set any name that begins with its prefix: it is assumed not to, and is said in `unseen`.
 */
function envFromIn(sources: readonly V1EnvFromSource[], at: string, name: string, configMap: ReadContext['configMap']): Found {
  const unseen: Unseen[] = [];
  for (let j = sources.length - 1; j >= 0; j--) {
    const from = sources[j]!;
    const prefix = from.prefix ?? '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const field = `${at}.envFrom[${j}]`;
    if (from.configMapRef) {
      const cm = from.configMapRef.name ?? '';
      const data = configMap(cm);
      if (data === undefined) unseen.push({ field, source: `ConfigMap ${cm}, which is not in the ResourceList`, variable: name });
      else if (Object.hasOwn(data, key)) {
        const value = data[key]!;
        return { kind: 'value', value, field, from: `${field} (ConfigMap ${cm}: ${name}=${value})`, unseen };
      }
    } else if (from.secretRef)
      unseen.push({ field, source: `Secret ${from.secretRef.name ?? ''}, whose values the function does not read`, variable: name });
  }
  return unseen.length > 0 ? { kind: 'absent', unseen } : ABSENT;
}

/** The variable viper's AutomaticEnv reads for a flag: prefix + the name upper-cased, `-` as `_`. */
function envName(reads: Reads, flag: string): string | undefined {
  return reads.envPrefix === undefined ? undefined : reads.envPrefix + flag.replace(/-/g, '_').toUpperCase();
}

/** A flag, else its variable (the programs' own precedence: flags > environment). */
function settingOf(
  words: readonly Word[],
  container: V1Container,
  at: string,
  ctx: ReadContext,
  reads: Reads,
  flag: string,
  bool: boolean,
): Found {
  const byFlag = flagIn(words, flag, syntaxOf(reads), bool);
  if (byFlag.kind !== 'absent') return byFlag;
  const env = envName(reads, flag);
  return env === undefined ? ABSENT : envIn(container, at, env, ctx.configMap);
}

/** Go's strconv.ParseBool, which pflag and the flag package use. */
function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function portOf(text: string): number | undefined {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Addresses that only the pod's own containers reach: kubelet probes the pod's IP. */
function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address.startsWith('127.');
}

interface Bootstrap {
  readonly port?: number;
  readonly address?: string;
  readonly from: string;
  readonly field: string;
}

/** The folder a mount puts its volume at, as paths are compared with it. */
function mountDir(m: { readonly mountPath: string }): string {
  return m.mountPath.replace(/\/+$/, '');
}

/** The ConfigMap key a pod mounts at `path`, through a volume of the container's. */
function mountedConfigMap(
  container: V1Container,
  at: string,
  volumes: readonly V1Volume[],
  path: string,
): { name: string; key: string; field: string } | undefined {
  for (const [i, m] of (container.volumeMounts ?? []).entries()) {
    const volume = volumes.find((v) => v.name === m.name);
    const configMap = volume?.configMap;
    if (!configMap?.name) continue;
    const dir = mountDir(m);
    let key: string | undefined;
    if (m.subPath !== undefined && m.subPath !== '') {
      if (dir === path) key = configMap.items?.find((it) => it.path === m.subPath)?.key ?? m.subPath;
    } else if (path.startsWith(`${dir}/`)) {
      const rel = path.slice(dir.length + 1);
      key = configMap.items ? configMap.items.find((it) => it.path === rel)?.key : rel.includes('/') ? undefined : rel;
    }
    if (key !== undefined) return { name: configMap.name, key, field: `${at}.volumeMounts[${i}]` };
  }
  return undefined;
}

/** The mount a path is in (the longest mountPath that holds it), whatever its volume's source. */
function coveringMount(
  container: V1Container,
  at: string,
  volumes: readonly V1Volume[],
  path: string,
): { volume: string; source: string; field: string } | undefined {
  const mounts = container.volumeMounts ?? [];
  let best = -1;
  for (const [i, m] of mounts.entries()) {
    const dir = mountDir(m);
    if ((path === dir || path.startsWith(`${dir}/`)) && (best < 0 || dir.length > mountDir(mounts[best]!).length)) best = i;
  }
  if (best < 0) return undefined;
  const name = mounts[best]!.name;
  const volume = volumes.find((v) => v.name === name);
  const kind = volume ? Object.keys(volume).find((k) => k !== 'name') : undefined;
  const named = (volume as Record<string, { name?: string; secretName?: string } | undefined> | undefined)?.[kind ?? ''];
  const ref = named?.secretName ?? named?.name;
  const source = kind === undefined ? "not among the pod's volumes" : `${kind}${ref ? ` ${ref}` : ''}`;
  return { volume: name, source, field: `${at}.volumeMounts[${best}]` };
}

function dig(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** `admin.address.socket_address` of an Envoy bootstrap (envoy.config.bootstrap.v3.Admin). */
function adminOf(text: string): { port?: number; address?: string } | string {
  let doc: unknown;
  try {
    doc = loadValue(text, DEFAULT_LIMITS);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return `not YAML or JSON: ${e.message}`;
  }
  const socket = dig(doc, 'admin', 'address', 'socket_address');
  if (socket === undefined) return 'it has no admin.address: Envoy starts no admin server';
  const port = dig(socket, 'port_value');
  const address = dig(socket, 'address');
  return {
    ...(typeof port === 'number' && portOf(String(port)) !== undefined ? { port } : {}),
    ...(typeof address === 'string' ? { address } : {}),
  };
}

/**
 * Envoy's bootstrap, where the ResourceList has it: the file `-c`/`--config-path` names (the image's
 * own when the container gives no command or args), mounted from a ConfigMap of the list; or the
 * inline `--config-yaml`, which Envoy merges over it.
 */
function envoyBootstrap(
  words: readonly Word[],
  container: V1Container,
  at: string,
  ctx: ReadContext,
  defaults: { readonly default: string },
): Bootstrap | { readonly unreadable: string; readonly field: string } | { readonly unseen: string; readonly field: string } | undefined {
  const inline = flagIn(words, 'config-yaml', 'tclap', false);
  if (inline.kind === 'value') {
    const admin = adminOf(inline.value);
    if (typeof admin !== 'string' && admin.port !== undefined)
      return { ...admin, from: `the bootstrap in ${inline.from.split(' (')[0]} (--config-yaml)`, field: inline.field };
  }
  const given = flagIn(words, 'config-path', 'tclap', false, ['c']);
  if (given.kind === 'unreadable') return { unreadable: given.why, field: given.field };
  const path =
    given.kind === 'value'
      ? given.value
      : (commandOf(container) ?? []).length + (container.args ?? []).length === 0
        ? defaults.default
        : undefined;
  if (path === undefined) return undefined;
  const file = mountedFile(container, at, ctx, path);
  // Not yet a warning: a named container port may still tell the port (see readSidecar).
  if (file.kind !== 'text') return { unseen: file.why, field: file.field };
  const admin = adminOf(file.text);
  const from = `the bootstrap ${file.from}`;
  if (typeof admin === 'string') return { unreadable: `${from}: ${admin}`, field: file.field };
  return { ...admin, from, field: file.field };
}

/**
 * The file at `path` in the container, where a ConfigMap of the ResourceList is mounted there (kubelet
 * writes each key as a file, or the `items` it names); why it cannot be read otherwise.
 */
function mountedFile(container: V1Container, at: string, ctx: ReadContext, path: string): FileText {
  const mount = mountedConfigMap(container, at, ctx.volumes, path);
  if (!mount) {
    const other = coveringMount(container, at, ctx.volumes, path);
    return other
      ? {
          kind: 'unseen',
          why: `${path} is in volume ${other.volume} (${other.source}, mounted by ${other.field}), whose files the function does not read`,
          field: other.field,
        }
      : { kind: 'unseen', why: `${path} is not mounted from a ConfigMap, so the function cannot read it`, field: at };
  }
  const data = ctx.configMap(mount.name);
  const what = `ConfigMap ${mount.name}, key ${mount.key}, mounted by ${mount.field}`;
  if (data === undefined)
    return {
      kind: 'unseen',
      why: `${path} is mounted from ConfigMap ${mount.name} (${mount.field}), which is not in the ResourceList`,
      field: mount.field,
    };
  const text = data[mount.key];
  if (text === undefined)
    return { kind: 'unseen', why: `${path} is key ${mount.key} of ConfigMap ${mount.name}, which has no such key`, field: mount.field };
  return { kind: 'text', text, from: `${path} (${what})`, field: mount.field };
}

/**
 * The container's variable as the collector's config reads it: fieldRef status.podIP is the address
 * kubelet's probes reach (pkg/kubelet/kubelet_pods.go, podFieldSelectorRuntimeValue); else as envIn.
 */
function collectorEnv(container: V1Container, at: string, ctx: ReadContext, name: string): EnvText {
  const index = (container.env ?? []).map((e) => e.name).lastIndexOf(name);
  const field = `${at}.env[${index}]`;
  if (index >= 0 && container.env![index]!.valueFrom?.fieldRef?.fieldPath === 'status.podIP')
    return { kind: 'podIP', from: `${field} (${name} from status.podIP)`, field };
  const found = envIn(container, at, name, ctx.configMap);
  if (found.kind === 'value') return found;
  if (found.kind === 'unreadable') return { kind: 'unseen', why: found.why, field: found.field };
  const unseen = found.unseen?.[0];
  return unseen
    ? { kind: 'unseen', why: `${name} may come from ${unseen.source}`, field: unseen.field }
    : { kind: 'unseen', why: `${name} is not set in ${container.name}'s env`, field: at };
}

/** The container port of a name the program's samples give its ready port. */
function namedPort(container: V1Container, at: string, names: readonly string[]): Found {
  for (const [i, p] of (container.ports ?? []).entries())
    if (p.name !== undefined && names.includes(p.name))
      return {
        kind: 'value',
        value: String(p.containerPort),
        field: `${at}.ports[${i}]`,
        from: `${at}.ports[${i}] (${p.name}: ${p.containerPort})`,
      };
  return ABSENT;
}

function probePort(probe: V1Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
  return typeof port === 'number' ? port : undefined;
}

/**
 * Reads the sidecar's container for the preset (its version already chosen by versionOf): where it
 * serves readiness and quit, the wait command that polls it, and the flags still to append.
 */
export function readSidecar(matched: Preset, container: V1Container, at: string, ctx: ReadContext, quitWanted: boolean): SidecarReading {
  const { preset, version } = versionOf(matched, container);
  const name = container.name;
  const notes: Diagnostic[] = [];
  const warn = (message: string, field: string): void =>
    void notes.push({ severity: 'warning', message: `preset ${preset.name}: ${message}`, field });
  const reads = preset.reads;
  const script = shellScript(wordsOf(container, at));
  // A shell script's words are its own: the preset reads no flag in them, and appends none.
  const words = script ? [] : wordsOf(container, at);
  if (script && reads)
    warn(
      `${name} runs its program from a shell script (${script.field}), whose flags the preset does not read: assumed they move none of its endpoints`,
      script.field,
    );
  let path = preset.ready?.path;
  const base = { preset, ...(version ? { version: version.name } : {}) };
  const ownProbe = container.readinessProbe ?? container.startupProbe;
  const syntax = syntaxOf(reads);
  const setting = (flag: string, bool: boolean): Found => settingOf(words, container, at, ctx, reads!, flag, bool);
  // envFrom sources that may set a variable read here, and were assumed not to: one warning each, at the end.
  const assumed = new Map<string, { source: string; variables: Set<string> }>();
  const assume = (found: Found): void => {
    if (found.kind === 'unreadable') return;
    for (const u of found.unseen ?? []) {
      const entry = assumed.get(u.field) ?? { source: u.source, variables: new Set<string>() };
      entry.variables.add(u.variable);
      assumed.set(u.field, entry);
    }
  };

  /** Whether a flag the endpoints need is in effect: set (by flag or variable), to be appended, or not. */
  const need = (arg: string): 'set' | 'append' | 'off' => {
    const flag = flagNameOf(arg, syntax) ?? arg;
    const eq = flag.indexOf('=');
    const flagName = eq >= 0 ? flag.slice(0, eq) : flag;
    const set = reads ? setting(flagName, eq < 0) : flagIn(words, flagName, syntax, eq < 0);
    if (set.kind === 'unreadable') {
      warn(`${name}: ${set.why}; assumed ${arg} is not in effect`, set.field);
      return 'off';
    }
    if (set.kind === 'value') {
      // Unless the variable is set as read, the flag the preset does not append is missing.
      assume(set);
      if (eq >= 0 || parseBool(set.value) !== false) return 'set';
      warn(`${name}: ${set.from} turns off what ${arg} turns on, which the preset needs; left as it is`, set.field);
      return 'off';
    }
    // Appended, the flag wins over whatever an unread source sets: nothing is assumed.
    if (!script) return 'append';
    warn(
      `${name}: the preset cannot append ${arg} to a shell script (${script.field}; it would become the script's $0 or $1): add it to the script${
        reads?.envPrefix ? ` or set ${envName(reads, flagName)}` : ''
      }, or give ${name} a readinessProbe or startupProbe`,
      script.field,
    );
    return 'off';
  };
  const append: string[] = [];
  let off = false;
  for (const arg of preset.requiredArgs ?? []) {
    const state = need(arg);
    if (state === 'append') append.push(arg);
    off ||= state === 'off';
  }
  let quitOn = quitWanted;
  if (quitWanted && preset.quit?.arg) {
    const state = need(preset.quit.arg);
    if (state === 'append') append.push(preset.quit.arg);
    quitOn = state !== 'off';
  }
  // A variable that turns the endpoint on is the container's own word: Linkerd's injector writes it
  // "false" unless asked (CVE-2024-40632), and the wrapper's SIGTERM drains the proxy the same way.
  if (quitOn && preset.quit?.env) {
    const set = envIn(container, at, preset.quit.env.name, ctx.configMap);
    assume(set);
    quitOn = set.kind === 'value' && set.value === preset.quit.env.value;
  }

  // The address the ready endpoint listens on: kubelet probes the pod's IP, not the loopback.
  let unreachable = false;
  const onLoopback = (address: string, where: string, setting: string, fix: string, field: string): void => {
    warn(
      `${name} listens for its health checks on ${address} only (${where}): kubelet's probes reach the pod's IP, so a probe there can never pass; set ${setting} to ${fix}, or give ${name} a probe of its own; it is started first, not waited for`,
      field,
    );
    unreachable = true;
  };
  if (reads?.addressFlag) {
    const set = setting(reads.addressFlag.name, false);
    // Unset, it is the default, unless the preset appends the flag, or a shell script may set it (said above).
    const appended = append.some((a) => a.startsWith(`--${reads.addressFlag!.name}=`));
    if (!appended) assume(set);
    const address = set.kind === 'value' ? set.value : appended || script ? undefined : reads.addressFlag.default;
    if (address !== undefined && isLoopback(address)) {
      const where = set.kind === 'value' ? set.from : `the default --${reads.addressFlag.name} ${reads.addressFlag.default}`;
      onLoopback(address, where, `--${reads.addressFlag.name}`, '0.0.0.0', set.kind === 'value' ? set.field : at);
    }
  }

  // An address and port in one setting: its host is checked as above, its port is the first candidate below.
  let listenPort: { port: number; from: string } | undefined;
  if (reads?.listen) {
    const listen = reads.listen;
    const label = 'flag' in listen ? `--${listen.flag}` : listen.variable;
    const set = 'flag' in listen ? setting(listen.flag, false) : envIn(container, at, listen.variable, ctx.configMap);
    assume(set);
    const value = set.kind === 'value' ? set.value : script ? undefined : listen.default;
    const where = set.kind === 'value' ? set.from : `the default ${label} ${listen.default}`;
    const hostPort = value === undefined ? undefined : /^(?:https?:\/\/)?(\[[^\]]*\]|[^:]*):(\d+)$/i.exec(value);
    if (value !== undefined && !hostPort)
      warn(`${name}: ${where} is not HOST:PORT; the ready port cannot be read`, set.kind === 'value' ? set.field : at);
    if (hostPort) {
      const host = hostPort[1]!.replace(/^\[(.*)\]$/, '$1');
      const p = portOf(hostPort[2]!);
      if (p !== undefined) listenPort = { port: p, from: where };
      if (isLoopback(host)) onLoopback(host, where, label, `0.0.0.0:${hostPort[2]}`, set.kind === 'value' ? set.field : at);
    }
  }

  // An OpenTelemetry Collector's health_check, where its config says it runs: its port is the first
  // candidate below, and where it serves nothing kubelet reaches, the collector is not waited for.
  let collectorPort: { port: number; from: string } | undefined;
  if (reads?.collectorConfig && !ctx.override) {
    const health = script
      ? ({ kind: 'unknown', why: `its --config is in a shell script (${script.field})`, field: script.field } as const)
      : healthCheckOf(
          {
            words,
            bare: (commandOf(container) ?? []).length + (container.args ?? []).length === 0,
            ...(container.image !== undefined ? { image: container.image } : {}),
            at,
            file: (p) => mountedFile(container, at, ctx, p),
            env: (n) => collectorEnv(container, at, ctx, n),
          },
          reads.collectorConfig,
        );
    const port = preset.ready?.port ?? 0;
    const fix = `0.0.0.0:${port}, or \${env:MY_POD_IP}:${port} with MY_POD_IP from fieldRef status.podIP`;
    if (health.kind === 'serves') {
      const address = health.host.kind === 'address' ? health.host.address : undefined;
      if (address !== undefined && isLoopback(address)) onLoopback(address, health.from, 'its endpoint', fix, health.field);
      else {
        // The pod's IP only (or all addresses): kubelet's probes reach it, and so does the helper's gate,
        // which connects where kubelet does (readiness/check-kind.ts, hostOf).
        if (address !== undefined && !['', '0.0.0.0', '::'].includes(address))
          warn(
            `${name}: ${health.from} listens on ${address} only: assumed it is the pod's IP, which kubelet's probes reach`,
            health.field,
          );
        collectorPort = { port: health.port, from: health.from };
        path = health.path;
      }
    } else if (health.kind === 'off') {
      warn(`${name}: ${health.why}: no health check serves, so a probe can never pass; it is started first, not waited for`, health.field);
      unreachable = true;
    } else if (!ownProbe) {
      warn(
        `${name}: ${health.why}; assumed its health_check cannot be checked: it is started first, not waited for; give ${name} a readinessProbe or startupProbe, or annotate the workload ${ctx.overrideField.replace(/^metadata\.annotations\./, '')}: "${name}=${port}${path ?? ''}"`,
        health.field,
      );
      unreachable = true;
    }
  }

  // The ready port, in the precedence of the module comment.
  let port: number | undefined;
  let source: string | undefined;
  const candidates: { port: number; from: string }[] = [...(listenPort ? [listenPort] : []), ...(collectorPort ? [collectorPort] : [])];
  const take = (found: Found, what: string): void => {
    if (found.kind === 'unreadable') {
      warn(`${name}: ${found.why}; the ${what} cannot be read`, found.field);
      return;
    }
    if (found.kind !== 'value') return;
    const p = portOf(found.value);
    if (p === undefined) warn(`${name}: ${found.from} is not a port number`, found.field);
    else candidates.push({ port: p, from: found.from });
  };
  let unknownSetting = false;
  let defaulted = false;
  let bootstrapUnseen: { readonly unseen: string; readonly field: string } | undefined;
  if (ctx.override) {
    port = ctx.override.port;
    source = `${ctx.overrideField}`;
  } else if (reads) {
    const before = notes.length;
    if (reads.portFlag) {
      const set = setting(reads.portFlag, false);
      assume(set);
      take(set, 'ready port');
    }
    if (reads.envoyBootstrap) {
      const b = envoyBootstrap(words, container, at, ctx, reads.envoyBootstrap);
      if (b && 'unreadable' in b) warn(`${name}: ${b.unreadable}`, b.field);
      else if (b && 'unseen' in b) bootstrapUnseen = b;
      else if (b?.port !== undefined) {
        candidates.push({ port: b.port, from: b.from });
        if (b.address !== undefined && isLoopback(b.address)) {
          warn(
            `${name}: ${b.from} binds the admin server to ${b.address}: kubelet's probes reach the pod's IP, so a probe there can never pass; it is started first, not waited for`,
            b.field,
          );
          unreachable = true;
        }
      }
    }
    if (reads.portNames) take(namedPort(container, at, reads.portNames), 'ready port');
    unknownSetting = notes.length > before;
    const first = candidates[0];
    if (first) {
      port = first.port;
      source = first.from;
      for (const other of candidates.slice(1))
        if (other.port !== first.port)
          warn(`${name}: ${first.from} says port ${first.port}, ${other.from} says ${other.port}; assumed ${first.port}`, at);
    }
  }
  if (port === undefined && !unknownSetting && preset.ready?.port !== undefined) {
    port = preset.ready.port;
    source = reads?.portFlag ? `the default --${reads.portFlag} ${port}` : `the preset's default ${port}`;
    defaulted = true;
  }
  if (port === undefined && preset.ready && !ownProbe && !off && !unreachable) {
    const ways = [
      ...(reads?.portNames ? [`name its container port ${reads.portNames[0]}`] : []),
      ...(reads?.envoyBootstrap ? ['mount its bootstrap from a ConfigMap in the same ResourceList where -c points'] : []),
      `give ${name} a readinessProbe or startupProbe`,
      `annotate the workload ${ctx.overrideField.replace(/^metadata\.annotations\./, '')}: "${name}=PORT${path ?? ''}"`,
    ];
    const why = bootstrapUnseen ? `, and ${bootstrapUnseen.unseen}` : '';
    warn(
      `the port ${name} serves readiness on is unknown (${preset.name} has no default${why}); ${ways.join(', or ')}; it is started first, not waited for`,
      bootstrapUnseen?.field ?? at,
    );
  }

  // A probe of its own wins; say where it disagrees with what the program is told.
  const own = probePort(ownProbe);
  if (own !== undefined && port !== undefined && source !== undefined && own !== port)
    warn(`${name}'s own probe checks port ${own}, but ${source} says ${port}; its probe is kept`, at);

  // The annotation gives the path too: a port alone is a TCP connect.
  const readyPath = ctx.override ? ctx.override.path : path;
  const ready = port !== undefined && !off && !unreachable ? { port, ...(readyPath !== undefined ? { path: readyPath } : {}) } : undefined;
  const defaultPort = preset.ready?.port;
  const waitCommand =
    preset.waitCommand && ready
      ? reads?.waitPortFlag && ready.port !== defaultPort
        ? [...preset.waitCommand, `--${reads.waitPortFlag}`, String(ready.port)]
        : preset.waitCommand
      : undefined;
  let quit = quitOn ? preset.quit : undefined;
  // The port it serves on even where kubelet cannot reach it: the wrapper POSTs from inside the pod.
  if (quit && reads?.quitOnReadyPort) quit = port !== undefined ? { ...quit, port } : undefined;
  if (quit && reads?.quitPortFlag) {
    const set = setting(reads.quitPortFlag, false);
    assume(set);
    const p = set.kind === 'value' ? portOf(set.value) : undefined;
    if (set.kind === 'unreadable') warn(`${name}: ${set.why}; its quit endpoint is not used`, set.field);
    quit = set.kind === 'unreadable' ? undefined : p !== undefined ? { ...quit, port: p } : quit;
  }
  for (const [field, { source, variables }] of assumed) {
    const names = [...variables].join(', ');
    warn(
      `${name}: ${field} takes its variables from ${source}, and may set ${names}, which the preset reads: assumed it does not; set ${
        variables.size > 1 ? 'them' : 'it'
      } in ${name}'s env, which wins over envFrom, to say`,
      field,
    );
  }
  return {
    ...base,
    ...(ready ? { ready } : {}),
    ...(quit ? { quit } : {}),
    ...(waitCommand ? { waitCommand } : {}),
    append,
    ...(source !== undefined && ready && !defaulted ? { source } : {}),
    notes,
  };
}
