/**
 * Real files against the answers of the reference readers, recorded in
 * fixtures/capture/expected by make-fixtures.sh: libpcap's (through tcpdump -w) for classic
 * pcap, Wireshark's (tshark) for pcapng. Includes tcpdump's own test captures with invalid time
 * stamps, zero captured lengths and records longer than the snap length, and Kuznetsov's,
 * nanosecond and big-endian formats written by real tools.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { endianness } from 'node:os';
import { describe as group, expect, it } from 'vitest';
import { readCapture, type CaptureInfo, type Frame } from '../../src/capture/index.js';
import { TcpscopeError } from '../../src/errors.js';
import { fixturePath } from './build.js';

const expectedDir = fixturePath('capture/expected');
const md5 = (f: Frame): string => createHash('md5').update(f.data.subarray(f.offset, f.offset + f.caplen)).digest('hex');

/**
 * libpcap reads classic pcap's seconds and fraction as signed 32-bit numbers when the file is in
 * the host's byte order (unsigned when it swaps them) and scales the fraction to microseconds;
 * tcpdump -w writes that back as unsigned 32-bit numbers. This is how a printer reproduces
 * tcpdump from a frame and the capture's info.
 */
function libpcapLine(f: Frame, info: CaptureInfo): string {
  const raw = info.nanosecond ? f.tsNsec : f.tsNsec / 1000;
  const v = info.littleEndian === (endianness() === 'LE') ? raw | 0 : raw;
  const usec = info.nanosecond ? Math.trunc(v / 1000) : v;
  return `${f.tsSec >>> 0} ${usec >>> 0} ${f.caplen} ${f.wirelen} 0 ${md5(f)}`;
}

function wiresharkLine(f: Frame): string {
  return `${f.tsSec} ${String(f.tsNsec).padStart(9, '0')} ${f.caplen} ${f.wirelen} ${f.ifIndex} ${md5(f)}`;
}

const lists = readdirSync(expectedDir);

group('fixtures read as libpcap and Wireshark read them', () => {
  for (const list of lists) {
    const name = list.replace(/\.(libpcap|wireshark)$/, '');
    const path = fixturePath(list.endsWith('.libpcap') || name.startsWith('tcpdump-tests') || name.startsWith('editcap') ? `capture/${name}` : `scenarios/${name}`);
    it(`${name} (${list.endsWith('.libpcap') ? 'libpcap' : 'Wireshark'})`, async () => {
      const want = readFileSync(`${expectedDir}/${list}`, 'utf8').split('\n').filter((l) => l !== '');
      const got: string[] = [];
      let info: CaptureInfo | undefined;
      let error: TcpscopeError | undefined;
      try {
        await readCapture(path, (f) => { got.push(list.endsWith('.libpcap') ? libpcapLine(f, info as CaptureInfo) : wiresharkLine(f)); }, { onHeader: (i) => { info = i; } });
      } catch (e) {
        error = e as TcpscopeError;
      }
      if (name === 'tcpdump-tests-empty.pcapng') {
        // an SHB and an IDB but no packets: nothing to deliver, and no complaint
        expect(error).toBeUndefined();
        expect(info?.interfaces).toHaveLength(1);
      }
      expect(error?.describe()).toBeUndefined();
      expect(got).toEqual(want);
    });
  }

  it('the list covers every format variant', () => {
    expect(lists).toEqual(expect.arrayContaining([
      'modified-kuznetsov.pcap.libpcap', // a1b2cd34 from editcap -F modpcap
      'nsec.pcap.libpcap', // a1b23c4d
      'tcpdump-tests-802_15_4_beacon.pcap.libpcap', // big-endian
      'tcpdump-tests-tcp-handshake-nano.pcap.libpcap',
      'tcpdump-tests-bgp_mp_reach_nlri-oobr.pcap.libpcap', // records longer than the snap length
      'tcpdump-tests-timestamp_invalid_nano.pcap.libpcap', // fractions past a second
      'tcpdump-tests-vsock-1.pcapng.wireshark', // if_tsresol 10^-9, statistics blocks
      'pcapng-mixed-linktypes.pcapng.wireshark', // two link types in one file
    ]));
  });

  it("Kuznetsov's format: 24-byte record headers, and the snap length grown by 14 as libpcap does", async () => {
    let info: CaptureInfo | undefined;
    await readCapture(fixturePath('capture/modified-kuznetsov.pcap'), () => {}, { onHeader: (i) => { info = i; } });
    expect(info?.modified).toBe(true);
    expect(info?.interfaces[0].snaplen).toBe(info!.interfaces[0].fileSnaplen + 14);
  });

  it('a snoop file is recognised and the message says how to convert it', async () => {
    await expect(readCapture(fixturePath('capture/foreign.snoop'), () => {})).rejects.toThrow(/Solaris snoop capture: convert it with editcap -F pcap/);
  });
});
