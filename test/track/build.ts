/**
 * Test-side packet builder: TCP segments over IPv4/IPv6 over Ethernet (optionally VLAN-tagged),
 * Linux cooked v1/v2, BSD loopback or raw IP, with correct checksums (its own RFC 1071 code, so
 * it also checks the tracker's). A `Conversation` keeps each side's next sequence number, like
 * the corpus's pktlib.py, so tests read as the TCP exchange they build.
 */
import { writeFileSync } from 'node:fs';
import { newFrame, type Frame } from '../../src/capture/frame.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import type { FlowRecord } from '../../src/track/flow.js';
import { EVENT_NAMES } from '../../src/track/events.js';
import { STATE_NAMES } from '../../src/track/states.js';
import { Tracker, type TrackerOptions } from '../../src/track/tracker.js';
import type { PacketResult } from '../../src/track/result.js';

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

export type Link = 'ether' | 'vlan' | 'sll' | 'sll2' | 'null' | 'raw';
export const LINKTYPE_OF: Record<Link, number> = { ether: 1, vlan: 1, sll: 113, sll2: 276, null: 0, raw: 101 };

export interface BuiltFrame {
  bytes: Uint8Array;
  /** capture time, seconds */
  t: number;
  linktype: number;
}

// ---- bytes ------------------------------------------------------------------------------------

function csum(parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i];
      else { sum += (odd << 8) | p[i]; odd = -1; }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipBytes(a: string): Uint8Array {
  if (!a.includes(':')) return Uint8Array.from(a.split('.').map(Number));
  const [head, tail] = a.includes('::') ? a.split('::') : [a, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 255; });
  return out;
}

export const opt = {
  mss: (v: number) => [2, 4, v >> 8, v & 255],
  ws: (v: number) => [3, 3, v],
  sackOk: () => [4, 2],
  ts: (val: number, ecr: number) => [8, 10, val >>> 24, (val >>> 16) & 255, (val >>> 8) & 255, val & 255, ecr >>> 24, (ecr >>> 16) & 255, (ecr >>> 8) & 255, ecr & 255],
  nop: () => [1],
  sack: (...blocks: Array<[number, number]>) => [5, 2 + 8 * blocks.length, ...blocks.flatMap(([l, r]) => [l >>> 24, (l >>> 16) & 255, (l >>> 8) & 255, l & 255, r >>> 24, (r >>> 16) & 255, (r >>> 8) & 255, r & 255])],
};
export const LINUX_SYN = (ts = 1000): number[] => [...opt.mss(1460), ...opt.sackOk(), ...opt.ts(ts, 0), ...opt.nop(), ...opt.ws(7)];

export function tcpSegment(src: string, dst: string, sport: number, dport: number, seq: number, ack: number, flags: number,
  win: number, payload: Uint8Array, options: number[] = [], badChecksum = false): Uint8Array {
  const opts = [...options];
  while (opts.length % 4 !== 0) opts.push(0);
  const hl = 20 + opts.length;
  const seg = new Uint8Array(hl + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, sport); v.setUint16(2, dport);
  v.setUint32(4, seq >>> 0); v.setUint32(8, ack >>> 0);
  seg[12] = (hl / 4) << 4; seg[13] = flags & 0xff;
  v.setUint16(14, win);
  seg.set(opts, 20);
  seg.set(payload, hl);
  const s = ipBytes(src), d = ipBytes(dst);
  const pseudo = s.length === 4
    ? Uint8Array.from([...s, ...d, 0, 6, seg.length >> 8, seg.length & 255])
    : Uint8Array.from([...s, ...d, 0, 0, seg.length >> 8, seg.length & 255, 0, 0, 0, 6]);
  let c = csum([pseudo, seg]);
  if (badChecksum) c ^= 0x5a5a;
  v.setUint16(16, c);
  return seg;
}

export function ipPacket(src: string, dst: string, proto: number, payload: Uint8Array, ident = 1, badIpChecksum = false): Uint8Array {
  const s = ipBytes(src), d = ipBytes(dst);
  if (s.length === 16) {
    const out = new Uint8Array(40 + payload.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, 6 << 28);
    v.setUint16(4, payload.length);
    out[6] = proto; out[7] = 64;
    out.set(s, 8); out.set(d, 24); out.set(payload, 40);
    return out;
  }
  const out = new Uint8Array(20 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x45;
  v.setUint16(2, out.length);
  v.setUint16(4, ident & 0xffff);
  v.setUint16(6, 0x4000);
  out[8] = 64; out[9] = proto;
  out.set(s, 12); out.set(d, 16);
  let c = csum([out.subarray(0, 20)]);
  if (badIpChecksum) c ^= 0x1111;
  v.setUint16(10, c);
  out.set(payload, 20);
  return out;
}

export function linkFrame(kind: Link, l3: Uint8Array, v6: boolean): Uint8Array {
  const etype = v6 ? 0x86dd : 0x0800;
  const mac = [2, 0, 0, 0, 0, 1], mac2 = [2, 0, 0, 0, 0, 2];
  let head: number[];
  switch (kind) {
    case 'ether': head = [...mac2, ...mac, etype >> 8, etype & 255]; break;
    case 'vlan': head = [...mac2, ...mac, 0x81, 0x00, 0, 42, etype >> 8, etype & 255]; break;
    case 'sll': head = [0, 0, 0, 1, 0, 6, ...mac, 0, 0, etype >> 8, etype & 255]; break;
    case 'sll2': head = [etype >> 8, etype & 255, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, ...mac, 0, 0]; break;
    case 'null': head = v6 ? [30, 0, 0, 0] : [2, 0, 0, 0]; break;
    case 'raw': head = []; break;
  }
  const out = new Uint8Array(head.length + l3.length);
  out.set(head, 0);
  out.set(l3, head.length);
  return out;
}

// ---- conversations ----------------------------------------------------------------------------

export interface ConversationOptions {
  client?: string;
  server?: string;
  cport?: number;
  sport?: number;
  isnC?: number;
  isnS?: number;
  t0?: number;
  link?: Link;
  winC?: number;
  winS?: number;
}

export interface SendOptions {
  data?: number | Uint8Array;
  seq?: number;
  ack?: number;
  win?: number;
  opts?: number[];
  /** seconds after the previous frame */
  dt?: number;
  /** advance the sender's next sequence number (default: when seq was not given) */
  consume?: boolean;
  badChecksum?: boolean;
  badIpChecksum?: boolean;
}

export type Side = 'c' | 's';

export class Conversation {
  readonly frames: BuiltFrame[] = [];
  readonly nxt: Record<Side, number>;
  t: number;
  private readonly ep: Record<Side, [string, number]>;
  private readonly win: Record<Side, number>;
  private readonly link: Link;
  private ident = 100;

  constructor(o: ConversationOptions = {}) {
    const client = o.client ?? '10.0.0.1', server = o.server ?? '10.0.0.2';
    this.ep = { c: [client, o.cport ?? 40000], s: [server, o.sport ?? 7000] };
    this.nxt = { c: (o.isnC ?? 1000) >>> 0, s: (o.isnS ?? 5000) >>> 0 };
    this.win = { c: o.winC ?? 64240, s: o.winS ?? 65160 };
    this.t = o.t0 ?? 1_700_000_000;
    this.link = o.link ?? 'ether';
  }

  static other(side: Side): Side { return side === 'c' ? 's' : 'c'; }

  send(side: Side, flags: number, o: SendOptions = {}): this {
    this.t += o.dt ?? 0.001;
    const [src, sp] = this.ep[side];
    const [dst, dp] = this.ep[Conversation.other(side)];
    const payload = typeof o.data === 'number' ? Uint8Array.from({ length: o.data }, (_, i) => 65 + (i % 26)) : o.data ?? new Uint8Array(0);
    const seq = o.seq ?? this.nxt[side];
    const ack = flags & ACK ? (o.ack ?? this.nxt[Conversation.other(side)]) : (o.ack ?? 0);
    const seg = tcpSegment(src, dst, sp, dp, seq, ack, flags, o.win ?? this.win[side], payload, o.opts ?? [], o.badChecksum);
    const l3 = ipPacket(src, dst, 6, seg, this.ident++, o.badIpChecksum);
    this.frames.push({ bytes: linkFrame(this.link, l3, src.includes(':')), t: this.t, linktype: LINKTYPE_OF[this.link] });
    if (o.consume ?? o.seq === undefined) {
      this.nxt[side] = (seq + payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    }
    return this;
  }

  handshake(rtt = 0.0004): this {
    return this.send('c', SYN, { opts: LINUX_SYN(), dt: 0 }).send('s', SYN | ACK, { opts: LINUX_SYN(2000), dt: rtt / 2 }).send('c', ACK, { dt: rtt / 2 });
  }

  data(side: Side, n: number, dt = 0.001, ackBack = true): this {
    this.send(side, ACK | PSH, { data: n, dt });
    if (ackBack) this.send(Conversation.other(side), ACK, { dt: 0.0002 });
    return this;
  }

  close4(closer: Side = 'c'): this {
    const o = Conversation.other(closer);
    return this.send(closer, FIN | ACK).send(o, ACK, { dt: 0.0002 }).send(o, FIN | ACK, { dt: 0.0005 }).send(closer, ACK, { dt: 0.0002 });
  }
}

// ---- running the tracker ----------------------------------------------------------------------

export interface PacketView {
  number: number;
  fromClient: boolean;
  events: string[];
  client: string;
  server: string;
  /** a state passed through on this packet (between before and after), if any */
  clientVia?: string;
  serverVia?: string;
  /** a second state passed through, after the first */
  clientVia2?: string;
  serverVia2?: string;
  /** the sides whose change is inferred from the other's packets ('client', 'server') */
  inferred?: string[];
}

export interface Tracked {
  flows: FlowRecord[];
  packets: PacketView[];
  tracker: Tracker;
}

/** Feed frames (sorted by time) to a fresh tracker; collect per-packet results and flow records. */
/**
 * Feed built frames to `tracker` in time order as a capture would (packet numbers from 1), then
 * finish it; `onPacket` sees each packet's result.
 */
/** Track `frames` in time order, then end the run (`finishReason`: how the tracker ends what is left). */
/**
 * `order`: 'time' sorts the frames by time stamp first; 'given' feeds them as built, the way a
 * capture whose clock steps back delivers them.
 */
export function feed(frames: BuiltFrame[], tracker: Tracker, onPacket?: (r: PacketResult, number: number) => void,
  finishReason?: Parameters<Tracker['finish']>[0], order: 'time' | 'given' = 'time'): void {
  const pkt = new Packet();
  const frame: Frame = newFrame();
  const sorted = order === 'given' ? frames : frames.slice().sort((a, b) => a.t - b.t);
  sorted.forEach((b, i) => {
    frame.data = b.bytes;
    frame.offset = 0;
    frame.caplen = b.bytes.length;
    frame.wirelen = b.bytes.length;
    frame.tsSec = Math.floor(b.t);
    frame.tsNsec = Math.round((b.t - Math.floor(b.t)) * 1e9);
    frame.linktype = b.linktype;
    frame.number = i + 1;
    decodePacket(frame, pkt);
    const r = tracker.track(pkt);
    if (onPacket !== undefined) onPacket(r, i + 1);
  });
  tracker.finish(finishReason);
}

export function track(frames: BuiltFrame[], opts: TrackerOptions = {}, order: 'time' | 'given' = 'time'): Tracked {
  const flows: FlowRecord[] = [];
  const tracker = new Tracker({ ...opts, onFlowEnd: (f) => flows.push(f.toRecord()) });
  const packets: PacketView[] = [];
  feed(frames, tracker, (r, number) => {
    const events: string[] = [];
    for (let k = 0; k < r.eventCount; k++) events.push(EVENT_NAMES[r.events[k]]);
    const view: PacketView = { number, fromClient: r.fromClient, events, client: STATE_NAMES[r.clientAfter], server: STATE_NAMES[r.serverAfter] };
    if (r.clientVia >= 0) view.clientVia = STATE_NAMES[r.clientVia];
    if (r.serverVia >= 0) view.serverVia = STATE_NAMES[r.serverVia];
    if (r.clientVia2 >= 0) view.clientVia2 = STATE_NAMES[r.clientVia2];
    if (r.serverVia2 >= 0) view.serverVia2 = STATE_NAMES[r.serverVia2];
    if (r.inferred !== 0) view.inferred = ['client', 'server'].filter((_, i) => (r.inferred & (1 << i)) !== 0);
    packets.push(view);
  }, undefined, order);
  return { flows, packets, tracker };
}

/** Write frames as a classic microsecond pcap (all frames must share one link type). */
export function writePcap(path: string, frames: BuiltFrame[]): void {
  const sorted = frames.slice().sort((a, b) => a.t - b.t);
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true); head.setUint16(4, 2, true); head.setUint16(6, 4, true);
  head.setUint32(16, 262144, true); head.setUint32(20, sorted[0]?.linktype ?? 1, true);
  parts.push(new Uint8Array(head.buffer));
  for (const f of sorted) {
    const rec = new DataView(new ArrayBuffer(16));
    const sec = Math.floor(f.t);
    let usec = Math.round((f.t - sec) * 1e6);
    let s2 = sec;
    if (usec >= 1e6) { s2++; usec -= 1e6; }
    rec.setUint32(0, s2, true); rec.setUint32(4, usec, true);
    rec.setUint32(8, f.bytes.length, true); rec.setUint32(12, f.bytes.length, true);
    parts.push(new Uint8Array(rec.buffer), f.bytes);
  }
  writeFileSync(path, Buffer.concat(parts));
}
