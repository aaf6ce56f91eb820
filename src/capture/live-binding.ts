/**
 * Loading libpcap: the `pcap` npm package (node_pcap 3.1.0), an optional dependency with a
 * native part built against libpcap-dev at install time.
 *
 * It is loaded lazily, on the first live-capture request, and never by anything offline: a
 * machine where it could not be built still reads, filters, tracks and writes capture files.
 * We load its compiled binding directly rather than its JavaScript wrapper: the wrapper
 * allocates an object and emits an event per packet, and hides the dispatch loop we need to
 * control (stop inside a callback, finalize after pcap_breakloop).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TcpscopeError } from '../errors.js';

/** The binding's view of struct pcap_stat. */
export interface BindingStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}

/** One entry of pcap_findalldevs as the binding reports it. */
export interface BindingDevice {
  name: string;
  description?: string;
  addresses?: Array<{ addr?: string; netmask?: string } | null>;
  /** 'PCAP_IF_LOOPBACK' when PCAP_IF_LOOPBACK is set; the other flags are not passed on */
  flags?: string;
}

/** The native PcapSession object (pcap_session.cc). */
export interface BindingSession {
  /**
   * pcap_create + set_snaplen/promisc/buffer_size/timeout/immediate + pcap_activate, then
   * pcap_setnonblock and pcap_compile/pcap_setfilter. Returns the link type as a string
   * ('LINKTYPE_ETHERNET', ... or 'Unknown linktype N' with the DLT number). Throws an Error
   * carrying libpcap's message.
   */
  open_live(
    device: string, filter: string, bufferSize: number, snaplen: number, outfile: string,
    onPacket: () => void, monitor: boolean, timeoutMs: number, onWarning: (msg: string) => void,
    promiscuous: boolean,
  ): string;
  /** pcap_dispatch(1) until it returns ≤ 0; -2 means the handle has just been closed */
  dispatch(buffer: Buffer, header: Buffer): number;
  start_polling(): void;
  /** pcap_breakloop: the next dispatch returns -2 and closes the handle */
  close(): void;
  stats(): BindingStats;
  /** called by the binding's uv_poll watcher when the capture descriptor is readable */
  read_callback?: () => void;
}

export interface PcapBinding {
  PcapSession: new () => BindingSession;
  findalldevs(): BindingDevice[];
  lib_version(): string;
}

/** What to do when the native module cannot be loaded (one line, ends up after `tcpscope: `). */
export const HOW_TO_BUILD = 'install libpcap and a C++ toolchain, then rebuild it: `apt-get install libpcap-dev g++ make python3 && npm rebuild pcap` in the tcpscope folder (`npm install pcap@3.1.0` if node_modules/pcap is missing)';

let cached: PcapBinding | undefined;

/**
 * Load the native libpcap binding, or throw LIVE_UNAVAILABLE saying what is missing and how to
 * get it. `from` is where module resolution starts (tests point it at a copy of the package).
 */
export function loadPcapBinding(from: string = import.meta.url): PcapBinding {
  if (cached !== undefined && from === import.meta.url) return cached;
  const require = createRequire(from);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('pcap/package.json'));
  } catch {
    throw new TcpscopeError('LIVE_UNAVAILABLE',
      `live capture needs the native \`pcap\` module, which is not installed (it is optional, and npm leaves it out when it cannot be built): ${HOW_TO_BUILD}`);
  }
  const bindingPath = join(pkgDir, 'build', 'Release', 'pcap_binding.node');
  let binding: PcapBinding;
  try {
    binding = require(bindingPath) as PcapBinding;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'MODULE_NOT_FOUND'
      ? 'is installed but was never built'
      : `cannot be loaded (${firstLine(err.message)})`;
    throw new TcpscopeError('LIVE_UNAVAILABLE', `live capture needs the native \`pcap\` module, which ${why}: ${HOW_TO_BUILD}`);
  }
  if (typeof binding?.PcapSession !== 'function' || typeof binding.findalldevs !== 'function') {
    throw new TcpscopeError('LIVE_UNAVAILABLE', `live capture needs the native \`pcap\` module, but ${bindingPath} is not the pcap 3.x binding: ${HOW_TO_BUILD}`);
  }
  if (from === import.meta.url) cached = binding;
  return binding;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}
