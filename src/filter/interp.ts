/**
 * A naive interpreter of lowered filters: walks the tree for every packet. It exists to be
 * measured against the compiled function (bench/filter.mjs) and to check the code generator in
 * tests; it is not used to filter. Same semantics: any failed load rejects the packet.
 */
import type { Target } from './cfg.js';
import type { Bool, Val } from './ir.js';
import { applyAlu } from './ir.js';

/** thrown (preallocated, no stack) when BPF would reject the packet mid-program */
const REJECT = { reject: true };

function val(v: Val, d: Uint8Array, o: number, cap: number, wire: number): number {
  switch (v.t) {
    case 'k': return v.v;
    case 'len': return wire;
    case 'family': {
      if (cap < 4) throw REJECT;
      const w = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
      return (w & 0xffff) === 0 ? ((w >>> 24) | ((w >>> 8) & 0xff00)) >>> 0 : w;
    }
    case 'iphl':
      if (v.off + 1 > cap) throw REJECT;
      return (d[o + v.off] & 15) << 2;
    case 'ld': {
      const a = (v.index === null ? 0 : val(v.index, d, o, cap, wire)) + v.base;
      if (a + v.size > cap) throw REJECT;
      let x = 0;
      for (let i = 0; i < v.size; i++) x = x * 256 + d[o + a + i];
      return x;
    }
    case 'alu': {
      const a = val(v.a, d, o, cap, wire);
      const b = val(v.b, d, o, cap, wire);
      if ((v.op === '/' || v.op === '%') && b === 0) throw REJECT;
      return applyAlu(v.op, a, b);
    }
    case 'neg': return (-val(v.a, d, o, cap, wire)) >>> 0;
  }
}

function bool(b: Bool, d: Uint8Array, o: number, cap: number, wire: number): boolean {
  switch (b.t) {
    case 'true': return true;
    case 'false': return false;
    case 'fixed': return b.v;
    case 'not': return !bool(b.a, d, o, cap, wire);
    case 'and': return bool(b.a, d, o, cap, wire) && bool(b.b, d, o, cap, wire);
    case 'or': return bool(b.a, d, o, cap, wire) || bool(b.b, d, o, cap, wire);
    case 'cmp': {
      const x = val(b.a, d, o, cap, wire);
      const y = val(b.b, d, o, cap, wire);
      switch (b.op) {
        case 'eq': return x === y;
        case 'gt': return x > y;
        case 'ge': return x >= y;
        case 'set': return (x & y) !== 0;
      }
    }
  }
}

/** Evaluate `b` on one frame's bytes by walking the tree. */
export function interpret(b: Bool, d: Uint8Array, o: number, cap: number, wire: number): boolean {
  try {
    return bool(b, d, o, cap, wire);
  } catch (e) {
    if (e === REJECT) return false;
    throw e;
  }
}

/** Evaluate an optimized graph on one frame by following its jumps (a test oracle for codegen). */
export function interpretGraph(root: Target, d: Uint8Array, o: number, cap: number, wire: number): boolean {
  try {
    let t = root;
    while (typeof t !== 'string') {
      t = t.test === null || bool(t.test, d, o, cap, wire) ? t.jt : t.jf;
    }
    return t === 'accept';
  } catch (e) {
    if (e === REJECT) return false;
    throw e;
  }
}
