/**
 * The explain stage's contract (between sim and story): why a traced
 * connection failed (a diagnosis with a stable cause code and the trace event
 * where its fate was sealed) and the rule changes that fix it, each one
 * checked by the simulator on the same trace and on the scenario's other
 * connections.
 */
import type { Outcome, RuleRef } from '../sim/trace';
import type { Chain, Rule, TableName } from '../rules/model';

/** Stable cause codes (documented in README "explain"); never renamed, only added to. */
export type CauseCode =
  | 'hairpin-no-masquerade'
  | 'dnat-wan-interface-only'
  | 'dnat-wan-address-only'
  | 'filter-drop'
  | 'filter-reject'
  | 'policy-drop'
  | 'missing-established'
  | 'reject-in-place-of-server'
  | 'no-listener'
  | 'no-route'
  | 'arp-failure'
  | 'nat-wrong-chain'
  | 'nat-wrong-interface'
  | 'shadowed-rule'
  | 'disabled-rule'
  | 'other';

export const CAUSES: readonly CauseCode[] = [
  'hairpin-no-masquerade', 'dnat-wan-interface-only', 'dnat-wan-address-only', 'filter-drop', 'filter-reject', 'policy-drop',
  'missing-established', 'reject-in-place-of-server', 'no-listener', 'no-route', 'arp-failure', 'nat-wrong-chain',
  'nat-wrong-interface', 'shadowed-rule', 'disabled-rule', 'other',
];

export interface Diagnosis {
  cause: CauseCode;
  /** Index into trace.steps (the event's seq) where the connection's fate was sealed. */
  step: number;
  /** The rule the cause is about (the dropping rule, the port forward that did not match...). */
  rule?: RuleRef;
  /** A second rule (the shadowed one, the disabled one, the NAT rule in the wrong place). */
  other?: RuleRef;
  /** Facts the cause text is filled with (node names, addresses, chain, interface). */
  vars: Record<string, string>;
}

/** A rule to write, in neutral terms; a dialect writer turns it into its own syntax. */
export interface RuleSpec {
  table: TableName;
  /** netfilter chain: PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING, or a user chain. */
  chain: string;
  proto?: string;
  src?: string;
  dst?: string;
  dport?: number;
  inIface?: string;
  outIface?: string;
  /** conntrack states to accept (ESTABLISHED, RELATED). */
  ctstate?: string[];
  /** -m addrtype --dst-type LOCAL / dst-address-type=local. */
  dstTypeLocal?: boolean;
  target: { kind: 'ACCEPT' } | { kind: 'MASQUERADE' } | { kind: 'SNAT'; to: string };
  comment?: string;
}

/** Changes to an existing rule's own matchers (its text keeps everything else). */
export interface RuleChange {
  dropInIface?: boolean;
  dropOutIface?: boolean;
  dropDst?: boolean;
  addDst?: string;
  addDstTypeLocal?: boolean;
  /** Match this out interface instead of the one written. */
  setOutIface?: string;
  /** Match this in interface instead of the one written (interfaces written the wrong way round). */
  setInIface?: string;
  /** Match this source instead of the one written (a subnet typo). */
  setSrc?: string;
  /** Match this destination port instead of the one written (the port before DNAT). */
  setDport?: number;
  /** Move the rule to this netfilter chain (NAT on the wrong chain). */
  chain?: string;
}

export type RuleEdit =
  /** Insert before `before` (a rule of the same chain), or at the end of the chain. */
  | { op: 'insert'; spec: RuleSpec; before?: Rule }
  | { op: 'delete'; rule: Rule }
  | { op: 'change'; rule: Rule; change: RuleChange }
  /** Take `rule` out and put it back just before `before` (same chain). */
  | { op: 'move'; rule: Rule; before: Rule }
  /** RouterOS disabled=yes -> enabled. */
  | { op: 'enable'; rule: Rule };

/** What applying edits to a rules text gave. */
export interface EditedRules {
  /** The complete new rules text. */
  text: string;
  /** Lines of the new text that are new (or rewritten). */
  added: string[];
  /** Lines of the old text that are gone (or rewritten). */
  removed: string[];
  /** The same change as console commands (RouterOS place-before/remove/enable, iptables -I/-D). */
  commands: string[];
}

/**
 * Rule writing for one dialect, kept behind this interface so a dialect is
 * one module (routeros, iptables; nftables can register its own).
 */
export interface DialectWriter {
  dialect: string;
  apply(text: string, rules: RulesIndex, edits: RuleEdit[]): EditedRules;
}

/** What a writer needs to know about the parsed rules (positions in chains, disabled rules). */
export interface RulesIndex {
  /** Every rule of a chain in order (netfilter chain name), for -I numbers and place-before. */
  chainRules(table: TableName, chain: string): Rule[];
  /** RouterOS: every rule of a section in print order (enabled and disabled). */
  sectionRules(table: TableName): Rule[];
  /**
   * The chain a fix names: a table and chain of the ruleset, or (nftables) iptables' words for
   * one, "nat"/"filter" and a hook (POSTROUTING), meaning the first base chain of that type there.
   */
  chain?(table: string, chain: string): Chain | undefined;
}

export interface Fix {
  /** The generator that proposed it (stable id). */
  kind: string;
  /** Complete new rules text of the scenario, in its dialect. */
  rules: string;
  added: string[];
  removed: string[];
  commands: string[];
  /** Simulated outcome with the fix. */
  outcome: Outcome;
  /** What the server application saw as the client's address with the fix. */
  server_saw: string | null;
  /** Other connections of the scenario checked with the fix (all still work). */
  checked: number;
  /** Of those, how many the server now sees from another address (a side effect). */
  changedSources: number;
  /** Connections the fix newly lets through (beyond the traced one). */
  opened: number;
}

export interface Explanation {
  outcome: Outcome;
  /** Undefined when the connection was established. */
  diagnosis?: Diagnosis;
  /** Best first; empty when established or when no candidate works. */
  fixes: Fix[];
}
