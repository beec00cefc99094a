/**
 * One file's change as a unified diff, headed as `git diff` heads it (`--- a/PATH`, `+++ b/PATH`, three
 * lines of context), so that `git apply` and patch viewers take it. jsdiff makes the hunks: a Myers diff
 * by lines, as git's default algorithm is, and the same `\ No newline at end of file` marker.
 */
import { createRequire } from 'node:module';
import type * as JsdiffPackage from 'diff' with { 'resolution-mode': 'require' };

type Jsdiff = typeof JsdiffPackage;

let loaded: Jsdiff | undefined;

/** jsdiff, loaded the first time a diff is asked for: a run without --diff or explain's diff never needs it. */
function jsdiff(): Jsdiff {
  return (loaded ??= createRequire(import.meta.url)('diff') as Jsdiff);
}

/** git's default number of context lines (`diff.context`). */
const CONTEXT = 3;

/** A file's text before and after, named as the diff names it. */
export interface FileChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** The unified diff of one file, or '' when it is unchanged. */
export function unifiedDiff({ path, before, after }: FileChange): string {
  if (before === after) return '';
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = jsdiff();
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, {
    context: CONTEXT,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/**
 * Both texts whole, each line marked as a unified diff marks it (` ` in both, `-` before only, `+` after
 * only): for texts short enough to read in full, where the lines around a change are the point.
 */
export function markedLines(before: string, after: string): string {
  return jsdiff()
    .diffLines(before, after)
    .flatMap((part) => {
      const mark = part.added ? '+' : part.removed ? '-' : ' ';
      return part.value
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `${mark}${line}`);
    })
    .join('\n')
    .concat('\n');
}
