/**
 * What went wrong with a connection, in words: one phrase per condition, naming the packets
 * (number and capture time) that show it. Shared by every check output (terminal, JUnit,
 * GitHub annotations, JSON `reasons`), so they all say the same thing.
 */
import { CONDITION_HELP, CONDITION_NAMES, type ConditionMask } from '../check/conditions.js';
import type { Evidence } from '../check/evidence.js';
import type { CheckedFlow } from '../check/judge.js';
import type { FlowRecord, Role } from '../track/flow.js';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Time of day as tcpdump prints it by default (local time, microseconds): `14:03:07.123456`. */
export function formatClock(sec: number, nsec: number): string {
  let s = Math.floor(sec);
  let us = Math.floor(nsec / 1000);
  if (us >= 1e6) { s += Math.floor(us / 1e6); us %= 1e6; }
  const d = new Date(s * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(us).padStart(6, '0')}`;
}

/** The same from the epoch seconds of a flow record (`start`, `end`: microsecond precision). */
export function formatEpochClock(t: number): string {
  const sec = Math.floor(t);
  let us = Math.round((t - sec) * 1e6);
  if (us >= 1e6) return formatClock(sec + 1, 0);
  if (us < 0) us = 0;
  return formatClock(sec, us * 1000);
}

/** Epoch seconds with microseconds, for JSON. */
export function evidenceTime(e: Evidence): number {
  return e.sec + Math.round(e.nsec / 1000) / 1e6;
}

function at(e: Evidence): string {
  return `packet ${e.packet} at ${formatClock(e.sec, e.nsec)}`;
}

function find(ev: Evidence[], ...events: string[]): Evidence | undefined {
  for (const name of events) {
    const e = ev.find((x) => x.event === name);
    if (e !== undefined) return e;
  }
  return undefined;
}

function other(r: Role): Role {
  return r === 'client' ? 'server' : 'client';
}

function firstPacket(rec: FlowRecord): string {
  return `packet ${rec.first_packet} at ${formatEpochClock(rec.start)}`;
}

function lastPacket(rec: FlowRecord): string {
  return `packet ${rec.last_packet} at ${formatEpochClock(rec.end)}`;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** One phrase for condition `name` of this connection. */
export function describeCondition(name: string, flow: CheckedFlow): string {
  const rec = flow.record;
  const ev = flow.evidence;
  switch (name) {
    case 'refused': {
      const rst = find(ev, 'refused');
      return `refused: the SYN (${firstPacket(rec)}) was answered by RST${rst ? ` (${at(rst)})` : ''}: nothing listened on ${rec.server}`;
    }
    case 'reset': {
      const by = rec.reset_by ?? 'one side';
      const noState = find(ev, 'reset-no-state');
      const afterClose = find(ev, 'reset-after-close');
      const plain = find(ev, 'reset');
      if (plain !== undefined || (noState === undefined && afterClose === undefined)) {
        return `reset by ${by}: RST${plain ? ` (${at(plain)})` : ''} aborted the established connection`;
      }
      if (noState !== undefined) return `reset by ${by}: RST (${at(noState)}) from a host with no state for the connection`;
      return `reset by ${by}: RST (${at(afterClose as Evidence)}) after it had closed: data still arrived for a socket already closed`;
    }
    case 'half-open': {
      const noState = find(ev, 'reset-no-state');
      if (noState !== undefined) {
        const who = rec.reset_by ?? 'the peer';
        return `half-open: the ${who} had lost the connection (rebooted or dropped it) and answered with a bare RST (${at(noState)})`;
      }
      return `half-open: one side kept retransmitting with no answer until the end (last ${lastPacket(rec)}): its peer is gone`;
    }
    case 'syn-unanswered': {
      const n = rec.packets.client;
      const reset = find(ev, 'handshake-reset');
      return `SYN never answered: sent ${times(n)} from ${firstPacket(rec)}${n > 1 ? ` to ${lastPacket(rec)}` : ''}${reset ? `, then reset (${at(reset)})` : ''}`;
    }
    case 'handshake-incomplete': {
      const synack = find(ev, 'syn-ack');
      const reset = find(ev, 'handshake-reset');
      const last = synack !== undefined && synack.packet === rec.last_packet ? '' : ` (last ${lastPacket(rec)})`;
      return `handshake never completed: SYN (${firstPacket(rec)}), SYN-ACK${synack ? ` (${at(synack)})` : ''}, ` +
        (reset ? `then RST (${at(reset)})` : `no final ACK by the end${last}`);
    }
    case 'half-closed-at-end': {
      const fin = find(ev, 'fin-active');
      const closer = rec.closed_by ?? 'one side';
      const open = rec.closed_by !== null ? other(rec.closed_by) : 'the other side';
      const openState = rec.closed_by !== null ? rec.states[other(rec.closed_by)] : null;
      return `still half-closed at the end: the ${closer} sent FIN${fin ? ` (${at(fin)})` : ''}, the ${open} never closed` +
        `${openState ? ` (${openState})` : ''}; last ${lastPacket(rec)}`;
    }
    default: {
      // an anomaly: what it is, where it first shows, how often
      const e = ev.find((x) => x.event === name || eventOf(name).includes(x.event));
      const count = countOf(rec, name);
      return `${name}: ${CONDITION_HELP[name] ?? name}${e ? `, first in ${at(e)}` : ''}${count > 1 ? ` (${count} in all)` : ''}`;
    }
  }
}

/** Tracker events that raise an anomaly whose name differs from theirs. */
function eventOf(name: string): string[] {
  switch (name) {
    case 'retransmission': return ['fast-retransmission', 'spurious-retransmission'];
    case 'ack-unseen': return ['fin-unseen'];
    case 'half-open': return ['reset-no-state'];
    case 'rst-out-of-window': return ['reset-ignored'];
    default: return [];
  }
}

function countOf(rec: FlowRecord, name: string): number {
  let n = rec.events[name] ?? 0;
  if (name === 'retransmission') n += (rec.events['fast-retransmission'] ?? 0) + (rec.events['spurious-retransmission'] ?? 0);
  return n;
}

/** One phrase per condition in `mask`, in CONDITION_NAMES order. */
export function describeConditions(mask: ConditionMask, flow: CheckedFlow): string[] {
  const out: string[] = [];
  for (let i = 0; i < CONDITION_NAMES.length; i++) if ((mask >>> i) & 1) out.push(describeCondition(CONDITION_NAMES[i], flow));
  return out;
}

/** `#3 10.0.0.1:40008 → 10.0.0.2:7000` */
export function connectionLabel(rec: Pick<FlowRecord, 'id' | 'client' | 'server'>): string {
  return `#${rec.id} ${rec.client} → ${rec.server}`;
}
