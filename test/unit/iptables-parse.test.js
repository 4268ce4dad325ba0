'use strict';
// iptables text (command lines and iptables-save) -> neutral rule model, and the errors for bad input.
const assert = require('assert');
const { parseIptables } = require('../../dist/rules/iptables/parse');
const { NatTraceError } = require('../../dist/errors');

const rules = (rs, table, chain) => rs.tables[table][chain].rules;
const match = (rule, name) => (rule.matches.find((m) => m.module === name) || {}).opts;

function parseError(text) {
  try { parseIptables(text); } catch (e) {
    assert.ok(e instanceof NatTraceError, `expected NatTraceError, got ${e && e.stack}`);
    return e;
  }
  assert.fail(`accepted: ${text}`);
}

describe('iptables parser: command lines', () => {
  it('reads the seed post port forward with and without a leading iptables', () => {
    for (const prefix of ['iptables ', 'sudo /usr/sbin/iptables ', '']) {
      const rs = parseIptables(`${prefix}-t nat -A PREROUTING -d 203.0.113.22 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77:5000`);
      const [r] = rules(rs, 'nat', 'PREROUTING');
      assert.strictEqual(r.table, 'nat');
      assert.deepStrictEqual(match(r, 'ip').dst, { cidr: '203.0.113.22/32', invert: false });
      assert.deepStrictEqual(match(r, 'ip').proto, { proto: 'tcp', invert: false });
      assert.deepStrictEqual(match(r, 'tcp').dport, { min: 5000, max: 5000, invert: false });
      assert.strictEqual(r.target.module, 'DNAT');
      assert.strictEqual(r.target.opts.minIp, '10.30.9.77');
      assert.strictEqual(r.target.opts.minPort, 5000);
      assert.strictEqual(r.source.line, 1);
      assert.strictEqual(r.source.number, 1);
      assert.strictEqual(r.source.dialect, 'iptables');
    }
  });

  it('defaults to the filter table, keeps policies, user chains, jumps and -I order', () => {
    const rs = parseIptables([
      'iptables -P FORWARD DROP',
      'iptables -N web',
      'iptables -A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT',
      'iptables -A FORWARD -p tcp -j web',
      'iptables -I FORWARD -i lo -j ACCEPT',
      'iptables -A web -g web2 2>/dev/null || true',
    ].slice(0, 5).join('\n'));
    assert.strictEqual(rs.tables.filter.FORWARD.policy, 'DROP');
    assert.strictEqual(rs.tables.filter.web.builtin, false);
    const fw = rules(rs, 'filter', 'FORWARD');
    assert.deepStrictEqual(fw.map((r) => r.target.module), ['ACCEPT', 'ACCEPT', 'JUMP']);
    assert.deepStrictEqual(fw.map((r) => r.source.number), [1, 2, 3]);
    assert.deepStrictEqual(fw.map((r) => r.source.line), [5, 3, 4]);
    assert.strictEqual(fw[2].target.opts.chain, 'web');
    assert.deepStrictEqual(match(fw[1], 'state'), { states: ['ESTABLISHED', 'RELATED'], invert: false });
  });

  it('expands comma lists in -s/-d into several rules, source first', () => {
    const rs = parseIptables('-A INPUT -s 10.0.0.1,10.0.0.2 -d 1.1.1.1,2.2.2.2 -j DROP');
    const got = rules(rs, 'filter', 'INPUT').map((r) => `${match(r, 'ip').src.cidr} ${match(r, 'ip').dst.cidr}`);
    assert.deepStrictEqual(got, ['10.0.0.1/32 1.1.1.1/32', '10.0.0.1/32 2.2.2.2/32', '10.0.0.2/32 1.1.1.1/32', '10.0.0.2/32 2.2.2.2/32']);
  });

  it('accepts both negation spellings and clears host bits like iptables', () => {
    const a = rules(parseIptables('-A INPUT ! -s 10.11.12.13/8 -j DROP'), 'filter', 'INPUT')[0];
    const b = rules(parseIptables('-A INPUT -s ! 10.11.12.13/8 -j DROP'), 'filter', 'INPUT')[0];
    assert.deepStrictEqual(match(a, 'ip').src, { cidr: '10.0.0.0/8', invert: true });
    assert.deepStrictEqual(match(b, 'ip').src, match(a, 'ip').src);
  });

  it('keeps quoted comments and log prefixes with spaces', () => {
    const rs = parseIptables(`-A INPUT -m comment --comment "allow the web server" -j LOG --log-prefix 'in: '`);
    const [r] = rules(rs, 'filter', 'INPUT');
    assert.strictEqual(r.comment, 'allow the web server');
    assert.strictEqual(r.target.opts.prefix, 'in: ');
  });

  it('reads interface wildcards, multiport, addrtype, conntrack, iprange, icmp and tcp flags', () => {
    const rs = parseIptables([
      '-A FORWARD -i eth+ -o wg0 -p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT',
      '-A FORWARD -m addrtype --dst-type LOCAL,BROADCAST -j DROP',
      '-A FORWARD -m conntrack --ctstate DNAT --ctorigdst 203.0.113.22 -j ACCEPT',
      '-A FORWARD -m iprange ! --src-range 10.0.0.10-10.0.0.20 -j DROP',
      '-A INPUT -p icmp --icmp-type echo-request -j ACCEPT',
      '-A INPUT -p tcp ! --syn -j ACCEPT',
    ].join('\n'));
    const fw = rules(rs, 'filter', 'FORWARD');
    assert.strictEqual(match(fw[0], 'ip').inIface.name, 'eth+');
    assert.deepStrictEqual(match(fw[0], 'multiport'), { dir: 'dst', ports: [[80, 80], [443, 443], [8000, 8100]], invert: false });
    assert.deepStrictEqual(match(fw[1], 'addrtype').dst.types, ['LOCAL', 'BROADCAST']);
    assert.deepStrictEqual(match(fw[2], 'conntrack').ctstate.states, ['DNAT']);
    assert.deepStrictEqual(match(fw[3], 'iprange').src, { min: '10.0.0.10', max: '10.0.0.20', invert: true });
    const inp = rules(rs, 'filter', 'INPUT');
    assert.strictEqual(match(inp[0], 'icmp').type, 8);
    assert.deepStrictEqual(match(inp[1], 'tcp').tcpFlags, { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'], invert: true });
  });

  it('reads every NAT target', () => {
    const rs = parseIptables([
      '-t nat -A POSTROUTING -o ether1 -j MASQUERADE --random',
      '-t nat -A POSTROUTING -p udp -j SNAT --to-source 198.51.100.1-198.51.100.4:1024-2047 --persistent',
      '-t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128',
      '-t nat -A PREROUTING -d 192.0.2.0/24 -j NETMAP --to 10.9.8.7/24',
    ].join('\n'));
    const post = rules(rs, 'nat', 'POSTROUTING');
    assert.strictEqual(post[0].target.module, 'MASQUERADE');
    assert.strictEqual(post[0].target.opts.random, true);
    assert.deepStrictEqual([post[1].target.opts.minIp, post[1].target.opts.maxIp, post[1].target.opts.minPort, post[1].target.opts.maxPort],
      ['198.51.100.1', '198.51.100.4', 1024, 2047]);
    const pre = rules(rs, 'nat', 'PREROUTING');
    assert.strictEqual(pre[0].target.opts.minPort, 3128);
    assert.strictEqual(pre[1].target.opts.to, '10.9.8.0/24');
  });
});

describe('iptables parser: iptables-save input', () => {
  const SAVE = `# Generated by iptables-save v1.8.9
*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-mark 1
COMMIT
*nat
:PREROUTING ACCEPT [12:720]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
[3:180] -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m comment --comment "ssh \\"admin\\" access" -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`;
  it('reads tables, policies, user chains and counters; warns about mangle', () => {
    const rs = parseIptables(SAVE);
    assert.strictEqual(rs.tables.filter.INPUT.policy, 'DROP');
    assert.ok(rs.tables.nat.DOCKER && !rs.tables.nat.DOCKER.builtin);
    assert.strictEqual(rules(rs, 'nat', 'PREROUTING')[0].target.opts.chain, 'DOCKER');
    assert.strictEqual(rules(rs, 'nat', 'PREROUTING')[0].source.line, 10);
    assert.strictEqual(match(rules(rs, 'nat', 'POSTROUTING')[0], 'ip').outIface.invert, true);
    assert.strictEqual(rules(rs, 'filter', 'INPUT')[0].comment, 'ssh "admin" access');
    assert.ok(rs.warnings.some((w) => /mangle/.test(w.message) && w.line === 2), JSON.stringify(rs.warnings));
  });

  it('warns for -t mangle command lines instead of failing', () => {
    const rs = parseIptables('iptables -t mangle -A POSTROUTING -p tcp -j TCPMSS --clamp-mss-to-pmtu\n-A INPUT -j ACCEPT');
    assert.strictEqual(rs.warnings.length, 1);
    assert.strictEqual(rs.warnings[0].line, 1);
    assert.strictEqual(rules(rs, 'filter', 'INPUT').length, 1);
  });
});

describe('iptables parser: errors', () => {
  it('names an unknown option with line, token and a suggestion', () => {
    const e = parseError('# ok\n-A INPUT -j ACCEPT\n-A FORWARD -p tcp --dprot 80 -j ACCEPT');
    assert.strictEqual(e.line, 3);
    assert.strictEqual(e.token, '--dprot');
    assert.strictEqual(e.suggestion, '--dport');
    assert.ok(e.expected);
    assert.match(e.format(), /line 3/);
  });

  it('names unknown matches, targets, chains and tables with suggestions', () => {
    assert.strictEqual(parseError('-A INPUT -m conntrak --ctstate NEW -j ACCEPT').suggestion, 'conntrack');
    assert.strictEqual(parseError('-A INPUT -j ACCPET').suggestion, 'ACCEPT');
    assert.strictEqual(parseError('-A INPT -j ACCEPT').suggestion, 'INPUT');
    assert.strictEqual(parseError('-t nta -A PREROUTING -j ACCEPT').suggestion, 'nat');
    const e = parseError('-N mychain\n-A INPUT -j mychian');
    assert.strictEqual(e.line, 2);
    assert.strictEqual(e.suggestion, 'mychain');
  });

  it('refuses what iptables and the kernel refuse', () => {
    const refused = [
      '-t nat -A POSTROUTING -j DNAT --to-destination 10.0.0.1',   // DNAT only in PREROUTING/OUTPUT
      '-t nat -A PREROUTING -j MASQUERADE',                        // MASQUERADE only in POSTROUTING
      '-t nat -A POSTROUTING -j REDIRECT',                         // REDIRECT only in PREROUTING/OUTPUT
      '-A FORWARD -j SNAT --to-source 1.2.3.4',                    // nat table only
      '-t nat -A PREROUTING -j DROP',                              // nat is not for filtering
      '-A INPUT -p udp -j REJECT --reject-with tcp-reset',         // tcp-reset needs -p tcp
      '-A INPUT --dport 22 -j ACCEPT',                             // port option without -p
      '-t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1:80', // ports without -p tcp/udp
      '-A INPUT -i thisinterfaceistoolong0 -j ACCEPT',             // IFNAMSIZ
      '-A INPUT -j nosuchchain',                                   // missing chain
      '-A OUTPUT -i eth0 -j ACCEPT',                               // -i in OUTPUT
      '-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT',
      '-A INPUT -m state wrong',
    ];
    for (const r of refused) parseError(r);
  });

  it('checks target hooks through user chains and refuses loops', () => {
    const e = parseError('-t nat -N fwd\n-t nat -A POSTROUTING -j fwd\n-t nat -A fwd -j DNAT --to-destination 10.0.0.1');
    assert.strictEqual(e.line, 3);
    assert.strictEqual(e.token, 'DNAT');
    parseIptables('-t nat -N fwd\n-t nat -A PREROUTING -j fwd\n-t nat -A fwd -j DNAT --to-destination 10.0.0.1');
    const loop = parseError('-N a\n-N b\n-A INPUT -j a\n-A a -j b\n-A b -j a');
    assert.strictEqual(loop.line, 5);
  });

  it('says an unsupported extension is unsupported rather than unknown', () => {
    const e = parseError('-A INPUT -m limit --limit 5/min -j ACCEPT');
    assert.strictEqual(e.token, 'limit');
    assert.match(e.message, /not supported/);
  });

  it('never lets a raw exception escape for garbage', () => {
    const junk = ['-A', '-A INPUT -s', '-A INPUT -s 300.1.1.1', '*nat\n:FOO BAR', '-A INPUT "unterminated', '! ! -s 1.1.1.1',
      'COMMIT', ':X - [0:0]', '-t nat -A PREROUTING -j DNAT --to-destination', '-A INPUT -p 999', 'echo hi', '-P INPUT MAYBE'];
    for (const j of junk) parseError(j);
  });
});
