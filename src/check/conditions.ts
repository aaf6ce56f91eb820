/**
 * What `tcpscope check` can fail a connection on: its conditions.
 *
 * The vocabulary is the tracker's anomaly names (corpus README: `refused`, `reset`, `half-open`,
 * ...), one bit each in the same order as the tracker's anomaly mask, plus three conditions the
 * flow record states in other fields rather than as anomalies:
 *
 * | condition              | flow record                  | meaning                                        |
 * | ---------------------- | ---------------------------- | ---------------------------------------------- |
 * | `syn-unanswered`       | `handshake: "unanswered"`    | SYN(s) sent, nothing came back                 |
 * | `handshake-incomplete` | `handshake: "no-final-ack"`  | SYN answered by SYN-ACK, the handshake never finished |
 * | `half-closed-at-end`   | `close: "half"`              | one side closed, the other never did           |
 *
 * They are kept disjoint from each other (an unanswered SYN is not also "handshake-incomplete")
 * so that allowing one never hides the other.
 *
 * A set of conditions is a bit mask (ConditionMask): policies and verdicts are mask arithmetic,
 * with no per-connection objects for connections that have nothing to report.
 */
import type { Close, FlowRecord, Handshake } from '../track/flow.js';
import { ANOMALY_NAMES } from '../track/events.js';

/** Conditions derived from the flow record's handshake and close fields. */
export const DERIVED_CONDITIONS = ['syn-unanswered', 'handshake-incomplete', 'half-closed-at-end'] as const;

/** Every condition name, indexed by bit. The anomaly bits come first, as the tracker numbers them. */
export const CONDITION_NAMES: readonly string[] = [...ANOMALY_NAMES, ...DERIVED_CONDITIONS];

if (CONDITION_NAMES.length > 31) throw new Error('too many check conditions for a 31-bit mask');

export type ConditionMask = number;

/** The bit of condition `name` (0 when the name is unknown). */
export function conditionBit(name: string): ConditionMask {
  const i = CONDITION_NAMES.indexOf(name);
  return i < 0 ? 0 : (1 << i) >>> 0;
}

const SYN_UNANSWERED = conditionBit('syn-unanswered');
const HANDSHAKE_INCOMPLETE = conditionBit('handshake-incomplete');
const HALF_CLOSED_AT_END = conditionBit('half-closed-at-end');
const ANOMALY_BITS = ((1 << ANOMALY_NAMES.length) - 1) >>> 0;

/** Mask of every condition. */
export const ALL_CONDITIONS: ConditionMask = ((1 << CONDITION_NAMES.length) - 1) >>> 0;

/**
 * The default policy (issue 6): resets that abort an established connection (`reset`), refused
 * connections, half-open connections, SYNs never answered, handshakes never completed, and
 * connections still half-closed at the end of the capture.
 */
export const DEFAULT_FAIL_ON: readonly string[] = [
  'reset', 'refused', 'half-open', 'syn-unanswered', 'handshake-incomplete', 'half-closed-at-end',
];
export const DEFAULT_FAIL_MASK: ConditionMask = maskOf(DEFAULT_FAIL_ON);

/** One line per condition: what it means, for `--help`, the README and reports. */
export const CONDITION_HELP: Readonly<Record<string, string>> = {
  'refused': 'the SYN was answered by RST: nothing listened on the port',
  'reset': 'a RST aborted the connection after the handshake',
  'half-open': 'one side had lost the connection (a rebooted peer answering with a bare RST, or a side retransmitting into silence until the end)',
  'half-close': 'data kept flowing after the first FIN (shutdown of one direction)',
  'simultaneous-open': 'both ends sent a SYN at once',
  'simultaneous-close': 'both ends sent a FIN before seeing the other\'s',
  'syn-retransmit': 'the client sent its SYN again',
  'synack-retransmit': 'the server sent its SYN-ACK again',
  'midstream': 'the capture began after the connection was opened',
  'keepalive': 'keep-alive probes on an idle connection',
  'zero-window': 'a receiver advertised a zero window',
  'retransmission': 'data sent again (retransmissions, fast and spurious ones included)',
  'duplicate-ack': 'duplicate ACKs',
  'out-of-order': 'segments arrived out of order',
  'port-reuse': 'a new connection on the 4-tuple of an earlier one that had been established (and closed or reset: the reuse TIME_WAIT guards against)',
  'bad-checksum': 'a segment with a wrong TCP or IPv4 checksum',
  'ack-unseen': 'an ACK covered data or a FIN the capture never showed (capture loss)',
  'rst-out-of-window': 'a RST outside its receiver\'s window, which the receiver ignores (blind, spoofed or stale): no abort',
  'peer-unseen': 'only one side\'s packets were captured, and its ACKs cover data or a FIN of the other (a one-direction filter or asymmetric routing): not in the default policy, the capture is one-sided, not the connection',
  'ecn-unnegotiated': 'ECE or CWR set on a connection whose handshake did not negotiate ECN (RFC 3168 6.1.1): a stack or a middlebox setting bits it must not',
  'connect-retry': 'a new SYN on the 4-tuple of a connection that was never established (refused, reset in its handshake, or unanswered): connect() tried again from the same port, not port reuse',
  'syn-unanswered': 'the SYN was never answered',
  'handshake-incomplete': 'the SYN was answered by a SYN-ACK but the handshake never completed',
  'half-closed-at-end': 'one side closed and the other had not when the capture ended',
};

/** Mask of the named conditions (names must be valid: see parseConditionList). */
export function maskOf(names: readonly string[]): ConditionMask {
  let m = 0;
  for (const n of names) m |= conditionBit(n);
  return m >>> 0;
}

/** Names of the conditions in `mask`, in CONDITION_NAMES order. */
export function namesOf(mask: ConditionMask): string[] {
  const out: string[] = [];
  for (let i = 0; i < CONDITION_NAMES.length; i++) if ((mask >>> i) & 1) out.push(CONDITION_NAMES[i]);
  return out;
}

/** The derived conditions of a handshake/close pair. */
export function derivedMask(handshake: Handshake, close: Close): ConditionMask {
  let m = 0;
  if (handshake === 'unanswered') m |= SYN_UNANSWERED;
  else if (handshake === 'no-final-ack') m |= HANDSHAKE_INCOMPLETE;
  if (close === 'half') m |= HALF_CLOSED_AT_END;
  return m >>> 0;
}

/**
 * The conditions of a connection from the tracker's anomaly mask and its handshake and close
 * (what a FlowView gives without building a record).
 */
export function conditionMask(anomalyMask: number, handshake: Handshake, close: Close): ConditionMask {
  return ((anomalyMask & ANOMALY_BITS) | derivedMask(handshake, close)) >>> 0;
}

/** The conditions of a flow record (as `--json` writes it, or a worker hands it over). */
export function conditionMaskOfRecord(rec: FlowRecord): ConditionMask {
  return (maskOf(rec.anomalies) | derivedMask(rec.handshake, rec.close)) >>> 0;
}

/** Edit distance, for "did you mean" on a misspelt name. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * The closest of `candidates` to a misspelt name, or null when nothing is close: plurals and
 * near misses ("resets", "half_open"), or a name that extends a candidate ("max_reset").
 */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  if (best !== null && bestD <= Math.max(2, Math.floor(name.length / 4))) return best;
  return candidates.find((c) => name.startsWith(c) && /^[-_]/.test(name.slice(c.length))) ?? null;
}

/** The closest condition name (or keyword) to a misspelt one, or null. */
export function suggestCondition(name: string): string | null {
  return closestName(name, [...CONDITION_NAMES, 'default', 'all', 'none']);
}
