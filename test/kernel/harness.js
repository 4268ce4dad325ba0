'use strict';
// Builds a scenario for real in Linux network namespaces and reads what the
// kernel does with its one connection: the client application's outcome,
// what the server application saw, and the router's `conntrack -L`.
//
//   router namespace   one bridge per router interface, named as the interface
//                      (so -i/-o in the rules mean what they say), the
//                      scenario's addresses and routes, ip_forward=1, the rules
//                      loaded with iptables-restore from our own serializer
//   host namespaces    one per host, eth0 on a veth whose other end is a port
//                      of its segment's bridge; addresses, gateway, routes
//
// Assumptions (documented in docs/kernel-harness.md): send_redirects=0 on the
// router (RouterOS does not send redirects in the default setup either);
// bridged frames do not go through iptables (bridge-nf-call-iptables=0, as
// RouterOS's bridge use-ip-firewall=no); the nat table always exists, so
// conntrack is active as on a RouterOS router; the client's tcp_syn_retries is
// lowered so a timeout costs seconds: only the outcome is compared, and the
// simulator's "timeout" means the same thing with the default of 6 retries.
const { execFileSync, spawn } = require('child_process');
const path = require('path');
const readline = require('readline');
const YAML = require('yaml');

const DIST = path.join(__dirname, '..', '..', 'dist');
const { runScenario } = require(DIST);
const { toIptablesSave } = require(path.join(DIST, 'rules', 'iptables', 'serialize'));
const { trackingActive } = require(path.join(DIST, 'sim', 'netfilter'));

const PEER = path.join(__dirname, 'peer.py');
/** Client SYN retries: SYNs at 0, 1, 3 s, connect() fails at 7 s. */
const SYN_RETRIES = 2;
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

/** What a missing tool would be: checked once so the suite can skip with a reason. */
function missingTools() {
  const missing = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root');
  for (const tool of ['ip', 'iptables-restore', 'conntrack', 'python3']) {
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
    if (['about', 'covers', 'only', 'why', 'known', 'iptables', 'routeros'].includes(k)) continue;
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

let labCounter = 0;

/** One scenario built in namespaces. */
class Lab {
  constructor(scenario, rulesetSave) {
    this.scenario = scenario;
    this.save = rulesetSave;
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
    for (const scope of ['all', 'default']) sysctl(r, `net.ipv4.conf.${scope}.send_redirects`, 0);
    sysctl(r, 'net.bridge.bridge-nf-call-iptables', 0);
    sysctl(r, 'net.bridge.bridge-nf-call-arptables', 0);
    for (const iface of sc.router.interfaces) {
      ns(r, 'ip', ['link', 'add', iface.name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      sysctl(r, `net.ipv4.conf.${iface.name}.send_redirects`, 0);
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
      sysctl(hn, 'net.ipv4.tcp_syn_retries', SYN_RETRIES);
    });
    for (const rt of sc.router.routes) ns(r, 'ip', routeArgs(rt));
    sysctl(r, 'net.ipv4.tcp_syn_retries', SYN_RETRIES);
    // Ports take a moment to reach forwarding state; a frame sent before is lost.
    this.waitForwarding();
    ns(r, 'iptables-restore', [], this.save);
  }

  waitForwarding() {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const out = ns(this.router, 'bridge', ['link', 'show']);
      if (!/state (listening|learning|blocking|disabled)/.test(out)) return;
      run('sleep', ['0.05']);
    }
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

  /** The traced connection; resolves with the client's JSON report. */
  connect() {
    const t = this.scenario.trace;
    return new Promise((resolve, reject) => {
      const p = spawn('ip', ['netns', 'exec', this.nsOf(t.from), 'python3', PEER, 'connect', t.proto, t.to.ip, String(t.to.port), String(t.sport), String(UDP_WAIT)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('exit', (code) => {
        try {
          resolve(JSON.parse(out.trim().split('\n').pop()));
        } catch {
          reject(new Error(`client exited ${code}: ${err || out}`));
        }
      });
    });
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

/**
 * Run one scenario text (a plain scenario, one dialect) in the kernel.
 * Returns { outcome, server_saw, conntrack, errno }.
 */
async function runInKernel(text) {
  const { scenario, ruleset } = runScenario(text);
  const save = rulesForKernel(scenario, ruleset);
  const lab = new Lab(scenario, save);
  try {
    lab.build();
    await lab.startListeners();
    const client = await lab.connect();
    // Let the last segments of the close (FIN, ACK) and any late answer cross.
    await sleep(400);
    return {
      outcome: client.outcome,
      server_saw: lab.seen.length ? lab.seen[0] : null,
      conntrack: lab.conntrack(),
      ...(client.errno ? { errno: client.errno } : {}),
    };
  } finally {
    lab.destroy();
  }
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

module.exports = { Lab, runInKernel, simulateText, maskRandomPorts, scenarioText, normalizeConntrack, missingTools, rulesForKernel };
