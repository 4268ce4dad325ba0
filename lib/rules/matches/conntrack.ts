/** 'conntrack': --ctstate, --ctstatus, --ctproto, the tuple fields, --ctdir (xt_conntrack.c). */
import type { CtView, MatchModule } from '../model';
import type { CidrSpec, ConntrackMatchOpts, PortSpec, Inverted } from '../opts';
import { compileCidr, ip4ToInt } from '../../net/addr';
import { neg, portText } from './util';
import { dict } from '../../dict';

/** The option shape of lib/rules/opts.ts plus the port and direction tests iptables also has. */
export interface ConntrackMatchOptsFull extends ConntrackMatchOpts {
  ctorigsrcport?: PortSpec;
  ctorigdstport?: PortSpec;
  ctreplsrcport?: PortSpec;
  ctrepldstport?: PortSpec;
  ctdir?: 'ORIGINAL' | 'REPLY';
}

/** iptables-save prints --ctproto as a number and single addresses without /32. */
const PROTO_NUMBERS: Record<string, string> = dict({ tcp: '6', udp: '17', icmp: '1', sctp: '132', dccp: '33', udplite: '136', gre: '47', esp: '50', ah: '51', igmp: '2' });
const addrText = (c: CidrSpec) => (c.cidr.endsWith('/32') ? c.cidr.slice(0, -3) : c.cidr);

export const CT_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];
export const CT_STATUSES = ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'];

function stateHit(states: string[], ct: CtView): boolean {
  for (const s of states) {
    if (s === ct.state) return true;
    if (s === 'SNAT' && ct.snat) return true;
    if (s === 'DNAT' && ct.dnat) return true;
  }
  return false;
}

function statusHit(statuses: string[], ct: CtView): boolean {
  for (const s of statuses) {
    if (s === 'EXPECTED' && ct.status.expected) return true;
    if (s === 'SEEN_REPLY' && ct.status.seenReply) return true;
    if (s === 'ASSURED' && ct.status.assured) return true;
    if (s === 'CONFIRMED' && ct.status.confirmed) return true;
  }
  return false;
}

function addrHit(spec: CidrSpec | undefined, ip: string | undefined): boolean {
  if (!spec) return true;
  if (ip === undefined) return false;
  const c = compileCidr(spec.cidr);
  return ((((ip4ToInt(ip) & c.mask) >>> 0) === c.net) !== spec.invert);
}

function portHit(spec: PortSpec | undefined, port: number | undefined): boolean {
  if (!spec) return true;
  if (port === undefined) return false;
  return (port >= spec.min && port <= spec.max) !== spec.invert;
}

export const conntrackMatch: MatchModule<ConntrackMatchOptsFull> = {
  name: 'conntrack',
  match(o, ctx) {
    const ct = ctx.ct;
    if (o.ctstate && stateHit(o.ctstate.states, ct) === o.ctstate.invert) return false;
    // No conntrack entry (INVALID, UNTRACKED): only --ctstate can match (conntrack_mt).
    if (ct.state === 'INVALID' || ct.state === 'UNTRACKED') return o.ctstate !== undefined;
    if (o.ctdir && (ct.dir === o.ctdir) === false) return false;
    if (o.ctproto && (ctx.packet.proto === o.ctproto.proto) === o.ctproto.invert) return false;
    if (!addrHit(o.ctorigsrc, ct.origSrc) || !addrHit(o.ctorigdst, ct.origDst)) return false;
    if (!addrHit(o.ctreplsrc, ct.replSrc) || !addrHit(o.ctrepldst, ct.replDst)) return false;
    if (!portHit(o.ctorigsrcport, ct.origSport) || !portHit(o.ctorigdstport, ct.origDport)) return false;
    if (!portHit(o.ctreplsrcport, ct.replSport) || !portHit(o.ctrepldstport, ct.replDport)) return false;
    if (o.ctstatus && statusHit(o.ctstatus.statuses, ct) === o.ctstatus.invert) return false;
    return true;
  },
  toIptables(o) {
    const parts = ['-m conntrack'];
    const inv = (x: Inverted | undefined) => neg(x);
    if (o.ctstate) parts.push(`${inv(o.ctstate)}--ctstate ${o.ctstate.states.join(',')}`);
    if (o.ctproto) parts.push(`${inv(o.ctproto)}--ctproto ${PROTO_NUMBERS[o.ctproto.proto] ?? o.ctproto.proto}`);
    if (o.ctorigsrc) parts.push(`${inv(o.ctorigsrc)}--ctorigsrc ${addrText(o.ctorigsrc)}`);
    if (o.ctorigdst) parts.push(`${inv(o.ctorigdst)}--ctorigdst ${addrText(o.ctorigdst)}`);
    if (o.ctreplsrc) parts.push(`${inv(o.ctreplsrc)}--ctreplsrc ${addrText(o.ctreplsrc)}`);
    if (o.ctrepldst) parts.push(`${inv(o.ctrepldst)}--ctrepldst ${addrText(o.ctrepldst)}`);
    if (o.ctorigsrcport) parts.push(`${inv(o.ctorigsrcport)}--ctorigsrcport ${portText(o.ctorigsrcport)}`);
    if (o.ctorigdstport) parts.push(`${inv(o.ctorigdstport)}--ctorigdstport ${portText(o.ctorigdstport)}`);
    if (o.ctreplsrcport) parts.push(`${inv(o.ctreplsrcport)}--ctreplsrcport ${portText(o.ctreplsrcport)}`);
    if (o.ctrepldstport) parts.push(`${inv(o.ctrepldstport)}--ctrepldstport ${portText(o.ctrepldstport)}`);
    if (o.ctstatus) parts.push(`${inv(o.ctstatus)}--ctstatus ${o.ctstatus.statuses.join(',')}`);
    if (o.ctdir) parts.push(`--ctdir ${o.ctdir}`);
    return parts.join(' ');
  },
};
