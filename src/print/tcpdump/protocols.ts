/**
 * Loads every printer so that it registers itself in the dispatch tables (dispatch.ts).
 * Adding a protocol: write its file, then import it here.
 */
import './ether.js';
import './sll.js';
import './null.js';
import './raw.js';
import './ip.js';
import './ip6.js';
import './arp.js';
import './tcp.js';
import './udp.js';
import './icmp.js';
import './icmp6.js';
import './domain.js';
import './txtproto.js';
