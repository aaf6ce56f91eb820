/** IPv4 header: version, header length, total length, fragments, protocol. */
import { foldSum, onesSum } from './checksum.js';
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
  const id = (d[off + 4] << 8) | d[off + 5];
  pkt.ipId = id;
  const frag = (d[off + 6] << 8) | d[off + 7];
  pkt.fragmentOffset = (frag & 0x1fff) * 8;
  pkt.moreFragments = (frag & 0x2000) !== 0;
  const ttl = d[off + 8], proto = d[off + 9];
  pkt.ttl = ttl;
  pkt.ipProto = proto;
  const srcHi = (d[off + 12] << 8) | d[off + 13], srcLo = (d[off + 14] << 8) | d[off + 15];
  const dstHi = (d[off + 16] << 8) | d[off + 17], dstLo = (d[off + 18] << 8) | d[off + 19];
  pkt.src4 = srcHi * 65536 + srcLo;
  pkt.dst4 = dstHi * 65536 + dstLo;
  if (off + hlen > end) { pkt.truncatedIn = 'ip'; return false; }
  // The header checksum, summed here from the words just read (the tracker checks it on every
  // segment; summed again from the bytes there it was ~20 more loads a packet).
  if (hlen === 20) {
    const sum = ((vhl << 8) | d[off + 1]) + total + id + frag + ((ttl << 8) | proto) + ((d[off + 10] << 8) | d[off + 11]) +
      srcHi + srcLo + dstHi + dstLo;
    if (foldSum(sum) !== 0xffff) pkt.ipChecksumBad = true;
  } else if (foldSum(onesSum(d, off, hlen)) !== 0xffff) pkt.ipChecksumBad = true;
  // (set, never cleared: a tunnelled packet's flag also tells of its carriers' headers)
  pkt.l4Offset = off + hlen;
  pkt.layer = Layer.Network;
  return true;
}
