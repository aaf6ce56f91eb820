/**
 * One captured frame as a view into a reader's chunk buffer.
 *
 * Readers reuse a single Frame object and overwrite it for every record: a consumer that wants
 * to keep a frame beyond its callback must copy what it needs (`data.subarray` is still a view
 * of the chunk, which the reader will overwrite).
 */
export interface Frame {
  /** buffer that holds the captured bytes (usually a large chunk shared by many frames) */
  data: Uint8Array;
  /** index in `data` of the first captured byte */
  offset: number;
  /** number of bytes captured (caplen) */
  caplen: number;
  /** length of the packet on the wire (len) */
  wirelen: number;
  /**
   * whole seconds since the epoch, as the file has them: classic pcap stores an unsigned 32-bit
   * count (good until 2106), pcapng a 64-bit one plus if_tsoffset. libpcap, and so tcpdump,
   * reads the classic fields (seconds and fraction) as signed 32-bit numbers when the file is in
   * the host's byte order, and unsigned when it has to swap them, so tcpdump prints
   * `[Error converting time]` for a little-endian file from 2038 on. To reproduce that, take
   * `tsSec | 0` (and the raw fraction `| 0`) when `CaptureInfo.format` is 'pcap' and
   * `CaptureInfo.littleEndian` matches the host.
   */
  tsSec: number;
  /**
   * nanoseconds within the second, 0..999_999_999 in any sound file (a microsecond field is
   * multiplied by 1000). A damaged classic pcap can hold a bigger fraction; it is passed on
   * unchanged (tcpdump prints it as it is, e.g. `10:00:00.1000000`), never folded into tsSec.
   */
  tsNsec: number;
  /** LINKTYPE_* value of the interface the frame was captured on (unknown values pass through) */
  linktype: number;
  /**
   * interface the frame came from: an index into `CaptureInfo.interfaces`, counted over all the
   * sections of a pcapng file (0 for classic pcap and live capture)
   */
  ifIndex: number;
  /** 1-based packet number in the input */
  number: number;
  /** byte offset of the record (its header) in the input file, for error messages */
  fileOffset: number;
}

export function newFrame(): Frame {
  return {
    data: new Uint8Array(0),
    offset: 0,
    caplen: 0,
    wirelen: 0,
    tsSec: 0,
    tsNsec: 0,
    linktype: 1,
    ifIndex: 0,
    number: 0,
    // -0, not 0: a double from the start (V8 would otherwise change the frame's shape, and
    // discard the optimised code that reads frames, when a file passes 2 GiB)
    fileOffset: -0,
  };
}

/** Link types (LINKTYPE_* values as they appear in capture files). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  /** the OpenBSD/historic DLT_RAW numbers some files carry */
  RAW_12: 12,
  RAW_14: 14,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
