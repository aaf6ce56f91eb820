/** UDP header: ports, length, where the payload is. */
import { type Packet, Layer } from './packet.js';

/** Decode the UDP header at pkt.l4Offset. Returns true when the whole 8-byte header was captured. */
export function decodeUdp(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l4Offset;
  const end = f.offset + f.caplen;
  if (off + 8 > end) { pkt.truncatedIn = 'udp'; return false; }
  pkt.extrasSet = true;
  pkt.srcPort = (d[off] << 8) | d[off + 1];
  pkt.dstPort = (d[off + 2] << 8) | d[off + 3];
  const ulen = (d[off + 4] << 8) | d[off + 5];
  pkt.udpLength = ulen;
  if (ulen < 8) { pkt.malformed = `bad udp length ${ulen}`; return false; }
  // the payload is what both the UDP and the IP lengths allow
  let len = ulen - 8;
  const ipLeft = pkt.ipPayloadLength - 8;
  if (ipLeft < len) len = ipLeft < 0 ? 0 : ipLeft;
  pkt.payloadLength = len;
  pkt.payloadOffset = off + 8;
  const captured = end - pkt.payloadOffset;
  pkt.payloadCaptured = captured < len ? captured : len;
  pkt.layer = Layer.Transport;
  return true;
}
