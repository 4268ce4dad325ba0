'use strict';
// Held to iptables itself: its own parser test vectors (accept/refuse and the canonical iptables-save
// form), real-world iptables-save files, and the round trip through our serializer.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { parseIptables } = require('../../dist/rules/iptables/parse');
const { toIptablesSave } = require('../../dist/rules/iptables/serialize');
const { MATCH_EXTENSIONS, TARGET_EXTENSIONS } = require('../../dist/rules/iptables/extensions');

// The peer's vectors sit next to the checkout (../shared/peer); NAT_TRACE_PEER points elsewhere.
const PEER = process.env.NAT_TRACE_PEER ? path.resolve(process.env.NAT_TRACE_PEER) : path.resolve(__dirname, '../../../shared/peer');

/** Skip a suite, saying what is missing and where it was looked for. */
function skipMissing(ctx, what) {
  console.log(`      skipped: ${what} not found (looked in ${PEER}; the peer vectors live in ../shared/peer next to the checkout, or set NAT_TRACE_PEER)`);
  ctx.skip();
}
/** Options of supported extensions that the simulator does not model (it refuses them by name). */
const UNMODELED = ['--ctexpire', '--tcp-option', '--ctevents', '--expevents', '--zone', '--zone-orig', '--zone-reply', '--helper', '--timeout'];

/** Does the row only use matches/targets we support? Decided from its tokens alone. */
function supported(rule) {
  const t = rule.split(/\s+/);
  for (let i = 0; i < t.length; i++) {
    if ((t[i] === '-m' || t[i] === '--match') && !MATCH_EXTENSIONS[t[i + 1]]) return false;
    if ((t[i] === '-j' || t[i] === '--jump') && !TARGET_EXTENSIONS[t[i + 1]]) return false;
    if (UNMODELED.includes(t[i])) return false;
  }
  return true;
}

/** The model without where-it-came-from, for comparing two parses. */
function shape(rs) {
  const out = {};
  for (const [table, chains] of Object.entries(rs.tables)) {
    out[table] = {};
    for (const [name, ch] of Object.entries(chains)) {
      out[table][name] = { builtin: ch.builtin, policy: ch.policy, rules: ch.rules.map((r) => ({ matches: r.matches, target: r.target, comment: r.comment })) };
    }
  }
  return JSON.parse(JSON.stringify(out));
}

describe('iptables peer vectors (extensions/*.t)', function () {
  const file = path.join(PEER, 'iptables-t-vectors.tsv');
  before(function () { if (!fs.existsSync(file)) skipMissing(this, path.basename(file)); });

  it('accepts what iptables accepts and refuses what it refuses; prints the canonical form', function () {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const head = lines[0].split('\t');
    const col = (name) => head.indexOf(name);
    let agree = 0; let otherTable = 0; let unsupportedRows = 0; let canonical = 0; let canonicalTotal = 0;
    const disagreements = []; const canonMisses = [];
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const f = line.split('\t');
      const table = f[col('table')]; const rule = f[col('rule')]; const expected = f[col('expected')];
      if (table !== 'nat' && table !== 'filter' && table !== 'raw') { otherTable++; continue; }
      if (!supported(rule)) { unsupportedRows++; continue; }
      let rowOk = true; let printed;
      for (const chain of f[col('chain')].split(',')) {
        let accepted = true; let why = '';
        try {
          const rs = parseIptables(`-t ${table} -A ${chain} ${rule}`);
          printed = toIptablesSave(rs, {}).split('\n').filter((l) => l.startsWith(`-A ${chain} `) || l === `-A ${chain}`)
            .map((l) => l.slice(4 + chain.length)).join(' || ');
        } catch (e) {
          if (!(e && e.name === 'NatTraceError')) throw e;
          accepted = false; why = e.format();
        }
        if (accepted !== (expected !== 'FAIL')) { rowOk = false; disagreements.push(`${expected} ${chain}: ${rule} ${why}`); }
      }
      if (rowOk) agree++;
      if (rowOk && expected !== 'FAIL') {
        canonicalTotal++;
        const want = expected === '=' ? rule : f[col('canonical_form')];
        if (printed === want) canonical++; else canonMisses.push(`${printed} != ${want}`);
      }
    }
    const total = agree + disagreements.length;
    console.log(`      iptables vectors: ${agree}/${total} supported rows agree on accept/refuse; canonical form ${canonical}/${canonicalTotal}; skipped ${unsupportedRows} rows with unsupported extensions, ${otherTable} rows of other tables`);
    assert.ok(total > 200, `only ${total} usable rows`);
    assert.deepStrictEqual(disagreements, []);
    assert.deepStrictEqual(canonMisses, []);
  });
});

describe('iptables-save corpus', function () {
  const dirs = ['iptables-save-corpus', 'iptables-dumps'].map((d) => path.join(PEER, d));
  before(function () { if (!dirs.some((d) => fs.existsSync(d))) skipMissing(this, 'iptables-save-corpus/ and iptables-dumps/'); });

  /** IPv4 iptables-save files only (no ip6tables, XML or nft listings). */
  function saveFiles() {
    const out = [];
    for (const d of dirs) {
      if (!fs.existsSync(d)) continue;
      for (const name of fs.readdirSync(d).sort()) {
        if (/ip6|\.xml$|nft|MANIFEST|LICENSE/i.test(name)) continue;
        const text = fs.readFileSync(path.join(d, name), 'utf8');
        if (!/^\*(filter|nat|mangle|raw)\s*$/m.test(text) || /^\*.*\n[\s\S]*-A \S+ .*-s [0-9a-f]*:[0-9a-f:]*\//m.test(text)) continue;
        out.push({ name, text });
      }
    }
    return out;
  }

  it('parses every file or names the unsupported extension with line and token; round trip is stable', () => {
    let parsed = 0; let refused = 0; let rulesSeen = 0;
    const files = saveFiles();
    assert.ok(files.length >= 10, `found only ${files.length} files`);
    for (const { name, text } of files) {
      let rs;
      try {
        rs = parseIptables(text);
      } catch (e) {
        // Anything but a located NatTraceError is a bug.
        assert.ok(e && e.name === 'NatTraceError', `${name}: ${e && e.stack}`);
        assert.ok(Number.isInteger(e.line) && e.line >= 1, `${name}: no line in ${e.format()}`);
        assert.ok(e.token, `${name}: no token in ${e.format()}`);
        assert.ok(text.split('\n')[e.line - 1].includes(e.token), `${name}: token ${e.token} not on line ${e.line}`);
        refused++;
        continue;
      }
      parsed++;
      for (const t of Object.values(rs.tables)) for (const c of Object.values(t)) rulesSeen += c.rules.length;
      const again = parseIptables(toIptablesSave(rs, {}));
      assert.deepStrictEqual(shape(again), shape(rs), `${name}: round trip changed the model`);
    }
    console.log(`      corpus: ${parsed} files parsed (${rulesSeen} rules), ${refused} refused for an unsupported extension`);
    assert.ok(parsed >= 4);
  });
});

describe('iptables round trip', () => {
  it('toIptablesSave(parseIptables(x)) reparses to the same model', () => {
    const text = [
      '-t nat -N pf',
      '-t nat -A PREROUTING -i ether1 -j pf',
      '-t nat -A pf -d 203.0.113.22 -p tcp -m tcp --dport 5000 -j DNAT --to-destination 10.30.9.77:5000',
      '-t nat -A pf -p udp -m multiport --dports 53,5353 -j REDIRECT --to-ports 53',
      '-t nat -A POSTROUTING -s 10.30.9.0/24 -d 10.30.9.0/24 -m comment --comment "NAT loopback" -j MASQUERADE',
      '-t nat -A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 198.51.100.1-198.51.100.9 --random',
      '-t nat -A POSTROUTING -d 10.99.0.0/16 -j NETMAP --to 192.0.2.0/16',
      '-P FORWARD DROP',
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD ! -i lo -m addrtype ! --src-type LOCAL -j LOG --log-prefix "fw drop: " --log-level 6',
      '-A FORWARD -p tcp ! --syn -m iprange --dst-range 10.0.0.1-10.0.0.9 -j REJECT --reject-with tcp-reset',
      '-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT',
      '-A INPUT -p tcp -m tcp --sport 1024:65535 --tcp-flags SYN,ACK SYN',
    ].join('\n');
    const rs = parseIptables(text);
    const saved = toIptablesSave(rs, {});
    assert.deepStrictEqual(shape(parseIptables(saved)), shape(rs));
    assert.strictEqual(toIptablesSave(parseIptables(saved), {}), saved, 'the save text is a fixed point');
  });
});
