/** What the tcpdump-format printer is asked to show: tcpdump's own flags, by meaning. */
export interface PrintOptions {
  /** -n count: 0 resolves names (see README), ≥1 prints numbers */
  numeric: number;
  /** -S: absolute TCP sequence numbers */
  absoluteSeq: boolean;
  /** -v count */
  verbose: number;
  /** -e: link-level header */
  linkHeader: boolean;
  /** -t count: 0 time of day, 1 none, 2 epoch seconds, 3 delta from previous, 4 date and time, 5 delta from first */
  timestampMode: number;
  /** -q: quick, less protocol information */
  quick: boolean;
  /** -x count: hex dump (1 without, 2 with the link header) */
  hex: number;
  /** -X count: hex and ASCII dump (1 without, 2 with the link header) */
  hexAscii: number;
  /** -A: ASCII dump */
  ascii: boolean;
  /** --nano: nanosecond time stamps */
  nano: boolean;
  /** -#: packet number before each line */
  packetNumbers: boolean;
  /** -K: do not verify checksums */
  noChecksum: boolean;
}

export function defaultPrintOptions(): PrintOptions {
  return {
    numeric: 0,
    absoluteSeq: false,
    verbose: 0,
    linkHeader: false,
    timestampMode: 0,
    quick: false,
    hex: 0,
    hexAscii: 0,
    ascii: false,
    nano: false,
    packetNumbers: false,
    noChecksum: false,
  };
}
