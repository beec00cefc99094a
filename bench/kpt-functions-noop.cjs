// kpt-functions' own framework running a function that does nothing: what its users pay today.
const { run } = require('kpt-functions');
async function noop() {}
noop.usage = 'does nothing';
run(noop);
