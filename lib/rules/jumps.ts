/**
 * What the kernel checks about jumps between chains when a table is loaded,
 * for both dialects: no loop (iptables-legacy: ELOOP; nf_tables: "Too many
 * links"), and at most 15 nested jumps below a built-in chain. nf_tables
 * (what iptables-nft loads rules into) keeps a jump stack of 16
 * (NFT_JUMP_STACK_SIZE) and refuses a ruleset that could go deeper, seen with
 * iptables-nft-restore in a namespace: FORWARD -> C1 -> ... -> C15 loads,
 * one more chain gives "RULE_APPEND failed (Too many links)" on the jump into
 * it, even an empty one. Chains no built-in chain reaches are not checked.
 * The walk is iterative and remembers each chain's depth below it, so deep or
 * wide rulesets cost time linear in their jumps and never exhaust the stack.
 */
import { NatTraceError } from '../errors';
import type { Chain, Rule } from './model';

export const MAX_JUMP_DEPTH = 15;

function jumpTarget(r: Rule): string | undefined {
  return r.target.module === 'JUMP' || r.target.module === 'GOTO' ? (r.target.opts as { chain: string }).chain : undefined;
}

export interface JumpCheckOptions {
  /** Throws the dialect's own loop error for `cycle` (first chain repeated at the end), at `rule`. */
  onLoop(cycle: string[], rule: Rule): never;
  /** How a jump is written in this dialect, for the error's token ("-j C16", "jump-target=C16"). */
  jumpToken(rule: Rule, to: string): string;
  /** Name of a chain for readers (RouterOS shows "forward", not FORWARD). */
  display?(chain: Chain): string;
}

export function checkJumps(chains: Record<string, Chain>, opts: JumpCheckOptions): void {
  /** Longest run of jumps below each fully explored chain, and the chain it goes through. */
  const height = new Map<string, { h: number; via?: string }>();
  const name = (n: string) => (opts.display && chains[n] ? opts.display(chains[n]) : n);

  const tooDeep = (path: string[]): never => {
    // path[0] is built-in; path[MAX_JUMP_DEPTH + 1] is the first chain too deep.
    const from = path[MAX_JUMP_DEPTH];
    const to = path[MAX_JUMP_DEPTH + 1];
    const rule = chains[from].rules.find((r) => jumpTarget(r) === to)!;
    const shown = path.length > 6 ? [...path.slice(0, 3), '...', ...path.slice(-2)] : path;
    throw new NatTraceError(
      `chain ${name(to)} is ${MAX_JUMP_DEPTH + 1} jumps below the built-in chain ${name(path[0])} (${shown.map(name).join(' -> ')}); ` +
      `the kernel refuses more than ${MAX_JUMP_DEPTH} nested jumps (nf_tables, which iptables-nft loads rules into: "Too many links")`,
      { line: rule.source.line, token: opts.jumpToken(rule, to), expected: `at most ${MAX_JUMP_DEPTH} chains nested below a built-in chain` },
    );
  };
  const longestFrom = (start: string): string[] => {
    const out = [start];
    let cur = height.get(start)?.via;
    while (cur !== undefined) { out.push(cur); cur = height.get(cur)?.via; }
    return out;
  };

  for (const root of Object.keys(chains)) {
    if (!chains[root].builtin || height.has(root)) continue;
    const stack: Array<{ chain: string; i: number; h: number; via?: string }> = [{ chain: root, i: 0, h: 0 }];
    const onStack = new Set<string>([root]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const rules = chains[top.chain].rules;
      if (top.i >= rules.length) {
        height.set(top.chain, { h: top.h, via: top.via });
        onStack.delete(top.chain);
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent && top.h + 1 > parent.h) { parent.h = top.h + 1; parent.via = top.chain; }
        continue;
      }
      const rule = rules[top.i++];
      const to = jumpTarget(rule);
      if (to === undefined || !chains[to]) continue; // a missing chain is the parser's own error
      if (onStack.has(to)) {
        const names = stack.map((f) => f.chain);
        opts.onLoop([...names.slice(names.indexOf(to)), to], rule);
      }
      const depth = stack.length; // the depth `to` would be at
      const known = height.get(to);
      if (known) {
        if (depth + known.h > MAX_JUMP_DEPTH) tooDeep([...stack.map((f) => f.chain), ...longestFrom(to)]);
        if (known.h + 1 > top.h) { top.h = known.h + 1; top.via = to; }
        continue;
      }
      if (depth > MAX_JUMP_DEPTH) tooDeep([...stack.map((f) => f.chain), to]);
      stack.push({ chain: to, i: 0, h: 0 });
      onStack.add(to);
    }
  }
}
