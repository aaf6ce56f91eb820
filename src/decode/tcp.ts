/** TCP header and the options the tracker cares about. */
import { type Packet, Layer } from './packet.js';

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
export const TCPOPT_MD5 = 19;
export const TCPOPT_MPTCP = 30;
export const TCPOPT_FASTOPEN = 34;

/** Decode the TCP header at pkt.l4Offset. Returns true when the whole header was captured. */
export function decodeTcp(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l4Offset;
  const end = f.offset + f.caplen;
  if (off + 20 > end) { pkt.truncatedIn = 'tcp'; return false; }
  // read as the ten 16-bit words of the fixed header, which also sum to tcpHeaderSum
  const sport = (d[off] << 8) | d[off + 1], dport = (d[off + 2] << 8) | d[off + 3];
  const seqHi = (d[off + 4] << 8) | d[off + 5], seqLo = (d[off + 6] << 8) | d[off + 7];
  const ackHi = (d[off + 8] << 8) | d[off + 9], ackLo = (d[off + 10] << 8) | d[off + 11];
  const offFlags = (d[off + 12] << 8) | d[off + 13];
  const win = (d[off + 14] << 8) | d[off + 15], cksum = (d[off + 16] << 8) | d[off + 17], urg = (d[off + 18] << 8) | d[off + 19];
  pkt.srcPort = sport;
  pkt.dstPort = dport;
  pkt.seq = seqHi * 65536 + seqLo;
  pkt.ack = ackHi * 65536 + ackLo;
  const hlen = (offFlags >> 12) * 4;
  // byte 13's flags and byte 12's low bit (AE, formerly NS) as bit 8
  pkt.tcpFlags = offFlags & 0x1ff;
  pkt.window = win;
  pkt.tcpChecksum = cksum;
  pkt.urgent = urg;
  pkt.tcpHeaderSum = sport + dport + seqHi + seqLo + ackHi + ackLo + offFlags + win + cksum + urg;
  pkt.tcpHeaderLength = hlen;
  if (hlen < 20) { pkt.malformed = `bad tcp header length ${hlen}`; return false; }
  if (hlen > pkt.ipPayloadLength) { pkt.malformed = `tcp header length ${hlen} beyond IP payload ${pkt.ipPayloadLength}`; return false; }
  // from the IP length, so known even when the snap length cut the options
  pkt.payloadLength = pkt.ipPayloadLength - hlen;
  if (off + hlen > end) {
    pkt.truncatedIn = 'tcp';
    // the snap length cut the options: keep those captured whole (tcpdump prints them before
    // ` [|tcp]`), and mark the rest unknown
    if (hlen > 20) {
      decodeTcpOptions(pkt, d, off + 20, end);
      pkt.optCut = true;
    }
    return false;
  }
  pkt.payloadOffset = off + hlen;
  const captured = end - pkt.payloadOffset;
  pkt.payloadCaptured = captured < pkt.payloadLength ? captured : pkt.payloadLength;
  if (hlen > 20) decodeTcpOptions(pkt, d, off + 20, off + hlen);
  pkt.layer = Layer.Transport;
  return true;
}

function decodeTcpOptions(pkt: Packet, d: Uint8Array, off: number, end: number): void {
  pkt.extrasSet = true;
  while (off < end) {
    const kind = d[off];
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) { off++; continue; }
    if (off + 1 >= end) break;
    const len = d[off + 1];
    if (len < 2 || off + len > end) break;
    switch (kind) {
      case TCPOPT_MSS: if (len === 4) pkt.optMss = (d[off + 2] << 8) | d[off + 3]; break;
      case TCPOPT_WSCALE: if (len === 3) pkt.optWscale = d[off + 2]; break;
      case TCPOPT_SACK_PERMITTED: pkt.optSackPermitted = true; break;
      case TCPOPT_SACK: pkt.optSackBlocks = (len - 2) >> 3; break;
      case TCPOPT_TIMESTAMP:
        if (len === 10) {
          pkt.optHasTimestamp = true;
          pkt.optTsVal = ((d[off + 2] << 24) | (d[off + 3] << 16) | (d[off + 4] << 8) | d[off + 5]) >>> 0;
          pkt.optTsEcr = ((d[off + 6] << 24) | (d[off + 7] << 16) | (d[off + 8] << 8) | d[off + 9]) >>> 0;
        }
        break;
      case TCPOPT_MD5: pkt.optHasMd5 = true; break;
      case TCPOPT_MPTCP: pkt.optHasMptcp = true; break;
      case TCPOPT_FASTOPEN: pkt.optHasFastOpen = true; break;
    }
    off += len;
  }
}
