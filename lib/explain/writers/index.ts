/**
 * One rule writer per dialect, registered by name. A dialect without a
 * writer still gets a diagnosis; it just gets no fix.
 */
import type { DialectWriter } from '../types';
import { routerosWriter } from './routeros';
import { iptablesWriter } from './iptables';
import { nftablesWriter } from './nftables';

const writers = new Map<string, DialectWriter>();

export function registerWriter(w: DialectWriter): void {
  writers.set(w.dialect, w);
}

export function writerFor(dialect: string): DialectWriter | undefined {
  return writers.get(dialect);
}

registerWriter(routerosWriter);
registerWriter(iptablesWriter);
registerWriter(nftablesWriter);
