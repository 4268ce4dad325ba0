/**
 * The router: netfilter's IPv4 path (net/ipv4/ip_input.c, ip_forward.c,
 * ip_output.c with the hooks of nf_conntrack, the NAT core and base chains).
 *
 *   in  -> PREROUTING -> routing -> FORWARD -> POSTROUTING -> out
 *                               \-> INPUT -> local sockets
 *   local sockets -> routing -> OUTPUT -> POSTROUTING -> out
 *
 * At each hook the stations run by priority (nf_hook_entries): base chains of
 * type filter at their own priority, conntrack's lookup at -200 (PREROUTING,
 * OUTPUT), the NAT core at -100 (PREROUTING, OUTPUT) or 100 (INPUT,
 * POSTROUTING), which calls the nat chains in their priority order for a
 * connection's first packet only (every later packet is rewritten from the
 * conntrack entry). An accept ends one base chain; a drop ends the packet.
 */
import type { Packet } from './packet';
import type { RouterSpec, Scenario } from '../scenario/types';
import type { AddrType, Chain, Hook, Ruleset, TargetContext } from '../rules/model';
import { baseChainsAt, CONNTRACK_PRIORITY, HOOKS, NAT_PRIORITY } from '../rules/model';
import type { Engine, Flight, SimNode } from './engine';
import { ConntrackTable, CtResult, ctView, formatEntry, Dir, ConnEntry } from './conntrack';
import { chooseTuple, hookManip, natIcmpError, natPacket, setupBinding } from './nat';
import { hasRules, ruleRef, trackingActive, traverse } from './netfilter';
import { Fib, RouteResult } from './routing';
import { TransportStack } from './stack';
import type { ExchangeSink } from './host';
import { ip4ToInt } from '../net/addr';
import { clonePacket } from './packet';
import { NatTraceError } from '../errors';
import { IcmpLimits, isIcmpError } from './icmprate';
import type { IcmpCounters } from './trace';
import { dict } from '../dict';

/** REJECT --reject-with names -> ICMP destination-unreachable codes. */
const REJECT_CODES: Record<string, number> = dict({
  'icmp-net-unreachable': 0, 'icmp-network-unreachable': 0, 'net-unreach': 0,
  'icmp-host-unreachable': 1, 'host-unreach': 1,
  'icmp-proto-unreachable': 2, 'icmp-protocol-unreachable': 2, 'prot-unreach': 2,
  'icmp-port-unreachable': 3, 'port-unreach': 3,
  'icmp-net-prohibited': 9, 'icmp-network-prohibited': 9, 'net-prohib': 9,
  'icmp-host-prohibited': 10, 'host-prohib': 10,
  'icmp-admin-prohibited': 13, 'admin-prohib': 13,
});

/** One thing a hook runs, in priority order. */
type Station =
  | { kind: 'chain'; chain: Chain }
  | { kind: 'conntrack' }
  | { kind: 'nat'; chains: Chain[] };

/** Which stations a walk through a hook runs (a looped-back packet skips conntrack and NAT). */
interface HookWalk {
  track?: boolean;
  nat?: boolean;
  /** Runs right after the NAT core (ip_route_me_harder at OUTPUT); false: the packet is gone. */
  afterNat?: () => boolean;
}

interface PathState {
  f: Flight;
  ct?: CtResult;
  /** An ICMP error RELATED to `ct` (its direction is ct.dir). */
  related: boolean;
  /** The skb carries the untracked mark (raw NOTRACK): conntrack and the NAT core leave it alone. */
  untracked?: boolean;
  /**
   * The skb already has a conntrack reference that is no entry (nf_ct_attach of
   * an untracked offender's REJECT answer): NOTRACK then does nothing.
   */
  nfctSet?: boolean;
  inIface?: string;
  outIface?: string;
  nextHop?: string;
}

export class Router implements SimNode {
  readonly name = 'router';
  readonly sendsOnSegment = true;
  readonly fib: Fib;
  readonly conntrack = new ConntrackTable();
  readonly stack: TransportStack;
  private readonly spec: RouterSpec;
  /** Connection tracking on at all (see trackingActive). */
  readonly tracking: boolean;
  /** net.ipv4.conf.*.send_redirects (RouterOS /ip settings send-redirects); on by default. */
  private readonly sendsRedirects: boolean;
  /** The nat table's hooks are registered (a nat rule exists; RouterOS: any firewall rule). */
  private readonly natHooks: boolean;
  private readonly icmpLimits = new IcmpLimits();
  private readonly stations = new Map<Hook, Station[]>();

  constructor(scenario: Scenario, private readonly rules: Ruleset, readonly engine: Engine, private readonly sink: ExchangeSink) {
    this.spec = scenario.router;
    this.tracking = trackingActive(rules);
    this.sendsRedirects = this.spec.sendRedirects !== false && rules.settings?.sendRedirects !== false;
    this.natHooks = rules.dialect === 'routeros' ? this.tracking
      // nft: a nat chain registers the NAT core's hooks, rules or not.
      : rules.dialect === 'nftables' ? Object.values(rules.hooks ?? {}).some((cs) => (cs ?? []).some((c) => c.base?.type === 'nat'))
        : Object.values(rules.tables.nat ?? {}).some((c) => c.rules.length > 0);
    for (const hook of HOOKS) this.stations.set(hook, stationsAt(rules, hook));
    this.fib = new Fib(new Map(this.spec.interfaces.map((i) => [i.name, i.addresses])));
    // Device routes first: a gateway may be on link only through one of them.
    const routes = [...this.spec.routes.filter((r) => !r.via), ...this.spec.routes.filter((r) => r.via)];
    for (const r of routes) {
      if (!this.fib.addRoute(r)) {
        throw new NatTraceError(`router route "${r.text}": the gateway is not on any router subnet`, { token: r.via, expected: 'a gateway inside a connected subnet' });
      }
    }
    const self = this;
    this.stack = new TransportStack({
      name: 'router',
      engine,
      isLocal: (ip) => self.fib.isLocal(ip),
      sourceFor: (dst) => self.fib.lookup(dst)?.src,
      isBroadcast: (ip) => self.fib.isBroadcast(ip),
      output: (f) => {
        // The router's own stack answers with icmp_send too (port unreachable): the same limits.
        const icmp = f.pkt.icmp;
        if (f.pkt.proto === 'icmp' && icmp?.type === 3 && !self.icmpLimits.destUnreach(f.pkt.dst, engine.now, self.fib.isLocal(f.pkt.dst))) return false;
        return self.localOut(f);
      },
      report: (o, errno) => sink.report(o, errno),
      serverSaw: (peer) => sink.serverSaw(peer),
    }, this.spec.listen);
  }

  ownsAddress(ip: string): boolean {
    return this.fib.isLocal(ip) || ip === ALL_HOSTS;
  }

  // --- what rules see -----------------------------------------------------

  private addrType(ip: string, limitIface?: string): AddrType {
    const n = ip4ToInt(ip);
    if ((n >>> 28) === 14) return 'MULTICAST';
    if (n === 0) return 'UNSPEC';
    if (limitIface) {
      const i = this.spec.interfaces.find((x) => x.name === limitIface);
      if (i?.addresses.some((a) => a.address === ip)) return 'LOCAL';
      if (this.fib.isBroadcast(ip)) return 'BROADCAST';
      return 'UNICAST';
    }
    if (this.fib.isLocal(ip)) return 'LOCAL';
    if (this.fib.isBroadcast(ip)) return 'BROADCAST';
    return 'UNICAST';
  }

  private context(s: PathState, hook: Hook, chain: Chain): TargetContext {
    const self = this;
    const chainType = chain.base?.type ?? 'filter';
    let view = ctView(s.ct, s.related, s.untracked);
    return {
      packet: s.f.pkt,
      hook,
      table: chain.table,
      chainType,
      inIface: s.inIface,
      outIface: s.outIface,
      // A NOTRACK earlier in the same chain changes what later rules see.
      get ct() { return view; },
      addrType: (ip, limit) => self.addrType(ip, limit),
      notrack() {
        if (s.ct || s.untracked || s.nfctSet) return false;
        s.untracked = true;
        view = ctView(undefined, false, true);
        return true;
      },
      routeDev(ip) { const r = self.fib.lookup(ip); return r ? (r.kind === 'local' ? 'lo' : r.dev) : undefined; },
      addressLists: this.rules.addressLists,
      interfaceLists: this.spec.interfaceLists,
      ifaceAddress(iface: string, towards?: string) {
        // MASQUERADE (POSTROUTING) picks by next hop; REDIRECT (PREROUTING) takes the first address.
        if (hook === 'POSTROUTING') return self.fib.selectSource(iface, towards ?? s.nextHop);
        if (hook === 'OUTPUT' && chainType === 'nat') return '127.0.0.1';
        return self.fib.primaryAddress(iface);
      },
    };
  }

  // --- netfilter hooks -----------------------------------------------------

  /**
   * Walk one hook: its stations in priority order. Returns false when the
   * packet is gone (dropped, rejected, or lost on the way).
   */
  private hook(s: PathState, hook: Hook, walk: HookWalk): boolean {
    for (const st of this.stations.get(hook) ?? []) {
      if (st.kind === 'chain') {
        if (!this.filter(s, hook, st.chain)) return false;
      } else if (st.kind === 'conntrack') {
        if (walk.track) this.track(s, hook);
      } else if (walk.nat) {
        if (!this.nat(s, hook, st.chains)) return false;
        if (walk.afterNat && !walk.afterNat()) return false;
      }
    }
    return true;
  }

  /** One base chain of type filter; returns false when the packet is gone. */
  private filter(s: PathState, hook: Hook, chain: Chain): boolean {
    if (!hasRules(chain)) return true;
    if (chain.base?.device !== undefined && chain.base.device !== s.inIface) return true;
    const wasUntracked = s.untracked;
    const v = traverse(this.rules, chain, this.context(s, hook, chain));
    const policy = v.chain.policy ?? 'ACCEPT';
    if (s.untracked && !wasUntracked) {
      // The rule that set the mark (the first NOTRACK that matched; later ones found it set).
      const by = v.passed.find((r) => r.target.module === 'NOTRACK' || r.target.module === 'NFT_NOTRACK');
      if (by) this.engine.emit(s.f, { kind: 'chain', node: 'router', hook, table: chain.table, chainType: 'filter', priority: chain.base?.priority, chain: v.chain.displayName ?? v.chain.name, verdict: 'NOTRACK', rule: ruleRef(by, v.chain, policy), inIface: s.inIface, outIface: s.outIface });
    }
    const verdict = v.result.verdict === 'REJECT' ? `REJECT ${v.result.with}` : v.result.verdict;
    this.engine.emit(s.f, { kind: 'chain', node: 'router', hook, table: chain.table, chainType: 'filter', priority: chain.base?.priority, chain: v.chain.displayName ?? v.chain.name, verdict, rule: ruleRef(v.rule, v.chain, policy), inIface: s.inIface, outIface: s.outIface });
    if (v.result.verdict === 'ACCEPT' || v.result.verdict === 'NAT') return true;
    this.engine.emit(s.f, { kind: 'drop', node: 'router', hook, reason: v.result.verdict === 'REJECT' ? 'rejected' : 'filtered', rule: ruleRef(v.rule, v.chain, policy) });
    if (v.result.verdict === 'REJECT') this.reject(s, v.result.with);
    return false;
  }

  /**
   * The NAT core at a hook: the nat chains (in priority order, until one binds
   * or drops) for a new connection's first packet, then the rewrite every
   * packet of the connection gets. Returns false on DROP.
   */
  private nat(s: PathState, hook: Hook, natChains: Chain[]): boolean {
    const ct = s.ct;
    if (!ct) return true;
    const e = ct.entry;
    const manip = hookManip(hook);
    const f = s.f;
    if (s.related) {
      const before = clonePacket(f.pkt);
      const changed = natIcmpError(e, ct.dir, manip, f.pkt);
      if (changed.length || JSON.stringify(before.icmp?.inner) !== JSON.stringify(f.pkt.icmp?.inner)) {
        this.engine.emit(f, { kind: 'nat', node: 'router', hook, table: 'nat', before, changed, natBy: 'conntrack', dir: ct.dir === 'ORIGINAL' ? 'original' : 'reply', reason: 'icmp-related' });
      }
      return true;
    }
    const done = manip === 'src' ? e.srcNatDone : e.dstNatDone;
    let bindingRule: ReturnType<typeof ruleRef> | undefined;
    let bindingKind: string | undefined;
    let randomPort = false;
    if (ct.isNew && !done) {
      for (const chain of natChains) {
        if (!hasRules(chain)) continue;
        const v = traverse(this.rules, chain, this.context(s, hook, chain));
        {
          const policy = v.chain.policy ?? 'ACCEPT';
          const verdict = v.result.verdict === 'NAT' ? v.result.kind : v.result.verdict;
          const ref = ruleRef(v.rule, v.chain, policy);
          this.engine.emit(f, { kind: 'chain', node: 'router', hook, table: chain.table, chainType: 'nat', priority: chain.base?.priority, chain: v.chain.displayName ?? v.chain.name, verdict, rule: ref, inIface: s.inIface, outIface: s.outIface });
          if (v.result.verdict === 'DROP' || v.result.verdict === 'REJECT') {
            this.engine.emit(f, { kind: 'drop', node: 'router', hook, reason: 'filtered', rule: ref });
            return false;
          }
          if (v.result.verdict === 'NAT') {
            const r = v.result.nat;
            if (r.manip !== manip) {
              throw new NatTraceError(`${v.result.kind} cannot run in ${hook}`, { line: v.rule?.source.line, token: v.result.kind, expected: manip === 'dst' ? 'a destination NAT (DNAT, REDIRECT)' : 'a source NAT (SNAT, MASQUERADE)' });
            }
            if (r.minIp === undefined && r.netmapPrefix === undefined && r.minPort === undefined && v.result.kind === 'MASQUERADE') {
              // MASQUERADE on an interface without an address: the kernel drops.
              this.engine.emit(f, { kind: 'drop', node: 'router', hook, reason: 'masquerade-no-address', rule: ref });
              return false;
            }
            const choice = chooseTuple(this.conntrack, e, manip, r);
            setupBinding(e, manip, choice.tuple);
            if (choice.randomPort) this.sink.warn(`${v.result.kind}: the kernel picks a random port from the range; the trace shows the first free one`);
            randomPort = choice.randomPort;
            bindingRule = ref; bindingKind = v.result.kind;
            // A binding ends the NAT core's walk (nf_nat_inet_fn); an accept goes on to the next nat chain.
            break;
          }
        }
      }
      // No rule bound it: a null binding (the tuple stays).
      if (!(manip === 'src' ? e.srcNatDone : e.dstNatDone)) setupBinding(e, manip, undefined);
    }
    const before = clonePacket(f.pkt);
    const changed = natPacket(e, ct.dir, manip, f.pkt);
    if (changed.length) {
      this.engine.emit(f, {
        kind: 'nat', node: 'router', hook, table: 'nat', before, changed, natBy: bindingRule ? 'rule' : 'conntrack',
        dir: ct.dir === 'ORIGINAL' ? 'original' : 'reply', rule: bindingRule, verdict: bindingKind, conntrack: formatEntry(e),
        reason: randomPort ? 'random-port' : undefined,
      });
    }
    return true;
  }

  /** nf_conntrack_in for a packet entering at PREROUTING or OUTPUT. */
  private track(s: PathState, hook: Hook): void {
    const p = s.f.pkt;
    if (s.untracked) {
      // nf_conntrack_in: an untracked skb is accepted as it is (no lookup, no entry).
      this.engine.emit(s.f, { kind: 'conntrack', node: 'router', hook, ctState: 'UNTRACKED', reason: 'notrack' });
      return;
    }
    if (!this.tracking) return;
    if (p.proto === 'icmp') {
      const inner = p.icmp?.inner;
      if (inner && p.icmp?.type === 3 && (inner.proto === 'tcp' || inner.proto === 'udp')) {
        // nf_conntrack_inet_error: look up the quoted packet's tuple inverted;
        // the direction found is the error's own (it travels against the quote).
        const hit = this.conntrack.find(inner.proto, { src: inner.dst, dst: inner.src, sport: inner.dport, dport: inner.sport });
        if (hit) {
          s.ct = { entry: hit.entry, dir: hit.dir, state: 'RELATED', isNew: false };
          s.related = true;
          this.engine.emit(s.f, { kind: 'conntrack', node: 'router', hook, ctState: 'RELATED', dir: s.ct.dir === 'ORIGINAL' ? 'original' : 'reply', conntrack: formatEntry(hit.entry) });
          return;
        }
      }
      this.engine.emit(s.f, { kind: 'conntrack', node: 'router', hook, ctState: 'UNTRACKED', reason: 'icmp-no-entry' });
      return;
    }
    const r = this.conntrack.lookup(p, this.engine.now);
    if (!r) {
      this.engine.emit(s.f, { kind: 'conntrack', node: 'router', hook, ctState: 'INVALID', reason: 'no-entry' });
      return;
    }
    if (!this.conntrack.update(r, p, this.engine.now)) {
      this.engine.emit(s.f, { kind: 'conntrack', node: 'router', hook, ctState: 'INVALID', reason: 'tcp-state', conntrack: r.isNew ? undefined : formatEntry(r.entry) });
      return;
    }
    s.ct = r;
    this.engine.emit(s.f, { kind: 'conntrack', node: 'router', hook, ctState: r.state, dir: r.dir === 'ORIGINAL' ? 'original' : 'reply', conntrack: r.isNew ? undefined : formatEntry(r.entry) });
  }

  private confirm(s: PathState): void {
    // Only the packet that created the entry confirms it: a REJECT's RST or ICMP error
    // carries the entry in the other direction, and the entry dies with the dropped packet.
    if (s.ct && !s.related && s.ct.dir === 'ORIGINAL' && !s.ct.entry.confirmed) this.conntrack.confirm(s.ct.entry);
  }

  // --- the paths --------------------------------------------------------------

  receive(f: Flight, iface: string): void {
    const p = f.pkt;
    const s: PathState = { f, related: false, inIface: iface };
    if (this.fib.isLocal(p.src)) {
      // fib_validate_source: a packet from outside claiming one of our addresses.
      this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'martian-source', inIface: iface });
      return;
    }
    if (!this.hook(s, 'PREROUTING', { track: true, nat: true })) return;
    if ((ip4ToInt(f.pkt.dst) >>> 24) === 127) {
      // ip_route_input_slow: 127/8 arriving on a real interface is a martian destination
      // (route_localnet=0), also after a DNAT to 127.0.0.1.
      this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'martian-destination', inIface: iface });
      return;
    }
    const r = this.fib.lookup(f.pkt.dst);
    if (!r) {
      this.engine.emit(f, { kind: 'route', node: 'router', reason: 'no-route', inIface: iface });
      this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'no-route' });
      this.icmpError(s, 0);
      return;
    }
    if (r.kind === 'local') return this.input(s, r);
    if (this.fib.isBroadcast(f.pkt.dst) || f.pkt.dst === ALL_HOSTS) {
      // A broadcast of any of its subnets (directed broadcasts are not forwarded:
      // bc_forwarding=0) or the all-hosts group every interface joins: taken in as local.
      return this.input(s, { kind: 'local', src: r.src });
    }
    if (isMulticast(f.pkt.dst)) { this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'multicast' }); return; }
    s.outIface = r.dev; s.nextHop = r.nextHop;
    this.engine.emit(f, { kind: 'route', node: 'router', reason: 'forward', inIface: iface, outIface: r.dev, nextHop: r.nextHop, detail: r.entry?.text });
    if (--f.ttl <= 0) { this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'ttl-exceeded' }); return; }
    // ip_forward sends its redirect before the FORWARD hook: whatever the rules then do.
    if (r.dev === iface && this.sendsRedirects && this.sourceOnLink(f.pkt.src, iface)) this.redirect(s, r.nextHop as string);
    if (!this.hook(s, 'FORWARD', {})) return;
    this.postrouting(s);
  }

  private input(s: PathState, r: RouteResult): void {
    const f = s.f;
    this.engine.emit(f, { kind: 'route', node: 'router', reason: 'local', inIface: s.inIface, detail: r.src });
    if (!this.hook(s, 'INPUT', { nat: true })) return;
    this.confirm(s);
    this.stack.receive(f);
  }

  private postrouting(s: PathState): boolean {
    if (!this.hook(s, 'POSTROUTING', { nat: true })) return false;
    this.confirm(s);
    // The skb keeps its conntrack reference (an ARP failure's ICMP needs it).
    if (s.ct && !s.related) s.f.ct = { entry: s.ct.entry, dir: s.ct.dir };
    this.engine.transmit(this, s.f, s.outIface as string, s.nextHop as string);
    return true;
  }

  /**
   * ip_local_out for what the router itself sends. `attached`: REJECT's packets carry the offender's entry;
   * `nfctSet`: a reset about an untracked packet carries a reference with no entry (nf_ct_attach), so a
   * raw NOTRACK leaves it alone and conntrack looks it up afresh. Returns false when the packet is dropped
   * on the way out (send() then fails with EPERM).
   */
  localOut(f: Flight, attached?: { ct: CtResult; related: boolean }, nfctSet = false): boolean {
    f.local = true;
    let r = this.fib.lookup(f.pkt.dst);
    if (!r) { this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'no-route' }); return false; }
    const s: PathState = { f, related: false, outIface: r.kind === 'local' ? 'lo' : r.dev, nextHop: r.nextHop };
    if (attached) {
      s.ct = attached.ct; s.related = attached.related;
    }
    if (nfctSet) s.nfctSet = true;
    const dstBefore = f.pkt.dst;
    const reroute = (): boolean => {
      if (f.pkt.dst === dstBefore) return true;
      // NAT changed the destination: route again (ip_route_me_harder in the NAT core's OUTPUT hook).
      const again = this.fib.lookup(f.pkt.dst);
      if (!again) { this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'no-route' }); return false; }
      if (again.kind !== 'local' && (ip4ToInt(f.pkt.src) >>> 24) === 127) {
        // __mkroute_output refuses a loopback source on any device but lo (EINVAL).
        this.engine.emit(f, { kind: 'drop', node: 'router', reason: 'martian-source' });
        return false;
      }
      r = again; s.outIface = r.kind === 'local' ? 'lo' : r.dev; s.nextHop = r.nextHop;
      return true;
    };
    if (!this.hook(s, 'OUTPUT', { track: !attached, nat: true, afterNat: reroute })) return false;
    if (r.kind === 'local') {
      // Loopback: the packet comes straight back in through PREROUTING and INPUT.
      if (!this.hook(s, 'POSTROUTING', { nat: true })) return false;
      this.confirm(s);
      const back: PathState = { f, ct: s.ct && !s.related ? { ...s.ct, isNew: false } : s.ct, related: s.related, untracked: s.untracked, nfctSet: s.nfctSet, inIface: 'lo' };
      // loopback_xmit queues the packet (netif_rx): the sender's call returns first.
      this.engine.schedule(0, () => {
        // It keeps its conntrack entry (conntrack and NAT are done): only base chains of type filter see it.
        if (!this.hook(back, 'PREROUTING', {})) return;
        this.engine.emit(f, { kind: 'route', node: 'router', reason: 'local', inIface: 'lo' });
        if (!this.hook(back, 'INPUT', {})) return;
        this.stack.receive(f);
      });
      return true;
    }
    this.engine.emit(f, { kind: 'route', node: 'router', reason: 'output', outIface: r.dev, nextHop: r.nextHop, detail: r.entry?.text });
    return this.postrouting(s);
  }

  // --- what the router sends on its own ------------------------------------------

  /**
   * __mkroute_input flags a redirect (IPSKB_DOREDIRECT) when the packet leaves
   * by the interface it came in on and its source is directly connected there
   * (fib_validate_source: the reverse route has no gateway; shared_media=1
   * makes any next hop on that interface count).
   */
  private sourceOnLink(src: string, iface: string): boolean {
    const back = this.fib.lookup(src);
    return !!back && back.kind === 'unicast' && back.dev === iface && back.entry?.via === undefined;
  }

  /** ip_rt_send_redirect: ICMP redirect (host) naming `gateway`, about the packet as it is forwarded. */
  private redirect(s: PathState, gateway: string): void {
    const p = s.f.pkt;
    // ip_rt_send_redirect paces even a redirect icmp_send then refuses (about an ICMP error: 741, 786).
    const aboutError = p.proto === 'icmp' && p.icmp !== undefined && isIcmpError(p.icmp.type);
    if (!this.icmpLimits.redirect(p.src, this.engine.now, aboutError)) return;
    // The redirect carries the offender's conntrack entry. nf_nat_icmp_reply_translation
    // drops a redirect about a NATed connection; and a redirect about a connection's first
    // packet (its entry not yet confirmed) never reaches a wire either, nat or not (seen in
    // the kernel, 95 and 264). Counted all the same.
    const e = s.ct?.entry;
    if (e && (!e.confirmed || (this.natHooks && (e.srcNat || e.dstNat)))) return;
    const src = this.fib.lookup(p.src)?.src;
    if (!src) return;
    const icmp: Packet = { proto: 'icmp', src, dst: p.src, sport: 0, dport: 0, icmp: { type: 5, code: 1, gateway, inner: { ...clonePacket(p), payload: undefined } } };
    const g = this.engine.newFlight(icmp, s.f.silent);
    this.engine.emit(g, { kind: 'send', node: 'router', reason: 'redirect', detail: gateway });
    this.localOut(g, s.ct ? { ct: { ...s.ct, dir: flip(s.ct.dir), isNew: false }, related: true } : undefined);
  }

  icmpCounters(): IcmpCounters {
    return { ...this.icmpLimits.counters };
  }

  /** Each counter increment with its simulated time. */
  icmpCounted(): Array<{ time: number; counter: keyof IcmpCounters }> {
    return this.icmpLimits.counted.map((c) => ({ ...c }));
  }

  /** REJECT: a TCP reset or an ICMP error, attached to the offender's conntrack entry. */
  private reject(s: PathState, withWhat: string): void {
    const p = s.f.pkt;
    if (withWhat === 'tcp-reset' || withWhat === 'tcp-rst') {
      if (p.proto !== 'tcp' || p.flags?.rst) return;
      const rst: Packet = { proto: 'tcp', src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, flags: p.flags?.ack ? { rst: true } : { rst: true, ack: true } };
      // nf_send_reset: the reset is attached to the offender's entry as RELATED (nf_ct_attach;
      // NATed like a packet of the other direction), and a confirmed entry is set to CLOSE
      // (nf_ct_set_closing).
      if (s.ct && s.ct.entry.confirmed && s.ct.entry.proto === 'tcp') s.ct.entry.tcpState = 'CLOSE';
      const g = this.engine.newFlight(rst, s.f.silent);
      this.engine.emit(g, { kind: 'send', node: 'router', reason: 'reject-tcp-reset' });
      this.localOut(g, s.ct ? { ct: { ...s.ct, dir: flip(s.ct.dir), isNew: false, state: 'RELATED' }, related: false } : undefined, s.untracked);
      return;
    }
    const code = REJECT_CODES[withWhat] ?? 3;
    this.icmpError(s, code, 'reject');
  }

  /** icmp_send(ICMP_DEST_UNREACH, code) about the packet in `s`. */
  icmpError(s: PathState, code: number, why = 'icmp'): void {
    const p = s.f.pkt;
    if (p.proto === 'icmp') return; // never an error about an error
    if (p.proto === 'tcp' && p.flags?.rst) { /* RFC 1122 allows it, Linux sends it; keep */ }
    // Source: the offender's destination if it was ours, else chosen by route back.
    const src = this.fib.isLocal(p.dst) ? p.dst : this.fib.lookup(p.src)?.src;
    if (!src) return;
    // icmpv4_xrlim_allow: the per-host token bucket (no limit towards the router itself).
    if (!this.icmpLimits.destUnreach(p.src, this.engine.now, this.fib.isLocal(p.src))) {
      this.engine.emit(s.f, { kind: 'drop', node: 'router', reason: 'icmp-rate-limited', detail: String(code) });
      return;
    }
    const icmp: Packet = { proto: 'icmp', src, dst: p.src, sport: 0, dport: 0, icmp: { type: 3, code, inner: { ...clonePacket(p), payload: undefined } } };
    const g = this.engine.newFlight(icmp, s.f.silent);
    this.engine.emit(g, { kind: 'send', node: 'router', reason: why === 'reject' ? 'reject-icmp' : code === 1 ? 'host-unreachable' : 'net-unreachable', detail: String(code) });
    this.localOut(g, s.ct ? { ct: { ...s.ct, dir: flip(s.ct.dir), isNew: false }, related: true } : undefined);
  }

  linkFailure(f: Flight): void {
    // A forwarded packet may carry a router address after SNAT: what decides is who sent it.
    // ipv4_link_failure -> icmp_send(HOST_UNREACH). The entry is the packet's own. For the
    // router's own packets the error goes to itself: through OUTPUT, lo and INPUT, where
    // filter rules see it like any other ICMP.
    const s: PathState = { f, related: false };
    if (f.ct) s.ct = { entry: f.ct.entry, dir: f.ct.dir, state: 'ESTABLISHED', isNew: false };
    this.icmpError(s, 1);
  }

  entries(now?: number): ConnEntry[] {
    return this.conntrack.list(now);
  }
}

/**
 * A hook's stations in netfilter's order: base chains of type filter at their
 * priority, conntrack's lookup, and the NAT core holding the nat chains. On a
 * tie the earlier registration runs first: conntrack is there before any
 * chain, the NAT core comes with the first nat chain loaded.
 */
function stationsAt(rs: Ruleset, hook: Hook): Station[] {
  const all = Object.values(rs.tables).flatMap((t) => Object.values(t));
  // nft: on a tie the later registration runs first (see hooksInRegistrationOrder); conntrack,
  // registered with the first rule that needs it, comes after every chain.
  const nft = rs.dialect === 'nftables';
  const loadOrder = (c: Chain): number => (nft ? -all.indexOf(c) : all.indexOf(c));
  const here = baseChainsAt(rs, hook);
  const out: Array<{ st: Station; priority: number; order: number }> = [];
  for (const c of here) if (c.base?.type !== 'nat') out.push({ st: { kind: 'chain', chain: c }, priority: c.base?.priority ?? 0, order: loadOrder(c) });
  const ctPrio = CONNTRACK_PRIORITY[hook];
  if (ctPrio !== undefined) out.push({ st: { kind: 'conntrack' }, priority: ctPrio, order: nft ? -all.length - 1 : -1 });
  const natPrio = NAT_PRIORITY[hook];
  if (natPrio !== undefined) {
    const natChains = here.filter((c) => c.base?.type === 'nat');
    const firstNat = all.findIndex((c) => c.base?.type === 'nat');
    out.push({ st: { kind: 'nat', chains: natChains }, priority: natPrio, order: nft ? -(firstNat < 0 ? all.length : firstNat) : firstNat < 0 ? all.length : firstNat });
  }
  return out.sort((a, b) => a.priority - b.priority || a.order - b.order).map((x) => x.st);
}

/** 224.0.0.1: every multicast-capable interface is a member. */
const ALL_HOSTS = '224.0.0.1';

function isMulticast(ip: string): boolean {
  return (ip4ToInt(ip) >>> 28) === 14;
}

function flip(d: Dir): Dir {
  return d === 'ORIGINAL' ? 'REPLY' : 'ORIGINAL';
}
