// What the read-back contract alone costs an edit-all run: every item of the input list (stdin) read once
// with the function's own parse entry, and every item of its output (the file argv[2]) that differs from
// the input read once more, as the writer reads each edited item back before writing it. Nothing else.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// argv[1] is this script, in bench/ beside dist/.
const dist = join(process.argv[1], '..', '..', 'dist', 'src');
const load = (path) => import(pathToFileURL(join(dist, ...path)).href);

(async () => {
  const { splitBlockResourceList, standaloneItemText } = await load(['resource-list', 'split.js']);
  const { loadOne, DEFAULT_LIMITS } = await load(['yaml', 'load.js']);
  const items = (text) => splitBlockResourceList(text).items.map((span) => standaloneItemText(text, span));
  const input = items(readFileSync(0, 'utf8'));
  const unchanged = new Set(input);
  const edited = items(readFileSync(process.argv[2], 'utf8')).filter((item) => !unchanged.has(item));
  for (const item of [...input, ...edited]) loadOne(item, 'item', DEFAULT_LIMITS);
})();
