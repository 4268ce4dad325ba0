/**
 * `nat-trace`: run scenarios and print their traces, or render their figures.
 *   nat-trace run [--json] FILE... | -
 *   nat-trace render FILE [--lang L] [--show ...] [--step N] -o DIR
 *   nat-trace explain [--json] [--lang L] FILE...
 *   nat-trace fix FILE
 */
import { readScenarioFile } from '../files';
import { runScenario } from '../index';
import { NatTraceError } from '../errors';
import { formatTrace } from './format';

const USAGE = `usage: nat-trace run [--json] FILE... (- reads standard input)
       nat-trace explain [--json] [--lang en|zh-TW|zh-CN|ja] FILE...
       nat-trace fix FILE
       nat-trace render FILE [--lang en|zh-TW|zh-CN|ja] [--show steps|rules|sequence|summary|all] [--step N] [--theme NAME] [--force] -o DIR`;

function readInput(file: string): string {
  return file === '-' ? readScenarioFile(0, '<stdin>') : readScenarioFile(file, file);
}

export function errorMessage(e: unknown, file: string): string {
  if (e instanceof NatTraceError) {
    if (!e.file) e.file = file;
    return e.format();
  }
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ENOENT') return `${file}: no such file`;
  if (err && err.code === 'EISDIR') return `${file}: is a directory`;
  if (err && err.code === 'EACCES') return `${file}: permission denied`;
  return `${file}: internal error: ${err && err.message ? err.message : String(e)}`;
}

export function runCommand(args: string[], out: (s: string) => void, errOut: (s: string) => void): number {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  const unknown = files.find((a) => a.startsWith('--'));
  if (unknown) { errOut(`nat-trace run: unknown option ${unknown}\n${USAGE}\n`); return 2; }
  if (!files.length) { errOut(`nat-trace run: no file given\n${USAGE}\n`); return 2; }
  let status = 0;
  for (const file of files) {
    try {
      const text = readInput(file);
      const { trace } = runScenario(text, { file: file === '-' ? '<stdin>' : file });
      if (json) {
        out(JSON.stringify({ file, outcome: trace.outcome, server_saw: trace.server_saw, conntrack: trace.conntrack, steps: trace.steps, warnings: trace.warnings }) + '\n');
      } else {
        out(formatTrace(file, trace));
      }
    } catch (e) {
      status = 1;
      const msg = errorMessage(e, file === '-' ? '<stdin>' : file);
      if (json) out(JSON.stringify({ file, error: msg }) + '\n');
      else errOut(`error: ${msg}\n`);
    }
  }
  return status;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => { process.stdout.write(s); };
  const errOut = (s: string) => { process.stderr.write(s); };
  if (cmd === 'run') return runCommand(rest, out, errOut);
  if (cmd === 'explain' || cmd === 'fix') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const ex = require('./explain') as typeof import('./explain');
    return cmd === 'explain' ? ex.explainCommand(rest, out, errOut, USAGE) : ex.fixCommand(rest, out, errOut, USAGE);
  }
  if (cmd === 'render') {
    // Loaded lazily: `run` must not pay for jsdom.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { renderCommand } = require('../render/cli') as { renderCommand: (a: string[]) => Promise<number> };
    return renderCommand(rest);
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') { out(USAGE + '\n'); return 0; }
  if (cmd === '--version' || cmd === '-v') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    out(require('../../package.json').version + '\n');
    return 0;
  }
  errOut(`${cmd ? `nat-trace: unknown command "${cmd}"` : 'nat-trace: no command'}\n${USAGE}\n`);
  return 2;
}
