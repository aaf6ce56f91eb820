/**
 * SNAP frames with Cisco's OUI 00000c (print-llc.c's snap_print, `case OUI_CISCO`): the pid picks
 * the protocol: PVST+ and VLAN-bridge BPDUs (STP), UDLD, VTP, CDP, DTP. Each protocol file
 * registers its pid here; a pid with no printer falls back to snap_print's `SNAP, oui Cisco ...`.
 */
import type { PrintContext } from './context.js';
import { registerSnapOui, registerSnapPidNames } from './llc.js';
import { OUI_CISCO } from './oui.js';
import { toMap } from './tok.js';

export const PID_CISCO_CDP = 0x2000;
export const PID_CISCO_VTP = 0x2003;
export const PID_CISCO_DTP = 0x2004;
export const PID_CISCO_UDLD = 0x0111;
export const PID_CISCO_PVST = 0x010b;
export const PID_CISCO_VLANBRIDGE = 0x010c;

/** a printer for the payload after the SNAP header (`length` bytes at `p`) */
export type CiscoPidPrinter = (ctx: PrintContext, p: number, length: number) => void;

const ciscoPids = new Map<number, CiscoPidPrinter>();

export function registerCiscoPid(pid: number, printer: CiscoPidPrinter): void {
  ciscoPids.set(pid, printer);
}

/** cisco_values: the names -e shows after `pid` */
registerSnapPidNames(OUI_CISCO, toMap([
  [PID_CISCO_CDP, 'CDP'], [PID_CISCO_VTP, 'VTP'], [PID_CISCO_DTP, 'DTP'], [PID_CISCO_UDLD, 'UDLD'], [PID_CISCO_PVST, 'PVST'],
  [PID_CISCO_VLANBRIDGE, 'VLAN Bridge'],
]));

registerSnapOui(OUI_CISCO, (ctx, pid, p, length) => {
  const printer = ciscoPids.get(pid);
  if (printer === undefined) return false;
  printer(ctx, p, length);
  return true;
});
