/**
 * The line of an ordinary Ethernet/IPv4 or IPv6/TCP segment, written as bytes straight into the output
 * buffer: the same bytes tcpPrint (tcp.ts) and its callers make for it, at a fraction of the cost
 * (no string is built, flattened or encoded; see src/bytes.ts).
 *
 * It only takes what it knows every byte of, and leaves the rest to the full printer before it
 * has written or changed anything:
 *  - flags: no -v, -e, -q, -x/-X/-A, -# (any -t mode, -S, -n or not, --nano);
 *  - Ethernet II with EtherType IPv4 or IPv6 (no VLAN tag), record header sane;
 *  - IPv4: header whole and captured, total length within the frame and not below the header
 *    length, first fragment, protocol TCP;
 *  - IPv6: next header TCP (no extension headers), payload length set and within the frame;
 *  - TCP: header length ≥ 20 and within both the segment and the capture; options only from
 *    EOL, NOP, MSS, window scale, SACK permitted, SACK (1-4 blocks) and timestamps, each of its
 *    exact size; no application printer for the ports when there is a payload.
 * Anything else (truncation, bad lengths, other options, IP fragments, ...) returns false first,
 * so the full printer prints that packet with all of tcpdump's cases. The one side effect, the
 * relative-sequence lookup, happens only once the line is certain to be written here.
 */
import type { Frame } from '../../capture/frame.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TCP_URG } from '../../decode/packet.js';
import type { TcpdumpSeqTable } from '../../track/tcpdump-seq.js';
import { encode, putBytes, putLong, putUint } from '../../bytes.js';
import type { PrintOptions } from '../options.js';
import type { Output } from '../output.js';
import { TCP_PORT_HAS_PRINTER, tcpPortPrinter } from './dispatch.js';
import type { Names } from './names.js';
import { FLAG_TEXT } from './tcp.js';
import type { TimeFormatter } from './time.js';

/** libpcap's MAXIMUM_SNAPLEN (records claiming more take the full printer's invalid-header path) */
const MAXIMUM_SNAPLEN = 262144;
/** Ethernet (14) + IPv4 (20) + TCP (20): the least a frame this path prints has captured */
const MIN_CAPLEN = 54;
/** Ethernet (14) + IPv6 (40) + TCP (20) */
const MIN_CAPLEN6 = 74;

const FLAG_BYTES: readonly Uint8Array[] = FLAG_TEXT.map(encode);
const IP = encode('IP ');
const SEQ = encode(', seq ');
const ACK = encode(', ack ');
const URG = encode(', urg ');
const OPTIONS = encode(', options [');
const MSS = encode('mss ');
const WSCALE = encode('wscale ');
const SACK_OK = encode('sackOK');
const SACK = encode('sack ');
const TS_VAL = encode('TS val ');
const TS_ECR = encode(' ecr ');
const NOP = encode('nop');
const EOL = encode('eol');

/**
 * Bytes a line may take besides its addresses: a time stamp (under 40 even for odd -t deltas),
 * flags, seq/ack/win/urg, and at most 40 bytes of options (worst: 4 SACK blocks of two 10-digit
 * numbers, ~110 bytes, or 40 NOPs, 159).
 */
const LINE_ROOM = 512;

const PREFIX_BITS = 15;
const PREFIX_SLOTS = 1 << PREFIX_BITS;
/** `IP ` + the longest `255.255.255.255.65535 > 255.255.255.255.65535: ` (50 bytes), rounded up */
const PREFIX_ROOM = 64;

/**
 * `, win N` and `, length N` as bytes, made on first use: most segments repeat a few values,
 * and a copy is cheaper than writing the digits.
 */
const WIN_BYTES: (Uint8Array | undefined)[] = new Array(65536).fill(undefined);
const LENGTH_BYTES: (Uint8Array | undefined)[] = new Array(65536).fill(undefined);

function winBytes(win: number): Uint8Array {
  return WIN_BYTES[win] ?? (WIN_BYTES[win] = encode(', win ' + win));
}

/** (the TCP length is below 65536: it comes from the IP total length minus headers) */
function lengthBytes(length: number): Uint8Array {
  return LENGTH_BYTES[length] ?? (LENGTH_BYTES[length] = encode(', length ' + length));
}

const EP_BITS = 14;
const EP6_BITS = 12;
const EP6_SLOTS = 1 << EP6_BITS;
const EP_SLOTS = 1 << EP_BITS;

function be32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}

/**
 * Options this path prints, each of the exact size tcpdump expects (so no `[len N]`, `[bad opt]`
 * or truncation can come of them), up to the end of the header or an EOL.
 */
function plainOptions(d: Uint8Array, cp: number, n: number): boolean {
  while (n > 0) {
    const opt = d[cp];
    if (opt === 0) return true; // EOL: tcpdump stops the list there
    if (opt === 1) {
      cp++;
      n--;
      continue;
    }
    if (n < 2) return false;
    const len = d[cp + 1];
    if (len > n) return false;
    switch (opt) {
      case 2: if (len !== 4) return false; break; // mss
      case 3: if (len !== 3) return false; break; // wscale
      case 4: if (len !== 2) return false; break; // sackOK
      case 5: if (len < 10 || (len - 2) % 8 !== 0) return false; break; // sack, 1 to 4 blocks
      case 8: if (len !== 10) return false; break; // TS
      default: return false;
    }
    cp += len;
    n -= len;
  }
  return true;
}

export class FastLinePrinter {
  /** `SRC.SPORT > DST.DPORT: ` as bytes, direct-mapped by the 4-tuple: [src, dst, sport<<16|dport] */
  private readonly epKeys = new Uint32Array(EP_SLOTS * 3);
  private readonly epVals: (Uint8Array | undefined)[] = new Array(EP_SLOTS).fill(undefined);

  /** Whether this path can print any line at all with these flags. */
  static handles(opts: PrintOptions): boolean {
    return opts.verbose === 0 && !opts.linkHeader && !opts.quick && opts.hex === 0 && opts.hexAscii === 0 &&
      !opts.ascii && !opts.packetNumbers;
  }

  private readonly numeric: boolean;
  /** IPv6: `IP6 SRC.SPORT > DST.DPORT: ` as bytes, keys [src words 0-3, dst words 0-3, sport<<16|dport] */
  private readonly ep6Keys = new Uint32Array(EP6_SLOTS * 9);
  private readonly ep6Vals: (Uint8Array | undefined)[] = new Array(EP6_SLOTS).fill(undefined);
  /**
   * With -n: `IP SRC.SPORT > DST.DPORT: ` per 4-tuple, direct-mapped, each slot PREFIX_ROOM
   * bytes of one slab: keys [src, dst, sport<<16|dport]. Each slot's text is also kept as a view
   * of the slab (made when the slot is filled: one small object per 4-tuple, none per packet),
   * copied into the line with TypedArray#set: ~35 ns for its 26-50 bytes, where a byte loop
   * took ~110 (microbenchmark), and it is copied into every line.
   */
  private readonly prefixKeys = new Uint32Array(PREFIX_SLOTS * 3);
  private readonly prefixViews: (Uint8Array | undefined)[] = new Array(PREFIX_SLOTS).fill(undefined);
  private readonly prefixSlab = new Uint8Array(PREFIX_SLOTS * PREFIX_ROOM);

  constructor(private readonly out: Output, private readonly time: TimeFormatter, private readonly names: Names,
    private readonly seqTable: TcpdumpSeqTable, private readonly absoluteSeq: boolean) {
    this.numeric = names.numeric;
  }

  /** Print the frame's line if it is one this path takes (true), else write nothing (false). */
  print(frame: Frame): boolean {
    if (frame.linktype !== 1) return false;
    const caplen = frame.caplen;
    const wirelen = frame.wirelen;
    if (caplen < MIN_CAPLEN || wirelen < caplen || wirelen > MAXIMUM_SNAPLEN) return false;
    const d = frame.data;
    const eth = frame.offset;
    if (d[eth + 12] === 0x86 && d[eth + 13] === 0xdd) return this.ip6(frame, d, eth, caplen, wirelen);
    if (d[eth + 12] !== 0x08 || d[eth + 13] !== 0x00) return false;
    // IPv4 (ipPrint): the length it is given is what Ethernet leaves of the frame
    const iph = eth + 14;
    const vhl = d[iph];
    const ihl = (vhl & 0x0f) * 4;
    if ((vhl & 0xf0) !== 0x40 || ihl < 20) return false;
    const ipLen = (d[iph + 2] << 8) | d[iph + 3];
    if (ipLen > wirelen - 14 || ipLen < ihl) return false;
    if ((((d[iph + 6] << 8) | d[iph + 7]) & 0x1fff) !== 0 || d[iph + 9] !== 6) return false;
    // the snap end cut to the IP total length, as ipPrint does
    let snap = eth + caplen;
    if (iph + ipLen < snap) snap = iph + ipLen;
    return this.segment(frame, d, iph, iph + ihl, snap, ipLen - ihl, false);
  }

  /**
   * IPv6 (ip6Print) whose next header is TCP itself (no extension header) and whose payload
   * length is set (no jumbogram) and within the frame.
   */
  private ip6(frame: Frame, d: Uint8Array, eth: number, caplen: number, wirelen: number): boolean {
    const iph = eth + 14;
    if (caplen < MIN_CAPLEN6 || (d[iph] & 0xf0) !== 0x60 || d[iph + 6] !== 6) return false;
    const payloadLen = (d[iph + 4] << 8) | d[iph + 5];
    if (payloadLen === 0 || payloadLen + 40 > wirelen - 14) return false;
    let snap = eth + caplen;
    if (iph + 40 + payloadLen < snap) snap = iph + 40 + payloadLen;
    return this.segment(frame, d, iph, iph + 40, snap, payloadLen, true);
  }

  /**
   * The TCP segment at `tp` (tcpPrint), `length` bytes by the IP header, captured up to `snap`:
   * false before anything is written if it is not one this path prints.
   */
  private segment(frame: Frame, d: Uint8Array, iph: number, tp: number, snap: number, length: number, v6: boolean): boolean {
    if (tp + 20 > snap) return false;
    const thl = (d[tp + 12] >> 4) * 4;
    if (thl < 20 || thl > length || tp + thl > snap) return false;
    if (thl > 20 && !plainOptions(d, tp + 20, thl - 20)) return false;
    const sport = (d[tp] << 8) | d[tp + 1];
    const dport = (d[tp + 2] << 8) | d[tp + 3];
    const payload = length - thl;
    if (payload > 0 && (TCP_PORT_HAS_PRINTER[sport] | TCP_PORT_HAS_PRINTER[dport]) !== 0 &&
      tcpPortPrinter(sport, dport) !== undefined) return false;

    // from here on the line is written
    const src = v6 ? 0 : be32(d, iph + 12);
    const dst = v6 ? 0 : be32(d, iph + 16);
    const out = this.out;
    let pos: number;
    let buf: Buffer;
    if (v6) {
      // `IP6 SRC.SPORT > DST.DPORT: ` (Names' text, with or without -n), cached as bytes
      const ep = this.endpoints6(d, iph, sport, dport);
      out.reserve(ep.length + LINE_ROOM);
      buf = out.buf;
      pos = this.time.put(buf, out.len, frame.tsSec, frame.tsNsec);
      pos = putLong(buf, pos, ep);
    } else if (this.numeric) {
      // -n: `IP SRC.SPORT > DST.DPORT: ` from the per-4-tuple cache of those bytes
      out.reserve(LINE_ROOM);
      buf = out.buf;
      pos = this.time.put(buf, out.len, frame.tsSec, frame.tsNsec);
      pos = putLong(buf, pos, this.numericPrefix(d, iph, src, dst, sport, dport));
    } else {
      // names: Names' text, cached as bytes
      const ep = this.endpoints(src, dst, sport, dport);
      out.reserve(ep.length + LINE_ROOM);
      buf = out.buf;
      pos = this.time.put(buf, out.len, frame.tsSec, frame.tsNsec);
      pos = putBytes(buf, pos, IP);
      pos = putLong(buf, pos, ep);
    }
    const flags = d[tp + 13];
    pos = putBytes(buf, pos, FLAG_BYTES[flags]);
    let seq = be32(d, tp + 4);
    let ack = be32(d, tp + 8);
    let rev = false;
    let thSeq = 0;
    let thAck = 0;
    if (!this.absoluteSeq && (flags & TCP_ACK) !== 0) {
      const syn = (flags & TCP_SYN) !== 0;
      const r = v6 ? this.seqTable.lookup6(d, iph + 8, iph + 24, sport, dport, seq, ack, syn)
        : this.seqTable.lookup4(src, dst, sport, dport, seq, ack, syn);
      seq = r.seq;
      ack = r.ack;
      rev = r.rev;
      thSeq = r.thSeq;
      thAck = r.thAck;
    }
    if (payload > 0 || (flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
      pos = putUint(buf, putBytes(buf, pos, SEQ), seq);
      if (payload > 0) {
        buf[pos++] = 0x3a; // ':'
        pos = putUint(buf, pos, (seq + payload) >>> 0);
      }
    }
    if ((flags & TCP_ACK) !== 0) pos = putUint(buf, putBytes(buf, pos, ACK), ack);
    pos = putBytes(buf, pos, winBytes((d[tp + 14] << 8) | d[tp + 15]));
    if ((flags & TCP_URG) !== 0) pos = putUint(buf, putBytes(buf, pos, URG), (d[tp + 18] << 8) | d[tp + 19]);
    if (thl > 20) pos = putOptions(buf, pos, d, tp + 20, thl - 20, rev ? thSeq : thAck);
    pos = putBytes(buf, pos, lengthBytes(payload));
    buf[pos++] = 0x0a;
    out.len = pos;
    return true;
  }

  /** This 4-tuple's `IP SRC.SPORT > DST.DPORT: ` from the prefix cache (made on a miss). */
  private numericPrefix(d: Uint8Array, iph: number, src: number, dst: number, sport: number, dport: number): Uint8Array {
    const ports = ((sport << 16) | dport) >>> 0;
    const slot = Math.imul(src ^ Math.imul(dst, 0x85ebca6b) ^ Math.imul(ports, 0xc2b2ae35), 0x9e3779b1) >>> (32 - PREFIX_BITS);
    const k = this.prefixKeys;
    const b = slot * 3;
    const hit = this.prefixViews[slot];
    if (hit !== undefined && k[b] === src && k[b + 1] === dst && k[b + 2] === ports) return hit;
    const slab = this.prefixSlab;
    const start = slot * PREFIX_ROOM;
    let pos = putBytes(slab, start, IP);
    pos = putIp4(slab, pos, d, iph + 12);
    slab[pos++] = 0x2e; // '.'
    pos = putUint(slab, pos, sport);
    slab[pos++] = 0x20;
    slab[pos++] = 0x3e; // '>'
    slab[pos++] = 0x20;
    pos = putIp4(slab, pos, d, iph + 16);
    slab[pos++] = 0x2e;
    pos = putUint(slab, pos, dport);
    slab[pos++] = 0x3a; // ':'
    slab[pos++] = 0x20;
    k[b] = src;
    k[b + 1] = dst;
    k[b + 2] = ports;
    const view = slab.subarray(start, pos);
    this.prefixViews[slot] = view;
    return view;
  }

  /** `IP6 SRC.SPORT > DST.DPORT: ` as bytes, direct-mapped by the addresses and ports. */
  private endpoints6(d: Uint8Array, iph: number, sport: number, dport: number): Uint8Array {
    const k = this.ep6Keys;
    let h = ((sport << 16) | dport) >>> 0;
    for (let o = iph + 8; o < iph + 40; o += 4) h = Math.imul(h ^ be32(d, o), 0x9e3779b1) ^ (h >>> 15);
    const slot = Math.imul(h, 0x85ebca6b) >>> (32 - EP6_BITS);
    const b = slot * 9;
    const hit = this.ep6Vals[slot];
    if (hit !== undefined && k[b + 8] === (((sport << 16) | dport) >>> 0)) {
      let same = true;
      for (let i = 0; i < 8 && same; i++) same = k[b + i] === be32(d, iph + 8 + i * 4);
      if (same) return hit;
    }
    const names = this.names;
    const bytes = encode('IP6 ' + names.ip6At(d, iph + 8) + '.' + names.tcpPort(sport) + ' > ' + names.ip6At(d, iph + 24) + '.' +
      names.tcpPort(dport) + ': ');
    for (let i = 0; i < 8; i++) k[b + i] = be32(d, iph + 8 + i * 4);
    k[b + 8] = ((sport << 16) | dport) >>> 0;
    this.ep6Vals[slot] = bytes;
    return bytes;
  }

  /** The endpoints' text (Names.endpoints4, so names without -n too) as bytes, cached by 4-tuple. */
  private endpoints(src: number, dst: number, sport: number, dport: number): Uint8Array {
    const ports = ((sport << 16) | dport) >>> 0;
    const slot = Math.imul(src ^ Math.imul(dst, 0x85ebca6b) ^ Math.imul(ports, 0xc2b2ae35), 0x9e3779b1) >>> (32 - EP_BITS);
    const k = this.epKeys;
    const b = slot * 3;
    const hit = this.epVals[slot];
    if (hit !== undefined && k[b] === src && k[b + 1] === dst && k[b + 2] === ports) return hit;
    const bytes = encode(this.names.endpoints4(src, dst, sport, dport, true));
    k[b] = src;
    k[b + 1] = dst;
    k[b + 2] = ports;
    this.epVals[slot] = bytes;
    return bytes;
  }
}

/** Dotted-quad IPv4 address from the 4 bytes at `o` (what Names prints with -n). */
function putIp4(buf: Uint8Array, pos: number, d: Uint8Array, o: number): number {
  pos = putUint(buf, pos, d[o]);
  buf[pos++] = 0x2e;
  pos = putUint(buf, pos, d[o + 1]);
  buf[pos++] = 0x2e;
  pos = putUint(buf, pos, d[o + 2]);
  buf[pos++] = 0x2e;
  return putUint(buf, pos, d[o + 3]);
}

/**
 * `, options [...]` for a list plainOptions accepted. SACK edges are printed relative to `base`
 * (tcpdump subtracts the entry's ack, or its seq for a segment against the entry's order).
 */
function putOptions(buf: Uint8Array, pos: number, d: Uint8Array, cp: number, n: number, base: number): number {
  pos = putBytes(buf, pos, OPTIONS);
  let first = true;
  while (n > 0) {
    if (!first) buf[pos++] = 0x2c; // ','
    first = false;
    const opt = d[cp];
    if (opt === 0) {
      pos = putBytes(buf, pos, EOL);
      break;
    }
    if (opt === 1) {
      pos = putBytes(buf, pos, NOP);
      cp++;
      n--;
      continue;
    }
    const len = d[cp + 1];
    switch (opt) {
      case 2:
        pos = putUint(buf, putBytes(buf, pos, MSS), (d[cp + 2] << 8) | d[cp + 3]);
        break;
      case 3:
        pos = putUint(buf, putBytes(buf, pos, WSCALE), d[cp + 2]);
        break;
      case 4:
        pos = putBytes(buf, pos, SACK_OK);
        break;
      case 5: {
        pos = putUint(buf, putBytes(buf, pos, SACK), (len - 2) / 8);
        buf[pos++] = 0x20;
        for (let i = cp + 2; i < cp + len; i += 8) {
          buf[pos++] = 0x7b; // '{'
          pos = putUint(buf, pos, (be32(d, i) - base) >>> 0);
          buf[pos++] = 0x3a;
          pos = putUint(buf, pos, (be32(d, i + 4) - base) >>> 0);
          buf[pos++] = 0x7d; // '}'
        }
        break;
      }
      case 8:
        pos = putUint(buf, putBytes(buf, pos, TS_VAL), be32(d, cp + 2));
        pos = putUint(buf, putBytes(buf, pos, TS_ECR), be32(d, cp + 6));
        break;
    }
    cp += len;
    n -= len;
  }
  buf[pos++] = 0x5d; // ']'
  return pos;
}
