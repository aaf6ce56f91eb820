// Minimal pcap/pcapng reading and pcap writing for the filter tests and their scripts.
//
// Independent of src/capture on purpose: the differential tests must say whether the FILTER
// agrees with tcpdump, whatever state the real readers are in. Reads the whole file; keeps, per
// frame, what a filter sees (link type, captured bytes, wire length) plus the byte order of
// the file or section it came from (libpcap reads a BSD loopback header in that order).
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * @typedef {{ number: number, linktype: number, caplen: number, wirelen: number,
 *             data: Uint8Array, littleEndian: boolean, tsSec: number, tsUsec: number }} TestFrame
 */

/**
 * Point `frame` (a src/capture Frame, reused) at test frame `f`: the fields a filter reads.
 * @param {{ data: Uint8Array, offset: number, caplen: number, wirelen: number, linktype: number, number: number }} frame
 * @param {TestFrame} f
 */
export function loadFrame(frame, f) {
  frame.data = f.data;
  frame.offset = 0;
  frame.caplen = f.caplen;
  frame.wirelen = f.wirelen;
  frame.linktype = f.linktype;
  frame.number = f.number;
  return frame;
}

/** @returns {TestFrame[]} */
export function readFrames(path) {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicLE = dv.getUint32(0, true);
  if (magicLE === 0x0a0d0d0a) return readPcapng(buf, dv);
  let le;
  let nano = false;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) { le = true; nano = magicLE === 0xa1b23c4d; }
  else if (dv.getUint32(0, false) === 0xa1b2c3d4 || dv.getUint32(0, false) === 0xa1b23c4d) { le = false; nano = dv.getUint32(0, false) === 0xa1b23c4d; }
  else throw new Error(`${path}: not a pcap or pcapng file`);
  const linktype = dv.getUint32(20, le) & 0x0fffffff;
  const frames = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const caplen = dv.getUint32(off + 8, le);
    const wirelen = dv.getUint32(off + 12, le);
    if (off + 16 + caplen > buf.length) break;
    const tsUsec = dv.getUint32(off + 4, le);
    frames.push({
      number: frames.length + 1, linktype, caplen, wirelen, littleEndian: le,
      tsSec: dv.getUint32(off, le), tsUsec: nano ? Math.floor(tsUsec / 1000) : tsUsec,
      data: new Uint8Array(buf.subarray(off + 16, off + 16 + caplen)),
    });
    off += 16 + caplen;
  }
  return frames;
}

function readPcapng(buf, dv) {
  const frames = [];
  let off = 0;
  let le = true;
  let ifaces = [];
  while (off + 12 <= buf.length) {
    let type = dv.getUint32(off, le);
    if (type === 0x0a0d0d0a) {
      le = dv.getUint32(off + 8, true) === 0x1a2b3c4d;
      type = 0x0a0d0d0a;
      ifaces = [];
    }
    const len = dv.getUint32(off + 4, le);
    if (len < 12 || off + len > buf.length) break;
    const body = off + 8;
    if (type === 1) {
      ifaces.push({ linktype: dv.getUint16(body, le), snaplen: dv.getUint32(body + 4, le) });
    } else if (type === 6 || type === 2) {
      const ifId = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
      const caplen = dv.getUint32(body + 12, le);
      const wirelen = dv.getUint32(body + 16, le);
      const iface = ifaces[ifId];
      if (iface !== undefined && body + 20 + caplen <= off + len) {
        frames.push({
          number: frames.length + 1, linktype: iface.linktype, caplen, wirelen, littleEndian: le, tsSec: 0, tsUsec: 0,
          data: new Uint8Array(buf.subarray(body + 20, body + 20 + caplen)),
        });
      }
    } else if (type === 3) {
      const wirelen = dv.getUint32(body, le);
      const iface = ifaces[0];
      if (iface !== undefined) {
        let caplen = Math.min(wirelen, len - 16);
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        frames.push({
          number: frames.length + 1, linktype: iface.linktype, caplen, wirelen, littleEndian: le, tsSec: 0, tsUsec: 0,
          data: new Uint8Array(buf.subarray(body + 4, body + 4 + caplen)),
        });
      }
    }
    off += len;
  }
  return frames;
}

/** Write classic pcap (microseconds). `frames` need linktype-compatible bytes; ts from each frame. */
export function writePcap(path, linktype, frames, { littleEndian = true, snaplen = 262144 } = {}) {
  const total = 24 + frames.reduce((n, f) => n + 16 + f.data.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, littleEndian);
  dv.setUint16(4, 2, littleEndian);
  dv.setUint16(6, 4, littleEndian);
  dv.setUint32(16, snaplen, littleEndian);
  dv.setUint32(20, linktype, littleEndian);
  let off = 24;
  for (const f of frames) {
    dv.setUint32(off, f.tsSec >>> 0, littleEndian);
    dv.setUint32(off + 4, f.tsUsec >>> 0, littleEndian);
    dv.setUint32(off + 8, f.data.length, littleEndian);
    dv.setUint32(off + 12, f.wirelen ?? f.data.length, littleEndian);
    out.set(f.data, off + 16);
    off += 16 + f.data.length;
  }
  writeFileSync(path, out);
}

/** Write pcapng: one section, one interface per entry of `linktypes`; frames carry `ifIndex`. */
export function writePcapng(path, linktypes, frames, { littleEndian = true } = {}) {
  const blocks = [];
  const block = (type, body) => {
    const padded = (body.length + 3) & ~3;
    const len = 12 + padded;
    const b = new Uint8Array(len);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, type, littleEndian);
    dv.setUint32(4, len, littleEndian);
    b.set(body, 8);
    dv.setUint32(len - 4, len, littleEndian);
    blocks.push(b);
  };
  const shb = new Uint8Array(16);
  const sdv = new DataView(shb.buffer);
  sdv.setUint32(0, 0x1a2b3c4d, littleEndian);
  sdv.setUint16(4, 1, littleEndian);
  sdv.setUint16(6, 0, littleEndian);
  sdv.setInt32(8, -1, littleEndian);
  sdv.setInt32(12, -1, littleEndian);
  block(0x0a0d0d0a, shb);
  for (const lt of linktypes) {
    const idb = new Uint8Array(8);
    const idv = new DataView(idb.buffer);
    idv.setUint16(0, lt, littleEndian);
    idv.setUint32(4, 262144, littleEndian);
    block(1, idb);
  }
  for (const f of frames) {
    const epb = new Uint8Array(20 + f.data.length);
    const edv = new DataView(epb.buffer);
    const ts = BigInt(f.tsSec) * 1000000n + BigInt(f.tsUsec);
    edv.setUint32(0, f.ifIndex, littleEndian);
    edv.setUint32(4, Number(ts >> 32n), littleEndian);
    edv.setUint32(8, Number(ts & 0xffffffffn), littleEndian);
    edv.setUint32(12, f.data.length, littleEndian);
    edv.setUint32(16, f.wirelen ?? f.data.length, littleEndian);
    epb.set(f.data, 20);
    block(6, epb);
  }
  const total = blocks.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of blocks) { out.set(b, off); off += b.length; }
  writeFileSync(path, out);
}
