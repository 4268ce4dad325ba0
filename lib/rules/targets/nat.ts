/** The NAT targets: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP (nat table only). */
import type { NatRange, TargetModule } from '../model';
import type { NatToTargetOpts, NetmapTargetOpts, PortsTargetOpts } from '../opts';
import { compileCidr, intToIp4 } from '../../net/addr';

/** opts.ts shapes plus --random-fully and the DNAT port shift (`:1000-2000/3000`). */
export interface NatToTargetOptsFull extends NatToTargetOpts { randomFully?: boolean; basePort?: number }
export interface PortsTargetOptsFull extends PortsTargetOpts { randomFully?: boolean }

function natToText(o: NatToTargetOptsFull): string {
  let s = '';
  if (o.minIp) s += o.minIp + (o.maxIp && o.maxIp !== o.minIp ? `-${o.maxIp}` : '');
  if (o.minPort !== undefined) {
    s += `:${o.minPort}`;
    if (o.maxPort !== undefined && o.maxPort !== o.minPort) s += `-${o.maxPort}`;
    if (o.basePort !== undefined) s += `/${o.basePort}`;
  }
  return s;
}

function flagsText(o: { random?: boolean; randomFully?: boolean; persistent?: boolean }): string {
  return (o.random ? ' --random' : '') + (o.randomFully ? ' --random-fully' : '') + (o.persistent ? ' --persistent' : '');
}

function range(manip: 'src' | 'dst', o: NatToTargetOptsFull): NatRange {
  const r: NatRange = { manip };
  if (o.minIp) { r.minIp = o.minIp; r.maxIp = o.maxIp ?? o.minIp; }
  if (o.minPort !== undefined) { r.minPort = o.minPort; r.maxPort = o.maxPort ?? o.minPort; }
  if (o.random || o.randomFully) r.random = true;
  if (o.persistent) r.persistent = true;
  return r;
}

function portsText(o: PortsTargetOptsFull): string {
  let s = '';
  if (o.minPort !== undefined) s += ` --to-ports ${o.minPort}${o.maxPort !== undefined && o.maxPort !== o.minPort ? `-${o.maxPort}` : ''}`;
  return s + flagsText(o);
}

export const dnatTarget: TargetModule<NatToTargetOptsFull> = {
  name: 'DNAT',
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  run: (o) => ({ verdict: 'NAT', nat: range('dst', o), kind: 'DNAT' }),
  toIptables: (o) => `-j DNAT --to-destination ${natToText(o)}${flagsText(o)}`,
};

export const snatTarget: TargetModule<NatToTargetOptsFull> = {
  name: 'SNAT',
  tables: ['nat'],
  hooks: ['POSTROUTING', 'INPUT'],
  run: (o) => ({ verdict: 'NAT', nat: range('src', o), kind: 'SNAT' }),
  toIptables: (o) => `-j SNAT --to-source ${natToText(o)}${flagsText(o)}`,
};

export const masqueradeTarget: TargetModule<PortsTargetOptsFull> = {
  name: 'MASQUERADE',
  tables: ['nat'],
  hooks: ['POSTROUTING'],
  run(o, ctx) {
    // The out interface's address for this next hop (inet_select_addr); none: the router drops it.
    const ip = ctx.outIface ? ctx.ifaceAddress(ctx.outIface) : undefined;
    const r: NatRange = { manip: 'src' };
    if (ip) { r.minIp = ip; r.maxIp = ip; }
    if (o.minPort !== undefined) { r.minPort = o.minPort; r.maxPort = o.maxPort ?? o.minPort; }
    if (o.random || o.randomFully) r.random = true;
    return { verdict: 'NAT', nat: r, kind: 'MASQUERADE' };
  },
  toIptables: (o) => `-j MASQUERADE${portsText(o)}`,
};

export const redirectTarget: TargetModule<PortsTargetOptsFull> = {
  name: 'REDIRECT',
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  run(o, ctx) {
    // nf_nat_redirect_ipv4: loopback for locally generated packets, else the in interface's first address.
    const ip = ctx.hook === 'OUTPUT' ? '127.0.0.1' : ctx.inIface ? ctx.ifaceAddress(ctx.inIface) : undefined;
    if (!ip) return { verdict: 'DROP' };
    const r: NatRange = { manip: 'dst', minIp: ip, maxIp: ip };
    if (o.minPort !== undefined) { r.minPort = o.minPort; r.maxPort = o.maxPort ?? o.minPort; }
    if (o.random || o.randomFully) r.random = true;
    return { verdict: 'NAT', nat: r, kind: 'REDIRECT' };
  },
  toIptables: (o) => `-j REDIRECT${portsText(o)}`,
};

export const netmapTarget: TargetModule<NetmapTargetOpts> = {
  name: 'NETMAP',
  tables: ['nat'],
  hooks: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  run(o, ctx) {
    const c = compileCidr(o.to);
    const prefix = Number(o.to.slice(o.to.indexOf('/') + 1));
    const manip = ctx.hook === 'PREROUTING' || ctx.hook === 'OUTPUT' ? 'dst' : 'src';
    return {
      verdict: 'NAT',
      kind: 'NETMAP',
      nat: { manip, minIp: intToIp4(c.net), maxIp: intToIp4((c.net | (~c.mask >>> 0)) >>> 0), netmapPrefix: prefix },
    };
  },
  toIptables: (o) => `-j NETMAP --to ${o.to}`,
};
