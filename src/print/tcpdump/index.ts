/** tcpdump-format printer. PLACEHOLDER until the real printer lands. */
import type { Frame } from '../../capture/frame.js';
import type { Packet } from '../../decode/packet.js';
import type { PrintOptions } from '../options.js';
import type { Output } from '../output.js';

export class TcpdumpPrinter {
  constructor(readonly opts: PrintOptions, readonly out: Output) {}

  print(frame: Frame, pkt: Packet): void {
    this.out.write(`${frame.tsSec}.${String(frame.tsNsec).padStart(9, '0')} frame ${frame.number} ${pkt.ipVersion ? 'IP' : '?'} length ${frame.wirelen}\n`);
  }
}
