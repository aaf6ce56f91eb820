/**
 * The eleven RFC 793 connection states of one endpoint, and the one transition function that
 * moves an endpoint between them.
 *
 * A passive observer cannot see inside the hosts: the tracker (tracker.ts, "RFC 793 inference")
 * decides from the captured segments which *endpoint events* they prove, and when, and feeds
 * them here. This file only says where each event leads from each state, rule by rule.
 */

export const enum TcpState {
  CLOSED = 0,
  LISTEN = 1,
  SYN_SENT = 2,
  SYN_RCVD = 3,
  ESTABLISHED = 4,
  FIN_WAIT_1 = 5,
  FIN_WAIT_2 = 6,
  CLOSE_WAIT = 7,
  CLOSING = 8,
  LAST_ACK = 9,
  TIME_WAIT = 10,
}

/** RFC 793 spelling with underscores, indexed by TcpState. */
export const STATE_NAMES: readonly string[] = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
];

/** What an endpoint did or had done to it, as far as the packets show. */
export const enum EndpointEvent {
  /** it sent a SYN without ACK (an active open, or a retransmission of one) */
  SEND_SYN = 0,
  /** it sent a SYN-ACK: it had received its peer's SYN and answers it */
  SEND_SYNACK = 1,
  /** its ACK covers the peer's SYN: it has received the peer's SYN */
  RCV_SYN = 2,
  /** the peer's ACK covers this endpoint's SYN */
  RCV_ACK_OF_SYN = 3,
  /** it sent its FIN (or the capture proves one it sent) */
  SEND_FIN = 4,
  /** its ACK covers the peer's FIN: it has received the peer's FIN */
  RCV_FIN = 5,
  /** the peer's ACK covers this endpoint's FIN */
  RCV_ACK_OF_FIN = 6,
  /** it sent a RST */
  SEND_RST = 7,
  /** it was sent a RST it accepts (in window) */
  RCV_RST = 8,
  /** the capture began mid-connection: it is sending and acknowledging as a synchronized endpoint */
  PICKUP = 9,
  /** 2×MSL of capture time passed */
  TIMEOUT = 10,
  /**
   * it sent its FIN again after the peer's ACK of that FIN was seen: the ACK never reached it
   * (fed only then: its FIN acknowledged, and no RST of its own)
   */
  RESEND_FIN = 11,
  /**
   * its SYN crossed the peer's while the peer waited in SYN_SENT: it was no listener but an
   * active open too (RFC 793 fig. 13), so the LISTEN the tracker presumed when the first SYN
   * arrived was CLOSED (fed once, before that SYN's SEND_SYN)
   */
  CROSS_SYN = 12,
  /**
   * a FIN of its own that the tracker had inferred (FIN_UNSEEN) proved to be an octet of data:
   * the inference is taken back (not a move of its stack)
   */
  UNDO_SEND_FIN = 13,
  /** the FIN it was taken to have received (an inferred one of its peer's) proved to be data */
  UNDO_RCV_FIN = 14,
  /** the ACK of its FIN that had been inferred from a peer FIN now withdrawn is taken back too */
  UNDO_ACK_OF_FIN = 15,
}

export const ENDPOINT_EVENT_NAMES: readonly string[] = [
  'SEND_SYN', 'SEND_SYNACK', 'RCV_SYN', 'RCV_ACK_OF_SYN', 'SEND_FIN', 'RCV_FIN', 'RCV_ACK_OF_FIN',
  'SEND_RST', 'RCV_RST', 'PICKUP', 'TIMEOUT', 'RESEND_FIN', 'CROSS_SYN',
  'UNDO_SEND_FIN', 'UNDO_RCV_FIN', 'UNDO_ACK_OF_FIN',
];

/**
 * Where `event` takes an endpoint in `state`. Pairs with no rule leave the state unchanged
 * (a retransmission, or something the RFC ignores in that state).
 */
export function transition(state: TcpState, event: EndpointEvent): TcpState {
  // Resets end every state: a RST sent aborts the sender's connection (RFC 793 §3.4 "abort"),
  // and an acceptable RST received deletes the receiver's TCB (§3.9 "RST bit").
  if (event === EndpointEvent.SEND_RST || event === EndpointEvent.RCV_RST) return TcpState.CLOSED;
  // An inference taken back (a FIN the tracker inferred for a side none of whose packets showed
  // it proved to be an octet of data): no stack moves; each step of the diagram that the FIN
  // caused is walked back. The tracker feeds these only to a state the inferred FIN led to
  // (never to one a RST or a time-out reached).
  if (event === EndpointEvent.UNDO_SEND_FIN) {
    // its close had not begun: without its FIN an endpoint that had not received its peer's is
    // open, one that had is waiting for its own close
    if (state === TcpState.FIN_WAIT_1 || state === TcpState.FIN_WAIT_2) return TcpState.ESTABLISHED;
    if (state === TcpState.CLOSING || state === TcpState.TIME_WAIT || state === TcpState.LAST_ACK ||
        state === TcpState.CLOSED) return TcpState.CLOSE_WAIT;
    return state;
  }
  if (event === EndpointEvent.UNDO_RCV_FIN) {
    // its peer never closed: without that FIN an open endpoint stays open, and one that sent its
    // own FIN is the active closer, waiting for the ACK of it (FIN_WAIT_1) or for the peer's FIN
    // (FIN_WAIT_2) if that ACK came
    if (state === TcpState.CLOSE_WAIT) return TcpState.ESTABLISHED;
    if (state === TcpState.LAST_ACK || state === TcpState.CLOSING) return TcpState.FIN_WAIT_1;
    if (state === TcpState.TIME_WAIT || state === TcpState.CLOSED) return TcpState.FIN_WAIT_2;
    return state;
  }
  if (event === EndpointEvent.UNDO_ACK_OF_FIN) {
    // its FIN is unacknowledged again
    if (state === TcpState.FIN_WAIT_2) return TcpState.FIN_WAIT_1;
    if (state === TcpState.TIME_WAIT) return TcpState.CLOSING;
    if (state === TcpState.CLOSED) return TcpState.LAST_ACK;
    return state;
  }
  switch (state) {
    case TcpState.CLOSED:
      // its FIN sent again after the final ACK was seen: that ACK was lost, it is still in LAST_ACK
      // (fed only to a CLOSED reached from LAST_ACK: never after a RST of either side)
      if (event === EndpointEvent.RESEND_FIN) return TcpState.LAST_ACK;
      // an active OPEN sends a SYN
      if (event === EndpointEvent.SEND_SYN) return TcpState.SYN_SENT;
      // answering a SYN we never saw arrive: it had been listening and got one
      if (event === EndpointEvent.SEND_SYNACK) return TcpState.SYN_RCVD;
      // picked up mid-connection: it behaves as a synchronized endpoint
      if (event === EndpointEvent.PICKUP) return TcpState.ESTABLISHED;
      return state;
    case TcpState.LISTEN:
      // a passive OPEN receives a SYN and answers SYN-ACK
      if (event === EndpointEvent.SEND_SYNACK) return TcpState.SYN_RCVD;
      // it acknowledges the peer's SYN (some stacks ACK before their SYN-ACK)
      if (event === EndpointEvent.RCV_SYN) return TcpState.SYN_RCVD;
      // LISTEN + SEND: the listener sends its own SYN (RFC 793 §3.9 SEND in LISTEN); the tracker
      // takes a SYN crossing the client's as an active open from CLOSED instead (fig. 13)
      if (event === EndpointEvent.SEND_SYN) return TcpState.SYN_SENT;
      if (event === EndpointEvent.PICKUP) return TcpState.ESTABLISHED;
      // a presumption undone, not a move of its stack: it never listened (CROSS_SYN above)
      if (event === EndpointEvent.CROSS_SYN) return TcpState.CLOSED;
      return state;
    case TcpState.SYN_SENT:
      // it received the peer's SYN: with its own SYN already acked the ACK it sends completes the
      // three-way handshake (the tracker then feeds RCV_ACK_OF_SYN); otherwise both SYNs crossed
      if (event === EndpointEvent.RCV_SYN) return TcpState.SYN_RCVD;
      // simultaneous open: it answers the peer's SYN with SYN-ACK
      if (event === EndpointEvent.SEND_SYNACK) return TcpState.SYN_RCVD;
      // a FIN from SYN_SENT means it had synchronized unseen: close from there
      if (event === EndpointEvent.SEND_FIN) return TcpState.FIN_WAIT_1;
      if (event === EndpointEvent.PICKUP) return TcpState.ESTABLISHED;
      // SEND_SYN again is a retransmission; an ACK of its SYN alone waits for the peer's SYN
      return state;
    case TcpState.SYN_RCVD:
      // the peer acknowledged our SYN: the connection is synchronized
      if (event === EndpointEvent.RCV_ACK_OF_SYN) return TcpState.ESTABLISHED;
      // CLOSE in SYN_RCVD sends a FIN (RFC 793 §3.9 CLOSE call)
      if (event === EndpointEvent.SEND_FIN) return TcpState.FIN_WAIT_1;
      // a FIN received in SYN_RCVD leads to CLOSE_WAIT (§3.9 "eighth, check the FIN bit")
      if (event === EndpointEvent.RCV_FIN) return TcpState.CLOSE_WAIT;
      if (event === EndpointEvent.PICKUP) return TcpState.ESTABLISHED;
      return state;
    case TcpState.ESTABLISHED:
      // active close
      if (event === EndpointEvent.SEND_FIN) return TcpState.FIN_WAIT_1;
      // passive close: the peer's FIN arrived
      if (event === EndpointEvent.RCV_FIN) return TcpState.CLOSE_WAIT;
      return state;
    case TcpState.FIN_WAIT_1:
      // our FIN was acknowledged
      if (event === EndpointEvent.RCV_ACK_OF_FIN) return TcpState.FIN_WAIT_2;
      // the peer's FIN arrived before the ACK of ours: simultaneous close
      if (event === EndpointEvent.RCV_FIN) return TcpState.CLOSING;
      return state;
    case TcpState.FIN_WAIT_2:
      // the peer's FIN arrived after ours was acked
      if (event === EndpointEvent.RCV_FIN) return TcpState.TIME_WAIT;
      // its FIN sent again: the ACK of it never arrived, it is still in FIN_WAIT_1
      if (event === EndpointEvent.RESEND_FIN) return TcpState.FIN_WAIT_1;
      return state;
    case TcpState.CLOSE_WAIT:
      // the passive closer sends its FIN
      if (event === EndpointEvent.SEND_FIN) return TcpState.LAST_ACK;
      return state;
    case TcpState.CLOSING:
      // simultaneous close: our FIN is acknowledged at last
      if (event === EndpointEvent.RCV_ACK_OF_FIN) return TcpState.TIME_WAIT;
      return state;
    case TcpState.LAST_ACK:
      // the final ACK: the passive closer is done
      if (event === EndpointEvent.RCV_ACK_OF_FIN) return TcpState.CLOSED;
      return state;
    case TcpState.TIME_WAIT:
      // 2×MSL passed with nothing new; a retransmitted peer FIN only restarts the wait
      if (event === EndpointEvent.TIMEOUT) return TcpState.CLOSED;
      // its FIN sent again: the ACK of it never arrived, so it had gone FIN_WAIT_1 -> CLOSING
      // on the peer's FIN, not to TIME_WAIT
      if (event === EndpointEvent.RESEND_FIN) return TcpState.CLOSING;
      return state;
  }
  return state;
}

/** A state in which the endpoint has finished sending (its FIN is out) or is gone. */
export function isClosingOrClosed(s: TcpState): boolean {
  return s === TcpState.CLOSED || s >= TcpState.FIN_WAIT_1 && s !== TcpState.CLOSE_WAIT;
}

/** A synchronized state (RFC 793: ESTABLISHED and every state after it). */
export function isSynchronized(s: TcpState): boolean {
  return s >= TcpState.ESTABLISHED;
}
