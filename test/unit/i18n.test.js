'use strict';
// Languages: every templates/i18n/*.yml has exactly en.yml's keys with the same
// {placeholders}; resolveLang maps the usual spellings; the hairpin scenario
// renders in zh-CN and ja with no English sentence left, and its text fits the
// figures (measured by fontkit, and checked again in a real browser).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { JSDOM } = require('jsdom');
const { runScenario } = require('../../dist/index');
const { renderFigures, figureHtml } = require('../../dist/render');
const { resolveLang, LANGS, TEMPLATES_DIR } = require('../../dist/story/i18n');
const { textWidth } = require('../../dist/render/fonts');

const I18N = path.join(TEMPLATES_DIR, 'i18n');
const HAIRPIN = path.join(__dirname, '..', '..', 'docs', 'figures', 'hairpin.yml');
const CHROMIUM = process.env.NAT_TRACE_CHROMIUM || '/usr/bin/chromium';

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.set(key, v === null || v === undefined ? '' : String(v));
  }
  return out;
}
const load = (file) => flatten(YAML.parse(fs.readFileSync(path.join(I18N, file), 'utf8')));
const placeholders = (s) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

const en = load('en.yml');
const files = fs.readdirSync(I18N).filter((f) => f.endsWith('.yml'));

/** English wording of en.yml: the literal pieces between placeholders that hold a real word. */
const TECH = new Set(['SYN', 'ACK', 'RST', 'FIN', 'ICMP', 'TCP', 'UDP', 'NAT', 'OK', 'TTL', 'ARP', 'DROP', 'connect()', 'accept()']);
const englishPieces = [...new Set([...en.values()].flatMap((s) => s.split(/\{\w+\}/))
  .map((p) => p.trim().replace(/^[\s.,:;()“”"'’×+→-]+|[\s.,:;()“”"'’×+→-]+$/g, ''))
  .filter((p) => /[a-z]{2,}[^a-z]+[a-z]{2,}/i.test(p) && !TECH.has(p)))];
const wordRe = (p) => new RegExp(`(^|[^A-Za-z])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z])`);

describe('i18n: language files', () => {
  it('en.yml is the reference and is not empty', () => {
    assert.ok(en.size > 100, `en.yml has ${en.size} keys`);
    assert.ok(files.includes('en.yml'));
  });

  for (const file of files.filter((f) => f !== 'en.yml')) {
    describe(file, () => {
      const tr = load(file);
      it('has exactly the keys of en.yml', () => {
        const missing = [...en.keys()].filter((k) => !tr.has(k));
        const extra = [...tr.keys()].filter((k) => !en.has(k));
        assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] });
      });
      it('uses the same {placeholders} as en.yml in every string', () => {
        const diff = [];
        for (const [k, v] of en) {
          if (!tr.has(k)) continue;
          const a = placeholders(v); const b = placeholders(tr.get(k));
          if (a.join() !== b.join()) diff.push(`${k}: en {${a}} vs {${b}}`);
        }
        assert.deepStrictEqual(diff, []);
      });
      it('translates every sentence (a string equal to English is a technical token)', () => {
        const wording = (v) => v.replace(/\{\w+\}/g, ' ').split(/\s+/).filter((w) => !TECH.has(w)).join(' ');
        const same = [...en].filter(([k, v]) => tr.get(k) === v && /[a-z]{3,}/i.test(wording(v)));
        // A name, not a word: the kernel's conntrack.
        const allowed = new Set(['figure.conntrack']);
        assert.deepStrictEqual(same.map(([k]) => k).filter((k) => !allowed.has(k)), []);
      });
    });
  }

  it('every language in LANGS has its file', () => {
    for (const l of LANGS) assert.ok(files.includes(`${l}.yml`), `${l}.yml`);
  });
});

describe('i18n: resolveLang', () => {
  const cases = {
    'zh-CN': ['zh-CN', 'zh-cn', 'zh_CN', 'zh', 'zh-Hans', 'zh-Hans-CN', 'zh-SG'],
    ja: ['ja', 'ja-JP', 'ja_JP', 'JA'],
    'zh-TW': ['zh-TW', 'zh-tw', 'zh-Hant', 'zh-Hant-TW', 'zh-HK'],
    en: ['en', 'en-US', 'fr', '', undefined, 'default'],
  };
  for (const [want, inputs] of Object.entries(cases)) {
    it(`maps ${inputs.map(String).join(', ')} to ${want}`, () => {
      for (const i of inputs) assert.strictEqual(resolveLang(i), want, String(i));
    });
  }
});

describe('i18n: the hairpin scenario in zh-CN and ja', function () {
  this.timeout(60000);
  const sim = runScenario(fs.readFileSync(HAIRPIN, 'utf8'), { file: HAIRPIN });
  const { window } = new JSDOM('');
  const rendered = {};
  const sc = sim.scenario;
  // Words that come from the scenario or the rules, not from the strings: names, rule text, conntrack lines.
  const dataText = [
    sc.title ?? '', sc.router.name, sc.router.label ?? '', ...sc.router.interfaces.flatMap((i) => [i.name, i.label ?? '']),
    ...Object.keys(sc.router.interfaceLists), ...sc.hosts.flatMap((h) => [h.name, h.label ?? '']),
    ...sc.rules.text.split('\n'), ...sim.trace.conntrack,
  ].join(' ');
  const dataWords = new Set(dataText.match(/[A-Za-z][A-Za-z0-9_-]*/g));
  // Technical tokens every language keeps: protocols, flags, errno names, targets, chains, system calls.
  const KEEP = /^(TCP|UDP|ICMP|SYN|ACK|RST|FIN|DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP|ACCEPT|DROP|REJECT|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|connect|accept|socket|filter|nat|dstnat|srcnat|forward|input|output|PREROUTING|POSTROUTING|INPUT|OUTPUT|FORWARD|src|dst|sport|dport|TTL|ARP|OK|nat-trace)$/;

  for (const lang of ['zh-CN', 'ja']) {
    describe(lang, () => {
      const figs = () => {
        if (!rendered[lang]) rendered[lang] = renderFigures(sim, { lang, show: ['steps', 'rules', 'sequence', 'summary'] });
        return rendered[lang];
      };

      it('renders every view and every step, in that language', () => {
        const f = figs();
        const steps = f.filter((x) => x.kind === 'step');
        assert.ok(steps.length >= 4, `${steps.length} steps`);
        assert.deepStrictEqual([...new Set(f.map((x) => x.kind))].sort(), ['rules', 'sequence', 'step', 'summary']);
        const html = figureHtml(f, { mode: 'inline', lang });
        assert.match(html, new RegExp(`lang="${lang}"`));
        // The language's own script is there: Han for Chinese, kana for Japanese.
        const script = lang === 'ja' ? /[\u3040-\u30ff]/ : /[\u4e00-\u9fff]/;
        for (const x of steps) assert.match(x.caption, script, `step ${x.step} caption`);
      });

      it('no English sentence of en.yml is left in captions, alt text, text lists or SVG text', () => {
        const leaks = [];
        for (const f of figs()) {
          const doc = new window.DOMParser().parseFromString(f.svg, 'image/svg+xml');
          const svgText = [...doc.querySelectorAll('title, desc, text')].map((n) => n.textContent);
          const texts = [f.caption, f.alt, ...f.textSteps, ...svgText];
          // Remove the rule text quoted from the scenario before looking for English wording.
          const own = texts.map((s) => sc.rules.text.split('\n').filter(Boolean).reduce((acc, line) => acc.split(line.trim()).join(' '), s));
          for (const s of own) {
            for (const p of englishPieces) if (wordRe(p).test(s)) leaks.push(`${f.kind}${f.step ?? ''}: "${p}" in "${s}"`);
            for (const w of s.match(/[A-Za-z][A-Za-z0-9_-]+/g) ?? []) {
              if (!dataWords.has(w) && !KEEP.test(w)) leaks.push(`${f.kind}${f.step ?? ''}: word "${w}" in "${s}"`);
            }
          }
        }
        assert.deepStrictEqual([...new Set(leaks)], []);
      });

      it('every SVG text line lies inside its figure (fontkit widths)', () => {
        const out = [];
        for (const f of figs()) {
          const doc = new window.DOMParser().parseFromString(f.svg, 'image/svg+xml');
          const W = Number(doc.documentElement.getAttribute('viewBox').split(' ')[2]);
          for (const t of doc.querySelectorAll('text')) {
            const cls = (t.getAttribute('class') ?? '').split(/\s+/);
            const size = cls.includes('t') ? 14 : cls.includes('s') || cls.includes('mt') ? 11 : 13;
            const bold = cls.some((c) => ['t', 'b', 'mt', 'rw'].includes(c));
            const w = textWidth(t.textContent, size, bold);
            const x = Number(t.getAttribute('x'));
            const anchor = cls.includes('m') ? 'middle' : cls.includes('e') ? 'end' : t.getAttribute('text-anchor') ?? 'start';
            const [a, b] = anchor === 'middle' ? [x - w / 2, x + w / 2] : anchor === 'end' ? [x - w, x] : [x, x + w];
            if (a < 0 || b > W) out.push(`${f.kind}${f.step ?? ''}: "${t.textContent}" spans ${a.toFixed(0)}..${b.toFixed(0)} of ${W}`);
          }
        }
        assert.deepStrictEqual(out, []);
      });
    });
  }

  it('kana and Han are measured as a browser draws them, and every text stays inside its figure', async function () {
    // fontkit: Noto Sans TC carries kana and traditional Han; simplified-only Han fall back to one em, their real width.
    for (const s of ['パケット', 'ポートフォワード', '宛先', '数据包', '连接跟踪']) {
      const em = textWidth(s, 100) / 1.04 / 100 / [...s].length;
      assert.ok(em > 0.95 && em <= 1.01, `${s}: ${em.toFixed(3)} em per character`);
    }
    assert.ok(textWidth('ｱｲｳ', 100) < textWidth('アイウ', 100) * 0.6, 'half-width katakana is measured narrower');
    if (!fs.existsSync(CHROMIUM)) this.skip();
    const { chromium } = require('playwright-core');
    const { FONT_STACK } = require('../../dist/render/fonts');
    // Every run of kana and Han in the two language files. (CJK punctuation is left out: browsers
    // may draw two in a row at half width, narrower than measured, which is safe.)
    const runs = [...new Set(['zh-CN.yml', 'ja.yml'].flatMap((f) => [...load(f).values()])
      .flatMap((v) => v.match(/[\u3040-\u30ff\u4e00-\u9fff]{2,}/g) ?? []))];
    assert.ok(runs.length > 100, `${runs.length} CJK runs`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const svgs = ['zh-CN', 'ja'].flatMap((l) => rendered[l] ?? renderFigures(sim, { lang: l, show: ['steps', 'rules', 'sequence', 'summary'] }));
      const probe = runs.flatMap((r) => [[r, 11, false], [r, 13, false], [r, 13, true], [r, 14, true]]);
      // Noto Sans CJK kerns some kana pairs (ラー): drawn plain (no kerning) a run must be exactly as
      // wide as measured; drawn with kerning, never wider.
      await page.setContent(`<!DOCTYPE html><html><body>${svgs.map((f) => f.svg).join('\n')}</body></html>`);
      const res = await page.evaluate(({ probe, stack }) => {
        const NS = 'http://www.w3.org/2000/svg';
        const out = { texts: [], runs: [] };
        for (const svg of document.querySelectorAll('svg')) {
          const W = svg.viewBox.baseVal.width;
          for (const t of svg.querySelectorAll('text')) {
            const bb = t.getBBox();
            out.texts.push({ text: t.textContent, left: bb.x, right: bb.x + bb.width, W });
          }
        }
        const test = document.createElementNS(NS, 'svg');
        document.body.appendChild(test);
        for (const [text, size, bold] of probe) {
          const w = {};
          for (const kerning of ['normal', 'none']) {
            const t = document.createElementNS(NS, 'text');
            t.setAttribute('style', `font-family:${stack};font-size:${size}px;font-weight:${bold ? 700 : 400};font-kerning:${kerning}`);
            t.textContent = text;
            test.appendChild(t);
            w[kerning] = t.getComputedTextLength();
          }
          out.runs.push({ text, size, bold, drawn: w.normal, plain: w.none });
        }
        return out;
      }, { probe, stack: FONT_STACK });
      assert.ok(res.texts.length > 100, `${res.texts.length} text elements`);
      const bad = [];
      for (const t of res.texts) {
        if (t.left < -0.5 || t.right > t.W + 0.5) bad.push(`"${t.text}": ${t.left.toFixed(0)}..${t.right.toFixed(0)} outside 0..${t.W}`);
      }
      for (const r of res.runs) {
        const measured = textWidth(r.text, r.size, r.bold);
        // measured = metrics x 1.04 (a margin), rounded up.
        const exact = Math.abs(r.plain - measured / 1.04) <= 1;
        if (!exact || r.drawn > measured) bad.push(`"${r.text}" ${r.size}px${r.bold ? ' bold' : ''}: drawn ${r.drawn.toFixed(1)} (${r.plain.toFixed(1)} unkerned), measured ${measured}`);
      }
      assert.deepStrictEqual(bad, []);
    } finally {
      await browser.close();
    }
  });
});
