/**
 * Live capture through libpcap (the `pcap` package's native binding, loaded lazily).
 *
 *     const cap = openLive({ interface: 'lo', filter: 'tcp port 80', promiscuous: true, immediate: false });
 *     dropPrivileges(user);                      // -Z, now that the handle is open
 *     await cap.run((frame) => { ... });         // resolves once stopped (-c, stop(), error)
 *     cap.stop();                                // from a signal handler: clean stop, idempotent
 *     cap.stats();                               // tcpdump's three counters
 *
 * Every packet is delivered as a Frame exactly like a file reader's: one reused Frame whose
 * `data` is one preallocated buffer libpcap copies each packet into, so the rest of the
 * pipeline (decoders, tracker, printers, the pcap writer) cannot tell live from recorded
 * packets, and a live session prints what reading its own -w file prints.
 *
 * The filter expression goes to libpcap unchanged (pcap_compile + pcap_setfilter: compiled to
 * BPF and run in the kernel), so only matching packets ever reach JavaScript.
 *
 * Capture options are tcpdump's: snaplen 262144 unless -s, promiscuous unless -p, a 1000 ms
 * packet-buffer timeout unless --immediate-mode. One difference: the kernel buffer is 16 MiB
 * unless -B, not libpcap's 2 MiB. libpcap sizes its ring slots by the snap length, so 2 MiB is
 * eight 256 KiB slots on `any` in immediate mode, which a burst of loopback traffic overflows
 * even under tcpdump ("packets dropped by kernel"); tcpscope hands each packet to JavaScript
 * and needs the slack more. Time stamps are microseconds: node_pcap 3.1.0 passes libpcap's
 * `struct timeval` only, so --nano prints and writes three trailing zeros live; and it cannot
 * choose a link type, so `-i any` gives libpcap's default for it, Linux cooked v1 (tcpdump 4.99
 * asks for v2, which also names the interface of each packet).
 */
import { endianness } from 'node:os';
import { TcpscopeError } from '../errors.js';
import { count } from '../print/count.js';
import { type Frame, newFrame } from './frame.js';
import { type BindingSession, type BindingStats, type PcapBinding, loadPcapBinding } from './live-binding.js';
import { describeDevices, formatInterfaceList } from './live-devices.js';
import { describeLinktype } from './link-names.js';
import type { FrameSink } from './parser.js';
import { MAXIMUM_SNAPLEN } from './writer.js';

export { defaultDropUser, dropPrivileges, handOverFile, lookupUser, runningAsRoot } from './live-privileges.js';
export { describeDevices, formatInterfaceLine, formatInterfaceList, type InterfaceEntry } from './live-devices.js';
export { HOW_TO_BUILD, loadPcapBinding, type PcapBinding } from './live-binding.js';
export { describeLinktype } from './link-names.js';

/** What to capture, as tcpdump's options say it. */
export interface LiveOptions {
  /** -i: an interface name, `any`, or a number from -D */
  interface: string;
  /** filter expression, given to libpcap as it stands ('' for none) */
  filter: string;
  /** -s: bytes per packet; undefined or 0 for the most (262144) */
  snaplen?: number;
  /** not -p */
  promiscuous: boolean;
  /** --immediate-mode */
  immediate: boolean;
  /** -B: kernel buffer in KiB */
  bufferKiB?: number;
  /** the binding to use (tests); loaded lazily by default */
  binding?: PcapBinding;
}

/** tcpdump's counters: what the callback got, and what libpcap's pcap_stats says. */
export interface LiveStats {
  /** packets delivered to tcpscope ("packets captured") */
  captured: number;
  /** ps_recv ("received by filter") */
  received: number;
  /** ps_drop ("dropped by kernel") */
  dropped: number;
  /** ps_ifdrop ("dropped by interface", printed only when non-zero) */
  ifDropped: number;
}

/** DLT_* values that differ from their LINKTYPE_* (pcap-common.c's table, the Linux values). */
const DLT_TO_LINKTYPE: Record<number, number> = { 11: 100, 12: 101, 13: 102, 14: 103, 17: 117, 18: 246 };

/** The binding's link-type string → LINKTYPE_* value. */
export function linktypeFromBinding(s: string): number {
  switch (s) {
    case 'LINKTYPE_NULL': return 0;
    case 'LINKTYPE_ETHERNET': return 1;
    case 'LINKTYPE_IEEE802_11_RADIO': return 127;
    case 'LINKTYPE_RAW': return 101;
    case 'LINKTYPE_LINUX_SLL': return 113;
    default: {
      const m = /^Unknown linktype (\d+)$/.exec(s);
      if (m === null) throw new TcpscopeError('LIVE_FAILED', `libpcap reported a link type tcpscope does not understand: ${s}`);
      const dlt = Number(m[1]);
      return DLT_TO_LINKTYPE[dlt] ?? dlt;
    }
  }
}

/**
 * The line tcpdump writes on stderr once capturing: `listening on lo, link-type EN10MB
 * (Ethernet), snapshot length 262144 bytes` (the caller adds tcpdump's prefix rules).
 */
export function listeningLine(device: string, linktype: number, snaplen: number): string {
  return `listening on ${device}, ${describeLinktype(linktype)}, snapshot length ${snaplen} bytes`;
}

/**
 * tcpdump's counters. At the end of a capture (`final`), one per line:
 *     3 packets captured / 8 packets received by filter / 0 packets dropped by kernel
 * On SIGUSR1, one line: `tcpscope: 3 packets captured, 8 packets received by filter, ...`.
 * "dropped by interface" follows only when libpcap counted some.
 */
export function formatStats(s: LiveStats, final: boolean, program = 'tcpscope'): string {
  const sep = final ? '\n' : ', ';
  let out = final ? '' : `${program}: `;
  out += `${count(s.captured, 'packet')} captured${sep}`;
  out += `${count(s.received, 'packet')} received by filter${sep}`;
  out += `${count(s.dropped, 'packet')} dropped by kernel`;
  if (s.ifDropped !== 0) out += `${sep}${count(s.ifDropped, 'packet')} dropped by interface`;
  return out + '\n';
}

/** `-D`: the interface list, as tcpdump prints it. */
export function listInterfaces(binding: PcapBinding = loadPcapBinding()): string {
  let devices;
  try {
    devices = binding.findalldevs();
  } catch (e) {
    throw new TcpscopeError('LIVE_FAILED', `cannot list interfaces: ${(e as Error).message}`);
  }
  return formatInterfaceList(describeDevices(devices));
}

/**
 * The interface tcpdump captures on when given none: the first pcap_findalldevs lists (libpcap
 * puts interfaces that are up, running and not loopback first). Undefined when live capture is
 * not available or there is no interface.
 */
export function defaultInterface(): string | undefined {
  try {
    return loadPcapBinding().findalldevs()[0]?.name;
  } catch {
    return undefined;
  }
}

/** tcpdump's -s check: 0 (or nothing) means the most, anything past 262144 is an error. */
export function resolveSnaplen(snaplen: number | undefined): number {
  if (snaplen === undefined || snaplen === 0) return MAXIMUM_SNAPLEN;
  if (!Number.isInteger(snaplen) || snaplen < 0 || snaplen > MAXIMUM_SNAPLEN) {
    throw new TcpscopeError('BAD_OPTION', `invalid snaplen ${snaplen} (must be >= 0 and <= ${MAXIMUM_SNAPLEN})`);
  }
  return snaplen;
}

/** -i N: a number names the N-th interface of -D, unless an interface is called that. */
export function resolveDevice(name: string, binding: PcapBinding): string {
  if (!/^\d+$/.test(name)) return name;
  let devices;
  try {
    devices = binding.findalldevs();
  } catch {
    return name;
  }
  if (devices.some((d) => d.name === name)) return name;
  const n = Number(name);
  if (n < 1 || n > devices.length) throw new TcpscopeError('BAD_OPTION', `Invalid adapter index ${name}: tcpscope -D lists ${devices.length} interfaces`);
  return devices[n - 1]!.name;
}

const PERMISSION_RE = /Operation not permitted|Permission denied|permission to (capture|perform)/i;
const HOW_TO_PERMIT = 'run it as root (sudo), or let node capture without root: sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v node)")"';

/** libpcap's words for a failed open → one clear TcpscopeError. */
function openError(device: string, message: string, filterAtFault: boolean): TcpscopeError {
  const msg = message.trim();
  if (filterAtFault) return new TcpscopeError('FILTER_SYNTAX', msg);
  if (PERMISSION_RE.test(msg)) {
    return new TcpscopeError('LIVE_PERMISSION', `${device}: You don't have permission to capture on that device (${msg}): ${HOW_TO_PERMIT}`);
  }
  if (/No such device/i.test(msg)) {
    return new TcpscopeError('LIVE_FAILED', `${device}: ${msg} (tcpscope -D lists the interfaces you can capture on)`);
  }
  return new TcpscopeError('LIVE_FAILED', msg.startsWith(device) ? msg : `${device}: ${msg}`);
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** The time libpcap waits to fill a buffer before handing packets over (tcpdump's 1000 ms). */
const PACKET_BUFFER_TIMEOUT_MS = 1000;
const DEFAULT_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * open: handle open, not capturing yet; running: delivering packets; stopping: pcap_breakloop
 * requested, the handle still open; closed: the binding has closed the handle.
 *
 * Why "stopping" can last: the binding puts libpcap in non-blocking mode, where
 * pcap_breakloop only sets a flag that the packet loop checks, so the binding closes the
 * handle (and releases its event-loop watcher) at the next packet that arrives, which on a
 * quiet interface may be never. The capture is over for us either way (late packets are
 * ignored); a command-line run ends the process once its output is written (see `lingering`).
 */
type State = 'open' | 'running' | 'stopping' | 'closed';

const openCaptures = new Set<LiveCapture>();

/** True when a stopped capture still holds libpcap's handle, which keeps Node's event loop alive. */
export function liveCaptureLingers(): boolean {
  for (const c of openCaptures) if (c.lingering) return true;
  return false;
}

/** An open live capture. */
export class LiveCapture {
  /** interface name (a -D number resolved) */
  readonly device: string;
  /** LINKTYPE_* of every packet */
  readonly linktype: number;
  /** -s as libpcap was given it */
  readonly snaplen: number;
  /** packets delivered to the sink */
  captured = 0;

  private readonly frame: Frame = newFrame();
  private readonly buf: Buffer;
  private readonly hdr = Buffer.alloc(16);
  private state: State = 'open';
  private inDispatch = false;
  private sink: FrameSink | null = null;
  private onBatch: (() => void) | null = null;
  private finalStats: BindingStats | null = null;
  private failure: unknown = null;
  private settle: ((err?: unknown) => void) | null = null;

  private constructor(private readonly session: BindingSession, device: string, linktype: number, snaplen: number) {
    this.device = device;
    this.linktype = linktype;
    this.snaplen = snaplen;
    // libpcap never hands over more than the snap length; the buffer holds the largest there is
    this.buf = Buffer.alloc(Math.max(snaplen, MAXIMUM_SNAPLEN));
    this.frame.data = this.buf;
    this.frame.offset = 0;
    this.frame.linktype = linktype;
    this.frame.ifIndex = 0;
    openCaptures.add(this);
  }

  /** Stopped, but libpcap's handle is not closed yet (see State). */
  get lingering(): boolean {
    return this.state === 'stopping';
  }

  /**
   * Open `opts.interface` for capture and install the filter. Throws LIVE_UNAVAILABLE (no
   * native module), LIVE_PERMISSION (not allowed to capture), LIVE_FAILED (no such device, not
   * up, ...), FILTER_SYNTAX (libpcap rejects the filter) or BAD_OPTION.
   */
  static open(opts: LiveOptions): LiveCapture {
    const snaplen = resolveSnaplen(opts.snaplen);
    let bufferBytes = DEFAULT_BUFFER_BYTES;
    if (opts.bufferKiB !== undefined) {
      if (!Number.isInteger(opts.bufferKiB) || opts.bufferKiB <= 0 || opts.bufferKiB > 0x1fffff) {
        throw new TcpscopeError('BAD_OPTION', `invalid packet buffer size ${opts.bufferKiB}`);
      }
      bufferBytes = opts.bufferKiB * 1024;
    }
    const binding = opts.binding ?? loadPcapBinding();
    const device = resolveDevice(opts.interface, binding);
    const timeout = opts.immediate ? 0 : PACKET_BUFFER_TIMEOUT_MS;
    const ignoreWarning = (): void => {
      // pcap_lookupnet failing (an interface without IPv4) only affects `ip broadcast` filters;
      // tcpdump stays quiet about it too
    };
    let cap: LiveCapture | null = null;
    const onPacket = (): void => { if (cap !== null) cap.onPacket(); };
    const session = new binding.PcapSession();
    let linkName: string;
    try {
      linkName = session.open_live(device, opts.filter, bufferBytes, snaplen, '', onPacket, false, timeout, ignoreWarning, opts.promiscuous);
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      // libpcap reports a bad filter and a device it cannot open through the same call: if the
      // device opens without the filter, the filter was at fault
      const filterAtFault = opts.filter !== '' && !PERMISSION_RE.test(message) && opensWithoutFilter(binding, device, bufferBytes, snaplen, timeout, opts.promiscuous);
      throw openError(device, message, filterAtFault);
    }
    cap = new LiveCapture(session, device, linktypeFromBinding(linkName), snaplen);
    return cap;
  }

  /**
   * Capture until stopped: `onFrame` returning false (-c), `stop()`, or a libpcap error
   * (rejects with LIVE_FAILED) or an error thrown by `onFrame` (rejects with it). `onBatch`
   * runs after each batch of packets libpcap hands over, and once more at the end: the place
   * to flush output so a live session shows its lines as they happen.
   */
  run(onFrame: FrameSink, onBatch?: () => void): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new TcpscopeError('INTERNAL', 'LiveCapture.run: the capture is not open'));
    this.sink = onFrame;
    this.onBatch = onBatch ?? null;
    this.state = 'running';
    return new Promise<void>((resolve, reject) => {
      this.settle = (err?: unknown) => {
        if (err !== undefined) reject(err);
        else resolve();
      };
      this.session.read_callback = () => this.pump();
      try {
        this.session.start_polling();
      } catch (e) {
        this.failure = new TcpscopeError('LIVE_FAILED', `${this.device}: ${(e as Error).message}`);
        this.stop();
        return;
      }
      // packets may be waiting already; the descriptor will not signal them again
      process.nextTick(() => this.pump());
    });
  }

  /** Stop capturing (idempotent): the counters are taken now, then libpcap is told to break off. */
  stop(): void {
    if (this.state === 'stopping' || this.state === 'closed') return;
    if (this.state === 'running' && !this.inDispatch) {
      // first deliver what libpcap already holds (buffers the kernel has handed over): they
      // were captured before the stop
      this.dispatchOnce();
      if (this.state !== 'running') { this.finish(); return; }
    }
    this.takeStats();
    this.state = 'stopping';
    this.session.close(); // pcap_breakloop
    if (!this.inDispatch) {
      this.dispatchOnce();
      this.finish();
    }
    // inside a packet callback: pump() finishes once pcap_dispatch returns
  }

  /** tcpdump's counters: final once stopped, current while capturing. */
  stats(): LiveStats {
    let s = this.finalStats;
    if (s === null && this.state !== 'closed') {
      try {
        s = this.session.stats();
      } catch {
        s = null;
      }
    }
    return {
      captured: this.captured,
      received: s?.ps_recv ?? 0,
      dropped: s?.ps_drop ?? 0,
      ifDropped: s?.ps_ifdrop ?? 0,
    };
  }

  private takeStats(): void {
    if (this.finalStats !== null || this.state === 'closed') return;
    try {
      this.finalStats = this.session.stats();
    } catch {
      this.finalStats = { ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 };
    }
  }

  /** libpcap has copied one packet into `buf` and its header into `hdr` (we are inside pcap_dispatch). */
  private onPacket(): void {
    if (this.state !== 'running') return; // a packet libpcap had in hand when we stopped
    const h = this.hdr;
    const f = this.frame;
    const caplen = LITTLE_ENDIAN_HOST ? h.readUInt32LE(8) : h.readUInt32BE(8);
    f.tsSec = LITTLE_ENDIAN_HOST ? h.readUInt32LE(0) : h.readUInt32BE(0);
    f.tsNsec = (LITTLE_ENDIAN_HOST ? h.readUInt32LE(4) : h.readUInt32BE(4)) * 1000;
    f.caplen = caplen < this.buf.length ? caplen : this.buf.length;
    f.wirelen = LITTLE_ENDIAN_HOST ? h.readUInt32LE(12) : h.readUInt32BE(12);
    f.number = ++this.captured;
    // an exception must not escape into the native callback (it would abort the process)
    try {
      if (this.sink!(f) === false) this.stop();
    } catch (e) {
      this.failure = e;
      this.stop();
    }
  }

  /** The descriptor is readable (or we were kicked): let libpcap deliver what it has. */
  private pump(): void {
    if (this.state === 'closed' || this.state === 'open') return;
    const wasRunning = this.state === 'running';
    const r = this.dispatchOnce();
    if (r === -1 && this.state === 'running') {
      // the binding does not pass pcap_geterr on; on Linux this is the interface going away
      this.failure = new TcpscopeError('LIVE_FAILED', `${this.device}: libpcap stopped capturing (did the interface go down or disappear?)`);
      this.stop();
      return;
    }
    if (this.state === 'running') {
      if (this.onBatch !== null) {
        try {
          this.onBatch();
        } catch (e) {
          this.failure = e;
          this.stop();
        }
      }
    } else if (wasRunning) {
      this.finish(); // stopped from inside the packet callback
    }
  }

  /** One pcap_dispatch loop; -2 means libpcap has acknowledged the break and the binding closed the handle. */
  private dispatchOnce(): number {
    this.inDispatch = true;
    let r: number;
    try {
      r = this.session.dispatch(this.buf, this.hdr);
    } finally {
      this.inDispatch = false;
    }
    if (r === -2) {
      this.state = 'closed';
      openCaptures.delete(this);
    }
    return r;
  }

  /** The capture is over: last batch hook, then settle run(). */
  private finish(): void {
    const settle = this.settle;
    if (settle === null) return;
    this.settle = null;
    if (this.onBatch !== null) {
      try {
        this.onBatch();
      } catch (e) {
        if (this.failure === null) this.failure = e;
      }
    }
    settle(this.failure === null ? undefined : this.failure);
  }
}

/** Whether `device` opens with no filter (then a failure with the filter was the filter's). */
function opensWithoutFilter(binding: PcapBinding, device: string, bufferBytes: number, snaplen: number, timeout: number, promiscuous: boolean): boolean {
  const probe = new binding.PcapSession();
  try {
    probe.open_live(device, '', bufferBytes, snaplen, '', () => {}, false, timeout, () => {}, promiscuous);
  } catch {
    return false;
  }
  try {
    probe.close();
    probe.dispatch(Buffer.alloc(64), Buffer.alloc(16));
  } catch {
    // closing the probe is best effort
  }
  return true;
}

/** Open a live capture (LiveCapture.open). */
export function openLive(opts: LiveOptions): LiveCapture {
  return LiveCapture.open(opts);
}
