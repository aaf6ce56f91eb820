/**
 * Filter expressions (tcpdump's pcap-filter language, with libpcap's meaning) compiled to one
 * JavaScript function over the frame bytes per link type.
 *
 *   expression → tokens (lexer.ts) → tree (parser.ts, qualifier carry-over resolved)
 *              → per link type: comparisons (lower.ts, gencode.c's rules; ir.ts folds
 *                constants as libpcap does) → flow graph optimized as libpcap's optimizer
 *                does (cfg.ts) → `function (d, o, cap, wire)` (codegen.ts)
 *
 * The expression is parsed and checked once, up front (syntax errors, bad addresses, unknown
 * names: exit status 1 before any packet is read). It is compiled for a link type the first
 * time a frame of that type arrives — a pcapng file can mix them — and an expression that
 * libpcap would refuse on that link type only (`vlan` on Linux cooked) fails then.
 */
import type { Frame } from '../capture/frame.js';
import { TcpscopeError } from '../errors.js';
import type { Node } from './ast.js';
import { type Target, effectiveRoot, optimize, topological } from './cfg.js';
import { type MatchFn, compileSource, generateSource } from './codegen.js';
import { rejectsAllError, unsupportedError } from './diagnostic.js';
import { type Bool, formatVal } from './ir.js';
import { linkModel } from './link.js';
import { LinkTypeError, lower } from './lower.js';
import { type NameDatabase, systemNames } from './names.js';
import { parseFilter } from './parser.js';

export type { MatchFn } from './codegen.js';
export type { NameDatabase } from './names.js';
export { interpret, interpretGraph } from './interp.js';
export type { Target } from './cfg.js';
export { parseHosts, parseProtocols, parseServices } from './names.js';

export interface Filter {
  /** the expression as given */
  readonly expression: string;
  /** does this frame pass the filter? (throws a TcpscopeError if the expression cannot apply to its link type) */
  matches(frame: Frame): boolean;
  /**
   * Throws the TcpscopeError this expression has on a capture of `linktype` (refused there, or
   * rejecting every packet), as tcpdump refuses when it opens a capture and compiles the filter
   * for its link type: before a packet is read or a -w file written, and for a capture with no
   * packets too
   */
  checkLinktype(linktype: number): void;
  /** the compiled predicate for one link type */
  predicate(linktype: number): MatchFn;
  /** the program for one link type, one test a line (what `tcpdump -d` shows as BPF) */
  explain(linktype: number): string;
  /** the generated JavaScript body for one link type */
  source(linktype: number): string;
  /** the lowered tree for one link type, as gencode's rules give it, before optimization */
  lowered(linktype: number): Bool;
  /** the optimized graph the generated function runs (for a graph-walking oracle in tests) */
  graph(linktype: number): Target;
}

export interface FilterOptions {
  /** name databases (services, protocols, hosts); the machine's /etc files by default */
  names?: NameDatabase;
}

const ETHERNET = 1;

/**
 * The largest lowered filter optimized (tests, i.e. comparisons in the flow graph). The optimizer
 * (cfg.ts, libpcap's rules) carries per-edge facts whose size grows with the graph, so its time
 * grows with the square of the expression: ~1 s at 4,600 tests (200 `port N or` terms), ~7 s at
 * 12,000; 20,000 terms ran out of memory after minutes (qa5 F3). Beyond the bound one clear error.
 */
export const MAX_TESTS = 12000;

/** How many tests buildGraph makes of `b` (one per comparison leaf), counted without recursion. */
function testCount(b: Bool): number {
  let n = 0;
  const stack: Bool[] = [b];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.t === 'and' || x.t === 'or') stack.push(x.a, x.b);
    else if (x.t === 'not') stack.push(x.a);
    else if (x.t === 'cmp' || x.t === 'fixed') n++;
  }
  return n;
}

interface Program {
  /** as lowered */
  raw: Bool;
  /** as run */
  graph: Target;
  source: string;
  fn: MatchFn;
}

class CompiledFilter implements Filter {
  private readonly programs = new Map<number, Program | TcpscopeError>();
  private lastLinktype = -1;
  private lastFn: MatchFn | null = null;
  /** link types whose error is theirs alone (the expression is fine elsewhere) */
  private readonly linkSpecific = new Set<number>();

  constructor(readonly expression: string, private readonly ast: Node, private readonly names: NameDatabase) {
    // compile for Ethernet now so every error that does not depend on the link type (bad
    // address, unknown port name, wrong qualifier) is reported before reading a packet
    const first = this.program(ETHERNET);
    if (first instanceof TcpscopeError && !this.linkSpecific.has(ETHERNET)) throw first;
  }

  private program(linktype: number): Program | TcpscopeError {
    let p = this.programs.get(linktype);
    if (p !== undefined) return p;
    const model = linkModel(linktype);
    if (model === null) {
      p = unsupportedError(`filters on link type ${linktype} (tcpscope filters Ethernet, Linux cooked v1/v2, BSD loopback, raw IP, PPP, PPPoE, Cisco HDLC, Frame Relay, ARCNET, LLC-encapsulated ATM and Juniper Ethernet captures)`, this.expression, null);
      this.linkSpecific.add(linktype);
    } else {
      try {
        const raw = lower(this.ast, model, this.names, this.expression);
        const tests = testCount(raw);
        if (tests > MAX_TESTS) {
          throw unsupportedError(`an expression this large (${tests} tests once lowered, at most ${MAX_TESTS}: about ${Math.floor(MAX_TESTS / 23)} 'port N' terms); the optimizer's time grows with its square (libpcap's too: tcpdump -d takes minutes on 500 'port N or' terms)`, this.expression, null);
        }
        const graph = optimize(raw); // throws LinkTypeError for code libpcap refuses
        if (effectiveRoot(graph) === 'reject') {
          // libpcap's optimizer reduced the program to `ret #0` and pcap_compile refuses it;
          // on this link type only (`arp` is fine on Ethernet, impossible on raw IP)
          throw new LinkTypeError(rejectsAllError(this.expression));
        }
        const source = generateSource(graph);
        p = { raw, graph, source, fn: compileSource(source) };
      } catch (e) {
        if (e instanceof LinkTypeError) {
          p = e.error;
          this.linkSpecific.add(linktype);
        } else if (e instanceof TcpscopeError) {
          p = e;
        } else {
          throw e;
        }
      }
    }
    this.programs.set(linktype, p);
    return p;
  }

  private compiled(linktype: number): Program {
    const p = this.program(linktype);
    if (p instanceof TcpscopeError) throw p;
    return p;
  }

  matches(frame: Frame): boolean {
    if (frame.linktype !== this.lastLinktype) {
      const p = this.program(frame.linktype);
      // name the packet that brought the link type in (a pcapng file can mix them)
      if (p instanceof TcpscopeError) throw this.naming(p, `packet ${frame.number} is ${this.linkName(frame.linktype)}`);
      this.lastLinktype = frame.linktype;
      this.lastFn = p.fn;
    }
    return this.lastFn!(frame.data, frame.offset, frame.caplen, frame.wirelen);
  }

  checkLinktype(linktype: number): void {
    const p = this.program(linktype);
    if (p instanceof TcpscopeError) throw this.naming(p, `link type ${this.linkName(linktype)}`);
  }

  /** the error `p` with what it applies to after its first line: `(packet 3 is Raw IP)` */
  private naming(p: TcpscopeError, what: string): TcpscopeError {
    const nl = p.message.indexOf('\n');
    const head = nl < 0 ? p.message : p.message.slice(0, nl);
    const rest = nl < 0 ? '' : p.message.slice(nl);
    return new TcpscopeError(p.code, `${head} (${what})${rest}`, { exitStatus: p.exitStatus });
  }

  private linkName(linktype: number): string {
    return linkModel(linktype)?.name ?? `link type ${linktype}`;
  }

  predicate(linktype: number): MatchFn {
    return this.compiled(linktype).fn;
  }

  explain(linktype: number): string {
    const root = this.compiled(linktype).graph;
    if (typeof root === 'string') return `(000) ${root}`;
    const order = topological(root);
    const index = new Map(order.map((n, i) => [n, i]));
    const pad = (i: number) => String(i).padStart(3, '0');
    const to = (t: Target) => (typeof t === 'string' ? t : pad(index.get(t)!));
    return order.map((n, i) => {
      if (n.test === null) return `(${pad(i)}) always -> ${to(n.jt)}`;
      const sym = n.test.op === 'eq' ? '==' : n.test.op === 'gt' ? '>' : n.test.op === 'ge' ? '>=' : '&';
      return `(${pad(i)}) ${formatVal(n.test.a)} ${sym} ${formatVal(n.test.b)}  true -> ${to(n.jt)}  false -> ${to(n.jf)}`;
    }).join('\n');
  }

  source(linktype: number): string {
    return this.compiled(linktype).source;
  }

  lowered(linktype: number): Bool {
    return this.compiled(linktype).raw;
  }

  graph(linktype: number): Target {
    return this.compiled(linktype).graph;
  }
}

let defaultNames: NameDatabase | null = null;

/**
 * Compile `expression`; throws TcpscopeError FILTER_SYNTAX (does not parse), FILTER_INVALID
 * (parses but libpcap refuses it) or FILTER_UNSUPPORTED (libpcap accepts it, tcpscope does not
 * implement it). The empty expression matches every packet.
 */
export function compileFilter(expression: string, options: FilterOptions = {}): Filter {
  const names = options.names ?? (defaultNames ??= systemNames());
  const ast = parseFilter(expression);
  return new CompiledFilter(expression, ast, names);
}
