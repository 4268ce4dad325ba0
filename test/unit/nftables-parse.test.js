'use strict';
// nftables text (what `nft -f` loads, what `nft list ruleset` prints) -> the neutral rule model;
// refusals checked against the real nft (and the kernel, in a namespace) when this machine has them;
// small rulesets simulated beside their iptables equivalents from the corpus.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const YAML = require('yaml');
require('../../dist/rules');
const { parseNftables } = require('../../dist/rules/nftables/parse');
const { NatTraceError } = require('../../dist/errors');
const { parseScenario } = require('../../dist/scenario/parse');
const { parseRules } = require('../../dist/rules');
const { simulate } = require('../../dist/sim');

const IFACES = ['eth0', 'eth1'];
const parse = (text) => parseNftables(text, { interfaces: IFACES });
const chain = (rs, table, name) => rs.tables[table][name];
const hookNames = (rs, hook) => (rs.hooks[hook] || []).map((c) => `${c.table}/${c.name}`);

function refusal(text) {
  try { parse(text); } catch (e) {
    assert.ok(e instanceof NatTraceError, `expected NatTraceError, got ${e && e.stack}`);
    return e;
  }
  assert.fail(`accepted: ${text}`);
}

const FULL = `#!/usr/sbin/nft -f
# everything the issue lists, in one ruleset nft 1.0.6 loads
flush ruleset
define WAN = "eth0"
define LAN_NET = 192.168.1.0/24
define WEB = { 80, 443 }

table inet filter {
	set blocked {
		type ipv4_addr
		flags interval
		elements = { 198.51.100.0/24, 203.0.113.7-203.0.113.9 }
	}
	set ports {
		type inet_service
		elements = { 22, 8080 }
	}
	set ifs {
		type ifname
		elements = { "eth1", "lo" }
	}
	map svc {
		type inet_service : verdict
		elements = { 22 : accept, 25 : drop, 8080 : jump web }
	}
	chain web {
		ip saddr $LAN_NET counter accept comment "from the LAN"
		return
	}
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iif "lo" accept
		iifname @ifs accept
		ip saddr @blocked drop
		ip saddr != 10.0.0.0/8 tcp dport < 1024 tcp dport != 23 log prefix "low port: " level info
		meta l4proto icmp icmp type echo-request accept
		ip protocol udp udp sport 53 accept
		th dport 53 accept
		tcp dport vmap @svc
		udp dport vmap { 5000-5100 : accept, 6000 : goto web }
		tcp dport $WEB accept
		tcp flags syn / syn,ack tcp dport 8443 accept
		ct direction original ct status dnat accept
		fib daddr type local tcp dport 9000 reject with tcp reset
		fib daddr . iif type != local reject with icmpx type admin-prohibited
		reject with icmp type host-prohibited
	}
	chain forward {
		type filter hook forward priority filter + 10; policy accept;
		oifname "eth*" ct state new accept
		iifname $WAN oifname != "eth1" drop
		ct status dnat accept
	}
	chain early {
		type filter hook forward priority -5;
		counter
	}
	chain raw_pre {
		type filter hook prerouting priority raw; policy accept;
		udp dport 4789 notrack
	}
	chain nat_pre {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local tcp dport 8080 dnat ip to 192.168.1.20:80
		meta l4proto tcp dnat ip to tcp dport map { 2222 : 192.168.1.30 . 22, 2223 : 192.168.1.31 . 22 }
		udp dport 53 redirect to :5353
	}
	chain nat_post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 192.168.1.0/24 ip daddr 192.168.1.20 tcp dport 80 snat ip to 192.168.1.1
		oifname $WAN meta l4proto { tcp, udp } masquerade to :1024-65535
		oifname $WAN masquerade
	}
}

table ip nat {
	chain prerouting {
		type nat hook prerouting priority -100; policy accept;
		iif eth0 tcp dport 25 dnat to 192.168.1.25
		ip daddr 203.0.113.1 dnat to 192.168.1.40-192.168.1.41
	}
	chain postrouting {
		type nat hook postrouting priority 100;
		ip saddr 10.9.0.0/16 meta l4proto tcp snat to 203.0.113.5-203.0.113.6:2000-3000 persistent
	}
}
`;

describe('nftables parser: every construct', () => {
  const rs = parse(FULL);

  it('keys tables by family and name, base chains by hook and priority', () => {
    assert.deepStrictEqual(Object.keys(rs.tables).sort(), ['inet filter', 'ip nat']);
    const input = chain(rs, 'inet filter', 'input');
    assert.deepStrictEqual(input.base, { hook: 'INPUT', priority: 0, type: 'filter' });
    assert.strictEqual(input.policy, 'DROP');
    assert.deepStrictEqual(chain(rs, 'inet filter', 'forward').base, { hook: 'FORWARD', priority: 10, type: 'filter' });
    assert.deepStrictEqual(chain(rs, 'inet filter', 'raw_pre').base, { hook: 'PREROUTING', priority: -300, type: 'filter' });
    assert.deepStrictEqual(chain(rs, 'inet filter', 'nat_post').base, { hook: 'POSTROUTING', priority: 100, type: 'nat' });
    assert.strictEqual(chain(rs, 'inet filter', 'web').base, undefined);
    assert.strictEqual(chain(rs, 'inet filter', 'web').policy, undefined);
  });

  it('orders several base chains at one hook by priority', () => {
    assert.deepStrictEqual(hookNames(rs, 'FORWARD'), ['inet filter/early', 'inet filter/forward']);
    assert.deepStrictEqual(hookNames(rs, 'PREROUTING'), ['inet filter/raw_pre', 'ip nat/prerouting', 'inet filter/nat_pre']);
  });

  it('keeps rules as written, numbered in their chain, with comments', () => {
    const web = chain(rs, 'inet filter', 'web').rules;
    assert.strictEqual(web[0].source.text, 'ip saddr $LAN_NET counter accept comment "from the LAN"');
    assert.strictEqual(web[0].comment, 'from the LAN');
    assert.strictEqual(web[0].source.number, 1);
    assert.strictEqual(web[1].target.module, 'RETURN');
    const input = chain(rs, 'inet filter', 'input').rules;
    assert.strictEqual(input[input.length - 1].source.number, input.length);
    assert.strictEqual(input[0].source.line, FULL.split('\n').findIndex((l) => l.includes('ct state established,related accept')) + 1);
  });

  it('reads defines, named and anonymous sets, ranges, prefixes, != and flag lists', () => {
    const r = chain(rs, 'inet filter', 'input').rules;
    assert.deepStrictEqual(r[0].matches[0].opts.op, 'flags');
    assert.strictEqual(r[0].matches[0].opts.mask, 2 | 4);
    const blocked = r[4].matches[0].opts;
    assert.deepStrictEqual(blocked.elems.map((e) => e[0]), [{ lo: 0xc6336400, hi: 0xc63364ff }, { lo: 0xcb007107, hi: 0xcb007109 }]);
    const low = r[5].matches;
    assert.deepStrictEqual(low.map((m) => [m.opts.keys[0], m.opts.op]), [['ip saddr', 'ne'], ['tcp dport', 'lt'], ['tcp dport', 'ne']]);
    assert.strictEqual(r[5].target.module, 'LOG');
    assert.strictEqual(r[5].target.opts.prefix, 'low port: ');
    const web = r.find((x) => x.source.text === 'tcp dport $WEB accept').matches[0].opts;
    assert.deepStrictEqual(web.elems.map((e) => e[0].lo), [80, 443]);
    const flags = r.find((x) => x.source.text.startsWith('tcp flags')).matches[0].opts;
    assert.deepStrictEqual([flags.op, flags.and, flags.elems[0][0].lo], ['eq', 0x12, 0x02]);
    // The compared value may be a flag expression too, with or without parentheses (nft takes both).
    for (const v of ['syn|ack', '(syn|ack)', 'syn | ack']) {
      const t = parseNftables(`table ip t {\n chain c { type filter hook forward priority 0; tcp flags & (syn|ack) == ${v} drop; }\n}\n`);
      const m = chain(t, 'ip t', 'c').rules[0].matches[0].opts;
      assert.deepStrictEqual([m.op, m.and, m.elems[0][0].lo, m.elems[0][0].hi], ['eq', 0x12, 0x12, 0x12], v);
    }
  });

  it('reads verdict maps (named and anonymous) and NAT maps', () => {
    const r = chain(rs, 'inet filter', 'input').rules;
    const named = r.find((x) => x.source.text === 'tcp dport vmap @svc');
    assert.strictEqual(named.target.module, 'NFT_VMAP');
    assert.deepStrictEqual(named.target.opts.entries.map((e) => e.verdict.module), ['ACCEPT', 'DROP', 'JUMP']);
    const anon = r.find((x) => x.source.text.startsWith('udp dport vmap'));
    assert.deepStrictEqual(anon.target.opts.entries.map((e) => [e.elem[0].lo, e.elem[0].hi, e.verdict.module]), [[5000, 5100, 'ACCEPT'], [6000, 6000, 'GOTO']]);
    const natmap = chain(rs, 'inet filter', 'nat_pre').rules[1].target;
    assert.strictEqual(natmap.module, 'NFT_NATMAP');
    assert.deepStrictEqual(natmap.opts.entries.map((e) => [e.elem[0].lo, e.minIp, e.minPort]), [[2222, 0xc0a8011e, 22], [2223, 0xc0a8011f, 22]]);
  });

  it('reads every statement', () => {
    const mods = (t, c) => chain(rs, t, c).rules.map((r) => r.target.module);
    assert.deepStrictEqual(mods('inet filter', 'nat_pre'), ['DNAT', 'NFT_NATMAP', 'REDIRECT']);
    assert.deepStrictEqual(mods('inet filter', 'nat_post'), ['SNAT', 'MASQUERADE', 'MASQUERADE']);
    assert.deepStrictEqual(mods('inet filter', 'raw_pre'), ['NFT_NOTRACK']);
    const post = chain(rs, 'inet filter', 'nat_post').rules;
    assert.deepStrictEqual([post[1].target.opts.minPort, post[1].target.opts.maxPort], [1024, 65535]);
    const dnat = chain(rs, 'inet filter', 'nat_pre').rules[0].target.opts;
    assert.deepStrictEqual([dnat.minIp, dnat.minPort], ['192.168.1.20', 80]);
    const snat = chain(rs, 'ip nat', 'postrouting').rules[0].target.opts;
    assert.deepStrictEqual([snat.minIp, snat.maxIp, snat.minPort, snat.maxPort, snat.persistent], ['203.0.113.5', '203.0.113.6', 2000, 3000, true]);
    const input = chain(rs, 'inet filter', 'input').rules;
    const rejects = input.filter((r) => r.target.module === 'REJECT').map((r) => r.target.opts.with);
    assert.deepStrictEqual(rejects, ['tcp-reset', 'icmp-admin-prohibited', 'icmp-host-prohibited']);
    // `reject with tcp reset` works on TCP only: nft adds the protocol match.
    const reset = parse('table ip t {\n chain c { type filter hook input priority 0; ip saddr 10.0.0.0/8 reject with tcp reset; }\n}\n').tables['ip t'].c.rules[0];
    assert.deepStrictEqual(reset.matches.map((m) => m.opts.keys[0]), ['ip saddr', 'meta l4proto']);
  });

  it('flush ruleset forgets what came before', () => {
    const rs2 = parse('table ip a {\n chain c { type filter hook input priority 0; drop; }\n}\nflush ruleset\ntable ip b {\n chain c { type filter hook input priority 0; }\n}\n');
    assert.deepStrictEqual(Object.keys(rs2.tables), ['ip b']);
    assert.deepStrictEqual(hookNames(rs2, 'INPUT'), ['ip b/c']);
  });

  it('reads the add/insert command forms', () => {
    const rs2 = parse('add table ip nat\nadd chain ip nat pre { type nat hook prerouting priority -100; }\nadd rule ip nat pre tcp dport 80 dnat to 10.0.0.2\ninsert rule ip nat pre tcp dport 81 dnat to 10.0.0.3\n');
    assert.deepStrictEqual(chain(rs2, 'ip nat', 'pre').rules.map((r) => [r.source.number, r.target.opts.minIp]), [[1, '10.0.0.3'], [2, '10.0.0.2']]);
  });

  it('leaves ip6 tables out with a warning', () => {
    const rs2 = parse('table ip6 f {\n chain c { type filter hook input priority 0; policy drop; }\n}\n');
    assert.deepStrictEqual(Object.keys(rs2.tables), []);
    assert.match(rs2.warnings[0].message, /ip6 table/);
  });

  it('equal priorities: the chain loaded later runs first (as the kernel does)', () => {
    const rs2 = parse('table ip a {\n chain one { type filter hook output priority 0; }\n chain two { type filter hook output priority 0; }\n}\n');
    assert.deepStrictEqual(hookNames(rs2, 'OUTPUT'), ['ip a/two', 'ip a/one']);
  });
});

/** Rulesets nft or the kernel refuses, the reason each must give, and where. */
const REFUSED = [
  ['unknown statement', 'table ip t {\n chain c { type filter hook input priority 0; acept; }\n}\n', /acept/, 2],
  ['a rule ending at }', 'table ip t {\n chain c { type filter hook input priority 0; accept }\n}\n', /newline or semicolon/, 2],
  ['policy reject', 'table ip t {\n chain c { type filter hook input priority 0; policy reject; }\n}\n', /reject/, 2],
  ['policy in a regular chain', 'table ip t {\n chain c { policy drop; }\n}\n', /regular chain has no policy/, 2],
  ['nat at forward', 'table ip t {\n chain c { type nat hook forward priority 0; }\n}\n', /nat chain cannot hang on forward/, 2],
  ['nat chain at -200', 'table ip t {\n chain c { type nat hook prerouting priority -200; }\n}\n', /above -200/, 2],
  ['dstnat priority at input', 'table ip t {\n chain c { type filter hook input priority dstnat; }\n}\n', /invalid priority/, 2],
  ['unknown priority name', 'table ip t {\n chain c { type filter hook input priority fitler; }\n}\n', /invalid priority/, 2],
  ['dnat in a filter chain', 'table ip t {\n chain c { type filter hook prerouting priority 0; dnat to 1.2.3.4; }\n}\n', /type nat/, 2],
  ['dnat at input', 'table ip t {\n chain c { type nat hook input priority 100; dnat to 1.2.3.4; }\n}\n', /input hook/, 2],
  ['masquerade at prerouting', 'table ip t {\n chain c { type nat hook prerouting priority -100; masquerade; }\n}\n', /prerouting hook/, 2],
  ['reject at postrouting', 'table ip t {\n chain c { type filter hook postrouting priority 0; reject; }\n}\n', /postrouting hook/, 2],
  ['a port mapping without a protocol', 'table ip t {\n chain c { type nat hook postrouting priority 100; masquerade to :1024-2000; }\n}\n', /transport protocol mapping/, 2],
  ['dnat without ip in inet', 'table inet t {\n chain c { type nat hook prerouting priority -100; dnat to 10.0.0.2; }\n}\n', /ip or ip6 must be specified/, 2],
  ['icmpx in an ip table', 'table ip t {\n chain c { type filter hook input priority 0; reject with icmpx type admin-prohibited; }\n}\n', /abstracted ICMP/, 2],
  ['statement after a verdict', 'table ip t {\n chain c { type filter hook input priority 0; accept counter; }\n}\n', /after terminal statement/, 2],
  ['conflicting protocols', 'table ip t {\n chain c { type filter hook input priority 0; tcp dport 80 udp dport 53 accept; }\n}\n', /conflicting protocols/, 2],
  ['a protocol match, then a port of another', 'table ip t {\n chain c { type filter hook input priority 0; meta l4proto udp tcp dport 80 accept; }\n}\n', /conflicting protocols/, 2],
  ['tcp reset for udp', 'table ip t {\n chain c { type filter hook input priority 0; udp dport 53 reject with tcp reset; }\n}\n', /tcp reset with this protocol/, 2],
  ['a comma list of ports', 'table ip t {\n chain c { type filter hook input priority 0; tcp dport 80,443 accept; }\n}\n', /comma/, 2],
  ['jump to a missing chain', 'table ip t {\n chain c { type filter hook input priority 0; jump nowhere; }\n}\n', /no chain nowhere/, 2],
  ['jump to a base chain', 'table ip t {\n chain c { type filter hook input priority 0; jump c; }\n}\n', /base chain/, 2],
  ['a jump loop', 'table ip t {\n chain c { type filter hook input priority 0; jump d; }\n chain d { jump d; }\n}\n', /loop/, 3],
  ['an interface that does not exist for iif', 'table ip t {\n chain c { type filter hook input priority 0; iif eth9 accept; }\n}\n', /Interface does not exist/, 2],
  ['a prefix in a set without flags interval', 'table ip t {\n set s { type ipv4_addr; elements = { 10.0.0.0/8 }; }\n}\n', /flags interval/, 2],
  ['a set of the wrong type', 'table ip t {\n set s { type inet_service; elements = { 22 }; }\n chain c { type filter hook input priority 0; ip saddr @s accept; }\n}\n', /datatype mismatch/, 3],
  ['an unknown set', 'table ip t {\n chain c { type filter hook input priority 0; ip saddr @nope accept; }\n}\n', /no set @nope/, 2],
  ['an undefined variable', 'table ip t {\n chain c { type filter hook input priority 0; ip saddr $NET accept; }\n}\n', /unknown identifier 'NET'/, 2],
  ['a bad address', 'table ip t {\n chain c { type filter hook input priority 0; ip saddr 10.0.0.256 accept; }\n}\n', /not an IPv4 address/, 2],
  ['reject in a vmap', 'table ip t {\n chain c { type filter hook input priority 0; tcp dport vmap { 22 : reject }; }\n}\n', /not a verdict/, 2],
  ['MSS clamping to the route\'s MTU before routing', 'table ip t {\n chain c { type filter hook prerouting priority 0; tcp flags syn tcp option maxseg size set rt mtu; }\n}\n', /rt mtu is not allowed at the prerouting hook/, 2],
  ['an MSS beyond 16 bits', 'table ip t {\n chain c { type filter hook forward priority 0; tcp option maxseg size set 70000; }\n}\n', /exceeds valid range 0-65535/, 2],
  ['fib . oif at input', 'table ip t {\n chain c { type filter hook input priority 0; fib daddr . oif type local accept; }\n}\n', /not allowed at the input hook/, 2],
];

function nftAvailable() {
  if (process.getuid && process.getuid() !== 0) return 'not root';
  const r = spawnSync('nft', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'no nft binary';
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.error || ip.status !== 0) return 'no ip netns';
  return undefined;
}

/** Does the real nft load this (nft -c -f, then for real in a fresh namespace with eth0 and eth1)? */
function kernelLoads(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nft-refuse-'));
  const file = path.join(dir, 'rules.nft');
  fs.writeFileSync(file, text);
  const ns = `ntref${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    // veth pairs: this kernel may have no dummy driver.
    IFACES.forEach((i, k) => execFileSync('ip', ['-n', ns, 'link', 'add', i, 'type', 'veth', 'peer', 'name', `peer${k}`]));
    const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', file], { encoding: 'utf8' });
    return { ok: r.status === 0, stderr: r.stderr };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('nftables parser: what nft refuses, refused with a line, a column and the reason', function () {
  this.timeout(120000);
  const why = nftAvailable();
  for (const [name, text, reason, line] of REFUSED) {
    it(`refuses ${name}`, () => {
      const e = refusal(text);
      assert.match(e.message, reason);
      assert.strictEqual(e.line, line, `line of: ${e.message}`);
      assert.ok(e.column > 0, 'a column');
      assert.ok(!/\n\s+at /.test(e.message), 'no stack trace');
    });
  }
  it('nft and the kernel refuse the same rulesets, and load the full one', function () {
    if (why) { console.log(`      (skipped: ${why})`); this.skip(); }
    const loads = kernelLoads(FULL);
    assert.ok(loads.ok, `the kernel refused FULL: ${loads.stderr}`);
    for (const [name, text] of REFUSED) {
      const r = kernelLoads(text);
      assert.ok(!r.ok, `${name}: the kernel loads it, the parser refuses it`);
    }
  });
  it('names what nft has but the simulator does not model, instead of guessing', () => {
    for (const rule of ['ip ttl 1 drop', 'ct helper "ftp" accept', 'meta mark set 1', 'queue num 1']) {
      const e = refusal(`table ip t {\n chain c { type filter hook input priority 0; ${rule}; }\n}\n`);
      assert.match(e.message, /not simulated/, rule);
      assert.strictEqual(e.line, 2);
    }
  });
  it('names flowtables (flow offload) as not simulated', () => {
    const e = refusal('table inet fw4 {\n\tflowtable ft {\n\t\thook ingress priority filter;\n\t}\n}\n');
    assert.match(e.message, /flowtable objects are not simulated/);
    assert.strictEqual(e.line, 2);
  });
  it('suggests a near spelling', () => {
    const e = refusal('table ip t {\n chain c { type filter hook input priority 0; tcp dprot 80 accept; }\n}\n');
    assert.strictEqual(e.suggestion, 'dport');
    assert.strictEqual(e.token, 'dprot');
    const e2 = refusal('tabel ip t {\n}\n');
    assert.strictEqual(e2.suggestion, 'table');
  });
});

// --- simulation -----------------------------------------------------------------------

function corpusVariant(file, dialect, rules) {
  const doc = YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'scenarios', file), 'utf8'));
  const out = {};
  for (const [k, v] of Object.entries(doc)) if (!['about', 'covers', 'only', 'why', 'known', 'known_limits', 'iptables', 'routeros'].includes(k)) out[k] = v;
  if (rules === undefined) out[dialect] = doc[dialect]; else out[dialect] = rules;
  return YAML.stringify(out);
}

function run(text) {
  const sc = parseScenario(text);
  const rs = parseRules(sc.rules, { interfaces: sc.router.interfaces.map((i) => i.name), interfaceLists: sc.router.interfaceLists });
  const t = simulate(sc, rs);
  return { outcome: t.outcome, server_saw: t.server_saw, conntrack: [...t.conntrack].sort(), trace: t };
}
const answers = (r) => ({ outcome: r.outcome, server_saw: r.server_saw, conntrack: r.conntrack });

/** Corpus scenarios and the same policy in nft. */
const PAIRS = [
  ['16-masquerade-tcp.yml', 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "ether1" masquerade\n\t}\n}\n'],
  ['173-nas-hairpin-masq-to-nas-only.yml', 'table ip nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat;\n\t\tip daddr 198.51.100.2 tcp dport 443 dnat to 192.168.1.20\n\t}\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat;\n\t\tip saddr 192.168.1.0/24 ip daddr 192.168.1.20 tcp dport 443 masquerade\n\t\toifname "wan" masquerade\n\t}\n}\n'],
  ['139-ufw-reject-http.yml', 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\tct state established,related accept\n\t\tct state invalid drop\n\t\ttcp dport 22 accept\n\t\tiifname "wan" tcp dport 80 reject with tcp reset\n\t\tiifname "lan" tcp dport 80 accept\n\t}\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy drop;\n\t}\n}\ntable ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority 100;\n\t\tip saddr 192.168.1.0/24 oifname "wan" masquerade\n\t}\n}\n'],
  ['164-router-output-reject-reset.yml', 'table ip filter {\n\tchain output {\n\t\ttype filter hook output priority filter;\n\t\tct state established,related accept\n\t\toifname "wan" tcp dport 23 reject with tcp reset\n\t}\n}\n'],
];

describe('nftables rulesets simulate as their iptables equivalents', () => {
  for (const [file, nft] of PAIRS) {
    it(file, () => {
      const ipt = run(corpusVariant(file, 'iptables'));
      const got = run(corpusVariant(file, 'nftables', nft));
      assert.deepStrictEqual(answers(got), answers(ipt));
      const fx = path.join(__dirname, '..', 'fixtures', 'kernel', file.replace(/\.yml$/, '.json'));
      if (fs.existsSync(fx)) {
        const k = JSON.parse(fs.readFileSync(fx, 'utf8')).iptables;
        assert.deepStrictEqual(answers(got), { outcome: k.outcome, server_saw: k.server_saw, conntrack: [...k.conntrack].sort() });
      }
    });
  }
});

const LAB = `router:
  interfaces:
    wan: { address: 198.51.100.2/24 }
    lan: { address: 192.168.1.1/24 }
  routes: ["default via 198.51.100.1"]
hosts:
  laptop: { interface: lan, address: 192.168.1.10, gateway: 192.168.1.1 }
  remote: { interface: wan, address: 198.51.100.50, gateway: 198.51.100.2, listen: [tcp/80, tcp/8080, udp/53] }
`;
const labRun = (trace, rules) => run(`${LAB}trace: ${trace}\nnftables: |\n${rules.split('\n').map((l) => `  ${l}`).join('\n')}\n`);

describe('nftables semantics in the simulator', () => {
  it('an accept in one base chain does not stop the next one from dropping', () => {
    const r = labRun('laptop -> 198.51.100.50:80', 'table ip a {\n chain f1 { type filter hook forward priority 0; accept; }\n chain f2 { type filter hook forward priority 10; drop; }\n}');
    assert.strictEqual(r.outcome, 'timeout');
    const chains = r.trace.steps.filter((s) => s.kind === 'chain' && s.hook === 'FORWARD').map((s) => `${s.chain}:${s.verdict}`);
    assert.deepStrictEqual(chains.slice(0, 2), ['f1:ACCEPT', 'f2:DROP']);
  });

  it('a drop in the first base chain is final', () => {
    const r = labRun('laptop -> 198.51.100.50:80', 'table ip a {\n chain f1 { type filter hook forward priority -10; drop; }\n chain f2 { type filter hook forward priority 10; accept; }\n}');
    assert.strictEqual(r.outcome, 'timeout');
    assert.ok(!r.trace.steps.some((s) => s.kind === 'chain' && s.chain === 'f2'));
  });

  it('nat chains see a connection\'s first packet only', () => {
    const r = labRun('laptop -> 198.51.100.50:80', 'table ip nat {\n chain post { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }\n}');
    assert.strictEqual(r.outcome, 'established');
    assert.strictEqual(r.server_saw, '198.51.100.2:40000');
    const natWalks = r.trace.steps.filter((s) => s.kind === 'chain' && s.chainType === 'nat');
    assert.strictEqual(natWalks.length, 1);
  });

  it('a verdict map decides; a key it lacks lets the packet go on', () => {
    const drop = labRun('laptop -> 198.51.100.50:80', 'table inet f {\n chain fwd { type filter hook forward priority 0; tcp dport vmap { 80 : drop, 443 : accept }; }\n}');
    assert.strictEqual(drop.outcome, 'timeout');
    const pass = labRun('laptop -> 198.51.100.50:80', 'table inet f {\n chain fwd { type filter hook forward priority 0; policy accept; tcp dport vmap { 22 : drop }; }\n}');
    assert.strictEqual(pass.outcome, 'established');
  });

  it('notrack in a raw chain leaves the connection untracked', () => {
    const r = labRun('laptop -> 198.51.100.50:80', 'table ip raw {\n chain pre { type filter hook prerouting priority raw; tcp dport 80 notrack; tcp sport 80 notrack; }\n}\ntable ip f {\n chain fwd { type filter hook forward priority 0; ct state untracked accept; drop; }\n}');
    assert.strictEqual(r.outcome, 'established');
    assert.deepStrictEqual(r.conntrack, []);
  });

  it('dnat through a map, keyed by port', () => {
    const r = labRun('remote -> 198.51.100.2:8080', 'table ip nat {\n chain pre { type nat hook prerouting priority dstnat; dnat to tcp dport map { 8080 : 192.168.1.10 }; }\n}');
    assert.ok(r.trace.steps.some((s) => s.kind === 'nat' && s.verdict === 'DNAT'));
  });
});

describe('nftables semantics in the simulator: more forms', () => {
  it('a chain entered by goto that runs off its end takes the base chain\'s policy', () => {
    const r = labRun('laptop -> 198.51.100.50:80', 'table ip f {\n chain fwd { type filter hook forward priority 0; policy drop; goto lan; }\n chain lan { ip saddr 10.0.0.0/8 accept; }\n}');
    assert.strictEqual(r.outcome, 'timeout');
  });

  it('ct status ! dnat: none of the flags', () => {
    const rs = parse('table ip t {\n chain c { type filter hook forward priority 0; ct status ! dnat drop; }\n}\n');
    assert.deepStrictEqual([rs.tables['ip t'].c.rules[0].matches[0].opts.op, rs.tables['ip t'].c.rules[0].matches[0].opts.mask], ['noflags', 32]);
  });

  it('fib saddr . iif oif missing: a strict reverse path filter', () => {
    const rules = 'table inet f {\n chain pre { type filter hook prerouting priority raw + 10; fib saddr . mark . iif oif missing drop; }\n}';
    assert.strictEqual(labRun('laptop -> 198.51.100.50:80', rules).outcome, 'established');
    // A LAN source arriving on the WAN side has its route back through lan: missing.
    const { selector } = require('../../dist/rules/nftables/selectors');
    const get = selector('fib saddr . iif oif').get;
    const ctx = (src, inIface) => ({ packet: { src, dst: '192.168.1.10' }, inIface, routeDev: (ip) => (ip.startsWith('192.168.1.') ? 'lan' : 'wan') });
    assert.strictEqual(get(ctx('192.168.1.99', 'wan')), 0);
    assert.strictEqual(get(ctx('192.168.1.99', 'lan')), 1);
    assert.strictEqual(get(ctx('8.8.8.8', 'wan')), 1);
  });

  it('limit rate lets a connection\'s few packets on; limit rate over stops the rule', () => {
    assert.strictEqual(labRun('laptop -> 198.51.100.50:80', 'table ip f {\n chain fwd { type filter hook forward priority 0; policy drop; limit rate 5/second burst 10 packets accept; }\n}').outcome, 'established');
    assert.strictEqual(labRun('laptop -> 198.51.100.50:80', 'table ip f {\n chain fwd { type filter hook forward priority 0; policy drop; limit rate over 5/second accept; }\n}').outcome, 'timeout');
  });

  it('MSS clamping (tcp option maxseg size set) changes no answer; its protocol dependency stops a rule for other protocols', () => {
    const mss = (stmt) => labRun('laptop -> 198.51.100.50:80', `table ip f {\n chain fwd { type filter hook forward priority 0; policy drop; ct state established,related accept; ${stmt} }\n}`).outcome;
    assert.strictEqual(mss('tcp flags syn tcp option maxseg size set rt mtu accept;'), 'established');
    assert.strictEqual(mss('tcp option maxseg size set 1400 accept;'), 'established');
    // nft puts `meta l4proto tcp` before the statement, so a UDP rule holding it never reaches its accept.
    assert.strictEqual(mss('meta l4proto udp tcp option maxseg size set 1400 accept;'), 'timeout');
    assert.throws(() => parse('table ip t {\n chain c { type filter hook forward priority 0; tcp option maxseg size 1400 accept; }\n}\n'), /matching tcp option maxseg is not simulated/);
  });

  it('meta pkttype and icmpv6 parse (icmpv6 never matches IPv4)', () => {
    const rs = parse('table inet t {\n chain c { type filter hook input priority 0; pkttype host accept; icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept; }\n}\n');
    assert.deepStrictEqual(rs.tables['inet t'].c.rules.map((r) => r.matches[0].opts.keys[0]), ['meta pkttype', 'icmpv6 type']);
  });
});

describe('nftables: netdev ingress, socket owners, family inference', () => {
  it('a netdev ingress chain sees only its device, before everything else', () => {
    const rules = 'table netdev filter {\n chain ingress { type filter hook ingress device "wan" priority -500; policy accept; ip saddr 198.51.100.50 drop; }\n}';
    const r = run(`${LAB}trace: remote -> 198.51.100.2:22\nnftables: |\n${rules.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    assert.strictEqual(r.outcome, 'timeout');
    assert.ok(r.trace.steps.some((s) => s.kind === 'drop' && s.rule && s.rule.table === 'netdev filter'));
    // The laptop's SYN arrives on lan: the chain does not see it (its answer, arriving on wan, is dropped).
    const lan = labRun('laptop -> 198.51.100.50:80', rules);
    assert.ok(!lan.trace.steps.some((s) => s.kind === 'chain' && s.table === 'netdev filter' && s.packetId === 0));
    assert.ok(lan.trace.steps.some((s) => s.kind === 'chain' && s.table === 'netdev filter' && s.packetId !== 0));
    assert.match(refusal('table netdev f {\n chain c { type filter hook ingress priority 0; }\n}\n').message, /needs a device/);
    assert.match(refusal('table netdev f {\n chain c { type filter hook ingress device "eth7" priority 0; }\n}\n').message, /no device eth7/);
  });

  it('meta skuid: the router\'s own programs run as root', () => {
    const rs = parse('table inet t {\n chain o { type nat hook output priority -100; meta skuid != 13 tcp dport 80 redirect to :3128; }\n}\n');
    assert.strictEqual(rs.tables['inet t'].o.rules[0].matches[0].opts.keys[0], 'meta skuid');
  });

  it('in an inet table dnat infers ip from an IPv4 match before it', () => {
    const rs = parse('table inet n {\n chain p { type nat hook prerouting priority -100;\n  meta nfproto ipv4 tcp dport 81 dnat to 10.0.0.2\n  ip daddr 10.9.9.9 tcp dport 82 dnat to 10.0.0.3:80\n }\n}\n');
    assert.deepStrictEqual(rs.tables['inet n'].p.rules.map((r) => r.target.opts.minIp), ['10.0.0.2', '10.0.0.3']);
  });
});
