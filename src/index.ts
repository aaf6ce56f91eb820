/** tcpscope as a library: the same pieces the CLI wires together. */
export * from './errors.js';
export * from './capture/index.js';
export * from './decode/index.js';
export { type Filter, type FilterOptions, type MatchFn, compileFilter } from './filter/index.js';
export { Output } from './print/output.js';
export { type PrintOptions, defaultPrintOptions } from './print/options.js';
export { TcpdumpPrinter } from './print/tcpdump/index.js';
export { type RunOptions, runPipeline } from './pipeline.js';
