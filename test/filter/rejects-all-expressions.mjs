// Expressions aimed at libpcap's "expression rejects all packets": protocols a link type cannot
// carry (gencode.c's gen_false), and programs libpcap's optimizer folds to a single `ret #0`
// (the same test required and forbidden, one field compared with two constants, a decided
// comparison at the root) — and their near misses, which libpcap does NOT fold and tcpscope
// must not refuse. test/filter/rejects-all-table.mjs records tcpdump's answer for each of
// these and of test/filter/expressions.mjs on every link type tcpscope filters.
export const REJECTS_ALL_EXPRESSIONS = [
  // impossible on some link types
  'arp', 'rarp', 'arp host 10.0.0.1', 'rarp host 10.0.0.1', 'arp net 10.0.0.0/8', 'ether proto \\arp', 'ether proto \\rarp',
  'ether proto 0x88cc', 'ether proto 0xfe', 'ether proto 0x42', 'ether proto 0x6003', 'ether proto 0x800', 'ether proto 0x86dd',
  'ether proto 1', 'ether proto 0x0600', 'arp or rarp', 'arp and tcp', 'not arp', 'arp or tcp', 'ip or arp', 'arp and not arp',
  'ip6 or arp', 'rarp and ip6', 'ether proto 0x88cc or ip', 'ether proto 0x88cc and ip',
  // one link-layer type and another
  'ip and ip6', 'ip and not ip', 'ip6 and not ip6', 'ip and arp', 'ip6 and arp', 'arp and rarp', 'ip and ip', 'ip or not ip',
  'not ip and ip', 'not (ip or ip6) and tcp', '(ip or ip6) and arp', 'ip and not (ip or ip6)', 'not ip and not ip6 and udp',
  'ether proto 0x800 and ether proto 0x86dd', 'ether[12:2] = 0x800 and arp', 'ether[12:2] = 0x800 and not ip',
  'ether[12:2] = 0x806 and ip', 'ether[12:2] = 0x800 and ether[12:2] = 0x806', 'ether[12:2] != 0x800 and ip',
  // transport protocols
  'tcp and udp', 'tcp and not tcp', 'udp and not udp', 'tcp and icmp', 'icmp and udp', 'igmp and tcp', 'sctp and tcp',
  'ah and esp', 'ip6 and icmp', 'ip and icmp6', 'tcp and (udp or icmp)', '(tcp or udp) and not (tcp or udp)',
  'ip proto 6 and ip proto 17', 'proto 6 and proto 17', 'ip6 proto 6 and ip6 proto 17', 'ip and tcp and not tcp',
  'tcp and ip6 and not ip6', 'icmp and icmp6', 'tcp and not ip', 'tcp and not ip and not ip6', 'udp and ip and not ip',
  'ip proto 6 and tcp', 'ip proto 17 and tcp', 'ip6 proto 58 and icmp', 'tcp and udp and icmp', 'not tcp and tcp port 80',
  'tcp port 80 and udp', 'udp port 53 and tcp', 'tcp src port 1 and udp src port 1', 'pim and igmp', 'vrrp and carp',
  // addresses and ports
  'host 10.0.0.1 and not host 10.0.0.1', 'src host 10.0.0.1 and src host 10.0.0.2', 'dst host 10.0.0.1 and dst host 10.0.0.2',
  'host 10.0.0.1 and host 10.0.0.2', 'src host 10.0.0.1 and not src host 10.0.0.1', 'host 10.0.0.1 and ip6',
  'ip6 host ::1 and ip', 'host ::1 and host 10.0.0.1', 'src net 10.0.0.0/8 and src net 11.0.0.0/8',
  'net 10.0.0.0/8 and not net 10.0.0.0/8', 'src net 10.0.0.0/8 and src net 10.1.0.0/16', 'src host 10.0.0.1 and src net 11.0.0.0/8',
  'port 80 and not port 80', 'src port 53 and src port 54', 'dst port 1 and dst port 2', 'port 53 and port 54',
  'tcp port 80 and not tcp port 80', 'src port 80 and not src port 80', 'portrange 1-10 and portrange 20-30', 'port 80 and not tcp and not udp and not sctp',
  'arp src host 10.0.0.1 and arp src host 10.0.0.2', 'ip6 src host ::1 and ip6 src host ::2', 'src port 80 and ip6 and ip',
  // bytes, lengths and constants
  'ether[0] = 1 and ether[0] = 2', 'ether[0] = 1 and not ether[0] = 1', 'ether[0] = 1 and ether[0] != 1', 'ip[0] = 0x45 and ip[0] = 0x46',
  'ip[9] = 6 and ip[9] = 17', 'ip[9] > 10 and ip[9] < 5', 'ip[2:2] = 0 and ip[2:2] = 1', 'tcp[13] = 2 and tcp[13] = 18',
  'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-syn = 0', 'ip[0] & 0xf0 = 0x40 and ip[0] & 0xf0 = 0x60',
  'icmp[icmptype] = icmp-echo and icmp[icmptype] = icmp-echoreply', 'ether[0] = 256', 'ether[0:2] > 65535', 'ether[0] & 0 = 1',
  'ether[0] & 0 = 0', 'ether[0] * 0 = 5', 'tcp[0] & 0 != 0', 'not ether[0] & 0 = 0', 'tcp and ether[0] & 0 = 1', 'ether[0] & 0 = 1 and tcp',
  'ether[0] & 0 = 1 or tcp', '1 = 2', '1 != 1', '1 = 1', '1 = 1 and 2 = 3', '1 = 2 or 3 = 4', 'not 1 = 1', '2 * 3 = 7', 'tcp and 1 = 2',
  '1 = 2 and tcp', 'ether[0] - ether[0] = 1', 'ether[0] ^ ether[0] = 1', 'len = len + 1', 'len = 100 and len = 200',
  'len > 100 and len <= 100', 'greater 100 and less 50', 'less 10 and greater 20', 'len < 0', 'len >= 0', 'not len >= 0',
  'len > 0xffffffff', 'ether[0] > 255', 'ether[0] & 1 = 2', 'tcp[0] = 1 and tcp[0] != 1', 'ip[0] = 1 and ip[0] = 1',
  'ether[0] = 1 and ether[1] = 2 and ether[0] = 3', 'ether[0] = 1 or ether[0] = 2 and ether[0] = 3',
  '(ether[0] = 1 or ether[0] = 2) and ether[0] = 3', '(ether[0] = 1 or ether[1] = 2) and ether[0] = 3',
  'ether[0] + 1 = 1 and ether[0] = 1', 'ether[0] & 1 = 1 and ether[0] & 1 = 0', 'ether[0] & 3 = 1 and ether[0] & 1 = 0',
  // link-layer specifics
  'inbound and outbound', 'inbound and not inbound', 'ifindex 1 and ifindex 2', 'vlan and not vlan', 'vlan 100 and not vlan 100',
  'ether host 1:2:3:4:5:6 and not ether host 1:2:3:4:5:6', 'ether src 1:2:3:4:5:6 and ether src 1:2:3:4:5:7',
  'ether broadcast and not ether broadcast', 'ether multicast and not ether multicast', 'broadcast and not broadcast',
  'ether dst 1:2:3:4:5:6 and ether broadcast', 'ip multicast and not ip multicast', 'ip6 multicast and ip',
];
