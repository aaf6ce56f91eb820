/**
 * `-D`: the interfaces libpcap can capture on, printed as tcpdump prints them:
 *
 *     1.eth0 [Up, Running, Connected]
 *     2.any (Pseudo-device that captures on all interfaces) [Up, Running]
 *     3.lo [Up, Running, Loopback]
 *     4.ifb0 [none]
 *
 * The list, its order and the descriptions come from pcap_findalldevs through the binding.
 * The binding passes on only the loopback flag, so the others are recovered the way libpcap
 * computes them on Linux (pcap-linux.c get_if_flags), from sysfs:
 *  - Up and Loopback: IFF_UP / IFF_LOOPBACK in /sys/class/net/NAME/flags;
 *  - Running: IFF_RUNNING, which the kernel reports for an up device whose operstate is up or
 *    unknown (sysfs `flags` does not carry it);
 *  - Wireless: a `wireless` directory, or a wireless ARPHRD type;
 *  - Connected/Disconnected: libpcap asks ethtool (ETHTOOL_GLINK), which answers only for
 *    drivers that implement get_link; the others are "not applicable" and print nothing. We
 *    cannot issue that ioctl from JavaScript, so "implements get_link" is judged from what sysfs
 *    shows (real hardware, wireless, bridges/bonds/VLANs/tun/veth do; ifb and dummy do not) and
 *    the answer is the carrier state.
 * Devices outside /sys/class/net come from libpcap's other capture modules (any, nflog,
 * nfqueue, bluetooth, usbmon, dbus) and get the flags those modules give them.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BindingDevice } from './live-binding.js';

export const PCAP_IF_LOOPBACK = 0x1;
export const PCAP_IF_UP = 0x2;
export const PCAP_IF_RUNNING = 0x4;
export const PCAP_IF_WIRELESS = 0x8;
export const PCAP_IF_CONNECTION_STATUS = 0x30;
export const PCAP_IF_CONNECTION_STATUS_UNKNOWN = 0x0;
export const PCAP_IF_CONNECTION_STATUS_CONNECTED = 0x10;
export const PCAP_IF_CONNECTION_STATUS_DISCONNECTED = 0x20;
export const PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE = 0x30;

export interface InterfaceEntry {
  name: string;
  description?: string;
  /** PCAP_IF_* flags */
  flags: number;
}

/** Reads a sysfs attribute; undefined when it does not exist or cannot be read (a down device's carrier). */
export type SysfsReader = (path: string) => string | undefined;

const readSysfs: SysfsReader = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const ARPHRD_LOOPBACK = 772;
/** ARPHRD types libpcap calls wireless: IrDA, 802.11 (plain, Prism, radiotap), 802.15.4, 6LoWPAN */
const WIRELESS_ARPHRD = new Set([783, 801, 802, 803, 804, 805, 825]);
/** uevent DEVTYPEs of virtual devices whose drivers answer ETHTOOL_GLINK */
const GLINK_DEVTYPES = new Set(['bridge', 'bond', 'team', 'vlan', 'macvlan', 'macvtap', 'ipvlan', 'vxlan', 'wlan', 'dsa']);

/** PCAP_IF_* flags for a network device under /sys/class/net, as libpcap computes them. */
export function netdevFlags(name: string, read: SysfsReader = readSysfs, exists: (p: string) => boolean = existsSync): number | undefined {
  const dir = `/sys/class/net/${name}`;
  const raw = read(`${dir}/flags`);
  if (raw === undefined) return undefined;
  const ifflags = parseInt(raw, 16) || 0;
  let flags = 0;
  if (ifflags & IFF_UP) {
    flags |= PCAP_IF_UP;
    const oper = read(`${dir}/operstate`);
    if (oper === 'up' || oper === 'unknown') flags |= PCAP_IF_RUNNING;
  }
  if (ifflags & IFF_LOOPBACK) {
    // loopback: neither wireless nor connected/disconnected
    return flags | PCAP_IF_LOOPBACK | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;
  }
  const type = Number(read(`${dir}/type`) ?? NaN);
  const wireless = exists(`${dir}/wireless`) || exists(`${dir}/phy80211`) || WIRELESS_ARPHRD.has(type);
  if (wireless) flags |= PCAP_IF_WIRELESS;
  else if (type === ARPHRD_LOOPBACK) return flags; // libpcap gives up here: status unknown
  if (!answersGetLink(dir, read, exists, wireless)) return flags | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;
  // ethtool's get_link is the carrier state; sysfs refuses to read it while the device is down,
  // when drivers report no carrier
  return flags | (read(`${dir}/carrier`) === '1' ? PCAP_IF_CONNECTION_STATUS_CONNECTED : PCAP_IF_CONNECTION_STATUS_DISCONNECTED);
}

function answersGetLink(dir: string, read: SysfsReader, exists: (p: string) => boolean, wireless: boolean): boolean {
  if (wireless) return true;
  if (exists(`${dir}/device`)) return true; // a real (bus) device: its driver implements get_link
  if (exists(`${dir}/tun_flags`)) return true; // tun/tap
  const uevent = read(`${dir}/uevent`) ?? '';
  const m = /^DEVTYPE=(.*)$/m.exec(uevent);
  if (m !== null && GLINK_DEVTYPES.has(m[1]!)) return true;
  // stacked on another device (veth peer, vlan parent, ipvlan/macvlan lower): those forward get_link
  const iflink = read(`${dir}/iflink`);
  const ifindex = read(`${dir}/ifindex`);
  return iflink !== undefined && ifindex !== undefined && iflink !== '0' && iflink !== ifindex;
}

/** Flags libpcap's other capture modules give their devices. */
export function pseudoDeviceFlags(name: string): number {
  if (name === 'any') return PCAP_IF_UP | PCAP_IF_RUNNING | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;
  if (name === 'bluetooth-monitor') return PCAP_IF_WIRELESS | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;
  if (/^bluetooth\d+$/.test(name)) return PCAP_IF_WIRELESS; // association status unknown
  return PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE; // nflog, nfqueue, usbmon, dbus, rdma
}

/** The binding's device list with tcpdump's flags filled in. */
export function describeDevices(devices: BindingDevice[], read: SysfsReader = readSysfs, exists: (p: string) => boolean = existsSync): InterfaceEntry[] {
  return devices.map((d) => {
    let flags = netdevFlags(d.name, read, exists) ?? pseudoDeviceFlags(d.name);
    if (d.flags === 'PCAP_IF_LOOPBACK') flags |= PCAP_IF_LOOPBACK;
    const entry: InterfaceEntry = { name: d.name, flags };
    if (d.description !== undefined) entry.description = d.description;
    return entry;
  });
}

/** One `-D` line, as tcpdump's show_devices_and_exit prints it (newline included). */
export function formatInterfaceLine(index: number, e: InterfaceEntry): string {
  let s = `${index}.${e.name}`;
  if (e.description !== undefined) s += ` (${e.description})`;
  if (e.flags !== 0) {
    const names: string[] = [];
    if (e.flags & PCAP_IF_UP) names.push('Up');
    if (e.flags & PCAP_IF_RUNNING) names.push('Running');
    if (e.flags & PCAP_IF_LOOPBACK) names.push('Loopback');
    if (e.flags & PCAP_IF_WIRELESS) names.push('Wireless');
    s += ' [' + (names.length > 0 ? names.join(', ') : 'none');
    const status = e.flags & PCAP_IF_CONNECTION_STATUS;
    if (e.flags & PCAP_IF_WIRELESS) {
      if (status === PCAP_IF_CONNECTION_STATUS_UNKNOWN) s += ', Association status unknown';
      else if (status === PCAP_IF_CONNECTION_STATUS_CONNECTED) s += ', Associated';
      else if (status === PCAP_IF_CONNECTION_STATUS_DISCONNECTED) s += ', Not associated';
    } else {
      if (status === PCAP_IF_CONNECTION_STATUS_UNKNOWN) s += ', Connection status unknown';
      else if (status === PCAP_IF_CONNECTION_STATUS_CONNECTED) s += ', Connected';
      else if (status === PCAP_IF_CONNECTION_STATUS_DISCONNECTED) s += ', Disconnected';
    }
    s += ']';
  }
  return s + '\n';
}

/** The whole `-D` listing. */
export function formatInterfaceList(entries: InterfaceEntry[]): string {
  let s = '';
  entries.forEach((e, i) => { s += formatInterfaceLine(i + 1, e); });
  return s;
}
