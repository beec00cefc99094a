/**
 * Command-line parsers that behave like the libraries the real sidecars use: Go's `flag` package
 * (cloud_sql_proxy v1, vault), spf13/pflag as cobra drives it (cloud-sql-proxy v2, pilot-agent, otelcol,
 * oauth2-proxy), clap (linkerd-await) and TCLAP (envoy); and the duration syntaxes they accept.
 * A parse returns an error message instead of exiting: each program prints it as its real binary does.
 */

type FlagKind = 'bool' | 'string' | 'int' | 'uint' | 'duration' | 'list';
export type FlagValue = boolean | string | number | readonly string[];

export interface FlagDef {
  readonly name: string;
  readonly kind: FlagKind;
  /** pflag/clap shorthand letter. */
  readonly short?: string;
  readonly def?: FlagValue;
}

export interface Parsed {
  readonly values: Map<string, FlagValue>;
  /** Flags given on the command line (pflag's Changed, flag.Visit). */
  readonly changed: Set<string>;
  readonly positionals: string[];
  readonly error?: string;
  /** -h/--help was given and is not a defined flag. */
  readonly help?: boolean;
}

/** Go time.ParseDuration, in milliseconds; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Go's time.Duration String(), e.g. 1m30s, 500ms. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

/** Go strconv.ParseBool. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** linkerd's duration syntax: <integer><ms|s|m|h|d>, or a bare 0 (linkerd/linkerd-await src/main.rs parse_duration). */
export function parseLinkerdDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  if (m[2] === undefined) return n === 0 ? 0 : undefined;
  return n * mult[m[2]]!;
}

function defaults(defs: readonly FlagDef[]): Map<string, FlagValue> {
  const values = new Map<string, FlagValue>();
  for (const d of defs) {
    if (d.def !== undefined) values.set(d.name, d.def);
    else if (d.kind === 'bool') values.set(d.name, false);
    else if (d.kind === 'list') values.set(d.name, []);
  }
  return values;
}

/** Converts a flag's text to its value; a message (the library's wording) when invalid. */
function convert(def: FlagDef, text: string, previous: FlagValue | undefined, style: 'go' | 'pflag'): FlagValue | { error: string } {
  switch (def.kind) {
    case 'bool': {
      const b = parseGoBool(text);
      return b === undefined ? { error: style === 'go' ? 'parse error' : `strconv.ParseBool: parsing "${text}": invalid syntax` } : b;
    }
    case 'int':
    case 'uint': {
      if (!/^[-+]?\d+$/.test(text) || (def.kind === 'uint' && text.startsWith('-'))) {
        return {
          error: style === 'go' ? 'parse error' : `strconv.Parse${def.kind === 'int' ? 'Int' : 'Uint'}: parsing "${text}": invalid syntax`,
        };
      }
      return Number(text);
    }
    case 'duration': {
      const ms = parseGoDuration(text);
      return ms === undefined ? { error: style === 'go' ? 'parse error' : `time: invalid duration "${text}"` } : ms;
    }
    case 'list':
      // pflag StringSlice / a repeatable Go flag.Value: each use appends.
      return [...((previous as readonly string[] | undefined) ?? []), ...(style === 'pflag' ? text.split(',') : [text])];
    default:
      return text;
  }
}

/**
 * Go's flag package (FlagSet.Parse): flags start with one or two dashes, stop at the first non-flag
 * argument or after "--"; a bool takes no separate value (-b=false only); unknown flags are errors.
 * Messages are Go's (src/flag/flag.go parseOne).
 */
export function parseGoFlags(args: readonly string[], defs: readonly FlagDef[]): Parsed {
  const values = defaults(defs);
  const changed = new Set<string>();
  const byName = new Map(defs.map((d) => [d.name, d]));
  let i = 0;
  const done = (error?: string, help?: boolean): Parsed => ({
    values,
    changed,
    positionals: args.slice(i),
    ...(error === undefined ? {} : { error }),
    ...(help ? { help } : {}),
  });
  while (i < args.length) {
    const arg = args[i]!;
    if (arg.length < 2 || arg[0] !== '-') break;
    let numMinuses = 1;
    if (arg[1] === '-') {
      numMinuses = 2;
      if (arg.length === 2) {
        i++;
        break;
      }
    }
    let name = arg.slice(numMinuses);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') return done(`bad flag syntax: ${arg}`);
    i++;
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const def = byName.get(name);
    if (!def) {
      if (name === 'help' || name === 'h') return done(undefined, true);
      return done(`flag provided but not defined: -${name}`);
    }
    if (def.kind === 'bool') {
      if (value !== undefined) {
        const b = parseGoBool(value);
        if (b === undefined) return done(`invalid boolean value "${value}" for -${name}: parse error`);
        values.set(name, b);
      } else values.set(name, true);
    } else {
      if (value === undefined) {
        if (i >= args.length) return done(`flag needs an argument: -${name}`);
        value = args[i++]!;
      }
      const v = convert(def, value, changed.has(name) ? values.get(name) : undefined, 'go');
      if (typeof v === 'object' && 'error' in v) return done(`invalid value "${value}" for flag -${name}: ${v.error}`);
      values.set(name, v);
    }
    changed.add(name);
  }
  return done();
}

export interface PFlagOptions {
  /** cobra's FParseErrWhitelist.UnknownFlags: unknown flags are skipped, not errors. */
  readonly allowUnknown?: boolean;
}

/**
 * spf13/pflag (FlagSet.Parse with interspersed arguments, as cobra uses it): --name[=value],
 * --name value for non-bools, -s, -svalue, -s value, grouped bool shorthands (-abc); "--" ends flags.
 * Messages are pflag's (flag.go parseLongArg/parseSingleShortArg, failf).
 */
export function parsePFlags(args: readonly string[], defs: readonly FlagDef[], options: PFlagOptions = {}): Parsed {
  const values = defaults(defs);
  const changed = new Set<string>();
  const positionals: string[] = [];
  const byName = new Map(defs.map((d) => [d.name, d]));
  const byShort = new Map(defs.filter((d) => d.short !== undefined).map((d) => [d.short!, d]));
  let help = false;
  const set = (def: FlagDef, text: string): string | undefined => {
    const v = convert(def, text, changed.has(def.name) ? values.get(def.name) : undefined, 'pflag');
    const flagName = def.short === undefined ? `--${def.name}` : `-${def.short}, --${def.name}`;
    if (typeof v === 'object' && 'error' in v) return `invalid argument "${text}" for "${flagName}" flag: ${v.error}`;
    values.set(def.name, v);
    changed.add(def.name);
    return undefined;
  };
  const result = (error?: string): Parsed => ({
    values,
    changed,
    positionals,
    ...(error === undefined ? {} : { error }),
    ...(help ? { help } : {}),
  });
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== '-') {
      positionals.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const body = arg.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) return result(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const def = byName.get(name);
      if (!def) {
        if (name === 'help') {
          help = true;
          continue;
        }
        if (options.allowUnknown) {
          // pflag stripUnknownFlagValue: a following non-flag word is taken as the unknown flag's value.
          if (eq < 0 && i + 1 < args.length && !args[i + 1]!.startsWith('-')) i++;
          continue;
        }
        return result(`unknown flag: --${name}`);
      }
      let text: string;
      if (eq >= 0) text = body.slice(eq + 1);
      else if (def.kind === 'bool') text = 'true';
      else if (i + 1 < args.length) text = args[++i]!;
      else return result(`flag needs an argument: --${name}`);
      const err = set(def, text);
      if (err) return result(err);
      continue;
    }
    // Shorthands.
    let shorts = arg.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0]!;
      const def = byShort.get(c);
      if (!def) {
        if (c === 'h') {
          help = true;
          shorts = shorts.slice(1);
          continue;
        }
        if (options.allowUnknown) break;
        return result(`unknown shorthand flag: '${c}' in -${arg.slice(1)}`);
      }
      let text: string;
      if (shorts.length > 2 && shorts[1] === '=') {
        text = shorts.slice(2);
        shorts = '';
      } else if (def.kind === 'bool') {
        text = 'true';
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        text = shorts.slice(1);
        shorts = '';
      } else if (i + 1 < args.length) {
        text = args[++i]!;
        shorts = '';
      } else return result(`flag needs an argument: '${c}' in -${arg.slice(1)}`);
      const err = set(def, text);
      if (err) return result(err);
    }
  }
  return result();
}

/** cobra's Command.Find: the first word that is not a flag or a flag's value (stripFlags). */
export function firstWord(args: readonly string[], defs: readonly FlagDef[]): number {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const byShort = new Map(defs.filter((d) => d.short !== undefined).map((d) => [d.short!, d]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return -1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.includes('=')) continue;
    const def = a.startsWith('--') ? byName.get(a.slice(2)) : a.length === 2 ? byShort.get(a[1]!) : undefined;
    if (def && def.kind !== 'bool') i++;
  }
  return -1;
}

/**
 * clap 4 (derive API) for linkerd-await: --long[=value], --long value, -s value, -svalue; "--" makes
 * the rest positional. Errors are clap's, printed as `error: ...` with exit status 2.
 */
export interface ClapDef {
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
  /** The value must be attached with "=" (clap require_equals), and may be absent. */
  readonly requireEquals?: boolean;
  /** What clap prints for the argument in errors, e.g. "--timeout <TIMEOUT>". */
  readonly display: string;
}

export function parseClap(
  args: readonly string[],
  defs: readonly ClapDef[],
): { values: Map<string, string | true>; positionals: string[]; error?: string } {
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  const byName = new Map(defs.map((d) => [d.name, d]));
  const byShort = new Map(defs.filter((d) => d.short !== undefined).map((d) => [d.short!, d]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const def = byName.get(name);
      if (!def) return { values, positionals, error: `unexpected argument '${eq >= 0 ? arg.slice(0, eq) : arg}' found` };
      if (!def.takesValue) {
        if (eq >= 0)
          return {
            values,
            positionals,
            error: `unexpected value '${arg.slice(eq + 1)}' for '${def.display}' found; no more were expected`,
          };
        values.set(name, true);
      } else if (eq >= 0) values.set(name, arg.slice(eq + 1));
      else if (def.requireEquals) values.set(name, true);
      else if (i + 1 < args.length) values.set(name, args[++i]!);
      else return { values, positionals, error: `a value is required for '${def.display}' but none was supplied` };
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const c = arg[1]!;
      const def = byShort.get(c);
      if (!def) return { values, positionals, error: `unexpected argument '-${c}' found` };
      if (!def.takesValue) {
        values.set(def.name, true);
        if (arg.length > 2) return { values, positionals, error: `unexpected argument '-${arg[2]}' found` };
      } else if (arg.length > 2) values.set(def.name, arg.slice(arg[2] === '=' ? 3 : 2));
      else if (i + 1 < args.length) values.set(def.name, args[++i]!);
      else return { values, positionals, error: `a value is required for '${def.display}' but none was supplied` };
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}
