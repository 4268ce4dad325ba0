/**
 * What limits the ICMP a Linux router sends, per remote address (struct
 * inet_peer: rate_tokens, rate_last, n_redirects), with the kernel's default
 * sysctls:
 *
 * - errors (types in icmp_ratemask 0x1818: destination unreachable, source
 *   quench, time exceeded, parameter problem) pass icmpv4_xrlim_allow: a
 *   token bucket of icmp_ratelimit = 1000 ms per message, a burst of 6
 *   (XRLIM_BURST_FACTOR); none towards the router itself (loopback);
 * - redirects are not in the mask, but ip_rt_send_redirect keeps its own
 *   pace in the same inet_peer: at most ip_rt_redirect_number = 9, the n-th
 *   only ip_rt_redirect_load << n (20 ms << n) after the last, all reset by
 *   ip_rt_redirect_silence (20 ms << 10) of quiet. Each redirect sent sets
 *   rate_last to now (and the first after a silence empties rate_tokens), so a
 *   redirect takes away the token an error to the same host would have used:
 *   a LAN host connecting to its own port forward through a FORWARD REJECT
 *   never gets its port unreachable (IcmpOutRateLimitHost).
 *
 * The global limit (icmp_msgs_per_sec 1000, burst 50) never bites in one
 * exchange and is not modelled.
 */
import type { IcmpCounters } from './trace';

const RATELIMIT_MS = 1000;
const BURST_FACTOR = 6;
const REDIRECT_NUMBER = 9;
const REDIRECT_LOAD_MS = 20;
const REDIRECT_SILENCE_MS = REDIRECT_LOAD_MS << 10;
/** inet_getpeer: a new peer's rate_last is 60 s in the past. */
const NEW_PEER_AGE_MS = 60000;

interface Peer { tokens: number; last: number; redirects: number }

export class IcmpLimits {
  private readonly peers = new Map<string, Peer>();
  readonly counters: IcmpCounters = { IcmpOutRedirects: 0, IcmpOutDestUnreachs: 0, IcmpOutRateLimitHost: 0 };
  /** When each count was made (timers go on after the result: a capture ends before them). */
  readonly counted: Array<{ time: number; counter: keyof IcmpCounters }> = [];

  private count(counter: keyof IcmpCounters, now: number): void {
    this.counters[counter]++;
    this.counted.push({ time: now, counter });
  }

  private peer(ip: string, now: number): Peer {
    let p = this.peers.get(ip);
    if (!p) {
      p = { tokens: 0, last: now - NEW_PEER_AGE_MS, redirects: 0 };
      this.peers.set(ip, p);
    }
    return p;
  }

  /**
   * ip_rt_send_redirect: may a redirect go to `ip` now? The pace moves on
   * whenever it may; it is counted (and sent) only when icmp_send takes it,
   * which it does not about an ICMP error (`aboutError`).
   */
  redirect(ip: string, now: number, aboutError = false): boolean {
    const p = this.peer(ip, now);
    if (now > p.last + REDIRECT_SILENCE_MS) { p.tokens = 0; p.redirects = 0; }
    if (p.redirects >= REDIRECT_NUMBER) { p.last = now; return false; }
    if (p.redirects === 0 || now > p.last + (REDIRECT_LOAD_MS << p.redirects)) {
      p.last = now;
      p.redirects++;
      if (aboutError) return false;
      this.count('IcmpOutRedirects', now);
      return true;
    }
    return false;
  }

  /** icmpv4_xrlim_allow for a destination-unreachable to `ip`; `loopback`: the error goes to the router itself. */
  destUnreach(ip: string, now: number, loopback: boolean): boolean {
    if (!loopback) {
      const p = this.peer(ip, now);
      let token = p.tokens + (now - p.last);
      p.last = now;
      token = Math.min(token, BURST_FACTOR * RATELIMIT_MS);
      const ok = token >= RATELIMIT_MS;
      if (ok) token -= RATELIMIT_MS;
      p.tokens = token;
      if (!ok) { this.count('IcmpOutRateLimitHost', now); return false; }
    }
    this.count('IcmpOutDestUnreachs', now);
    return true;
  }
}

/**
 * icmp_pointers[type].error: the ICMP types __icmp_send never answers with an
 * error (redirects included: "an ICMP error to an ICMP error"), unknown types
 * counted as errors.
 */
const ICMP_NOT_ERRORS = new Set([0, 8, 13, 14, 15, 16, 17, 18]);
export function isIcmpError(type: number): boolean {
  return !ICMP_NOT_ERRORS.has(type);
}
