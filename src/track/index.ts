/**
 * Connection tracking: the flow table, both endpoints' RFC 793 states, events.
 * PLACEHOLDER: the tracker replaces this.
 */
export {};
