'use strict';
// Scenario texts for the benchmarks: the four kinds a blog about NAT shows
// (hairpin, port forward, UDP, filter drop), each varied by an index so that
// no two blocks of a generated blog are the same input (the plugin caches
// figures by input, and a blog of identical blocks would measure the cache),
// and the rule-count ladder: N-1 rules that do not match, then the one that does.
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const HAIRPIN_FILE = path.join(ROOT, 'docs', 'figures', 'hairpin.yml');
const KINDS = ['hairpin', 'portForward', 'udp', 'filterDrop'];

/** Addresses and port for variant i (0 <= i < 100 keeps them distinct; larger i wraps the hosts, not the port). */
function addrs(i) {
  const k = i % 100;
  return { pc: `10.30.9.${20 + k}`, web: `10.30.9.${150 + k}`, visitor: `203.0.113.${100 + k}`, port: 5000 + i };
}

function net(v, listen) {
  return `router:
  name: gw
  interfaces:
    ether1: { address: 203.0.113.22/24, label: WAN }
    bridge: { address: 10.30.9.1/24, label: LAN }
  interface_lists: { WAN: [ether1], LAN: [bridge] }
  routes: ["0.0.0.0/0 via 203.0.113.1"]
hosts:
  pc:  { interface: bridge, address: ${v.pc}, gateway: 10.30.9.1 }
  web: { interface: bridge, address: ${v.web}, gateway: 10.30.9.1, listen: [${listen}] }
  visitor: { interface: ether1, address: ${v.visitor}, gateway: 203.0.113.22 }
`;
}

/** Scenario YAML of `kind`, variant `i`; `marker` (optional) goes into a rule comment. */
function scenario(kind, i = 0, marker = 'web server') {
  const v = addrs(i);
  const dnatRos = `  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=${v.port} to-addresses=${v.web} to-ports=${v.port} comment="${marker}"\n`;
  switch (kind) {
    case 'hairpin':
      return `${net(v, `tcp/${v.port}`)}routeros: |\n  /ip firewall nat\n${dnatRos}trace: pc -> 203.0.113.22:${v.port}\n`;
    case 'portForward':
      return `${net(v, `tcp/${v.port}`)}routeros: |\n  /ip firewall filter\n  add chain=forward action=accept connection-nat-state=dstnat in-interface-list=WAN\n  /ip firewall nat\n${dnatRos}trace: visitor -> 203.0.113.22:${v.port}\n`;
    case 'udp':
      return `${net(v, 'udp/53')}iptables: |\n  *nat\n  -A PREROUTING -i ether1 -p udp --dport 53 -m comment --comment "${marker}" -j DNAT --to-destination ${v.web}\n  COMMIT\ntrace: visitor -> 203.0.113.22:53/udp\n`;
    case 'filterDrop':
      return `${net(v, `tcp/${v.port}`)}iptables: |\n  *nat\n  -A PREROUTING -i ether1 -p tcp --dport ${v.port} -m comment --comment "${marker}" -j DNAT --to-destination ${v.web}\n  COMMIT\n  *filter\n  :FORWARD DROP [0:0]\n  -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n  COMMIT\ntrace: visitor -> 203.0.113.22:${v.port}\n`;
    default:
      throw new Error(`unknown scenario kind ${kind}`);
  }
}

/**
 * A port forward whose NAT chain holds `n` rules: n-1 DNAT rules for other
 * ports (alternating the matchers they test), then the one that matches.
 * Returns { text, matchNumber } where matchNumber is the matching rule's position.
 */
function ruleLadder(dialect, n) {
  const v = addrs(0);
  const head = net(v, 'tcp/5000');
  const lines = [];
  for (let i = 0; i < n - 1; i++) {
    const port = 10000 + i; // never 5000
    const host = `10.30.9.${150 + (i % 100)}`;
    if (dialect === 'routeros') {
      lines.push(i % 2
        ? `  add chain=dstnat action=dst-nat in-interface=ether1 protocol=tcp dst-port=${port} to-addresses=${host} to-ports=${port}`
        : `  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=${port} to-addresses=${host}`);
    } else {
      lines.push(i % 2
        ? `  -A PREROUTING -i ether1 -p tcp --dport ${port} -j DNAT --to-destination ${host}:${port}`
        : `  -A PREROUTING -d 203.0.113.22/32 -p tcp -m tcp --dport ${port} -j DNAT --to-destination ${host}`);
    }
  }
  let text;
  if (dialect === 'routeros') {
    lines.push('  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.150 to-ports=5000');
    text = `${head}routeros: |\n  /ip firewall nat\n${lines.join('\n')}\ntrace: visitor -> 203.0.113.22:5000\n`;
  } else {
    lines.push('  -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.150:5000');
    text = `${head}iptables: |\n  *nat\n${lines.join('\n')}\n  COMMIT\ntrace: visitor -> 203.0.113.22:5000\n`;
  }
  return { text, matchNumber: n };
}

function hairpinSeed() {
  return fs.readFileSync(HAIRPIN_FILE, 'utf8');
}

module.exports = { ROOT, HAIRPIN_FILE, KINDS, scenario, ruleLadder, hairpinSeed, addrs };
