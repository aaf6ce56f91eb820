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
// encapsulations and link types added for tcpdump's own test captures
import './cisco-snap.js';
import './stp.js';
import './rfc2684.js';
import './udld.js';
import './vtp.js';
import './dtp.js';
import './loopback.js';
import './juniper.js';
import './gre.js';
import './ppp.js';
import './pppoe.js';
import './mpls.js';
import './otv.js';
import './lwapp.js';
import './bcm-li.js';
import './ipoib.js';
import './arcnet.js';
import './fr.js';
import './atm.js';
import './osi.js';
import './chdlc.js';
import './pptp.js';
// VXLAN and Geneve as tcpdump 4.99.3 prints them (Geneve's `proto` with -e, VXLAN tested before Geneve)
import './vxlan.js';
import './geneve.js';
import './ipsec.js';
import './igmp.js';
import './vrrp.js';
import './pim.js';
