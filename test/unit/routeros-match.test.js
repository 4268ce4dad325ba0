'use strict';
// RouterOS rules run through the registered match/target modules, and through the whole simulator.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
require('../../dist/rules'); // registers every match and target module
const { getMatch, getTarget } = require('../../dist/rules/registry');
const { parseRouterOS } = require('../../dist/rules/routeros/parse');
const { toIptablesSave } = require('../../dist/rules/iptables/serialize');
const { runScenario } = require('../../dist');

const ROUTER_IP = '203.0.113.22';
const LISTS = { WAN: ['ether1'], LAN: ['bridge'] };

function ctxFor(rs, over = {}) {
  const packet = { proto: 'tcp', src: '10.30.9.70', dst: ROUTER_IP, sport: 40000, dport: 5000, flags: { syn: true }, ...over.packet };
  return {
    packet,
    hook: over.hook || 'PREROUTING',
    table: over.table || 'nat',
    inIface: 'inIface' in over ? over.inIface : 'bridge',
    outIface: over.outIface,
    ct: {
      state: 'NEW', dir: 'ORIGINAL', dnat: false, snat: false,
      status: { expected: false, seenReply: false, assured: false, confirmed: false }, ...over.ct,
    },
    addrType: (ip) => (ip === ROUTER_IP || ip === '10.30.9.1' ? 'LOCAL' : ip.endsWith('.255') ? 'BROADCAST' : 'UNICAST'),
    addressLists: rs.addressLists,
    interfaceLists: LISTS,
    ifaceAddress: () => ROUTER_IP,
  };
}

function matches(rule, ctx) {
  return rule.matches.every((m) => getMatch(m.module).match(m.opts, ctx));
}

/** Does the single rule of `text` (in chain `chain` of `table`) match the packet described by `over`? */
function hit(text, over = {}, table, chain) {
  const rs = parseRouterOS(text);
  const t = table || (text.includes('/ip firewall nat') ? 'nat' : 'filter');
  const c = chain || Object.keys(rs.tables[t]).find((k) => rs.tables[t][k].rules.length);
  const [rule] = rs.tables[t][c].rules;
  return matches(rule, ctxFor(rs, { table: t, hook: c, ...over }));
}

describe('RouterOS rules through the match/target modules', () => {
  it('matches the seed dst-nat only for tcp to the WAN address port 5000, and asks for the right mapping', () => {
    const rs = parseRouterOS('/ip firewall nat\nadd action=dst-nat chain=dstnat dst-address=203.0.113.22 dst-port=5000 protocol=tcp to-addresses=10.30.9.77 to-ports=5000');
    const [rule] = rs.tables.nat.PREROUTING.rules;
    assert.ok(matches(rule, ctxFor(rs)));
    assert.ok(!matches(rule, ctxFor(rs, { packet: { dport: 5001 } })));
    assert.ok(!matches(rule, ctxFor(rs, { packet: { proto: 'udp' } })));
    assert.ok(!matches(rule, ctxFor(rs, { packet: { dst: '203.0.113.23' } })));
    const res = getTarget(rule.target.module).run(rule.target.opts, ctxFor(rs));
    assert.strictEqual(res.verdict, 'NAT');
    assert.strictEqual(res.nat.manip, 'dst');
    assert.strictEqual(res.nat.minIp, '10.30.9.77');
    assert.strictEqual(res.nat.minPort, 5000);
  });

  it('negates addresses and ranges', () => {
    const text = '/ip firewall filter\nadd chain=forward src-address=!10.0.0.0/8 dst-address=192.0.2.10-192.0.2.20';
    assert.ok(hit(text, { packet: { src: '192.168.1.1', dst: '192.0.2.15' } }));
    assert.ok(!hit(text, { packet: { src: '10.1.1.1', dst: '192.0.2.15' } }));
    assert.ok(!hit(text, { packet: { src: '192.168.1.1', dst: '192.0.2.21' } }));
    assert.ok(hit('/ip firewall filter\nadd chain=forward dst-address=!192.0.2.10-192.0.2.20', { packet: { dst: '192.0.2.21' } }));
  });

  it('matches address lists with CIDR and range entries, and their negation', () => {
    const lists = '/ip firewall address-list\nadd list=ok address=10.30.9.0/24\nadd list=ok address=198.51.100.10-198.51.100.20\n';
    const text = lists + '/ip firewall filter\nadd chain=forward src-address-list=ok';
    assert.ok(hit(text, { packet: { src: '10.30.9.200' } }));
    assert.ok(hit(text, { packet: { src: '198.51.100.20' } }));
    assert.ok(!hit(text, { packet: { src: '198.51.100.21' } }));
    assert.ok(hit(lists + '/ip firewall filter\nadd chain=forward src-address-list=!ok', { packet: { src: '198.51.100.21' } }));
  });

  it('matches port lists and ranges (multiport) and negated single ports', () => {
    const text = '/ip firewall filter\nadd chain=forward protocol=tcp dst-port=80,443,8000-8100';
    for (const [port, want] of [[80, true], [443, true], [8050, true], [444, false], [8101, false]]) {
      assert.strictEqual(hit(text, { packet: { dport: port } }), want, `port ${port}`);
    }
    assert.ok(!hit('/ip firewall filter\nadd chain=forward protocol=tcp dst-port=!5000'));
    assert.ok(hit('/ip firewall filter\nadd chain=forward protocol=tcp src-port=40000-40010'));
    assert.ok(hit('/ip firewall filter\nadd chain=forward protocol=tcp port=40000', {}), 'port= matches the source port too');
  });

  it('matches interfaces and interface lists, with negation', () => {
    assert.ok(hit('/ip firewall filter\nadd chain=forward in-interface-list=WAN', { inIface: 'ether1' }));
    assert.ok(!hit('/ip firewall filter\nadd chain=forward in-interface-list=WAN', { inIface: 'bridge' }));
    assert.ok(hit('/ip firewall filter\nadd chain=forward in-interface-list=!LAN', { inIface: 'ether1' }));
    assert.ok(hit('/ip firewall filter\nadd chain=forward out-interface=!ether1', { outIface: 'bridge' }));
    assert.ok(!hit('/ip firewall filter\nadd chain=forward out-interface=ether1', { outIface: 'bridge' }));
  });

  it('matches connection-state and connection-nat-state against conntrack', () => {
    const est = '/ip firewall filter\nadd chain=forward connection-state=established,related';
    assert.ok(hit(est, { ct: { state: 'ESTABLISHED' } }));
    assert.ok(!hit(est, { ct: { state: 'NEW' } }));
    const notDnat = '/ip firewall filter\nadd chain=forward connection-state=new connection-nat-state=!dstnat';
    assert.ok(hit(notDnat, { ct: { state: 'NEW', dnat: false } }));
    assert.ok(!hit(notDnat, { ct: { state: 'NEW', dnat: true } }));
    assert.ok(hit('/ip firewall filter\nadd chain=forward connection-nat-state=srcnat', { ct: { state: 'ESTABLISHED', snat: true } }));
  });

  it('matches address types, icmp-options and tcp-flags', () => {
    assert.ok(hit('/ip firewall nat\nadd chain=dstnat dst-address-type=local action=accept'));
    assert.ok(!hit('/ip firewall nat\nadd chain=dstnat dst-address-type=local action=accept', { packet: { dst: '198.51.100.1' } }));
    assert.ok(hit('/ip firewall filter\nadd chain=input dst-address-type=!local', { packet: { dst: '198.51.100.1' } }));
    const echo = { packet: { proto: 'icmp', sport: 7, dport: 0, flags: undefined, icmp: { type: 8, code: 0 } } };
    assert.ok(hit('/ip firewall filter\nadd chain=input protocol=icmp icmp-options=8:0', echo));
    assert.ok(!hit('/ip firewall filter\nadd chain=input protocol=icmp icmp-options=0:0', echo));
    const syn = '/ip firewall filter\nadd chain=input protocol=tcp tcp-flags=syn,!ack';
    assert.ok(hit(syn, { packet: { flags: { syn: true } } }));
    assert.ok(!hit(syn, { packet: { flags: { syn: true, ack: true } } }));
    // A negated first flag: `!syn` is SYN not set (flag by flag, as in syn,!ack).
    const notSyn = '/ip firewall filter\nadd chain=forward protocol=tcp tcp-flags=!syn action=drop';
    assert.ok(hit(notSyn, { packet: { flags: { ack: true } } }));
    assert.ok(!hit(notSyn, { packet: { flags: { syn: true } } }));
    const ackNotSyn = '/ip firewall filter\nadd chain=forward protocol=tcp tcp-flags=!syn,ack action=drop';
    assert.ok(hit(ackNotSyn, { packet: { flags: { ack: true } } }));
    assert.ok(!hit(ackNotSyn, { packet: { flags: { syn: true, ack: true } } }));
    assert.ok(!hit(ackNotSyn, { packet: { flags: { fin: true } } }));
  });

  it('rejects with RouterOS\'s default icmp network unreachable', () => {
    const rs = parseRouterOS('/ip firewall filter\nadd chain=forward action=reject');
    const [rule] = rs.tables.filter.FORWARD.rules;
    const res = getTarget(rule.target.module).run(rule.target.opts, ctxFor(rs, { table: 'filter', hook: 'FORWARD' }));
    assert.deepStrictEqual(res, { verdict: 'REJECT', with: 'icmp-net-unreachable' });
  });
});

describe('RouterOS rules through the simulator (seed post: NAT loopback)', () => {
  const scenario = (rules, from = 'pc') => `router:
  interfaces:
    ether1: { address: 203.0.113.22/24 }
    bridge: { address: 10.30.9.1/24 }
  interface_lists: { WAN: [ether1], LAN: [bridge] }
  routes: ["0.0.0.0/0 via 203.0.113.1"]
hosts:
  pc:  { interface: bridge, address: 10.30.9.70/24, gateway: 10.30.9.1 }
  web: { interface: bridge, address: 10.30.9.77/24, gateway: 10.30.9.1, listen: [tcp/5000] }
routeros: |
${rules.split('\n').map((l) => '  ' + l).join('\n')}
trace: { from: ${from}, to: "203.0.113.22:5000" }
`;
  const BASE = `/ip firewall filter
add action=accept chain=forward dst-port=5000 in-interface-list=WAN protocol=tcp
/ip firewall nat
add action=dst-nat chain=dstnat dst-address=203.0.113.22 dst-port=5000 \\
    protocol=tcp to-addresses=10.30.9.77 to-ports=5000`;
  const FIX = '\nadd action=masquerade chain=srcnat comment="NAT loopback" src-address=10.30.9.0/24 dst-address=10.30.9.0/24';

  it('without the hairpin masquerade the LAN client times out', () => {
    const { trace } = runScenario(scenario(BASE));
    assert.strictEqual(trace.outcome, 'timeout');
    assert.strictEqual(trace.server_saw, null);
  });

  it('with it the connection is established and the server sees the router', () => {
    const { trace } = runScenario(scenario(BASE + FIX));
    assert.strictEqual(trace.outcome, 'established');
    assert.strictEqual(trace.server_saw, '10.30.9.1:40000');
    const natSteps = trace.steps.filter((s) => s.kind === 'chain' && s.rule && s.rule.chain === 'srcnat');
    assert.ok(natSteps.length > 0, 'a srcnat rule decided somewhere');
    assert.strictEqual(natSteps[0].rule.rosNumber, 1);
  });

  it('a disabled fix changes nothing', () => {
    const { trace, ruleset } = runScenario(scenario(BASE + FIX + ' disabled=yes'));
    assert.strictEqual(trace.outcome, 'timeout');
    assert.strictEqual(ruleset.disabled.length, 1);
  });

  it('dstnat also applies to connections the router itself opens (nat OUTPUT)', () => {
    const { trace } = runScenario(scenario(BASE, 'router'));
    assert.strictEqual(trace.outcome, 'established');
    const withIface = BASE.replace('dst-address=203.0.113.22', 'in-interface=ether1 dst-address=203.0.113.22');
    assert.notStrictEqual(runScenario(scenario(withIface, 'router')).trace.outcome, 'established', 'in-interface never matches router-originated packets');
  });
});

describe('RouterOS translation loads into a real kernel', function () {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const tools = spawnSync('sh', ['-c', 'command -v unshare && command -v iptables-restore'], { encoding: 'utf8' }).status === 0;
  before(function () {
    if (!root || !tools) { console.log(`      skipped: ${!root ? 'needs root' : 'needs unshare and iptables-restore'}`); this.skip(); }
    // A fresh network namespace is ours alone; skip if the kernel will not give one.
    if (spawnSync('unshare', ['-n', 'true']).status !== 0) { console.log('      skipped: unshare -n fails (no network namespace for this test)'); this.skip(); }
  });

  const load = (save) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ros-')), 'rules.save');
    fs.writeFileSync(f, save);
    return spawnSync('unshare', ['-n', 'sh', '-c', `iptables-restore < '${f}' && iptables-save`], { encoding: 'utf8' });
  };

  it('iptables-restore takes every construct the RouterOS front end produces', () => {
    const rs = parseRouterOS(`/ip firewall address-list
add address=10.30.9.0/24 list=lan-nets
add address=198.51.100.10-198.51.100.20 list=partners
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input protocol=icmp icmp-options=8:0
add action=drop chain=input in-interface-list=!LAN
add action=fasttrack-connection chain=forward connection-state=established,related hw-offload=yes
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new in-interface-list=WAN
add action=jump chain=forward jump-target=web src-address-list=partners
add action=accept chain=web protocol=tcp dst-port=80,443,8000-8100 tcp-flags=syn,!ack
add action=reject chain=web protocol=tcp reject-with=tcp-reset
add action=reject chain=web
add action=log chain=forward log-prefix="fwd drop" dst-address=192.0.2.1-192.0.2.9 src-address-type=!local
/ip firewall nat
add action=dst-nat chain=dstnat dst-address-type=local protocol=tcp dst-port=5000 to-addresses=10.30.9.77 to-ports=5000
add action=dst-nat chain=dstnat in-interface=ether1 protocol=udp dst-port=!53 to-addresses=10.30.9.77-10.30.9.78
add action=redirect chain=dstnat protocol=udp dst-port=53 to-ports=5353 in-interface=!ether1
add action=netmap chain=dstnat dst-address=203.0.113.128/29 to-addresses=10.30.9.128/29
add action=masquerade chain=srcnat out-interface-list=WAN ipsec-policy=out,none
add action=masquerade chain=srcnat src-address-list=lan-nets dst-address-list=lan-nets protocol=tcp to-ports=30000-40000
add action=src-nat chain=srcnat protocol=tcp src-address=10.30.9.5 to-addresses=203.0.113.22 to-ports=20000-20100
add action=jump chain=srcnat jump-target=more
add action=passthrough chain=more
add action=return chain=more`);
    const r = load(toIptablesSave(rs, LISTS));
    assert.strictEqual(r.status, 0, r.stderr);
    // The kernel keeps dstnat in both PREROUTING and OUTPUT.
    assert.match(r.stdout, /-A OUTPUT .*--dst-type LOCAL.*-j DNAT --to-destination 10\.30\.9\.77:5000/);
    assert.match(r.stdout, /-A PREROUTING -i ether1 .*-j DNAT/);
    assert.doesNotMatch(r.stdout, /-A OUTPUT -i /);
  });
});
