// The baseline: the fastest plain YAML round trip in Node (js-yaml load + dump), stdin to stdout.
const yaml = require('js-yaml');
const input = require('node:fs').readFileSync(0, 'utf8');
// noRefs: js-yaml's duplicate-object scan is quadratic in the object count, which would make the
// baseline, not our function, the thing measured.
process.stdout.write(yaml.dump(yaml.load(input), { noRefs: true }));
