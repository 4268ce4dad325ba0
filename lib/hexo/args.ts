/**
 * The tag's arguments: `{% nat_trace [NAME] [from:NAME] [step:2] [steps:1-3]
 * [show:steps,rules] [caption:"..."] [lang:en] [output:inline|file]
 * [theme:NAME] %}`. Hexo's tag lexer (nunjucks) already joins a quoted value
 * with spaces into one argument and drops the quotes (`caption:"a b"` arrives
 * as `caption:a b`), so only `key:value` splitting is left here.
 */
import { NatTraceError, suggest } from '../errors';
import { parseStepList } from '../story/select';
import { forbiddenCharIndex, codePointName } from '../text';

export type ShowKind = 'steps' | 'rules' | 'sequence' | 'summary' | 'explain';
export const SHOW_KINDS: ShowKind[] = ['steps', 'rules', 'sequence', 'summary', 'explain'];
/** What `show:all` means: every view of the trace itself (explain is asked for by name). */
const ALL_KINDS: ShowKind[] = ['steps', 'rules', 'sequence', 'summary'];
export type OutputMode = 'inline' | 'file';

export interface BlockArgs {
  name?: string;
  from?: string;
  steps?: number[];
  show?: ShowKind[];
  caption?: string;
  lang?: string;
  output?: OutputMode;
  theme?: string;
  /** `fix`: the scenario with the best proposed fix applied (lib/explain). */
  fix?: boolean;
  /** Hidden marker added by the source filter: render run and file line of the tag. */
  run?: number;
  line?: number;
}

export const OPTION_KEYS = ['from', 'step', 'steps', 'show', 'caption', 'lang', 'output', 'theme'];
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function bad(message: string, token: string, expected: string, suggestion?: string): never {
  throw new NatTraceError(message, { token, expected, suggestion });
}

export { parseStepList } from '../story/select';

/** "steps,rules" or "steps|rules" or "all" -> kinds in the order given. */
export function parseShow(value: string): ShowKind[] {
  const out: ShowKind[] = [];
  for (const part of value.split(/[,|]/).map((p) => p.trim().toLowerCase()).filter(Boolean)) {
    if (part === 'all') { for (const k of ALL_KINDS) if (!out.includes(k)) out.push(k); continue; }
    const kind = part === 'step' ? 'steps' : part;
    if (!(SHOW_KINDS as string[]).includes(kind)) {
      bad(`show: unknown view "${part}"`, part, `${SHOW_KINDS.join(', ')} or all`, suggest(part, [...SHOW_KINDS, 'all']));
    }
    if (!out.includes(kind as ShowKind)) out.push(kind as ShowKind);
  }
  if (!out.length) bad('show: no view given', value, `${SHOW_KINDS.join(', ')} or all`);
  return out;
}

export function parseOutput(value: string, where: string): OutputMode {
  const v = value.trim().toLowerCase();
  if (v !== 'inline' && v !== 'file') bad(`${where}: unknown output mode "${value}"`, value, 'inline or file', suggest(v, ['inline', 'file']));
  return v;
}

export function parseBlockArgs(args: string[]): BlockArgs {
  const out: BlockArgs = {};
  for (const arg of args) {
    // A caption goes into the page and the figure: refused like a control character in the scenario.
    const cc = forbiddenCharIndex(arg);
    if (cc >= 0) bad(`${arg.includes(':') ? arg.slice(0, arg.indexOf(':')) : 'the block name'}: contains the control character ${codePointName(arg, cc)}, which a figure cannot carry`, codePointName(arg, cc), 'printable text');
    const m = /^__at:(\d+):(\d+)(?::\d+)?$/.exec(arg);
    if (m) { out.run = Number(m[1]); out.line = Number(m[2]); continue; }
    const colon = arg.indexOf(':');
    if (colon < 0) {
      // `fix` is a flag, not a name: the block shows its scenario with the proposed fix applied.
      if (arg.toLowerCase() === 'fix') { out.fix = true; continue; }
      if (out.name !== undefined) {
        bad(`a block has one name; "${arg}" is a second one`, arg, 'key:value options (from, step, steps, show, caption, lang, output, theme)', suggest(arg, OPTION_KEYS));
      }
      if (!NAME_RE.test(arg)) bad(`block name "${arg}" is not usable`, arg, 'letters, digits, "-", "_" or "."');
      out.name = arg;
      continue;
    }
    const key = arg.slice(0, colon).trim().toLowerCase();
    const value = arg.slice(colon + 1).trim();
    switch (key) {
      case 'from':
        if (!NAME_RE.test(value)) bad(`from: "${value}" is not a block name`, value, 'the name of an earlier block or of source/_data/nat_trace/NAME.yml');
        out.from = value; break;
      case 'step': case 'steps': {
        const list = parseStepList(value, key);
        out.steps = [...new Set([...(out.steps ?? []), ...list])].sort((a, b) => a - b);
        break;
      }
      case 'show': out.show = parseShow(value); break;
      case 'caption': out.caption = value; break;
      case 'lang':
        if (!value) bad('lang: empty', arg, 'a language like en or zh-TW');
        out.lang = value; break;
      case 'output': out.output = parseOutput(value, 'output'); break;
      case 'theme':
        if (!value) bad('theme: empty', arg, 'a theme name');
        out.theme = value; break;
      default:
        bad(`unknown option "${key}"`, key, OPTION_KEYS.join(', '), suggest(key, OPTION_KEYS));
    }
  }
  return out;
}
