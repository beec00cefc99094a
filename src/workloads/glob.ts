/** The `*` globs of selectors, presets and image entrypoints: `*` stands for any text. */

/**
 * `*` stands for any text, everything else for itself. Without a regular expression: `.*` with
 * backtracking is quadratic or worse in the text (`*-*-prod` against a long name of dashes), and a
 * glob with only `*` needs none. The text between stars must appear in order; the first piece is
 * anchored at the start, the last at the end, and each middle piece is taken at its leftmost place
 * after the one before, which leaves the most room for the rest: if any placement fits, that one does.
 * Each indexOf starts where the previous piece ended, so the text is scanned left to right once per
 * piece at most.
 */
export function globMatches(glob: string, text: string): boolean {
  const pieces = piecesOf(glob);
  if (pieces.length === 1) return glob === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * A glob's pieces, split once: presets match a dozen image globs against every container of every pod.
 * The globs come from the config and the presets, so few are kept; the bound only guards a long-lived caller.
 */
function piecesOf(glob: string): readonly string[] {
  let pieces = split.get(glob);
  if (pieces === undefined) {
    if (split.size >= SPLIT_KEPT) split.clear();
    pieces = glob.split('*');
    split.set(glob, pieces);
  }
  return pieces;
}

const split = new Map<string, readonly string[]>();
const SPLIT_KEPT = 1024;
