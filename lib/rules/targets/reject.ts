/** 'REJECT': answer with an ICMP error or a TCP RST (filter table, INPUT/FORWARD/OUTPUT only). */
import type { TargetModule } from '../model';
import type { RejectTargetOpts } from '../opts';
import { dict, own } from '../../dict';

/** --reject-with names iptables prints, and the aliases it also accepts. */
export const REJECT_TYPES: Record<string, string> = dict({
  'icmp-net-unreachable': 'icmp-net-unreachable', 'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable', 'host-unreach': 'icmp-host-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable', 'port-unreach': 'icmp-port-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable', 'proto-unreach': 'icmp-proto-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited', 'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited', 'host-prohib': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited', 'admin-prohib': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset', 'tcp-rst': 'tcp-reset',
});

/** RouterOS reject-with spellings, so RouterOS rules serialize to names iptables accepts. */
const ROUTEROS_NAMES: Record<string, string> = dict({
  'icmp-network-unreachable': 'icmp-net-unreachable',
  'icmp-protocol-unreachable': 'icmp-proto-unreachable',
  'icmp-network-prohibited': 'icmp-net-prohibited',
});

export function iptablesRejectName(w: string): string {
  return own(REJECT_TYPES, w) ?? own(ROUTEROS_NAMES, w) ?? w;
}

export const rejectTarget: TargetModule<RejectTargetOpts> = {
  name: 'REJECT',
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  run: (o) => ({ verdict: 'REJECT', with: o.with }),
  toIptables: (o) => `-j REJECT --reject-with ${iptablesRejectName(o.with)}`,
};
