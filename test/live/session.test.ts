/**
 * LiveCapture's own logic, without root: a stand-in for the native binding that behaves as
 * node_pcap 3.1.0 over libpcap in non-blocking mode does (one packet per pcap_dispatch call,
 * pcap_breakloop acknowledged only when a packet is there, -2 closes the handle), so the stop
 * rules, the error paths and the frames handed over can be checked anywhere. Also the text
 * helpers: counters, link-type names, snap length checks.
 */
import { describe, expect, test } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import type { BindingSession, BindingStats, PcapBinding } from '../../src/capture/live-binding.js';
import { LiveCapture, describeLinktype, formatStats, linktypeFromBinding, listeningLine, liveCaptureLingers, resolveSnaplen } from '../../src/capture/live.js';
import { TcpscopeError } from '../../src/errors.js';

interface FakePacket { sec: number; usec: number; bytes: Buffer; wirelen?: number }

/** libpcap as the binding drives it, in memory. */
class FakeSession implements BindingSession {
  static last: FakeSession;
  queue: FakePacket[] = [];
  breakFlag = false;
  closed = false;
  polling = false;
  stats_: BindingStats = { ps_recv: 0, ps_drop: 0, ps_ifdrop: 0 };
  failNext = false;
  onPacket: (() => void) | null = null;
  openArgs: unknown[] = [];
  read_callback?: () => void;
  constructor(private readonly openError?: string, private readonly linktype = 'LINKTYPE_ETHERNET') { FakeSession.last = this; }

  open_live(...args: unknown[]): string {
    this.openArgs = args;
    if (this.openError !== undefined && !(this.openError.startsWith('filter:') && args[1] === '')) throw new Error(this.openError.replace(/^filter:/, ''));
    this.onPacket = args[5] as () => void;
    return this.linktype;
  }

  /** the binding's Dispatch: pcap_dispatch(1) until it returns <= 0 */
  dispatch(buf: Buffer, hdr: Buffer): number {
    if (this.closed) throw new Error('pcap_dispatch on a closed handle (would crash)');
    let r: number;
    do {
      r = this.dispatchOne(buf, hdr);
      if (r === -2) this.closed = true;
    } while (r > 0);
    return r;
  }

  private dispatchOne(buf: Buffer, hdr: Buffer): number {
    if (this.failNext) { this.failNext = false; return -1; }
    const p = this.queue[0];
    if (p === undefined) return 0; // non-blocking: the break flag waits for a packet
    if (this.breakFlag) { this.breakFlag = false; return -2; }
    this.queue.shift();
    p.bytes.copy(buf, 0, 0, Math.min(p.bytes.length, buf.length));
    hdr.writeUInt32LE(p.sec, 0);
    hdr.writeUInt32LE(p.usec, 4);
    hdr.writeUInt32LE(p.bytes.length, 8);
    hdr.writeUInt32LE(p.wirelen ?? p.bytes.length, 12);
    this.onPacket!();
    return 1;
  }

  start_polling(): void { this.polling = true; }
  close(): void { this.breakFlag = true; }
  stats(): BindingStats {
    if (this.closed) throw new Error('Error: pcap session already closed');
    return { ...this.stats_ };
  }

  /** packets arrive; the descriptor becomes readable */
  arrive(...pkts: FakePacket[]): void {
    this.queue.push(...pkts);
    this.stats_.ps_recv += pkts.length;
    if (this.polling && this.read_callback !== undefined) this.read_callback();
  }
}

function fakeBinding(openError?: string, linktype?: string): PcapBinding {
  return {
    PcapSession: class extends FakeSession { constructor() { super(openError, linktype); } } as unknown as new () => BindingSession,
    findalldevs: () => [{ name: 'eth0' }, { name: 'any', description: 'Pseudo-device that captures on all interfaces' }, { name: 'lo', flags: 'PCAP_IF_LOOPBACK' }],
    lib_version: () => 'fake libpcap',
  };
}

const pkt = (n: number): FakePacket => ({ sec: 1_700_000_000 + n, usec: 250_000 + n, bytes: Buffer.alloc(60, n), wirelen: 1500 });
const tick = () => new Promise((r) => setImmediate(r));

function open(extra: Partial<Parameters<typeof LiveCapture.open>[0]> = {}, binding = fakeBinding()) {
  return LiveCapture.open({ interface: 'eth0', filter: 'tcp', promiscuous: true, immediate: false, binding, ...extra });
}

describe('LiveCapture', () => {
  test('open_tcpdumpDefaults_passedToLibpcap', () => {
    const cap = open();
    const a = FakeSession.last.openArgs;
    expect(a[0]).toBe('eth0');
    expect(a[1]).toBe('tcp'); // the filter as given
    expect(a[2]).toBe(16 * 1024 * 1024); // kernel buffer
    expect(a[3]).toBe(262144); // snaplen
    expect(a[7]).toBe(1000); // packet buffer timeout
    expect(a[9]).toBe(true); // promiscuous
    expect(cap.linktype).toBe(1);
    const b = open({ immediate: true, promiscuous: false, snaplen: 96, bufferKiB: 4096 });
    const a2 = FakeSession.last.openArgs;
    expect([a2[2], a2[3], a2[7], a2[9]]).toEqual([4096 * 1024, 96, 0, false]);
    expect(b.snaplen).toBe(96);
  });

  test('packets_framesAsAFileReaderGivesThem_thenSinkFalse_stopsAtThatPacket', async () => {
    const cap = open();
    const seen: Array<Pick<Frame, 'number' | 'tsSec' | 'tsNsec' | 'caplen' | 'wirelen' | 'linktype' | 'offset'> & { first: number }> = [];
    const done = cap.run((f) => {
      seen.push({ number: f.number, tsSec: f.tsSec, tsNsec: f.tsNsec, caplen: f.caplen, wirelen: f.wirelen, linktype: f.linktype, offset: f.offset, first: f.data[0]! });
      return f.number < 2;
    });
    await tick();
    FakeSession.last.arrive(pkt(1), pkt(2), pkt(3));
    await done;
    expect(seen).toEqual([
      { number: 1, tsSec: 1_700_000_001, tsNsec: 250_001_000, caplen: 60, wirelen: 1500, linktype: 1, offset: 0, first: 1 },
      { number: 2, tsSec: 1_700_000_002, tsNsec: 250_002_000, caplen: 60, wirelen: 1500, linktype: 1, offset: 0, first: 2 },
    ]);
    // the third packet was there: libpcap acknowledged the break and the handle is closed
    expect(FakeSession.last.closed).toBe(true);
    expect(cap.lingering).toBe(false);
    expect(cap.stats()).toEqual({ captured: 2, received: 3, dropped: 0, ifDropped: 0 });
  });

  test('stopFromOutside_quietInterface_settles_handleLingers_statsKept', async () => {
    const cap = open();
    let n = 0;
    const done = cap.run(() => { n++; });
    await tick();
    FakeSession.last.arrive(pkt(1));
    FakeSession.last.stats_.ps_drop = 4;
    cap.stop();
    await done;
    expect(n).toBe(1);
    // non-blocking libpcap never saw a packet after the break: the handle is still open
    expect(cap.lingering).toBe(true);
    expect(liveCaptureLingers()).toBe(true);
    expect(cap.stats()).toEqual({ captured: 1, received: 1, dropped: 4, ifDropped: 0 });
    // a late packet closes it and is not delivered
    FakeSession.last.arrive(pkt(2));
    expect(n).toBe(1);
    expect(FakeSession.last.closed).toBe(true);
    expect(cap.lingering).toBe(false);
    cap.stop(); // idempotent
  });

  test('stop_deliversWhatLibpcapAlreadyHolds_first', async () => {
    const cap = open();
    const got: number[] = [];
    const done = cap.run((f) => { got.push(f.number); });
    await tick();
    // packets are in the ring but the descriptor has not been reported readable yet
    FakeSession.last.polling = false;
    FakeSession.last.arrive(pkt(1), pkt(2));
    cap.stop();
    await done;
    expect(got).toEqual([1, 2]);
  });

  test('sinkThrows_runRejectsWithIt_noExceptionIntoNativeCode', async () => {
    const cap = open();
    const boom = new TcpscopeError('WRITE_FAILED', 'disk full', { file: 'out.pcap' });
    const done = cap.run(() => { throw boom; });
    await tick();
    FakeSession.last.arrive(pkt(1), pkt(2));
    await expect(done).rejects.toBe(boom);
    expect(cap.captured).toBe(1);
  });

  test('libpcapError_runRejects_liveFailed', async () => {
    const cap = open();
    const done = cap.run(() => {});
    await tick();
    FakeSession.last.failNext = true;
    FakeSession.last.read_callback!();
    await expect(done).rejects.toMatchObject({ code: 'LIVE_FAILED', message: 'eth0: libpcap stopped capturing (did the interface go down or disappear?)' });
  });

  test('batchHook_afterEachBatch_andOnceAtTheEnd', async () => {
    const cap = open();
    let batches = 0;
    const done = cap.run(() => {}, () => { batches++; });
    await tick();
    const before = batches;
    FakeSession.last.arrive(pkt(1), pkt(2));
    expect(batches).toBe(before + 1);
    cap.stop();
    await done;
    expect(batches).toBe(before + 2);
  });

  test.each([
    ['socket: Operation not permitted', 'LIVE_PERMISSION', /^eth0: You don't have permission to capture on that device \(socket: Operation not permitted\): run it as root \(sudo\), or let node capture without root: sudo setcap cap_net_raw,cap_net_admin=eip/],
    ['No such device exists', 'LIVE_FAILED', /^eth0: No such device exists \(tcpscope -D lists the interfaces you can capture on\)$/],
    ['That device is not up', 'LIVE_FAILED', /^eth0: That device is not up$/],
    ["filter:can't parse filter expression: syntax error", 'FILTER_SYNTAX', /^can't parse filter expression: syntax error$/],
  ])('openFails_%s_oneClearError', (msg, code, text) => {
    let err: unknown;
    try { open({}, fakeBinding(msg)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TcpscopeError);
    expect((err as TcpscopeError).code).toBe(code);
    expect((err as TcpscopeError).describe()).toMatch(text);
  });

  test('interfaceNumber_resolvedThroughTheDList', () => {
    expect(open({ interface: '3' }).device).toBe('lo');
    expect(() => open({ interface: '9' })).toThrow(/Invalid adapter index 9/);
  });

  test('badSizes_tcpdumpsMessages', () => {
    expect(() => open({ snaplen: 262145 })).toThrow('invalid snaplen 262145 (must be >= 0 and <= 262144)');
    expect(() => open({ bufferKiB: 0 })).toThrow('invalid packet buffer size 0');
    expect(resolveSnaplen(0)).toBe(262144);
    expect(resolveSnaplen(undefined)).toBe(262144);
  });

  test('anyDevice_linuxCooked', () => {
    const cap = open({ interface: 'any' }, fakeBinding(undefined, 'LINKTYPE_LINUX_SLL'));
    expect(cap.linktype).toBe(113);
  });
});

describe('text', () => {
  test('formatStats_final_threeLines_pluralsAsTcpdump', () => {
    expect(formatStats({ captured: 1, received: 4, dropped: 0, ifDropped: 0 }, true)).toBe('1 packet captured\n4 packets received by filter\n0 packets dropped by kernel\n');
    expect(formatStats({ captured: 2, received: 1, dropped: 1, ifDropped: 3 }, true)).toBe('2 packets captured\n1 packet received by filter\n1 packet dropped by kernel\n3 packets dropped by interface\n');
  });

  test('formatStats_sigusr1_oneLineWithProgramName', () => {
    expect(formatStats({ captured: 5, received: 9, dropped: 0, ifDropped: 0 }, false)).toBe('tcpscope: 5 packets captured, 9 packets received by filter, 0 packets dropped by kernel\n');
  });

  test('linktypes_bindingNames_andDltNumbersMappedToLinktypes', () => {
    expect(linktypeFromBinding('LINKTYPE_RAW')).toBe(101);
    expect(linktypeFromBinding('LINKTYPE_NULL')).toBe(0);
    expect(linktypeFromBinding('LINKTYPE_IEEE802_11_RADIO')).toBe(127);
    expect(linktypeFromBinding('Unknown linktype 239')).toBe(239);
    expect(linktypeFromBinding('Unknown linktype 12')).toBe(101); // DLT_RAW on Linux
    expect(() => linktypeFromBinding('something else')).toThrow(TcpscopeError);
    expect(describeLinktype(239)).toBe('link-type NFLOG (Linux netfilter log messages)');
    expect(describeLinktype(4242)).toBe('link-type 4242');
    expect(listeningLine('any', 113, 262144)).toBe('listening on any, link-type LINUX_SLL (Linux cooked v1), snapshot length 262144 bytes');
  });
});
