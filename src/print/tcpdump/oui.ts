/**
 * Organizationally unique identifiers tcpdump names (its oui_values table): used for
 * ` (oui NAME)` after MAC addresses without -n, and by SNAP/LLDP-style printers.
 * Where two names share a number (0x0080c2), the first listed is the one tcpdump prints.
 */
export const OUI_ENCAP_ETHER = 0x000000;
export const OUI_CISCO = 0x00000c;
export const OUI_CISCO_90 = 0x0000f8;
export const OUI_RFC2684 = 0x0080c2;
export const OUI_APPLETALK = 0x080007;

const OUI_LIST: ReadonlyArray<readonly [number, string]> = [
  [OUI_ENCAP_ETHER, 'Ethernet'],
  [OUI_CISCO, 'Cisco'],
  [0x00005e, 'IANA'],
  [0x000081, 'Nortel Networks SONMP'],
  [OUI_CISCO_90, 'Cisco bridged'],
  [OUI_RFC2684, 'Ethernet bridged'],
  [0x00a03e, 'ATM Forum'],
  [0x00e02f, 'DOCSIS Spanning Tree'],
  [OUI_APPLETALK, 'Appletalk'],
  [0x009069, 'Juniper'],
  [0x080009, 'Hewlett-Packard'],
  [0x0080c2, 'IEEE 802.1 Private'],
  [0x00120f, 'IEEE 802.3 Private'],
  [0x0012bb, 'ANSI/TIA'],
  [0x001b21, 'DCBX'],
  [0x002320, 'Nicira Networks'],
  [0x5c16c7, 'Big Switch Networks'],
  [0xb0d2f5, 'Vello Systems'],
  [0x002481, 'HP'],
  [0x0004ea, 'HP-Labs'],
  [0x748771, 'Infoblox Inc'],
  [0xa42305, 'Open Networking Lab'],
  [0x00049f, 'Freescale'],
  [0x0015ad, 'Netronome'],
];

/** OUI → name, first entry wins (tok2str semantics) */
export const OUI_NAMES: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [oui, name] of OUI_LIST) if (!m.has(oui)) m.set(oui, name);
  return m;
})();
