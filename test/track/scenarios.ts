/**
 * The corpus situations (../shared/corpus/make-scenarios.py) as generators with free parameters:
 * addresses (IPv4 or IPv6), ports, initial sequence numbers (anywhere, including just below
 * 2^32 so the numbers wrap), link types, start times and timings. Each returns its frames and
 * the verdict a correct tracker must give, in the corpus's expect.json form. The rules must hold
 * for every variant: nothing may depend on the corpus's own numbers.
 */
import { ACK, type BuiltFrame, Conversation, type Link, FIN, LINUX_SYN, opt, PSH, RST, SYN } from './build.js';

export interface ExpectedFlow {
  client: string;
  server: string;
  handshake: string;
  close: string;
  reset_by: string | null;
  states: { client: string | null; server: string | null };
  conn_state: string;
  anomalies: string[];
}

export interface Variant {
  kind: string;
  frames: BuiltFrame[];
  flows: ExpectedFlow[];
  link: Link;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Params {
  client: string;
  server: string;
  cport: number;
  sport: number;
  isnC: number;
  isnS: number;
  t0: number;
  link: Link;
  /** handshake round trip, seconds */
  rtt: number;
  r: () => number;
}

const ep = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

function flow(p: Params, handshake: string, close: string, states: [string | null, string | null], connState: string,
  resetBy: string | null = null, anomalies: string[] = []): ExpectedFlow {
  return { client: ep(p.client, p.cport), server: ep(p.server, p.sport), handshake, close, reset_by: resetBy,
    states: { client: states[0], server: states[1] }, conn_state: connState, anomalies };
}

function conv(p: Params, extra: Partial<{ cport: number; sport: number; isnC: number; isnS: number; t0: number }> = {}): Conversation {
  return new Conversation({ client: p.client, server: p.server, cport: extra.cport ?? p.cport, sport: extra.sport ?? p.sport,
    isnC: extra.isnC ?? p.isnC, isnS: extra.isnS ?? p.isnS, t0: extra.t0 ?? p.t0, link: p.link });
}

type Maker = (p: Params) => { frames: BuiltFrame[]; flows: ExpectedFlow[] };

/** Each corpus situation, parameterised. */
export const KINDS: Record<string, Maker> = {
  'handshake-only': (p) => ({ frames: conv(p).handshake(p.rtt).frames, flows: [flow(p, 'complete', 'none', ['ESTABLISHED', 'ESTABLISHED'], 'S1')] }),
  'close-4way': (p) => ({
    frames: conv(p).handshake(p.rtt).data('c', 1 + Math.floor(p.r() * 500)).data('s', 1 + Math.floor(p.r() * 5000)).close4('c').frames,
    flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF')],
  }),
  'close-4way-server-first': (p) => ({
    frames: conv(p).handshake(p.rtt).data('c', 10).data('s', 10).close4('s').frames,
    flows: [flow(p, 'complete', 'fin', ['CLOSED', 'TIME_WAIT'], 'SF')],
  }),
  'close-3way': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 50);
    c.send('c', FIN | ACK).send('s', FIN | ACK, { dt: p.rtt / 2 }).send('c', ACK, { dt: p.rtt / 2 });
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF')] };
  },
  'half-close': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 20);
    c.send('c', FIN | ACK).send('s', ACK, { dt: p.rtt / 2 });
    c.data('s', 500, 0.01).data('s', 500, 0.01);
    c.send('s', FIN | ACK, { dt: 0.01 }).send('c', ACK, { dt: p.rtt / 2 });
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF', null, ['half-close'])] };
  },
  'half-closed-at-end': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 20);
    c.send('c', FIN | ACK).send('s', ACK, { dt: p.rtt / 2 }).data('s', 100, 0.01);
    return { frames: c.frames, flows: [flow(p, 'complete', 'half', ['FIN_WAIT_2', 'CLOSE_WAIT'], 'S2', null, ['half-close'])] };
  },
  'simultaneous-open': (p) => {
    const c = conv(p);
    c.send('c', SYN, { opts: LINUX_SYN(), dt: 0 }).send('s', SYN, { opts: LINUX_SYN(2000), dt: p.rtt / 40 });
    const x = c.nxt.c, y = c.nxt.s;
    c.send('c', SYN | ACK, { seq: x - 1, ack: y, opts: LINUX_SYN(), dt: p.rtt / 2 });
    c.send('s', SYN | ACK, { seq: y - 1, ack: x, opts: LINUX_SYN(2000), dt: p.rtt / 40 });
    c.data('c', 10).data('s', 10);
    return { frames: c.frames, flows: [flow(p, 'simultaneous', 'none', ['ESTABLISHED', 'ESTABLISHED'], 'S1', null, ['simultaneous-open'])] };
  },
  'simultaneous-close': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 10).data('s', 10);
    const fc = c.nxt.c;
    c.send('c', FIN | ACK).send('s', FIN | ACK, { ack: fc, dt: p.rtt / 40 });
    c.send('c', ACK, { dt: p.rtt / 2 }).send('s', ACK, { dt: p.rtt / 40 });
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'TIME_WAIT'], 'SF', null, ['simultaneous-close'])] };
  },
  'rst-refused': (p) => {
    const c = conv(p).send('c', SYN, { opts: LINUX_SYN(), dt: 0 });
    c.send('s', RST | ACK, { seq: 0, ack: c.nxt.c, win: 0, dt: p.rtt / 2 });
    return { frames: c.frames, flows: [flow(p, 'refused', 'rst', ['CLOSED', 'CLOSED'], 'REJ', 'server', ['refused'])] };
  },
  'rst-abort': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 100).data('s', 1000, 0.001, false).send('s', RST | ACK);
    return { frames: c.frames, flows: [flow(p, 'complete', 'rst', ['CLOSED', 'CLOSED'], 'RSTR', 'server', ['reset'])] };
  },
  'rst-abort-client': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 100).data('s', 100).send('c', RST | ACK, { dt: 0.01 + p.r() * 10 });
    return { frames: c.frames, flows: [flow(p, 'complete', 'rst', ['CLOSED', 'CLOSED'], 'RSTO', 'client', ['reset'])] };
  },
  'rst-after-fin': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 10);
    c.send('c', FIN | ACK).send('s', ACK, { dt: p.rtt / 2 });
    c.send('s', ACK | PSH, { data: 4, dt: 0.01 });
    c.send('c', RST, { seq: c.nxt.c, dt: p.rtt / 4 });
    return { frames: c.frames, flows: [flow(p, 'complete', 'rst', ['CLOSED', 'CLOSED'], 'RSTO', 'client', ['reset', 'half-close'])] };
  },
  'half-open-peer-reboot': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 10).data('s', 10);
    c.send('c', ACK | PSH, { data: 14, dt: 5 + p.r() * 3600 });
    c.send('s', RST, { seq: c.nxt.s, consume: false, dt: p.rtt / 2 });
    return { frames: c.frames, flows: [flow(p, 'complete', 'rst', ['CLOSED', 'CLOSED'], 'RSTR', 'server', ['half-open', 'reset'])] };
  },
  'syn-unanswered': (p) => {
    // a backoff of any base: Linux 1, 2, 4 s; Windows 3, 6 s; or something else
    const base = [1, 3, 0.2 + p.r() * 5][Math.floor(p.r() * 3)];
    const c = conv(p);
    c.send('c', SYN, { seq: p.isnC, opts: LINUX_SYN(), dt: 0 });
    for (let i = 0, gap = base; i < 1 + Math.floor(p.r() * 4); i++, gap *= 2) c.send('c', SYN, { seq: p.isnC, opts: LINUX_SYN(), dt: gap });
    return { frames: c.frames, flows: [flow(p, 'unanswered', 'none', ['SYN_SENT', null], 'S0', null, ['syn-retransmit'])] };
  },
  'synack-no-final-ack': (p) => {
    const c = conv(p).send('c', SYN, { opts: LINUX_SYN(), dt: 0 });
    for (const dt of [p.rtt / 2, 1, 2]) c.send('s', SYN | ACK, { opts: LINUX_SYN(2000), seq: p.isnS, ack: (p.isnC + 1) >>> 0, dt });
    return { frames: c.frames, flows: [flow(p, 'no-final-ack', 'none', ['SYN_SENT', 'SYN_RCVD'], 'S1', null, ['synack-retransmit'])] };
  },
  midstream: (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 100).data('s', 100);
    c.frames.length = 0;
    c.data('c', 200, 1).data('s', 300).close4('c');
    return { frames: c.frames, flows: [flow(p, 'not-seen', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF', null, ['midstream'])] };
  },
  keepalive: (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 10).data('s', 10);
    for (const dt of [30 + p.r() * 7200, 1 + p.r() * 75]) {
      c.send('s', ACK, { data: p.r() < 0.5 ? 1 : 0, seq: c.nxt.s - 1, dt });
      c.send('c', ACK, { dt: p.rtt / 2 });
    }
    c.close4('c');
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF', null, ['keepalive'])] };
  },
  'zero-window': (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 10);
    for (let i = 0; i < 3; i++) c.send('s', ACK, { data: 1000, dt: 0.0001 });
    c.send('c', ACK, { win: 0, dt: p.rtt / 2 });
    c.send('s', ACK, { data: 1, seq: c.nxt.s, consume: false, dt: 0.2 });
    c.send('c', ACK, { win: 0, dt: p.rtt / 2 });
    c.send('c', ACK, { win: 64240, dt: 0.5 });
    c.data('s', 1000, 0.0001).close4('c');
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF', null, ['zero-window'])] };
  },
  retransmission: (p) => {
    const c = conv(p).handshake(p.rtt).data('c', 10);
    const base = c.nxt.s;
    for (let i = 0; i < 4; i++) c.send('s', ACK, { data: 1000, seq: base + i * 1000, dt: 0.0001 });
    c.nxt.s = (base + 4000) >>> 0;
    c.send('c', ACK, { ack: base + 1000, dt: p.rtt / 2 });
    for (let i = 0; i < 3; i++) {
      c.send('c', ACK, { ack: base + 1000, opts: [...opt.nop(), ...opt.nop(), ...opt.sack([(base + 2000) >>> 0, (base + 4000) >>> 0])], dt: 0.00001 });
    }
    c.send('s', ACK, { data: 1000, seq: base + 1000, dt: 0.0001 + p.r() * 0.015 });
    c.send('c', ACK, { ack: base + 4000, dt: p.rtt / 2 });
    c.close4('c');
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF', null, ['retransmission', 'duplicate-ack'])] };
  },
  'out-of-order': (p) => {
    const c = conv(p).handshake(p.rtt);
    const b = c.nxt.c;
    const n = 100 + Math.floor(p.r() * 1000);
    c.send('c', ACK | PSH, { data: n, seq: b + n, dt: 0.001 });
    // the swapped segment follows within the handshake RTT (Wireshark's out-of-order threshold)
    c.send('c', ACK, { data: n, seq: b, dt: p.rtt * (0.01 + 0.5 * p.r()) });
    c.nxt.c = (b + 2 * n) >>> 0;
    c.send('s', ACK, { dt: p.rtt / 2 }).close4('c');
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF', null, ['out-of-order'])] };
  },
  'seq-wraparound': (p) => {
    const c = conv(p, { isnC: 0xffffffff - Math.floor(p.r() * 600), isnS: 0xffffffff - Math.floor(p.r() * 40) }).handshake(p.rtt);
    for (let i = 0; i < 3; i++) c.data('c', 200).data('s', 16);
    c.close4('c');
    return { frames: c.frames, flows: [flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF')] };
  },
  'port-reuse': (p) => {
    const a = conv(p).handshake(p.rtt).data('c', 10).close4('c');
    const b = conv(p, { t0: a.t + 0.5 + p.r() * 50, isnC: (p.isnC + 1 + Math.floor(p.r() * 1e9)) >>> 0, isnS: Math.floor(p.r() * 2 ** 32) })
      .handshake(p.rtt).data('c', 10).close4('c');
    const f = flow(p, 'complete', 'fin', ['TIME_WAIT', 'CLOSED'], 'SF');
    return { frames: [...a.frames, ...b.frames], flows: [f, { ...f, anomalies: ['port-reuse'] }] };
  },
  'syn-with-data': (p) => {
    const c = conv(p);
    c.send('c', SYN, { data: new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'), opts: [...opt.mss(1460), ...opt.sackOk(), ...opt.ts(1, 0), ...opt.nop(), ...opt.ws(7), 34, 10, 0, 0, 0, 0, 0, 0, 0, 0], dt: 0 });
    c.send('s', SYN | ACK, { opts: LINUX_SYN(2000), dt: p.rtt / 2 }).send('c', ACK, { dt: p.rtt / 2 });
    c.send('s', FIN | ACK | PSH, { data: 3 }).send('c', ACK, { dt: p.rtt / 2 });
    c.send('c', RST | ACK, { data: new TextEncoder().encode('reset reason') });
    return { frames: c.frames, flows: [flow(p, 'complete', 'rst', ['CLOSED', 'CLOSED'], 'RSTO', 'client', ['reset'])] };
  },
  'half-open-silent-peer': (p) => {
    // the peer vanished without a word: the sender resends with backoff until the capture ends
    const c = conv(p).handshake(p.rtt).data('c', 10).data('s', 10);
    c.send('c', ACK | PSH, { data: 100 });
    const seq = (c.nxt.c - 100) >>> 0;
    for (let i = 0, rto = 0.2 + p.r(); i < 3 + Math.floor(p.r() * 4); i++, rto *= 2) c.send('c', ACK | PSH, { data: 100, seq, dt: rto });
    return { frames: c.frames, flows: [flow(p, 'complete', 'none', ['ESTABLISHED', 'ESTABLISHED'], 'S1', null, ['retransmission', 'half-open'])] };
  },
};

const LINKS: Link[] = ['ether', 'vlan', 'sll', 'sll2', 'null', 'raw'];

/** Variant `i` of situation `kind` (deterministic). */
export function makeVariant(kind: string, seed: number): Variant {
  const r = rng(seed);
  const v6 = r() < 0.35;
  const rnd8 = () => 1 + Math.floor(r() * 254);
  const hex = () => Math.floor(r() * 0xffff).toString(16);
  const client = v6 ? `2001:db8:${hex()}::${hex()}` : `${[10, 172, 192, 100][Math.floor(r() * 4)]}.${rnd8()}.${rnd8()}.${rnd8()}`;
  let server = v6 ? `2001:db8:${hex()}:1::${hex()}` : `${rnd8()}.${rnd8()}.${rnd8()}.${rnd8()}`;
  if (server === client) server = v6 ? '2001:db8::ffff' : '203.0.113.9';
  const near = r() < 0.3;
  const isn = () => (near ? 0xffffffff - Math.floor(r() * 3000) : Math.floor(r() * 2 ** 32)) >>> 0;
  const p: Params = {
    client,
    server,
    cport: 1024 + Math.floor(r() * 64000),
    sport: r() < 0.5 ? [22, 25, 80, 443, 5432, 8080][Math.floor(r() * 6)] : 1024 + Math.floor(r() * 64000),
    isnC: isn(),
    isnS: isn(),
    t0: 946684800 + Math.floor(r() * 1e9) + Math.floor(r() * 1e6) / 1e6,
    link: LINKS[Math.floor(r() * LINKS.length)],
    rtt: [0.00004, 0.0004, 0.004, 0.04, 0.3][Math.floor(r() * 5)] * (0.5 + r()),
    r,
  };
  if (p.sport === p.cport) p.sport++;
  const made = KINDS[kind](p);
  return { kind, frames: made.frames, flows: made.flows, link: p.link };
}

/** Are the flow records right for the expected flows (the checks verdicts.py makes)? Returns the mismatches. */
export function verdictMismatches(expected: ExpectedFlow[], got: Array<Record<string, unknown>>): string[] {
  const misses: string[] = [];
  const used = new Set<number>();
  const sorted = got.map((g, i) => ({ g, i })).sort((a, b) => (a.g.start as number) - (b.g.start as number) || a.i - b.i).map((x) => x.g);
  for (const want of expected) {
    const idx = sorted.findIndex((g, i) => !used.has(i) && g.client === want.client && g.server === want.server);
    if (idx < 0) { misses.push(`no flow ${want.client} -> ${want.server}`); continue; }
    used.add(idx);
    const g = sorted[idx];
    for (const k of ['handshake', 'close', 'reset_by', 'conn_state'] as const) {
      if (g[k] !== want[k]) misses.push(`${k}: want ${want[k]}, got ${String(g[k])}`);
    }
    const states = g.states as Record<string, string>;
    for (const side of ['client', 'server'] as const) {
      if (want.states[side] !== null && states[side] !== want.states[side]) misses.push(`states.${side}: want ${want.states[side]}, got ${states[side]}`);
    }
    for (const a of want.anomalies) if (!(g.anomalies as string[]).includes(a)) misses.push(`anomalies∌${a} (got ${(g.anomalies as string[]).join(',')})`);
  }
  return misses;
}
