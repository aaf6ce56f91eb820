/**
 * A tiny capture-file builder for the reader tests: classic pcap and pcapng, either byte order,
 * every block the readers know, and deliberately broken variants. Independent of the code under
 * test (it writes with DataView, the readers read with their own accessors).
 */
import { readFileSync } from 'node:fs';
import { CaptureParser, type Frame } from '../../src/capture/index.js';

export class Bytes {
  private chunks: Uint8Array[] = [];
  length = 0;
  constructor(readonly le: boolean) {}
  u8(v: number): this { return this.raw(Uint8Array.of(v & 0xff)); }
  u16(v: number): this { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, v, this.le); return this.raw(b); }
  u32(v: number): this { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, this.le); return this.raw(b); }
  u64(v: bigint): this { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), this.le); return this.raw(b); }
  raw(b: Uint8Array): this { this.chunks.push(b); this.length += b.length; return this; }
  pad4(): this { while (this.length % 4) this.u8(0); return this; }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}

/** Deterministic packet bytes: n bytes starting with a marker so frames are told apart. */
export function payload(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

export interface PcapOptions {
  le?: boolean;
  magic?: 'micro' | 'nano' | 'modified';
  version?: [number, number];
  snaplen?: number;
  linktype?: number;
}

export interface PcapRecord {
  sec: number;
  /** micro- or nanoseconds, as the magic says */
  frac: number;
  data: Uint8Array;
  /** defaults to data.length */
  wirelen?: number;
  /** written into the header instead of data.length (to break files) */
  caplenField?: number;
  /** write caplen and len in the pre-2.3 order */
  swapLengths?: boolean;
}

const MAGIC = { micro: 0xa1b2c3d4, nano: 0xa1b23c4d, modified: 0xa1b2cd34 };

export function pcapHeader(o: PcapOptions = {}): Bytes {
  const w = new Bytes(o.le ?? true);
  const [major, minor] = o.version ?? [2, 4];
  return w.u32(MAGIC[o.magic ?? 'micro']).u16(major).u16(minor).u32(0).u32(0).u32(o.snaplen ?? 262144).u32(o.linktype ?? 1);
}

export function pcapRecord(w: Bytes, r: PcapRecord, modified = false): void {
  const cap = r.caplenField ?? r.data.length;
  const len = r.wirelen ?? r.data.length;
  w.u32(r.sec).u32(r.frac);
  if (r.swapLengths) w.u32(len).u32(cap); else w.u32(cap).u32(len);
  if (modified) w.u32(7).u16(0x0800).u8(0).u8(0);
  w.raw(r.data);
}

export function buildPcap(o: PcapOptions, records: PcapRecord[]): Uint8Array {
  const w = pcapHeader(o);
  for (const r of records) pcapRecord(w, r, o.magic === 'modified');
  return w.bytes();
}

export interface Option { code: number; value: Uint8Array }

export function stringOption(code: number, s: string): Option {
  return { code, value: new TextEncoder().encode(s) };
}

/** pcapng writer: each block in the byte order of the section it belongs to. */
export class Pcapng {
  private out: Uint8Array[] = [];
  private le = true;

  /** Start a section. */
  shb(o: { le?: boolean; major?: number; minor?: number; options?: Option[] } = {}): this {
    this.le = o.le ?? true;
    const body = new Bytes(this.le).u32(0x1a2b3c4d).u16(o.major ?? 1).u16(o.minor ?? 0).u64(-1n);
    this.options(body, o.options ?? []);
    return this.block(0x0a0d0d0a, body.bytes());
  }

  idb(o: { linktype?: number; snaplen?: number; tsresol?: number; tsoffset?: bigint; name?: string; options?: Option[] } = {}): this {
    const body = new Bytes(this.le).u16(o.linktype ?? 1).u16(0).u32(o.snaplen ?? 262144);
    const opts: Option[] = [];
    if (o.name !== undefined) opts.push(stringOption(2, o.name));
    if (o.tsresol !== undefined) opts.push({ code: 9, value: Uint8Array.of(o.tsresol) });
    if (o.tsoffset !== undefined) opts.push({ code: 14, value: new Bytes(this.le).u64(o.tsoffset).bytes() });
    this.options(body, [...opts, ...(o.options ?? [])]);
    return this.block(1, body.bytes());
  }

  /** Enhanced packet block; `ts` is the 64-bit count of the interface's units. */
  epb(o: { ifId?: number; ts: bigint; data: Uint8Array; wirelen?: number; caplenField?: number; options?: Option[] }): this {
    const body = new Bytes(this.le)
      .u32(o.ifId ?? 0).u32(Number(o.ts >> 32n)).u32(Number(o.ts & 0xffffffffn))
      .u32(o.caplenField ?? o.data.length).u32(o.wirelen ?? o.data.length)
      .raw(o.data).pad4();
    this.options(body, o.options ?? []);
    return this.block(6, body.bytes());
  }

  /** Obsolete packet block. */
  pb(o: { ifId?: number; ts: bigint; data: Uint8Array; wirelen?: number; drops?: number }): this {
    const body = new Bytes(this.le)
      .u16(o.ifId ?? 0).u16(o.drops ?? 0).u32(Number(o.ts >> 32n)).u32(Number(o.ts & 0xffffffffn))
      .u32(o.data.length).u32(o.wirelen ?? o.data.length)
      .raw(o.data).pad4();
    return this.block(2, body.bytes());
  }

  /** Simple packet block: `data` is what the snap length let through. */
  spb(o: { data: Uint8Array; wirelen?: number }): this {
    const body = new Bytes(this.le).u32(o.wirelen ?? o.data.length).raw(o.data).pad4();
    return this.block(3, body.bytes());
  }

  /** Any block (name resolution, statistics, custom, unknown…) with the given body. */
  block(type: number, body: Uint8Array, o: { totalLength?: number; trailerLength?: number } = {}): this {
    const total = 12 + body.length;
    const w = new Bytes(this.le).u32(type).u32(o.totalLength ?? total).raw(body).u32(o.trailerLength ?? o.totalLength ?? total);
    this.out.push(w.bytes());
    return this;
  }

  /** Raw bytes appended as they are. */
  raw(b: Uint8Array): this { this.out.push(b); return this; }

  bytes(): Uint8Array {
    const n = this.out.reduce((s, b) => s + b.length, 0);
    const r = new Uint8Array(n);
    let o = 0;
    for (const b of this.out) { r.set(b, o); o += b.length; }
    return r;
  }

  private options(body: Bytes, opts: Option[]): void {
    if (opts.length === 0) return;
    for (const op of opts) body.u16(op.code).u16(op.value.length).raw(op.value).pad4();
    body.u16(0).u16(0);
  }
}

/** One frame as text: everything a reader says about it, and its bytes. */
export function frameLine(f: Frame): string {
  const data = Buffer.from(f.data.subarray(f.offset, f.offset + f.caplen)).toString('hex');
  return `#${f.number} ${f.tsSec}.${String(f.tsNsec).padStart(9, '0')} cap=${f.caplen} len=${f.wirelen} lt=${f.linktype} if=${f.ifIndex} @${f.fileOffset} ${data}`;
}

export interface ParseResult { frames: string[]; error: string | null; code: string | null }

/** Push `bytes` through a CaptureParser in chunks of `chunk` bytes (or at the given split points). */
export function parseChunks(bytes: Uint8Array, chunk: number | number[], name = 'test.pcap'): ParseResult {
  const frames: string[] = [];
  const p = new CaptureParser((f) => { frames.push(frameLine(f)); }, { name });
  try {
    if (typeof chunk === 'number') {
      for (let o = 0; o < bytes.length; o += chunk) p.push(bytes.slice(o, o + chunk));
    } else {
      let last = 0;
      for (const cut of [...chunk, bytes.length]) { p.push(bytes.slice(last, cut)); last = cut; }
    }
    p.end();
    return { frames, error: null, code: null };
  } catch (e) {
    return { frames, error: describe(e), code: (e as { code?: string }).code ?? 'NOT_A_TCPSCOPE_ERROR' };
  }
}

export function describe(e: unknown): string {
  const d = (e as { describe?: () => string }).describe;
  return typeof d === 'function' ? d.call(e) : `UNEXPECTED ${(e as Error).stack ?? String(e)}`;
}

export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url)));
}

export function fixturePath(path: string): string {
  return new URL(`../../fixtures/${path}`, import.meta.url).pathname;
}
