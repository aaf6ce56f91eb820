/**
 * Bridged frames in SNAP with OUI 0080c2 (RFC 1483/2684, print-llc.c's `case OUI_RFC2684`):
 * Ethernet with or without FCS after the carrier's padding, and 802.1D BPDUs. Token Ring and FDDI
 * bridging have no printer here and fall back to snap_print's `SNAP, oui ... pid ...` line.
 */
import { TRUNCATED } from './context.js';
import { etherPrint } from './ether.js';
import { registerSnapOui, registerSnapPidNames } from './llc.js';
import { OUI_RFC2684 } from './oui.js';
import { stpPrint } from './stp.js';
import { toMap } from './tok.js';

const PID_ETH_FCS = 0x0001;
const PID_ETH_NOFCS = 0x0007;
const PID_BPDU = 0x000e;

registerSnapPidNames(OUI_RFC2684, toMap([
  [PID_ETH_FCS, 'Ethernet + FCS'], [PID_ETH_NOFCS, 'Ethernet w/o FCS'], [0x0002, '802.4 + FCS'], [0x0008, '802.4 w/o FCS'],
  [0x0003, '802.5 + FCS'], [0x0009, '802.5 w/o FCS'], [0x0004, 'FDDI + FCS'], [0x000a, 'FDDI w/o FCS'], [0x0005, '802.6 + FCS'],
  [0x000b, '802.6 w/o FCS'], [PID_BPDU, 'BPDU'],
]));

registerSnapOui(OUI_RFC2684, (ctx, pid, p, length, caplen, bridgePad) => {
  switch (pid) {
    case PID_ETH_FCS:
    case PID_ETH_NOFCS:
      // the carrier's padding, then an Ethernet frame (an FCS, if any, is left in as tcpdump does)
      if (!ctx.ttest(p, bridgePad)) throw TRUNCATED;
      etherPrint(ctx, p + bridgePad, length - bridgePad, caplen - bridgePad);
      return true;
    case PID_BPDU:
      stpPrint(ctx, p, length);
      return true;
  }
  return false;
});
