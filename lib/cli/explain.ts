/**
 * `nat-trace explain [--json] [--lang L] FILE...` and `nat-trace fix FILE`:
 * why each traced connection fails and the simulated fixes; the scenario
 * with the best fix applied, as YAML `nat-trace run` accepts.
 */
import { readScenarioFile } from '../files';
import { parseDocument, isMap, isScalar } from 'yaml';
import { runScenario } from '../index';
import { explain, diagnosisText, fixText, fixOutcomeText } from '../explain';
import type { Explanation } from '../explain';
import { resolveLang, t, Lang } from '../story/i18n';
import type { SimResult } from '../index';
import { errorMessage } from './index';

function readInput(file: string): string {
  return file === '-' ? readScenarioFile(0, '<stdin>') : readScenarioFile(file, file);
}

export function explanationJson(file: string, sim: SimResult, e: Explanation, L: Lang): Record<string, unknown> {
  return {
    file,
    outcome: e.outcome,
    diagnosis: e.diagnosis ? { cause: e.diagnosis.cause, step: e.diagnosis.step, text: diagnosisText(L, sim, e.diagnosis) } : null,
    fixes: e.fixes.map((f) => ({
      kind: f.kind, text: fixText(L, f), rules: f.rules, added: f.added, removed: f.removed, commands: f.commands,
      outcome: f.outcome, server_saw: f.server_saw, checked: f.checked,
    })),
  };
}

export function formatExplanation(file: string, sim: SimResult, e: Explanation, L: Lang): string {
  const out = [`== ${file}`, `outcome: ${e.outcome}`];
  if (!e.diagnosis) {
    out.push(t(L, 'explain.ok'));
    return out.join('\n') + '\n';
  }
  out.push(`cause: ${e.diagnosis.cause} (trace step ${e.diagnosis.step})`);
  out.push(`  ${diagnosisText(L, sim, e.diagnosis)}`);
  if (!e.fixes.length) out.push(t(L, 'explain.no-fix'));
  e.fixes.forEach((f, i) => {
    out.push(`fix ${i + 1}: ${fixText(L, f)}`);
    for (const l of f.removed) out.push(`  - ${l}`);
    for (const l of f.added) out.push(`  + ${l}`);
    for (const c of f.commands) out.push(`  $ ${c}`);
    out.push(`  ${fixOutcomeText(L, f)}`);
    if (f.checked) out.push(`  ${t(L, 'explain.others', { n: f.checked })}`);
  });
  return out.join('\n') + '\n';
}

function takeLang(args: string[]): { lang: Lang; rest: string[] } | string {
  const rest: string[] = [];
  let lang: Lang = 'en';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--lang') {
      if (i + 1 >= args.length) return '--lang needs a language (en, zh-TW, zh-CN, ja)';
      lang = resolveLang(args[++i]);
    } else rest.push(args[i]);
  }
  return { lang, rest };
}

export function explainCommand(args: string[], out: (s: string) => void, errOut: (s: string) => void, usage: string): number {
  const json = args.includes('--json');
  const parsed = takeLang(args.filter((a) => a !== '--json'));
  if (typeof parsed === 'string') { errOut(`nat-trace explain: ${parsed}\n${usage}\n`); return 2; }
  const files = parsed.rest;
  const unknown = files.find((a) => a.startsWith('--'));
  if (unknown) { errOut(`nat-trace explain: unknown option ${unknown}\n${usage}\n`); return 2; }
  if (!files.length) { errOut(`nat-trace explain: no file given\n${usage}\n`); return 2; }
  let status = 0;
  for (const file of files) {
    const name = file === '-' ? '<stdin>' : file;
    try {
      const sim = runScenario(readInput(file), { file: name });
      const e = explain(sim);
      out(json ? JSON.stringify(explanationJson(file, sim, e, parsed.lang)) + '\n' : formatExplanation(file, sim, e, parsed.lang));
    } catch (err) {
      status = 1;
      const msg = errorMessage(err, name);
      if (json) out(JSON.stringify({ file, error: msg }) + '\n');
      else errOut(`error: ${msg}\n`);
    }
  }
  return status;
}

/**
 * The scenario text with its rules replaced. Only the rules value is
 * rewritten (as a `|` block): every other byte of the file stays as written.
 */
export function withRules(text: string, dialect: string, rules: string): string {
  const doc = parseDocument(text);
  const map = doc.contents;
  const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === dialect) : undefined;
  const body = rules.replace(/\n+$/, '').split('\n').map((l) => (l ? `  ${l}` : '')).join('\n');
  if (!pair || !isScalar(pair.key) || !pair.value || !(pair.value as { range?: number[] }).range) {
    return `${text.replace(/\n*$/, '\n')}${dialect}: |\n${body}\n`;
  }
  const keyStart = (pair.key.range as number[])[0];
  const indent = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  const pad = ' '.repeat(indent);
  const [start, end] = (pair.value as { range: number[] }).range;
  const block = `|\n${body.split('\n').map((l) => (l ? pad + l : l)).join('\n')}\n`;
  // The old value's range ends at its last content; a block scalar owns the line break after it.
  let after = end;
  while (after < text.length && text[after] !== '\n' && /\s/.test(text[after])) after++;
  if (text[after] === '\n') after++;
  return text.slice(0, start) + block + text.slice(after);
}

export function fixCommand(args: string[], out: (s: string) => void, errOut: (s: string) => void, usage: string): number {
  const files = args.filter((a) => a !== '');
  const unknown = files.find((a) => a.startsWith('--'));
  if (unknown) { errOut(`nat-trace fix: unknown option ${unknown}\n${usage}\n`); return 2; }
  if (files.length !== 1) { errOut(`nat-trace fix: give one file\n${usage}\n`); return 2; }
  const file = files[0];
  const name = file === '-' ? '<stdin>' : file;
  try {
    const text = readInput(file);
    const sim = runScenario(text, { file: name });
    const e = explain(sim);
    if (!e.diagnosis) { errOut(`${name}: the connection is ${e.outcome}; nothing to fix\n`); return 1; }
    if (!e.fixes.length) { errOut(`${name}: ${e.diagnosis.cause}: ${diagnosisText('en', sim, e.diagnosis)} No rule change was found that fixes it.\n`); return 1; }
    out(withRules(text, sim.scenario.rules.dialect, e.fixes[0].rules));
    return 0;
  } catch (err) {
    errOut(`error: ${errorMessage(err, name)}\n`);
    return 1;
  }
}
