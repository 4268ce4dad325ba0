/** 'LOG': writes a kernel log line and lets the packet go on. */
import type { TargetModule } from '../model';
import type { LogTargetOpts } from '../opts';
import { saveString } from '../matches/util';

/** The opts.ts shape plus what iptables' LOG also carries. */
export interface LogTargetOptsFull extends LogTargetOpts {
  /** syslog level 0..7; iptables' default is 4 (warning). */
  level?: number;
  flags?: string[];
}

export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];
export const LOG_FLAGS = ['--log-tcp-sequence', '--log-tcp-options', '--log-ip-options', '--log-uid', '--log-macdecode'];

export const logTarget: TargetModule<LogTargetOptsFull> = {
  name: 'LOG',
  run: (o) => ({ verdict: 'CONTINUE', note: o.prefix ? `LOG ${o.prefix}` : 'LOG' }),
  toIptables(o) {
    let s = '-j LOG';
    if (o.prefix) s += ` --log-prefix ${saveString(o.prefix)}`;
    if (o.level !== undefined && o.level !== 4) s += ` --log-level ${o.level}`;
    for (const f of o.flags ?? []) s += ` ${f}`;
    return s;
  },
};
