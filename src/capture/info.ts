/**
 * What a reader learns about a capture besides its frames: the file format, and for each
 * interface its link type, snap length and time-stamp resolution. Filled in as the headers are
 * read (a pcapng file can add interfaces, and sections, at any point).
 */
import type { ErrorCode } from '../errors.js';
import { endianness } from 'node:os';
import type { Frame } from './frame.js';

export type CaptureFormat = 'pcap' | 'pcapng';

export interface InterfaceInfo {
  /** index in `CaptureInfo.interfaces` (what `Frame.ifIndex` holds) */
  index: number;
  /** pcapng section the interface belongs to (0-based; always 0 for classic pcap) */
  section: number;
  /** the interface's number inside its section, as pcapng packet blocks name it */
  idInSection: number;
  /** LINKTYPE_* value (classic pcap: the header's value with the FCS/extension bits masked off) */
  linktype: number;
  /**
   * snap length as libpcap adjusts it: the value in the file, or the link type's maximum when
   * the file says 0 (or something absurd)
   */
  snaplen: number;
  /** the snap length as written in the file */
  fileSnaplen: number;
  /** time-stamp units per second: 10^n or 2^n (classic pcap: 10^6 or 10^9) */
  tsUnitsPerSecond: number;
  /** seconds added to every time stamp (pcapng if_tsoffset) */
  tsOffset: number;
  /** if_name / if_description, when the file has them */
  name?: string;
  description?: string;
  /** bytes of frame check sequence at the end of each frame, when the file says (if_fcslen, or classic pcap's FCS bits) */
  fcsLength?: number;
}

export interface CaptureInfo {
  format: CaptureFormat;
  /** the input was gzip-compressed (and inflated on the fly) */
  compression: 'gzip' | null;
  /** byte order of the file header (of the first section for pcapng) */
  littleEndian: boolean;
  /** version in the file header (of the first section for pcapng) */
  versionMajor: number;
  versionMinor: number;
  /** classic pcap only: the file has nanosecond time stamps (magic a1b23c4d) */
  nanosecond: boolean;
  /** classic pcap only: Alexey Kuznetsov's modified format (magic a1b2cd34, 24-byte record headers) */
  modified: boolean;
  /** pcapng sections seen so far (1 for classic pcap) */
  sections: number;
  /** every interface seen so far; classic pcap has exactly one */
  interfaces: InterfaceInfo[];
}

/**
 * What a format reader (pcap.ts, pcapng.ts) needs from the decoder that drives it: the frame
 * to fill, where to say how many bytes it needs, and how to fail with a located error.
 */
export interface DecodeContext {
  /** how the input is named in error messages */
  readonly name: string;
  readonly frame: Frame;
  readonly info: CaptureInfo;
  /** bytes needed from the current position before the next step can make progress */
  need: number;
  /** set by a step that filled `frame` with a packet */
  produced: boolean;
  /** absolute input offset of index 0 of the buffer being stepped through */
  base: number;
  /** packets produced so far (the next one is number frames + 1) */
  frames: number;
  /** throw a TcpscopeError naming the input and the absolute byte offset of `pos` */
  fail(code: ErrorCode, message: string, pos: number): never;
}

/** Maximum captured length libpcap accepts for a link type (pcap-common.c max_snaplen_for_dlt). */
export function maxSnaplenForLinktype(linktype: number): number {
  switch (linktype) {
    case 231: return 128 * 1024 * 1024; // D-Bus messages
    case 279: return 8 * 1024 * 1024; // EBHSCR
    case 249: return 1024 * 1024; // USBPcap
    default: return 262144;
  }
}

/** libpcap's pcap_adjust_snapshot: a snap length of 0 (or past INT_MAX) means "the most there can be". */
export function adjustSnaplen(linktype: number, snaplen: number): number {
  return snaplen === 0 || snaplen > 0x7fffffff ? maxSnaplenForLinktype(linktype) : snaplen;
}

/**
 * Whether libpcap reads this capture's time-stamp seconds as a signed 32-bit number: a classic
 * pcap in the machine's own byte order (read straight into its signed `tv_sec`); one it has to
 * swap, and pcapng's 64-bit stamps, come out unsigned. tcpdump's -ttt/-ttttt deltas follow it.
 */
export function libpcapSignedSeconds(info: CaptureInfo): boolean {
  return info.format === 'pcap' && info.littleEndian === (endianness() === 'LE');
}
