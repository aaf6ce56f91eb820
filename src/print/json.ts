/**
 * `--json`: NDJSON on standard output. One `"type":"flow"` record per connection as it ends (or
 * at end of input), `--json=packets` adds a `"type":"packet"` record per packet with its decoded
 * fields and the tracker's events, and a last `"type":"summary"` record closes the stream.
 *
 * The printer holds no connection state: everything comes from the tracker's PacketResult and
 * FlowView.
 */
import { tallyBits } from '../bits.js';
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../decode/packet.js';
import { formatIpv4, formatIpv6 } from '../track/address.js';
import { ANOMALY_NAMES, EVENT_NAMES } from '../track/events.js';
import { type FlowView, MAX_FLOW_JSON } from '../track/flow.js';
import type { PacketResult } from '../track/result.js';
import { STATE_NAMES } from '../track/states.js';
import type { Tracker } from '../track/tracker.js';
import type { Output } from './output.js';
import { conditionMask, DEFAULT_FAIL_MASK } from '../check/conditions.js';

/** tcpdump's flag letters, in its order. */
export function tcpFlagString(flags: number): string {
  let s = '';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ECE) s += 'E';
  if (flags & TCP_CWR) s += 'W';
  if (flags & TCP_ACK) s += '.';
  return s === '' ? 'none' : s;
}

function ipText(pkt: Packet, src: boolean): string {
  if (pkt.ipVersion === 4) return formatIpv4(src ? pkt.src4 : pkt.dst4);
  const d = pkt.frame.data;
  const o = src ? pkt.src6Offset : pkt.dst6Offset;
  const w = (k: number): number => ((d[o + k] << 24) | (d[o + k + 1] << 16) | (d[o + k + 2] << 8) | d[o + k + 3]) >>> 0;
  return formatIpv6(w(0), w(4), w(8), w(12));
}

function epochText(f: Frame): string {
  return `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;
}

/** Counts gathered from the flow records for the summary record. */
export class FlowTally {
  flows = 0;
  readonly connStates: Record<string, number> = {};
  readonly closes: Record<string, number> = {};
  readonly handshakes: Record<string, number> = {};
  /** flows with each anomaly, by bit (counted per bit: no list of names per flow) */
  private readonly anomalyCounts = new Float64Array(32);
  /**
   * flows that `tcpscope check` fails under its default policy (DEFAULT_FAIL_MASK: aborted by a
   * reset, refused, half-open, SYN unanswered, handshake incomplete, half-closed at the end)
   */
  abnormal = 0;

  /** Flows with each anomaly (the anomalies seen), in ANOMALY_NAMES order. */
  get anomalies(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < ANOMALY_NAMES.length; i++) if (this.anomalyCounts[i] > 0) out[ANOMALY_NAMES[i]] = this.anomalyCounts[i];
    return out;
  }

  add(f: FlowView): void {
    this.flows++;
    const cs = f.connState, close = f.close, hs = f.handshake;
    this.connStates[cs] = (this.connStates[cs] ?? 0) + 1;
    this.closes[close] = (this.closes[close] ?? 0) + 1;
    this.handshakes[hs] = (this.handshakes[hs] ?? 0) + 1;
    tallyBits(this.anomalyCounts, f.anomalyMask);
    if ((conditionMask(f.anomalyMask, hs, close) & DEFAULT_FAIL_MASK) !== 0) this.abnormal++;
  }
}

export class JsonWriter {
  readonly tally = new FlowTally();

  constructor(private readonly out: Output, private readonly packets: boolean) {}

  /** A `"type":"packet"` record (only with --json=packets). */
  packet(frame: Frame, pkt: Packet, r: PacketResult | null): void {
    if (!this.packets) return;
    let s = `{"type":"packet","number":${frame.number},"time":${epochText(frame)},"length":${frame.wirelen}`;
    if (pkt.ipVersion !== 0) {
      s += `,"ip_version":${pkt.ipVersion},"src":"${ipText(pkt, true)}","dst":"${ipText(pkt, false)}","proto":${pkt.ipProto}`;
    }
    if (pkt.ipProto === 6 && pkt.l4Offset >= 0 && r !== null && r.tcp) {
      s += `,"sport":${pkt.srcPort},"dport":${pkt.dstPort},"flags":"${tcpFlagString(pkt.tcpFlags)}","seq":${pkt.seq},"ack":${pkt.ack},"win":${pkt.window},"payload":${pkt.payloadLength}`;
      s += `,"conn":${r.connId},"from":"${r.fromClient ? 'client' : 'server'}"`;
      s += `,"states":{"client":"${STATE_NAMES[r.clientAfter]}","server":"${STATE_NAMES[r.serverAfter]}"}`;
      // the sides whose state change on this packet the other side's packets prove, not a packet
      // of their own: the annotation's `(inferred)`, so only for a side whose state moved (as
      // there); left out when none, as rtt and interval are
      if (r.inferred !== 0) {
        const moved = (r.clientBefore !== r.clientAfter ? 1 : 0) | (r.serverBefore !== r.serverAfter ? 2 : 0);
        s += INFERRED_TEXT[r.inferred & moved];
      }
      s += ',"events":[';
      for (let i = 0; i < r.eventCount; i++) s += (i > 0 ? ',"' : '"') + EVENT_NAMES[r.events[i]] + '"';
      s += ']';
      if (r.rtt >= 0) s += `,"rtt":${round6(r.rtt)}`;
      if (r.interval >= 0) s += `,"interval":${round6(r.interval)}`;
      if (r.dupAckNum > 0) s += `,"dup_ack":${r.dupAckNum}`;
    }
    if (pkt.truncatedIn !== '') s += `,"truncated":"${pkt.truncatedIn}"`;
    if (pkt.malformed !== '') s += `,"malformed":${JSON.stringify(pkt.malformed)}`;
    this.out.write(s + '}\n');
  }

  /** A `"type":"flow"` record, written as bytes straight into the output buffer. */
  flow(view: FlowView): void {
    this.tally.add(view);
    const out = this.out;
    out.reserve(MAX_FLOW_JSON + 1);
    const end = view.writeJson(out.buf, out.len);
    out.buf[end] = 10; // \n
    out.len = end + 1;
  }

  /** The last record: totals of the run. */
  summary(tracker: Tracker, extra: { packets: number }): void {
    const st = tracker.stats;
    const anomalies = this.tally.anomalies;
    const rec = {
      type: 'summary',
      packets: extra.packets,
      tcp_packets: st.tcpPackets,
      connections: this.tally.flows,
      conn_states: this.tally.connStates,
      handshakes: this.tally.handshakes,
      closes: this.tally.closes,
      anomalies,
      abnormal: this.tally.abnormal,
      bad_checksums: st.badChecksums,
      peak_connections: st.peakConnections,
      expired: st.expired,
      evicted: st.evicted,
    };
    this.out.write(JSON.stringify(rec) + '\n');
  }
}

/** `"inferred"` by PacketResult.inferred (1 the client, 2 the server, 3 both). */
const INFERRED_TEXT: readonly string[] = ['', ',"inferred":["client"]', ',"inferred":["server"]', ',"inferred":["client","server"]'];

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
