/**
 * What a packet did to its connection, as small integer codes (no objects per packet).
 *
 * Each packet yields up to a handful of these in `PacketResult.events`; the annotation printer
 * and the JSON writer turn them into words. `name` is the stable machine name (used in
 * `--json=packets` records and in the flow record's `events` counts); anomaly names follow the
 * corpus README (`refused`, `reset`, `half-open`, ...).
 */

export const enum Ev {
  // ---- opening ----------------------------------------------------------------------------
  /** client SYN: handshake step 1/3 */
  SYN = 0,
  /** server SYN-ACK: step 2/3 */
  SYN_ACK,
  /** client ACK of the SYN-ACK: step 3/3, the connection is established (RTT known) */
  HANDSHAKE_DONE,
  /** both ends sent a SYN before seeing the other's */
  SIMULTANEOUS_OPEN,
  /** one of the two SYN-ACKs of a simultaneous open */
  SIMULTANEOUS_SYNACK,
  /** a SYN sent again with the same ISN (interval in PacketResult.interval) */
  SYN_RETRANSMIT,
  /** a SYN-ACK sent again */
  SYNACK_RETRANSMIT,
  /** a SYN carrying data (TCP Fast Open) */
  SYN_WITH_DATA,
  /** a SYN-ACK whose ACK is not the client's ISN+1 */
  SYNACK_BAD_ACK,
  /** the SYN was answered by RST: nothing listens on the port */
  REFUSED,
  /** a RST during the handshake that is not a refusal */
  HANDSHAKE_RESET,
  /**
   * a new connection on the 4-tuple of an earlier one that had been established (closed, reset,
   * in TIME_WAIT). Wireshark's tcp.analysis.reused_ports flags any SYN with a new ISN on a known
   * conversation, retries after a refusal too (CONNECT_RETRY here)
   */
  PORT_REUSE,
  /** the capture began in the middle of this connection */
  MIDSTREAM,
  // ---- closing ----------------------------------------------------------------------------
  /** the first FIN: this side closes actively */
  FIN_ACTIVE,
  /** the second FIN, sent after receiving the first: the passive close */
  FIN_PASSIVE,
  /** both sides sent FIN before receiving the other's */
  SIMULTANEOUS_CLOSE,
  /** an ACK covering a FIN */
  FIN_ACKED,
  /** a FIN sent again */
  FIN_RETRANSMIT,
  /** an ACK covers one octet beyond everything captured from the peer, taken as a FIN not captured */
  FIN_UNSEEN,
  /** data sent after receiving (acking) the peer's FIN: a half-close in use */
  HALF_CLOSE,
  /** both FINs sent and acknowledged: the connection is closed */
  CLOSE_DONE,
  /** data beyond the sender's own FIN */
  DATA_AFTER_FIN,
  // ---- resets -----------------------------------------------------------------------------
  /** RST aborting a synchronized connection */
  RESET,
  /** RST from a side that had already sent its FIN (it closed, then got data) */
  RESET_AFTER_CLOSE,
  /** bare RST whose seq equals the ACK it answers, from a side that never closed: it has no state (rebooted peer, half-open) */
  RESET_NO_STATE,
  /** RST the receiver would not accept (sequence number outside its window) */
  RESET_IGNORED,
  /** another RST after the connection was already reset */
  RESET_REPEAT,
  /** a RST carrying payload (a reason text, some stacks) */
  RST_WITH_DATA,
  /** data sent after the connection was reset */
  DATA_AFTER_RESET,
  // ---- sequence analysis (tshark's tcp.analysis.*) ------------------------------------------
  RETRANSMISSION,
  FAST_RETRANSMISSION,
  SPURIOUS_RETRANSMISSION,
  OUT_OF_ORDER,
  /** previous segment not captured (a hole before this one) */
  LOST_SEGMENT,
  /** ACK of data the capture never showed */
  ACK_UNSEEN,
  DUP_ACK,
  KEEPALIVE,
  KEEPALIVE_ACK,
  ZERO_WINDOW,
  ZERO_WINDOW_PROBE,
  ZERO_WINDOW_PROBE_ACK,
  WINDOW_UPDATE,
  WINDOW_FULL,
  // ---- other ------------------------------------------------------------------------------
  /** wrong TCP or IPv4 header checksum: the receiver drops it, so the tracker ignores it */
  BAD_CHECKSUM,
  /** one side kept retransmitting with no answer until the end: its peer is gone (flow-level) */
  PEER_GONE,
  /** ECE on a segment of a connection that negotiated ECN: the receiver saw congestion (CE) */
  ECN_ECHO,
  /** CWR on a segment of a connection that negotiated ECN: the sender reduced its window */
  CWR,
  /**
   * RST after both FINs were exchanged and acknowledged (both sides in TIME_WAIT or CLOSED): all
   * data was delivered, nothing is aborted; typically a side with no state left answering a late
   * segment, into the peer's TIME_WAIT (RFC 1337). Not the `reset` anomaly
   */
  RESET_AFTER_FULL_CLOSE,
  /**
   * the sender's ACKs move over data or a FIN of its peer, of which the capture has no packet at
   * all: only one direction was captured (a filter such as `src host A`, asymmetric routing);
   * raised once per connection, on the sender's PEER_UNSEEN_MIN_PACKETS-th packet or later
   */
  PEER_UNSEEN,
  /**
   * ECE or CWR on a connection whose handshake was seen and did not negotiate ECN (a SYN or
   * SYN-ACK with none of AE, CWR, ECE): no ECT packet may exist to be marked (RFC 3168 §6.1.1),
   * so a stack or a middlebox set the bits. Once per connection
   */
  ECN_UNNEGOTIATED,
  /**
   * a new SYN on the 4-tuple of an earlier connection that was never established (refused, its
   * handshake reset, or never answered): connect() tried again from the same port, not a reuse
   * of a finished connection's 4-tuple (PacketResult.retryOf says how the earlier one ended)
   */
  CONNECT_RETRY,
  /**
   * the sender's ACK goes beyond a FIN of its peer inferred earlier (FIN_UNSEEN): that octet was
   * data, and the states and close the inference had set are taken back (raised on that ACK;
   * the packet that inferred the FIN keeps its FIN_UNSEEN)
   */
  FIN_INFERENCE_WITHDRAWN,
  /**
   * a segment (no SYN, no RST) whose ACK its receiver, in SYN_SENT or SYN_RCVD with its own SYN
   * captured, cannot accept (RFC 9293 §3.10.7.3: SEG.ACK =< ISS or > SND.NXT; §3.10.7.4: not
   * SND.UNA < SEG.ACK =< SND.NXT): the receiver discards it (answering with a reset), so it
   * changes no state; a stray segment of an earlier incarnation, or a forged one
   */
  ACK_NOT_ACCEPTABLE,
  COUNT,
}

/** Machine names, indexed by Ev. */
export const EVENT_NAMES: readonly string[] = [
  'syn', 'syn-ack', 'handshake-complete', 'simultaneous-open', 'simultaneous-syn-ack',
  'syn-retransmit', 'synack-retransmit', 'syn-with-data', 'synack-bad-ack', 'refused',
  'handshake-reset', 'port-reuse', 'midstream',
  'fin-active', 'fin-passive', 'simultaneous-close', 'fin-acked', 'fin-retransmit', 'fin-unseen',
  'half-close', 'closed', 'data-after-fin',
  'reset', 'reset-after-close', 'reset-no-state', 'reset-ignored', 'reset-repeat', 'rst-with-data',
  'data-after-reset',
  'retransmission', 'fast-retransmission', 'spurious-retransmission', 'out-of-order',
  'previous-segment-lost', 'ack-unseen', 'duplicate-ack', 'keepalive', 'keepalive-ack',
  'zero-window', 'zero-window-probe', 'zero-window-probe-ack', 'window-update', 'window-full',
  'bad-checksum', 'peer-gone', 'ecn-echo', 'cwr', 'reset-after-full-close', 'peer-unseen',
  'ecn-unnegotiated', 'connect-retry', 'fin-inference-withdrawn', 'ack-not-acceptable',
];

/**
 * Flow-level anomaly names (corpus README), as bits of a flow's anomaly mask. `check` builds its
 * policy on these names; keep them stable.
 */
export const ANOMALY_NAMES: readonly string[] = [
  'refused', 'reset', 'half-open', 'half-close', 'simultaneous-open', 'simultaneous-close',
  'syn-retransmit', 'synack-retransmit', 'midstream', 'keepalive', 'zero-window',
  'retransmission', 'duplicate-ack', 'out-of-order', 'port-reuse', 'bad-checksum', 'ack-unseen',
  'rst-out-of-window', 'peer-unseen', 'ecn-unnegotiated', 'connect-retry',
];

export const enum Anomaly {
  REFUSED = 1 << 0,
  RESET = 1 << 1,
  HALF_OPEN = 1 << 2,
  HALF_CLOSE = 1 << 3,
  SIMULTANEOUS_OPEN = 1 << 4,
  SIMULTANEOUS_CLOSE = 1 << 5,
  SYN_RETRANSMIT = 1 << 6,
  SYNACK_RETRANSMIT = 1 << 7,
  MIDSTREAM = 1 << 8,
  KEEPALIVE = 1 << 9,
  ZERO_WINDOW = 1 << 10,
  RETRANSMISSION = 1 << 11,
  DUPLICATE_ACK = 1 << 12,
  OUT_OF_ORDER = 1 << 13,
  PORT_REUSE = 1 << 14,
  BAD_CHECKSUM = 1 << 15,
  ACK_UNSEEN = 1 << 16,
  /** a RST its receiver would not accept (outside its window): reported, no abort */
  RST_OUT_OF_WINDOW = 1 << 17,
  /** one side's packets alone were captured, and they acknowledge data or a FIN of the other (Ev.PEER_UNSEEN) */
  PEER_UNSEEN = 1 << 18,
  /** ECE or CWR set on a connection that did not negotiate ECN (Ev.ECN_UNNEGOTIATED) */
  ECN_UNNEGOTIATED = 1 << 19,
  /** a new SYN on the 4-tuple of a connection that was never established (Ev.CONNECT_RETRY) */
  CONNECT_RETRY = 1 << 20,
}

/** The anomaly bit an event raises on its flow (0: none). */
export const EVENT_ANOMALY: Uint32Array = (() => {
  const a = new Uint32Array(Ev.COUNT);
  a[Ev.REFUSED] = Anomaly.REFUSED;
  a[Ev.RESET] = Anomaly.RESET;
  a[Ev.RESET_AFTER_CLOSE] = Anomaly.RESET;
  a[Ev.RESET_NO_STATE] = Anomaly.RESET | Anomaly.HALF_OPEN;
  a[Ev.PEER_GONE] = Anomaly.HALF_OPEN;
  a[Ev.HALF_CLOSE] = Anomaly.HALF_CLOSE;
  a[Ev.SIMULTANEOUS_OPEN] = Anomaly.SIMULTANEOUS_OPEN;
  a[Ev.SIMULTANEOUS_CLOSE] = Anomaly.SIMULTANEOUS_CLOSE;
  a[Ev.SYN_RETRANSMIT] = Anomaly.SYN_RETRANSMIT;
  a[Ev.SYNACK_RETRANSMIT] = Anomaly.SYNACK_RETRANSMIT;
  a[Ev.MIDSTREAM] = Anomaly.MIDSTREAM;
  a[Ev.KEEPALIVE] = Anomaly.KEEPALIVE;
  a[Ev.ZERO_WINDOW] = Anomaly.ZERO_WINDOW;
  a[Ev.RETRANSMISSION] = Anomaly.RETRANSMISSION;
  a[Ev.FAST_RETRANSMISSION] = Anomaly.RETRANSMISSION;
  a[Ev.SPURIOUS_RETRANSMISSION] = Anomaly.RETRANSMISSION;
  a[Ev.FIN_RETRANSMIT] = Anomaly.RETRANSMISSION;
  a[Ev.DUP_ACK] = Anomaly.DUPLICATE_ACK;
  a[Ev.OUT_OF_ORDER] = Anomaly.OUT_OF_ORDER;
  a[Ev.PORT_REUSE] = Anomaly.PORT_REUSE;
  a[Ev.BAD_CHECKSUM] = Anomaly.BAD_CHECKSUM;
  a[Ev.ACK_UNSEEN] = Anomaly.ACK_UNSEEN;
  a[Ev.RESET_IGNORED] = Anomaly.RST_OUT_OF_WINDOW;
  a[Ev.PEER_UNSEEN] = Anomaly.PEER_UNSEEN;
  a[Ev.ECN_UNNEGOTIATED] = Anomaly.ECN_UNNEGOTIATED;
  a[Ev.CONNECT_RETRY] = Anomaly.CONNECT_RETRY;
  return a;
})();

/** Names of the anomaly bits set in `mask`, in ANOMALY_NAMES order. */
export function anomalyNames(mask: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ANOMALY_NAMES.length; i++) if (mask & (1 << i)) out.push(ANOMALY_NAMES[i]);
  return out;
}

/** How serious an event is, for colouring: 0 info, 1 step (handshake/close), 2 warning, 3 error. */
export const EVENT_SEVERITY: Uint8Array = (() => {
  const s = new Uint8Array(Ev.COUNT);
  for (const e of [Ev.SYN, Ev.SYN_ACK, Ev.HANDSHAKE_DONE, Ev.SIMULTANEOUS_SYNACK, Ev.FIN_ACTIVE,
    Ev.FIN_PASSIVE, Ev.FIN_ACKED, Ev.CLOSE_DONE]) s[e] = 1;
  for (const e of [Ev.SIMULTANEOUS_OPEN, Ev.SYN_RETRANSMIT, Ev.SYNACK_RETRANSMIT, Ev.SYN_WITH_DATA,
    Ev.PORT_REUSE, Ev.MIDSTREAM, Ev.SIMULTANEOUS_CLOSE, Ev.FIN_RETRANSMIT, Ev.FIN_UNSEEN, Ev.HALF_CLOSE,
    Ev.RESET_IGNORED, Ev.RESET_REPEAT, Ev.RST_WITH_DATA, Ev.RETRANSMISSION, Ev.FAST_RETRANSMISSION,
    Ev.SPURIOUS_RETRANSMISSION, Ev.OUT_OF_ORDER, Ev.LOST_SEGMENT, Ev.ACK_UNSEEN, Ev.DUP_ACK,
    Ev.ZERO_WINDOW, Ev.ZERO_WINDOW_PROBE, Ev.WINDOW_FULL, Ev.DATA_AFTER_FIN, Ev.ECN_ECHO, Ev.CWR, Ev.PEER_UNSEEN, Ev.ECN_UNNEGOTIATED, Ev.CONNECT_RETRY,
    Ev.FIN_INFERENCE_WITHDRAWN, Ev.ACK_NOT_ACCEPTABLE]) s[e] = 2;
  for (const e of [Ev.REFUSED, Ev.HANDSHAKE_RESET, Ev.RESET, Ev.RESET_AFTER_CLOSE, Ev.RESET_NO_STATE,
    Ev.DATA_AFTER_RESET, Ev.BAD_CHECKSUM, Ev.PEER_GONE, Ev.SYNACK_BAD_ACK]) s[e] = 3;
  return s;
})();

/** Event codes by machine name (the runtime counterpart of `Ev`, for library users). */
export const EVENT_CODES: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(EVENT_NAMES.map((n, i) => [n, i])));
