/**
 * The three whole-trace views: the rule table (chain, matchers, action,
 * comment, in the rules' own dialect, the rules that acted marked), the
 * sequence ladder (every packet on its wire, direct LAN packets drawn so they
 * visibly pass the router by), and the summary (outcome, what the server saw,
 * the conntrack entry).
 */
import type { SimResult } from '../index';
import type { Story } from '../story';
import type { Rule, Chain } from '../rules/model';
import { BUILTIN_CHAINS, HOOKS } from '../rules/model';
import { t, Lang } from '../story/i18n';
import { packetText, nodeName, ruleName } from '../story/caption';
import { canvas, innerMarkup } from './dom';
import { textWidth, wrapText, fitText, linesWidth } from './fonts';
import { svgShell } from './theme';
import { drawMark, markWidth } from './step';

const r1 = (n: number): number => Math.round(n * 10) / 10;
type El = { node: Element };

// --- rule table ---------------------------------------------------------------

interface Cols { chain: string; matchers: string; action: string; comment: string }

/** Split a rule's own text into the table's columns, keeping its syntax. */
export function ruleColumns(r: Rule): Cols {
  const text = r.source.text;
  if (r.source.dialect === 'routeros') {
    const toks = text.match(/[^\s=]+="(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    const m: string[] = []; const a: string[] = []; let comment = ''; let chain = r.source.chainDisplay;
    for (const tok of toks) {
      const k = tok.split('=')[0];
      if (tok === 'add' || tok.startsWith('/')) continue;
      if (k === 'chain') chain = tok.slice(6);
      else if (k === 'comment') comment = tok.slice(8).replace(/^"|"$/g, '');
      else if (/^(action|to-addresses|to-ports|reject-with|jump-target|log-prefix|passthrough|address-list|address-list-timeout)$/.test(k)) a.push(tok);
      else m.push(tok);
    }
    return { chain, matchers: m.join(' '), action: a.join(' '), comment };
  }
  if (r.source.dialect === 'nftables') return nftColumns(r);
  const toks = text.match(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? [];
  const m: string[] = []; const a: string[] = []; let comment = ''; let chain = r.chain; let inAction = false;
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if ((tok === '-A' || tok === '--append' || tok === '-I') && i + 1 < toks.length) { chain = toks[++i]; continue; }
    if (tok === '-t' && i + 1 < toks.length) { i++; continue; }
    if (tok === '-m' && toks[i + 1] === 'comment') { i++; continue; }
    if (tok === '--comment' && i + 1 < toks.length) { comment = toks[++i].replace(/^["']|["']$/g, ''); continue; }
    if (tok === '-j' || tok === '-g' || tok === '--jump') inAction = true;
    (inAction ? a : m).push(tok);
  }
  return { chain, matchers: m.join(' '), action: a.join(' '), comment };
}

/** Words that start an nft statement: the action column begins at the first (a verdict map at `vmap`). */
const NFT_ACTIONS = new Set(['accept', 'drop', 'reject', 'return', 'continue', 'jump', 'goto', 'counter', 'log', 'notrack', 'dnat', 'snat', 'masquerade', 'redirect', 'vmap']);

/** An nft rule as written: matches, then statements, and its `comment "..."`. */
function nftColumns(r: Rule): Cols {
  const toks = r.source.text.match(/"(?:[^"\\]|\\.)*"|\{[^}]*\}|\S+/g) ?? [];
  const m: string[] = []; const a: string[] = []; let comment = ''; let inAction = false;
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok === 'comment' && i + 1 < toks.length && toks[i + 1].startsWith('"')) { comment = toks[++i].replace(/^"|"$/g, ''); continue; }
    if (NFT_ACTIONS.has(tok)) inAction = true;
    (inAction ? a : m).push(tok);
  }
  return { chain: r.source.chainDisplay, matchers: m.join(' '), action: a.join(' '), comment };
}

/** nft: base chains hook by hook in the order the kernel runs them, then the regular chains. */
function nftChains(sim: SimResult): Chain[] {
  const out: Chain[] = [];
  const shown = (c: Chain) => c.rules.length > 0 || (c.policy !== undefined && c.policy !== 'ACCEPT');
  for (const hook of HOOKS) for (const c of sim.ruleset.hooks?.[hook] ?? []) if (shown(c) && !out.includes(c)) out.push(c);
  for (const chains of Object.values(sim.ruleset.tables)) for (const c of Object.values(chains)) if (!c.base && shown(c)) out.push(c);
  return out;
}

/** The heading of a chain in the rule table. */
function chainHeading(L: Lang, sim: SimResult, c: Chain): string {
  const disp = c.displayName ?? c.name;
  if (sim.ruleset.dialect === 'nftables') {
    const pol = c.base ? ` · ${t(L, 'figure.policy', { policy: (c.policy ?? 'ACCEPT').toLowerCase() })}` : '';
    return `table ${c.table} · chain ${disp}${c.declared ? ` · ${c.declared}` : ''}${pol}`;
  }
  return `${c.table} · ${disp}${c.policy ? ` · ${t(L, 'figure.policy', { policy: c.policy })}` : ''}`;
}

function orderedChains(sim: SimResult): Chain[] {
  if (sim.ruleset.dialect === 'nftables') return nftChains(sim);
  const out: Chain[] = [];
  // The raw table first: its chains run before conntrack, ahead of everything else.
  for (const table of ['raw', 'filter', 'nat'] as const) {
    const chains = sim.ruleset.tables[table] ?? {};
    const hooks = BUILTIN_CHAINS[table] as string[];
    const names = Object.keys(chains).sort((a, b) => {
      const ia = hooks.indexOf(a); const ib = hooks.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
    });
    for (const n of names) {
      const c = chains[n];
      if (c.rules.length || (c.policy && c.policy !== 'ACCEPT')) out.push(c);
    }
  }
  return out;
}

/** Rules to mark as new (show:explain: the proposed fix), by their text, and the table's own title. */
export interface RulesMark { added: string[]; title?: string }

export function renderRules(sim: SimResult, L: Lang, theme: string | undefined, mark?: RulesMark): { svg: string; id: string; title: string; desc: string; lines: string[] } {
  const acted = new Map<string, string>();
  for (const e of sim.trace.steps) {
    if ((e.kind === 'chain' || e.kind === 'drop') && e.rule) acted.set(`${e.rule.table}|${e.rule.chain}|${e.rule.number}`, e.verdict ?? 'DROP');
  }
  const chains = orderedChains(sim);
  const heads = [t(L, 'figure.chain'), t(L, 'figure.matchers'), t(L, 'figure.action'), t(L, 'figure.comment')];
  interface Row { chainHead?: string; cols?: Cols; n?: string; acted?: string; off?: boolean; isNew?: boolean }
  const added = new Set((mark?.added ?? []).map((l) => l.trim()));
  const rows: Row[] = [];
  // RouterOS keeps disabled rules in place (print shows them with X): so does the table.
  const disabled = [...((sim.ruleset as { disabled?: Rule[] }).disabled ?? [])];
  const takeDisabled = (table: string, disp: string): Rule[] => {
    const mine = disabled.filter((r) => r.table === table && r.source.chainDisplay === disp);
    for (const r of mine) disabled.splice(disabled.indexOf(r), 1);
    return mine;
  };
  const ruleRow = (r: Rule, off: boolean): Row => {
    const key = `${r.table}|${r.source.chainDisplay}|${r.source.number}`;
    const n = sim.ruleset.dialect === 'routeros' && r.source.rosNumber !== undefined ? String(r.source.rosNumber) : String(r.source.number);
    if (!off) return { cols: ruleColumns(r), n, acted: acted.get(key), isNew: added.has(r.source.text.trim()) };
    const cols = ruleColumns(r);
    return { cols: { ...cols, action: `${cols.action} (${t(L, 'figure.disabled')})` }, n: `${n} X`, off: true };
  };
  // RouterOS dstnat is both nat PREROUTING and OUTPUT: show its rules once.
  const seen = new Set<string>();
  for (const c of chains) {
    const disp = c.displayName ?? c.name;
    const keys = c.rules.map((r) => `${r.table}|${r.source.line}|${r.source.text}`);
    if (keys.length && keys.every((k) => seen.has(k))) continue;
    keys.forEach((k) => seen.add(k));
    rows.push({ chainHead: chainHeading(L, sim, c) });
    const byNumber = (r: Rule) => r.source.rosNumber ?? r.source.number;
    const all = [...c.rules.map((r) => ({ r, off: false })), ...takeDisabled(c.table, disp).map((r) => ({ r, off: true }))]
      .sort((a, b) => byNumber(a.r) - byNumber(b.r));
    all.forEach(({ r, off }) => rows.push(ruleRow(r, off)));
    const pol = acted.get(`${c.table}|${disp}|0`);
    const policyText = sim.ruleset.dialect === 'nftables' ? (c.policy ?? 'ACCEPT').toLowerCase() : c.policy ?? 'ACCEPT';
    if (pol) rows.push({ cols: { chain: disp, matchers: '', action: t(L, 'figure.policy', { policy: policyText }), comment: '' }, n: '', acted: pol });
  }
  // Chains that hold only disabled rules.
  while (disabled.length) {
    const first = disabled[0];
    const disp = first.source.chainDisplay;
    rows.push({ chainHead: `${first.table} · ${disp}` });
    takeDisabled(first.table, disp).forEach((r) => rows.push(ruleRow(r, true)));
  }
  // Column widths from the measured text; matchers wrap past a limit.
  const maxW = [160, 330, 260, 180];
  const colW = heads.map((h, i) => Math.min(maxW[i], Math.max(textWidth(h, 11, true), ...rows.filter((r) => r.cols).map((r) => textWidth([r.cols!.chain, r.cols!.matchers, r.cols!.action, r.cols!.comment][i], 13, i === 2))) + 14));
  const numW = Math.max(24, ...rows.filter((r) => r.n).map((r) => textWidth(r.n!, 13) + 14));
  const actW = Math.max(textWidth(t(L, 'figure.acted'), 11, true), mark ? textWidth(t(L, 'explain.new'), 11, true) : 0) + 28;
  const title = mark?.title ?? t(L, 'figure.rules');
  const headW = Math.max(0, ...rows.filter((r) => r.chainHead).map((r) => textWidth(r.chainHead as string, 13, true) + 32));
  const width = Math.max(16 + numW + colW.reduce((a, b) => a + b, 0) + actW + 16, textWidth(title, 14, true) + 32, headW);
  const d = canvas();
  d.plain(title).attr({ x: 16, y: 25 }).addClass('t');
  let y = 44;
  const xs: number[] = [];
  let x = 16 + numW;
  for (const w of colW) { xs.push(x); x += w; }
  heads.forEach((h, i) => d.plain(h).attr({ x: r1(xs[i]), y: y + 12 }).addClass('s b mu'));
  y += 20;
  const lines: string[] = [];
  if (!rows.length) { d.plain(t(L, 'figure.no-rules')).attr({ x: 16, y: y + 16 }).addClass('mu'); y += 26; }
  for (const r of rows) {
    if (r.chainHead) {
      d.line(16, y + 2, r1(width - 16), y + 2).addClass('gl');
      d.plain(r.chainHead).attr({ x: 16, y: y + 20 }).addClass('b');
      lines.push(r.chainHead);
      y += 28;
      continue;
    }
    const c = r.cols!;
    const cells = [c.chain, c.matchers, c.action, c.comment].map((v, i) => wrapText(v, 13, colW[i] - 12, i === 2));
    const h = Math.max(...cells.map((l) => l.length)) * 16 + 8;
    const g = d.group();
    if (r.acted || r.isNew) g.rect(r1(width - 32), h).attr({ x: 16, y: r1(y), 'data-box': 1 }).addClass('rh');
    // data-w: the width of the text's cell (checked in a browser by test/browser).
    g.plain(r.n ?? '').attr({ x: 20, y: r1(y + 16), 'data-w': numW - 6 }).addClass('mu');
    cells.forEach((ls, i) => ls.forEach((ln, j) => g.plain(ln).attr({ x: r1(xs[i]), y: r1(y + 16 + j * 16), 'data-w': colW[i] - 6 }).addClass(i === 3 || r.off ? 'mu' : i === 2 ? 'b' : '')));
    // A proposed rule is marked new (it also acted, by construction); other rules keep the acted mark.
    if (r.isNew) g.plain(`◀ ${t(L, 'explain.new')}`).attr({ x: r1(width - 20), y: r1(y + 16) }).addClass('s b rw e');
    else if (r.acted) g.plain(`◀ ${t(L, 'figure.acted')}`).attr({ x: r1(width - 20), y: r1(y + 16) }).addClass('s b rw e');
    lines.push(`${r.n ? `${r.n}. ` : ''}${c.chain}: ${c.matchers} ${c.action}${c.comment ? ` (${c.comment})` : ''}${r.isNew ? ` [${t(L, 'explain.new')}]` : r.acted ? ` [${t(L, 'figure.acted')}: ${r.acted}]` : ''}`);
    y += h + 2;
  }
  const desc = t(L, 'figure.rules-desc');
  const { svg, id } = svgShell({ kind: 'rules', content: innerMarkup(d as unknown as El), width, height: y + 12, title, desc, theme });
  return { svg, id, title, desc, lines };
}

// --- sequence ladder -------------------------------------------------------------

export function renderSequence(sim: SimResult, story: Story, L: Lang, theme: string | undefined): { svg: string; id: string; title: string; desc: string; lines: string[] } {
  const lanes: string[] = [story.client];
  const add = (n?: string): void => { if (n && !lanes.includes(n)) lanes.push(n); };
  add('router');
  for (const s of story.steps) { add(s.link?.from); add(s.link?.to); }
  const label = (s: (typeof story.steps)[number]): string => packetText(L, s.packet);
  const laneIdx = new Map(lanes.map((l, i) => [l, i]));
  let gap = 150;
  for (const s of story.steps) {
    if (!s.link?.to) continue;
    const span = Math.abs((laneIdx.get(s.link.from) ?? 0) - (laneIdx.get(s.link.to) ?? 0)) || 1;
    gap = Math.max(gap, (textWidth(label(s), 11) + 30) / span);
  }
  const names = lanes.map((n) => nodeName(L, sim, n));
  // Long names wrap in their lane's box (two lines, then an ellipsis and a tooltip).
  const fitted = names.map((n) => fitText(n, 13, 200, true));
  const nameW = Math.max(...fitted.map((f) => linesWidth(f.lines, 13, true) + 20));
  const laneH = 26 + 15 * (Math.max(...fitted.map((f) => f.lines.length)) - 1);
  gap = Math.max(gap, nameW + 10);
  // A mark sits beyond the arrow's tip: room for it outside the first and last lanes.
  const markRoom = Math.max(0, ...story.steps.filter((s) => s.kind === 'hop' && s.mark && s.mark !== 'ok' && s.markAt).map((s) => markWidth(L, s.mark as string) + 10));
  const x0 = 16 + Math.max(Math.max(nameW, 120) / 2, markRoom);
  const laneX = lanes.map((_, i) => x0 + i * gap);
  const noteW = Math.max(220, ...story.steps.filter((s) => s.kind !== 'hop').map((s) => textWidth(`${s.index}. ${s.title}`, 11, true) + 24));
  const width = laneX[laneX.length - 1] + Math.max(Math.max(nameW, noteW) / 2, markRoom) + 16;
  const title = t(L, 'figure.sequence');
  const d = canvas();
  // Drawn in the order they are written: the lifelines (under everything), the lanes, the rows, the title.
  const life = d.group();
  const top = 44;
  lanes.forEach((n, i) => {
    const lg = d.group();
    lg.rect(r1(nameW), laneH).attr({ x: r1(laneX[i] - nameW / 2), y: top, rx: n === 'router' ? 8 : 4, 'data-box': 1 }).addClass(n === 'router' ? 'rt' : 'nd');
    const f = fitted[i];
    const y0 = top + 18 + (laneH - 26 - 15 * (f.lines.length - 1)) / 2;
    f.lines.forEach((ln, j) => lg.plain(ln).attr({ x: r1(laneX[i]), y: r1(y0 + 15 * j) }).addClass('b m'));
    if (f.cut) lg.element('title').words(names[i]);
  });
  let y = top + laneH + 24;
  const rowsG = d.group();
  const gaps: Array<[number, number]> = [];
  const lines: string[] = [];
  for (const s of story.steps) {
    if (s.kind === 'hop' && s.link?.to) {
      const a = laneX[laneIdx.get(s.link.from) ?? 0];
      const b = laneX[laneIdx.get(s.link.to) ?? 0];
      const dir = Math.sign(b - a) || 1;
      const direct = s.link.via === 'direct';
      const ly = y;
      rowsG.plain(`${s.index}. ${label(s)}`).attr({ x: r1((a + b) / 2), y: r1(y - 6) }).addClass('s m');
      rowsG.line(r1(a), r1(y), r1(b - dir * 9), r1(y)).addClass(direct ? 'pk da' : 'pk');
      rowsG.polygon([[r1(b), r1(y)], [r1(b - dir * 12), r1(y - 6)], [r1(b - dir * 12), r1(y + 6)]].flat()).addClass('ah');
      if (direct) {
        // Lanes the direct packet passes over get a gap: it does not go through them.
        for (let i = Math.min(laneIdx.get(s.link.from)!, laneIdx.get(s.link.to)!) + 1; i < Math.max(laneIdx.get(s.link.from)!, laneIdx.get(s.link.to)!); i++) gaps.push([laneX[i], y]);
        rowsG.plain(`${t(L, 'figure.direct')} (${s.link.iface})`).attr({ x: r1((a + b) / 2), y: r1(y + 14) }).addClass('s mu m');
        y += 10;
      }
      // The mark beyond the tip, on the line: not over the arrowhead.
      if (s.mark && s.mark !== 'ok' && s.markAt) drawMark(rowsG, L, s.mark, b + dir * (markWidth(L, s.mark) / 2 + 6), ly + 3.5);
      lines.push(`${s.index}. ${names[laneIdx.get(s.link.from) ?? 0]} → ${names[laneIdx.get(s.link.to) ?? 0]}: ${label(s)}${direct ? ` (${t(L, 'figure.direct')})` : ''}`);
      y += 40;
    } else {
      const lane = laneX[laneIdx.get(s.kind === 'outcome' ? story.client : s.node) ?? 0];
      const text = s.kind === 'outcome' ? `${s.index}. ${s.title}` : `${s.index}. ${s.title}`;
      const sub = s.kind === 'rewrite' ? s.rewrites.map((r) => `${r.field} ${r.old} → ${r.new}`).join(', ')
        : s.kind === 'drop' ? (s.rule ? ruleName(L, sim, s.rule) : s.drop?.reason ?? '')
          : s.outcome?.retransmits ? t(L, 'figure.retransmit', { n: s.outcome.retransmits + 1 }) : (s.outcome?.errno ?? '');
      const w = Math.max(textWidth(text, 11, true), textWidth(sub, 11)) + 16;
      // Notes stay inside the figure even on the first or last lane.
      const cx = Math.min(Math.max(lane, 8 + w / 2), width - 8 - w / 2);
      const ng = rowsG.group();
      ng.rect(r1(w), 36).attr({ x: r1(cx - w / 2), y: r1(y - 16), rx: 4, 'data-box': 1 }).addClass('cd');
      ng.plain(text).attr({ x: r1(cx), y: r1(y - 1) }).addClass('s b m');
      ng.plain(sub).attr({ x: r1(cx), y: r1(y + 14) }).addClass('s m');
      // On the note's top right corner, clear of its first line.
      if (s.mark && s.mark !== 'ok') drawMark(rowsG, L, s.mark, cx + w / 2, y - 19, s.outcome ? t(L, `outcome.${s.outcome.outcome}`) : undefined);
      lines.push(`${text}${sub ? `: ${sub}` : ''}`);
      y += 50;
    }
  }
  laneX.forEach((x) => life.line(r1(x), top + laneH, r1(x), r1(y - 10)).addClass('ln'));
  // The gap spans the packet's label above the line and the "direct" note below it.
  for (const [gx, gy] of gaps) life.rect(10, 36).attr({ x: r1(gx - 5), y: r1(gy - 17) }).addClass('bg');
  d.plain(title).attr({ x: 16, y: 25 }).addClass('t');
  const desc = t(L, 'figure.sequence-desc', { nodes: names.join(', ') });
  const { svg, id } = svgShell({ kind: 'sequence', content: innerMarkup(d as unknown as El), width, height: y, title, desc, theme });
  return { svg, id, title, desc, lines };
}

// --- summary --------------------------------------------------------------------------

export function renderSummary(sim: SimResult, story: Story, L: Lang, theme: string | undefined): { svg: string; id: string; title: string; desc: string; lines: string[] } {
  const tr = sim.trace;
  const last = story.steps[story.steps.length - 1];
  const o = last.outcome!;
  const rows: Array<[string, string[]]> = [
    [t(L, 'figure.outcome'), [`${t(L, `outcome.${tr.outcome}`)}${o.errno ? ` (${o.errno})` : ''}`]],
    [t(L, 'figure.server-saw'), [tr.server_saw ?? t(L, 'figure.nothing')]],
    [t(L, 'figure.conntrack'), tr.conntrack.length ? tr.conntrack : [t(L, 'figure.no-entry')]],
  ];
  const title = `${t(L, 'figure.summary')}: ${nodeName(L, sim, story.client)} → ${sim.scenario.trace.to.ip}:${sim.scenario.trace.to.port}/${sim.scenario.trace.proto}`;
  const keyW = Math.max(...rows.map(([k]) => textWidth(k, 13, true))) + 20;
  // The title ends before the mark at the top right.
  const width = Math.max(560, textWidth(title, 14, true) + 74 + markWidth(L, last.mark ?? 'ok') / 2);
  const valW = width - 32 - keyW;
  const d = canvas();
  d.plain(title).attr({ x: 16, y: 25 }).addClass('t');
  let y = 50;
  const lines: string[] = [];
  for (const [k, vals] of rows) {
    d.plain(k).attr({ x: 16, y: y + 4, 'data-w': keyW - 6 }).addClass('b');
    let yy = y + 4;
    for (const v of vals) {
      for (const ln of wrapText(v, 13, valW)) { d.plain(ln).attr({ x: r1(16 + keyW), y: r1(yy), 'data-w': valW }); yy += 17; }
    }
    lines.push(`${k}: ${vals.join('; ')}`);
    y = yy + 10;
  }
  drawMark(d, L, last.mark ?? 'ok', width - 50, 22);
  const desc = last.caption;
  const { svg, id } = svgShell({ kind: 'summary', content: innerMarkup(d as unknown as El), width, height: y, title, desc, theme });
  return { svg, id, title, desc, lines };
}
