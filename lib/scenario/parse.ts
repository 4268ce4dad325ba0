/**
 * Scenario YAML -> Scenario. Every value keeps the YAML line it came from, so a
 * mistake is reported as "file:line: what is wrong (got X, expected Y)".
 *
 * Two layers: parseScenarioRaw() turns text into a plain object whose nodes
 * remember their lines (needed to merge a `from:` base under a block), and
 * buildScenario() validates that object into the typed Scenario.
 */
import { parseDocument, LineCounter, isMap, isSeq, isScalar, isAlias, visit, Scalar } from 'yaml';
import type { Alias } from 'yaml';
import type { Document } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import * as ipaddr from 'ipaddr.js';
import { NatTraceError, suggest } from '../errors';
import { dict, has } from '../dict';
import { forbiddenCharIndex, codePointName } from '../text';
import type {
  Scenario, RouterSpec, HostSpec, InterfaceAddress, Listener, Route, TraceSpec, RuleText, RouterInterface,
} from './types';

/** A raw YAML value with the line it was written on (1-based, in the file). */
export interface RawNode {
  value: RawValue;
  line: number;
  /** For block scalars: the line of the first content line. */
  contentLine?: number;
}
export type RawValue = string | number | boolean | null | RawNode[] | RawMap;
export interface RawMap { [key: string]: RawNode }

export interface ParseOptions {
  /** File name for errors. */
  file?: string;
  /** Lines before the text in its file (a Hexo block's body starts at some post line). */
  lineOffset?: number;
  /** A raw scenario (from parseScenarioRaw or a plain object) merged under this text: `from:`. */
  base?: RawMap | Record<string, unknown>;
  /** Default client source port (site config); the scenario's `sport` wins. */
  sport?: number;
}

export const DEFAULT_SPORT = 40000;

const TOP_KEYS = ['title', 'router', 'hosts', 'routeros', 'iptables', 'nftables', 'trace'];
/** The rules dialects a scenario may give (exactly one). */
const DIALECT_KEYS = ['routeros', 'iptables', 'nftables'] as const;
const ROUTER_KEYS = ['name', 'label', 'interfaces', 'interface_lists', 'routes', 'listen', 'send_redirects'];
const IFACE_KEYS = ['address', 'label'];
const HOST_KEYS = ['interface', 'address', 'gateway', 'routes', 'listen', 'label'];
const TRACE_KEYS = ['from', 'to', 'proto', 'sport'];

function fail(msg: string, line: number | undefined, extra: { token?: string; expected?: string; suggestion?: string } = {}): never {
  throw new NatTraceError(msg, { line, ...extra });
}

// ---------------------------------------------------------------------------
// Text -> raw nodes

/** Deeper than any scenario (they nest 4 or 5 levels); checked before the stack runs out. */
export const MAX_NESTING = 64;
/** Values after aliases are expanded: far above a real scenario, far below an expansion bomb. */
export const MAX_VALUES = 100000;

interface RawCtx {
  /** The YAML text, to place a refused character at its column. */
  text: string;
  lc: LineCounter;
  offset: number;
  /** Anchored nodes by name, in text order (an anchor may be redefined; an alias takes the last one before it). */
  anchors: Map<string, YamlNode[]>;
  values: number;
}

function anchorsOf(doc: Document): Map<string, YamlNode[]> {
  const anchors = new Map<string, YamlNode[]>();
  visit(doc, (_key, node) => {
    const a = (node as { anchor?: string } | null)?.anchor;
    if (a && !isAlias(node)) {
      let list = anchors.get(a);
      if (!list) anchors.set(a, (list = []));
      list.push(node as YamlNode);
    }
  });
  return anchors;
}

/** Alias.resolve() searches the whole document on every call; this looks the anchor up instead. */
function resolveAlias(alias: Alias, cx: RawCtx): YamlNode | undefined {
  const at = alias.range?.[0] ?? 0;
  let found: YamlNode | undefined;
  for (const n of cx.anchors.get(alias.source) ?? []) if ((n.range?.[0] ?? 0) < at) found = n;
  return found;
}

function lineOf(node: YamlNode | null | undefined, cx: RawCtx): number {
  return cx.lc.linePos(node?.range?.[0] ?? 0).line + cx.offset;
}

/**
 * Refuse a control character (see lib/text.ts), naming the line and column it
 * is at and the character. Found in the source text of the node when it is
 * written there as is; a character written as an escape ("\u0001") is placed
 * at the escape, else at the start of the value.
 */
function checkText(s: string, node: YamlNode, cx: RawCtx, what: string): void {
  const i = forbiddenCharIndex(s);
  if (i < 0) return;
  const name = codePointName(s, i);
  const [start, end] = node.range ?? [0, 0];
  const src = cx.text.slice(start, end);
  let at = forbiddenCharIndex(src);
  if (at < 0) {
    // The escapes YAML decodes to such a character: \0 \a \b \v \f \e \xXX \uXXXX \UXXXXXXXX.
    const esc = /\\[0abvfexuU]/.exec(src);
    at = esc ? esc.index : 0;
  }
  const pos = cx.lc.linePos(start + at);
  throw new NatTraceError(`${what} contains the control character ${name}, which an SVG figure cannot carry`, {
    line: pos.line + cx.offset, column: pos.col, token: name, expected: 'printable text (tab and line breaks are fine)',
  });
}

function isMergeKey(k: YamlNode | null | undefined): boolean {
  return !!k && isScalar(k) && typeof (k as Scalar).value === 'symbol';
}

function toRaw(node: YamlNode | null | undefined, cx: RawCtx, depth: number, key?: string): RawNode {
  if (node == null) return { value: null, line: cx.offset + 1 };
  const line = lineOf(node, cx);
  if (++cx.values > MAX_VALUES) {
    fail(`the scenario has more than ${MAX_VALUES} values once its aliases are expanded`, line, { expected: 'fewer aliases (*name) of large anchors' });
  }
  if (depth > MAX_NESTING) fail(`the YAML nests more than ${MAX_NESTING} levels deep`, line, { expected: 'a scenario a few levels deep' });
  if (isAlias(node)) {
    // `*name` stands for the anchored value: resolved, as YAML readers do (label: *l is the label).
    const target = resolveAlias(node, cx);
    if (!target) fail(`alias *${node.source} names no anchor before it`, line, { token: `*${node.source}`, expected: `an anchor &${node.source} earlier in the text` });
    return { ...toRaw(target, cx, depth + 1, key), line };
  }
  if (isMap(node)) {
    const map: RawMap = dict<RawNode>();
    /** Keys that came from a `<<:` merge: a key of the map itself overrides them. */
    const merged = new Set<string>();
    const mergeFrom = (src: RawNode, at: number): void => {
      const sources = Array.isArray(src.value) ? src.value : [src];
      for (const s of sources) {
        if (!isRawMap(s.value)) fail('a merge key (<<) takes a mapping or a list of mappings', at, { token: '<<', expected: '<<: *anchor of a mapping' });
        for (const [k, v] of Object.entries(s.value)) {
          if (has(map, k)) continue; // earlier keys and earlier merges win
          map[k] = v;
          merged.add(k);
        }
      }
    };
    for (const pair of node.items) {
      const k = pair.key as YamlNode;
      const keyLine = k ? lineOf(k, cx) : line;
      if (isMergeKey(k)) {
        mergeFrom(toRaw(pair.value as YamlNode, cx, depth + 1), keyLine);
        continue;
      }
      let key: string;
      if (isScalar(k)) key = String((k as Scalar).value);
      else if (isAlias(k)) {
        const t = resolveAlias(k, cx);
        key = t && isScalar(t) ? String((t as Scalar).value) : String(k);
      } else if (k == null) key = '';
      else fail('a key must be a plain name', keyLine, { token: isMap(k) ? '{...}' : isSeq(k) ? '[...]' : String(k), expected: 'name: value' });
      if (k) checkText(key, k, cx, 'a key');
      if (has(map, key) && !merged.has(key)) fail(`duplicate key "${key}"`, keyLine, { token: key });
      merged.delete(key);
      const child = toRaw(pair.value as YamlNode, cx, depth + 1, key);
      // The value's own line for scalars on the key's line; the key's line for empty values.
      if (pair.value == null) child.line = keyLine;
      if (has(map, key)) delete map[key]; // an own key replaces a merged one, at its own place
      map[key] = child;
    }
    return { value: map, line };
  }
  if (isSeq(node)) return { value: node.items.map((n) => toRaw(n as YamlNode, cx, depth + 1, key)), line };
  if (isScalar(node)) {
    const s = node as Scalar;
    const raw: RawNode = { value: s.value as RawValue, line };
    if (s.type === 'BLOCK_LITERAL' || s.type === 'BLOCK_FOLDED') raw.contentLine = line + 1;
    if (s.value instanceof Date) raw.value = String(s.source ?? s.value);
    if (typeof s.value === 'symbol') raw.value = '<<';
    if (typeof raw.value === 'string') checkText(raw.value, node, cx, key !== undefined ? `the value of ${key}` : 'a value');
    return raw;
  }
  return { value: String(node), line };
}

/**
 * Plain JS (a site's _data file loaded by Hexo, an API caller's `base`) -> raw
 * nodes without lines. Its text never went through the YAML reader, so its
 * keys and strings are checked for control characters here, named by path.
 */
export function rawFromPlain(v: unknown, line = 0, path = 'base'): RawNode {
  if (v && typeof v === 'object' && 'value' in (v as object) && 'line' in (v as object)) return v as RawNode;
  if (Array.isArray(v)) return { value: v.map((x, i) => rawFromPlain(x, line, `${path}[${i}]`)), line };
  if (v && typeof v === 'object') {
    const m: RawMap = dict<RawNode>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      plainText(k, line, `a key of ${path}`);
      m[k] = rawFromPlain(x, line, `${path}.${k}`);
    }
    return { value: m, line };
  }
  if (v === undefined) return { value: null, line };
  if (typeof v === 'string') plainText(v, line, path);
  return { value: v as RawValue, line };
}

function plainText(s: string, line: number, what: string): void {
  const i = forbiddenCharIndex(s);
  if (i < 0) return;
  const name = codePointName(s, i);
  fail(`${what} contains the control character ${name}, which an SVG figure cannot carry`, line || undefined, { token: name, expected: 'printable text (tab and line breaks are fine)' });
}

/**
 * The first line where the text nests deeper than MAX_NESTING, estimated from
 * indentation, `- ` runs and open brackets, for the error when the YAML library
 * itself runs out of stack (thousands of levels).
 */
function deepLine(text: string): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let lineNo = 0;
  for (const l of text.split('\n')) {
    lineNo++;
    const indent = /^ */.exec(l)![0].length;
    if (indent === l.length) continue;
    if (flow === 0) {
      while (indents.length && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
    }
    let dashes = 0;
    for (let i = indent; i + 1 < l.length && (l[i] === '-' || l[i] === '?') && l[i + 1] === ' '; i += 2) {
      dashes++;
      while (i + 2 < l.length && l[i + 2] === ' ') i++;
    }
    let peak = flow;
    for (const ch of l) {
      if (ch === '[' || ch === '{') peak = Math.max(peak, ++flow);
      else if ((ch === ']' || ch === '}') && flow > 0) flow--;
    }
    if (indents.length + dashes + peak > MAX_NESTING) return lineNo;
  }
  return undefined;
}

function tooDeep(text: string, offset: number, fallback?: { line: number; col: number }): NatTraceError {
  const l = deepLine(text);
  return new NatTraceError(`YAML: the text nests more than ${MAX_NESTING} levels deep`, {
    line: l !== undefined ? l + offset : fallback ? fallback.line + offset : undefined,
    column: l === undefined ? fallback?.col : undefined, expected: 'a scenario a few levels deep',
  });
}

/** YAML text -> raw map with lines. An empty text is an empty map. */
export function parseScenarioRaw(text: string, opts: ParseOptions = {}): RawMap {
  const offset = opts.lineOffset ?? 0;
  try {
    const lc = new LineCounter();
    let doc: Document;
    try {
      doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, merge: true });
    } catch (e) {
      // Thousands of nested levels exhaust the YAML library's stack before it can say where.
      if (e instanceof RangeError) throw tooDeep(text, offset);
      throw e;
    }
    if (doc.errors.length) {
      const e = doc.errors[0];
      // The mistake's own line and column (prettyErrors would add them to the message instead).
      const pos = e.pos ? lc.linePos(e.pos[0]) : undefined;
      const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      // The YAML library runs out of stack on thousands of nested levels and says so.
      if (/Maximum call stack size exceeded/.test(msg)) throw tooDeep(text, offset, pos);
      throw new NatTraceError(`YAML: ${msg}`, {
        line: pos ? pos.line + offset : undefined, column: pos?.col, expected: 'valid YAML',
      });
    }
    if (doc.contents == null) return dict<RawNode>();
    const root = toRaw(doc.contents as YamlNode, { text, lc, offset, anchors: anchorsOf(doc), values: 0 }, 0);
    if (root.value === null || root.value === '') return dict<RawNode>();
    if (typeof root.value !== 'object' || Array.isArray(root.value)) {
      fail('a scenario must be a mapping of keys (router, hosts, routeros or iptables, trace)', root.line, {
        token: String(Array.isArray(root.value) ? '[...]' : root.value), expected: 'key: value lines',
      });
    }
    return root.value as RawMap;
  } catch (e) {
    if (e instanceof NatTraceError && opts.file && !e.file) e.file = opts.file;
    throw e;
  }
}

/**
 * Merge `over` onto `base` for `from:` reuse: maps merge key by key (so a block
 * can change one host), everything else is replaced. Giving one rules dialect
 * replaces the rules entirely, whichever dialect the base used.
 */
export function mergeRaw(base: RawMap, over: RawMap): RawMap {
  const out: RawMap = dict(base);
  if (DIALECT_KEYS.some((k) => has(over, k))) for (const k of DIALECT_KEYS) delete out[k];
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (!(DIALECT_KEYS as readonly string[]).includes(k) && k !== 'trace' && b && isRawMap(b.value) && isRawMap(v.value)) {
      out[k] = { ...v, value: mergeRaw(b.value, v.value) };
    } else {
      out[k] = v;
    }
  }
  return out;
}

function isRawMap(v: RawValue): v is RawMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// Raw -> typed Scenario

function checkKeys(map: RawMap, allowed: string[], where: string): void {
  for (const [k, v] of Object.entries(map)) {
    if (!allowed.includes(k)) {
      fail(`unknown key "${k}" in ${where}`, v.line, {
        token: k, expected: `one of ${allowed.join(', ')}`, suggestion: suggest(k, allowed),
      });
    }
  }
}

function asMap(n: RawNode, what: string): RawMap {
  if (!isRawMap(n.value)) fail(`${what} must be a mapping`, n.line, { token: shortToken(n), expected: 'key: value entries' });
  return n.value;
}

function asList(n: RawNode): RawNode[] {
  if (n.value === null) return [];
  return Array.isArray(n.value) ? n.value : [n];
}

function asString(n: RawNode, what: string): string {
  if (typeof n.value === 'string') return n.value;
  if (typeof n.value === 'number' || typeof n.value === 'boolean') return String(n.value);
  fail(`${what} must be a text value`, n.line, { token: shortToken(n), expected: 'text' });
}

function shortToken(n: RawNode): string {
  if (n.value === null) return '(empty)';
  if (Array.isArray(n.value)) return '[...]';
  if (typeof n.value === 'object') return '{...}';
  return String(n.value);
}

function parseIp(text: string, line: number, what: string): string {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) {
    fail(`${what} is not an IPv4 address`, line, { token: text, expected: 'an address like 192.0.2.1' });
  }
  return ipaddr.IPv4.parse(text).toString();
}

function networkOf(address: string, prefix: number): string {
  const bytes = ipaddr.IPv4.parse(address).toByteArray();
  const n = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.');
}

function inSubnet(ip: string, a: InterfaceAddress): boolean {
  return networkOf(ip, a.prefix) === a.network;
}

function parseCidrAddress(n: RawNode, what: string, defaultPrefix?: number): InterfaceAddress {
  const text = asString(n, what).trim();
  const m = /^([^/\s]+)(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) fail(`${what} is not an address with a prefix`, n.line, { token: text, expected: 'CIDR like 10.0.0.1/24' });
  const address = parseIp(m[1], n.line, what);
  let prefix: number;
  if (m[2] !== undefined) {
    prefix = Number(m[2]);
    if (prefix > 32) fail(`${what}: prefix /${prefix} is out of range`, n.line, { token: text, expected: 'a prefix from /0 to /32' });
  } else if (defaultPrefix !== undefined) {
    prefix = defaultPrefix;
  } else {
    fail(`${what} needs a prefix length`, n.line, { token: text, expected: `CIDR like ${address}/24` });
  }
  return { address, prefix, network: networkOf(address, prefix) };
}

function parseListen(n: RawNode, what: string): Listener[] {
  return asList(n).map((item) => {
    const text = asString(item, what).trim().toLowerCase();
    const m = /^(tcp|udp)\/(\d{1,5})$/.exec(text) ?? /^(\d{1,5})\/(tcp|udp)$/.exec(text);
    if (!m) fail(`${what}: not a service`, item.line, { token: text, expected: 'proto/port like tcp/5000 or udp/53' });
    const proto = (m[1] === 'tcp' || m[1] === 'udp' ? m[1] : m[2]) as 'tcp' | 'udp';
    const port = Number(/^\d+$/.test(m[1]) ? m[1] : m[2]);
    if (port < 1 || port > 65535) fail(`${what}: port out of range`, item.line, { token: text, expected: 'a port from 1 to 65535' });
    return { proto, port };
  });
}

/**
 * `own`: the node's addresses. Like `ip route add`, a gateway must be reachable
 * on a connected subnet and must not be one of the node's own addresses
 * ("Nexthop has invalid gateway").
 */
function parseRoutes(n: RawNode, what: string, own: InterfaceAddress[], ifaceNames?: string[]): Route[] {
  const parsed = asList(n).map((item) => {
    const text = asString(item, what).trim();
    const words = text.split(/\s+/);
    let dst = words.shift() ?? '';
    if (dst === 'default') dst = '0.0.0.0/0';
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(dst);
    if (!cidr || !ipaddr.IPv4.isValidFourPartDecimal(cidr[1]) || Number(cidr[2]) > 32) {
      fail(`${what}: the destination is not a network`, item.line, { token: dst, expected: 'CIDR like 0.0.0.0/0 or "default"' });
    }
    const route: Route = { dst: `${networkOf(cidr[1], Number(cidr[2]))}/${cidr[2]}`, text };
    while (words.length) {
      const w = words.shift() as string;
      const arg = words.shift();
      if (w === 'via' || w === 'gateway') {
        if (!arg) fail(`${what}: "via" needs an address`, item.line, { token: text, expected: 'via ADDRESS' });
        route.via = parseIp(arg, item.line, `${what} gateway`);
        if (own.some((a) => a.address === route.via)) {
          fail(`${what}: the gateway ${route.via} is this node's own address (the kernel refuses it: "Nexthop has invalid gateway")`, item.line, { token: route.via, expected: 'the address of another node on a connected subnet' });
        }

      } else if (w === 'dev') {
        if (!arg) fail(`${what}: "dev" needs an interface`, item.line, { token: text, expected: 'dev INTERFACE' });
        if (ifaceNames && !ifaceNames.includes(arg)) {
          fail(`${what}: no router interface "${arg}"`, item.line, { token: arg, expected: ifaceNames.join(', '), suggestion: suggest(arg, ifaceNames) });
        }
        route.dev = arg;
      } else {
        fail(`${what}: unknown route word`, item.line, { token: w, expected: '"via ADDRESS" or "dev INTERFACE"', suggestion: suggest(w, ['via', 'dev']) });
      }
    }
    if (!route.via && !route.dev) fail(`${what}: a route needs "via" or "dev"`, item.line, { token: text, expected: 'NETWORK via ADDRESS' });
    return { route, line: item.line };
  });
  // A gateway must be on link: in a connected subnet, or covered by a device route of the list.
  const onLink = parsed.filter((p) => p.route.dev && !p.route.via).map((p) => p.route.dst);
  for (const { route, line } of parsed) {
    if (!route.via) continue;
    const covered = onLink.some((net) => { const [a, pfx] = net.split('/'); return inSubnet(route.via as string, { address: a, prefix: Number(pfx), network: a }); });
    if (!covered && !own.some((a) => inSubnet(route.via as string, a))) {
      fail(`${what}: the gateway ${route.via} is not on a connected subnet`, line, { token: route.via, expected: `an address in ${[...own.map((a) => `${a.network}/${a.prefix}`), ...onLink].join(', ')}, or a "dev" route to it` });
    }
  }
  return parsed.map((p) => p.route);
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;

function buildRouter(n: RawNode): RouterSpec {
  const map = asMap(n, 'router');
  checkKeys(map, ROUTER_KEYS, 'router');
  if (!map.interfaces) fail('router needs "interfaces"', n.line, { token: 'router', expected: 'interfaces: { ether1: { address: ... } }' });
  const ifMap = asMap(map.interfaces, 'router.interfaces');
  const interfaces: RouterInterface[] = [];
  for (const [name, node] of Object.entries(ifMap)) {
    if (!NAME_RE.test(name) || name.length > 15) {
      fail(`interface name "${name}" is not usable`, node.line, { token: name, expected: 'a name of up to 15 letters, digits, "-", "_" or "."' });
    }
    let addrNode: RawNode | undefined;
    let label: string | undefined;
    if (typeof node.value === 'string') {
      addrNode = node;
    } else {
      const im = asMap(node, `interface ${name}`);
      checkKeys(im, IFACE_KEYS, `interface ${name}`);
      addrNode = im.address;
      if (im.label) label = asString(im.label, 'label');
    }
    if (!addrNode || addrNode.value === null) fail(`interface ${name} needs an address`, node.line, { token: name, expected: 'address: 192.0.2.1/24' });
    const addresses = asList(addrNode).map((a) => parseCidrAddress(a, `address of ${name}`));
    interfaces.push({ name, addresses, label, line: node.line });
  }
  if (!interfaces.length) fail('router needs at least one interface', map.interfaces.line, { expected: 'interfaces: { ether1: { address: ... } }' });
  const names = interfaces.map((i) => i.name);

  const interfaceLists: Record<string, string[]> = dict<string[]>();
  if (map.interface_lists) {
    for (const [list, node] of Object.entries(asMap(map.interface_lists, 'router.interface_lists'))) {
      interfaceLists[list] = asList(node).map((m) => {
        const member = asString(m, `interface list ${list}`);
        if (!names.includes(member)) {
          fail(`interface list ${list}: no router interface "${member}"`, m.line, { token: member, expected: names.join(', '), suggestion: suggest(member, names) });
        }
        return member;
      });
    }
  }
  const routes = map.routes ? parseRoutes(map.routes, 'router route', interfaces.flatMap((i) => i.addresses), names) : [];
  const listen = map.listen ? parseListen(map.listen, 'router listen') : [];
  const name = map.name ? asString(map.name, 'router.name') : 'router';
  const spec: RouterSpec = { name, label: map.label ? asString(map.label, 'router.label') : undefined, interfaces, interfaceLists, routes, listen };
  // Linux and RouterOS send ICMP redirects by default (send_redirects=1, send-redirects=yes).
  if (map.send_redirects) {
    const v = map.send_redirects.value;
    if (typeof v !== 'boolean') fail('router.send_redirects must be true or false', map.send_redirects.line, { token: String(v), expected: 'true or false' });
    spec.sendRedirects = v;
  }
  return spec;
}

function buildHosts(n: RawNode | undefined, router: RouterSpec): HostSpec[] {
  if (!n || n.value === null) return [];
  const map = asMap(n, 'hosts');
  const names = router.interfaces.map((i) => i.name);
  const hosts: HostSpec[] = [];
  for (const [name, node] of Object.entries(map)) {
    if (!NAME_RE.test(name)) fail(`host name "${name}" is not usable`, node.line, { token: name, expected: 'letters, digits, "-", "_" or "."' });
    if (name === 'router' || name === router.name) fail(`host name "${name}" is taken by the router`, node.line, { token: name, expected: 'another name' });
    const hm = asMap(node, `host ${name}`);
    checkKeys(hm, HOST_KEYS, `host ${name}`);
    if (!hm.interface) fail(`host ${name} needs "interface" (the router interface whose segment it is on)`, node.line, { token: name, expected: `interface: ${names[0]}` });
    const iface = asString(hm.interface, 'interface');
    const rif = router.interfaces.find((i) => i.name === iface);
    if (!rif) fail(`host ${name}: no router interface "${iface}"`, hm.interface.line, { token: iface, expected: names.join(', '), suggestion: suggest(iface, names) });
    if (!hm.address) fail(`host ${name} needs an address`, node.line, { token: name, expected: 'address: 10.0.0.2/24' });
    const addresses = asList(hm.address).map((a) => {
      // A bare address takes the prefix of the router's subnet it lies in.
      const txt = asString(a, `address of ${name}`);
      const within = rif.addresses.find((ra) => !txt.includes('/') && ipaddr.IPv4.isValidFourPartDecimal(txt) && inSubnet(txt, ra));
      return parseCidrAddress(a, `address of ${name}`, within?.prefix);
    });
    let gateway: string | undefined;
    if (hm.gateway && hm.gateway.value !== null) {
      gateway = parseIp(asString(hm.gateway, 'gateway'), hm.gateway.line, `gateway of ${name}`);
      if (addresses.some((a) => a.address === gateway)) {
        fail(`host ${name}: gateway ${gateway} is its own address`, hm.gateway.line, { token: gateway, expected: 'the router\'s (or another node\'s) address on its subnet' });
      }
      if (!addresses.some((a) => inSubnet(gateway as string, a))) {
        fail(`host ${name}: gateway ${gateway} is not in any of its subnets`, hm.gateway.line, {
          token: gateway, expected: `an address in ${addresses.map((a) => `${a.network}/${a.prefix}`).join(', ')}`,
        });
      }
    }
    const routes = hm.routes ? parseRoutes(hm.routes, `route of ${name}`, addresses) : [];
    for (const r of routes) {
      if (r.dev) fail(`host ${name}: host routes take "via", not "dev"`, hm.routes.line, { token: r.text, expected: 'NETWORK via ADDRESS' });
    }
    const listen = hm.listen ? parseListen(hm.listen, `listen of ${name}`) : [];
    hosts.push({ name, label: hm.label ? asString(hm.label, 'label') : undefined, interface: iface, addresses, gateway, routes, listen, line: node.line });
  }
  // Two machines with one address make the kernel's answer depend on ARP races.
  const seen = new Map<string, string>();
  for (const i of router.interfaces) for (const a of i.addresses) seen.set(a.address, 'the router');
  for (const h of hosts) {
    for (const a of h.addresses) {
      const other = seen.get(a.address);
      if (other) fail(`host ${h.name}: address ${a.address} is already used by ${other}`, h.line, { token: a.address, expected: 'a unique address' });
      seen.set(a.address, `host ${h.name}`);
    }
  }
  return hosts;
}

/** "pc -> 203.0.113.22:5000", "pc -> 203.0.113.22:5353/udp", "pc -> web:5000". */
const SHORTHAND_RE = /^\s*([^\s>-][^\s]*)\s*->\s*([^\s:/]+):(\d+)(?:\/(tcp|udp))?\s*$/i;

function resolveTarget(host: string, line: number, scenarioHosts: HostSpec[], router: RouterSpec): string {
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return ipaddr.IPv4.parse(host).toString();
  const h = scenarioHosts.find((x) => x.name === host);
  if (h) return h.addresses[0].address;
  if (host === 'router' || host === router.name) return router.interfaces[0].addresses[0].address;
  const names = scenarioHosts.map((x) => x.name);
  fail(`trace: "${host}" is neither an IPv4 address nor a host`, line, { token: host, expected: 'an address or a host name', suggestion: suggest(host, names) });
}

function buildTrace(n: RawNode | undefined, hosts: HostSpec[], router: RouterSpec, sportDefault: number): TraceSpec {
  if (!n || n.value === null) fail('the scenario needs a "trace" (which connection to follow)', undefined, { expected: 'trace: pc -> 203.0.113.22:5000' });
  let from: string; let toHost: string; let toPort: number; let proto: 'tcp' | 'udp' = 'tcp'; let sport = sportDefault;
  let line = n.line;
  if (typeof n.value === 'string') {
    const m = SHORTHAND_RE.exec(n.value);
    if (!m) fail('trace: not a connection', n.line, { token: n.value, expected: 'HOST -> ADDRESS:PORT[/udp], e.g. pc -> 203.0.113.22:5000' });
    from = m[1]; toHost = m[2]; toPort = Number(m[3]);
    if (m[4]) proto = m[4].toLowerCase() as 'tcp' | 'udp';
  } else {
    const tm = asMap(n, 'trace');
    checkKeys(tm, TRACE_KEYS, 'trace');
    if (!tm.from) fail('trace needs "from" (a host name)', n.line, { token: 'trace', expected: 'from: pc' });
    if (!tm.to) fail('trace needs "to" (ADDRESS:PORT)', n.line, { token: 'trace', expected: 'to: "203.0.113.22:5000"' });
    from = asString(tm.from, 'trace.from');
    const toText = asString(tm.to, 'trace.to');
    const m = /^([^\s:/]+):(\d+)$/.exec(toText.trim());
    if (!m) fail('trace.to is not ADDRESS:PORT', tm.to.line, { token: toText, expected: 'ADDRESS:PORT like 203.0.113.22:5000' });
    toHost = m[1]; toPort = Number(m[2]); line = tm.to.line;
    if (tm.proto) {
      const p = asString(tm.proto, 'trace.proto').toLowerCase();
      if (p !== 'tcp' && p !== 'udp') fail('trace.proto must be tcp or udp', tm.proto.line, { token: p, expected: 'tcp or udp' });
      proto = p;
    }
    if (tm.sport) {
      sport = Number(tm.sport.value);
      if (!Number.isInteger(sport) || sport < 1 || sport > 65535) fail('trace.sport is not a port', tm.sport.line, { token: shortToken(tm.sport), expected: 'a port from 1 to 65535' });
    }
  }
  if (toPort < 1 || toPort > 65535) fail('trace: port out of range', line, { token: String(toPort), expected: 'a port from 1 to 65535' });
  const names = hosts.map((h) => h.name);
  if (from !== 'router' && from !== router.name && !names.includes(from)) {
    fail(`trace: no host "${from}"`, line, { token: from, expected: names.length ? names.join(', ') : 'a host from "hosts"', suggestion: suggest(from, [...names, 'router']) });
  }
  if (from === router.name) from = 'router';
  return { from, to: { ip: resolveTarget(toHost, line, hosts, router), port: toPort }, proto, sport };
}

function buildRules(map: RawMap): RuleText {
  const given = DIALECT_KEYS.filter((k) => map[k]);
  if (given.length > 1) {
    const second = map[given[1]] as RawNode;
    if (given.length === 2 && given.includes('routeros') && given.includes('iptables')) fail('give the rules once: either "routeros" or "iptables", not both', second.line, { token: 'iptables', expected: 'one of routeros, iptables' });
    fail(`give the rules once: one of "routeros", "iptables" or "nftables", not ${given.join(' and ')}`, second.line, { token: given[1], expected: 'one of routeros, iptables, nftables' });
  }
  const dialect = given[0];
  if (!dialect) return { dialect: 'iptables', text: '', line: 1 };
  const node = map[dialect] as RawNode;
  const text = node.value === null ? '' : asString(node, dialect);
  return { dialect, text, line: node.contentLine ?? node.line };
}

/** Validate a raw map into a Scenario. */
export function buildScenario(map: RawMap, opts: ParseOptions = {}): Scenario {
  try {
    checkKeys(map, TOP_KEYS, 'the scenario');
    if (!map.router) fail('the scenario needs a "router"', undefined, { expected: 'router: { interfaces: ... }' });
    const router = buildRouter(map.router);
    const hosts = buildHosts(map.hosts, router);
    const trace = buildTrace(map.trace, hosts, router, opts.sport ?? DEFAULT_SPORT);
    const rules = buildRules(map);
    const scenario: Scenario = { router, hosts, rules, trace };
    if (map.title) scenario.title = asString(map.title, 'title');
    if (opts.file) scenario.file = opts.file;
    return scenario;
  } catch (e) {
    if (e instanceof NatTraceError && opts.file && !e.file) e.file = opts.file;
    throw e;
  }
}

/** YAML text (plus an optional `from:` base) -> Scenario. */
export function parseScenario(text: string, opts: ParseOptions = {}): Scenario {
  let map = parseScenarioRaw(text, opts);
  if (opts.base) {
    const base = isRawMapNode(opts.base) ? (opts.base as RawMap) : (rawFromPlain(opts.base).value as RawMap);
    map = mergeRaw(base, map);
  }
  return buildScenario(map, opts);
}

function isRawMapNode(v: object): boolean {
  const first = Object.values(v)[0] as unknown;
  return first !== undefined && typeof first === 'object' && first !== null && 'line' in (first as object) && 'value' in (first as object);
}
