'use strict';
// parseRules: dialect dispatch, module registration, YAML line offsets, unknown interface warnings.
const assert = require('assert');
const { parseRules } = require('../../dist/rules');
const { hasMatch, hasTarget } = require('../../dist/rules/registry');
const { NatTraceError } = require('../../dist/errors');

const ENV = { interfaces: ['ether1', 'bridge'], interfaceLists: { WAN: ['ether1'], LAN: ['bridge'] } };

function thrown(fn) {
  try { fn(); } catch (e) { return e; }
  assert.fail('expected an error');
}

describe('parseRules', () => {
  it('registers every match and target module on load', () => {
    for (const m of ['ip', 'tcp', 'udp', 'icmp', 'multiport', 'addrtype', 'conntrack', 'state', 'iprange', 'comment', 'addrlist', 'ifacelist']) {
      assert.ok(hasMatch(m), `match ${m}`);
    }
    for (const t of ['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', 'JUMP', 'GOTO', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'PASSTHROUGH']) {
      assert.ok(hasTarget(t), `target ${t}`);
    }
  });

  it('dispatches on the dialect', () => {
    const ros = parseRules({ dialect: 'routeros', text: '/ip firewall nat\nadd chain=srcnat action=masquerade out-interface=ether1', line: 1 }, ENV);
    assert.strictEqual(ros.dialect, 'routeros');
    assert.strictEqual(ros.tables.nat.POSTROUTING.rules[0].target.module, 'MASQUERADE');
    const ipt = parseRules({ dialect: 'iptables', text: '-t nat -A POSTROUTING -o ether1 -j MASQUERADE', line: 1 }, ENV);
    assert.strictEqual(ipt.dialect, 'iptables');
    assert.strictEqual(ipt.tables.nat.POSTROUTING.rules[0].target.module, 'MASQUERADE');
    const e = thrown(() => parseRules({ dialect: 'pf', text: '', line: 1 }, ENV));
    assert.ok(e instanceof NatTraceError);
    assert.strictEqual(e.token, 'pf');
  });

  it('shifts error lines by where the rules start in the scenario file', () => {
    // The rules block's first line is YAML line 12, so rules line 3 is file line 14.
    const e = thrown(() => parseRules({ dialect: 'routeros', text: '/ip firewall nat\n\nadd chain=dstnat acton=dst-nat', line: 12 }, ENV));
    assert.ok(e instanceof NatTraceError);
    assert.strictEqual(e.line, 14);
    assert.strictEqual(e.suggestion, 'action');
    const i = thrown(() => parseRules({ dialect: 'iptables', text: '-A FORWARD -j ACCEPT\n-A FORWARD --dprot 80 -j ACCEPT', line: 5 }, ENV));
    assert.ok(i instanceof NatTraceError);
    assert.strictEqual(i.line, 6);
  });

  it('warns (without failing) about interfaces and interface lists the scenario does not have', () => {
    const rs = parseRules({
      dialect: 'routeros',
      text: '/ip firewall filter\nadd chain=forward in-interface=ether2 action=drop\nadd chain=forward out-interface-list=DMZ\nadd chain=forward in-interface=bridge in-interface-list=all',
      line: 20,
    }, ENV);
    const w = rs.warnings;
    const iface = w.find((x) => x.message.includes('ether2'));
    assert.ok(iface, JSON.stringify(w));
    assert.strictEqual(iface.line, 2, 'warnings keep lines relative to the rules text (the simulator adds the offset)');
    assert.ok(w.find((x) => x.message.includes('DMZ') && x.line === 3));
    assert.ok(!w.some((x) => x.line === 4), 'known interface and the built-in list "all" are fine');
  });

  it('warns about iptables interface wildcards that match nothing, not ones that do', () => {
    const rs = parseRules({ dialect: 'iptables', text: '-A FORWARD -i wlan+ -j DROP\n-A FORWARD -i br+ -j DROP', line: 1 }, ENV);
    assert.ok(rs.warnings.some((x) => x.message.includes('wlan+') && x.line === 1));
    assert.ok(!rs.warnings.some((x) => x.message.includes('br+')));
  });

  it('warns once per rule even when a rule sits in two chains (dstnat at PREROUTING and OUTPUT)', () => {
    const rs = parseRules({ dialect: 'routeros', text: '/ip firewall nat\nadd chain=dstnat in-interface=!wan0 action=accept', line: 1 }, ENV);
    assert.strictEqual(rs.warnings.filter((x) => x.message.includes('wan0')).length, 1);
  });
});
