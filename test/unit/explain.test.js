'use strict';
// The explain stage: the diagnosis names the cause and the step, every
// proposed fix is real rules text that the whole pipeline (parser, simulator)
// turns into the promised outcome, fixes are written in the scenario's own
// dialect and style, a succeeding trace gets nothing, and the CLI's explain
// and fix commands give what the README says.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const YAML = require('yaml');
const { runScenario } = require('../../dist');
const { explain, diagnosisText, CAUSES, GENERATORS } = require('../../dist/explain');
const { withRules } = require('../../dist/cli/explain');
const { scenarioText } = require('../kernel/harness');

const ROOT = path.join(__dirname, '..', '..');
const HAIRPIN = path.join(ROOT, 'docs', 'figures', 'hairpin.yml');
const BIN = path.join(ROOT, 'bin', 'nat-trace.js');
const SCENARIOS = path.join(ROOT, 'test', 'scenarios');
const cli = (args, input) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });

const base = `router:
  interfaces:
    ether1: { address: 203.0.113.22/24 }
    bridge: { address: 10.30.9.1/24 }
  routes: ["0.0.0.0/0 via 203.0.113.1"]
hosts:
  pc:  { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }
  web: { interface: bridge, address: 10.30.9.77, gateway: 10.30.9.1, listen: [tcp/5000] }
  visitor: { interface: ether1, address: 203.0.113.80, gateway: 203.0.113.22 }
  site: { interface: ether1, address: 203.0.113.99, listen: [tcp/443] }
`;
const scenario = (rules, trace = 'pc -> 203.0.113.22:5000') => `${base}${rules}trace: ${trace}\n`;

describe('explain: diagnosis', () => {
  it('the seed post: the answer bypasses the router, at the step where web answers pc across the LAN', () => {
    const sim = runScenario(fs.readFileSync(HAIRPIN, 'utf8'));
    const e = explain(sim);
    assert.strictEqual(e.diagnosis.cause, 'hairpin-no-masquerade');
    const ev = sim.trace.steps[e.diagnosis.step];
    assert.deepStrictEqual([ev.kind, ev.node, ev.to, ev.packet.src], ['wire', 'web', 'pc', '10.30.9.77']);
    assert.match(diagnosisText('en', sim, e.diagnosis), /web answers pc/);
    assert.match(diagnosisText('zh-TW', sim, e.diagnosis), /繞過了路由器/);
  });

  const cases = [
    ['a port forward limited to the WAN interface', 'iptables: |\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n', 'dnat-wan-interface-only'],
    ['a port forward limited to one address', 'iptables: |\n  -t nat -A PREROUTING -d 203.0.113.22 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n  -t nat -A POSTROUTING -s 10.30.9.0/24 -d 10.30.9.0/24 -j MASQUERADE\n', 'dnat-wan-address-only', 'pc -> 10.30.9.1:5000'],
    ['a forward drop policy without established,related', 'iptables: |\n  -P FORWARD DROP\n  -A FORWARD -i ether1 -p tcp --dport 5000 -j ACCEPT\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n', 'missing-established', 'visitor -> 203.0.113.22:5000'],
    ['an accept shadowed by an earlier drop', 'routeros: |\n  /ip firewall filter\n  add chain=forward action=drop in-interface=ether1\n  add chain=forward action=accept in-interface=ether1 protocol=tcp dst-port=5000\n  /ip firewall nat\n  add chain=dstnat action=dst-nat in-interface=ether1 protocol=tcp dst-port=5000 to-addresses=10.30.9.77\n', 'shadowed-rule', 'visitor -> 203.0.113.22:5000'],
    ['a disabled masquerade', 'routeros: |\n  /ip firewall nat\n  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.77\n  add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24 disabled=yes\n', 'disabled-rule'],
    ['a masquerade written for the LAN port instead of the WAN', 'iptables: |\n  -t nat -A POSTROUTING -o bridge -j MASQUERADE\n', 'nat-wrong-interface', 'pc -> 203.0.113.99:443'],
    ['a REJECT with a reset in the server\'s name', 'iptables: |\n  -A FORWARD -p tcp --dport 5000 -j REJECT --reject-with tcp-reset\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n', 'reject-in-place-of-server', 'visitor -> 203.0.113.22:5000'],
    ['a closed port', 'iptables: |\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5001 -j DNAT --to-destination 10.30.9.77\n', 'no-listener', 'visitor -> 203.0.113.22:5001'],
    ['a DNAT to an address nobody has', 'iptables: |\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.99\n', 'arp-failure', 'visitor -> 203.0.113.22:5000'],
  ];
  for (const [what, rules, cause, trace] of cases) {
    it(`${what}: ${cause}`, () => {
      const sim = runScenario(scenario(rules, trace));
      assert.notStrictEqual(sim.trace.outcome, 'established');
      const e = explain(sim);
      assert.strictEqual(e.diagnosis.cause, cause);
      assert.ok(e.diagnosis.step >= 0 && e.diagnosis.step < sim.trace.steps.length);
      assert.ok(diagnosisText('ja', sim, e.diagnosis).length > 10);
    });
  }

  it('a connection that succeeds gets no diagnosis and no fix', () => {
    const sim = runScenario(scenario('iptables: |\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n', 'visitor -> 203.0.113.22:5000'));
    assert.strictEqual(sim.trace.outcome, 'established');
    assert.deepStrictEqual(explain(sim), { outcome: 'established', fixes: [] });
  });

  it('every cause code and every fix kind has its sentence in every language', () => {
    for (const lang of ['en', 'zh-TW', 'zh-CN', 'ja']) {
      const y = YAML.parse(fs.readFileSync(path.join(ROOT, 'templates', 'i18n', `${lang}.yml`), 'utf8'));
      for (const c of CAUSES) assert.ok(y.explain.cause[c], `${lang} explain.cause.${c}`);
    }
    assert.ok(GENERATORS.length >= 4);
  });
});

describe('explain: fixes', () => {
  it('the seed post: masquerade for the LAN first, in RouterOS, the server then sees the router', () => {
    const sim = runScenario(fs.readFileSync(HAIRPIN, 'utf8'));
    const [best, ...rest] = explain(sim).fixes;
    assert.strictEqual(best.kind, 'masquerade-lan');
    assert.deepStrictEqual(best.added, ['add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24']);
    assert.deepStrictEqual(best.removed, []);
    assert.deepStrictEqual([best.outcome, best.server_saw], ['established', '10.30.9.1:40000']);
    assert.ok(rest.some((f) => f.kind === 'snat-router-lan' && f.server_saw === '10.30.9.1:40000'));
  });

  it('a port forward limited to the WAN: widen its match, then masquerade (two changes, one fix)', () => {
    const sim = runScenario(scenario('routeros: |\n  /ip firewall nat\n  add chain=dstnat action=dst-nat in-interface=ether1 protocol=tcp dst-port=5000 to-addresses=10.30.9.77\n'));
    const best = explain(sim).fixes[0];
    assert.strictEqual(best.kind, 'dnat-public-address+masquerade-lan');
    assert.deepStrictEqual(best.removed, ['add chain=dstnat action=dst-nat in-interface=ether1 protocol=tcp dst-port=5000 to-addresses=10.30.9.77']);
    assert.deepStrictEqual(best.added, [
      'add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.77',
      'add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24',
    ]);
    assert.strictEqual(best.outcome, 'established');
  });

  it('RouterOS: an accept placed before the rule that drops, with its place-before number', () => {
    const sim = runScenario(scenario('routeros: |\n  /ip firewall filter\n  add chain=input action=accept protocol=icmp\n  add chain=forward action=accept connection-state=established,related\n  add chain=forward action=drop in-interface=ether1\n  /ip firewall nat\n  add chain=dstnat action=dst-nat in-interface=ether1 protocol=tcp dst-port=5000 to-addresses=10.30.9.77\n', 'visitor -> 203.0.113.22:5000'));
    const e = explain(sim);
    assert.strictEqual(e.diagnosis.cause, 'filter-drop');
    const best = e.fixes[0];
    assert.strictEqual(best.kind, 'accept-connection');
    assert.deepStrictEqual(best.commands, ['/ip firewall filter add chain=forward action=accept dst-address=10.30.9.77 protocol=tcp dst-port=5000 in-interface=ether1 place-before=2']);
    const lines = best.rules.split('\n');
    assert.strictEqual(lines.indexOf(best.added[0]) + 1, lines.indexOf('add chain=forward action=drop in-interface=ether1'));
  });

  it('iptables-save: the new rule goes inside its table block, -I in the console command', () => {
    const sim = runScenario(scenario('iptables: |\n  *filter\n  :FORWARD DROP [0:0]\n  -A FORWARD -i ether1 -p tcp --dport 5000 -j ACCEPT\n  COMMIT\n  *nat\n  -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n  COMMIT\n', 'visitor -> 203.0.113.22:5000'));
    const best = explain(sim).fixes[0];
    assert.strictEqual(best.kind, 'accept-established');
    assert.deepStrictEqual(best.added, ['-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT']);
    assert.deepStrictEqual(best.commands, ['iptables -I FORWARD 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT']);
    assert.match(best.rules, /:FORWARD DROP \[0:0\]\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A FORWARD -i ether1/);
  });

  it('a hairpin next to a masquerade for the WAN: the WAN rule is right for its job and stays; a LAN masquerade is added', () => {
    const sim = runScenario(scenario('iptables: |\n  -t nat -A PREROUTING -d 203.0.113.22 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n  -t nat -A POSTROUTING -o ether1 -j MASQUERADE\n'));
    const e = explain(sim);
    assert.strictEqual(e.diagnosis.cause, 'hairpin-no-masquerade');
    assert.ok(e.fixes.length >= 3);
    for (const f of e.fixes) assert.deepStrictEqual(f.removed, [], f.kind);
    assert.ok(e.fixes[0].checked > 0, 'the visitor and the other hosts were checked');
  });

  it('the router\'s own connection under an INPUT drop policy, with no rule that tracks: the answer is missing its established accept (not opened by its ephemeral port)', () => {
    const sim = runScenario(scenario('iptables: |\n  -P INPUT DROP\n  -A INPUT -p tcp --dport 22 -j ACCEPT\n', 'router -> 203.0.113.99:443'));
    assert.strictEqual(sim.trace.outcome, 'timeout');
    assert.ok(!sim.trace.steps.some((ev) => ev.kind === 'conntrack'), 'no rule needs conntrack, so nothing tells the answer from a new packet but its tuple');
    const e = explain(sim);
    assert.strictEqual(e.diagnosis.cause, 'missing-established');
    assert.strictEqual(e.fixes[0].kind, 'accept-established');
    assert.deepStrictEqual(e.fixes[0].added, ['-I INPUT 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT']);
    for (const f of e.fixes) for (const l of f.added) assert.doesNotMatch(l, /--dport 40000/, f.kind);
  });

  it('a hairpin masquerade that names the server but is bound to the WAN: that rule is on the wrong interface, and it is the one changed', () => {
    const sim = runScenario(scenario('iptables: |\n  -t nat -A PREROUTING -d 203.0.113.22 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n  -t nat -A POSTROUTING -s 10.30.9.0/24 -d 10.30.9.77 -o ether1 -j MASQUERADE\n  -t nat -A POSTROUTING -o ether1 -j MASQUERADE\n'));
    const e = explain(sim);
    assert.strictEqual(e.diagnosis.cause, 'nat-wrong-interface');
    assert.deepStrictEqual([e.fixes[0].removed, e.fixes[0].added], [['-t nat -A POSTROUTING -s 10.30.9.0/24 -d 10.30.9.77 -o ether1 -j MASQUERADE'], ['-t nat -A POSTROUTING -s 10.30.9.0/24 -d 10.30.9.77 -o bridge -j MASQUERADE']]);
  });

  const repairs = [
    ['the public address and port, as the client sent them (the filter sees the packet after DNAT)', 'iptables: |\n  -P FORWARD DROP\n  -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n  -A FORWARD -d 203.0.113.22 -p tcp --dport 8080 -j ACCEPT\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 8080 -j DNAT --to-destination 10.30.9.77:5000\n', 'visitor -> 203.0.113.22:8080',
      ['-A FORWARD -d 203.0.113.22 -p tcp --dport 8080 -j ACCEPT'], ['-A FORWARD -p tcp --dport 5000 -d 10.30.9.77 -j ACCEPT']],
    ['the port before DNAT', 'iptables: |\n  -P FORWARD DROP\n  -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n  -A FORWARD -i ether1 -d 10.30.9.77 -p tcp --dport 8443 -j ACCEPT\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 8443 -j DNAT --to-destination 10.30.9.77:5000\n', 'visitor -> 203.0.113.22:8443',
      ['-A FORWARD -i ether1 -d 10.30.9.77 -p tcp --dport 8443 -j ACCEPT'], ['-A FORWARD -i ether1 -d 10.30.9.77 -p tcp --dport 5000 -j ACCEPT']],
    ['RouterOS: a subnet typo in the accept for the web admin', 'routeros: |\n  /ip firewall filter\n  add chain=forward action=accept connection-state=established,related\n  add chain=forward action=accept src-address=10.30.8.0/24 dst-address=203.0.113.99 protocol=tcp dst-port=443\n  add chain=forward action=drop\n  /ip firewall nat\n  add chain=srcnat action=masquerade out-interface=ether1\n', 'pc -> 203.0.113.99:443',
      ['add chain=forward action=accept src-address=10.30.8.0/24 dst-address=203.0.113.99 protocol=tcp dst-port=443'], ['add chain=forward action=accept src-address=10.30.9.0/24 dst-address=203.0.113.99 protocol=tcp dst-port=443']],
  ];
  it('an accept with a job of its own (the LAN\'s way out) is not rewritten for a connection from the WAN', () => {
    const rules = 'iptables: |\n  -P FORWARD DROP\n  -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n  -A FORWARD -i bridge -o ether1 -j ACCEPT\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n';
    const e = explain(runScenario(scenario(rules, 'visitor -> 203.0.113.22:5000')));
    assert.ok(e.fixes.length > 0);
    for (const f of e.fixes) assert.notStrictEqual(f.kind, 'repair-accept', f.added.join());
  });

  // Only the hosts of the connection: a repair that breaks another host's connection is no fix (see the search's guards).
  const pair = (rules, trace) => {
    const keep = trace.startsWith('visitor') ? ['visitor', 'web'] : ['pc', 'site'];
    return scenario(rules, trace).split('\n').filter((l) => !/^  (pc|web|visitor|site):/.test(l) || keep.includes(l.trim().split(':')[0])).join('\n');
  };
  for (const [what, rules, trace, removed, added] of repairs.filter((r) => r[1])) {
    it(`an accept written for the connection that misses it (${what}) is corrected, not shadowed by a narrower new rule`, () => {
      const sim = runScenario(pair(rules, trace));
      const e = explain(sim);
      const best = e.fixes[0];
      assert.strictEqual(best.kind, 'repair-accept');
      assert.deepStrictEqual([best.removed, best.added], [removed, added]);
      assert.strictEqual(runScenario(withRules(pair(rules, trace), sim.scenario.rules.dialect, best.rules)).trace.outcome, 'established');
    });
  }

  it('a masquerade on the wrong port: the rule pointed at the WAN, or at every port (one rule changed either way)', () => {
    const sim = runScenario(scenario('iptables: |\n  -t nat -A POSTROUTING -o bridge -j MASQUERADE\n', 'pc -> 203.0.113.99:443'));
    const fixes = explain(sim).fixes;
    assert.deepStrictEqual(fixes.map((f) => f.kind).sort(), ['snat-any-interface', 'snat-out-interface']);
    const out = fixes.find((f) => f.kind === 'snat-out-interface');
    assert.deepStrictEqual([out.removed, out.added], [['-t nat -A POSTROUTING -o bridge -j MASQUERADE'], ['-t nat -A POSTROUTING -o ether1 -j MASQUERADE']]);
    assert.deepStrictEqual(out.commands, ['iptables -t nat -R POSTROUTING 1 -o ether1 -j MASQUERADE']);
    // Today the visitor reaches web masqueraded by the LAN rule; pointing it at the WAN changes that, so it is counted.
    assert.strictEqual(out.changedSources, 1);
  });

  it('every fix proposed for the corpus gives its promised outcome when its rules text is run again', function () {
    this.timeout(120000);
    let n = 0;
    for (const f of fs.readdirSync(SCENARIOS).filter((x) => x.endsWith('.yml')).sort()) {
      const text = fs.readFileSync(path.join(SCENARIOS, f), 'utf8');
      for (const d of ['iptables', 'routeros']) {
        const sc = scenarioText(text, d);
        if (!sc) continue;
        const sim = runScenario(sc);
        const e = explain(sim);
        if (sim.trace.outcome === 'established') { assert.deepStrictEqual(e.fixes, [], f); continue; }
        assert.ok(e.diagnosis, `${f} ${d}: no diagnosis`);
        for (const fix of e.fixes) {
          const again = runScenario(withRules(sc, d, fix.rules));
          assert.deepStrictEqual([again.trace.outcome, again.trace.server_saw], [fix.outcome, fix.server_saw], `${f} ${d} ${fix.kind}`);
          n++;
        }
      }
    }
    assert.ok(n > 100, `${n} fixes checked`);
  });
});

describe('explain: the command line', () => {
  it('explain --json: one object per file, best fix first; a succeeding trace has an empty fixes list', () => {
    const ok = path.join(os.tmpdir(), `nat-trace-explain-ok-${process.pid}.yml`);
    fs.writeFileSync(ok, scenario('iptables: |\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n', 'visitor -> 203.0.113.22:5000'));
    try {
      const r = cli(['explain', '--json', HAIRPIN, ok]);
      assert.strictEqual(r.status, 0, r.stderr);
      const [a, b] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.strictEqual(a.file, HAIRPIN);
      assert.deepStrictEqual(Object.keys(a), ['file', 'outcome', 'diagnosis', 'fixes']);
      assert.deepStrictEqual(Object.keys(a.diagnosis), ['cause', 'step', 'text']);
      assert.strictEqual(a.diagnosis.cause, 'hairpin-no-masquerade');
      assert.strictEqual(a.fixes[0].server_saw, '10.30.9.1:40000');
      for (const k of ['rules', 'added', 'removed', 'outcome', 'server_saw']) assert.ok(k in a.fixes[0], k);
      assert.deepStrictEqual([b.outcome, b.diagnosis, b.fixes], ['established', null, []]);
      assert.strictEqual(cli(['explain', '--json', HAIRPIN, ok]).stdout, r.stdout, 'same input, same bytes');
    } finally {
      fs.unlinkSync(ok);
    }
  });

  it('explain (readable) names the cause and shows the rule to add', () => {
    const r = cli(['explain', HAIRPIN]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /cause: hairpin-no-masquerade/);
    assert.match(r.stdout, /\+ add chain=srcnat action=masquerade src-address=10\.30\.9\.0\/24 dst-address=10\.30\.9\.0\/24/);
  });

  it('fix prints the scenario with the best fix; run accepts it and the connection is established', () => {
    const r = cli(['fix', HAIRPIN]);
    assert.strictEqual(r.status, 0, r.stderr);
    const orig = fs.readFileSync(HAIRPIN, 'utf8').split('\n');
    const fixed = r.stdout.split('\n');
    // Only the added rule line is new: the rest of the file is kept byte for byte.
    assert.deepStrictEqual(fixed.filter((l) => !orig.includes(l)), ['  add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24']);
    const run = cli(['run', '--json', '-'], r.stdout);
    assert.strictEqual(JSON.parse(run.stdout).outcome, 'established');
  });

  it('fix on a working scenario says there is nothing to fix (exit 1); a bad file gives one error line', () => {
    const ok = scenario('', 'pc -> 10.30.9.77:5000');
    const r = cli(['fix', '-'], ok);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /established; nothing to fix/);
    const bad = cli(['explain', '-'], 'router: 3\n');
    assert.strictEqual(bad.status, 1);
    assert.strictEqual(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });
});

describe('explain: the check set (test/explain), in the simulator', () => {
  // The kernel half of this check is test/kernel/explain-fix.test.js.
  const DIR = path.join(ROOT, 'test', 'explain');
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
  it('has about 20 scenarios, both dialects, with and without fixes', () => {
    assert.ok(files.length >= 20, `${files.length}`);
    const docs = files.map((f) => YAML.parse(fs.readFileSync(path.join(DIR, f), 'utf8')));
    assert.ok(docs.some((d) => d.routeros) && docs.some((d) => d.iptables));
    assert.ok(docs.some((d) => !d.cause), 'some succeed');
  });
  for (const f of files) {
    it(`${f}: the expected cause, and a fix that succeeds unless none is expected`, () => {
      const doc = YAML.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
      const { about, cause, fix, ...plain } = doc;
      assert.ok(about);
      const sim = runScenario(YAML.stringify(plain));
      const e = explain(sim);
      if (!cause) { assert.strictEqual(sim.trace.outcome, 'established'); assert.deepStrictEqual(e.fixes, []); return; }
      assert.strictEqual(e.diagnosis && e.diagnosis.cause, cause);
      if (fix === 'none') assert.deepStrictEqual(e.fixes, []);
      else assert.strictEqual(e.fixes[0] && e.fixes[0].outcome, 'established');
    });
  }
});

describe('explain: answers dropped on purpose', () => {
  it('a REJECT aimed at the server\'s answers is that rule\'s doing, and the fix accepts the connection\'s answers (not their port)', () => {
    const sim = runScenario(scenario('iptables: |\n  -A FORWARD -i bridge -p tcp --sport 5000 -j REJECT --reject-with tcp-reset\n  -t nat -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n', 'visitor -> 203.0.113.22:5000'));
    const e = explain(sim);
    assert.strictEqual(e.diagnosis.cause, 'filter-reject');
    assert.deepStrictEqual(e.fixes.map((f) => f.kind), ['accept-established']);
    assert.deepStrictEqual(e.fixes[0].added, ['-I FORWARD 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT']);
  });

  it('an ARP failure next to a masquerade is an ARP failure, not the masquerade\'s interface', () => {
    const sim = runScenario(scenario('iptables: |\n  -t nat -A POSTROUTING -o ether1 -j MASQUERADE\n', 'pc -> 203.0.113.98:443'));
    assert.strictEqual(explain(sim).diagnosis.cause, 'arp-failure');
  });
});
