/** The functionConfig the flags give (-f FILE or -d KEY=VALUE), for both commands. */
import { FUNCTION_CONFIG_KINDS, functionInputConfigMap } from '../config/function-config.js';
import { DEFAULT_LIMITS, InputError, loadOne } from '../yaml/load.js';
import { ConfigFileError, readFileOrSay, UsageError } from './io.js';

export interface ConfigFlags {
  readonly 'function-config'?: string | undefined;
  readonly d?: readonly string[] | undefined;
}

/** kubectl's `-f` names manifests; here it names the config, so a manifest given to it is told where it goes. */
function configFromFile(path: string): unknown {
  let config: unknown;
  try {
    // A file over the size limit is refused by readFileOrSay, unread, with loadOne's message: a config problem too.
    config = loadOne(readFileOrSay(path, 'function config ').toString('utf8'), `function config ${path}`, DEFAULT_LIMITS);
  } catch (e) {
    if (e instanceof InputError) throw new ConfigFileError(e.message);
    throw e;
  }
  const kind = (config as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string' && !FUNCTION_CONFIG_KINDS.includes(kind))
    throw new ConfigFileError(
      `function config ${path} is a ${kind}, not a ${FUNCTION_CONFIG_KINDS.join(' or ')}: -f names the function config; give the resources with -i FILE`,
    );
  return config;
}

/** `-d` pairs as kpt passes `kpt fn eval -- KEY=VALUE`: a ConfigMap called function-input. */
function configFromPairs(pairs: readonly string[]): unknown {
  const data: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-d ${pair}: expected KEY=VALUE`);
    data[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return functionInputConfigMap(data);
}

/** The config the flags name, else `given` (the ResourceList's own). */
export function configFromFlags(flags: ConfigFlags, given: unknown): unknown {
  if (flags['function-config'] !== undefined && flags.d !== undefined)
    throw new UsageError('-f and -d both give a functionConfig; use one');
  if (flags['function-config'] !== undefined) return configFromFile(flags['function-config']);
  if (flags.d !== undefined) return configFromPairs(flags.d);
  return given;
}
