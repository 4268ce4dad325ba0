'use strict';
const assert = require('assert');
const { parseScenario, parseScenarioRaw, mergeRaw } = require('../../dist/scenario/parse');
const { NatTraceError } = require('../../dist/errors');

const BASE = `router:
  name: MikroTik
  interfaces:
    ether1: { address: 203.0.113.22/24 }
    bridge: { address: [10.30.9.1/24, 10.30.10.1/24] }
  interface_lists: { WAN: [ether1], LAN: [bridge] }
  routes: ["0.0.0.0/0 via 203.0.113.1"]
hosts:
  pc:  { interface: bridge, address: 10.30.9.70/24, gateway: 10.30.9.1 }
  web: { interface: bridge, address: 10.30.9.77, gateway: 10.30.9.1, listen: [tcp/5000, udp/53] }
routeros: |
  /ip firewall nat
  add chain=dstnat action=dst-nat to-addresses=10.30.9.77
trace: pc -> 203.0.113.22:5000
`;

function errorOf(fn) {
  try { fn(); } catch (e) { return e; }
  assert.fail('expected an error');
}

describe('scenario parser', () => {
  it('reads the documented format', () => {
    const s = parseScenario(BASE);
    assert.strictEqual(s.router.name, 'MikroTik');
    assert.deepStrictEqual(s.router.interfaces.map((i) => i.name), ['ether1', 'bridge']);
    assert.strictEqual(s.router.interfaces[1].addresses.length, 2);
    assert.deepStrictEqual({ ...s.router.interfaceLists }, { WAN: ['ether1'], LAN: ['bridge'] });
    assert.strictEqual(s.router.routes[0].via, '203.0.113.1');
    const web = s.hosts.find((h) => h.name === 'web');
    assert.strictEqual(web.addresses[0].prefix, 24, 'a bare host address takes the subnet prefix');
    assert.deepStrictEqual(web.listen, [{ proto: 'tcp', port: 5000 }, { proto: 'udp', port: 53 }]);
    assert.deepStrictEqual(s.trace, { from: 'pc', to: { ip: '203.0.113.22', port: 5000 }, proto: 'tcp', sport: 40000 });
    assert.strictEqual(s.rules.dialect, 'routeros');
    assert.strictEqual(s.rules.line, 12, 'rules start on the line after `routeros: |`');
    assert.match(s.rules.text, /^\/ip firewall nat\n/);
  });

  it('takes the trace shorthand with /udp, a host name as target and a site default sport', () => {
    const s = parseScenario(BASE.replace('trace: pc -> 203.0.113.22:5000', 'trace: pc -> web:53/udp'), { sport: 41000 });
    assert.deepStrictEqual(s.trace, { from: 'pc', to: { ip: '10.30.9.77', port: 53 }, proto: 'udp', sport: 41000 });
    const o = parseScenario(BASE.replace('trace: pc -> 203.0.113.22:5000', 'trace: { from: pc, to: "203.0.113.22:80", proto: udp, sport: 1234 }'));
    assert.strictEqual(o.trace.sport, 1234);
    assert.strictEqual(o.trace.proto, 'udp');
  });

  it('names the unknown key, its line and the nearest valid key', () => {
    const e = errorOf(() => parseScenario(BASE.replace('gateway: 10.30.9.1 }', 'gatway: 10.30.9.1 }'), { file: 'post.md', lineOffset: 10 }));
    assert.ok(e instanceof NatTraceError);
    assert.strictEqual(e.file, 'post.md');
    assert.strictEqual(e.line, 19, 'line 9 of the block + offset 10');
    assert.strictEqual(e.token, 'gatway');
    assert.strictEqual(e.suggestion, 'gateway');
    assert.match(e.format(), /^post\.md:19: unknown key "gatway"/);
  });

  it('refuses bad addresses, gateways off-subnet, unknown interfaces and both dialects', () => {
    assert.match(errorOf(() => parseScenario(BASE.replace('10.30.9.70/24', '10.30.9.700/24'))).message, /not an IPv4 address/);
    assert.match(errorOf(() => parseScenario(BASE.replace('gateway: 10.30.9.1 }', 'gateway: 10.99.9.1 }'))).message, /not in any of its subnets/);
    const e = errorOf(() => parseScenario(BASE.replace('pc:  { interface: bridge', 'pc:  { interface: bridg')));
    assert.strictEqual(e.suggestion, 'bridge');
    assert.match(errorOf(() => parseScenario(BASE + 'iptables: "-A FORWARD -j ACCEPT"\n')).message, /either "routeros" or "iptables"/);
    assert.match(errorOf(() => parseScenario(BASE.replace('trace: pc -> 203.0.113.22:5000', 'trace: pc => x'))).expected, /HOST -> ADDRESS:PORT/);
    assert.match(errorOf(() => parseScenario('router: [1, 2')).message, /^YAML/);
  });

  it('refuses gateways the kernel refuses: its own address, or off every connected subnet (with the line)', () => {
    const own = errorOf(() => parseScenario(BASE.replace('gateway: 10.30.9.1 }', 'gateway: 10.30.9.70 }')));
    assert.match(own.message, /its own address/);
    const withRoute = (r) => BASE.replace('routes: ["0.0.0.0/0 via 203.0.113.1"]', `routes: ["${r}"]`);
    const self = errorOf(() => parseScenario(withRoute('10.9.0.0/16 via 10.30.9.1')));
    assert.match(self.message, /own address .*Nexthop has invalid gateway/);
    assert.strictEqual(self.line, BASE.split('\n').findIndex((l) => l.includes('routes:')) + 1);
    assert.match(errorOf(() => parseScenario(withRoute('10.9.0.0/16 via 10.1.1.1'))).message, /not on a connected subnet/);
    assert.strictEqual(parseScenario(withRoute('10.9.0.0/16 via 10.30.9.77')).router.routes[0].via, '10.30.9.77');
  });

  it('merges a from: base key by key, and rules replace rules whatever the dialect', () => {
    const base = parseScenarioRaw(BASE);
    const over = parseScenarioRaw('iptables: "-t nat -A POSTROUTING -j MASQUERADE"\nhosts:\n  pc: { interface: bridge, address: 10.30.9.71/24, gateway: 10.30.9.1 }\n');
    const merged = mergeRaw(base, over);
    assert.ok(!('routeros' in merged));
    const s = parseScenario('hosts:\n  pc: { interface: bridge, address: 10.30.9.71/24, gateway: 10.30.9.1 }\n', { base });
    assert.strictEqual(s.hosts.find((h) => h.name === 'pc').addresses[0].address, '10.30.9.71');
    assert.ok(s.hosts.find((h) => h.name === 'web'), 'hosts not given stay');
    assert.strictEqual(s.rules.dialect, 'routeros');
    const empty = parseScenario('', { base });
    assert.strictEqual(empty.trace.to.port, 5000, 'an empty body reuses everything');
  });
});
