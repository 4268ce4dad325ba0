/**
 * `nat-trace render FILE [--lang zh-TW] [--show steps|rules|sequence|summary|all] [--step N] -o DIR`:
 * the figures of one scenario as SVG files plus an index.html showing them
 * all, through the same renderFigures/figureHtml the Hexo tag uses.
 */
import { readScenarioFile } from '../files';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'fs';
import { basename, dirname, extname, join, resolve } from 'path';
import { runScenario } from '../index';
import { NatTraceError, suggest } from '../errors';
import { FRAME_CSS, layoutCss } from './pagecss';
import { renderFigures, figureHtml, stepCount, FigureOptions, RenderedFigure } from './index';
import { resolveLang } from '../story/i18n';
import { parseStepList, stepRanges } from '../story/select';

const KINDS = ['steps', 'rules', 'sequence', 'summary'] as const;
const USAGE = 'usage: nat-trace render FILE [--lang en|zh-TW|zh-CN|ja] [--show steps|rules|sequence|summary|all] [--step N] [--theme NAME] [--force] -o DIR';

interface Args { file?: string; lang: string; show: FigureOptions['show']; steps?: number[]; out?: string; theme?: string; force?: boolean }

const OPTIONS = ['--lang', '--theme', '--out', '--show', '--step', '--steps', '--force'];

function parseArgs(argv: string[]): Args {
  const a: Args = { lang: 'en', show: ['steps'] };
  const need = (i: number, opt: string): string => {
    if (i >= argv.length || argv[i].startsWith('-') && argv[i] !== '-') throw new NatTraceError(`${opt} needs a value`, { token: opt });
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--lang') a.lang = need(++i, x);
    else if (x === '--theme') a.theme = need(++i, x);
    else if (x === '-o' || x === '--out') a.out = need(++i, x);
    else if (x === '--force' || x === '-f') a.force = true;
    else if (x === '--show') {
      const v = need(++i, x).split(',').map((s) => s.trim());
      if (v.includes('all')) a.show = [...KINDS];
      else {
        const bad = v.find((s) => !(KINDS as readonly string[]).includes(s));
        if (bad) throw new NatTraceError(`--show: unknown view "${bad}"`, { token: bad, expected: 'steps, rules, sequence, summary or all', suggestion: suggest(bad, [...KINDS, 'all']) });
        a.show = v as FigureOptions['show'];
      }
    } else if (x === '--step' || x === '--steps') {
      a.steps = parseStepList(need(++i, x), x);
    } else if (x.startsWith('-') && x !== '-') throw new NatTraceError(`unknown option ${x}`, { token: x, suggestion: suggest(x, OPTIONS) });
    else if (a.file === undefined) a.file = x;
    else throw new NatTraceError(`only one FILE can be rendered at a time (got "${x}" too)`, { token: x });
  }
  return a;
}

function fileName(f: RenderedFigure): string {
  return f.kind === 'step' ? `step-${String(f.step).padStart(2, '0')}.svg` : `${f.kind}.svg`;
}

export async function renderCommand(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`nat-trace render: ${e instanceof NatTraceError ? e.format() : (e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!args.file || !args.out) {
    process.stderr.write(`nat-trace render: ${!args.file ? 'no FILE given' : 'no output folder (-o DIR)'}\n${USAGE}\n`);
    return 2;
  }
  const file = args.file;
  const label = file === '-' ? '<stdin>' : file;
  try {
    const text = readScenarioFile(file === '-' ? 0 : file, label);
    const sim = runScenario(text, { file: label });
    const figs = renderFigures(sim, { lang: args.lang, show: args.show, steps: args.steps, theme: args.theme });
    if (args.steps && args.show.includes('steps')) {
      const have = figs.filter((f) => f.kind === 'step').map((f) => f.step);
      const missing = args.steps.filter((s) => !have.includes(s));
      if (missing.length) {
        const total = stepCount(sim, args.lang);
        throw new NatTraceError(`step ${stepRanges(missing)} does not exist: this trace has ${total} step${total === 1 ? '' : 's'}`, {
          token: String(missing[0]), expected: total ? `steps from 1 to ${total}` : 'no --step',
        });
      }
    }
    const written = [...figs.map(fileName), 'index.html'];
    const stale = claimFolder(args.out, written, args.force === true);
    for (const f of figs) writeFileSync(join(args.out, fileName(f)), f.svg + '\n');
    const body = figureHtml(figs, { mode: 'file', src: fileName, lang: args.lang });
    const title = sim.scenario.title ?? basename(file, extname(file));
    const L = resolveLang(args.lang);
    const page = `<!DOCTYPE html>\n<html lang="${L}">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeText(title)}</title>\n<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}figure{margin:2rem 0}figcaption{margin-top:.4rem}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}}${FRAME_CSS}${layoutCss(body)}</style>\n</head>\n<body>\n<h1>${escapeText(title)}</h1>\n${body}</body>\n</html>\n`;
    writeFileSync(join(args.out, 'index.html'), page);
    // Figures of an earlier render into this folder that this one does not make (fewer steps).
    for (const name of stale) if (!written.includes(name) && OUR_FILE_RE.test(name)) unlinkSync(join(args.out, name));
    writeFileSync(join(args.out, MARKER), JSON.stringify({ 'written-by': 'nat-trace render', files: written }, null, 1) + '\n');
    process.stdout.write(`${label}: ${figs.length} figure${figs.length === 1 ? '' : 's'} written to ${args.out} (${figs.map(fileName).join(', ')}, index.html)\n`);
    return 0;
  } catch (e) {
    let msg: string;
    if (e instanceof NatTraceError) { if (!e.file) e.file = label; msg = e.format(); } else {
      const err = e as NodeJS.ErrnoException;
      msg = err && err.code === 'ENOENT' ? `${label}: no such file` : `${label}: internal error: ${err && err.message ? err.message : String(e)}`;
    }
    process.stderr.write(`error: ${msg}\n`);
    return 1;
  }
}

/** Written into every output folder: the files this command wrote there (so a later run may replace them). */
const MARKER = '.nat-trace-render.json';
const OUR_FILE_RE = /^(?:step-\d+|rules|sequence|summary)\.svg$|^index\.html$/;

/**
 * The output folder must be new, empty, or one nat-trace render wrote (its
 * marker file lists what it wrote): never overwrite a user's own index.html
 * or step-01.svg. `--force` writes anyway. Returns the files an earlier render
 * wrote there.
 */
function claimFolder(dir: string, files: string[], force: boolean): string[] {
  if (!existsSync(dir)) { makeFolder(dir); return []; }
  if (!statSync(dir).isDirectory()) throw new NatTraceError('-o: not a folder', { file: dir, expected: 'a folder to write the figures into' });
  const entries = readdirSync(dir);
  let previous: string[] | undefined;
  if (entries.includes(MARKER)) {
    try {
      const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { files?: unknown };
      if (Array.isArray(m.files)) previous = m.files.filter((f): f is string => typeof f === 'string');
    } catch { previous = undefined; }
  }
  if (previous || force || !entries.length) return previous ?? [];
  const clash = files.filter((f) => entries.includes(f));
  const shown = (clash.length ? clash : entries).slice(0, 3).join(', ') + ((clash.length || entries.length) > 3 ? ', ...' : '');
  throw new NatTraceError(`-o: the folder is not empty and nat-trace render did not write it (it holds ${shown}); nothing was written`, {
    file: dir, expected: clash.length ? 'an empty or new folder, or --force to overwrite those files' : 'an empty or new folder, or --force to write into it',
  });
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync never returns for
 * a folder under /proc (each mkdir there says ENOENT and it retries the parent).
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new NatTraceError(`-o: cannot create the folder (${code} at ${d})`, { file: dir, expected: 'a folder that can be created and written' });
    }
  }
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
