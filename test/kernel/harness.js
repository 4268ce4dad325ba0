'use strict';
// Builds a scenario for real in Linux network namespaces and reads what the
// kernel does with its one connection: the client application's outcome,
// what the server application saw, the router's `conntrack -L` and ICMP
// counters, and every packet on every link (capture.py).
//
//   router namespace   one bridge per router interface, named as the interface
//                      (so -i/-o in the rules mean what they say), the
//                      scenario's addresses and routes, ip_forward=1, the rules
//                      loaded with iptables-restore from our own serializer, or
//                      an `nftables:` ruleset as written with `nft -f`
//   host namespaces    one per host, eth0 on a veth whose other end is a port
//                      of its segment's bridge; addresses, gateway, routes
//
// The kernel's defaults (documented in docs/kernel-harness.md): redirects on
// unless the scenario turns them off, tcp_syn_retries 6; bridged frames do not
// go through iptables (bridge-nf-call-iptables=0, as RouterOS's bridge
// use-ip-firewall=no).
const { execFileSync, spawn } = require('child_process');
const path = require('path');
const readline = require('readline');
const YAML = require('yaml');

const DIST = path.join(__dirname, '..', '..', 'dist');
const { runScenario, parseScenario } = require(DIST);
const { toIptablesSave } = require(path.join(DIST, 'rules', 'iptables', 'serialize'));
const { trackingActive } = require(path.join(DIST, 'sim', 'netfilter'));

const PEER = path.join(__dirname, 'peer.py');
const CAPTURE = path.join(__dirname, 'capture.py');
/** tcp_syn_retries: the kernel's default (6: connect() fails after 131 s) unless NAT_TRACE_SYN_RETRIES says otherwise for a quick look. */
const SYN_RETRIES = process.env.NAT_TRACE_SYN_RETRIES;
/** Seconds the UDP client waits for an answer (the simulator waits 4 s). */
const UDP_WAIT = 4;

function run(cmd, args, input) {
  return execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
}

function ns(name, cmd, args, input) {
  return run('ip', ['netns', 'exec', name, cmd, ...args], input);
}

function sysctl(nsName, key, value) {
  try {
    ns(nsName, 'sysctl', ['-q', '-w', `${key}=${value}`]);
  } catch (e) {
    // bridge-nf-call-* only exists when br_netfilter is loaded; nothing to turn off otherwise.
    if (!key.startsWith('net.bridge.')) throw e;
  }
}

/**
 * What a missing tool would be: checked once so the suite can skip with a reason.
 * `dialects`: the rule dialects about to be run (default iptables and RouterOS,
 * both loaded with iptables-restore); `nft` is needed only for nftables.
 */
function missingTools(dialects = ['iptables', 'routeros']) {
  const missing = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root');
  const loaders = [];
  if (dialects.some((d) => d !== 'nftables')) loaders.push('iptables-restore');
  if (dialects.includes('nftables')) loaders.push('nft');
  for (const tool of ['ip', ...loaders, 'conntrack', 'python3']) {
    try {
      run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      missing.push(tool);
    }
  }
  return missing;
}

/**
 * A corpus file holds one policy in both dialects; a scenario has exactly one.
 * Returns the scenario text for `dialect`, or undefined when the file has no
 * rules in that dialect.
 */
function scenarioText(corpusText, dialect) {
  const doc = YAML.parse(corpusText);
  if (doc[dialect] === undefined) return undefined;
  const out = {};
  for (const [k, v] of Object.entries(doc)) {
    if (['about', 'covers', 'only', 'why', 'known', 'known_limits', 'iptables', 'routeros', 'nftables'].includes(k)) continue;
    out[k] = v;
  }
  out[dialect] = doc[dialect];
  return YAML.stringify(out);
}

/** `conntrack -L` lines as the simulator writes them: no timeout column, no use=, sorted. */
function normalizeConntrack(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(tcp|udp|icmp)\s/.test(l))
    .map((l) => {
      const f = l.split(/\s+/);
      // proto, protonum, timeout, ...: drop the timeout.
      if (/^\d+$/.test(f[2])) f.splice(2, 1);
      return f.filter((t) => !/^(use|id|zone)=/.test(t)).join(' ');
    })
    .sort();
}

/**
 * The frames of a run as the fixtures keep them: one record per frame and link,
 * in capture order, `t` in ms from the first frame (rounded to 10 ms), `link`
 * a host's name (its eth0: the veth port's other end) or "router:IFACE" (the
 * router's own stack on that interface), `dir` from that node's side, and
 * the packet as `packetText` writes it. TCP sequence numbers are not kept.
 * A frame the bridge floods to a host it is not addressed to never reaches
 * that host's stack; it is left out.
 */
function normalizePackets(frames, { hostOfPort, routerIfaces, macOf }) {
  const out = [];
  let t0;
  for (const fr of frames) {
    // IGMP: the kernel's own membership reports when addresses come up, no part of the exchange.
    // ARP: capture.py reports it only so the harness knows when the wire is quiet.
    if (!['tcp', 'udp', 'icmp'].includes(fr.proto)) continue;
    let link;
    let dir;
    const host = hostOfPort(fr.ifname);
    if (host) {
      link = host;
      // On the veth port the router namespace sees the host's wire from the other side.
      dir = fr.pkttype === 'outgoing' ? 'in' : 'out';
      if (dir === 'in') {
        const group = fr.dmac === 'ff:ff:ff:ff:ff:ff' || fr.dmac.startsWith('01:00:5e');
        if (!group && fr.dmac !== macOf(host)) continue;
      }
    } else if (routerIfaces.has(fr.ifname)) {
      link = `router:${fr.ifname}`;
      if (fr.pkttype === 'otherhost') continue;
      dir = fr.pkttype === 'outgoing' ? 'out' : 'in';
    } else {
      continue; // lo: the router talking to itself never crosses a wire
    }
    if (t0 === undefined) t0 = fr.t;
    out.push({ t: Math.round((fr.t - t0) * 100) * 10, link, dir, pkt: packetText(fr) });
  }
  return out;
}

/**
 * One packet as text, the same for the kernel's frames and the simulator's:
 *   "tcp 10.0.0.2:40000 > 10.0.0.1:80 [SYN] len=0 ttl=64"
 *   "icmp 10.0.0.1 > 10.0.0.2 3/3 ttl=64 quote=[udp 10.0.0.2:40000 > 10.0.0.1:53]"
 */
function packetText(p) {
  const ep = (ip, port) => (port === undefined ? ip : `${ip}:${port}`);
  if (p.proto === 'tcp') return `tcp ${ep(p.src, p.sport)} > ${ep(p.dst, p.dport)} [${tcpFlagText(p.flags)}] len=${p.length ?? 0} ttl=${p.ttl}`;
  if (p.proto === 'udp') return `udp ${ep(p.src, p.sport)} > ${ep(p.dst, p.dport)} len=${p.length ?? 0} ttl=${p.ttl}`;
  if (p.proto === 'icmp') {
    let s = `icmp ${p.src} > ${p.dst} ${p.type}/${p.code}`;
    if (p.gateway) s += ` gw=${p.gateway}`;
    s += ` ttl=${p.ttl}`;
    const q = p.inner;
    const ports = q && (q.proto === 'tcp' || q.proto === 'udp');
    if (q) s += ` quote=[${q.proto} ${ep(q.src, ports ? q.sport : undefined)} > ${ep(q.dst, ports ? q.dport : undefined)}]`;
    return s;
  }
  return `${p.proto} ${p.src} > ${p.dst} ttl=${p.ttl}`;
}

/** TCP flags in one fixed order: SYN,RST,FIN,PSH,ACK. */
function tcpFlagText(flags) {
  const set = new Set(Array.isArray(flags) ? flags : Object.keys(flags || {}).filter((k) => flags[k]));
  return ['syn', 'rst', 'fin', 'psh', 'ack'].filter((f) => set.has(f)).map((f) => f.toUpperCase()).join(',');
}

let labCounter = 0;

/** One scenario built in namespaces. */
class Lab {
  /** `rules`: iptables-restore input (a string), or `{ nft: TEXT }` for `nft -f`. */
  constructor(scenario, rules) {
    this.scenario = scenario;
    this.save = typeof rules === 'string' ? rules : undefined;
    this.nft = typeof rules === 'object' && rules !== null ? rules.nft : undefined;
    const tag = `nt${process.pid % 100000}x${++labCounter}`;
    this.router = `${tag}r`;
    this.hostNs = new Map(scenario.hosts.map((h, i) => [h.name, `${tag}h${i}`]));
    this.procs = [];
    this.seen = [];
  }

  nsOf(node) {
    return node === 'router' ? this.router : this.hostNs.get(node);
  }

  build() {
    const sc = this.scenario;
    const r = this.router;
    run('ip', ['netns', 'add', r]);
    for (const n of this.hostNs.values()) run('ip', ['netns', 'add', n]);
    ns(r, 'ip', ['link', 'set', 'lo', 'up']);
    sysctl(r, 'net.ipv4.ip_forward', 1);
    // Redirects: the kernel's default (send_redirects=1) unless the scenario turns them off.
    const noRedirects = sc.router.sendRedirects === false || this.sendRedirects === false;
    if (noRedirects) for (const scope of ['all', 'default']) sysctl(r, `net.ipv4.conf.${scope}.send_redirects`, 0);
    sysctl(r, 'net.bridge.bridge-nf-call-iptables', 0);
    sysctl(r, 'net.bridge.bridge-nf-call-arptables', 0);
    for (const iface of sc.router.interfaces) {
      ns(r, 'ip', ['link', 'add', iface.name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      if (noRedirects) sysctl(r, `net.ipv4.conf.${iface.name}.send_redirects`, 0);
      for (const a of iface.addresses) ns(r, 'ip', ['addr', 'add', `${a.address}/${a.prefix}`, 'dev', iface.name]);
      ns(r, 'ip', ['link', 'set', iface.name, 'up']);
    }
    sc.hosts.forEach((h, i) => {
      const hn = this.hostNs.get(h.name);
      const port = `vp${i}`;
      ns(r, 'ip', ['link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', hn]);
      ns(r, 'ip', ['link', 'set', port, 'master', h.interface]);
      ns(r, 'ip', ['link', 'set', port, 'up']);
      ns(hn, 'ip', ['link', 'set', 'lo', 'up']);
      for (const a of h.addresses) ns(hn, 'ip', ['addr', 'add', `${a.address}/${a.prefix}`, 'dev', 'eth0']);
      ns(hn, 'ip', ['link', 'set', 'eth0', 'up']);
      if (h.gateway) ns(hn, 'ip', ['route', 'add', 'default', 'via', h.gateway]);
      for (const rt of h.routes) ns(hn, 'ip', routeArgs(rt, 'eth0'));
      if (SYN_RETRIES) sysctl(hn, 'net.ipv4.tcp_syn_retries', SYN_RETRIES);
    });
    for (const rt of sc.router.routes) ns(r, 'ip', routeArgs(rt));
    if (SYN_RETRIES) sysctl(r, 'net.ipv4.tcp_syn_retries', SYN_RETRIES);
    // Ports take a moment to reach forwarding state; a frame sent before is lost.
    this.waitForwarding();
    if (this.nft !== undefined) this.loadNft();
    else ns(r, 'iptables-restore', [], this.save);
  }

  /** The scenario's nftables ruleset, as written, with `nft -f` (nft's own error if it refuses it). */
  loadNft() {
    try {
      ns(this.router, 'nft', ['-f', '-'], this.nft);
    } catch (e) {
      const why = (e.stderr || e.message || '').toString().trim();
      throw new Error(`nft -f refused the scenario's nftables ruleset:\n${why}`);
    }
  }

  waitForwarding() {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const out = ns(this.router, 'bridge', ['link', 'show']);
      if (!/state (listening|learning|blocking|disabled)/.test(out)) return;
      run('sleep', ['0.05']);
    }
  }

  /** Start the packet capture in the router namespace (see capture.py); resolves when it listens. */
  async startCapture() {
    this.macs = new Map();
    for (const [name, hn] of this.hostNs) {
      const m = /link\/ether ([0-9a-f:]+)/.exec(ns(hn, 'ip', ['link', 'show', 'eth0']));
      if (m) this.macs.set(name, m[1]);
    }
    const p = spawn('ip', ['netns', 'exec', this.router, 'python3', CAPTURE], { stdio: ['pipe', 'pipe', 'pipe'] });
    // A write after capture.py has exited (EPIPE) is answered by its 'exit' instead.
    p.stdin.on('error', () => {});
    this.marks = [];
    this.procs.push(p);
    this.captured = [];
    this.captureDone = new Promise((resolve) => p.on('close', resolve));
    this.captureProc = p;
    const rl = readline.createInterface({ input: p.stdout });
    await new Promise((resolve, reject) => {
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.on('exit', (code) => reject(new Error(`capture exited ${code}: ${stderr}`)));
      rl.on('line', (line) => {
        const msg = JSON.parse(line);
        if (msg.ready) resolve();
        else if (typeof msg.mark === 'number') {
          const waiting = this.marks.shift();
          if (waiting) waiting(msg.mark * 1000);
        } else {
          this.captured.push(msg);
          this.lastFrameAt = typeof msg.t === 'number' ? msg.t * 1000 : Date.now();
        }
      });
    });
  }

  /**
   * Asks capture.py for a mark: resolves with its time (ms) once every frame the
   * capture held when the mark was stamped has been read into `captured`, or
   * with null if no mark comes within `waitMs`.
   */
  captureMark(waitMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.marks.indexOf(answer);
        if (i >= 0) this.marks.splice(i, 1);
        resolve(null);
      }, waitMs);
      const answer = (t) => {
        clearTimeout(timer);
        resolve(t);
      };
      this.marks.push(answer);
      this.captureProc.stdin.write('mark\n');
    });
  }

  /**
   * Resolves once no frame (IPv4 or ARP) has been captured for `quietMs`, or
   * at `until` (a Date.now() time) at the latest. A frame's time is its kernel
   * timestamp. The wire looks quiet when no line has come for `quietMs` (polled
   * every 100 ms); it is quiet only when a capture mark confirms it: on a
   * loaded machine capture.py's lines can come late (python not scheduled, the
   * pipe not read while another lab's build holds the event loop), and a frame
   * still in a buffer is not a quiet wire.
   */
  async quietWire(quietMs, until) {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const now = Date.now();
      if (now >= until) return;
      const quiet = now - (this.lastFrameAt ?? 0);
      if (quiet < quietMs) {
        await sleep(Math.min(100, until - now, quietMs - quiet));
        continue;
      }
      const mark = await this.captureMark(Math.max(0, until - now));
      if (mark === null) return; // the bound came first
      if (mark - (this.lastFrameAt ?? 0) >= quietMs) return;
    }
  }

  /** Stop the capture; returns the frames seen, as normalizePackets lists them. */
  async stopCapture() {
    this.captureProc.kill('SIGTERM');
    await this.captureDone;
    const ports = new Map(this.scenario.hosts.map((h, i) => [`vp${i}`, h.name]));
    return normalizePackets(this.captured, {
      hostOfPort: (ifname) => ports.get(ifname),
      routerIfaces: new Set(this.scenario.router.interfaces.map((i) => i.name)),
      macOf: (host) => this.macs.get(host),
    });
  }

  /** Start every listener of the scenario; resolves when all are bound. */
  async startListeners() {
    const nodes = [{ name: 'router', listen: this.scenario.router.listen }, ...this.scenario.hosts];
    const ready = [];
    for (const n of nodes) {
      for (const l of n.listen) {
        const p = spawn('ip', ['netns', 'exec', this.nsOf(n.name), 'python3', PEER, 'serve', l.proto, String(l.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
        this.procs.push(p);
        const rl = readline.createInterface({ input: p.stdout });
        ready.push(new Promise((resolve, reject) => {
          let stderr = '';
          p.stderr.on('data', (d) => (stderr += d));
          p.on('exit', (code) => reject(new Error(`listener ${n.name} ${l.proto}/${l.port} exited ${code}: ${stderr}`)));
          rl.on('line', (line) => {
            const msg = JSON.parse(line);
            if (msg.ready) resolve();
            if (msg.saw) this.seen.push(msg.saw);
          });
        }));
      }
    }
    await Promise.all(ready);
  }

  /**
   * The traced connection; resolves with the client's JSON report and the
   * router's `conntrack -L` read 400 ms after the client ends. The table is read
   * by the same child process, not by this one: on a busy machine the suite's
   * event loop can be held for tens of seconds by other labs being built, and a
   * UDP entry (30 s timeout) would be gone by the time a read from here ran.
   */
  connect() {
    const t = this.scenario.trace;
    const script = 'ip netns exec "$1" python3 "$2" connect "$3" "$4" "$5" "$6" "$7"; sleep 0.4; echo "@@conntrack"; ip netns exec "$8" conntrack -L';
    return new Promise((resolve, reject) => {
      const p = spawn('sh', ['-c', script, 'sh', this.nsOf(t.from), PEER, t.proto, t.to.ip, String(t.to.port), String(t.sport), String(UDP_WAIT), this.router], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => {
        const at = out.indexOf('@@conntrack');
        try {
          const report = JSON.parse(out.slice(0, at < 0 ? out.length : at).trim().split('\n').pop());
          if (at >= 0) report.conntrack = normalizeConntrack(out.slice(at));
          resolve(report);
        } catch {
          reject(new Error(`client exited ${code}: ${err || out}`));
        }
      });
    });
  }

  /** The router's ICMP counters that matter to the exchange (nstat: absolute, history untouched). */
  icmpCounters() {
    const out = {};
    const text = ns(this.router, 'nstat', ['-asz']);
    for (const k of ['IcmpOutRedirects', 'IcmpOutDestUnreachs', 'IcmpOutRateLimitHost', 'IcmpOutRateLimitGlobal', 'IcmpOutTimeExcds']) {
      const m = new RegExp(`^${k}\\s+(\\d+)`, 'm').exec(text);
      out[k] = m ? Number(m[1]) : 0;
    }
    return out;
  }

  conntrack() {
    return normalizeConntrack(ns(this.router, 'conntrack', ['-L']));
  }

  destroy() {
    for (const p of this.procs) {
      try {
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const n of [this.router, ...this.hostNs.values()]) {
      try {
        run('ip', ['netns', 'del', n]);
      } catch {
        /* not created */
      }
    }
  }
}

function routeArgs(rt, defaultDev) {
  const args = ['route', 'add', rt.dst];
  if (rt.via) args.push('via', rt.via);
  if (rt.dev) args.push('dev', rt.dev);
  else if (!rt.via && defaultDev) args.push('dev', defaultDev);
  return args;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The capture stops once the wire has been quiet this long after the client's result... */
const QUIET_MS = 1500;
/** ...or this long after the result at the latest. */
const CAPTURE_BOUND_MS = 10000;
/** conntrack is read this long after the result, and the quiet is counted from then. */
const RESULT_SETTLE_MS = 400;

/**
 * Run one scenario text (a plain scenario, one dialect) in the kernel.
 * Returns { outcome, server_saw, conntrack, errno }.
 */
async function runInKernel(text, hooks = {}) {
  const nft = nftablesOf(text);
  let lab;
  if (nft) {
    lab = new Lab(nft.scenario, { nft: nft.rules });
  } else {
    const { scenario, ruleset } = runScenario(text);
    lab = new Lab(scenario, rulesForKernel(scenario, ruleset));
    // RouterOS: /ip settings set send-redirects=no among the rules.
    if (ruleset.settings && ruleset.settings.sendRedirects === false) lab.sendRedirects = false;
  }
  try {
    lab.build();
    await lab.startListeners();
    await lab.startCapture();
    const connecting = lab.connect();
    // From here the lab mostly waits on the kernel's timers (a SYN timeout takes 131 s):
    // the pool may build the next lab meanwhile.
    if (hooks.waiting) hooks.waiting();
    const client = await connecting;
    const resultAt = Date.now();
    // Let the last segments of the close (FIN, ACK) and any late answer cross.
    await sleep(RESULT_SETTLE_MS);
    // conntrack as it stands just after the result (the answers keep this moment).
    const conntrack = client.conntrack ?? lab.conntrack();
    // The wire goes on after the client gives up: the router's late ICMP errors
    // (an ARP failure answers each queued packet, the last ones seconds later),
    // a server's retransmissions, the close. Capture until no frame for
    // QUIET_MS, at most CAPTURE_BOUND_MS after the result.
    await lab.quietWire(QUIET_MS, resultAt + CAPTURE_BOUND_MS);
    // The counters at the moment the wire is found quiet, then the capture stopped: read after
    // it (a busy machine can take seconds to stop it), they counted errors it does not hold.
    const icmp = lab.icmpCounters();
    const packets = await lab.stopCapture();
    return {
      outcome: client.outcome,
      server_saw: lab.seen.length ? lab.seen[0] : null,
      conntrack,
      ...(client.errno ? { errno: client.errno } : {}),
      packets,
      router_icmp: icmp,
    };
  } finally {
    lab.destroy();
  }
}

/**
 * A scenario text whose rules are `nftables:`: the network (parsed without the
 * rules, so the lab does not depend on our nft parser) and the ruleset text
 * for `nft -f`, untranslated. undefined for the other dialects.
 */
function nftablesOf(text) {
  const doc = YAML.parse(text);
  if (!doc || typeof doc !== 'object' || !Object.prototype.hasOwnProperty.call(doc, 'nftables')) return undefined;
  const { nftables, ...network } = doc;
  return { scenario: parseScenario(YAML.stringify(network)), rules: nftables == null ? '' : String(nftables) };
}

/**
 * iptables-restore input for a scenario. iptables rules load as written: the
 * kernel then tracks connections only if they need it. A RouterOS router with
 * any firewall rule tracks every connection (connection tracking enabled=auto);
 * a conntrack match that matches nothing makes Linux do the same.
 */
function rulesForKernel(scenario, ruleset) {
  const save = toIptablesSave(ruleset, scenario.router.interfaceLists);
  const anyRule = Object.values(ruleset.tables).some((t) => Object.values(t || {}).some((c) => c.rules.length > 0));
  if (ruleset.dialect !== 'routeros' || !anyRule) return save;
  // A conntrack match makes Linux track (nf_ct_netns_get); a nat rule alone does not. INVALID
  // packets never traverse nat chains, so the rule matches nothing.
  const tracker = '-A POSTROUTING -m conntrack --ctstate INVALID -m comment --comment "connection tracking enabled=auto" -j RETURN';
  if (/^\*nat$/m.test(save)) return save.replace(/^(\*nat\n(?:.*\n)*?)(COMMIT)$/m, `$1${tracker}\n$2`);
  return `*nat\n:POSTROUTING ACCEPT [0:0]\n${tracker}\nCOMMIT\n${save}`;
}

/** What the simulator says for the same text, in the fixture's shape. */
function simulateText(text) {
  const { scenario, ruleset, trace } = runScenario(text);
  const r = { outcome: trace.outcome, server_saw: trace.server_saw, conntrack: [...trace.conntrack].sort() };
  Object.defineProperty(r, 'tracking', { value: trackingActive(ruleset), enumerable: false });
  Object.defineProperty(r, 'trace', { value: trace, enumerable: false });
  Object.defineProperty(r, 'scenario', { value: scenario, enumerable: false });
  Object.defineProperty(r, 'ruleset', { value: ruleset, enumerable: false });
  // SNAT/MASQUERADE to a port range the original port is not in: the kernel takes a
  // random port (get_random_u16 in nf_nat_l4proto_unique_tuple), so no answer can
  // name it. Such results are compared with that port masked, on both sides.
  if (trace.warnings.some((w) => /random port/.test(w))) r.randomPort = scenarioPorts(scenario);
  return r;
}

/** Every port a scenario names (trace, listeners): a port outside these was chosen by NAT. */
function scenarioPorts(sc) {
  const ports = new Set([sc.trace.sport, sc.trace.to.port]);
  for (const l of sc.router.listen) ports.add(l.port);
  for (const h of sc.hosts) for (const l of h.listen) ports.add(l.port);
  return [...ports];
}

/** Mask the ports NAT chose at random (see simulateText). */
function maskRandomPorts(r, known) {
  const keep = new Set(known.map(String));
  const mask = (s) => s.replace(/(sport=|dport=|:)(\d+)\b/g, (m, k, v) => (keep.has(v) ? m : `${k}*`));
  return { ...r, server_saw: r.server_saw && mask(r.server_saw), conntrack: r.conntrack.map(mask).sort() };
}

module.exports = { QUIET_MS, CAPTURE_BOUND_MS, RESULT_SETTLE_MS, Lab, runInKernel, nftablesOf, normalizePackets, packetText, tcpFlagText, simulateText, maskRandomPorts, scenarioText, normalizeConntrack, missingTools, rulesForKernel };
