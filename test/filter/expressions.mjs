// The expressions the differential tests run on every fixture capture, grouped by what they
// exercise. tcpdump's answers for each (test/filter/regenerate.mjs) are in
// fixtures/filter/tcpdump-answers.json. Expressions tcpdump refuses belong here too: tcpscope
// must refuse them as well (on the same link types).

export const EXPRESSIONS = {
  'protocol names': [
    '', 'tcp', 'udp', 'icmp', 'ip', 'ip6', 'arp', 'rarp', 'sctp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'ah', 'esp', 'icmp6',
    'not tcp', '!udp', 'ip and not tcp', 'ip6 and not icmp6', 'not ip and not ip6', '(tcp)', '((tcp) and (udp or icmp))', 'not not tcp',
  ],
  'hosts': [
    'host 10.0.0.1', 'src host 10.0.0.1', 'dst host 10.0.0.2', 'host 8.8.8.8', 'ip host 10.0.0.1', 'arp host 10.0.0.2',
    'rarp host 0.0.0.0', 'src or dst host 10.0.0.1', 'src and dst host 10.0.0.1', 'ip src 10.0.0.1', 'dst 10.0.0.2', 'src 192.168.1.10',
    'host 10.0.0', 'host 10', 'host 10.1', 'host 127.0.0.1', 'host ::1', 'host 2001:db8::1', 'src host 2001:db8::1', 'ip6 host fe80::1',
    'ip6 dst host ff02::fb', 'dst host 2001:db8:1::9', 'host ::ffff:10.0.0.1', 'dst 2001:db8::2', 'ip6 src 2001:db8::1',
    'arp src host 10.0.0.1', 'arp dst host 10.0.0.1',
  ],
  'networks': [
    'net 10.0.0.0/8', 'net 10', 'src net 192.168', 'dst net 224.0.0.0/4', 'net 10.0.0.0 mask 255.0.0.0', 'net 172.16.0.0/12',
    'net 0.0.0.0/0', 'ip net 10.1.2.0/24', 'arp net 10.0.0.0/24', 'net 127', 'dst net 10.0.0.0 mask 255.255.255.254',
    'net 2001:db8::/32', 'ip6 net fe80::/10', 'net ::/0', 'dst net ff00::/8', 'src net 2001:db8::/127', 'ip6 src net 2001:db8::/64',
  ],
  'ports': [
    'port 80', 'tcp port 80', 'udp port 53', 'src port 80', 'dst port 443', 'tcp dst port 22', 'port 5353', 'udp port 5353',
    'port 6000', 'port 53', 'port 7001', 'sctp port 5060', 'sctp port 2905', 'port 443', 'port 0', 'tcp port 3306',
    'port http', 'tcp port https', 'udp port domain', 'port domain', 'port ntp', 'port ssh', 'src port mysql', 'port x11',
    'portrange 6000-6010', 'tcp portrange 1-1024', 'udp dst portrange 50-60', 'portrange 80-80', 'portrange 1000-100',
    'portrange 0-65535', 'tcp portrange ssh-http', 'src or dst port 80', 'src and dst port 123', 'src and dst port 5353',
    'udp src port 68', 'ip6 and port 80', 'ip and port 53',
  ],
  'qualifier carry-over': [
    'host 10.0.0.1 or 10.0.0.2', 'host 10.0.0.1 and 10.0.0.2', 'tcp port 80 or 443', 'port 80 or 443 or 22',
    'src host 10.0.0.1 or 8.8.8.8', 'host 10.0.0.1 and not 10.0.0.2', 'host 10.0.0.1 or (10.0.0.2 or 8.8.8.8)',
    'host 10.0.0.1 and (port 80 or 443)', 'host 10.0.0.1 and (port 80) or 8.8.8.8', 'dst port 80 or 443 and tcp',
    'net 10.0.0.0/8 or 192.168.0.0/16', 'ip6 host 2001:db8::1 or 2001:db8::2', 'ether host 00:11:22:33:44:55 or 66:77:88:99:aa:bb',
    'port 80 or (443)', 'host 10.0.0.1 or not 10.0.0.2', 'proto 6 or 17', 'ip proto 1 or 2', 'tcp dst port 80 or 443 or 22',
    'udp port 53 or 123 or 5353', 'dst host 10.0.0.2 or 10.0.0.1 and tcp', 'host 10.0.0.1 or (10.0.0.2 and 8.8.8.8)',
    'port 80 or ((443))', 'src net 10 or 192.168', 'not host 10.0.0.1 or 10.0.0.2',
  ],
  'precedence': [
    'tcp or udp and port 53', 'tcp and port 80 or udp', 'not tcp and not udp', 'not (tcp or udp)', 'not tcp or udp',
    'icmp or tcp and dst port 80', 'arp or ip and host 10.0.0.1', '!tcp && (udp || icmp)', 'tcp || udp && ip6',
    'host 10.0.0.1 and tcp or host 8.8.8.8 and icmp', 'tcp and (port 80 or port 443) and not host 10.0.0.2',
    'host 10.0.0.1 and (dst port 3306 or dst port 6379)', 'ip and udp or ip6 and tcp', 'not ip6 and udp or arp',
  ],
  'protocol numbers and names': [
    'proto 6', 'ip proto 17', 'ip6 proto 58', 'ip6 proto 17', 'proto 50', 'ip proto 44', 'ip6 proto 0', 'ip proto \\tcp',
    'ip6 proto \\udp', 'proto \\icmp', 'proto \\sctp', 'ip proto \\ospf', 'ether proto 0x0806', 'ether proto \\ip', 'ether proto \\ip6',
    'ether proto \\arp', 'ether proto \\rarp', 'ether proto 0x8137', 'ether proto \\loopback', 'ether proto 0x42', 'ether proto \\stp',
    'ether proto \\iso', 'ether proto \\netbeui', 'ether proto 6', 'link proto 0x800', 'ether proto 0x8100', 'ether proto 0x1234',
  ],
  'lengths': ['less 60', 'greater 100', 'len > 500', 'len <= 54', 'len = 60', 'greater 1500', 'less 0', 'length >= 1514'],
  'tcp flags': [
    'tcp[tcpflags] & tcp-syn != 0', 'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn', 'tcp[tcpflags] & tcp-rst != 0', 'tcp[13] & 4 != 0',
    'tcp[13] = 18', 'tcp[tcpflags] & (tcp-fin|tcp-rst) != 0', 'tcp[tcpflags] & tcp-push != 0', 'tcp[tcpflags] & tcp-urg != 0',
    'tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0', 'tcp[tcpflags] == tcp-ack', 'tcp[12] >> 4 > 5', 'tcp[0:2] = 80', 'tcp[2:2] > 1024',
    'tcp[4:4] = 1000', 'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0', 'tcp[tcpflags] & tcp-fin != 0',
  ],
  'icmp types': [
    'icmp[icmptype] = icmp-echo', 'icmp[icmptype] == icmp-echoreply', 'icmp[0] = 3 and icmp[1] = 3',
    'icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply', 'icmp[icmpcode] = 3', 'icmp[icmptype] = icmp-unreach',
    'icmp6[icmp6type] = icmp6-echo', 'icmp6[0] = 135', 'icmp6[icmp6type] = icmp6-neighborsolicit', 'icmp6[icmp6type] = icmp6-echoreply',
  ],
  'byte access': [
    'ether[0] & 1 != 0', 'ether[12:2] = 0x8100', 'ether[6:4] = 0x00112233', 'link[0] = 0xff', 'ether[14] = 0x45',
    'ip[0] & 0xf > 5', 'ip[1] & 3 = 2', 'ip[8] = 255', 'ip[9] = 6', 'ip[2:2] > 100', 'ip[12:4] = 0x0a000001', 'ip[6:2] & 0x1fff != 0',
    'ip[6] & 0x20 != 0', 'ip6[6] = 44', 'ip6[7] = 255', 'ip6[8:4] = 0x20010db8', 'ip6[40] = 17', 'ip6[4:2] > 20',
    'udp[0:2] = 5353', 'udp[2:2] = 53', 'udp[4:2] > 20', 'icmp[0] = 8', 'arp[6:2] = 1', 'arp[7] = 2', 'rarp[7] = 3',
    'sctp[0:2] = 9899', 'igmp[0] = 0x16', 'pim[0] = 0x20', 'vrrp[0] = 0x21', 'carp[2] = 100', 'igrp[0] = 1', 'udp[8:4] = 0',
    'tcp[100] = 0', 'not tcp[100] = 0', 'ip[1000] = 0 or tcp', 'tcp or ip[1000] = 0', 'ip[40:4] = 0', 'ip6[40:4] != 0',
    'icmp6[1] = 0', 'ether[20:4] > 0', 'arp[24:4] = 0x0a000001',
  ],
  'arithmetic': [
    'ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) != 0', 'ip[0] % 3 + 1 = 2', 'ip[0] ^ 1 + 2 = 0x47', 'ip[2:2] / 4 > 10',
    'ip[2:2] * 2 > 100', 'len - 14 = ip[2:2]', 'ip[8] | 1 = 65', 'ip[0] & 0x0f * 4 = 4', '-ip[0] = 0xffffffbb', 'tcp[0:2] % 10 = 0',
    'ether[len - 1] = 0x61', 'ip[ip[0] & 0xf] = 0', 'tcp[(tcp[12] >> 4) * 4] = 0x61', 'len >= 60 and len <= 100', '1 = 1', '0 = 1',
    'ip[0] + tcp[0] > 0', 'tcp[0] + ip[0] > 0', 'udp[0] * 0 = 0', 'not udp[0] * 0 = 1', 'ip[0] & 0 = 0', '0 / ip[0] = 0', 'ip[0] >> 8 = 0',
    'ip[6:2] << 3 > 0', 'len % 2 = 0', 'ip[0] / (ip[1] & 1) = 0', 'ip[0] - 0x45 = 0', 'ip[0] - 0x46 > 0x7fffffff', 'ip[2:2] < len',
    '(ip[0] & 0xf) * 4 < 24', '2 * 3 = 6', 'ip[9] * 256 + ip[8] > 1000', 'ip[0] | ip[1] | ip[8] = 0x7f', 'tcp[13] & 0x12 = 0x12',
    'ip[0] / (ip[1] & 0) = 0', 'tcp and 80 = tcp[2:2]', 'ether[0:4] = 0x66778899', 'ip[3] >= ip[2]', 'len >= ip[2:2] + 14',
  ],
  'vlan': [
    'vlan', 'vlan 100', 'vlan 200', 'vlan and tcp', 'vlan 100 and tcp port 80', 'vlan and ip6', 'vlan and vlan', 'vlan 300 and vlan 400 and icmp',
    'vlan and vlan and udp port 53', 'vlan and arp', 'not vlan', 'tcp or vlan', 'vlan or tcp', 'vlan 4095', 'vlan 0', 'vlan (100)',
    'ether[12:2] = 0x8100 and vlan', 'vlan and host 10.0.0.1', 'vlan and ether host 00:11:22:33:44:55', 'vlan 5 and vlan 6 and port 53',
    'vlan and ip[0] = 0x45', 'vlan and tcp[13] = 2', 'vlan and ether[12:2] = 0x8100', 'not vlan and tcp', 'vlan 100 or vlan 200',
  ],
  'ethernet addresses': [
    'ether host 00:11:22:33:44:55', 'ether src 00:11:22:33:44:55', 'ether dst 66:77:88:99:aa:bb', 'ether dst ff:ff:ff:ff:ff:ff',
    'ether broadcast', 'broadcast', 'multicast', 'ether multicast', 'ip multicast', 'ip6 multicast', 'ip broadcast',
    'ether src 00-11-22-33-44-55', 'ether src 0011.2233.4455', 'ether src 001122334455', 'ether host aa:bb:cc:dd:ee:ff',
    'link host 00:11:22:33:44:55', 'ether src and dst 00:11:22:33:44:55', 'ether src or dst 00:11:22:33:44:55', 'ether dst 1:80:c2:0:0:0',
  ],
  'fragments': [
    'ip[6:2] & 0x3fff != 0', 'udp port 6000', 'udp[0:2] = 80', 'ip6[6] = 44 and ip6[40] = 17', 'ip6 and udp port 7001', 'udp and ip6',
    'tcp port 443 and ip', 'udp and ip[6:2] & 0x1fff = 0',
  ],
  // what libpcap's optimizer removes or reorders decides which loads a short packet reaches
  'optimizer': [
    'not port 80 or 80', 'host 10.0.0.2 and 10.0.0.1 or !udp', 'not (port 443 and 53)', 'host 10.0.0.2 or 10.0.0.1',
    'not (port 53 || port 443 or port 80 && ip[6:2] & 0x1fff != 0)', '(tcp[1500] >> ip6[17:1]) < (ip[80:1] >> len)',
    'net 127 or (net 10.0.0.0/8 and not host 2001:db8::1)', 'not (host 10.0.0.2 and 80)', 'port 80 or 443 or 53 or 22',
    'host 10.0.0.1 or 10.0.0.2 or 8.8.8.8', 'tcp and not tcp', 'udp or not udp', 'tcp[0] * 0 = 1 or udp',
    'not udp[0] & 0 = 0', 'tcp and 2 * 3 = 7', 'not (tcp and 2 * 3 = 7)', 'tcp and 1 = 2', 'not (ip6 and 1 = 2)',
    'host 10.0.0.2 && udp[0:2] = 5353 && icmp6[2:2] < (1 % (13 - 13))', 'ip and ip[0] / (ip[1] & 0) = 0',
    'ip[0] >> len = 0', 'ip[1] << (ip[0] & 0x3f) = 0', 'src port 80 or dst port 80 or src port 443',
  ],
  'link-type specific': ['inbound', 'outbound', 'ifindex 2', 'ifindex 1 and tcp', 'outbound and ip6'],
  'refused by tcpdump': [
    'tcp port', 'host', 'port 99999', 'net 10.1.2.3/8', 'host 1.2.3.4/24', 'ip proto tcp', '10.0.0.1', 'tcp or 10.0.0.1',
    'ether host 1.2.3.4', 'host 00:11:22:33:44:55', 'port 080', 'ip[0:3] = 1', 'ip[0] / 0 = 1', 'ip[0] << 32 = 1', 'tcp host 10.0.0.1',
    'ip port 80', 'udp port http', 'arp proto 1', 'vlan 5000', 'host 999.1.1.1', 'ip6 net fe80::1/10', 'net 1.2.3.4/33', '(tcp', 'tcp)',
    'tcp and', 'and tcp', 'port nosuchservice', 'src or 1.2.3.4', 'tcp[13] & = 2', 'ip proto 6 or tcp', 'ether proto \\nosuch',
    'ip6 host 10.0.0.1', 'ip host 2001:db8::1', '1 +', 'len', 'tcp[]', 'ip6 net ::/129', 'host ::1::2', 'port 65536', 'tcp proto 6',
    'host 10.0.0.1 or port', 'not', 'ip[0] % 0 = 1', 'portrange 1-99999', 'udp portrange ssh-http', '\\tcp', 'ip6 proto \\nosuch',
  ],
};

/** Every expression once, in order. */
export const ALL_EXPRESSIONS = [...new Set(Object.values(EXPRESSIONS).flat())];
