'use strict';
// Issue 10, parser side: names that are Object.prototype properties, huge tokens in errors, YAML
// errors at their line and column, aliases and merge keys, deep nesting, control characters,
// RouterOS sections, jump depth, address-list growth. Every input gives a trace or one NatTraceError.
const assert = require('assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { runScenario } = require('../../dist/index');
const { parseScenario } = require('../../dist/scenario/parse');
const { NatTraceError } = require('../../dist/errors');
const { toIptablesSave } = require('../../dist/rules/iptables/serialize');

const HEAD = `router:
  interfaces:
    ether1: { address: 203.0.113.22/24 }
    bridge: { address: 10.30.9.1/24 }
  interface_lists: { WAN: [ether1], LAN: [bridge] }
hosts:
  pc:     { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }
  remote: { interface: ether1, address: 203.0.113.50, listen: [tcp/5000] }
trace: pc -> 203.0.113.50:5000
`;
const indent = (rules) => rules.split('\n').map((l) => '  ' + l).join('\n') + '\n';
const ipt = (rules) => `${HEAD}iptables: |\n${indent(rules)}`;
const ros = (rules) => `${HEAD}routeros: |\n${indent(rules)}`;

function errorOf(fn) {
  let r;
  try { r = fn(); } catch (e) {
    assert.ok(e instanceof NatTraceError, `expected a NatTraceError, got ${e && e.stack}`);
    return e;
  }
  assert.fail(`expected an error, got ${r && r.trace ? r.trace.outcome : r}`);
}
const run = (text) => runScenario(text, { file: 'x.yml' });

describe('bad input: Object.prototype names are ordinary names', () => {
  for (const [what, text, re] of [
    ['-j constructor', ipt('-A FORWARD -j constructor'), /no target or chain named `constructor`/],
    ['-A constructor without -N', ipt('-A constructor -j ACCEPT'), /no chain named `constructor`/],
    ['-m __proto__', ipt('-A FORWARD -m __proto__ -j ACCEPT'), /unknown match `__proto__`/],
    ['-m constructor', ipt('-A FORWARD -m constructor -j ACCEPT'), /unknown match `constructor`/],
    ['-p constructor', ipt('-A FORWARD -p constructor -j ACCEPT'), /unknown protocol `constructor`/],
    ['-t constructor', ipt('-t constructor -A FORWARD -j ACCEPT'), /unknown table `constructor`/],
    ['--reject-with constructor', ipt('-A FORWARD -j REJECT --reject-with constructor'), /unknown --reject-with `constructor`/],
    ['--reject-with toString', ipt('-A FORWARD -j REJECT --reject-with toString'), /unknown --reject-with `toString`/],
    ['--icmp-type constructor', ipt('-A FORWARD -p icmp --icmp-type constructor -j ACCEPT'), /unknown ICMP type `constructor`/],
    ['--dport hasOwnProperty', ipt('-A FORWARD -p tcp --dport hasOwnProperty -j ACCEPT'), /invalid port `hasOwnProperty`/],
    ['--tcp-flags constructor', ipt('-A FORWARD -p tcp --tcp-flags constructor SYN -j ACCEPT'), /unknown TCP flag `constructor`/],
    ['--to-ports valueOf', ipt('-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports valueOf'), /invalid port `valueOf`/],
    ['RouterOS reject-with=constructor', ros('/ip firewall filter\nadd chain=forward action=reject reject-with=constructor'), /unknown reject-with constructor/],
    ['RouterOS protocol=constructor', ros('/ip firewall filter\nadd chain=forward protocol=constructor'), /unknown protocol/],
    ['RouterOS escape \\c', ros('/ip firewall filter\nadd chain=forward comment="\\constructor"'), /unknown escape/],
  ]) {
    it(`refuses ${what} with a line`, () => {
      const e = errorOf(() => run(text));
      assert.match(e.message, re);
      assert.strictEqual(e.line, text.includes('routeros:') ? 12 : 11);
    });
  }

  it('a chain named constructor or __proto__ works as any chain (iptables allows both)', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const r = run(ipt(`-N ${name}\n-A ${name} -p tcp -j REJECT --reject-with tcp-reset\n-A FORWARD -j ${name}`));
      assert.strictEqual(r.trace.outcome, 'refused', name);
      assert.ok(Object.keys(r.ruleset.tables.filter).includes(name), name);
      assert.match(toIptablesSave(r.ruleset, r.scenario.router.interfaceLists), new RegExp(`^-A ${name} -p tcp -j REJECT --reject-with tcp-reset$`, 'm'));
    }
  });

  it('RouterOS chain=, jump-target=, interface and address lists named constructor work', () => {
    const r = run(ros('/ip firewall filter\nadd chain=constructor action=reject reject-with=tcp-reset protocol=tcp\nadd chain=forward action=jump jump-target=constructor'));
    assert.strictEqual(r.trace.outcome, 'refused');
    const p = run(ros('/ip firewall filter\nadd chain=forward action=jump jump-target=__proto__\nadd chain=__proto__ action=reject reject-with=tcp-reset protocol=tcp'));
    assert.strictEqual(p.trace.outcome, 'refused');
    // Lists that do not exist match nothing (with a warning), lists that exist match their members.
    const none = run(ros('/ip firewall filter\nadd chain=forward in-interface-list=constructor action=reject reject-with=tcp-reset protocol=tcp\nadd chain=forward src-address-list=constructor action=reject reject-with=tcp-reset protocol=tcp'));
    assert.strictEqual(none.trace.outcome, 'timeout');
    assert.ok(none.ruleset.warnings.some((w) => /interface list constructor/.test(w.message)));
    const listed = run(HEAD.replace('{ WAN: [ether1]', '{ constructor: [bridge], WAN: [ether1]') + 'routeros: |\n' + indent(
      '/ip firewall address-list\nadd list=__proto__ address=10.30.9.70\n/ip firewall filter\nadd chain=forward in-interface-list=constructor src-address-list=__proto__ action=reject reject-with=tcp-reset protocol=tcp'));
    assert.strictEqual(listed.trace.outcome, 'refused');
    assert.deepStrictEqual(listed.scenario.router.interfaceLists.constructor, ['bridge']);
  });

  it('YAML keys __proto__ and constructor are kept (hosts, interfaces, lists)', () => {
    const s = parseScenario(HEAD
      .replace('    bridge:', '    __proto__: { address: 10.1.1.1/24 }\n    bridge:')
      .replace('  remote:', '  __proto__: { interface: bridge, address: 10.30.9.80 }\n  constructor: { interface: __proto__, address: 10.1.1.5 }\n  remote:')
      .replace('{ WAN: [ether1]', '{ __proto__: [ether1], WAN: [ether1]'));
    assert.deepStrictEqual(s.router.interfaces.map((i) => i.name), ['ether1', '__proto__', 'bridge']);
    assert.deepStrictEqual(s.hosts.map((h) => h.name), ['pc', '__proto__', 'constructor', 'remote']);
    assert.deepStrictEqual(Object.keys(s.router.interfaceLists), ['__proto__', 'WAN', 'LAN']);
    const top = errorOf(() => parseScenario('__proto__: 1\n' + HEAD));
    assert.match(top.message, /unknown key "__proto__"/);
    assert.strictEqual(top.line, 1);
  });
});

describe('bad input: errors quote at most ~80 characters of a token', () => {
  it('a 1 MB scalar gives a short message', () => {
    const big = 'x'.repeat(1 << 20);
    for (const text of [
      HEAD.replace('trace: pc -> 203.0.113.50:5000', `trace: ${big}`),
      HEAD.replace('pc:     {', `${big}: {`),
      ipt(`-A FORWARD -j ${big}`),
      ipt(`-A FORWARD -m ${big}`),
      ros(`/ip firewall filter\nadd chain=forward action=${big}`),
      big,
      `title: [${big}`,
    ]) {
      const e = errorOf(() => run(text));
      assert.ok(e.format().length < 1000, `message of ${e.format().length} characters: ${e.format().slice(0, 200)}`);
      assert.ok(!e.token || e.token.length <= 80, 'token clipped');
      if (e.format().includes('x'.repeat(20))) assert.match(e.format(), /x…/);
    }
  });
});

describe('peer-vector suites say why they skip', () => {
  it('prints the missing folder when ../shared is absent', () => {
    const mocha = path.join(__dirname, '../../node_modules/mocha/bin/mocha.js');
    const r = spawnSync(process.execPath, [mocha, '--no-config', path.join(__dirname, 'iptables-vectors.test.js')], {
      encoding: 'utf8', env: { ...process.env, NAT_TRACE_PEER: path.join(__dirname, 'no-such-peer-folder') },
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /skipped: iptables-t-vectors\.tsv not found \(looked in .*no-such-peer-folder/);
    assert.match(r.stdout, /skipped: iptables-save-corpus\/ and iptables-dumps\/ not found/);
  });
});

describe('bad input: YAML mistakes at their line and column', () => {
  const { runCommand } = require('../../dist/cli/index');
  const fs = require('fs');
  const os = require('os');

  it('a syntax error carries line and column, shifted by the block offset', () => {
    const text = HEAD.replace('    bridge:', '   bridge:');
    const e = errorOf(() => parseScenario(text, { file: 'post.md', lineOffset: 20 }));
    assert.strictEqual(e.line, 24);
    assert.strictEqual(e.column, 1);
    assert.match(e.format(), /^post\.md:24:1: YAML: All mapping items must start at the same column/);
  });

  it('the CLI prints file:line:col', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-yaml-'));
    const file = path.join(dir, 'bad.yml');
    fs.writeFileSync(file, HEAD.replace('  pc:', '\tpc:'));
    let err = '';
    const status = runCommand([file], () => {}, (s) => { err += s; });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.strictEqual(status, 1);
    assert.match(err, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:1: YAML: Tabs`));
  });
});

describe('bad input: anchors, aliases and merge keys are resolved', () => {
  it('label: *l is the anchored text, not "*l"', () => {
    const s = parseScenario(HEAD
      .replace('ether1: { address: 203.0.113.22/24 }', 'ether1: { address: 203.0.113.22/24, label: &l WAN side }')
      .replace('bridge: { address: 10.30.9.1/24 }', 'bridge: { address: 10.30.9.1/24, label: *l }'));
    assert.deepStrictEqual(s.router.interfaces.map((i) => i.label), ['WAN side', 'WAN side']);
  });

  it('<<: merges a mapping; the map\'s own keys win', () => {
    const s = parseScenario(HEAD.replace('  pc:     { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }',
      '  pc: &lan { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }\n  pc2:\n    <<: *lan\n    address: 10.30.9.71'));
    const pc2 = s.hosts.find((h) => h.name === 'pc2');
    assert.strictEqual(pc2.interface, 'bridge');
    assert.strictEqual(pc2.gateway, '10.30.9.1');
    assert.strictEqual(pc2.addresses[0].address, '10.30.9.71');
  });

  it('an expansion bomb is refused with a line, quickly', () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const e = errorOf(() => parseScenario(bomb + HEAD));
    assert.match(e.message, /more than 100000 values once its aliases are expanded/);
    assert.strictEqual(typeof e.line, 'number');
  });

  it('an alias with no anchor is an error at its line', () => {
    const e = errorOf(() => parseScenario(HEAD + 'title: *nope\n'));
    assert.strictEqual(e.line, 10);
    assert.match(e.format(), /\*nope/);
  });
});

describe('bad input: deep nesting', () => {
  for (const n of [5000, 20000]) {
    it(`${n} nested levels (mappings, sequences, brackets) give a clear error with a line`, () => {
      // Block mappings need one more space per level: 5,000 levels are already 12 MB of text.
      let map = ''; for (let i = 0; i < Math.min(n, 5000); i++) map += ' '.repeat(i + 2) + 'k:\n';
      let seq = ''; for (let i = 0; i < n; i++) seq += '- ';
      for (const text of ['title: x\nrouter:\n' + map, 'title:\n' + seq + 'x\n' + HEAD, 'title: ' + '['.repeat(n) + ']'.repeat(n) + '\n' + HEAD]) {
        const e = errorOf(() => parseScenario(text));
        assert.match(e.message, /nests more than 64 levels deep/);
        assert.ok(e.line >= 1 && e.line < 100, `line ${e.line}`);
      }
    });
  }
});

describe('bad input: characters XML 1.0 cannot carry are refused', () => {
  const chars = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\ufffe', '\uffff', '\ud800', '\udfff'];
  const code = (c) => 'U+' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const yamlEsc = (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
  for (const c of chars) {
    it(`${code(c)} in a label, title, key, comment= or log prefix`, () => {
      for (const [text, line] of [
        [HEAD.replace('ether1: { address: 203.0.113.22/24 }', `ether1: { address: 203.0.113.22/24, label: "a${yamlEsc(c)}b" }`), 3],
        [`title: "t${yamlEsc(c)}"\n` + HEAD, 1],
        [HEAD.replace('  remote:', `  "r${yamlEsc(c)}":`), 8],
        [ipt(`-A FORWARD -j ACCEPT\n-A FORWARD -m comment --comment "x${c}y" -j ACCEPT`), 12],
        [ros(`/ip firewall filter\nadd chain=forward comment="a\\${c.charCodeAt(0) < 256 ? c.charCodeAt(0).toString(16).padStart(2, '0') : '00'}b"`), 12],
      ]) {
        if (text.includes('routeros') && c.charCodeAt(0) > 255) continue; // RouterOS escapes are \XX bytes
        const e = errorOf(() => run(text));
        assert.ok(e.message.includes(`control character ${code(c)}`), e.message);
        assert.strictEqual(e.line, line, e.format());
      }
    });
  }
  it('tabs, line breaks, emoji and CJK are fine', () => {
    const r = run(`title: "a\\tb 😀 中文"\n` + ros('/ip firewall filter\nadd chain=forward comment="x\\ty"'));
    assert.strictEqual(r.scenario.title, 'a\tb 😀 中文');
  });
});

describe('bad input: RouterOS section headers', () => {
  it('a misspelled section is an error with the nearest real one', () => {
    for (const [header, near] of [['/ip firewal nat', '/ip firewall nat'], ['/ip firewall natt', '/ip firewall nat'],
      ['/ip/firewall/filtr', '/ip firewall filter'], ['/interface brigde', '/interface bridge']]) {
      const e = errorOf(() => run(ros(`${header}\nadd chain=srcnat action=masquerade`)));
      assert.match(e.message, /unknown section/);
      assert.strictEqual(e.suggestion, near, header);
      assert.strictEqual(e.line, 11);
      assert.match(e.format(), /^x\.yml:11:1: /);
    }
  });

  it('a real section the simulator does not model warns with file and line, and the rest still runs', () => {
    const r = run(ros('/ip dhcp-server\nadd name=x\n/system identity\nset name=gw\n/ip firewall nat\nadd chain=srcnat action=masquerade'));
    assert.strictEqual(r.trace.outcome, 'established');
    assert.ok(r.trace.warnings.some((w) => /^x\.yml:11: section \/ip dhcp-server is not simulated/.test(w)), r.trace.warnings.join('\n'));
    assert.ok(r.trace.warnings.some((w) => /^x\.yml:13: section \/system identity is not simulated/.test(w)));
  });
});

describe('bad input: nested jumps, as the kernel (nf_tables) allows them', () => {
  const nested = (n, j = '-j') => {
    let t = '';
    for (let i = 1; i <= n; i++) t += `-N C${i}\n`;
    t += `-A FORWARD ${j} C1\n`;
    for (let i = 1; i < n; i++) t += `-A C${i} ${j} C${i + 1}\n`;
    return t + `-A C${n} -p tcp -j REJECT --reject-with tcp-reset`;
  };
  const rosNested = (n) => {
    let t = '/ip firewall filter\nadd chain=forward action=jump jump-target=C1\n';
    for (let i = 1; i < n; i++) t += `add chain=C${i} action=jump jump-target=C${i + 1}\n`;
    return t + `add chain=C${n} action=reject reject-with=tcp-reset protocol=tcp`;
  };

  it('15 nested user chains load and run (iptables-nft-restore takes them)', () => {
    assert.strictEqual(run(ipt(nested(15))).trace.outcome, 'refused');
    assert.strictEqual(run(ros(rosNested(15))).trace.outcome, 'refused');
  });

  it('16 or 65 nested chains, with -j or -g, are refused as the kernel refuses them ("Too many links"), not as a loop', () => {
    for (const [text, token] of [[ipt(nested(16)), '-j C16'], [ipt(nested(65)), '-j C16'], [ipt(nested(16, '-g')), '-g C16'], [ros(rosNested(65)), 'jump-target=C16']]) {
      const e = errorOf(() => run(text));
      assert.match(e.message, /chain C16 is 16 jumps below the built-in chain (FORWARD|forward)/);
      assert.match(e.message, /more than 15 nested jumps/);
      assert.doesNotMatch(e.message, /itself|loop/);
      assert.strictEqual(e.token, token);
      assert.ok(e.line > 11);
    }
  });

  it('3,000 nested chains give the same error, and unreachable ones load (the kernel checks from built-in chains)', () => {
    const e = errorOf(() => run(ipt(nested(3000))));
    assert.match(e.message, /chain C16 is 16 jumps/);
    let u = '';
    for (let i = 1; i <= 3000; i++) u += `-N C${i}\n`;
    for (let i = 1; i < 3000; i++) u += `-A C${i} -j C${i + 1}\n`;
    assert.strictEqual(run(ipt(u)).trace.outcome, 'timeout');
  });

  it('a loop is still called a loop', () => {
    const e = errorOf(() => run(ipt('-N A\n-N B\n-A FORWARD -j A\n-A A -j B\n-A B -j A')));
    assert.match(e.message, /loop: A -> B -> A/);
  });
});

describe('bad input: -s/-d lists do not grow without bound', () => {
  const addrs = (n, a) => Array.from({ length: n }, (_, i) => `${a}.${(i >> 8) & 255}.${i & 255}.1`).join(',');
  it('1000 x 1000 addresses is one clear error, not a stack overflow', () => {
    const e = errorOf(() => run(ipt(`-A FORWARD -s ${addrs(1000, 10)} -d ${addrs(1000, 11)} -j ACCEPT`)));
    assert.match(e.message, /make 1000000 rules .* at most 1000 per line/);
    assert.strictEqual(e.line, 11);
    assert.ok(e.format().length < 1000);
  });
  it('20 x 50 expands to 1000 rules, as iptables-save shows them', () => {
    const r = run(ipt(`-A FORWARD -s ${addrs(20, 10)} -d ${addrs(50, 11)} -j ACCEPT`));
    assert.strictEqual(r.ruleset.tables.filter.FORWARD.rules.length, 1000);
    assert.strictEqual(toIptablesSave(r.ruleset, r.scenario.router.interfaceLists).split('\n').filter((l) => l.startsWith('-A FORWARD')).length, 1000);
  });
});
