/**
 * What the tracker says about one packet: which connection, which direction, the events it
 * raised and the state changes it caused. One PacketResult is reused for every packet (the
 * tracker overwrites it), so read it inside the packet's callback.
 */
import { TcpState } from './states.js';

export const MAX_EVENTS = 16;

/** How the earlier connection on a 4-tuple ended, when a new SYN retries it (Ev.CONNECT_RETRY). */
export const enum RetryOf {
  NONE = 0,
  /** its SYN was answered by RST */
  REFUSED = 1,
  /** a RST ended its handshake */
  HANDSHAKE_RESET = 2,
  /** it never got as far as established, without a RST (its SYN unanswered, or no final ACK) */
  NOT_ESTABLISHED = 3,
}

/**
 * Initial value of the fields that hold doubles (times, ids read from the flow table's Float64
 * view): V8 gives them the double representation from the start, instead of changing the
 * object's shape at the first fraction (which discards the optimised code that uses it: the
 * first SYN retransmission's interval came thousands of packets in). `reset()` sets the real
 * initial values.
 */
const DOUBLE_FIELD = -0.5;

export class PacketResult {
  /** a TCP segment the tracker followed (false: not TCP, or not decodable far enough) */
  tcp = false;
  /** row of the connection in the flow table (valid until the flow ends) */
  conn = -1;
  /** the connection's serial number (1, 2, ... in order of first packet) */
  connId = DOUBLE_FIELD;
  /** the packet went from the client to the server */
  fromClient = false;
  /** Ev codes raised by this packet, in the order they happened */
  readonly events = new Uint8Array(MAX_EVENTS);
  eventCount = 0;
  /** endpoint states before and after this packet */
  clientBefore = TcpState.CLOSED;
  clientAfter = TcpState.CLOSED;
  serverBefore = TcpState.CLOSED;
  serverAfter = TcpState.CLOSED;
  /**
   * a state the endpoint passed through between before and after on this one packet (crossed
   * FINs: FIN_WAIT_1 → CLOSING → TIME_WAIT), else -1
   */
  clientVia = -1;
  serverVia = -1;
  /**
   * a second state passed through after the first (an inferred passive close from the client's
   * packets alone: ESTABLISHED → CLOSE_WAIT → LAST_ACK → CLOSED), else -1
   */
  clientVia2 = -1;
  serverVia2 = -1;
  /**
   * sides whose change on this packet is inferred, not shown by a packet of theirs (1 the
   * client, 2 the server): the other side's packets prove what it must have sent and received
   * (a SYN-ACK or a FIN the capture does not have)
   */
  inferred = 0;
  /** handshake round-trip time in seconds (on HANDSHAKE_DONE), else -1 */
  rtt = DOUBLE_FIELD;
  /** seconds since the previous transmission of the same SYN/SYN-ACK/FIN (on their retransmits), else -1 */
  interval = DOUBLE_FIELD;
  /** which retransmission this is (2 = first resend) for SYN/SYN-ACK/FIN retransmits */
  ordinal = 0;
  /** duplicate ACK number (on DUP_ACK) */
  dupAckNum = 0;
  /** seconds the RST's sender had been silent before it (on RESET_NO_STATE), else -1 */
  idle = DOUBLE_FIELD;
  /** FINs this packet acknowledged: 1 the client's, 2 the server's */
  finAcked = 0;
  /** on PORT_REUSE and CONNECT_RETRY: the id of the connection this one replaced on the same 4-tuple */
  reusedFrom = 0;
  /**
   * on WINDOW_FULL: the sender's previous segment filled the window too (the run of full-window
   * segments goes on: the annotation says it on the run's first segment only)
   */
  windowStillFull = false;
  /** on CONNECT_RETRY: how the earlier connection ended (RetryOf) */
  retryOf = RetryOf.NONE;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.tcp = false;
    this.conn = -1;
    this.connId = 0;
    this.fromClient = false;
    this.eventCount = 0;
    this.clientVia = -1;
    this.serverVia = -1;
    this.clientVia2 = -1;
    this.serverVia2 = -1;
    this.inferred = 0;
    this.rtt = -1;
    this.interval = -1;
    this.ordinal = 0;
    this.dupAckNum = 0;
    this.idle = -1;
    this.finAcked = 0;
    this.reusedFrom = 0;
    this.retryOf = RetryOf.NONE;
    this.windowStillFull = false;
  }

  /**
   * Side s (0 client, 1 server) passed through `state` between before and after on this packet
   * (a second call: the state it passed through next).
   */
  passThrough(s: number, state: TcpState): void {
    if (s === 0) {
      if (this.clientVia < 0) this.clientVia = state;
      else this.clientVia2 = state;
    } else if (this.serverVia < 0) this.serverVia = state;
    else this.serverVia2 = state;
  }

  /** Does this packet carry event `ev`? */
  has(ev: number): boolean {
    for (let i = 0; i < this.eventCount; i++) if (this.events[i] === ev) return true;
    return false;
  }

  add(ev: number): void {
    if (this.eventCount < MAX_EVENTS) this.events[this.eventCount++] = ev;
  }
}
