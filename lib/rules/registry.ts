/**
 * One table of match and target modules, as iptables keeps its extensions.
 * Modules register themselves from lib/rules/matches/index.ts and
 * lib/rules/targets/index.ts; the simulator and the iptables serializer look
 * them up here by name.
 */
import type { MatchModule, TargetModule } from './model';

const matchModules = new Map<string, MatchModule>();
const targetModules = new Map<string, TargetModule>();

export function registerMatch(m: MatchModule): void {
  matchModules.set(m.name, m);
}

export function registerTarget(t: TargetModule): void {
  targetModules.set(t.name, t);
}

export function getMatch(name: string): MatchModule {
  const m = matchModules.get(name);
  if (!m) throw new Error(`internal: no match module "${name}" registered`);
  return m;
}

export function getTarget(name: string): TargetModule {
  const t = targetModules.get(name);
  if (!t) throw new Error(`internal: no target module "${name}" registered`);
  return t;
}

export function hasMatch(name: string): boolean {
  return matchModules.has(name);
}

export function hasTarget(name: string): boolean {
  return targetModules.has(name);
}
