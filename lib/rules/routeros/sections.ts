/**
 * RouterOS console menus (v7), so a section header can be told apart: one
 * nat-trace simulates, a real one it does not model (a warning: the router
 * has it, the trace just does not depend on it), or a typo (an error with the
 * nearest real menu, since its rules would otherwise vanish silently).
 */

/** Menus whose `add` lines the parser reads. */
export const MODELED_SECTIONS = ['ip firewall nat', 'ip firewall filter', 'ip firewall raw', 'ip firewall address-list'];

/** Real menus whose rules change what packets do and that nat-trace does not simulate: refused. */
export const REFUSED_SECTIONS = ['ip firewall mangle'];

const MENUS: Record<string, string[]> = {
  ip: [
    'address', 'arp', 'cloud', 'cloud advanced', 'dhcp-client', 'dhcp-client option', 'dhcp-relay', 'dhcp-server',
    'dhcp-server alert', 'dhcp-server lease', 'dhcp-server matcher', 'dhcp-server network', 'dhcp-server option',
    'dhcp-server option sets', 'dns', 'dns adlist', 'dns forwarders', 'dns static', 'firewall', 'firewall calea',
    'firewall connection', 'firewall connection tracking', 'firewall layer7-protocol', 'firewall service-port',
    'hotspot', 'hotspot ip-binding', 'hotspot profile', 'hotspot user', 'hotspot user profile', 'hotspot walled-garden',
    'hotspot walled-garden ip', 'ipsec', 'ipsec identity', 'ipsec mode-config', 'ipsec peer', 'ipsec policy',
    'ipsec policy group', 'ipsec profile', 'ipsec proposal', 'ipsec settings', 'kid-control', 'media', 'nat-pmp',
    'nat-pmp interfaces', 'neighbor', 'neighbor discovery-settings', 'packing', 'pool', 'proxy', 'proxy access',
    'proxy cache', 'proxy direct', 'reverse-proxy', 'route', 'route rule', 'route vrf', 'service', 'settings', 'smb',
    'smb shares', 'smb users', 'socks', 'socks access', 'socks users', 'ssh', 'tftp', 'tftp settings', 'traffic-flow',
    'traffic-flow ipfix', 'traffic-flow target', 'upnp', 'upnp interfaces', 'vrf',
  ],
  ipv6: [
    'address', 'dhcp-client', 'dhcp-relay', 'dhcp-server', 'firewall', 'firewall address-list', 'firewall connection',
    'firewall filter', 'firewall mangle', 'firewall nat', 'firewall raw', 'nd', 'nd prefix', 'nd prefix default',
    'neighbor', 'pool', 'route', 'settings',
  ],
  interface: [
    '6to4', 'bonding', 'bridge', 'bridge filter', 'bridge host', 'bridge mdb', 'bridge msti', 'bridge nat',
    'bridge port', 'bridge port-controller', 'bridge settings', 'bridge vlan', 'detect-internet', 'eoip', 'ethernet',
    'ethernet poe', 'ethernet switch', 'ethernet switch port', 'gre', 'ipip', 'l2tp-client', 'l2tp-server',
    'l2tp-server server', 'list', 'list member', 'lte', 'lte apn', 'macvlan', 'ovpn-client', 'ovpn-server',
    'ovpn-server server', 'ppp-client', 'ppp-server', 'pppoe-client', 'pppoe-server', 'pppoe-server server',
    'pptp-client', 'pptp-server', 'pptp-server server', 'sstp-client', 'sstp-server', 'sstp-server server', 'veth',
    'vlan', 'vpls', 'vrrp', 'vxlan', 'vxlan vteps', 'wifi', 'wifi access-list', 'wifi channel', 'wifi configuration',
    'wifi datapath', 'wifi provisioning', 'wifi security', 'wireguard', 'wireguard peers', 'wireless',
    'wireless access-list', 'wireless connect-list', 'wireless security-profiles',
  ],
  system: [
    'backup', 'clock', 'clock manual', 'console', 'device-mode', 'gps', 'hardware', 'health', 'identity', 'leds',
    'license', 'logging', 'logging action', 'note', 'ntp client', 'ntp client servers', 'ntp server', 'package',
    'package update', 'resource', 'routerboard', 'routerboard settings', 'scheduler', 'script', 'special-login',
    'upgrade', 'ups', 'watchdog',
  ],
  routing: [
    'bfd', 'bgp', 'bgp connection', 'bgp instance', 'bgp template', 'filter', 'filter community-list',
    'filter num-list', 'filter rule', 'filter select-rule', 'id', 'igmp-proxy', 'ospf', 'ospf area', 'ospf instance',
    'ospf interface-template', 'ospf static-neighbor', 'pimsm', 'rip', 'rule', 'settings', 'table',
  ],
  user: ['aaa', 'active', 'group', 'settings', 'ssh-keys'],
  tool: [
    'bandwidth-server', 'e-mail', 'graphing', 'graphing interface', 'graphing resource', 'mac-server',
    'mac-server mac-winbox', 'mac-server ping', 'netwatch', 'romon', 'sms', 'sniffer', 'traffic-generator',
  ],
  ppp: ['aaa', 'profile', 'secret'],
  queue: ['interface', 'simple', 'tree', 'type'],
  snmp: ['community'],
  radius: ['incoming'],
  certificate: ['settings'],
  container: ['config', 'envs', 'mounts'],
  mpls: ['ldp', 'interface'],
  'caps-man': ['configuration', 'interface', 'manager', 'provisioning', 'security'],
  disk: [], file: [], log: [], port: [], partitions: [], lcd: [], zerotier: [], iot: [], dude: [], app: [],
};

/** Every real menu as space-separated words ("interface bridge port"). */
export const REAL_SECTIONS: string[] = Object.entries(MENUS).flatMap(([top, subs]) => [top, ...subs.map((s) => `${top} ${s}`)]);

const REAL = new Set(REAL_SECTIONS);

export type SectionKind = 'modeled' | 'refused' | 'real' | 'unknown';

export function sectionKind(path: string): SectionKind {
  if (MODELED_SECTIONS.includes(path)) return 'modeled';
  if (REFUSED_SECTIONS.includes(path)) return 'refused';
  return REAL.has(path) ? 'real' : 'unknown';
}

/** Every menu name a header may be a typo of. */
export const ALL_SECTIONS = [...MODELED_SECTIONS, ...REFUSED_SECTIONS, ...REAL_SECTIONS];
