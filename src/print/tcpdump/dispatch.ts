/**
 * Table-driven dispatch between printers (tcpdump's if_printer table, ethertype_print,
 * ip_demux_print, the port tests of udp_print/tcp_print, llc_print's SAP/SNAP switch).
 *
 * This module imports no printer: each protocol file registers itself here when it is loaded
 * (`registerEtherType(0x0800, ipPrint)`), and `protocols.ts` loads them all. Lookups are array
 * indexing or a Map get, never a chain of ifs.
 */
import type { PrintContext } from './context.js';

/**
 * A link-layer printer: the frame's link header starts at `p`; `length` is the wire length,
 * `caplen` the captured length. Returns the link-layer header length it consumed (left out of
 * the -x/-X/-A dumps).
 */
export type LinkPrinter = (ctx: PrintContext, p: number, length: number, caplen: number) => number;

/** A network-layer printer reached by EtherType (or a link type's own protocol field). */
export type EtherTypePrinter = (ctx: PrintContext, p: number, length: number, caplen: number) => void;

/**
 * A transport printer reached from IPv4/IPv6: payload at `p` of `length` bytes; `iph` is the
 * offset of the IP header that carried it (version 4 or 6), `fragmented` non-zero when the
 * datagram is a fragment (no checksum check), `ttlHl` its TTL / hop limit.
 */
export type IpProtoPrinter = (ctx: PrintContext, p: number, length: number, iph: number, ver: number, fragmented: number, ttlHl: number) => void;

/** An application printer reached by TCP or UDP port: payload at `p` of `length` bytes. */
export type PortPrinter = (ctx: PrintContext, p: number, length: number, sport: number, dport: number) => void;

// ---- link types ----------------------------------------------------------------------------

const linkPrinters: (LinkPrinter | undefined)[] = [];
const linkNames = new Map<number, string>();

export function registerLinkType(linktype: number, name: string, printer: LinkPrinter): void {
  linkPrinters[linktype] = printer;
  linkNames.set(linktype, name);
}

export function linkPrinter(linktype: number): LinkPrinter | undefined {
  return linkPrinters[linktype];
}

export function linkTypeName(linktype: number): string | undefined {
  return linkNames.get(linktype);
}

/**
 * Link types libpcap knows (LINKTYPE values it maps to a DLT). tcpdump opens files of these and
 * prints `UNSUPPORTED` with a hex dump when it has no printer; any other value makes libpcap
 * refuse the file ("unknown data link type").
 */
export function isKnownLinkType(linktype: number): boolean {
  return (linktype >= 100 && linktype <= 289) || KNOWN_LOW_LINKTYPES.has(linktype);
}
const KNOWN_LOW_LINKTYPES = new Set([0, 1, 6, 7, 8, 9, 10, 11, 12, 15, 16, 19, 50, 51, 99]);

// ---- EtherTypes ----------------------------------------------------------------------------

const etherTypePrinters = new Map<number, EtherTypePrinter>();

export function registerEtherType(type: number, printer: EtherTypePrinter): void {
  etherTypePrinters.set(type, printer);
}

/** ethertype_print: print the payload of EtherType `type`; false when no printer knows it. */
export function etherTypePrint(ctx: PrintContext, type: number, p: number, length: number, caplen: number): boolean {
  const printer = etherTypePrinters.get(type);
  if (printer === undefined) return false;
  printer(ctx, p, length, caplen);
  return true;
}

// ---- IP protocols --------------------------------------------------------------------------

const ipProtoPrinters: (IpProtoPrinter | undefined)[] = new Array(256).fill(undefined);

export function registerIpProto(proto: number, printer: IpProtoPrinter): void {
  ipProtoPrinters[proto] = printer;
}

export function ipProtoPrinter(proto: number): IpProtoPrinter | undefined {
  return ipProtoPrinters[proto];
}

// ---- TCP and UDP ports ---------------------------------------------------------------------

/** which port a test looks at: tcpdump tests most with IS_SRC_OR_DST_PORT, a few only one side */
export type PortSide = 'both' | 'src' | 'dst';

interface PortEntry {
  /** position in tcpdump's if-chain: when both ports match, the earlier test wins */
  rank: number;
  printer: PortPrinter;
  side: PortSide;
}

const tcpPorts = new Map<number, PortEntry>();
/** 1 for every port some TCP application printer is registered for: a quick test before tcpPortPrinter */
export const TCP_PORT_HAS_PRINTER = new Uint8Array(65536);
const udpPorts = new Map<number, PortEntry>();

/** Register an application printer for TCP port(s); `rank` is its place in tcpdump's order of tests. */
export function registerTcpPort(ports: readonly number[], rank: number, printer: PortPrinter, side: PortSide = 'both'): void {
  for (const port of ports) {
    tcpPorts.set(port, { rank, printer, side });
    TCP_PORT_HAS_PRINTER[port] = 1;
  }
}

/** `side` 'dst' or 'src' for tcpdump's one-sided tests (`dport == GENEVE_PORT`, `sport == BCM_LI_PORT`). */
export function registerUdpPort(ports: readonly number[], rank: number, printer: PortPrinter, side: PortSide = 'both'): void {
  for (const port of ports) udpPorts.set(port, { rank, printer, side });
}

function byPort(table: Map<number, PortEntry>, sport: number, dport: number): PortPrinter | undefined {
  let a = table.get(sport);
  let b = table.get(dport);
  if (a !== undefined && a.side === 'dst') a = undefined;
  if (b !== undefined && b.side === 'src') b = undefined;
  if (a === undefined) return b?.printer;
  if (b === undefined || a.rank <= b.rank) return a.printer;
  return b.printer;
}

/** The TCP application printer tcpdump would choose for this pair of ports, if any. */
export function tcpPortPrinter(sport: number, dport: number): PortPrinter | undefined {
  return byPort(tcpPorts, sport, dport);
}

/** The UDP application printer tcpdump would choose for this pair of ports, if any. */
export function udpPortPrinter(sport: number, dport: number): PortPrinter | undefined {
  return byPort(udpPorts, sport, dport);
}
