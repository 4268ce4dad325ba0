/**
 * The readable trace `nat-trace run` prints: one line per event that changes
 * something a reader cares about (sends, hops, verdicts, rewrites, answers).
 */
import type { Trace, TraceEvent } from '../sim/trace';
import type { Packet } from '../sim/packet';
import { tcpFlagString } from '../sim/packet';

export function packetText(p: Packet): string {
  if (p.proto === 'icmp') {
    const inner = p.icmp?.inner;
    const what = p.icmp?.type === 3 ? `unreachable code ${p.icmp.code}` : `type ${p.icmp?.type}`;
    return `icmp ${what} ${p.src} -> ${p.dst}` + (inner ? ` [about ${inner.proto} ${inner.src}:${inner.sport} -> ${inner.dst}:${inner.dport}]` : '');
  }
  const flags = p.proto === 'tcp' ? ` ${tcpFlagString(p.flags)}` : '';
  return `${p.proto}${flags} ${p.src}:${p.sport} -> ${p.dst}:${p.dport}`;
}

function eventText(e: TraceEvent): string | undefined {
  const p = packetText(e.packet);
  switch (e.kind) {
    case 'send': return `${e.node}: sends ${p} (${e.reason})`;
    case 'wire': return `  ${e.node} -> ${e.to} on ${e.iface}: ${p}`;
    case 'conntrack': return `  router conntrack: ${e.ctState}${e.dir ? ' ' + e.dir : ''}`;
    case 'chain': return `  router ${e.table} ${e.chain}: ${e.verdict}${e.rule ? ` by ${e.rule.number ? `rule ${e.rule.number}: ${e.rule.text}` : e.rule.text}` : ''}`;
    case 'nat': {
      const b = e.before as Packet;
      const ch = (e.changed ?? []).map((k) => `${k} ${String(b[k])} -> ${String(e.packet[k])}`).join(', ');
      return `  router ${e.hook} rewrites ${ch || 'the quoted header'} (${e.natBy === 'rule' ? 'NAT rule' : 'conntrack'})`;
    }
    case 'route':
      if (e.reason === 'forward' || e.reason === 'output') return `  router routes out ${e.outIface} via ${e.nextHop}`;
      if (e.reason === 'local') return `  ${e.node}: for this host (local delivery)`;
      if (e.reason === 'redirected') return `  ${e.node} routes it straight to ${e.nextHop} (an ICMP redirect it accepted)`;
      return `  ${e.node}: no route to ${e.packet.dst}`;
    case 'arp-fail': return `  ${e.node}: no ARP answer for ${e.nextHop} on ${e.iface} (after 3 s)`;
    case 'drop': return `  ${e.node} drops it (${e.reason})`;
    case 'deliver': return `  ${e.node} stack: ${e.result} (${e.reason})`;
    case 'app': return `${e.node} application: ${e.result}${e.detail ? ` ${e.detail}` : ''}`;
    case 'retransmit': return `${e.node}: retransmits ${p} ${e.count} time(s), ${e.detail ?? ''}`;
    default: return undefined;
  }
}

export function formatTrace(file: string, t: Trace): string {
  const out: string[] = [`== ${file}`];
  for (const e of t.steps) {
    const line = eventText(e);
    if (line) out.push(`${String(e.time / 1000).padStart(6)}s ${line}`);
  }
  out.push(`outcome: ${t.outcome}`);
  out.push(`server saw: ${t.server_saw ?? '(nothing)'}`);
  out.push('conntrack:' + (t.conntrack.length ? '' : ' (no entry)'));
  for (const c of t.conntrack) out.push(`  ${c}`);
  for (const w of t.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}
