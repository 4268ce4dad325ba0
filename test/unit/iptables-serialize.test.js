'use strict';
// toIptablesSave: RouterOS-only list matches expanded into plain iptables, and the output loads into a kernel.
const assert = require('assert');
const { execFileSync, spawnSync } = require('child_process');
const { parseIptables } = require('../../dist/rules/iptables/parse');
const { toIptablesSave } = require('../../dist/rules/iptables/serialize');

/** A RouterOS-like ruleset built directly in the model (the RouterOS parser is tested elsewhere). */
function rosRuleset() {
  const rs = parseIptables('-t nat -A POSTROUTING -j ACCEPT');
  rs.tables.nat.POSTROUTING.rules = [];
  rs.addressLists = { trusted: ['10.30.9.0/25', '10.30.9.64/26', '192.0.2.5', '198.51.100.10-198.51.100.20'] };
  const src = (n) => ({ dialect: 'routeros', text: `rule ${n}`, line: n, number: n, rosNumber: n - 1, chainDisplay: 'x' });
  const rule = (table, chain, matches, target, n, comment) => ({ table, chain, matches, target, comment, source: src(n) });
  rs.tables.filter.FORWARD.rules.push(
    rule('filter', 'FORWARD', [{ module: 'ifacelist', opts: { dir: 'in', list: 'LAN', invert: false } }, { module: 'addrlist', opts: { dir: 'src', list: 'trusted', invert: false } }],
      { module: 'ACCEPT', opts: {} }, 1, 'lan "trusted"'),
    rule('filter', 'FORWARD', [{ module: 'ip', opts: { proto: { proto: 'tcp', invert: false } } }, { module: 'ifacelist', opts: { dir: 'in', list: 'WAN', invert: true } }],
      { module: 'REJECT', opts: { with: 'icmp-network-unreachable' } }, 2),
    rule('filter', 'FORWARD', [{ module: 'addrlist', opts: { dir: 'dst', list: 'trusted', invert: true } }], { module: 'LOG', opts: { prefix: 'a very long RouterOS log prefix that iptables refuses' } }, 3),
  );
  rs.tables.nat.POSTROUTING.rules.push(
    rule('nat', 'POSTROUTING', [{ module: 'ifacelist', opts: { dir: 'out', list: 'WAN', invert: false } }], { module: 'MASQUERADE', opts: {} }, 4),
  );
  return rs;
}
const LISTS = { LAN: ['bridge', 'wlan1'], WAN: ['ether1', 'lte1'] };

describe('toIptablesSave', () => {
  it('expands interface and address lists; merges overlapping address entries', () => {
    const text = toIptablesSave(rosRuleset(), LISTS);
    const fwd = text.split('\n').filter((l) => l.startsWith('-A FORWARD '));
    // LAN (2 interfaces) x trusted (3 merged ranges: 10.30.9.0/25 swallows .64/26) = 6 rules for rule 1.
    const first = fwd.filter((l) => l.includes('-j ACCEPT'));
    assert.strictEqual(first.length, 6);
    assert.ok(first.some((l) => l.includes('-i wlan1') && l.includes('-m iprange --src-range 198.51.100.10-198.51.100.20')));
    assert.ok(!text.includes('10.30.9.64/26'));
    assert.ok(first.every((l) => l.includes('--comment "lan \\"trusted\\""')));
    // Negated list: a helper chain RETURNs on members, then rejects.
    assert.match(text, /-A nt-h\d+ -i ether1 -j RETURN/);
    assert.match(text, /-j REJECT --reject-with icmp-net-unreachable/);
    assert.match(text, /--log-prefix "a very long RouterOS log pref"/);
    assert.match(text, /-A POSTROUTING -o lte1 -j MASQUERADE/);
    assert.strictEqual(toIptablesSave(rosRuleset(), LISTS), text, 'deterministic');
  });

  it('produces text our own parser reads back', () => {
    const rs = parseIptables(toIptablesSave(rosRuleset(), LISTS));
    assert.strictEqual(rs.tables.nat.POSTROUTING.rules.length, 2);
    assert.ok(Object.keys(rs.tables.filter).some((n) => n.startsWith('nt-h')));
  });

  it('loads into a real kernel (iptables-restore in a fresh network namespace, when root)', function () {
    const probe = spawnSync('unshare', ['-n', 'iptables-restore', '--version'], { encoding: 'utf8' });
    if (process.getuid?.() !== 0 || probe.status !== 0) {
      console.log(`      skipped: ${process.getuid?.() !== 0 ? 'needs root' : 'unshare -n iptables-restore does not run here'}`);
      this.skip();
    }
    const vectors = [
      toIptablesSave(rosRuleset(), LISTS),
      toIptablesSave(parseIptables([
        '-t nat -N pf', '-t nat -A PREROUTING -j pf',
        '-t nat -A pf -d 203.0.113.22 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77:5000',
        '-t nat -A POSTROUTING -s 10.30.9.0/24 -d 10.30.9.0/24 -m comment --comment "NAT loopback" -j MASQUERADE',
        '-t nat -A POSTROUTING -s 10.0.0.0/8 -j NETMAP --to 192.0.2.0/8',
        '-P FORWARD DROP',
        '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED --ctstatus ASSURED -j ACCEPT',
        '-A FORWARD -p tcp -m multiport --dports 80,443 -m addrtype --dst-type UNICAST -j LOG --log-prefix "x y: "',
        '-A INPUT -p icmp --icmp-type echo-request -m state --state NEW -j REJECT',
        '-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 ! -i eth+ -j DROP',
      ].join('\n')), {}),
    ];
    for (const v of vectors) {
      const r = spawnSync('unshare', ['-n', 'sh', '-c', 'iptables-restore && iptables-save'], { input: v, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, `iptables-restore refused:\n${r.stderr}\n${v}`);
      const ours = v.split('\n').filter((l) => l.startsWith('-A ')).length;
      const kernel = r.stdout.split('\n').filter((l) => l.startsWith('-A ')).length;
      assert.strictEqual(kernel, ours, r.stdout);
    }
    void execFileSync;
  });
});
