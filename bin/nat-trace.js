#!/usr/bin/env node
'use strict';
// The CLI lives in dist/ (built by `npm install` via the prepare script).
require('../dist/cli/index.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`nat-trace: internal error: ${err && err.message}\n`); process.exitCode = 1; },
);
