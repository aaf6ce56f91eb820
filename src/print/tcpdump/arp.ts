/**
 * ARP and RARP (print-arp.c): `ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28`,
 * `Reply 10.0.0.2 is-at 02:00:00:00:00:02`, with -v the hardware and protocol types first.
 */
import type { PrintContext } from './context.js';
import { registerEtherType } from './dispatch.js';
import { HEX2 } from './hexdump.js';
import { ETHERTYPE_NAMES, toMap, tok2str } from './tok.js';

const ARPHRD_NAMES = toMap([
  [1, 'Ethernet'], [6, 'TokenRing'], [7, 'ArcNet'], [15, 'FrameRelay'], [23, 'Strip'], [24, 'IEEE 1394'],
  [19, 'ATM'], [32, 'InfiniBand'],
]);
const ARPOP_NAMES = toMap([
  [1, 'Request'], [2, 'Reply'], [3, 'Reverse Request'], [4, 'Reverse Reply'], [8, 'Inverse Request'],
  [9, 'Inverse Reply'], [10, 'NACK Reply'],
]);
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_TRAIL = 0x1000;
const ARPHRD_ATM2225 = 19;

export function arpPrint(ctx: PrintContext, bp: number, length: number, caplen: number): void {
  ctx.protocol = 'arp';
  const d = ctx.d;
  const hrd = ctx.be16(bp);
  const pro = ctx.be16(bp + 2);
  const hln = ctx.u8(bp + 4);
  const pln = ctx.u8(bp + 5);
  const op = ctx.be16(bp + 6);
  if (hrd === ARPHRD_ATM2225) {
    // ATMARP has its own layout; printed as raw bytes until it has a printer
    ctx.s += 'ARP, ATM';
    ctx.defaultPrint(bp, caplen);
    return;
  }
  const sha = bp + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  // a cut before the last address ends the packet (tcpdump's longjmp: the dumps then show the link header)
  ctx.need(tpa, pln);
  if (!ctx.eflag) ctx.s += 'ARP, ';
  if ((pro !== ETHERTYPE_IP && pro !== ETHERTYPE_TRAIL) || pln !== 4 || hln === 0 || ctx.vflag) {
    ctx.s += tok2str(ARPHRD_NAMES, 'Unknown Hardware (%u)', hrd) + ' (len ' + hln + '), ' +
      tok2str(ETHERTYPE_NAMES, 'Unknown Protocol (0x%04x)', pro) + ' (len ' + pln + ')';
    if (!ctx.vflag) {
      ctx.s += ', length ' + length;
      return;
    }
  }
  ctx.s += (ctx.vflag ? ', ' : '') + tok2str(ARPOP_NAMES, 'Unknown (%u)', op) + ' ';
  const linkaddr = (o: number): string => (hrd !== 15 && hln === 6 ? ctx.names.mac(d, o) : linkAddrString(d, o, hln));
  const paddr = (o: number): string => {
    if (pro !== ETHERTYPE_IP && pro !== ETHERTYPE_TRAIL) return '<wrong proto type>';
    if (pln !== 4) return '<wrong len>';
    return ctx.names.ip4At(d, o);
  };
  switch (op) {
    case 1:
      ctx.s += 'who-has ' + paddr(tpa);
      if (isNonZero(d, tha, hln)) ctx.s += ' (' + linkaddr(tha) + ')';
      ctx.s += ' tell ' + paddr(spa);
      break;
    case 2:
      ctx.s += paddr(spa) + ' is-at ' + linkaddr(sha);
      break;
    case 3:
      ctx.s += 'who-is ' + linkaddr(tha) + ' tell ' + linkaddr(sha);
      break;
    case 4:
      ctx.s += linkaddr(tha) + ' at ' + paddr(tpa);
      break;
    case 8:
      ctx.s += 'who-is ' + linkaddr(tha) + ' tell ' + linkaddr(sha);
      break;
    case 9:
      ctx.s += linkaddr(sha) + ' at ' + paddr(spa);
      break;
    default:
      ctx.defaultPrint(bp, caplen);
      return;
  }
  ctx.s += ', length ' + length;
}

function isNonZero(d: Uint8Array, o: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (d[o + i] !== 0) return true;
  return false;
}

/** linkaddr_string for non-Ethernet hardware: bytes in hex joined by ':' (empty for length 0). */
function linkAddrString(d: Uint8Array, o: number, len: number): string {
  if (len === 0) return '<empty>';
  let s = '';
  for (let i = 0; i < len; i++) s += (i ? ':' : '') + HEX2[d[o + i]];
  return s;
}

registerEtherType(0x0806, arpPrint);
registerEtherType(0x8035, arpPrint);
