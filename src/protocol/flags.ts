/**
 * Named flags, the wire form of every command we write (Tekton's entrypoint takes named flags too):
 * each flag is followed by one value unless it is a switch, a flag may repeat, and the arguments are
 * self-describing, so a value that looks like a flag (an exec check's `--`) is never misread. The
 * shell side (runtime/check.sh, wait.sh, run.sh) reads them the same way.
 */
type FlagArity = 'value' | 'values' | 'switch';

export type FlagSpec = Readonly<Record<string, FlagArity>>;

/** What was given for each flag: its values (a switch given once has one empty value). */
export type FlagValues<S extends FlagSpec> = { readonly [K in keyof S]: readonly string[] };

export type FlagInput<S extends FlagSpec> = {
  readonly [K in keyof S]?: S[K] extends 'values' ? readonly string[] : S[K] extends 'switch' ? boolean : string;
};

/** The flags in the spec's order, each value after its flag. */
export function encodeFlags<S extends FlagSpec>(spec: S, input: FlagInput<S>): string[] {
  const out: string[] = [];
  // for-in walks the spec's keys in their order without building an entry list: this runs for every wrapper and gate.
  for (const flag in spec) {
    const arity = spec[flag];
    const given = input[flag];
    if (given === undefined || given === false) continue;
    if (arity === 'switch') out.push(`--${flag}`);
    else if (arity === 'value') out.push(`--${flag}`, given as string);
    else for (const value of given as readonly string[]) out.push(`--${flag}`, value);
  }
  return out;
}

/**
 * Reads flags from `args` until a `--` in flag position (or the end); undefined when an argument is not
 * a flag of the spec, a flag lacks its value, or a single-value flag repeats. `end` is where the `--`
 * is (args.length when there is none).
 */
export function decodeFlags<S extends FlagSpec>(spec: S, args: readonly string[]): { values: FlagValues<S>; end: number } | undefined {
  const values: Record<string, string[]> = Object.fromEntries(Object.keys(spec).map((k) => [k, []]));
  let at = 0;
  while (at < args.length && args[at] !== '--') {
    const arg = args[at]!;
    const flag = arg.startsWith('--') ? arg.slice(2) : undefined;
    const arity = flag === undefined || !Object.hasOwn(spec, flag) ? undefined : spec[flag];
    if (flag === undefined || arity === undefined) return undefined;
    if (arity === 'switch') {
      values[flag]!.push('');
      at += 1;
      continue;
    }
    if (at + 1 >= args.length) return undefined;
    if (arity === 'value' && values[flag]!.length > 0) return undefined;
    values[flag]!.push(args[at + 1]!);
    at += 2;
  }
  return { values: values as FlagValues<S>, end: at };
}

/** A whole number of seconds, as the flags carry it. */
export function seconds(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
