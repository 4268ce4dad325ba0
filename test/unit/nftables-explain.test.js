'use strict';
// nat-trace explain/fix on nftables rulesets: the diagnosis, and fixes written in nft in the ruleset's own
// style (a new rule on its own line in the right chain, nft commands for the console), each simulated.
const assert = require('assert');
const { runScenario } = require('../../dist/index');
const { explain } = require('../../dist/explain');

const NET = `router:
  interfaces:
    wan0: { address: 203.0.113.2/24 }
    lan0: { address: 192.168.1.1/24 }
  routes: ["default via 203.0.113.1"]
hosts:
  laptop: { interface: lan0, address: 192.168.1.10, gateway: 192.168.1.1 }
  nas: { interface: lan0, address: 192.168.1.20, gateway: 192.168.1.1, listen: [tcp/443] }
  phone: { interface: wan0, address: 203.0.113.80, gateway: 203.0.113.2 }
`;
const NAT = `  table ip nat {
  	chain prerouting {
  		type nat hook prerouting priority dstnat; policy accept;
  		fib daddr type local tcp dport 443 dnat to 192.168.1.20
  	}
  	chain postrouting {
  		type nat hook postrouting priority srcnat; policy accept;
  		oifname "wan0" masquerade
  	}
  }
`;
const FILTER = `  table inet filter {
  	chain forward {
  		type filter hook forward priority filter; policy drop;
  		ct state established,related accept
  		iifname "lan0" accept
  	}
  }
`;

describe('explain and fix: nftables', function () {
  this.timeout(60000);

  it('a hairpin: the LAN masquerade goes into the nat postrouting chain, on its own line', () => {
    const sim = runScenario(`${NET}trace: laptop -> 203.0.113.2:443\nnftables: |\n${NAT}`);
    const ex = explain(sim);
    assert.strictEqual(ex.diagnosis.cause, 'hairpin-no-masquerade');
    const fix = ex.fixes[0];
    assert.ok(fix, 'a fix');
    assert.strictEqual(fix.outcome, 'established');
    assert.deepStrictEqual(fix.added, ['ip saddr 192.168.1.0/24 ip daddr 192.168.1.0/24 masquerade']);
    assert.match(fix.rules, /\t\toifname "wan0" masquerade\n\t\tip saddr 192\.168\.1\.0\/24 ip daddr 192\.168\.1\.0\/24 masquerade\n\t\}/);
    assert.deepStrictEqual(fix.commands, ['nft add rule ip nat postrouting ip saddr 192.168.1.0/24 ip daddr 192.168.1.0/24 masquerade']);
    // The fixed text is a scenario a reader can paste: it parses and connects.
    const again = runScenario(`${NET}trace: laptop -> 203.0.113.2:443\nnftables: |\n${fix.rules.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n')}`);
    assert.strictEqual(again.trace.outcome, 'established');
  });

  it('a policy drop in forward: an accept for the connection in that chain', () => {
    const sim = runScenario(`${NET}trace: phone -> 203.0.113.2:443\nnftables: |\n${FILTER}${NAT}`);
    const ex = explain(sim);
    assert.strictEqual(ex.diagnosis.cause, 'policy-drop');
    const fix = ex.fixes.find((f) => f.outcome === 'established');
    assert.ok(fix, 'a fix that connects');
    assert.ok(fix.added.every((l) => /accept$/.test(l)), fix.added.join('\n'));
    assert.ok(fix.commands[0].startsWith('nft add rule inet filter forward ') || fix.commands[0].startsWith('nft insert rule inet filter forward '), fix.commands[0]);
  });

  it('no nat chain at all: the fix adds one with nft commands', () => {
    const sim = runScenario(`${NET}trace: laptop -> 203.0.113.2:443\nnftables: |\n  table ip nat {\n  \tchain prerouting {\n  \t\ttype nat hook prerouting priority dstnat;\n  \t\tfib daddr type local tcp dport 443 dnat to 192.168.1.20\n  \t}\n  }\n`);
    const fix = explain(sim).fixes[0];
    assert.ok(fix, 'a fix');
    assert.strictEqual(fix.outcome, 'established');
    assert.match(fix.rules, /add chain ip nat postrouting \{ type nat hook postrouting priority srcnat; policy accept; \}\nadd rule ip nat postrouting /);
  });
});

describe('nftables writer: rule changes', () => {
  const { nftChange } = require('../../dist/explain/writers/nftables');
  it('sets an in interface, a source and a destination port as the other writers do (a port in place)', () => {
    const rule = 'iifname "eth1" ip saddr 10.0.1.0/24 tcp dport != 8443 counter accept';
    assert.strictEqual(nftChange(rule, { setDport: 443 }), 'iifname "eth1" ip saddr 10.0.1.0/24 tcp dport 443 counter accept');
    assert.strictEqual(nftChange(rule, { setSrc: '10.0.0.0/24' }), 'iifname "eth1" tcp dport != 8443 ip saddr 10.0.0.0/24 counter accept');
    assert.strictEqual(nftChange(rule, { setInIface: 'eth0' }), 'ip saddr 10.0.1.0/24 tcp dport != 8443 iifname "eth0" counter accept');
  });
});
