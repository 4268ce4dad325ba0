/**
 * ipt_do_table / nft_do_chain: walk one base chain. First matching rule with
 * a terminating target decides; RETURN pops back to the calling chain; a base
 * chain that runs off its end applies its policy. The verdict ends only this
 * base chain: the hook then goes on to the next one (lib/sim/router.ts).
 */
import type { Chain, MatchContext, Rule, Ruleset, TargetContext, TargetResult } from '../rules/model';
import { getMatch, getTarget } from '../rules/registry';
import { NatTraceError } from '../errors';
import type { RuleRef } from './trace';

export interface ChainVerdict {
  result: TargetResult;
  /** The rule that decided; undefined when the policy did. */
  rule?: Rule;
  /** Non-terminating rules that matched on the way (LOG, passthrough). */
  passed: Rule[];
  /** The built-in chain that was entered. */
  chain: Chain;
}

/** Deeper than any sane ruleset; iptables itself refuses loops (ELOOP). */
const MAX_DEPTH = 64;
const MAX_STEPS = 200000;

function ruleMatches(rule: Rule, ctx: MatchContext): boolean {
  const ms = rule.matches;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i];
    if (!getMatch(m.module).match(m.opts, ctx)) return false;
  }
  return true;
}

/** Does walking this base chain do anything (an empty chain with policy accept does not)? */
export function hasRules(c: Chain): boolean {
  return c.rules.length > 0 || (c.policy !== undefined && c.policy !== 'ACCEPT');
}

export function traverse(rs: Ruleset, start: Chain, ctx: TargetContext): ChainVerdict {
  const chains = rs.tables[start.table];
  const passed: Rule[] = [];
  const stack: Array<{ chain: Chain; index: number }> = [];
  let chain = start;
  let i = 0;
  let steps = 0;
  for (;;) {
    if (i >= chain.rules.length) {
      // Fell off the end: a user chain returns, a built-in chain applies its policy.
      const back = stack.pop();
      // After a goto the chain that ends may be a user chain: the base chain's policy decides.
      if (!back) return { result: { verdict: start.policy === 'DROP' ? 'DROP' : 'ACCEPT' }, passed, chain: start };
      chain = back.chain; i = back.index; continue;
    }
    if (++steps > MAX_STEPS) {
      // Loops are refused at load time; this is a ruleset whose jumps fan out (each chain jumping to several
      // that jump to several...), which makes one packet walk more rules than any real router could.
      throw new NatTraceError(`one packet would walk more than ${MAX_STEPS} rules (chain ${chain.displayName ?? chain.name} is entered again and again through jumps that fan out)`, {
        line: chain.rules[i]?.source.line, token: chain.name, expected: 'fewer jumps from chain to chain',
      });
    }
    const rule = chain.rules[i++];
    if (!ruleMatches(rule, ctx)) continue;
    const res = getTarget(rule.target.module).run(rule.target.opts, ctx);
    switch (res.verdict) {
      case 'CONTINUE':
        passed.push(rule);
        continue;
      case 'RETURN': {
        const back = stack.pop();
        if (!back) return { result: { verdict: start.policy === 'DROP' ? 'DROP' : 'ACCEPT' }, rule, passed, chain: start };
        chain = back.chain; i = back.index; continue;
      }
      case 'JUMP':
      case 'GOTO': {
        const next = chains[res.chain];
        if (!next) throw new NatTraceError(`jump to a chain that does not exist: ${res.chain}`, { line: rule.source.line, token: res.chain, expected: 'a chain declared in the same table' });
        if (res.verdict === 'JUMP') stack.push({ chain, index: i });
        if (stack.length > MAX_DEPTH) throw new NatTraceError(`jumps nest more than ${MAX_DEPTH} chains deep at chain ${res.chain}`, { line: rule.source.line, token: res.chain, expected: 'at most 15 nested jumps, as the kernel allows' });
        passed.push(rule);
        chain = next; i = 0; continue;
      }
      default:
        return { result: res, rule, passed, chain: start };
    }
  }
}

export function ruleRef(rule: Rule | undefined, chain: Chain, policy: string): RuleRef {
  if (!rule) {
    return { table: chain.table, chain: chain.displayName ?? chain.name, number: 0, text: `policy ${policy}` };
  }
  const ref: RuleRef = {
    table: rule.table,
    chain: rule.source.chainDisplay,
    number: rule.source.number,
    text: rule.source.text,
    line: rule.source.line,
  };
  if (rule.source.rosNumber !== undefined) ref.rosNumber = rule.source.rosNumber;
  if (rule.comment) ref.comment = rule.comment;
  return ref;
}

/** Match modules and targets that need connection tracking (their checkentry calls nf_ct_netns_get). */
const CT_MATCHES = new Set(['conntrack', 'state']);
const CT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'NFT_NATMAP']);
/** nft selectors that read conntrack (nft_ct's init calls nf_ct_netns_get). */
const NFT_CT_KEY = /^ct /;

/**
 * Is connection tracking on in the router at all? Linux starts tracking in a
 * namespace only when a rule needs it: a NAT target or a conntrack/state match
 * (seen in the kernel with iptables-nft and -legacy: a nat table holding only
 * LOG, RETURN or ACCEPT rules tracks nothing). RouterOS's default
 * `/ip firewall connection tracking enabled=auto` turns it on as soon as the
 * firewall has any rule. Without it there is no entry, no NAT and no state:
 * every packet is judged alone.
 */
export function trackingActive(rs: Ruleset): boolean {
  const rules = Object.values(rs.tables).flatMap((t) => Object.values(t ?? {})).flatMap((c) => c.rules);
  if (rs.dialect === 'routeros') return rules.length > 0;
  // nftables: ct expressions and NAT statements; a nat chain alone tracks nothing (seen in a namespace).
  const nftCt = (r: Rule) => r.matches.some((m) => m.module === 'nft' && (m.opts as { keys: string[] }).keys.some((k) => NFT_CT_KEY.test(k)))
    || (r.target.module === 'NFT_VMAP' && (r.target.opts as { entries: Array<{ verdict: { module: string } }> }).entries.some((e) => CT_TARGETS.has(e.verdict.module)))
    || (r.target.module === 'NFT_NOTRACK' && CT_TARGETS.has((r.target.opts as { then?: { module: string } }).then?.module ?? ''));
  return rules.some((r) => CT_TARGETS.has(r.target.module) || r.matches.some((m) => CT_MATCHES.has(m.module)) || (rs.dialect === 'nftables' && nftCt(r)));
}
