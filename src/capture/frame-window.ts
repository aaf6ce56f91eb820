/**
 * A window of frames kept past their callback (the annotated pipeline tracks a window, then
 * prints it: src/pipeline.ts). Frames are views of a reader's chunk: the window must be done
 * with before the reader refills (CaptureReaderOptions.beforeRefill).
 */
import { type Frame, newFrame } from './frame.js';

const NO_DATA = new Uint8Array(0);

/**
 * The frames of one window, kept past their callback: each frame's fields in preallocated
 * arrays (its bytes stay a view of the reader's chunk, valid until the reader refills), and
 * where its annotation ends in the side room. `frame` is the one object pass 2 prints from.
 */
export class FrameWindow {
  count = 0;
  sideLen = 0;
  /** where each frame's annotation ends in the side room */
  readonly ends: Int32Array;
  private readonly data: Uint8Array[];
  /** offset, caplen (within a chunk) */
  private readonly ints: Int32Array;
  /** wirelen, tsSec, tsNsec, linktype, ifIndex, number, fileOffset (u32 fields and doubles) */
  private readonly nums: Float64Array;
  readonly frame: Frame = newFrame();

  constructor(readonly size: number) {
    this.ends = new Int32Array(size);
    this.data = new Array<Uint8Array>(size).fill(NO_DATA);
    this.ints = new Int32Array(size * 2);
    this.nums = new Float64Array(size * 7);
  }

  keep(i: number, f: Frame): void {
    this.data[i] = f.data;
    const a = i * 2;
    const ints = this.ints;
    ints[a] = f.offset; ints[a + 1] = f.caplen;
    const b = i * 7;
    const nums = this.nums;
    nums[b] = f.wirelen; nums[b + 1] = f.tsSec; nums[b + 2] = f.tsNsec; nums[b + 3] = f.linktype;
    nums[b + 4] = f.ifIndex; nums[b + 5] = f.number; nums[b + 6] = f.fileOffset;
  }

  restore(i: number): void {
    const f = this.frame;
    f.data = this.data[i];
    const a = i * 2;
    const ints = this.ints;
    f.offset = ints[a]; f.caplen = ints[a + 1];
    const b = i * 7;
    const nums = this.nums;
    f.wirelen = nums[b]; f.tsSec = nums[b + 1]; f.tsNsec = nums[b + 2]; f.linktype = nums[b + 3];
    f.ifIndex = nums[b + 4]; f.number = nums[b + 5]; f.fileOffset = nums[b + 6];
  }

  /**
   * Drop the first `n` frames' references to the reader's chunks once they are printed: a
   * window keeps a chunk alive otherwise, up to `size` old chunks of 1 MiB after a read of many
   * small files, and the frame printed last keeps the last one.
   */
  release(n: number): void {
    const data = this.data;
    for (let i = 0; i < n; i++) data[i] = NO_DATA;
    this.frame.data = NO_DATA;
  }
}
