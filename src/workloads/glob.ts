/** The `*` globs of selectors, presets and image entrypoints: `*` stands for any text. */

/** Globs come from the config, a handful per run, and are matched against every workload and container. */
const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re === undefined) {
    re = new RegExp(
      '^' +
        glob
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    compiled.set(glob, re);
  }
  return re;
}

/** `*` stands for any text, everything else for itself. */
export function globMatches(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}
