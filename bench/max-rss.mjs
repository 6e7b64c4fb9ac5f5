// Peak memory of one Node process, for bench/startup.mjs on machines without GNU time: preloaded
// (see withPreload in bench/lib.mjs), it writes `maxrss_kb=<n>` to stderr when the process exits.
process.on('exit', () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`));
