'use strict';
// `node bench/run.js --quick` end to end: every section runs against the
// real build (its own checks throw: 1,000 CLI results without errors, the
// rule ladder decided by the last rule, every figure of the blog in
// public/, the edited figure served under hexo server, no <script>), and
// the JSON it writes has every section with numbers. No timing is asserted.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');

describe('bench: npm run bench -- --quick', function () {
  // A limit, not a measurement: on a busy 2-core CI machine the quick bench took 206 s alone.
  this.timeout(900000);

  it('runs every section and writes the table as JSON', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nat-trace-bench-smoke-')), 'results.json');
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--quick', '--out', out], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr.slice(-3000));
      assert.match(r.stdout, /^machine: .+, \d+ cores, .+; node v\d+/m);
      const json = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.deepStrictEqual(Object.keys(json.sections).sort(), ['blog', 'memory', 'preview', 'reader', 'render', 'sim']);
      for (const [name, sec] of Object.entries(json.sections)) {
        assert.strictEqual(sec.error, undefined, `${name}: ${sec.error}`);
        assert.ok(sec.rows.length > 0, name);
        for (const row of sec.rows) {
          assert.ok(Number.isFinite(row.value), `${name}: ${row.name} = ${row.value}`);
          assert.ok(r.stdout.includes(row.name), `${row.name} is printed`);
          if (row.target) assert.strictEqual(typeof row.pass, 'boolean', row.name);
        }
      }
      // Every target of the issue is measured.
      const targeted = json.targets.map((t) => t.name).join('\n');
      for (const re of [/traces\/s/, /2000 rules/, /median/, /^cold \/ floor$/m, /^warm \/ floor$/m, /peak RSS, cold \/ floor/, /hexo server first response, warm cache \/ floor/, /step figure: .*largest/, /figure CSS/, /<script>/, /heap growth beyond the caches/]) assert.match(targeted, re);
      assert.strictEqual(json.sections.reader.rows.find((x) => x.name === '<script> tags in figure HTML').value, 0);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
