/** ARP and RARP over Ethernet carrying IPv4 addresses (RFC 826). */
import { type Packet, Layer } from './packet.js';

/** Decode the ARP packet at pkt.l3Offset (hardware and protocol address lengths honoured). */
export function decodeArp(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l3Offset;
  const end = f.offset + f.caplen;
  if (off + 8 > end) { pkt.truncatedIn = 'arp'; return false; }
  pkt.extrasSet = true;
  const pro = (d[off + 2] << 8) | d[off + 3];
  const hln = d[off + 4];
  const pln = d[off + 5];
  pkt.arpOp = (d[off + 6] << 8) | d[off + 7];
  const sha = off + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  if (tpa + pln > end) { pkt.truncatedIn = 'arp'; return false; }
  if (hln === 6) {
    pkt.arpSenderMacOffset = sha;
    pkt.arpTargetMacOffset = tha;
  }
  if (pro === 0x0800 && pln === 4) {
    pkt.arpSenderIp = ((d[spa] << 24) | (d[spa + 1] << 16) | (d[spa + 2] << 8) | d[spa + 3]) >>> 0;
    pkt.arpTargetIp = ((d[tpa] << 24) | (d[tpa + 1] << 16) | (d[tpa + 2] << 8) | d[tpa + 3]) >>> 0;
  } else if (pln !== 4 || pro !== 0x0800) {
    pkt.malformed = `ARP for protocol 0x${pro.toString(16)} with ${pln}-byte addresses`;
  }
  pkt.layer = Layer.Network;
  return true;
}
