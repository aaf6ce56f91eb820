/** The transition function, rule by rule: state_event_outcome. */
import { describe, expect, test } from 'vitest';
import { EndpointEvent as E, ENDPOINT_EVENT_NAMES, STATE_NAMES, TcpState as S, transition } from '../../src/track/states.js';

// [from, event, to]: every rule of transition(), plus the pairs that must leave the state alone
const RULES: Array<[S, E, S]> = [
  [S.CLOSED, E.SEND_SYN, S.SYN_SENT],
  [S.CLOSED, E.SEND_SYNACK, S.SYN_RCVD],
  [S.CLOSED, E.PICKUP, S.ESTABLISHED],
  [S.CLOSED, E.RCV_FIN, S.CLOSED],
  [S.LISTEN, E.SEND_SYNACK, S.SYN_RCVD],
  [S.LISTEN, E.RCV_SYN, S.SYN_RCVD],
  [S.LISTEN, E.SEND_SYN, S.SYN_SENT],
  [S.LISTEN, E.SEND_RST, S.CLOSED],
  [S.SYN_SENT, E.SEND_SYN, S.SYN_SENT],
  [S.SYN_SENT, E.RCV_ACK_OF_SYN, S.SYN_SENT],
  [S.SYN_SENT, E.RCV_SYN, S.SYN_RCVD],
  [S.SYN_SENT, E.SEND_SYNACK, S.SYN_RCVD],
  [S.SYN_SENT, E.RCV_RST, S.CLOSED],
  [S.SYN_SENT, E.SEND_FIN, S.FIN_WAIT_1],
  [S.SYN_RCVD, E.RCV_ACK_OF_SYN, S.ESTABLISHED],
  [S.SYN_RCVD, E.SEND_SYNACK, S.SYN_RCVD],
  [S.SYN_RCVD, E.SEND_FIN, S.FIN_WAIT_1],
  [S.SYN_RCVD, E.RCV_FIN, S.CLOSE_WAIT],
  [S.SYN_RCVD, E.RCV_RST, S.CLOSED],
  [S.ESTABLISHED, E.SEND_FIN, S.FIN_WAIT_1],
  [S.ESTABLISHED, E.RCV_FIN, S.CLOSE_WAIT],
  [S.ESTABLISHED, E.SEND_SYN, S.ESTABLISHED],
  [S.ESTABLISHED, E.SEND_RST, S.CLOSED],
  [S.ESTABLISHED, E.RCV_RST, S.CLOSED],
  [S.FIN_WAIT_1, E.RCV_ACK_OF_FIN, S.FIN_WAIT_2],
  [S.FIN_WAIT_1, E.RCV_FIN, S.CLOSING],
  [S.FIN_WAIT_1, E.SEND_FIN, S.FIN_WAIT_1],
  [S.FIN_WAIT_2, E.RCV_FIN, S.TIME_WAIT],
  [S.FIN_WAIT_2, E.RCV_ACK_OF_FIN, S.FIN_WAIT_2],
  [S.CLOSE_WAIT, E.SEND_FIN, S.LAST_ACK],
  [S.CLOSE_WAIT, E.RCV_FIN, S.CLOSE_WAIT],
  [S.CLOSING, E.RCV_ACK_OF_FIN, S.TIME_WAIT],
  [S.LAST_ACK, E.RCV_ACK_OF_FIN, S.CLOSED],
  [S.LAST_ACK, E.SEND_FIN, S.LAST_ACK],
  [S.TIME_WAIT, E.TIMEOUT, S.CLOSED],
  [S.TIME_WAIT, E.RCV_FIN, S.TIME_WAIT],
  [S.TIME_WAIT, E.RCV_RST, S.CLOSED],
  [S.ESTABLISHED, E.TIMEOUT, S.ESTABLISHED],
  [S.CLOSED, E.RESEND_FIN, S.LAST_ACK],
  [S.FIN_WAIT_2, E.RESEND_FIN, S.FIN_WAIT_1],
  [S.TIME_WAIT, E.RESEND_FIN, S.CLOSING],
  [S.FIN_WAIT_1, E.RESEND_FIN, S.FIN_WAIT_1],
  [S.LAST_ACK, E.RESEND_FIN, S.LAST_ACK],
  [S.CLOSING, E.RESEND_FIN, S.CLOSING],
  // the presumed listener's SYN crossed the client's: it was CLOSED, an active open (fig. 13)
  [S.LISTEN, E.CROSS_SYN, S.CLOSED],
  [S.SYN_SENT, E.CROSS_SYN, S.SYN_SENT],
  [S.ESTABLISHED, E.CROSS_SYN, S.ESTABLISHED],
  // an inferred FIN taken back (it was an octet of data): each step it caused walked back
  [S.FIN_WAIT_1, E.UNDO_SEND_FIN, S.ESTABLISHED],
  [S.FIN_WAIT_2, E.UNDO_SEND_FIN, S.ESTABLISHED],
  [S.CLOSING, E.UNDO_SEND_FIN, S.CLOSE_WAIT],
  [S.TIME_WAIT, E.UNDO_SEND_FIN, S.CLOSE_WAIT],
  [S.LAST_ACK, E.UNDO_SEND_FIN, S.CLOSE_WAIT],
  [S.CLOSED, E.UNDO_SEND_FIN, S.CLOSE_WAIT],
  [S.ESTABLISHED, E.UNDO_SEND_FIN, S.ESTABLISHED],
  [S.CLOSE_WAIT, E.UNDO_RCV_FIN, S.ESTABLISHED],
  [S.LAST_ACK, E.UNDO_RCV_FIN, S.FIN_WAIT_1],
  [S.CLOSING, E.UNDO_RCV_FIN, S.FIN_WAIT_1],
  [S.TIME_WAIT, E.UNDO_RCV_FIN, S.FIN_WAIT_2],
  [S.CLOSED, E.UNDO_RCV_FIN, S.FIN_WAIT_2],
  [S.FIN_WAIT_1, E.UNDO_RCV_FIN, S.FIN_WAIT_1],
  [S.FIN_WAIT_2, E.UNDO_ACK_OF_FIN, S.FIN_WAIT_1],
  [S.TIME_WAIT, E.UNDO_ACK_OF_FIN, S.CLOSING],
  [S.CLOSED, E.UNDO_ACK_OF_FIN, S.LAST_ACK],
  [S.ESTABLISHED, E.UNDO_ACK_OF_FIN, S.ESTABLISHED],
];

describe('transition', () => {
  for (const [from, ev, to] of RULES) {
    test(`${STATE_NAMES[from]}_${ENDPOINT_EVENT_NAMES[ev]}_${STATE_NAMES[to]}`, () => {
      expect(STATE_NAMES[transition(from, ev)]).toBe(STATE_NAMES[to]);
    });
  }

  test('anyState_rst_CLOSED', () => {
    for (let s = 0; s < STATE_NAMES.length; s++) {
      expect(transition(s as S, E.SEND_RST)).toBe(S.CLOSED);
      expect(transition(s as S, E.RCV_RST)).toBe(S.CLOSED);
    }
  });

  test('anyState_anyEvent_validState', () => {
    for (let s = 0; s < STATE_NAMES.length; s++) {
      for (let e = 0; e < ENDPOINT_EVENT_NAMES.length; e++) {
        const to = transition(s as S, e as E);
        expect(to).toBeGreaterThanOrEqual(0);
        expect(to).toBeLessThan(STATE_NAMES.length);
      }
    }
  });
});
