/**
 * Caption and label strings, one YAML file per language under templates/i18n
 * (strings never live in code). Keys are dotted paths; values use {name}
 * placeholders. A key missing in a language falls back to English, so a
 * partial translation still renders.
 */
import { readFileSync, existsSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

export const TEMPLATES_DIR = join(__dirname, '..', '..', 'templates');
export const LANGS = ['en', 'zh-TW', 'zh-CN', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** 'zh-TW' exact; 'zh-tw', 'zh-Hant', 'zh-HK' -> zh-TW; 'zh', 'zh-Hans', 'zh-cn' -> zh-CN; unknown -> en. */
export function resolveLang(lang: string | undefined): Lang {
  const l = (lang ?? '').trim().replace(/_/g, '-').toLowerCase();
  if (!l) return 'en';
  if (l === 'zh-tw' || l.startsWith('zh-hant') || l === 'zh-hk' || l === 'zh-mo') return available('zh-TW');
  if (l === 'zh' || l === 'zh-cn' || l.startsWith('zh-hans') || l === 'zh-sg') return available('zh-CN');
  if (l === 'ja' || l.startsWith('ja-')) return available('ja');
  return 'en';
}

function available(lang: Lang): Lang {
  return existsSync(join(TEMPLATES_DIR, 'i18n', `${lang}.yml`)) ? lang : 'en';
}

type Table = Map<string, string>;
const tables = new Map<Lang, Table>();

function flatten(obj: unknown, prefix: string, out: Table): void {
  if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (obj !== undefined && obj !== null) {
    out.set(prefix, String(obj));
  }
}

function table(lang: Lang): Table {
  let t = tables.get(lang);
  if (!t) {
    t = new Map();
    flatten(parse(readFileSync(join(TEMPLATES_DIR, 'i18n', `${lang}.yml`), 'utf8')), '', t);
    tables.set(lang, t);
  }
  return t;
}

export type Vars = Record<string, string | number | undefined>;

/** The string for `key` with {name} placeholders filled; English when the language lacks it. */
/** Per language, each key's string with the English fallback already applied (t() runs thousands of times per block). */
const resolved = new Map<Lang, Map<string, string>>();

export function t(lang: Lang, key: string, vars?: Vars): string {
  let r = resolved.get(lang);
  if (!r) { r = new Map(); resolved.set(lang, r); }
  let s = r.get(key);
  if (s === undefined) {
    s = table(lang).get(key) ?? table('en').get(key);
    if (s === undefined) throw new Error(`internal: no string "${key}" in templates/i18n`);
    r.set(key, s);
  }
  // No placeholder: nothing to fill, nor a {rule} to capitalise.
  if (!s.includes('{')) return s;
  vars = vars ?? {};
  const out = s.replace(/\{(\w+)\}/g, (m, name: string) => (vars![name] !== undefined ? String(vars![name]) : m));
  // A sentence that opens with a rule's name ("{rule} drops it") starts with a capital where the
  // name is a phrase of the template's own words ("rule 3 of chain ...", "the FORWARD policy"),
  // never where it is a name the user wrote (a RouterOS chain "srcnat" stays as written).
  if (s.startsWith('{rule}') && CASED.has(lang) && /^(rule|the) /.test(out)) return out[0].toUpperCase() + out.slice(1);
  return out;
}

/** Languages whose sentences begin with a capital letter. */
const CASED: ReadonlySet<Lang> = new Set<Lang>(['en']);

/** Like t() but undefined when neither the language nor English has the key. */
export function tMaybe(lang: Lang, key: string, vars: Vars = {}): string | undefined {
  return table(lang).has(key) || table('en').has(key) ? t(lang, key, vars) : undefined;
}
