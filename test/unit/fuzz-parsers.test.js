'use strict';
// Seeded, deterministic fuzzing of the scenario and rule parsers: mutations of the corpus scenarios
// (test/scenarios) either simulate or raise NatTraceError with a line, never another exception.
// NAT_TRACE_FUZZ=N runs N inputs (default 20000), NAT_TRACE_FUZZ_SEED=S another seed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { runScenario } = require('../../dist/index');
const { NatTraceError } = require('../../dist/errors');

// The renderer (jsdom) only for the sample that is drawn.
let renderModule; let parser;
const render = () => (renderModule = renderModule || require('../../dist/render'));
const xmlParser = () => (parser = parser || new (new (require('jsdom').JSDOM)('').window.DOMParser)());

const COUNT = Number(process.env.NAT_TRACE_FUZZ || 20000);
const SEED = Number(process.env.NAT_TRACE_FUZZ_SEED || 0x10ad5eed);

function mulberry32(a) {
  return function next() {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIR = path.join(__dirname, '..', 'scenarios');
/** Each corpus file as one scenario per dialect it gives (the corpus keys dropped). */
function corpus() {
  const out = [];
  for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.yml')).sort()) {
    const doc = YAML.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
    for (const dialect of ['iptables', 'routeros', 'nftables']) {
      if (doc[dialect] === undefined) continue;
      const o = {};
      for (const [k, v] of Object.entries(doc)) if (!['about', 'covers', 'only', 'why', 'known', 'known_limits', 'iptables', 'routeros', 'nftables'].includes(k)) o[k] = v;
      o[dialect] = doc[dialect];
      out.push({ name: `${f}:${dialect}`, text: YAML.stringify(o) });
    }
  }
  return out;
}

const TOKENS = [
  'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '-j', '-A', '-N', '-m', '-p', '-s', '-d', '-i', '-o', '!',
  '--dport', '--sport', '--to-destination', '--reject-with', '--icmp-type', '--ctstate', 'add', 'chain=', 'action=',
  'jump-target=', 'in-interface-list=', 'src-address-list=', '/ip firewall nat', '/ip firewal nat', '/ip dhcp-server',
  '*l', '&l', '<<:', '{', '}', '[', ']', ':', '- ', '"', "'", '\\', '#', '|', '>', '%', '@', '`', '=', ',', '0/0',
  '99999999999999999999', '-1', '1e308', 'NaN', '0x10', '255.255.255.255', '10.0.0.1-10.0.0.0', '65536', '0:65535',
  '中文', '😀', '\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\ufffe', '\uffff', '\ud800', '\t', '\r',
  'C'.repeat(40), '1'.repeat(30), 'tcp', 'udp', 'icmp', 'MASQUERADE', 'DNAT', 'REJECT', 'RETURN', 'yes', 'no', 'null', '~',
  // Second attacker pass: markup and comment breakers, bidi and zero-width characters, IPv4 and port edge forms, long numbers.
  '<img src=x onerror=alert(1)>', '</style>', ']]>', '-->', '<!--', '{{ 7*7 }}', '{%', '\u202e', '\u200b', '\u2028', '\ufeff',
  '0.0.0.0/0', '255.255.255.255', '010.0.0.1', '0x0a.0.0.1', '1.2.3', '1.2.3.4.5', '10.0.0.1/33', '0', '65535', '65536',
  '9'.repeat(400), '1e400', '0x50', 'constructor:', '__proto__:', '\\x01', '\\u0001',
];

function mutate(text, rnd) {
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  let lines = text.split('\n');
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rnd() * lines.length);
    const j = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 11)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[j]); break;
      case 2: [lines[i], lines[j]] = [lines[j], lines[i]]; break;
      case 3: { // a token inserted into a line
        const l = lines[i] ?? ''; const at = Math.floor(rnd() * (l.length + 1));
        lines[i] = l.slice(0, at) + pick(TOKENS) + l.slice(at); break;
      }
      case 4: { // a word replaced by a token (rule-level: options, values, names)
        const w = (lines[i] ?? '').split(' '); w[Math.floor(rnd() * w.length)] = pick(TOKENS); lines[i] = w.join(' '); break;
      }
      case 5: { // a value after = or : replaced
        lines[i] = (lines[i] ?? '').replace(/([=:] ?)[^ ,}\]]*/, (_m, p) => p + pick(TOKENS)); break;
      }
      case 6: { // a character deleted
        const l = lines[i] ?? ''; const at = Math.floor(rnd() * l.length); lines[i] = l.slice(0, at) + l.slice(at + 1); break;
      }
      case 7: { // a number made huge, negative or odd
        lines[i] = (lines[i] ?? '').replace(/\d+/, () => pick(['99999999999', '-1', '0', '65536', '256', '1e3', '007'])); break;
      }
      case 8: { // nesting
        const d = 1 + Math.floor(rnd() * 80);
        lines[i] = (lines[i] ?? '') + (rnd() < 0.5 ? ' ' + '['.repeat(d) + ']'.repeat(d) : ' ' + '{a: '.repeat(d) + '1' + '}'.repeat(d)); break;
      }
      case 9: { // an anchor and alias
        lines[i] = (lines[i] ?? '').replace(/: (\S)/, ': &a $1'); lines[j] = (lines[j] ?? '').replace(/: \S.*$/, ': *a'); break;
      }
      default: lines[i] = ' '.repeat(Math.floor(rnd() * 4)) + (lines[i] ?? '').trimStart(); break;
    }
  }
  if (lines.length > 400) lines = lines.slice(0, 400); // bounded work: never more than a few corpus files of text
  return lines.join('\n');
}

/** Errors about the scenario as a whole have no line of their own. */
const WHOLE = /needs a "router"|needs a "trace"|has no COMMIT|one packet would walk/;

describe('parser fuzz (seeded)', function () {
  this.timeout(0);
  it(`${COUNT} mutated corpus scenarios simulate or raise NatTraceError with a line (seed ${SEED})`, () => {
    const base = corpus();
    assert.ok(base.length > 100, 'the corpus is there');
    const rnd = mulberry32(SEED);
    let ok = 0; let refused = 0; let drawn = 0;
    for (let n = 0; n < COUNT; n++) {
      const src = base[Math.floor(rnd() * base.length)];
      const text = mutate(src.text, rnd);
      try {
        const sim = runScenario(text, { file: 'fuzz.yml' });
        ok++;
        // Every 200th simulated input is drawn too: each SVG well-formed, no markup from the input in it.
        if (ok % 200 === 0) {
          for (const f of render().renderFigures(sim, { lang: 'en', show: ['steps', 'rules', 'sequence', 'summary'] })) {
            const doc = xmlParser().parseFromString(f.svg, 'image/svg+xml');
            assert.strictEqual(doc.getElementsByTagName('parsererror').length, 0, `${f.kind} figure is not well-formed XML\ninput ${n} (seed ${SEED}, from ${src.name}):\n${text}\n`);
            assert.ok(!f.svg.includes('<img src=x'), `markup from the input in the ${f.kind} figure\ninput ${n} (seed ${SEED}):\n${text}\n`);
          }
          drawn++;
        }
      } catch (e) {
        const where = `input ${n} (seed ${SEED}, from ${src.name}):\n${text}\n`;
        if (!(e instanceof NatTraceError)) assert.fail(`not a NatTraceError: ${e && e.stack}\n${where}`);
        if (!WHOLE.test(e.message)) assert.ok(Number.isInteger(e.line) && e.line >= 1, `no line in "${e.format()}"\n${where}`);
        assert.ok(e.format().length < 2000, `message of ${e.format().length} characters\n${where}`);
        refused++;
      }
    }
    console.log(`      fuzz: ${COUNT} inputs, ${ok} simulated (${drawn} drawn), ${refused} refused (seed ${SEED})`);
    assert.ok(ok > COUNT / 20 && refused > COUNT / 20, 'the mutations both keep and break scenarios');
  });
});
