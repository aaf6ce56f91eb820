/**
 * Internet checksums (RFC 1071) over frame bytes: the IPv4 header checksum and the TCP/UDP/ICMP
 * checksums with their IPv4/IPv6 pseudo-headers. Shared by the tracker (bad-checksum events) and
 * the tcpdump printer (`cksum 0x1234 (correct)` with -v). No allocation.
 */

/** One's-complement sum of `len` bytes from `o` as big-endian 16-bit words (odd last byte padded), added to `sum`, unfolded. */
export function onesSum(d: Uint8Array, o: number, len: number, sum = 0): number {
  const end = o + (len & ~1);
  while (o < end) {
    sum += (d[o] << 8) | d[o + 1];
    o += 2;
    // keep the sum exact in a double: fold now and then
    if (sum > 0x3fffffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  }
  if (len & 1) sum += d[o] << 8;
  return sum;
}

/** Fold a sum to 16 bits (end-around carry). */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** The checksum of a range that includes its checksum field: 0 when correct. */
export function inCksum(d: Uint8Array, o: number, len: number, initial = 0): number {
  return ~foldSum(onesSum(d, o, len, initial)) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (source, destination, protocol, upper-layer length). */
export function pseudoSum4(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + (len & 0xffff);
}

/** Sum of the IPv6 pseudo-header: the 16-byte addresses at `srcOff`/`dstOff` in `d`. */
export function pseudoSum6(d: Uint8Array, srcOff: number, dstOff: number, proto: number, len: number): number {
  let sum = onesSum(d, srcOff, 16);
  sum = onesSum(d, dstOff, 16, sum);
  return sum + (len >>> 16) + (len & 0xffff) + proto;
}

/**
 * What the checksum field should have held (tcpdump's in_cksum_shouldbe): `field` is the value
 * in the packet, `computed` the checksum computed over the data including that field.
 */
export function cksumShouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}
