/**
 * Link layers: find where the network layer starts and what it is.
 * Ethernet (with 802.1Q/802.1ad tags and 802.3/LLC/SNAP), Linux cooked v1 and v2, BSD loopback
 * (NULL in either byte order and LOOP), raw IP (LINKTYPE 12, 14, 101, 228, 229).
 */
import { type Frame, LINKTYPE } from '../capture/frame.js';
import { TcpscopeError } from '../errors.js';
import { type Packet, ENCAP_ETHERNET, Layer } from './packet.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
/** transparent Ethernet bridging: an Ethernet frame inside GRE */
export const ETHERTYPE_TEB = 0x6558;

/** Decode the link header of `pkt.frame`; sets etherType and l3Offset. Returns false if cut or unknown. */
export function decodeLink(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const start = f.offset;
  const end = start + f.caplen;
  switch (f.linktype) {
    case LINKTYPE.ETHERNET: {
      if (f.caplen < 14) { pkt.truncatedIn = 'ether'; return false; }
      let off = start + 12;
      let type = (d[off] << 8) | d[off + 1];
      off += 2;
      while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
        if (off + 4 > end) { pkt.truncatedIn = 'vlan'; return false; }
        if (pkt.vlanDepth === 0) pkt.vlanId = ((d[off] << 8) | d[off + 1]) & 0x0fff;
        pkt.vlanDepth++;
        type = (d[off + 2] << 8) | d[off + 3];
        off += 4;
      }
      if (type <= 1500) {
        // 802.3 length field: LLC follows; SNAP with OUI 0 carries an EtherType
        if (off + 8 <= end && d[off] === 0xaa && d[off + 1] === 0xaa && d[off + 2] === 0x03 &&
            d[off + 3] === 0 && d[off + 4] === 0 && d[off + 5] === 0) {
          type = (d[off + 6] << 8) | d[off + 7];
          off += 8;
        } else {
          pkt.etherType = 0;
          pkt.layer = Layer.Link;
          return false;
        }
      }
      pkt.etherType = type;
      pkt.l3Offset = off;
      break;
    }
    case LINKTYPE.LINUX_SLL: {
      if (f.caplen < 16) { pkt.truncatedIn = 'sll'; return false; }
      pkt.etherType = (d[start + 14] << 8) | d[start + 15];
      pkt.l3Offset = start + 16;
      break;
    }
    case LINKTYPE.LINUX_SLL2: {
      if (f.caplen < 20) { pkt.truncatedIn = 'sll2'; return false; }
      pkt.etherType = (d[start] << 8) | d[start + 1];
      pkt.l3Offset = start + 20;
      break;
    }
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (f.caplen < 4) { pkt.truncatedIn = 'loopback'; return false; }
      let family: number;
      if (f.linktype === LINKTYPE.LOOP) family = ((d[start] << 24) | (d[start + 1] << 16) | (d[start + 2] << 8) | d[start + 3]) >>> 0;
      else {
        // DLT_NULL: host byte order of the capturing machine; the family is a small number
        family = ((d[start] << 24) | (d[start + 1] << 16) | (d[start + 2] << 8) | d[start + 3]) >>> 0;
        if ((family & 0xffff) === 0) family = d[start] | (d[start + 1] << 8);
      }
      pkt.etherType = bsdFamilyToEtherType(family);
      pkt.l3Offset = start + 4;
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14: {
      if (f.caplen < 1) { pkt.truncatedIn = 'raw'; return false; }
      const v = d[start] >> 4;
      pkt.etherType = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
      pkt.l3Offset = start;
      break;
    }
    case LINKTYPE.IPV4:
      pkt.etherType = ETHERTYPE_IPV4;
      pkt.l3Offset = start;
      break;
    case LINKTYPE.IPV6:
      pkt.etherType = ETHERTYPE_IPV6;
      pkt.l3Offset = start;
      break;
    default:
      return false;
  }
  pkt.layer = Layer.Link;
  return true;
}

/**
 * An Ethernet frame carried inside another packet (GRE's transparent Ethernet bridging, 0x6558)
 * at pkt.l3Offset: on success the EtherType after its tags is in pkt.etherType and its payload
 * starts at pkt.l3Offset. The outer frame's VLAN fields are left as they are.
 */
export function decodeInnerEthernet(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const end = f.offset + f.caplen;
  let off = pkt.l3Offset + 12;
  if (off + 2 > end) { pkt.truncatedIn = 'ether'; return false; }
  let type = (d[off] << 8) | d[off + 1];
  off += 2;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (off + 4 > end) { pkt.truncatedIn = 'vlan'; return false; }
    type = (d[off + 2] << 8) | d[off + 3];
    off += 4;
  }
  // an 802.3 length (LLC) carries no IP the tracker follows
  if (type <= 1500) return false;
  pkt.etherType = type;
  pkt.l3Offset = off;
  pkt.encapsulation |= ENCAP_ETHERNET;
  return true;
}

/**
 * Whether decodeLink understands `linktype`: the link layers on which connections can be
 * followed. Tracking modes refuse the others instead of passing their packets silently untracked.
 */
export function followsLinkType(linktype: number): boolean {
  switch (linktype) {
    case LINKTYPE.ETHERNET: case LINKTYPE.LINUX_SLL: case LINKTYPE.LINUX_SLL2:
    case LINKTYPE.NULL: case LINKTYPE.LOOP:
    case LINKTYPE.RAW: case LINKTYPE.RAW_12: case LINKTYPE.RAW_14:
    case LINKTYPE.IPV4: case LINKTYPE.IPV6:
      return true;
    default:
      return false;
  }
}

/**
 * The error a tracking mode stops with at a frame whose link type decodeLink does not know
 * (`check` would otherwise pass a capture it never looked into).
 */
export function unfollowedLinkType(frameNumber: number, linktype: number, file: string | undefined, offset: number): TcpscopeError {
  return new TcpscopeError('UNKNOWN_LINKTYPE',
    `packet ${frameNumber} has link type ${linktype}, on which tcpscope cannot follow connections (it follows Ethernet, Linux cooked, BSD loopback and raw IP)`,
    { file, offset });
}

/**
 * Stops a tracking run at the first frame of a link type the decoders cannot follow (--json,
 * check: they must never pass silently over what they could not read). One per run; the test
 * is one comparison per frame, the switch only when the link type changes.
 */
export class LinkTypeGuard {
  private followed = -1;
  /** `file`: the capture named in the error (undefined when several are read as one) */
  constructor(private readonly file: string | undefined) {}

  check(frame: Frame): void {
    if (frame.linktype !== this.followed) this.changed(frame);
  }

  private changed(frame: Frame): void {
    if (!followsLinkType(frame.linktype)) throw unfollowedLinkType(frame.number, frame.linktype, this.file, frame.fileOffset);
    this.followed = frame.linktype;
  }
}

/** BSD address families as loopback headers carry them (AF_INET6 differs between BSDs). */
export function bsdFamilyToEtherType(family: number): number {
  switch (family) {
    case 2: return ETHERTYPE_IPV4;
    case 10: // Linux
    case 24: // NetBSD, OpenBSD, BSD/OS
    case 28: // FreeBSD, DragonFly
    case 30: // macOS
      return ETHERTYPE_IPV6;
    default: return 0;
  }
}
