/**
 * Connection tracking: the flow table, both endpoints' RFC 793 states, events and flow records.
 *
 * ```ts
 * const tracker = new Tracker({ onFlowEnd: (f) => console.log(f.toRecord()) });
 * await readCapture('x.pcap', (frame) => { decodePacket(frame, pkt); const r = tracker.track(pkt); ... });
 * tracker.finish();
 * ```
 */
export { Tracker, type TrackerOptions, type TrackerStats, type ChecksumPolicy, EndReason, END_REASON_NAMES, flowKeyHash } from './tracker.js';
export { PacketResult } from './result.js';
export { FlowView, type FlowRecord, type EndpointOptions, type Handshake, type Close, type Role } from './flow.js';
export { Ev, EVENT_NAMES, EVENT_CODES, EVENT_SEVERITY, ANOMALY_NAMES, Anomaly, anomalyNames } from './events.js';
export { TcpState, STATE_NAMES, EndpointEvent, ENDPOINT_EVENT_NAMES, transition } from './states.js';
export { seqDiff, seqAdd, seqLT, seqLE, seqGT, seqGE, seqMax, seqInWindow } from './seq.js';
export { FlowTable } from './table.js';
export { ZState, ZSTATE_NAMES, zeekConnState, zeekHistory } from './zeek.js';
export { tcpChecksumOk, ipv4HeaderChecksumOk } from './checksum.js';
