'use strict';
// RouterOS text -> neutral rule model: structure of the produced chains, matches and targets.
const assert = require('assert');
const { parseRouterOS } = require('../../dist/rules/routeros/parse');

const chainRules = (rs, table, chain) => rs.tables[table][chain].rules;
const mod = (rule, name) => rule.matches.filter((m) => m.module === name);
const one = (rule, name) => {
  const ms = mod(rule, name);
  assert.strictEqual(ms.length, 1, `expected one ${name} match in ${JSON.stringify(rule.matches)}`);
  return ms[0].opts;
};

// The seed post's router (documentation addresses): forward accept for the web server,
// the dst-nat of WAN:5000, and the hairpin fix.
const SEED = `/ip firewall filter
add action=accept chain=forward comment="web server from WAN" dst-port=5000 in-interface-list=WAN protocol=tcp
/ip firewall nat
add action=dst-nat chain=dstnat dst-address=203.0.113.22 dst-port=5000 protocol=tcp to-addresses=10.30.9.77 to-ports=5000
add action=masquerade chain=srcnat comment="NAT loopback" dst-address=10.30.9.0/24 src-address=10.30.9.0/24
`;

describe('RouterOS parser: model', () => {
  describe('seed post rules', () => {
    const rs = parseRouterOS(SEED);

    it('puts the forward accept into filter FORWARD with an interface-list match', () => {
      const [r] = chainRules(rs, 'filter', 'FORWARD');
      assert.strictEqual(r.target.module, 'ACCEPT');
      assert.deepStrictEqual(one(r, 'ip').proto, { proto: 'tcp', invert: false });
      assert.deepStrictEqual(one(r, 'tcp').dport, { min: 5000, max: 5000, invert: false });
      assert.deepStrictEqual(one(r, 'ifacelist'), { dir: 'in', list: 'WAN', invert: false });
      assert.strictEqual(r.comment, 'web server from WAN');
      assert.strictEqual(r.source.chainDisplay, 'forward');
      assert.strictEqual(r.source.line, 2);
    });

    it('hooks dstnat at PREROUTING and OUTPUT with the same DNAT', () => {
      const pre = chainRules(rs, 'nat', 'PREROUTING');
      const out = chainRules(rs, 'nat', 'OUTPUT');
      assert.strictEqual(pre.length, 1);
      assert.strictEqual(out.length, 1);
      for (const r of [pre[0], out[0]]) {
        assert.strictEqual(r.target.module, 'DNAT');
        assert.deepStrictEqual(r.target.opts, { minIp: '10.30.9.77', maxIp: '10.30.9.77', minPort: 5000, maxPort: 5000 });
        assert.strictEqual(one(r, 'ip').dst.cidr, '203.0.113.22/32');
        assert.strictEqual(r.source.chainDisplay, 'dstnat');
        assert.strictEqual(r.source.rosNumber, 0);
        assert.strictEqual(r.source.number, 1);
        assert.strictEqual(r.source.line, 4);
      }
      assert.strictEqual(pre[0].chain, 'PREROUTING');
      assert.strictEqual(out[0].chain, 'OUTPUT');
      assert.strictEqual(rs.tables.nat.PREROUTING.displayName, 'dstnat');
    });

    it('puts srcnat only into POSTROUTING, numbered within the section', () => {
      const post = chainRules(rs, 'nat', 'POSTROUTING');
      assert.strictEqual(post.length, 1);
      assert.strictEqual(post[0].target.module, 'MASQUERADE');
      assert.strictEqual(post[0].source.rosNumber, 1);
      assert.strictEqual(post[0].source.number, 1);
      assert.strictEqual(one(post[0], 'ip').src.cidr, '10.30.9.0/24');
      assert.strictEqual(chainRules(rs, 'nat', 'INPUT').length, 0);
    });

    it('creates every built-in chain with policy ACCEPT', () => {
      assert.deepStrictEqual(Object.keys(rs.tables.nat), ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
      assert.deepStrictEqual(Object.keys(rs.tables.filter), ['INPUT', 'FORWARD', 'OUTPUT']);
      for (const t of Object.values(rs.tables)) for (const c of Object.values(t)) assert.strictEqual(c.policy, 'ACCEPT');
      assert.strictEqual(rs.dialect, 'routeros');
    });
  });

  describe('/export text', () => {
    // As RouterOS 7 prints it: wrapped with backslashes, sometimes right after `name=`.
    const EXPORT = `# 2024-03-09 20:04:11 by RouterOS 7.14
# software id = ABCD-1234
#
/interface list member
add interface=ether1 list=WAN
/ip firewall address-list
add address=10.30.9.0/24 list=lan-nets
add address=198.51.100.10-198.51.100.20 comment="partner \\"A\\"" list=partners
add address=192.0.2.7 disabled=yes list=partners
/ip firewall filter
add action=accept chain=input comment=\\
    "defconf: accept established,related,untracked" connection-state=\\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=invalid
add action=drop chain=input comment="defconf: drop all not coming from LAN" \\
    in-interface-list=!LAN
add action=drop chain=forward comment=\\
    "defconf: drop all from WAN not DSTNATed" connection-nat-state=!dstnat \\
    connection-state=new in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" \\
    ipsec-policy=out,none out-interface-list=WAN
`;
    const rs = parseRouterOS(EXPORT);

    it('joins continuation lines, including a break right after name=', () => {
      const [est] = chainRules(rs, 'filter', 'INPUT');
      assert.strictEqual(est.comment, 'defconf: accept established,related,untracked');
      assert.deepStrictEqual(one(est, 'conntrack').ctstate, { states: ['ESTABLISHED', 'RELATED', 'UNTRACKED'], invert: false });
      assert.strictEqual(est.source.line, 11, 'the line where add began');
      assert.ok(est.source.text.startsWith('add action=accept chain=input comment="defconf'));
      assert.ok(!est.source.text.includes('\\'));
    });

    it('maps negated interface lists and connection-nat-state', () => {
      const input = chainRules(rs, 'filter', 'INPUT');
      assert.deepStrictEqual(one(input[2], 'ifacelist'), { dir: 'in', list: 'LAN', invert: true });
      const [fwd] = chainRules(rs, 'filter', 'FORWARD');
      const cts = mod(fwd, 'conntrack').map((m) => m.opts.ctstate);
      assert.deepStrictEqual(cts, [{ states: ['NEW'], invert: false }, { states: ['DNAT'], invert: true }]);
      assert.strictEqual(fwd.target.module, 'DROP');
    });

    it('collects address lists, skipping disabled entries, decoding \\" in quotes', () => {
      assert.deepStrictEqual({ ...rs.addressLists }, { 'lan-nets': ['10.30.9.0/24'], partners: ['198.51.100.10-198.51.100.20'] });
    });

    it('drops ipsec-policy=out,none (always true without IPsec) and keeps the rest', () => {
      const [m] = chainRules(rs, 'nat', 'POSTROUTING');
      assert.strictEqual(m.target.module, 'MASQUERADE');
      assert.deepStrictEqual(m.matches, [{ module: 'ifacelist', opts: { dir: 'out', list: 'WAN', invert: false } }]);
    });

    it('warns about the ignored /interface list member section', () => {
      const w = rs.warnings.find((x) => x.message.includes('/interface list member'));
      assert.ok(w, JSON.stringify(rs.warnings));
      assert.strictEqual(w.line, 4);
    });
  });

  it('accepts the one-line form and numbers print order per section', () => {
    const rs = parseRouterOS([
      '/ip firewall nat add chain=srcnat action=masquerade out-interface=ether1',
      '/ip firewall filter add chain=forward action=drop',
      '/ip/firewall/nat add chain=srcnat action=accept src-address=10.0.0.1',
    ].join('\n'));
    const post = chainRules(rs, 'nat', 'POSTROUTING');
    assert.deepStrictEqual(post.map((r) => [r.target.module, r.source.rosNumber, r.source.number, r.source.line]), [
      ['MASQUERADE', 0, 1, 1], ['ACCEPT', 1, 2, 3],
    ]);
    assert.strictEqual(chainRules(rs, 'filter', 'FORWARD')[0].source.rosNumber, 0);
  });

  it('runs a one-line /path add in that menu without leaving the current section', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=forward action=drop
/ip firewall nat add chain=srcnat action=masquerade
add chain=forward action=accept`);
    assert.deepStrictEqual(chainRules(rs, 'filter', 'FORWARD').map((r) => [r.target.module, r.source.rosNumber]), [['DROP', 0], ['ACCEPT', 1]]);
    assert.strictEqual(chainRules(rs, 'nat', 'POSTROUTING').length, 1);
  });

  it('keeps disabled rules out of the chains but records them with their print number', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=forward action=accept protocol=udp
add chain=forward action=drop disabled=yes
add chain=forward action=reject`);
    const fwd = chainRules(rs, 'filter', 'FORWARD');
    assert.deepStrictEqual(fwd.map((r) => [r.target.module, r.source.rosNumber, r.source.number]), [['ACCEPT', 0, 1], ['REJECT', 2, 2]]);
    assert.strictEqual(rs.disabled.length, 1);
    assert.strictEqual(rs.disabled[0].target.module, 'DROP');
    assert.strictEqual(rs.disabled[0].source.rosNumber, 1);
    assert.strictEqual(rs.disabled[0].chain, 'FORWARD');
  });

  it('honours place-before=N as print-order insertion', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=forward action=accept comment=a
add chain=forward action=accept comment=b
add chain=forward action=drop comment=c place-before=1`);
    assert.deepStrictEqual(chainRules(rs, 'filter', 'FORWARD').map((r) => [r.comment, r.source.rosNumber, r.source.number]),
      [['a', 0, 1], ['c', 1, 2], ['b', 2, 3]]);
  });

  it('defaults the action to accept and reject-with to icmp-network-unreachable (iptables name)', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=input
add chain=input action=reject
add chain=input action=reject reject-with=icmp-admin-prohibited
add chain=input action=reject protocol=tcp reject-with=tcp-reset
add chain=input action=reject reject-with=icmp-protocol-unreachable`);
    const r = chainRules(rs, 'filter', 'INPUT');
    assert.strictEqual(r[0].target.module, 'ACCEPT');
    assert.deepStrictEqual(r.slice(1).map((x) => x.target.opts.with),
      ['icmp-net-unreachable', 'icmp-admin-prohibited', 'tcp-reset', 'icmp-proto-unreachable']);
  });

  it('maps addresses, ranges and their negations', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=forward src-address=!10.1.2.3/16 dst-address=192.0.2.10-192.0.2.20
add chain=forward src-address=10.0.0.5-10.0.0.9 dst-address=!192.0.2.1 action=drop`);
    const [a, b] = chainRules(rs, 'filter', 'FORWARD');
    assert.deepStrictEqual(one(a, 'ip').src, { cidr: '10.1.0.0/16', invert: true }, 'host bits cleared as RouterOS stores it');
    assert.deepStrictEqual(one(a, 'iprange'), { dst: { min: '192.0.2.10', max: '192.0.2.20', invert: false } });
    assert.deepStrictEqual(one(b, 'iprange'), { src: { min: '10.0.0.5', max: '10.0.0.9', invert: false } });
    assert.deepStrictEqual(one(b, 'ip').dst, { cidr: '192.0.2.1/32', invert: true });
  });

  it('maps ports: one port or range -> tcp/udp match, lists -> multiport, port= -> either side', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=forward protocol=udp dst-port=1000-2000 src-port=!53
add chain=forward protocol=tcp dst-port=80,443,8000-8100
add chain=forward protocol=tcp dst-port=!22,23
add chain=forward protocol=6 port=25`);
    const [a, b, c, d] = chainRules(rs, 'filter', 'FORWARD');
    assert.deepStrictEqual(one(a, 'udp'), { sport: { min: 53, max: 53, invert: true }, dport: { min: 1000, max: 2000, invert: false } });
    assert.deepStrictEqual(one(b, 'multiport'), { dir: 'dst', ports: [[80, 80], [443, 443], [8000, 8100]], invert: false });
    assert.strictEqual(mod(b, 'tcp').length, 0);
    assert.deepStrictEqual(one(c, 'multiport'), { dir: 'dst', ports: [[22, 22], [23, 23]], invert: true });
    assert.strictEqual(one(d, 'ip').proto.proto, 'tcp', 'protocol number 6 is tcp');
    assert.deepStrictEqual(one(d, 'multiport'), { dir: 'any', ports: [[25, 25]], invert: false });
  });

  it('maps protocols by name and number, with negation', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=input protocol=!icmp action=drop
add chain=input protocol=gre
add chain=input protocol=17`);
    const [a, b, c] = chainRules(rs, 'filter', 'INPUT');
    assert.deepStrictEqual(one(a, 'ip').proto, { proto: 'icmp', invert: true });
    assert.deepStrictEqual(one(b, 'ip').proto, { proto: '47', invert: false });
    assert.deepStrictEqual(one(c, 'ip').proto, { proto: 'udp', invert: false });
  });

  it('maps address types, icmp-options and tcp-flags', () => {
    const rs = parseRouterOS(`/ip firewall nat
add chain=dstnat dst-address-type=local src-address-type=!unicast,broadcast action=accept
/ip firewall filter
add chain=input protocol=icmp icmp-options=8:0
add chain=input protocol=icmp icmp-options=!3
add chain=input protocol=tcp tcp-flags=syn,!ack dst-port=22`);
    const [nat] = chainRules(rs, 'nat', 'PREROUTING');
    assert.deepStrictEqual(one(nat, 'addrtype'), { dst: { types: ['LOCAL'], invert: false }, src: { types: ['UNICAST', 'BROADCAST'], invert: true } });
    const [p, u, s] = chainRules(rs, 'filter', 'INPUT');
    assert.deepStrictEqual(one(p, 'icmp'), { type: 8, code: 0, invert: false });
    assert.deepStrictEqual(one(u, 'icmp'), { type: 3, invert: true });
    assert.deepStrictEqual(one(s, 'tcp'), { dport: { min: 22, max: 22, invert: false }, tcpFlags: { mask: ['SYN', 'ACK'], comp: ['SYN'], invert: false } });
  });

  it('maps every NAT action to its netfilter target', () => {
    const rs = parseRouterOS(`/ip firewall nat
add chain=dstnat action=dst-nat to-addresses=10.0.0.10-10.0.0.12 protocol=udp to-ports=7000-7010
add chain=dstnat action=dst-nat protocol=tcp dst-port=80 to-ports=8080
add chain=dstnat action=redirect protocol=tcp dst-port=53 to-ports=5353
add chain=dstnat action=netmap dst-address=203.0.113.0/29 to-addresses=10.9.9.0-10.9.9.7
add chain=srcnat action=src-nat to-addresses=203.0.113.22
add chain=srcnat action=masquerade protocol=tcp to-ports=20000-30000
add chain=srcnat action=netmap src-address=10.9.9.0/29 to-addresses=203.0.113.0/29
add chain=srcnat action=passthrough
add chain=srcnat action=log log-prefix="nat: "
add chain=srcnat action=return`);
    const pre = chainRules(rs, 'nat', 'PREROUTING').map((r) => r.target);
    assert.deepStrictEqual(pre, [
      { module: 'DNAT', opts: { minIp: '10.0.0.10', maxIp: '10.0.0.12', minPort: 7000, maxPort: 7010 } },
      { module: 'DNAT', opts: { minPort: 8080, maxPort: 8080 } },
      { module: 'REDIRECT', opts: { minPort: 5353, maxPort: 5353 } },
      { module: 'NETMAP', opts: { to: '10.9.9.0/29' } },
    ]);
    const post = chainRules(rs, 'nat', 'POSTROUTING').map((r) => r.target);
    assert.deepStrictEqual(post, [
      { module: 'SNAT', opts: { minIp: '203.0.113.22', maxIp: '203.0.113.22' } },
      { module: 'MASQUERADE', opts: { minPort: 20000, maxPort: 30000 } },
      { module: 'NETMAP', opts: { to: '203.0.113.0/29' } },
      { module: 'PASSTHROUGH', opts: {} },
      { module: 'LOG', opts: { prefix: 'nat: ' } },
      { module: 'RETURN', opts: {} },
    ]);
  });

  it('turns custom chains into user chains of the section, reached by jump', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=forward action=jump jump-target=from-wan in-interface=ether1
add chain=from-wan action=accept protocol=tcp dst-port=5000
add chain=from-wan action=drop
add chain=forward action=jump jump-target=empty`);
    const [j] = chainRules(rs, 'filter', 'FORWARD');
    assert.deepStrictEqual(j.target, { module: 'JUMP', opts: { chain: 'from-wan' } });
    const c = rs.tables.filter['from-wan'];
    assert.strictEqual(c.builtin, false);
    assert.strictEqual(c.policy, undefined);
    assert.deepStrictEqual(c.rules.map((r) => [r.chain, r.source.chainDisplay, r.source.number, r.source.rosNumber]),
      [['from-wan', 'from-wan', 1, 1], ['from-wan', 'from-wan', 2, 2]]);
    assert.deepStrictEqual(rs.tables.filter.empty.rules, [], 'a jump target with no rules exists, empty');
    assert.strictEqual(rs.tables.nat['from-wan'], undefined);
  });

  it('takes RouterOS v7 nat chains input and output as nat INPUT and OUTPUT, in print order', () => {
    const rs = parseRouterOS(`/ip firewall nat
add chain=output action=dst-nat protocol=tcp dst-port=80 to-ports=8080
add chain=dstnat action=dst-nat to-addresses=10.0.0.2
add chain=input action=src-nat to-addresses=10.0.0.1`);
    assert.deepStrictEqual(chainRules(rs, 'nat', 'OUTPUT').map((r) => [r.source.chainDisplay, r.source.rosNumber, r.source.number]),
      [['output', 0, 1], ['dstnat', 1, 2]]);
    assert.deepStrictEqual(chainRules(rs, 'nat', 'PREROUTING').map((r) => r.source.rosNumber), [1]);
    assert.strictEqual(chainRules(rs, 'nat', 'INPUT')[0].target.module, 'SNAT');
    assert.strictEqual(rs.tables.nat.OUTPUT.displayName, 'dstnat/output');
    assert.strictEqual(rs.tables.nat.output, undefined, 'not a user chain');
  });

  it('warns about custom chains nobody jumps to and nat chains named like filter ones', () => {
    const rs = parseRouterOS(`/ip firewall nat
add chain=forward action=accept`);
    const msgs = rs.warnings.map((w) => w.message).join('\n');
    assert.match(msgs, /chain forward .* never jumped to/);
    assert.match(msgs, /custom chain there/);
    assert.strictEqual(rs.tables.nat.forward.rules.length, 1);
  });

  describe('interfaces at hooks that have none (dstnat runs at PREROUTING and OUTPUT)', () => {
    const rs = parseRouterOS(`/ip firewall nat
add chain=dstnat in-interface=ether1 protocol=tcp dst-port=80 action=dst-nat to-addresses=10.0.0.2
add chain=dstnat in-interface=!bridge action=dst-nat to-addresses=10.0.0.3
add chain=dstnat out-interface=ether1 action=dst-nat to-addresses=10.0.0.4
add chain=dstnat in-interface-list=WAN action=dst-nat to-addresses=10.0.0.5`);
    const pre = chainRules(rs, 'nat', 'PREROUTING');
    const out = chainRules(rs, 'nat', 'OUTPUT');

    it('a positive in-interface rule is left out of OUTPUT (it never matches there)', () => {
      assert.deepStrictEqual(pre.map((r) => r.source.rosNumber), [0, 1, 3]);
      assert.deepStrictEqual(out.map((r) => r.source.rosNumber), [1, 2]);
    });
    it('a negated in-interface always matches at OUTPUT, so the OUTPUT copy drops it', () => {
      assert.deepStrictEqual(one(pre[1], 'ip').inIface, { name: 'bridge', invert: true });
      assert.deepStrictEqual(out[0].matches, []);
    });
    it('out-interface only applies to the OUTPUT copy; numbers follow each chain', () => {
      assert.deepStrictEqual(one(out[1], 'ip').outIface, { name: 'ether1', invert: false });
      assert.deepStrictEqual(out.map((r) => r.source.number), [1, 2]);
      assert.deepStrictEqual(pre.map((r) => r.source.number), [1, 2, 3]);
    });
  });

  it('only warns about a jump loop no built-in chain reaches (the kernel loads it too)', () => {
    const rs = parseRouterOS(`/ip firewall filter
add chain=a action=jump jump-target=b
add chain=b action=jump jump-target=a`);
    assert.ok(rs.warnings.some((w) => /chain a .*never jumped to/.test(w.message) && w.line === 2), JSON.stringify(rs.warnings));
    assert.strictEqual(rs.tables.filter.b.rules.length, 1);
  });

  it('treats fasttrack-connection as passthrough with a warning', () => {
    const rs = parseRouterOS(`/ip firewall filter
add action=fasttrack-connection chain=forward comment="defconf: fasttrack" connection-state=established,related hw-offload=yes
add action=accept chain=forward connection-state=established,related,untracked`);
    const [f] = chainRules(rs, 'filter', 'FORWARD');
    assert.strictEqual(f.target.module, 'PASSTHROUGH');
    assert.ok(rs.warnings.some((w) => /fasttrack/.test(w.message) && w.line === 2));
  });

  it('leaves rules with ipsec-policy=...,ipsec out of the chains (no IPsec in the simulation)', () => {
    const rs = parseRouterOS(`/ip firewall filter
add action=accept chain=forward comment="defconf: accept in ipsec policy" ipsec-policy=in,ipsec
add action=drop chain=forward`);
    const fwd = chainRules(rs, 'filter', 'FORWARD');
    assert.deepStrictEqual(fwd.map((r) => [r.target.module, r.source.rosNumber, r.source.number]), [['DROP', 1, 1]]);
    assert.strictEqual(rs.disabled[0].source.rosNumber, 0);
    assert.ok(rs.warnings.some((w) => /ipsec/.test(w.message)));
  });

  it('is deterministic: same text, same model', () => {
    assert.strictEqual(JSON.stringify(parseRouterOS(SEED)), JSON.stringify(parseRouterOS(SEED)));
  });
});
