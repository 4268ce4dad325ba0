/**
 * simulate(): build the network of a scenario, run the traced exchange, and
 * return what the client saw, what the server saw, the router's conntrack
 * table afterwards and every event on the way.
 */
import type { Scenario } from '../scenario/types';
import type { Ruleset } from '../rules/model';
import { Engine } from './engine';
import { Host, ExchangeSink } from './host';
import { Router } from './router';
import { formatEntry } from './conntrack';
import type { Outcome, Trace } from './trace';
import { NatTraceError } from '../errors';

export type { Trace, TraceEvent, Outcome, RuleRef, EventKind, WirePacket, IcmpCounters, ArpRequest } from './trace';

/** Longer than every timer of the exchange (the last SYN retransmission gives up at 127 s). */
const TIME_LIMIT_MS = 600000;
/** The harness lists conntrack 400 ms after the client's result; entries timed out by then are gone. */
const CONNTRACK_READ_MS = 400;

export function simulate(scenario: Scenario, ruleset: Ruleset): Trace {
  const engine = new Engine();
  let outcome: Outcome | undefined;
  let reportedAt = 0;
  let snapshot: string[] | undefined;
  let serverSaw: string | null = null;
  // A warning names the file and line, as an error does ("line N" when the text has no file).
  const where = (line: number) => (scenario.file ? `${scenario.file}:${line}` : `line ${line}`);
  const warnings: string[] = ruleset.warnings.map((w) => (w.line !== undefined ? `${where(w.line + scenario.rules.line - 1)}: ${w.message}` : w.message));
  const sink: ExchangeSink = {
    report(o) {
      if (!outcome) outcome = o;
      // The harness reads conntrack once the client program is done (its last report),
      // CONNTRACK_READ_MS later; timers that keep running after that change nothing read.
      const at = engine.now;
      reportedAt = at;
      engine.schedule(CONNTRACK_READ_MS, () => {
        if (reportedAt === at) snapshot = router.entries(engine.now).map(formatEntry).sort();
      });
    },
    serverSaw(peer) { if (serverSaw === null) serverSaw = peer; },
    warn(m) { if (!warnings.includes(m)) warnings.push(m); },
  };
  const router = new Router(scenario, ruleset, engine, sink);
  for (const i of scenario.router.interfaces) engine.segments.set(i.name, [router]);
  const hosts = new Map<string, Host>();
  for (const h of scenario.hosts) {
    const host = new Host(h, engine, sink);
    hosts.set(h.name, host);
    (engine.segments.get(h.interface) as Host[] | Router[]).push(host as never);
  }
  const from = scenario.trace.from === 'router' ? router : hosts.get(scenario.trace.from);
  if (!from) throw new NatTraceError(`trace: no host "${scenario.trace.from}"`, { token: scenario.trace.from });
  engine.schedule(0, () => from.stack.connect(scenario.trace));
  engine.run(TIME_LIMIT_MS);
  return {
    outcome: outcome ?? 'timeout',
    server_saw: serverSaw,
    // Read as the harness reads it: CONNTRACK_READ_MS after the client's result.
    conntrack: snapshot ?? router.entries(reportedAt + CONNTRACK_READ_MS).map(formatEntry).sort(),
    steps: engine.events,
    warnings,
    wire: engine.wire,
    arpRequests: engine.arpRequests,
    icmp: router.icmpCounters(),
    icmpCounted: router.icmpCounted(),
    resultAt: reportedAt,
  };
}
