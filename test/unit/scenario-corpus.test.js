'use strict';
// The kernel conformance corpus (test/scenarios/*.yml): every file is a scenario in both rule dialects
// (or one, with `only:` and `why:`), or in nftables alone (the files from 300 on). Here, without a kernel: both dialects parse, simulate and serialize to
// iptables-restore input, the corpus keys are well formed, the tags cover the simulator issue's list, and
// the two dialects of one file give the simulator the same answer (they say the same policy).
const assert = require('assert');
const { runScenario, parseRules } = require('../../dist');
const { toIptablesSave } = require('../../dist/rules/iptables/serialize');
const { trackingActive } = require('../../dist/sim/netfilter');
const { loadCorpus, META_KEYS, DIALECTS } = require('../scenarios/corpus');

/** The two dialects a file gives side by side; an nftables file stands alone (its own policy, or the nft version of NN as 600 + NN). */
const PAIR = ['iptables', 'routeros'];

/** NN-short-slug.yml or NNN-short-slug.yml (the files from 100 on have three digits). */
const FILE_RE = /^(\d{2,3})-[a-z0-9]+(?:-[a-z0-9]+)*\.yml$/;
const numberOf = (file) => {
  const m = FILE_RE.exec(file);
  return m ? Number(m[1]) : null;
};

/** Every tag a file may use in `covers:`; each one must be used by some file. */
const TAGS = {
  // protocols
  tcp: 'a TCP connection',
  martian: 'a host drops a packet from the wire that carries its own address as source',
  'redirect-icmp': 'the router sends (or is told not to send) an ICMP redirect',
  udp: 'a UDP exchange',
  // routing and reachability
  'lan-to-lan': 'client and server on one segment: the router is not involved',
  routed: 'forwarded between two segments without NAT',
  'static-route': 'the router uses a static route',
  'host-route': 'the client uses a route of its own, not a default gateway',
  'no-route': 'the client has no route to the destination',
  'arp-fail': 'the destination does not exist on a connected segment',
  'gateway-arp-fail': 'the router\'s default gateway does not exist',
  'off-subnet': 'a host whose address is outside its segment\'s router subnet',
  'closed-tcp': 'a TCP port nobody listens on',
  'closed-udp': 'a UDP port nobody listens on',
  'icmp-related': 'an ICMP error travels back through the router for a tracked connection',
  // NAT
  dnat: 'DNAT / dst-nat',
  'port-forward': 'a port forward from the WAN to a LAN server',
  'port-change': 'NAT changes a port',
  'to-ports-range': 'DNAT to a port range',
  'dnat-range': 'DNAT to an address range',
  'dnat-wan-target': 'a dst-nat whose target is on the WAN side',
  'dnat-local': 'a dst-nat to the router\'s own address',
  hairpin: 'a LAN client reaches a LAN server through the router\'s public address',
  'hairpin-fix': 'the source NAT that makes hairpin NAT work',
  masquerade: 'MASQUERADE / masquerade',
  'masq-source': 'MASQUERADE\'s source address when the out interface has several',
  snat: 'SNAT / src-nat',
  'sport-preserve': 'source-port preservation (or its forced change)',
  netmap: 'NETMAP / netmap',
  redirect: 'REDIRECT / redirect',
  'redirect-address': 'REDIRECT\'s choice of destination address',
  // the router itself
  'router-service': 'a service on the router (router listen:)',
  'router-origin': 'the router itself opens the connection',
  // filter
  input: 'filter INPUT / chain=input',
  forward: 'filter FORWARD / chain=forward',
  output: 'filter OUTPUT / chain=output',
  'filter-drop': 'a silent drop',
  reject: 'REJECT / action=reject',
  'reject-default': 'RouterOS reject without reject-with',
  'reject-tcp-reset': 'reject with tcp-reset',
  'reject-port-unreach': 'reject with ICMP port unreachable',
  'reject-host-unreach': 'reject with ICMP host unreachable',
  'reject-net-unreach': 'reject with ICMP net unreachable',
  'reject-proto-unreach': 'reject with ICMP protocol unreachable',
  'reject-admin-prohibited': 'reject with ICMP administratively prohibited',
  'reject-host-prohibited': 'reject with ICMP host prohibited',
  'reject-net-prohibited': 'reject with ICMP net prohibited',
  'policy-drop': 'a DROP policy (RouterOS: a final drop rule)',
  ctstate: 'conntrack state match: established, related',
  'ctstate-new': 'conntrack state match: new',
  'ctstate-invalid': 'conntrack state match: invalid',
  'nat-state': 'connection-nat-state / --ctstate DNAT, SNAT',
  'state-module': 'iptables -m state',
  ctstatus: 'iptables -m conntrack --ctstatus',
  // rule structure
  'user-chain': 'a jump into a user chain',
  return: 'RETURN / action=return',
  goto: 'iptables -g (goto)',
  'nested-chains': 'a user chain jumping into another',
  log: 'LOG / action=log (the packet goes on)',
  passthrough: 'a rule without a verdict / action=passthrough',
  // matches
  multiport: 'a port list',
  'port-range': 'a port range',
  negation: '! / RouterOS !',
  'address-list': 'RouterOS address lists',
  iprange: 'an address range (-m iprange, RouterOS a-b)',
  'interface-list': 'RouterOS interface lists',
  'iface-wildcard': 'iptables interface wildcard (eth+)',
  addrtype: '-m addrtype / dst-address-type, src-address-type',
  // text forms
  'save-format': 'the iptables rules in iptables-save form',
  'one-line': 'RouterOS one-line /ip firewall ... add form',
  defconf: 'RouterOS\'s default configuration firewall',
  // added with the scenarios from 100 on
  docker: 'Docker\'s own NAT and filter chains (DOCKER, DOCKER-USER, isolation) and a docker0 bridge',
  broadcast: 'a broadcast or multicast destination (directed, limited, own subnet, 224.0.0.1)',
  loopback: '127.0.0.0/8 or the lo device',
  random: 'NAT with --random / --random-fully',
  counters: 'iptables-save -c packet and byte counters',
  'nat-input': 'source NAT in the nat INPUT chain',
  // the raw table (265 on)
  raw: 'rules in the raw table (iptables -t raw, RouterOS /ip firewall raw)',
  notrack: 'NOTRACK / CT --notrack / action=notrack: the packet is not tracked',
  untracked: '--ctstate UNTRACKED, --state UNTRACKED, connection-state=untracked',
  'raw-output': 'raw OUTPUT / raw chain=output: the router\'s own packets before conntrack',
  'raw-drop': 'a drop in the raw table, before conntrack',
  'raw-accept': 'an accept in the raw table (it ends the raw chain only)',
  'one-direction': 'only one direction of a connection is untracked',
  // hosts and redirects
  'host-redirect': 'a host acts on an ICMP redirect and routes its next packets by it',
  // added with the nftables scenarios (300 on)
  'nft-inet': 'an nftables table of the inet family',
  'nft-set': 'an nftables named set (or map) used with @name',
  'nft-anon-set': 'an nftables anonymous set { a, b }',
  'nft-map': 'an nftables map in a NAT statement (dnat to ... map { })',
  'nft-vmap': 'an nftables verdict map (vmap)',
  'nft-define': 'nftables define NAME = value and $NAME',
  'nft-counter': 'nftables counter statements (with packets/bytes as nft list ruleset prints them)',
  'chain-priority': 'several base chains at one hook, run in priority order (numeric and named priorities)',
  fib: 'the nftables fib expression (fib daddr type local, fib saddr . iif oif missing)',
  'reject-icmpx': 'nftables reject with icmpx (and a bare reject in an inet table)',
  'list-ruleset': 'the rules as nft list ruleset (or nft -a list ruleset) prints them',
  fw4: 'OpenWrt fw4\'s generated ruleset (zones, dstnat_wan, reflection, handle_reject)',
  // added with the fifth blind round (700 on)
  'secondary-address': 'an interface with a second address (the one a packet used, not the primary)',
  quote: 'the header an ICMP error quotes, as NAT translates it back',
  'icmp-source': 'which router address an ICMP error comes from',
  'weak-host': 'a router address reached through another interface (Linux\'s weak host model)',
  'dnat-to-router': 'a DNAT to one of the router\'s own addresses',
  'dns-hijack': 'DNS forced to a resolver (REDIRECT or DNAT to the router or a Pi-hole)',
  'router-closed-port': 'a port on the router nobody listens on',
  rst: 'a TCP RST on its way back through the router (and its NAT)',
  'no-tracking': 'no rule needs conntrack: nothing is tracked',
  'soft-error': 'an ICMP error a connected UDP socket or a connecting TCP socket only keeps as a soft error',
  'missing-established': 'the established/related accept is missing, so answers die',
  'synack-retransmit': 'the server resends its SYN-ACK (a dropped answer)',
  'wrong-interface': 'a rule names an interface the router does not have (a typo users make; its warning is expected)',
  'filter-none': 'no filter rules at all, only NAT',
  'shadowed-rule': 'an earlier rule shadows the one meant to act',
  'rule-order': 'the order of rules decides (an accept or drop placed too late)',
  dmz: 'a DMZ segment beside the LAN',
  'hairpin-no-masquerade': 'hairpin NAT without the source NAT: the answer bypasses the router',
  'public-subnet': 'a routed public subnet behind the router (no NAT)',
  'random-port': 'NAT has to pick a port other than the original',
  'wan-hairpin': 'a DNAT whose target is back on the WAN side (hairpin on the WAN)',
  'nat-before-filter': 'filter rules see the address and port after DNAT',
  'masquerade-everything': 'a masquerade without -o (every forwarded packet)',
  'nat-not-firewall': 'NAT is not a firewall: without a forward drop a visitor reaches the LAN',
  'two-subnets-one-bridge': 'two IP subnets on one bridge (redirect territory)',
  'icmp-forwarded': 'the router forwards an ICMP error (no error, no redirect about an error)',
  'dstnat-output': 'a dstnat / nat OUTPUT rule that also catches the router\'s own packets',
};

const OUTCOMES = ['established', 'refused', 'unreachable', 'timeout'];
/** Rule warnings that are expected of a correct file (RouterOS features the simulator runs differently). */
const OK_WARNING = /fasttrack|ipsec/i;
const HOST_NAME_RE = /^[a-z][a-z0-9]{0,9}$/;
const IFACE_NAME_RE = /^[A-Za-z][A-Za-z0-9-]{0,14}$/;

const corpus = loadCorpus();

/** One simulation per file and dialect, shared by the tests below. */
const cache = new Map();
function run(entry, dialect) {
  const key = `${entry.file}:${dialect}`;
  if (!cache.has(key)) {
    let value;
    try {
      value = { r: runScenario(entry.dialects[dialect], { file: entry.file }) };
    } catch (e) {
      value = { error: e };
    }
    cache.set(key, value);
  }
  const v = cache.get(key);
  if (v.error) throw v.error;
  return v.r;
}

const answer = (r) => ({ outcome: r.trace.outcome, server_saw: r.trace.server_saw, conntrack: r.trace.conntrack });

describe('scenario corpus (test/scenarios)', () => {
  it('has at least 70 files, named NN-short-slug.yml or NNN-short-slug.yml, numbers distinct', () => {
    assert.ok(corpus.length >= 70, `only ${corpus.length} scenario files`);
    const seen = new Map();
    for (const e of corpus) {
      assert.match(e.file, FILE_RE, `${e.file}: expected NN-short-slug.yml or NNN-short-slug.yml`);
      const nn = numberOf(e.file);
      assert.ok(!seen.has(nn), `${e.file}: number ${nn} is also used by ${seen.get(nn)}`);
      seen.set(nn, e.file);
    }
  });

  it('has at least 60 files with both dialects', () => {
    const both = corpus.filter((e) => PAIR.every((d) => e.dialects[d] !== undefined));
    assert.ok(both.length >= 60, `only ${both.length} files with both iptables: and routeros:`);
  });

  it('every file has about:, covers: from the tag list, and only:/why: exactly when one dialect is given', () => {
    const allowed = [...META_KEYS, 'router', 'hosts', 'trace', ...DIALECTS];
    for (const e of corpus) {
      for (const k of e.keys) assert.ok(allowed.includes(k), `${e.file}: key ${k} is neither a scenario nor a corpus key`);
      const { about, covers, only, why, known } = e.meta;
      assert.ok(typeof about === 'string' && about.trim().length > 10, `${e.file}: about: should say what is checked`);
      assert.ok(Array.isArray(covers) && covers.length > 0, `${e.file}: covers: should be a non-empty list`);
      for (const t of covers) assert.ok(Object.prototype.hasOwnProperty.call(TAGS, t), `${e.file}: unknown tag ${t}`);
      assert.strictEqual(new Set(covers).size, covers.length, `${e.file}: a tag is repeated`);
      const given = DIALECTS.filter((d) => e.dialects[d] !== undefined);
      if (only !== undefined) {
        assert.ok(DIALECTS.includes(only), `${e.file}: only: ${only} is not a dialect`);
        assert.deepStrictEqual(given, [only], `${e.file}: only: ${only} but the file gives ${given.join(', ')}`);
        assert.ok(typeof why === 'string' && why.trim().length > 10, `${e.file}: only: needs a why:`);
      } else if (given.length === 1 && given[0] === 'nftables') {
        assert.strictEqual(why, undefined, `${e.file}: why: without only:`);
      } else {
        assert.deepStrictEqual(given, PAIR, `${e.file}: give both iptables: and routeros: (or only: with why:, or nftables: alone)`);
        assert.strictEqual(why, undefined, `${e.file}: why: without only:`);
      }
      if (known !== undefined) assert.ok(typeof known === 'string' && known.trim().length > 10, `${e.file}: known: should explain`);
    }
  });

  it('every tag of the list is covered by some file', () => {
    const used = new Set(corpus.flatMap((e) => e.meta.covers || []));
    const missing = Object.keys(TAGS).filter((t) => !used.has(t));
    assert.deepStrictEqual(missing, [], `tags no file covers: ${missing.join(', ')}`);
  });

  for (const entry of corpus) {
    describe(entry.file, () => {
      if (entry.error) {
        it('is valid YAML', () => {
          throw entry.error;
        });
      }
      for (const dialect of DIALECTS) {
        if (entry.dialects[dialect] === undefined) continue;
        // nftables is loaded into the kernel as written (nft -f), so it is not serialized.
        const what = dialect === 'nftables' ? 'parses and simulates' : 'parses, simulates, and serializes to iptables-restore input';
        it(`${dialect}: ${what}`, () => {
          const r = run(entry, dialect);
          const sc = r.scenario;
          for (const i of sc.router.interfaces) assert.match(i.name, IFACE_NAME_RE, `interface name ${i.name} is not a plain Linux name`);
          for (const h of sc.hosts) assert.match(h.name, HOST_NAME_RE, `host name ${h.name}: keep it short and plain`);
          assert.ok(OUTCOMES.includes(r.trace.outcome), `outcome ${r.trace.outcome}`);
          assert.ok(Array.isArray(r.trace.conntrack));
          // A rule warning (an unknown interface or list, an empty address list, an unreached chain) is usually a typo.
          // A file about such a typo (covers: wrong-interface) expects its warning.
          const expected = (entry.meta.covers || []).includes('wrong-interface') ? /is not one of the router's interfaces/ : undefined;
          const warnings = r.ruleset.warnings.map((w) => w.message).filter((m) => !OK_WARNING.test(m) && !(expected && expected.test(m)));
          if (expected) assert.ok(r.ruleset.warnings.some((w) => expected.test(w.message)), 'covers wrong-interface: the warning it is about');
          assert.deepStrictEqual(warnings, [], 'rule warnings');
          if (dialect === 'nftables') return;
          const save = toIptablesSave(r.ruleset, sc.router.interfaceLists);
          assert.match(save, /^\*nat$/m);
          assert.match(save, /^\*filter$/m);
          // A raw table only where the rules have one.
          const hasRaw = Object.values(r.ruleset.tables.raw || {}).some((c) => c.rules.length);
          assert.strictEqual(/^\*raw$/m.test(save), hasRaw, 'a *raw section exactly when raw rules exist');
          assert.strictEqual((save.match(/^COMMIT$/mg) || []).length, hasRaw ? 3 : 2);
          // What the harness loads must also be what our own iptables parser reads back.
          const back = parseRules({ dialect: 'iptables', text: save, line: 1 }, {
            interfaces: sc.router.interfaces.map((i) => i.name), interfaceLists: sc.router.interfaceLists,
          });
          assert.ok(back.tables.nat && back.tables.filter);
        });
      }
      if (PAIR.every((d) => entry.dialects[d] !== undefined)) {
        it('iptables and RouterOS give the simulator the same answer', function () {
          let a; let b;
          let ra; let rb;
          try {
            ra = run(entry, 'iptables');
            rb = run(entry, 'routeros');
          } catch (e) {
            this.skip(); // reported by the dialect tests above
          }
          a = answer(ra);
          b = answer(rb);
          // RouterOS tracks connections as soon as there is a rule, Linux only when a rule
          // needs it: where that differs, only the conntrack table may differ.
          if (trackingActive(ra.ruleset) !== trackingActive(rb.ruleset)) {
            a = { ...a, conntrack: [] };
            b = { ...b, conntrack: [] };
          }
          const same = JSON.stringify(a) === JSON.stringify(b);
          if (entry.meta.known !== undefined) {
            assert.ok(!same, `${entry.file}: both dialects now agree; remove known: (${entry.meta.known})`);
            this.test.title += ` (known: ${entry.meta.known})`;
            this.skip();
          }
          assert.deepStrictEqual(b, a, 'routeros (actual) vs iptables (expected)');
        });
      }
    });
  }
});
