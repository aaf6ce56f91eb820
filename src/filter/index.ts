/**
 * Filter expressions (pcap-filter syntax) compiled to a predicate over frame bytes.
 * PLACEHOLDER: the compiler replaces this behind the same `compileFilter`.
 */
import type { Frame } from '../capture/frame.js';
import { TcpscopeError } from '../errors.js';

export interface Filter {
  /** the expression as given */
  readonly expression: string;
  /** does this frame pass the filter? */
  matches(frame: Frame): boolean;
}

/** Compile `expression`; throws TcpscopeError FILTER_SYNTAX / FILTER_UNSUPPORTED. */
export function compileFilter(expression: string): Filter {
  throw new TcpscopeError('FILTER_UNSUPPORTED', `filter expressions are not supported yet: ${expression}`);
}
