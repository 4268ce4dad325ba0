'use strict';
// The match and target modules on their own: what they decide for a packet, and what NAT they ask for.
const assert = require('assert');
require('../../dist/rules/matches/index');
require('../../dist/rules/targets/index');
const { getMatch, getTarget, hasMatch, hasTarget } = require('../../dist/rules/registry');

function ctx(over = {}) {
  const ifaceAddrs = { ether1: '203.0.113.22', bridge: '10.30.9.1' };
  return {
    packet: { proto: 'tcp', src: '10.30.9.70', dst: '203.0.113.22', sport: 40000, dport: 5000, flags: { syn: true } },
    hook: 'PREROUTING', table: 'nat', inIface: 'bridge', outIface: undefined,
    ct: { state: 'NEW', dir: 'ORIGINAL', status: { expected: false, seenReply: false, assured: false, confirmed: false }, dnat: false, snat: false,
      origSrc: '10.30.9.70', origDst: '203.0.113.22', origSport: 40000, origDport: 5000 },
    addrType: (ip) => (ip === '203.0.113.22' || ip === '10.30.9.1' ? 'LOCAL' : 'UNICAST'),
    addressLists: { trusted: ['10.30.9.64/27', '192.0.2.5', '198.51.100.10-198.51.100.20'] },
    interfaceLists: { LAN: ['bridge'], WAN: ['ether1'] },
    ifaceAddress: (i) => ifaceAddrs[i],
    ...over,
  };
}
const m = (name, opts, c = ctx()) => getMatch(name).match(opts, c);
const run = (name, opts, c = ctx()) => getTarget(name).run(opts, c);

describe('match modules', () => {
  it('registers every module the contract names', () => {
    for (const n of ['ip', 'tcp', 'udp', 'icmp', 'multiport', 'addrtype', 'conntrack', 'state', 'iprange', 'comment', 'addrlist', 'ifacelist']) assert.ok(hasMatch(n), n);
    for (const n of ['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', 'JUMP', 'GOTO', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'PASSTHROUGH']) assert.ok(hasTarget(n), n);
  });

  it('ip: addresses, networks, odd masks, protocol, interfaces with + and negation', () => {
    assert.strictEqual(m('ip', { src: { cidr: '10.30.9.0/24', invert: false } }), true);
    assert.strictEqual(m('ip', { src: { cidr: '10.30.9.0/24', invert: true } }), false);
    assert.strictEqual(m('ip', { src: { cidr: '10.30.8.0/24', invert: false } }), false);
    assert.strictEqual(m('ip', { src: { cidr: '10.0.9.0/255.0.255.0', invert: false } }), true);
    assert.strictEqual(m('ip', { proto: { proto: 'udp', invert: false } }), false);
    assert.strictEqual(m('ip', { proto: { proto: 'udp', invert: true } }), true);
    assert.strictEqual(m('ip', { inIface: { name: 'br+', invert: false } }), true);
    assert.strictEqual(m('ip', { inIface: { name: 'bridge1', invert: false } }), false);
    assert.strictEqual(m('ip', { inIface: { name: 'bridgex+', invert: false } }), false);
    // No out interface in PREROUTING: "-o x" fails, "! -o x" matches, "-o +" matches anything.
    assert.strictEqual(m('ip', { outIface: { name: 'ether1', invert: false } }), false);
    assert.strictEqual(m('ip', { outIface: { name: 'ether1', invert: true } }), true);
    assert.strictEqual(m('ip', { outIface: { name: 'eth+', invert: true } }), true);
  });

  it('tcp/udp/multiport: ports, ranges, flags', () => {
    assert.strictEqual(m('tcp', { dport: { min: 5000, max: 5000, invert: false } }), true);
    assert.strictEqual(m('tcp', { dport: { min: 1, max: 1024, invert: false } }), false);
    assert.strictEqual(m('tcp', { sport: { min: 1, max: 1024, invert: true } }), true);
    assert.strictEqual(m('udp', { dport: { min: 5000, max: 5000, invert: false } }), false, 'a TCP packet never matches -m udp');
    const syn = { tcpFlags: { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'], invert: false } };
    assert.strictEqual(m('tcp', syn), true);
    const synack = ctx(); synack.packet.flags = { syn: true, ack: true };
    assert.strictEqual(m('tcp', syn, synack), false);
    assert.strictEqual(m('multiport', { dir: 'dst', ports: [[80, 80], [4000, 6000]], invert: false }), true);
    assert.strictEqual(m('multiport', { dir: 'src', ports: [[80, 80], [4000, 6000]], invert: false }), false);
    assert.strictEqual(m('multiport', { dir: 'any', ports: [[40000, 40000]], invert: false }), true);
  });

  it('icmp: type and code, any', () => {
    const c = ctx({ packet: { proto: 'icmp', src: '1.1.1.1', dst: '2.2.2.2', sport: 7, dport: 0, icmp: { type: 3, code: 3 } } });
    assert.strictEqual(m('icmp', { type: 3, invert: false }, c), true);
    assert.strictEqual(m('icmp', { type: 3, code: 1, invert: false }, c), false);
    assert.strictEqual(m('icmp', { type: 8, invert: false }, c), false);
    assert.strictEqual(m('icmp', { type: 255, invert: false }, c), true);
  });

  it('addrtype, conntrack, state, iprange, comment', () => {
    assert.strictEqual(m('addrtype', { dst: { types: ['LOCAL'], invert: false } }), true);
    assert.strictEqual(m('addrtype', { src: { types: ['LOCAL'], invert: false } }), false);
    assert.strictEqual(m('conntrack', { ctstate: { states: ['NEW'], invert: false } }), true);
    assert.strictEqual(m('conntrack', { ctstate: { states: ['DNAT'], invert: false } }), false);
    const dnatted = ctx(); dnatted.ct = { ...dnatted.ct, state: 'ESTABLISHED', dnat: true };
    assert.strictEqual(m('conntrack', { ctstate: { states: ['DNAT'], invert: false } }, dnatted), true);
    assert.strictEqual(m('conntrack', { ctorigdst: { cidr: '203.0.113.22/32', invert: false } }), true);
    assert.strictEqual(m('conntrack', { ctorigdstport: { min: 80, max: 80, invert: false } }), false);
    const invalid = ctx(); invalid.ct = { ...invalid.ct, state: 'INVALID' };
    assert.strictEqual(m('conntrack', { ctorigdst: { cidr: '0.0.0.0/0', invert: false } }, invalid), false, 'no entry: only --ctstate can match');
    assert.strictEqual(m('state', { states: ['ESTABLISHED', 'RELATED'], invert: false }), false);
    assert.strictEqual(m('state', { states: ['ESTABLISHED', 'RELATED'], invert: true }), true);
    assert.strictEqual(m('iprange', { src: { min: '10.30.9.60', max: '10.30.9.80', invert: false } }), true);
    assert.strictEqual(m('iprange', { dst: { min: '10.30.9.60', max: '10.30.9.80', invert: false } }), false);
    assert.strictEqual(m('comment', { comment: 'x' }), true);
  });

  it('addrlist and ifacelist (RouterOS lists)', () => {
    assert.strictEqual(m('addrlist', { dir: 'src', list: 'trusted', invert: false }), true);
    assert.strictEqual(m('addrlist', { dir: 'dst', list: 'trusted', invert: false }), false);
    assert.strictEqual(m('addrlist', { dir: 'dst', list: 'missing', invert: true }), true);
    const r = ctx(); r.packet = { ...r.packet, src: '198.51.100.15' };
    assert.strictEqual(m('addrlist', { dir: 'src', list: 'trusted', invert: false }, r), true);
    assert.strictEqual(m('ifacelist', { dir: 'in', list: 'LAN', invert: false }), true);
    assert.strictEqual(m('ifacelist', { dir: 'in', list: 'WAN', invert: false }), false);
    assert.strictEqual(m('ifacelist', { dir: 'in', list: 'WAN', invert: true }), true);
    assert.strictEqual(m('ifacelist', { dir: 'in', list: 'all', invert: false }), true);
  });

  // How fast matching is belongs to `npm run bench` (no test asserts a time):
  // here, only that a hot loop of ip+tcp matches keeps giving the same answer.
  it('answers alike on every one of 100,000 repeated ip+tcp matches', () => {
    const c = ctx();
    const opts = { src: { cidr: '10.30.9.0/24', invert: false }, dst: { cidr: '203.0.113.0/24', invert: false }, proto: { proto: 'tcp', invert: false }, inIface: { name: 'br+', invert: false } };
    const ip = getMatch('ip'); const tcp = getMatch('tcp');
    const topts = { dport: { min: 5000, max: 5000, invert: false } };
    const miss = { dport: { min: 5001, max: 5001, invert: false } };
    let n = 0; let m = 0;
    for (let i = 0; i < 100000; i++) {
      if (ip.match(opts, c) && tcp.match(topts, c)) n++;
      if (tcp.match(miss, c)) m++;
    }
    assert.strictEqual(n, 100000);
    assert.strictEqual(m, 0);
  });
});

describe('target modules', () => {
  it('verdicts', () => {
    assert.deepStrictEqual(run('ACCEPT', {}), { verdict: 'ACCEPT' });
    assert.deepStrictEqual(run('REJECT', { with: 'tcp-reset' }), { verdict: 'REJECT', with: 'tcp-reset' });
    assert.deepStrictEqual(run('JUMP', { chain: 'x' }), { verdict: 'JUMP', chain: 'x' });
    assert.deepStrictEqual(run('GOTO', { chain: 'x' }), { verdict: 'GOTO', chain: 'x' });
    assert.strictEqual(run('LOG', { prefix: 'p: ' }).verdict, 'CONTINUE');
    assert.strictEqual(run('PASSTHROUGH', {}).verdict, 'CONTINUE');
  });

  it('DNAT and SNAT ask for their ranges', () => {
    const d = run('DNAT', { minIp: '10.30.9.77', maxIp: '10.30.9.77', minPort: 5000, maxPort: 5000 });
    assert.strictEqual(d.verdict, 'NAT'); assert.strictEqual(d.kind, 'DNAT');
    assert.deepStrictEqual(d.nat, { manip: 'dst', minIp: '10.30.9.77', maxIp: '10.30.9.77', minPort: 5000, maxPort: 5000 });
    const s = run('SNAT', { minIp: '198.51.100.1', maxIp: '198.51.100.4', persistent: true }, ctx({ hook: 'POSTROUTING' }));
    assert.deepStrictEqual(s.nat, { manip: 'src', minIp: '198.51.100.1', maxIp: '198.51.100.4', persistent: true });
  });

  it('MASQUERADE takes the out interface address; REDIRECT the in interface or loopback', () => {
    const mq = run('MASQUERADE', {}, ctx({ hook: 'POSTROUTING', outIface: 'ether1', inIface: 'bridge' }));
    assert.deepStrictEqual(mq.nat, { manip: 'src', minIp: '203.0.113.22', maxIp: '203.0.113.22' });
    assert.strictEqual(mq.kind, 'MASQUERADE');
    const rd = run('REDIRECT', { minPort: 8080, maxPort: 8080 });
    assert.deepStrictEqual(rd.nat, { manip: 'dst', minIp: '10.30.9.1', maxIp: '10.30.9.1', minPort: 8080, maxPort: 8080 });
    const out = run('REDIRECT', {}, ctx({ hook: 'OUTPUT', inIface: undefined }));
    assert.strictEqual(out.nat.minIp, '127.0.0.1');
    assert.deepStrictEqual(run('REDIRECT', {}, ctx({ inIface: 'wg9' })), { verdict: 'DROP' }, 'no address on the in interface');
  });

  it('NETMAP maps the prefix and keeps host bits, by hook direction', () => {
    const pre = run('NETMAP', { to: '192.168.5.0/24' });
    assert.deepStrictEqual(pre.nat, { manip: 'dst', minIp: '192.168.5.0', maxIp: '192.168.5.255', netmapPrefix: 24 });
    assert.strictEqual(run('NETMAP', { to: '192.168.5.0/24' }, ctx({ hook: 'POSTROUTING' })).nat.manip, 'src');
  });
});
