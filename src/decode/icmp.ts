/** ICMP (IPv4) and ICMPv6 headers: type, code, echo id/sequence, the datagram an error quotes. */
import { type Packet, Layer } from './packet.js';

/** ICMP types whose body quotes the offending datagram (RFC 792): unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);

/** Decode an ICMP (`v6` false) or ICMPv6 (`v6` true) header at pkt.l4Offset. */
export function decodeIcmp(pkt: Packet, v6: boolean): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l4Offset;
  const end = f.offset + f.caplen;
  const name = v6 ? 'icmp6' : 'icmp';
  if (off + 4 > end) { pkt.truncatedIn = name; return false; }
  const type = d[off];
  pkt.extrasSet = true;
  pkt.icmpType = type;
  pkt.icmpCode = d[off + 1];
  if (off + 8 > end) { pkt.truncatedIn = name; return false; }
  const echo = v6 ? type === 128 || type === 129 : type === 0 || type === 8 || type === 13 || type === 14;
  if (echo) {
    pkt.icmpId = (d[off + 4] << 8) | d[off + 5];
    pkt.icmpSeq = (d[off + 6] << 8) | d[off + 7];
  }
  // errors carry as much of the offending packet as fits; ICMPv6 errors are types 1-4
  const quotes = v6 ? type >= 1 && type <= 4 : ICMP4_ERRORS.has(type);
  if (quotes && off + 8 < end) pkt.icmpQuoteOffset = off + 8;
  pkt.payloadOffset = off + 8;
  pkt.payloadLength = Math.max(0, pkt.ipPayloadLength - 8);
  const captured = end - pkt.payloadOffset;
  pkt.payloadCaptured = captured < pkt.payloadLength ? captured : pkt.payloadLength;
  pkt.layer = Layer.Transport;
  return true;
}
