/**
 * A read-only view of one connection in the flow table, and the flow record built from it.
 *
 * The record is the contract with `--json`, the summary table and `tcpscope check`: field names
 * follow the corpus README (client, server, handshake, close, reset_by, states, conn_state,
 * anomalies, start) plus Zeek's history, counts, times and the negotiated options.
 */
import { formatEndpoint } from './address.js';
import { ANOMALY_NAMES, anomalyNames } from './events.js';
import { STATE_NAMES } from './states.js';
import { CF, COUNTER_NAMES, Ctr, EF, type FlowTable, MAX_INTERVALS } from './table.js';
import type { Tracker } from './tracker.js';
import { zeekConnState, zeekHistory } from './zeek.js';

export type Handshake = 'complete' | 'simultaneous' | 'refused' | 'unanswered' | 'no-final-ack' | 'not-seen';
export type Close = 'fin' | 'half' | 'rst' | 'none';
export type Role = 'client' | 'server';

export interface EndpointOptions {
  /** MSS offered on its SYN (null: none) */
  mss: number | null;
  /** window scale shift offered on its SYN (null: none) */
  wscale: number | null;
  sack: boolean;
  timestamps: boolean;
}

/** One connection as `--json` writes it (`"type":"flow"`). */
export interface FlowRecord {
  type: 'flow';
  /** serial number, in order of first packet */
  id: number;
  client: string;
  server: string;
  ip_version: 4 | 6;
  handshake: Handshake;
  close: Close;
  reset_by: Role | null;
  /** who sent the first FIN (the active closer) */
  closed_by: Role | null;
  states: { client: string; server: string };
  /** Zeek's conn_state code */
  conn_state: string;
  /** Zeek's history letters */
  history: string;
  anomalies: string[];
  /** how many times each analysis event happened (only the non-zero ones) */
  events: Record<string, number>;
  /** capture time of the first packet (epoch seconds) */
  start: number;
  end: number;
  duration: number;
  first_packet: number;
  last_packet: number;
  packets: { client: number; server: number };
  /** TCP payload bytes */
  bytes: { client: number; server: number };
  /** handshake RTT in seconds: first SYN to the ACK completing it (null when not seen) */
  rtt: number | null;
  /** SYN → SYN-ACK (the server's side of the RTT), and SYN-ACK → ACK (the client's side) */
  rtt_server: number | null;
  rtt_client: number | null;
  options: {
    client: EndpointOptions | null;
    server: EndpointOptions | null;
    /** negotiated: both sides offered it on their SYNs */
    window_scaling: boolean;
    sack: boolean;
    timestamps: boolean;
  };
  /** intervals (s) between the client's SYN retransmissions, and the server's SYN-ACK ones */
  syn_retransmits: number[];
  synack_retransmits: number[];
  midstream: boolean;
  /** why the record was written: closed | idle | evicted | reused | end-of-input */
  end_reason: string;
}

const END_REASONS = ['closed', 'idle', 'evicted', 'reused', 'end-of-input'];

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function epoch(sec: number, nsec: number): number {
  return sec + Math.round(nsec / 1000) / 1e6;
}

export class FlowView {
  private c = -1;
  private reason = 4;
  private readonly t: FlowTable;

  constructor(tracker: Tracker) {
    this.t = tracker.table;
  }

  bind(c: number, reason: number): this {
    this.c = c;
    this.reason = reason;
    return this;
  }

  /** Row in the table. */
  get row(): number { return this.c; }
  get id(): number { return this.t.serial[this.c]; }
  get client(): string { return formatEndpoint(this.t.family[this.c], this.t.cAddr, this.c * 4, this.t.cPort[this.c]); }
  get server(): string { return formatEndpoint(this.t.family[this.c], this.t.sAddr, this.c * 4, this.t.sPort[this.c]); }
  get clientState(): string { return STATE_NAMES[this.t.state[2 * this.c]]; }
  get serverState(): string { return STATE_NAMES[this.t.state[2 * this.c + 1]]; }
  get anomalyMask(): number { return this.t.anomalies[this.c]; }
  get anomalies(): string[] { return anomalyNames(this.t.anomalies[this.c]); }
  get connState(): string { return zeekConnState(this.t, this.c); }
  get history(): string { return zeekHistory(this.t, this.c); }
  get endReason(): string { return END_REASONS[this.reason]; }
  get evicted(): boolean { return (this.t.connFlags[this.c] & CF.EVICTED) !== 0; }

  get handshake(): Handshake {
    const cf = this.t.connFlags[this.c];
    if ((cf & CF.REFUSED) !== 0) return 'refused';
    if ((cf & CF.SIMULTANEOUS) !== 0) return 'simultaneous';
    if ((cf & CF.SYN_SEEN) === 0) return 'not-seen';
    if ((cf & CF.HANDSHAKE_DONE) !== 0) return 'complete';
    if ((cf & CF.SYNACK_SEEN) !== 0) return 'no-final-ack';
    return 'unanswered';
  }

  get close(): Close {
    const t = this.t, c = this.c;
    if ((t.connFlags[c] & CF.RESET) !== 0) return 'rst';
    const a = (t.epFlags[2 * c] & EF.FIN_SENT) !== 0, b = (t.epFlags[2 * c + 1] & EF.FIN_SENT) !== 0;
    if (a && b) return 'fin';
    if (a || b) return 'half';
    return 'none';
  }

  get resetBy(): Role | null {
    const cf = this.t.connFlags[this.c];
    if ((cf & CF.RESET) === 0) return null;
    return (cf & CF.RESET_BY_SERVER) !== 0 ? 'server' : 'client';
  }

  get closedBy(): Role | null {
    const t = this.t, c = this.c;
    if ((t.epFlags[2 * c] & EF.FIN_SENT) === 0 && (t.epFlags[2 * c + 1] & EF.FIN_SENT) === 0) return null;
    return (t.connFlags[c] & CF.SERVER_CLOSED_FIRST) !== 0 ? 'server' : 'client';
  }

  /** Handshake RTT in seconds, or null. */
  get rtt(): number | null {
    const t = this.t, c = this.c;
    return t.estT[c] > 0 && t.synT[c] > 0 ? t.estT[c] - t.synT[c] : null;
  }

  get start(): number { return epoch(this.t.firstSec[this.c], this.t.firstNsec[this.c]); }
  get end(): number { return epoch(this.t.lastSec[this.c], this.t.lastNsec[this.c]); }
  get duration(): number {
    const t = this.t, c = this.c;
    return (t.lastSec[c] - t.firstSec[c]) + (t.lastNsec[c] - t.firstNsec[c]) * 1e-9;
  }

  packets(role: Role): number { return this.t.packets[2 * this.c + (role === 'client' ? 0 : 1)]; }
  bytes(role: Role): number { return this.t.bytes[2 * this.c + (role === 'client' ? 0 : 1)]; }

  private options(q: number): EndpointOptions | null {
    const t = this.t;
    if (t.wscale[q] === -1) return null; // no SYN seen from it
    return {
      mss: t.mss[q] >= 0 ? t.mss[q] : null,
      wscale: t.wscale[q] >= 0 ? t.wscale[q] : null,
      sack: (t.epFlags[q] & EF.SACK_OK) !== 0,
      timestamps: (t.epFlags[q] & EF.TIMESTAMPS) !== 0,
    };
  }

  private intervals(q: number): number[] {
    const t = this.t;
    const n = Math.min(Math.max(t.ctrlCount[q] - 1, 0), MAX_INTERVALS);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(round6(t.intervals[q * MAX_INTERVALS + i]));
    return out;
  }

  /** The flow record (a plain object, safe to keep). */
  toRecord(): FlowRecord {
    const t = this.t, c = this.c;
    const cl = 2 * c, sv = 2 * c + 1;
    const events: Record<string, number> = {};
    for (let k = 0; k < Ctr.COUNT; k++) {
      const n = t.counter(c, k);
      if (n > 0) events[COUNTER_NAMES[k]] = n;
    }
    if (t.ctrlCount[cl] > 1 && (t.connFlags[c] & CF.SYN_SEEN) !== 0) events['syn-retransmit'] = t.ctrlCount[cl] - 1;
    const oc = this.options(cl), os = this.options(sv);
    const cf = t.connFlags[c];
    const synack = t.synAckT[c];
    const synRetransmits = (cf & CF.SYN_SEEN) !== 0 && t.state[cl] !== undefined ? this.intervals(cl) : [];
    return {
      type: 'flow',
      id: t.serial[c],
      client: this.client,
      server: this.server,
      ip_version: t.family[c] === 6 ? 6 : 4,
      handshake: this.handshake,
      close: this.close,
      reset_by: this.resetBy,
      closed_by: this.closedBy,
      states: { client: this.clientState, server: this.serverState },
      conn_state: this.connState,
      history: this.history,
      anomalies: this.anomalies,
      events,
      start: this.start,
      end: this.end,
      duration: round6(this.duration),
      first_packet: t.firstPkt[c],
      last_packet: t.lastPkt[c],
      packets: { client: t.packets[cl], server: t.packets[sv] },
      bytes: { client: t.bytes[cl], server: t.bytes[sv] },
      rtt: this.rtt === null ? null : round6(this.rtt),
      rtt_server: synack > 0 && t.synT[c] > 0 ? round6(synack - t.synT[c]) : null,
      rtt_client: synack > 0 && t.estT[c] > 0 ? round6(t.estT[c] - synack) : null,
      options: {
        client: oc,
        server: os,
        window_scaling: oc !== null && os !== null && oc.wscale !== null && os.wscale !== null,
        sack: oc !== null && os !== null && oc.sack && os.sack,
        timestamps: oc !== null && os !== null && oc.timestamps && os.timestamps,
      },
      syn_retransmits: synRetransmits,
      synack_retransmits: this.intervals(sv),
      midstream: (cf & CF.MIDSTREAM) !== 0,
      end_reason: this.endReason,
    };
  }
}

export { ANOMALY_NAMES };
