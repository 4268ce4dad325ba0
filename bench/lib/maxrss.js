'use strict';
// Preloaded with `node -r` into a timed child (hexo generate): at exit, write
// the process's peak resident set size (KB) and CPU time to $BENCH_MAXRSS_FILE.
const fs = require('fs');

const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRSS_kb: u.maxRSS, user_ms: u.userCPUTime / 1000, system_ms: u.systemCPUTime / 1000 }));
  });
}
