/** IPv4 header: version, header length, total length, fragments, protocol. */
import { type Packet, Layer } from './packet.js';

/** Decode the IPv4 header at pkt.l3Offset. Returns true when the payload of a whole header follows. */
export function decodeIpv4(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l3Offset;
  const end = f.offset + f.caplen;
  if (off + 20 > end) { pkt.truncatedIn = 'ip'; return false; }
  const vhl = d[off];
  if (vhl >> 4 !== 4) { pkt.malformed = `IP version ${vhl >> 4}`; return false; }
  const hlen = (vhl & 0x0f) * 4;
  if (hlen < 20) { pkt.malformed = `bad IP header length ${hlen}`; return false; }
  const total = (d[off + 2] << 8) | d[off + 3];
  if (total < hlen) { pkt.malformed = `bad IP length ${total}`; return false; }
  pkt.ipVersion = 4;
  pkt.ipHeaderLength = hlen;
  pkt.ipPayloadLength = total - hlen;
  pkt.ipId = (d[off + 4] << 8) | d[off + 5];
  const frag = (d[off + 6] << 8) | d[off + 7];
  pkt.fragmentOffset = (frag & 0x1fff) * 8;
  pkt.moreFragments = (frag & 0x2000) !== 0;
  pkt.ttl = d[off + 8];
  pkt.ipProto = d[off + 9];
  pkt.src4 = ((d[off + 12] << 24) | (d[off + 13] << 16) | (d[off + 14] << 8) | d[off + 15]) >>> 0;
  pkt.dst4 = ((d[off + 16] << 24) | (d[off + 17] << 16) | (d[off + 18] << 8) | d[off + 19]) >>> 0;
  if (off + hlen > end) { pkt.truncatedIn = 'ip'; return false; }
  pkt.l4Offset = off + hlen;
  pkt.layer = Layer.Network;
  return true;
}
