/**
 * Juniper's capture header (print-juniper.c's juniper_parse_header) and LINKTYPE_JUNIPER_ETHER:
 * the magic `MGC`, a flags byte (direction, extensions present, no layer 2), optional TLV
 * extensions (interface indexes, media type, encapsulation; little-endian below type 128), then
 * an Ethernet frame. -e prints `Out hlen 22, proto 0x0000, `; -vv the flags and each extension.
 * The other Juniper link types (ATM, PPPoE, MLPPP, services PICs, ...) have no printer yet.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { etherPrint, hex4 } from './ether.js';
import { bittok2str, toMap, tok2str } from './tok.js';

const JUNIPER_MGC_NUMBER = 0x4d4743; // "MGC"
const JUNIPER_BPF_PKT_IN = 0x01;
const JUNIPER_BPF_NO_L2 = 0x02;
const JUNIPER_BPF_EXT = 0x80;
const JUNIPER_EXT_TLV_OVERHEAD = 2;

const DIRECTION_NAMES = toMap([[1, 'In'], [0, 'Out']]);
const FLAG_BITS: ReadonlyArray<readonly [number, string]> = [[JUNIPER_BPF_EXT, 'Ext'], [0x40, 'Filter'], [0x04, 'IIF'], [JUNIPER_BPF_NO_L2, 'no-L2'], [JUNIPER_BPF_PKT_IN, 'In']];

const TLV_IFD_NAME = 2;
const TLV_IFD_MEDIATYPE = 3;
const TLV_IFL_ENCAPS = 6;
const TLV_TTP_IFD_MEDIATYPE = 7;
const TLV_TTP_IFL_ENCAPS = 8;
const EXT_TLV_NAMES = toMap([
  [1, 'Device Interface Index'], [TLV_IFD_NAME, 'Device Interface Name'], [TLV_IFD_MEDIATYPE, 'Device Media Type'],
  [4, 'Logical Interface Index'], [5, 'Logical Unit Number'], [TLV_IFL_ENCAPS, 'Logical Interface Encapsulation'],
  [TLV_TTP_IFD_MEDIATYPE, 'TTP derived Device Media Type'], [TLV_TTP_IFL_ENCAPS, 'TTP derived Logical Interface Encapsulation'],
]);
/** juniper_ifmt_values: device media types */
const IFMT_NAMES = toMap([
  [1, 'Ethernet'], [2, 'FDDI'], [3, 'Token-Ring'], [4, 'PPP'], [57, 'PPP-Subordinate'], [5, 'Frame-Relay'], [6, 'Cisco-HDLC'],
  [7, 'SMDS-DXI'], [8, 'ATM-PVC'], [9, 'PPP-CCC'], [10, 'Frame-Relay-CCC'], [48, 'Extended FR-CCC'], [11, 'IP-over-IP'], [12, 'GRE'],
  [13, 'PIM-Encapsulator'], [14, 'PIM-Decapsulator'], [15, 'Cisco-HDLC-CCC'], [16, 'VLAN-CCC'], [32, 'Extended-VLAN-CCC'],
  [17, 'Multilink-PPP'], [18, 'Multilink-FR'], [39, 'Multilink-FR-UNI-NNI'], [19, 'Multilink'], [40, 'LinkService'], [20, 'LSI'],
  [22, 'ATM-CCC-Cell-Relay'], [23, 'IPSEC-over-IP'], [24, 'GGSN'], [27, 'PPP-TCC'], [28, 'Frame-Relay-TCC'], [49, 'Extended FR-TCC'],
  [29, 'Cisco-HDLC-TCC'], [30, 'Ethernet-CCC'], [31, 'VPN-Loopback-tunnel'], [33, 'Ethernet-over-ATM'], [46, 'Ethernet-VPLS-over-ATM'],
  [34, 'Monitor'], [35, 'Ethernet-TCC'], [36, 'VLAN-TCC'], [37, 'Extended-VLAN-TCC'], [38, 'Controller'], [41, 'VPLS'],
  [42, 'VLAN-VPLS'], [43, 'Extended-VLAN-VPLS'], [44, 'Logical-tunnel'], [45, 'General-Services'], [56, 'PPPoE'],
  [52, 'Flexible-Ethernet-Services'], [50, 'Flexible-FrameRelay'], [53, 'Flow-collection'], [60, 'PIC Peer'], [59, 'Dynamic-Flow-Capture'],
]);
/** juniper_ifle_values: logical interface encapsulations */
const IFLE_NAMES = toMap([
  [59, 'Aggregator'], [9, 'CCC over ATM'], [32, 'ATM CCC Cell Relay'], [26, 'CISCO compatible NLPID'], [56, 'Ethernet over ATM CCC'],
  [41, 'Ethernet over ATM LLC'], [53, 'Ethernet VPLS over ATM LLC'], [5, 'ATM LLC'], [55, 'MLPPP over ATM LLC'], [3, 'ATM NLPID'],
  [61, 'PPPoE over ATM LLC'], [8, 'PPP over FUNI'], [7, 'PPP over ATM LLC'], [6, 'PPP over ATM VCMUX'], [2, 'ATM SNAP'],
  [43, 'ATM SNAP TCC'], [35, 'ATM VCMUX TCC'], [4, 'ATM VCMUX'], [18, 'C-HDLC'], [25, 'C-HDLC CCC'], [65, 'C-HDLC via dialer'],
  [38, 'C-HDLC TCC'], [58, 'Collector'], [33, 'Crypto'], [14, 'Ethernet'], [39, 'Ethernet CCC'], [51, 'Extended VLAN VPLS'],
  [62, 'PPPoE over Ethernet'], [45, 'Ethernet TCC'], [50, 'VLAN VPLS'], [49, 'VPLS'], [42, 'Extended VLAN CCC'], [47, 'Extended VLAN TCC'],
  [13, 'FR CCC'], [10, 'FR NLPID'], [54, 'FR CCC'], [12, 'FR PPP'], [11, 'FR SNAP'], [36, 'FR TCC'], [34, 'GGSN'], [22, 'GRE NULL'],
  [23, 'PPP over GRE'], [20, 'IPIP'], [60, 'LAPD'], [30, 'LSI Null'], [57, 'LT VLAN'], [48, 'MFR'], [29, 'MLFR'], [28, 'MLPPP'],
  [44, 'Monitor'], [24, 'PIMd'], [21, 'PIM Null'], [17, 'PPP'], [63, 'PPPoE'], [19, 'PPP CCC'], [64, ''], [37, 'PPP TCC'],
  [52, 'General Services'], [27, 'VLAN CCC'], [46, 'VLAN TCC'], [40, 'VT'],
]);

/** juniper_read_tlv_value: little-endian below type 128, big-endian from it; -1 for other lengths */
function tlvValue(ctx: PrintContext, p: number, type: number, len: number): number {
  if (len < 1 || len > 4) return -1;
  ctx.need(p, len);
  const d = ctx.d;
  let v = 0;
  if (type < 128) for (let i = len - 1; i >= 0; i--) v = v * 256 + d[p + i];
  else for (let i = 0; i < len; i++) v = v * 256 + d[p + i];
  return v;
}

/** what the header parse found: one object reused for every frame */
const l2info = { headerLen: 0, length: 0, caplen: 0, flags: 0, proto: 0 };

/** juniper_parse_header: false when the frame cannot be printed further */
function parseHeader(ctx: PrintContext, p: number, length: number, caplen: number): boolean {
  l2info.headerLen = 0;
  l2info.proto = 0;
  l2info.length = length;
  l2info.caplen = caplen;
  l2info.flags = ctx.u8(p + 3);
  if (ctx.be24(p) !== JUNIPER_MGC_NUMBER) {
    ctx.s += 'no magic-number found!';
    return false;
  }
  if (ctx.eflag) ctx.s += tok2str(DIRECTION_NAMES, '---', l2info.flags & JUNIPER_BPF_PKT_IN).padStart(3, ' ') + ' ';
  let hdrLen = 4;
  if (ctx.vflag > 1) ctx.s += '\n\tJuniper PCAP Flags [' + bittok2str(FLAG_BITS, 'none', l2info.flags) + ']';
  if ((l2info.flags & JUNIPER_BPF_EXT) !== 0) {
    let t = p + hdrLen;
    let extLen = ctx.be16(t);
    hdrLen += 2 + extLen;
    t += 2;
    if (ctx.vflag > 1) ctx.s += ', PCAP Extension(s) total length ' + extLen;
    ctx.need(t, extLen);
    while (extLen > JUNIPER_EXT_TLV_OVERHEAD) {
      const type = ctx.u8(t);
      const len = ctx.u8(t + 1);
      t += 2;
      if (type === 0 || len === 0) break;
      if (extLen < len + JUNIPER_EXT_TLV_OVERHEAD) {
        ctx.s += ' [extension_length ' + extLen + ' < ' + (len + JUNIPER_EXT_TLV_OVERHEAD) + ']';
        ctx.invalid();
        return false;
      }
      if (ctx.vflag > 1) ctx.s += '\n\t  ' + tok2str(EXT_TLV_NAMES, 'Unknown', type) + ' Extension TLV #' + type + ', length ' + len + ', value ';
      const value = tlvValue(ctx, t, type, len);
      if (value !== -1 && ctx.vflag > 1) {
        switch (type) {
          case TLV_IFD_NAME:
            break;
          case TLV_IFD_MEDIATYPE:
          case TLV_TTP_IFD_MEDIATYPE:
            ctx.s += tok2str(IFMT_NAMES, 'Unknown', value) + ' (' + value + ')';
            break;
          case TLV_IFL_ENCAPS:
          case TLV_TTP_IFL_ENCAPS:
            ctx.s += tok2str(IFLE_NAMES, 'Unknown', value) + ' (' + value + ')';
            break;
          default:
            ctx.s += value;
        }
      }
      t += len;
      extLen -= len + JUNIPER_EXT_TLV_OVERHEAD;
    }
    if (ctx.vflag > 1) ctx.s += '\n\t-----original packet-----\n\t';
  }
  if ((l2info.flags & JUNIPER_BPF_NO_L2) !== 0) {
    // no link layer: an IPv4 or IPv6 packet, told apart by its first byte
    if (ctx.eflag) ctx.s += 'no-L2-hdr, ';
    const ip = p + hdrLen + 4;
    const first = ctx.u8(ip);
    if (first >= 0x45 && first <= 0x4f) etherTypePrint(ctx, 0x0800, ip, length - (hdrLen + 4), ctx.bytesAfter(ip));
    else if (first >= 0x60 && first <= 0x6f) etherTypePrint(ctx, 0x86dd, ip, length - (hdrLen + 4), ctx.bytesAfter(ip));
    else ctx.s += 'no IP-hdr found!';
    l2info.headerLen = hdrLen + 4;
    return false;
  }
  l2info.headerLen = hdrLen;
  l2info.length -= hdrLen;
  l2info.caplen -= hdrLen;
  if (ctx.eflag) ctx.s += 'hlen ' + l2info.headerLen + ', proto 0x' + hex4(l2info.proto) + ', ';
  return true;
}

function juniperEtherIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'juniper_ether';
  if (!parseHeader(ctx, p, length, caplen)) return l2info.headerLen;
  // nothing but an Ethernet frame follows (the -x dumps skip its header too)
  const headerLen = l2info.headerLen;
  return headerLen + etherPrint(ctx, p + headerLen, l2info.length, l2info.caplen);
}

registerLinkType(178, 'JUNIPER_ETHER', juniperEtherIfPrint);
