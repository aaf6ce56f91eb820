/**
 * IPsec headers (print-ah.c, print-esp.c): `AH(spi=0x00001000,seq=0x1,icv=0x...): ` before the
 * protocol it protects (ip-demux.ts continues with AH's next header), and
 * `ESP(spi=0x00001000,seq=0x1), length N` (the payload is encrypted: nothing more to print).
 */
import type { PrintContext } from './context.js';
import { registerIpProto } from './dispatch.js';
import { HEX2 } from './hexdump.js';

function hex8(v: number): string {
  return v.toString(16).padStart(8, '0');
}

/** ah_print: the header length to skip. */
export function ahPrint(ctx: PrintContext, bp: number): number {
  ctx.protocol = 'ah';
  ctx.s += 'AH';
  const ahLen = ctx.u8(bp + 1);
  const hdrLen = (ahLen + 2) * 4;
  ctx.s += '(';
  if (ctx.vflag) ctx.s += 'length=' + ahLen + '(' + hdrLen + '-bytes),';
  const reserved = ctx.be16(bp + 2);
  if (reserved) ctx.s += 'reserved=0x' + reserved.toString(16) + '[MustBeZero],';
  ctx.s += 'spi=0x' + hex8(ctx.be32(bp + 4)) + ',';
  ctx.s += 'seq=0x' + ctx.be32(bp + 8).toString(16) + ',';
  ctx.s += 'icv=0x';
  for (let p = bp + 12; p < bp + hdrLen; p++) ctx.s += HEX2[ctx.u8(p)];
  ctx.s += '): ';
  return hdrLen;
}

export function espPrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'esp';
  if (bp + 8 >= ctx.snapend) {
    ctx.trunc();
    return;
  }
  ctx.s += 'ESP(spi=0x' + hex8(ctx.be32(bp)) + ',seq=0x' + ctx.be32(bp + 4).toString(16) + '), length ' + length;
}

registerIpProto(50, (ctx, p, length) => espPrint(ctx, p, length));
