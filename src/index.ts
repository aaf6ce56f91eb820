/** tcpscope as a library: the same pieces the CLI wires together. */
export * from './errors.js';
export * from './capture/index.js';
export * from './decode/index.js';
export { type Filter, type FilterOptions, type MatchFn, compileFilter } from './filter/index.js';
export { Output } from './print/output.js';
export { type PrintOptions, defaultPrintOptions } from './print/options.js';
export { TcpdumpPrinter, type TcpdumpPrinterOptions, Names } from './print/tcpdump/index.js';
export { TcpdumpSeqTable, type SeqLookup } from './track/tcpdump-seq.js';
export { type RunOptions, runPipeline, type TrackCapturesOptions, type TrackCapturesSummary, trackCaptures } from './pipeline.js';
export * from './check/index.js';
export {
  Tracker, type TrackerOptions, type TrackerStats, type ChecksumPolicy, END_REASON_NAMES, PacketResult, FlowView,
  type FlowRecord, type EndpointOptions, type Handshake, type Close, type Role, Ev, EVENT_NAMES, EVENT_CODES,
  ANOMALY_NAMES, anomalyNames, TcpState, STATE_NAMES, EndpointEvent, ENDPOINT_EVENT_NAMES, transition,
  seqDiff, seqLT, seqLE, seqGT, seqGE,
} from './track/index.js';
export { JsonWriter } from './print/json.js';
export { Annotator } from './print/annotate.js';
export {
  LiveCapture, type LiveOptions, type LiveStats, openLive, listInterfaces, defaultInterface, formatStats, listeningLine,
  describeLinktype, dropPrivileges, loadPcapBinding,
} from './capture/live.js';
export { PcapWriter, FdSink, MemorySink, type ByteSink, type PcapFileHeader, encodeFileHeader } from './capture/writer.js';
export { CaptureFileWriter, type CaptureFileOptions, makeFilename, strftime } from './capture/writer-rotate.js';
