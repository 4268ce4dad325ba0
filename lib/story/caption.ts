/**
 * Caption sentences built from a step's data. Every word comes from
 * templates/i18n/<lang>.yml; this file only picks keys and fills values
 * (addresses, ports, the acting rule in its own syntax, the reason).
 */
import { ip4ToInt, prefixToMask } from '../net/addr';
import type { SimResult } from '../index';
import type { Packet } from '../sim/packet';
import { tcpFlagString } from '../sim/packet';
import type { RuleRef } from '../sim/trace';
import { t, tMaybe, Lang, Vars } from './i18n';
import type { Story, StoryStep, Rewrite } from './index';

export function endpoint(ip: string, port: number, proto: string): string {
  return proto === 'icmp' ? ip : `${ip}:${port}`;
}

/** "TCP SYN", "UDP", "ICMP port unreachable". */
export function packetKind(L: Lang, p: Packet): string {
  if (p.proto === 'icmp') {
    const type = p.icmp?.type ?? 0;
    const name = type === 3 ? tMaybe(L, `icmp.unreach.${p.icmp?.code ?? 0}`) : tMaybe(L, `icmp.type.${type}`);
    return `ICMP ${name ?? `type ${type}`}`;
  }
  const flags = p.proto === 'tcp' ? tcpFlagString(p.flags) : '';
  return flags ? `${p.proto.toUpperCase()} ${flags}` : p.proto.toUpperCase();
}

/** "10.30.9.70:40000 → 203.0.113.22:5000" */
export function packetRoute(p: Packet): string {
  return `${endpoint(p.src, p.sport, p.proto)} → ${endpoint(p.dst, p.dport, p.proto)}`;
}

export function packetText(L: Lang, p: Packet): string {
  return `${packetKind(L, p)} ${packetRoute(p)}`;
}

/** Display name of a node: the host's label, else its name; the router as the strings say. */
export function nodeName(L: Lang, sim: SimResult, node: string): string {
  if (node === 'router') return sim.scenario.router.label ?? sim.scenario.router.name;
  const h = sim.scenario.hosts.find((x) => x.name === node);
  return h?.label ?? node;
}

/** "dstnat rule #0", "PREROUTING rule 1", "the FORWARD policy DROP". */
export function ruleName(L: Lang, sim: SimResult, r: RuleRef): string {
  if (sim.ruleset.dialect === 'nftables') {
    // nft's own words: "rule 3 of chain prerouting in table ip nat", policies in lower case.
    if (r.number === 0) return t(L, 'rule.nft-policy', { chain: r.chain, table: r.table, policy: r.text.replace(/^policy\s+/, '').toLowerCase() });
    return t(L, 'rule.nft', { chain: r.chain, table: r.table, n: r.number });
  }
  // Raw chains share their names with nat's and filter's (PREROUTING, output): say which.
  const chain = r.table === 'raw' ? `raw ${r.chain}` : r.chain;
  if (r.number === 0) return t(L, 'rule.policy', { chain, policy: r.text.replace(/^policy\s+/, '') });
  if (sim.ruleset.dialect === 'routeros' && r.rosNumber !== undefined) return t(L, 'rule.ros', { chain, n: r.rosNumber });
  return t(L, 'rule.iptables', { chain, n: r.number });
}

function ruleQuote(L: Lang, r: RuleRef): string {
  return r.number === 0 ? '' : t(L, 'rule.quote', { text: r.text });
}

function join(L: Lang, parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => !!p).join(t(L, 'sep'));
}

function side(field: Rewrite['field']): 'src' | 'dst' {
  return field === 'src' || field === 'sport' ? 'src' : 'dst';
}

/** One sentence per rewritten side (source or destination), naming the rule or conntrack. */
function rewriteSentences(L: Lang, sim: SimResult, s: StoryStep, out: boolean): string[] {
  const res: string[] = [];
  const before = s.before ?? s.packet;
  for (const sd of ['dst', 'src'] as const) {
    const rws = s.rewrites.filter((r) => side(r.field) === sd);
    if (!rws.length) continue;
    const r = rws[0];
    const port = sd === 'src' ? 'sport' : 'dport';
    const old = endpoint(String(before[sd]), Number(before[port]), before.proto);
    const neu = endpoint(String(s.packet[sd]), Number(s.packet[port]), s.packet.proto);
    const how = r.by === 'rule' ? 'rule' : r.dir === 'reply' ? 'ct-reply' : 'ct-orig';
    const v: Vars = { old, new: neu, target: r.target ?? '' };
    if (r.rule) { v.rule = ruleName(L, sim, r.rule); v.text = ruleQuote(L, r.rule); }
    res.push(t(L, `rw.${sd}.${how}${out ? '-out' : ''}`, v));
    if (r.by === 'rule' && rws.some((x) => x.randomPort)) res.push(t(L, 'rw.random-port', { port: Number(s.packet[port]) }));
    if (r.by === 'rule') res.push(t(L, 'rw.ct-new'));
  }
  return res;
}

function hostNet(sim: SimResult, node: string): string {
  const h = sim.scenario.hosts.find((x) => x.name === node);
  const a = h?.addresses[0];
  return a ? `${a.network}/${a.prefix}` : '';
}

function receiverSentence(L: Lang, sim: SimResult, s: StoryStep): string | undefined {
  const r = s.receiver;
  if (!r) return undefined;
  const p = s.packet;
  const tr = sim.scenario.trace;
  const v: Vars = {
    node: nodeName(L, sim, r.node), src: endpoint(p.src, p.sport, p.proto), dst: endpoint(p.dst, p.dport, p.proto),
    proto: p.proto.toUpperCase(), port: p.dport, expected: endpoint(tr.to.ip, tr.to.port, tr.proto),
  };
  if (p.proto === 'icmp' && p.icmp?.inner) { v.inner = packetText(L, p.icmp.inner); v.about = p.icmp.inner.dst; }
  if (p.icmp?.gateway) v.gw = p.icmp.gateway;
  return tMaybe(L, `recv.${r.reason}`, v) ?? t(L, 'recv.generic', { ...v, result: r.result });
}

/** What raw rules did to the packet: NOTRACK, or an accept that ends only the raw chain. */
function rawSentences(L: Lang, sim: SimResult, s: StoryStep): string[] {
  return s.rules
    // nft: a notrack in any table (an accept there is an ordinary filter accept).
    .filter((r) => r.rule.number !== 0 && (sim.ruleset.dialect === 'nftables' ? r.verdict === 'NOTRACK' : r.table === 'raw' && (r.verdict === 'NOTRACK' || r.verdict === 'ACCEPT')))
    .map((r) => t(L, r.verdict === 'NOTRACK' ? 'raw.notrack' : 'raw.accept', { rule: ruleName(L, sim, r.rule), text: ruleQuote(L, r.rule) }));
}

function filterSentences(L: Lang, sim: SimResult, s: StoryStep): string[] {
  return rawSentences(L, sim, s).concat(s.rules
    // nft tables have any name: a base chain of type filter is what filters.
    .filter((r) => (sim.ruleset.dialect === 'nftables' ? r.chainType === 'filter' : r.table === 'filter') && r.verdict === 'ACCEPT')
    .map((r) => t(L, r.rule.number === 0 ? 'filter.policy-accept' : 'filter.accept', { rule: ruleName(L, sim, r.rule), text: ruleQuote(L, r.rule) })));
}

function hopCaption(L: Lang, s: StoryStep, sim: SimResult): string {
  const link = s.link!;
  const p = s.packet;
  const from = nodeName(L, sim, link.from);
  const to = link.to ? nodeName(L, sim, link.to) : '';
  const pk = packetText(L, p);
  const parts: string[] = [];
  if (link.from === 'router') {
    parts.push(tMaybe(L, `send.router.${s.sendReason ?? 'forward'}`, { packet: pk }) ?? '');
    parts.push(t(L, 'path.router-out', { iface: link.iface, to, nextHop: link.nextHop ?? '', packet: pk }));
    parts.push(...filterSentences(L, sim, s));
    parts.push(...rewriteSentences(L, sim, s, true));
  } else {
    const vars = { from, to, packet: pk, iface: link.iface, dst: p.dst, net: hostNet(sim, link.from), gw: link.nextHop ?? '' };
    parts.push(tMaybe(L, `send.${s.sendReason ?? ''}`, vars) ?? t(L, 'send.generic', vars));
    if (link.via === 'direct' && s.route?.reason === 'redirected') parts.push(t(L, 'path.redirected', vars));
    else if (link.via === 'direct') parts.push(t(L, 'path.direct', vars));
    else if (link.nextHop === p.dst) parts.push(t(L, 'path.router-self', vars));
    else parts.push(t(L, 'path.gateway', vars));
  }
  parts.push(receiverSentence(L, sim, s) ?? '');
  return join(L, parts);
}

function rewriteCaption(L: Lang, s: StoryStep, sim: SimResult): string {
  const parts = [...rawSentences(L, sim, s), ...rewriteSentences(L, sim, s, false)];
  if (s.local) {
    // A broadcast of one of the router's subnets (or 224.0.0.1) is taken in, not forwarded.
    const group = isGroupAddress(sim, s.packet.dst);
    parts.push(t(L, group ? 'rw.local-group' : 'rw.local', { addr: s.packet.dst, port: s.packet.dport, proto: s.packet.proto.toUpperCase() }));
  }
  parts.push(receiverSentence(L, sim, s) ?? '');
  return join(L, parts);
}

/** Is `ip` 255.255.255.255, a multicast group or the broadcast address of a router subnet? */
function isGroupAddress(sim: SimResult, ip: string): boolean {
  const n = ip4ToInt(ip);
  if (n === 0xffffffff || (n >>> 28) === 14) return true;
  const broadcast = (a: { network: string; prefix: number }): number => (ip4ToInt(a.network) | ~prefixToMask(a.prefix)) >>> 0;
  return sim.scenario.router.interfaces.some((i) => i.addresses.some((a) => a.prefix < 31 && broadcast(a) === n));
}

function dropCaption(L: Lang, s: StoryStep, sim: SimResult): string {
  const d = s.drop!;
  const parts: string[] = [];
  parts.push(...filterSentences(L, sim, s));
  parts.push(...rewriteSentences(L, sim, s, true));
  const r = s.rule;
  const acting = s.rules.find((x) => x.rule === r);
  const v: Vars = {
    node: nodeName(L, sim, d.node), dst: s.packet.dst, src: s.packet.src, iface: s.link?.iface ?? s.route?.outIface ?? '',
    nextHop: s.link?.nextHop ?? s.route?.nextHop ?? '', chain: r?.chain ?? '',
    rule: r ? ruleName(L, sim, r) : '', text: r ? ruleQuote(L, r) : '',
    with: acting?.verdict.startsWith('REJECT') ? acting.verdict.slice(7) : '',
  };
  let key = `drop.${d.reason}`;
  if (d.reason === 'filtered' && r && r.number === 0) key = 'drop.policy';
  parts.push(tMaybe(L, key, v) ?? t(L, 'drop.generic', { ...v, reason: d.reason }));
  return join(L, parts);
}

function outcomeCaption(L: Lang, s: StoryStep, sim: SimResult, story: Story): string {
  const o = s.outcome!;
  const tr = sim.scenario.trace;
  const v: Vars = {
    client: nodeName(L, sim, story.client), errno: o.errno ?? '', secs: Math.round(o.time / 1000), n: o.retransmits,
    detail: o.retransmitDetail ? o.retransmitDetail.replace(/^after /, '') : '', dst: endpoint(tr.to.ip, tr.to.port, tr.proto),
    saw: o.server_saw ?? '', server: story.server ? nodeName(L, sim, story.server) : '', more: o.morePackets,
  };
  const parts: string[] = [];
  if (o.retransmits > 0) parts.push(t(L, 'out.retransmits', v));
  parts.push(t(L, `out.${o.outcome}.${tr.proto}`, v));
  if (o.server_saw) parts.push(t(L, 'out.saw', v));
  else parts.push(t(L, 'out.saw-none', v));
  if (o.morePackets > 0) parts.push(t(L, 'out.more', v));
  return join(L, parts);
}

/** Seconds as a caption shows a resend's time: 0.2, 1.6, 6.4. */
function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** The sentences telling the packet's copies (Resends): when they went, whether they go on, which was acknowledged. */
function resendSentences(L: Lang, s: StoryStep, sim: SimResult): string[] {
  const r = s.resends;
  // Nothing within the listed span: nothing to tell (the first copy always comes well within it).
  if (!r || !r.after.length) return [];
  const node = nodeName(L, sim, r.node);
  // A copy within 50 ms of the first is "at once" (RACK's answer to a duplicate ACK).
  const now = r.after.length > 0 && r.after[0] < 50;
  const later = r.after.filter((ms) => ms >= 50).map(seconds);
  const times = later.join(t(L, 'resend.list-sep'));
  const out: string[] = [];
  if (r.answers && later.length) out.push(t(L, 'resend.answers', { node, times }));
  else if (now) out.push(t(L, later.length ? 'resend.now-then' : 'resend.now', { node, times }));
  else if (later.length) out.push(t(L, 'resend.later', { node, times }));
  if (r.ackedAfter !== undefined) out.push(t(L, 'resend.acked', { at: seconds(r.ackedAfter) }));
  else if (r.more && !r.answers) out.push(t(L, 'resend.on'));
  return out;
}

export function stepCaption(L: Lang, s: StoryStep, sim: SimResult, story: Story): string {
  const told = stepCaptionBody(L, s, sim, story);
  const resends = resendSentences(L, s, sim);
  return resends.length ? join(L, [told, ...resends]) : told;
}

function stepCaptionBody(L: Lang, s: StoryStep, sim: SimResult, story: Story): string {
  switch (s.kind) {
    case 'hop': return hopCaption(L, s, sim);
    case 'rewrite':
    case 'local': return rewriteCaption(L, s, sim);
    case 'drop': return s.drop ? dropCaption(L, s, sim) : t(L, 'drop.generic', { node: nodeName(L, sim, s.node), reason: '' });
    default: return outcomeCaption(L, s, sim, story);
  }
}

export function stepTitle(L: Lang, s: StoryStep, sim: SimResult): string {
  const v: Vars = { n: s.index, node: nodeName(L, sim, s.node) };
  switch (s.kind) {
    case 'hop':
      return t(L, 'title.hop', { ...v, from: nodeName(L, sim, s.link!.from), to: s.link!.to ? nodeName(L, sim, s.link!.to) : s.link!.iface, kind: packetKind(L, s.packet) });
    case 'rewrite': {
      const sides = [...new Set(s.rewrites.map((r) => side(r.field)))].map((x) => t(L, `field.${x}`)).join(t(L, 'and'));
      return t(L, 'title.rewrite', { ...v, fields: sides });
    }
    case 'drop': return t(L, 'title.drop', v);
    case 'local': return t(L, 'title.local', v);
    default: return t(L, 'title.outcome', { ...v, outcome: t(L, `outcome.${s.outcome!.outcome}`) });
  }
}
