// Loaded with --require into every benchmarked process: reports its peak resident set size on stderr.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nmaxrss-kib=${process.resourceUsage().maxRSS}\n`);
});
