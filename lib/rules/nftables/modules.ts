/**
 * The match and target modules nft rules run as, registered in the one
 * table (../registry.ts) beside iptables' extensions. A match is a relation
 * (nft_cmp, nft_range, nft_lookup, nft_bitwise) between what selectors read
 * and the values written; a verdict map and a NAT map look the same key up
 * and act on what they find. The plain verdicts and NAT statements reuse the
 * shared targets (ACCEPT, DNAT, MASQUERADE, ...).
 */
import type { MatchContext, MatchModule, NatRange, TargetInstance, TargetModule, TargetResult } from '../model';
import { getTarget, registerMatch, registerTarget } from '../registry';
import { selector } from './selectors';
import type { Value } from './selectors';

/** One value of a set element: an integer interval, or an interface name (a prefix when written with `*`). */
export type Atom = { lo: number; hi: number } | { str: string; prefix: boolean };
/** A set element: one atom per key of a concatenation. */
export type Elem = Atom[];

export type RelOp = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'flags' | 'noflags';

export interface NftMatchOpts {
  /** Selector ids; several for a concatenation (`ip daddr . tcp dport`). */
  keys: string[];
  op: RelOp;
  /** eq/ne: the alternatives (a value, a range, a prefix, an anonymous or named set). lt..ge: one. */
  elems: Elem[];
  /** flags/noflags: `(v & mask) != 0` / `== 0`. */
  mask?: number;
  /** `tcp flags & (syn|ack) == syn`, `syn / syn,ack`: the value is masked first. */
  and?: number;
  /** The match as written, for figures. */
  text: string;
}

export function readKeys(keys: string[], ctx: MatchContext): Value[] | undefined {
  const out: Value[] = [];
  for (const k of keys) {
    const v = (selector(k) as { get(c: MatchContext): Value | undefined }).get(ctx);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

function atomHas(a: Atom, v: Value): boolean {
  if ('str' in a) {
    if (typeof v !== 'string') return false;
    return a.prefix ? v.startsWith(a.str) : v === a.str;
  }
  return typeof v === 'number' && v >= a.lo && v <= a.hi;
}

export function elemHas(e: Elem, vals: Value[]): boolean {
  for (let i = 0; i < e.length; i++) if (!atomHas(e[i], vals[i])) return false;
  return true;
}

export function findElem<T extends { elem: Elem }>(entries: T[], vals: Value[]): T | undefined {
  return entries.find((x) => elemHas(x.elem, vals));
}

function relate(o: NftMatchOpts, vals: Value[]): boolean {
  if (o.and !== undefined) vals = [(vals[0] as number) & o.and];
  switch (o.op) {
    case 'eq': return o.elems.some((e) => elemHas(e, vals));
    case 'ne': return !o.elems.some((e) => elemHas(e, vals));
    case 'flags': return ((vals[0] as number) & (o.mask as number)) !== 0;
    case 'noflags': return ((vals[0] as number) & (o.mask as number)) === 0;
    default: {
      const v = vals[0] as number;
      const a = o.elems[0][0] as { lo: number };
      return o.op === 'lt' ? v < a.lo : o.op === 'gt' ? v > a.lo : o.op === 'le' ? v <= a.lo : v >= a.lo;
    }
  }
}

export const nftMatch: MatchModule<NftMatchOpts> = {
  name: 'nft',
  match(o, ctx) {
    const vals = readKeys(o.keys, ctx);
    return vals !== undefined && relate(o, vals);
  },
  interfaces(o) {
    if (o.op !== 'eq' || o.keys.length !== 1 || !/^meta (iif|oif)(name)?$/.test(o.keys[0])) return [];
    return o.elems.flatMap((e) => ('str' in e[0] ? [e[0].prefix ? `${e[0].str}+` : e[0].str] : []));
  },
  toIptables: () => '',
};

/** A verdict of a map or a rule: the shared target it runs as. */
export type VerdictTarget = TargetInstance;

export interface VmapTargetOpts {
  keys: string[];
  entries: Array<{ elem: Elem; verdict: VerdictTarget }>;
  text: string;
}

/** `KEY vmap { k : verdict, ... }`: the rule's match made sure the key is there. */
export const vmapTarget: TargetModule<VmapTargetOpts> = {
  name: 'NFT_VMAP',
  run(o, ctx) {
    const vals = readKeys(o.keys, ctx);
    const hit = vals && findElem(o.entries, vals);
    if (!hit) return { verdict: 'CONTINUE' };
    return getTarget(hit.verdict.module).run(hit.verdict.opts, ctx);
  },
  toIptables: () => '',
};

export interface NatMapEntry { elem: Elem; minIp?: number; maxIp?: number; minPort?: number; maxPort?: number }

export interface NatMapTargetOpts {
  kind: 'DNAT' | 'SNAT';
  keys: string[];
  entries: NatMapEntry[];
  random?: boolean;
  persistent?: boolean;
  text: string;
}

function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** `dnat to KEY map { k : address[ . port] }`. */
export const natMapTarget: TargetModule<NatMapTargetOpts> = {
  name: 'NFT_NATMAP',
  run(o, ctx): TargetResult {
    const vals = readKeys(o.keys, ctx);
    const hit = vals && findElem(o.entries, vals);
    if (!hit) return { verdict: 'CONTINUE' };
    const r: NatRange = { manip: o.kind === 'DNAT' ? 'dst' : 'src' };
    if (hit.minIp !== undefined) { r.minIp = ipText(hit.minIp); r.maxIp = ipText(hit.maxIp ?? hit.minIp); }
    if (hit.minPort !== undefined) { r.minPort = hit.minPort; r.maxPort = hit.maxPort ?? hit.minPort; }
    if (o.random) r.random = true;
    if (o.persistent) r.persistent = true;
    return { verdict: 'NAT', nat: r, kind: o.kind };
  },
  toIptables: () => '',
};

export interface NftNotrackTargetOpts { then?: TargetInstance }

/**
 * nft `notrack` (nft_notrack: any chain, any hook; it marks only a packet
 * conntrack has not seen yet), then the rule's verdict if it has one.
 */
export const nftNotrackTarget: TargetModule<NftNotrackTargetOpts> = {
  name: 'NFT_NOTRACK',
  run(o, ctx) {
    ctx.notrack();
    if (o.then) return getTarget(o.then.module).run(o.then.opts, ctx);
    return { verdict: 'CONTINUE', note: 'notrack' };
  },
  toIptables: () => '-j CT --notrack',
};

registerMatch(nftMatch);
registerTarget(vmapTarget);
registerTarget(natMapTarget);
registerTarget(nftNotrackTarget);
