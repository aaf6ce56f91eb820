/**
 * The decoded view of one frame, as the tracker, the filter and the JSON output need it.
 *
 * One Packet object is reused for every frame (overwritten by `decodePacket`): no allocation on
 * the hot path. Addresses are not copied: IPv4 addresses are held as unsigned 32-bit numbers,
 * IPv6 addresses as offsets into `frame.data`. Anything a consumer keeps must be copied out.
 *
 * Field names are a contract between src/decode, src/track and src/print: add fields, do not
 * rename them.
 */
import type { Frame } from '../capture/frame.js';

/** TCP flag bits as they sit in byte 13 of the header (plus NS from byte 12 as bit 8). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/**
 * A SYN that sets ECN up (RFC 3168 6.1.1), from its flags: a SYN with ECE and CWR, or a SYN-ACK
 * with ECE and without CWR.
 */
export function isEcnSetup(flags: number): boolean {
  return (flags & TCP_ECE) !== 0 && ((flags & TCP_CWR) !== 0) === ((flags & TCP_ACK) === 0);
}
export const TCP_AE = 0x100;

/**
 * Encapsulations passed on the way to the packet decoded (Packet.encapsulation bits): its
 * network and transport fields are those of the innermost packet, which is what is tracked.
 */
export const ENCAP_MPLS = 0x01;
export const ENCAP_PPPOE = 0x02;
export const ENCAP_GRE = 0x04;
export const ENCAP_IPIP = 0x08;
/** an Ethernet frame carried in GRE (transparent Ethernet bridging, EtherType 0x6558) */
export const ENCAP_ETHERNET = 0x10;
/** at most this many encapsulations are passed in one frame (Zeek's Tunnel::max_depth is 4 too) */
export const MAX_ENCAP_DEPTH = 4;

/** How far decoding got: which layers are present and whole. */
export const enum Layer {
  None = 0,
  Link = 1,
  Network = 2,
  Transport = 3,
}

/**
 * Initial value of the fields that hold unsigned 32-bit numbers (addresses, sequence numbers):
 * not a small integer, so V8 gives the field its double representation from the start. Started
 * as 0, the field would change representation at the first value of 2^31 or more, which may come
 * millions of packets in, changing the Packet's shape and discarding the optimised code of every
 * function that reads it. (-0 equals 0; `reset()` stores 0 into the field before any use.)
 */
const U32_FIELD = -0;

export class Packet {
  /** the frame this packet was decoded from (valid only during the frame's callback) */
  frame!: Frame;

  // ---- link layer -------------------------------------------------------------------------
  /** EtherType (or equivalent) of the network-layer payload, 0 when unknown */
  etherType = 0;
  /** number of 802.1Q/802.1ad tags passed */
  vlanDepth = 0;
  /** VLAN id of the outermost tag, -1 when untagged */
  vlanId = -1;
  /** offset in frame.data where the network layer begins, -1 when not reached */
  l3Offset = -1;

  // ---- network layer ----------------------------------------------------------------------
  /** 4 or 6 when an IP header was decoded, else 0 */
  ipVersion = 0;
  /** IPv4 header length or IPv6 fixed + extension headers length */
  ipHeaderLength = 0;
  /** bytes the IP header says follow the IP header(s) (payload length), clipped to nothing */
  ipPayloadLength = 0;
  /** upper-layer protocol number (after IPv6 extension headers), -1 when unknown */
  ipProto = -1;
  /** IPv4 source/destination as unsigned 32-bit numbers */
  src4 = U32_FIELD;
  dst4 = U32_FIELD;
  /**
   * IPv6 source/destination: offsets of the 16 address bytes in frame.data. With a routing
   * header that has segments left, dst6Offset is the final destination's (RFC 8200 §8.1: the
   * one the upper-layer checksum covers and the connection is addressed to), not the header's.
   */
  src6Offset = -1;
  dst6Offset = -1;
  ttl = 0;
  ipId = 0;
  /** fragment offset in bytes (IPv4 or IPv6 fragment header) */
  fragmentOffset = 0;
  moreFragments = false;
  /** the IPv4 header checksum is wrong (set by decodeIpv4 for every header captured whole) */
  ipChecksumBad = false;

  // ---- transport layer --------------------------------------------------------------------
  /** offset in frame.data where the transport header begins, -1 when not reached */
  l4Offset = -1;
  srcPort = 0;
  dstPort = 0;
  /** TCP fields (unsigned 32-bit numbers) */
  seq = U32_FIELD;
  ack = U32_FIELD;
  /** TCP flags, TCP_* bits */
  tcpFlags = 0;
  window = 0;
  urgent = 0;
  tcpChecksum = 0;
  /** TCP header length in bytes (data offset × 4) */
  tcpHeaderLength = 0;
  /**
   * Unfolded one's-complement sum of the fixed 20-byte TCP header's ten 16-bit words (set with
   * the header's fields: the checksum test then reads only the options and payload again)
   */
  tcpHeaderSum = 0;
  /** TCP segment payload length from the IP length: what tcpdump prints as `length N` */
  payloadLength = 0;
  /** payload bytes actually captured */
  payloadCaptured = 0;
  /** offset in frame.data of the TCP/UDP payload */
  payloadOffset = -1;

  // ---- TCP options (the ones the tracker uses) ---------------------------------------------
  /** MSS option value, -1 when absent */
  optMss = -1;
  /** window scale shift, -1 when absent */
  optWscale = -1;
  optSackPermitted = false;
  /** number of SACK blocks present */
  optSackBlocks = 0;
  optHasTimestamp = false;
  optTsVal = U32_FIELD;
  optTsEcr = U32_FIELD;
  optHasFastOpen = false;
  optHasMd5 = false;
  optHasMptcp = false;
  /** the snap length cut the options: those not parsed above are unknown, not absent */
  optCut = false;

  // ---- UDP -----------------------------------------------------------------------------------
  /** UDP length field (header + data), -1 when no UDP header was decoded */
  udpLength = -1;

  // ---- ICMP and ICMPv6 -------------------------------------------------------------------------
  /** ICMP/ICMPv6 type and code, -1 when absent */
  icmpType = -1;
  icmpCode = -1;
  /** echo request/reply identifier and sequence number (0 for other types) */
  icmpId = 0;
  icmpSeq = 0;
  /** offset in frame.data of the IP header an ICMP error quotes, -1 when none (or not captured) */
  icmpQuoteOffset = -1;

  // ---- ARP -----------------------------------------------------------------------------------
  /** ARP operation (1 request, 2 reply, ...), 0 when not ARP */
  arpOp = 0;
  /** sender and target protocol addresses (IPv4 over Ethernet ARP) as unsigned 32-bit numbers */
  arpSenderIp = U32_FIELD;
  arpTargetIp = U32_FIELD;
  /** offsets in frame.data of the sender and target hardware addresses (6 bytes), -1 when absent */
  arpSenderMacOffset = -1;
  arpTargetMacOffset = -1;

  // ---- encapsulation ---------------------------------------------------------------------------
  /**
   * ENCAP_* bits of the encapsulations passed (0 for a plain packet); the network-layer fields
   * above are then the innermost packet's, and l3Offset is where it starts
   */
  encapsulation = 0;
  /** how many encapsulations were passed (at most MAX_ENCAP_DEPTH) */
  encapDepth = 0;

  // ---- outcome ----------------------------------------------------------------------------
  /** deepest layer decoded whole */
  layer: Layer = Layer.None;
  /** the capture was cut inside the header of `truncatedIn` ('' when nothing was cut) */
  truncatedIn = '';
  /** a header was malformed (bad length, bad version); the description, '' when fine */
  malformed = '';

  /**
   * Some of the fields below the TCP header ones (TCP options, UDP, ICMP, ARP, encapsulation) may hold values
   * of an earlier packet: their decoders set it, and reset() clears those ~20 fields only then
   * (most segments of a bulk transfer have none of them, and reset runs for every frame).
   * True at first: the first reset turns the fields' initial -0 into 0.
   */
  extrasSet = true;

  /** true when a whole TCP header was decoded (not a non-first fragment) */
  get isTcp(): boolean {
    return this.ipProto === 6 && this.layer >= Layer.Transport;
  }

  reset(frame: Frame): void {
    this.frame = frame;
    this.etherType = 0;
    this.vlanDepth = 0;
    this.vlanId = -1;
    this.l3Offset = -1;
    this.ipVersion = 0;
    this.ipHeaderLength = 0;
    this.ipPayloadLength = 0;
    this.ipProto = -1;
    this.src4 = 0;
    this.dst4 = 0;
    this.src6Offset = -1;
    this.dst6Offset = -1;
    this.ttl = 0;
    this.ipId = 0;
    this.fragmentOffset = 0;
    this.moreFragments = false;
    this.ipChecksumBad = false;
    this.l4Offset = -1;
    this.srcPort = 0;
    this.dstPort = 0;
    this.seq = 0;
    this.ack = 0;
    this.tcpFlags = 0;
    this.window = 0;
    this.urgent = 0;
    this.tcpChecksum = 0;
    this.tcpHeaderLength = 0;
    this.tcpHeaderSum = 0;
    this.payloadLength = 0;
    this.payloadCaptured = 0;
    this.payloadOffset = -1;
    this.layer = Layer.None;
    this.truncatedIn = '';
    this.malformed = '';
    if (this.extrasSet) this.resetExtras();
  }

  /** The option, UDP, ICMP, ARP and encapsulation fields back to their initial values (see extrasSet). */
  private resetExtras(): void {
    this.extrasSet = false;
    this.optMss = -1;
    this.optWscale = -1;
    this.optSackPermitted = false;
    this.optSackBlocks = 0;
    this.optHasTimestamp = false;
    this.optTsVal = 0;
    this.optTsEcr = 0;
    this.optHasFastOpen = false;
    this.optHasMd5 = false;
    this.optHasMptcp = false;
    this.optCut = false;
    this.udpLength = -1;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpId = 0;
    this.icmpSeq = 0;
    this.icmpQuoteOffset = -1;
    this.arpOp = 0;
    this.arpSenderIp = 0;
    this.arpTargetIp = 0;
    this.arpSenderMacOffset = -1;
    this.arpTargetMacOffset = -1;
    this.encapsulation = 0;
    this.encapDepth = 0;
  }
}
