'use strict';
// Scenario texts shared by the story and render tests: the main NAT stories.
const NET = `router:
  name: gw
  interfaces:
    ether1: { address: 203.0.113.22/24, label: WAN }
    bridge: { address: 10.30.9.1/24, label: LAN }
  interface_lists: { WAN: [ether1], LAN: [bridge] }
  routes: ["0.0.0.0/0 via 203.0.113.1"]
hosts:
  pc:  { interface: bridge, address: 10.30.9.70, gateway: 10.30.9.1 }
  web: { interface: bridge, address: 10.30.9.77, gateway: 10.30.9.1, listen: [tcp/5000, udp/53] }
  visitor: { interface: ether1, address: 203.0.113.80, gateway: 203.0.113.22 }
`;
const DNAT = '  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.77 to-ports=5000 comment="web server"\n';
const MASQ = '  add chain=srcnat action=masquerade src-address=10.30.9.0/24 dst-address=10.30.9.0/24 out-interface=bridge comment="hairpin NAT"\n';

const S = {
  portForward: `${NET}routeros: |\n  /ip firewall nat\n${DNAT}trace: visitor -> 203.0.113.22:5000\n`,
  hairpin: `${NET}routeros: |\n  /ip firewall nat\n${DNAT}trace: pc -> 203.0.113.22:5000\n`,
  hairpinFixed: `${NET}routeros: |\n  /ip firewall nat\n${DNAT}${MASQ}trace: pc -> 203.0.113.22:5000\n`,
  udp: `${NET}iptables: |\n  *nat\n  -A PREROUTING -i ether1 -p udp --dport 53 -j DNAT --to-destination 10.30.9.77\n  COMMIT\ntrace: visitor -> 203.0.113.22:53/udp\n`,
  filterDrop: `${NET}iptables: |\n  *nat\n  -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n  COMMIT\n  *filter\n  :FORWARD DROP [0:0]\n  -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n  COMMIT\ntrace: visitor -> 203.0.113.22:5000\n`,
  filterReject: `${NET}iptables: |\n  *nat\n  -A PREROUTING -i ether1 -p tcp --dport 5000 -j DNAT --to-destination 10.30.9.77\n  COMMIT\n  *filter\n  -A FORWARD -i ether1 -p tcp --dport 5000 -j REJECT --reject-with tcp-reset\n  COMMIT\ntrace: visitor -> 203.0.113.22:5000\n`,
  filterRejectIcmp: `${NET}iptables: |\n  *filter\n  -A FORWARD -i ether1 -j REJECT\n  COMMIT\ntrace: visitor -> 10.30.9.77:5000\n`,
  redirect: `${NET.replace('  routes:', '  listen: [tcp/8080]\n  routes:')}iptables: |\n  *nat\n  -A PREROUTING -i bridge -p tcp --dport 80 -j REDIRECT --to-ports 8080\n  COMMIT\ntrace: pc -> 198.51.100.7:80\n`,
  wrongTarget: `${NET}routeros: |\n  /ip firewall nat\n  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.78 to-ports=5000\ntrace: visitor -> 203.0.113.22:5000\n`,
  wrongPort: `${NET}routeros: |\n  /ip firewall nat\n  add chain=dstnat action=dst-nat dst-address=203.0.113.22 protocol=tcp dst-port=5000 to-addresses=10.30.9.77 to-ports=8000\ntrace: visitor -> 203.0.113.22:5000\n`,
};

module.exports = { NET, S };
