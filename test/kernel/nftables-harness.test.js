'use strict';
// The harness loads an `nftables:` scenario as written with `nft -f` in the
// router's namespace (no translation, no parser of ours): what the kernel's nft
// makes of it decides, and a ruleset nft refuses fails with nft's own message.
const assert = require('assert');
const { runInKernel, nftablesOf, missingTools } = require('./harness');

const NETWORK = `router:
  interfaces:
    wan: { address: 203.0.113.2/24 }
    lan: { address: 192.168.1.1/24 }
hosts:
  web:     { interface: lan, address: 192.168.1.20, gateway: 192.168.1.1, listen: [tcp/8080] }
  visitor: { interface: wan, address: 203.0.113.80 }
trace: visitor -> 203.0.113.2:80
`;

const scenario = (nft) => `${NETWORK}nftables: |\n${nft.trim().split('\n').map((l) => `  ${l}`).join('\n')}\n`;

const FORWARD = `
define WEB = 192.168.1.20
table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local tcp dport 80 dnat to $WEB:8080
  }
}`;

describe('kernel harness: nftables rulesets loaded with nft -f', function () {
  before(function () {
    const missing = missingTools(['nftables']);
    if (missing.length) {
      console.log(`    skipped: needs ${missing.join(', ')}`);
      this.skip();
    }
  });

  it('reads the network without the rules and keeps the ruleset text as written', function () {
    const n = nftablesOf(scenario(FORWARD));
    assert.deepStrictEqual(n.scenario.hosts.map((h) => h.name), ['web', 'visitor']);
    assert.match(n.rules, /dnat to \$WEB:8080/);
    assert.strictEqual(nftablesOf(`${NETWORK}iptables: ""\n`), undefined);
  });

  it('a port forward with fib daddr type local and a define: the kernel forwards it', async function () {
    this.timeout(60000);
    const r = await runInKernel(scenario(FORWARD));
    assert.strictEqual(r.outcome, 'established');
    assert.strictEqual(r.server_saw, '203.0.113.80:40000');
    assert.match(r.conntrack[0], /src=203\.0\.113\.80 dst=203\.0\.113\.2 sport=40000 dport=80 src=192\.168\.1\.20 dst=203\.0\.113\.80 sport=8080 dport=40000/);
  });

  it('a second base chain at the forward hook drops what the first accepted', async function () {
    this.timeout(60000);
    const r = await runInKernel(scenario(`${FORWARD}
table inet filter {
  chain fwd_a {
    type filter hook forward priority filter - 10; policy accept;
    tcp dport 8080 accept
  }
  chain fwd_b {
    type filter hook forward priority filter; policy accept;
    tcp dport 8080 reject with tcp reset
  }
}`));
    assert.strictEqual(r.outcome, 'refused');
    assert.strictEqual(r.server_saw, null);
  });

  it('a ruleset nft refuses fails the run with nft\'s message', async function () {
    this.timeout(60000);
    await assert.rejects(runInKernel(scenario(FORWARD.replace('dnat to', 'dnat too'))), /nft -f refused[\s\S]*dnat too/);
  });
});
