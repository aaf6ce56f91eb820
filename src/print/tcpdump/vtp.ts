/**
 * Cisco VLAN Trunking Protocol (print-vtp.c), in SNAP with Cisco's OUI:
 * `VTPv1, Message Summary advertisement (0x01), length 76`; with -v the management domain and
 * the message's fields (configuration revision, updater, timestamps, digest, VLAN records).
 */
import type { PrintContext } from './context.js';
import { PID_CISCO_VTP, registerCiscoPid } from './cisco-snap.js';
import { hex2, hex8, ndPrintjnp, printUnknownData } from './nd-strings.js';
import { toMap, tok2str } from './tok.js';

const VTP_HEADER_LEN = 36;
const VTP_UPDATE_TIMESTAMP_LEN = 12;
const VTP_VLAN_INFO_FIXED_PART_LEN = 12;
const VTP_SUMMARY_ADV = 0x01;
const VTP_SUBSET_ADV = 0x02;
const VTP_ADV_REQUEST = 0x03;

const MESSAGE_NAMES = toMap([[VTP_SUMMARY_ADV, 'Summary advertisement'], [VTP_SUBSET_ADV, 'Subset advertisement'], [VTP_ADV_REQUEST, 'Advertisement request'], [0x04, 'Join message']]);
/** the meaning of the header's third byte for each message type */
const HEADER_NAMES = toMap([[0x01, 'Followers'], [0x02, 'Seq number'], [0x03, 'Rsvd'], [0x04, 'Rsvd']]);
const VLAN_TYPE_NAMES = toMap([[0x01, 'Ethernet'], [0x02, 'FDDI'], [0x03, 'TrCRF'], [0x04, 'FDDI-net'], [0x05, 'TrBRF']]);
const VLAN_STATUS_NAMES = toMap([[0x00, 'Operational'], [0x01, 'Suspended']]);
const TLV_STP_TYPE = 0x03;
const TLV_PRUNING = 0x06;
const TLV_BRIDGE_TYPE = 0x07;
const TLV_STE_HOP_COUNT = 0x09;
const TLV_BACKUP_CRF_MODE = 0x0a;
const VLAN_TLV_NAMES = toMap([
  [0x01, 'Source-Routing Ring Number TLV'], [0x02, 'Source-Routing Bridge Number TLV'], [TLV_STP_TYPE, 'STP type TLV'],
  [0x04, 'Parent VLAN TLV'], [0x05, 'Translationally bridged VLANs TLV'], [TLV_PRUNING, 'Pruning TLV'],
  [TLV_BRIDGE_TYPE, 'Bridge Type TLV'], [0x08, 'Max ARP Hop Count TLV'], [TLV_STE_HOP_COUNT, 'Max STE Hop Count TLV'],
  [TLV_BACKUP_CRF_MODE, 'Backup CRF Mode TLV'],
]);
const STP_TYPE_NAMES = toMap([[1, 'SRT'], [2, 'SRB'], [3, 'Auto']]);

export function vtpPrint(ctx: PrintContext, pptr: number, length: number): void {
  ctx.protocol = 'vtp';
  if (length < VTP_HEADER_LEN) {
    ctx.invalid();
    ctx.need(pptr, length);
    return;
  }
  ctx.need(pptr, VTP_HEADER_LEN);
  const type = ctx.u8(pptr + 1);
  ctx.s += 'VTPv' + ctx.u8(pptr) + ', Message ' + tok2str(MESSAGE_NAMES, 'Unknown message type', type) + ' (0x' + hex2(type) + '), length ' + length;
  if (ctx.vflag < 1) {
    ctx.need(pptr, length);
    return;
  }
  ctx.s += '\n\tDomain name: ';
  ndPrintjnp(ctx, pptr + 4, ctx.u8(pptr + 3));
  ctx.s += ', ' + tok2str(HEADER_NAMES, 'Unknown', type) + ': ' + ctx.u8(pptr + 2);
  let t = pptr + VTP_HEADER_LEN;
  const invalid = (): void => {
    ctx.invalid();
    ctx.need(pptr, length);
  };
  switch (type) {
    case VTP_SUMMARY_ADV:
      ctx.s += '\n\t  Config Rev ' + ctx.be32(t).toString(16) + ', Updater ' + ip4(ctx, t + 4);
      t += 8;
      ctx.s += ', Timestamp 0x' + hex8(ctx.be32(t)) + ' 0x' + hex8(ctx.be32(t + 4)) + ' 0x' + hex8(ctx.be32(t + 8));
      t += VTP_UPDATE_TIMESTAMP_LEN;
      ctx.s += ', MD5 digest: ' + hex8(ctx.be32(t)) + hex8(ctx.be32(t + 4)) + hex8(ctx.be32(t + 8)) + hex8(ctx.be32(t + 12));
      break;
    case VTP_SUBSET_ADV: {
      ctx.s += ', Config Rev ' + ctx.be32(t).toString(16);
      t += 4;
      while (t - pptr < length) {
        let len = ctx.u8(t);
        if (len === 0) break;
        ctx.need(t, len);
        if (len < VTP_VLAN_INFO_FIXED_PART_LEN) { invalid(); return; }
        ctx.s += '\n\tVLAN info status ' + tok2str(VLAN_STATUS_NAMES, 'Unknown', ctx.u8(t + 1)) + ', type ' +
          tok2str(VLAN_TYPE_NAMES, 'Unknown', ctx.u8(t + 2)) + ', VLAN-id ' + ctx.be16(t + 4) + ', MTU ' + ctx.be16(t + 6) +
          ', SAID 0x' + hex8(ctx.be32(t + 8)) + ', Name ';
        const nameLen = ctx.u8(t + 3);
        len -= VTP_VLAN_INFO_FIXED_PART_LEN;
        t += VTP_VLAN_INFO_FIXED_PART_LEN;
        // VLAN names are padded to a multiple of 4 bytes
        const padded = 4 * ((nameLen + 3) >> 2);
        if (len < padded) { invalid(); return; }
        ndPrintjnp(ctx, t, nameLen);
        len -= padded;
        t += padded;
        while (len > 0) {
          // one byte of type and one of length (in 16-bit words), whatever Cisco's documents say
          if (len < 2) { invalid(); return; }
          const tlvType = ctx.u8(t);
          const tlvLen = ctx.u8(t + 1);
          ctx.s += '\n\t\t' + tok2str(VLAN_TLV_NAMES, 'Unknown', tlvType) + ' (0x' + tlvType.toString(16).padStart(4, '0') + ') TLV';
          if (len < tlvLen * 2 + 2) {
            ctx.s += ' (TLV goes past the end of the packet)';
            invalid();
            return;
          }
          ctx.need(t, tlvLen * 2 + 2);
          if (tlvLen !== 1) {
            ctx.s += ' [TLV length ' + tlvLen + ' != 1]';
            invalid();
            return;
          }
          const value = ctx.be16(t + 2);
          switch (tlvType) {
            case TLV_STE_HOP_COUNT: ctx.s += ', ' + value; break;
            case TLV_PRUNING: ctx.s += ', ' + (value === 1 ? 'Enabled' : 'Disabled') + ' (' + value + ')'; break;
            case TLV_STP_TYPE: ctx.s += ', ' + tok2str(STP_TYPE_NAMES, 'Unknown', value) + ' (' + value + ')'; break;
            case TLV_BRIDGE_TYPE: ctx.s += ', ' + (value === 1 ? 'SRB' : 'SRT') + ' (' + value + ')'; break;
            case TLV_BACKUP_CRF_MODE: ctx.s += ', ' + (value === 1 ? 'Backup' : 'Not backup') + ' (' + value + ')'; break;
            default: printUnknownData(ctx, t, '\n\t\t  ', 2 + tlvLen * 2);
          }
          len -= 2 + tlvLen * 2;
          t += 2 + tlvLen * 2;
        }
      }
      break;
    }
    case VTP_ADV_REQUEST:
      ctx.s += '\n\tStart value: ' + ctx.be32(t);
      break;
    default:
      break;
  }
}

function ip4(ctx: PrintContext, o: number): string {
  ctx.need(o, 4);
  return ctx.names.ip4At(ctx.d, o);
}

registerCiscoPid(PID_CISCO_VTP, vtpPrint);
