/**
 * The printer framework itself: truncation through the sentinel, containment of printer bugs,
 * link types nobody can print, record headers tcpdump calls invalid, and names without -n.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Packet, decodePacket } from '../../src/decode/index.js';
import { TcpscopeError } from '../../src/errors.js';
import { defaultPrintOptions, type PrintOptions } from '../../src/print/options.js';
import { Output } from '../../src/print/output.js';
import { Names, TcpdumpPrinter, registerLinkType } from '../../src/print/tcpdump/index.js';
import { A1, A2, ether, frame, ip4, tcp } from '../decode/build.js';

const savedTz = process.env.TZ;
beforeAll(() => { process.env.TZ = 'UTC'; });
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

function printer(change: Partial<PrintOptions> = {}, names?: Names): TcpdumpPrinter {
  const opts = { ...defaultPrintOptions(), numeric: 1, ...change };
  return new TcpdumpPrinter(opts, new Output(-1), names !== undefined ? { names } : {});
}

function line(p: TcpdumpPrinter, bytes: number[], f: Parameters<typeof frame>[1] = {}): string {
  const fr = frame(bytes, f);
  return p.format(fr, decodePacket(fr, new Packet()));
}

describe('printer framework', () => {
  it('truncation_inside_tcp_header_prints_what_was_decoded_then_the_protocol', () => {
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02 })));
    const text = line(printer(), bytes, { caplen: 14 + 20 + 10, wirelen: bytes.length });
    expect(text).toBe('22:13:20.000000 IP 10.0.0.1.40000 > 10.0.0.2.7000:  [|tcp]\n');
  });

  it('printer_bug_is_contained_and_counted', () => {
    // a printer that fails for a private link type, after printing part of its line
    registerLinkType(147, 'TEST_BROKEN', (ctx) => {
      ctx.protocol = 'broken';
      ctx.s += 'half a line';
      throw new RangeError('a printer bug');
    });
    const p = printer();
    const text = line(p, [1, 2, 3, 4], { linktype: 147 });
    expect(text).toBe('22:13:20.000000 half a line [|broken]\n');
    expect(p.printerErrors).toBe(1);
    const lines: string[] = [];
    p.reportPrinterErrors((l) => lines.push(l));
    expect(lines.join('')).toMatch(/^tcpscope: warning: 1 packet\(s\) could not be fully printed; first: packet 1 \(broken\): a printer bug\n$/);
    // the next packet prints normally
    expect(line(p, ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02 }))))).toMatch(/Flags \[S\], seq 1000, win 64240, length 0\n$/);
  });

  it('known_link_type_without_printer_is_unsupported_with_a_hex_dump', () => {
    const text = line(printer(), [0x41, 0x42, 0x43], { linktype: 150 });
    expect(text).toBe('22:13:20.000000 UNSUPPORTED\n\t0x0000:  4142 43                                  ABC\n');
  });

  it('unknown_link_type_stops_with_a_coded_error_naming_the_packet', () => {
    const p = printer();
    let err: unknown;
    try {
      line(p, [1, 2, 3], { linktype: 9999 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TcpscopeError);
    expect((err as TcpscopeError).code).toBe('UNKNOWN_LINKTYPE');
    expect((err as TcpscopeError).message).toMatch(/packet 1 has link type 9999/);
  });

  it('invalid_record_headers_print_as_tcpdump_does', () => {
    const p = printer();
    expect(line(p, [1, 2], { caplen: 2, wirelen: 1 })).toBe('[Invalid header: len(1) < caplen(2)]\n');
    expect(line(p, [], { caplen: 0, wirelen: 0 })).toBe('[Invalid header: caplen==0, len==0]\n');
  });

  it('packet_numbers_pad_to_five_columns', () => {
    const text = line(printer({ packetNumbers: true }), ether(0x0800, ip4({ proto: 6 }, tcp({}))));
    expect(text.startsWith('    1  22:13:20.000000 IP ')).toBe(true);
  });
});

describe('names without -n', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-names-'));
  const files = {
    hosts: join(dir, 'hosts'),
    services: join(dir, 'services'),
    ethers: join(dir, 'ethers'),
  };
  writeFileSync(files.hosts, '# test hosts\n10.0.0.1 client.test client\n10.0.0.1 second-name\n2001:db8::2 v6server\n');
  writeFileSync(files.services, 'http 80/tcp www\nafs3-fileserver 7000/tcp bbs\nbbs 7000/tcp\nsyslog 514/udp\n');
  writeFileSync(files.ethers, '02:00:00:00:00:02 gateway\n');

  it('hosts_services_and_ethers_name_what_they_list', () => {
    const p = printer({ numeric: 0, linkHeader: true }, new Names(false, files));
    const text = line(p, ether(0x0800, ip4({ proto: 6, src: A1, dst: A2 }, tcp({ dport: 7000 }))));
    // the first name listed for an address and a port wins; unknown ones stay numbers
    expect(text).toBe('22:13:20.000000 02:00:00:00:00:01 (oui Unknown) > gateway, ethertype IPv4 (0x0800), length 54: ' +
      'client.test.40000 > 10.0.0.2.afs3-fileserver: Flags [S], seq 1000, win 64240, length 0\n');
  });

  it('numeric_names_ignore_the_files', () => {
    const p = printer({ numeric: 1 }, new Names(true, files));
    expect(line(p, ether(0x0800, ip4({ proto: 6 }, tcp({ dport: 80 }))))).toMatch(/IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80: /);
  });
});
