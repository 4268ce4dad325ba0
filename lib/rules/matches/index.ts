/** Registers every match module; importing this file is enough. */
import { registerMatch } from '../registry';
import { ipMatch } from './ip';
import { tcpMatch, udpMatch } from './ports';
import { icmpMatch } from './icmp';
import { multiportMatch } from './multiport';
import { addrtypeMatch } from './addrtype';
import { conntrackMatch } from './conntrack';
import { stateMatch } from './state';
import { iprangeMatch } from './iprange';
import { commentMatch } from './comment';
import { addrlistMatch } from './addrlist';
import { ifacelistMatch } from './ifacelist';

export const MATCH_MODULES = [
  ipMatch, tcpMatch, udpMatch, icmpMatch, multiportMatch, addrtypeMatch, conntrackMatch,
  stateMatch, iprangeMatch, commentMatch, addrlistMatch, ifacelistMatch,
];
for (const m of MATCH_MODULES) registerMatch(m);
