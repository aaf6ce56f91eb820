/**
 * `-D`: tcpdump's interface listing, from the flags libpcap would compute (recovered from sysfs
 * here), and the real thing against `tcpdump -D` on this machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import {
  PCAP_IF_CONNECTION_STATUS_CONNECTED as CONNECTED,
  PCAP_IF_CONNECTION_STATUS_DISCONNECTED as DISCONNECTED,
  PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE as NOT_APPLICABLE,
  PCAP_IF_LOOPBACK as LOOPBACK,
  PCAP_IF_RUNNING as RUNNING,
  PCAP_IF_UP as UP,
  PCAP_IF_WIRELESS as WIRELESS,
  describeDevices,
  formatInterfaceLine,
  netdevFlags,
  pseudoDeviceFlags,
} from '../../src/capture/live-devices.js';
import { CLI, HAVE_TCPDUMP } from './helpers.js';
import { loadPcapBinding } from '../../src/capture/live-binding.js';

let haveBinding = true;
try { loadPcapBinding(); } catch { haveBinding = false; }

describe('formatInterfaceLine', () => {
  test.each([
    [{ name: 'eth0', flags: UP | RUNNING | CONNECTED }, '1.eth0 [Up, Running, Connected]'],
    [{ name: 'any', description: 'Pseudo-device that captures on all interfaces', flags: UP | RUNNING | NOT_APPLICABLE }, '1.any (Pseudo-device that captures on all interfaces) [Up, Running]'],
    [{ name: 'lo', flags: UP | RUNNING | LOOPBACK | NOT_APPLICABLE }, '1.lo [Up, Running, Loopback]'],
    [{ name: 'wlp4s0', flags: UP | RUNNING | WIRELESS | CONNECTED }, '1.wlp4s0 [Up, Running, Wireless, Associated]'],
    [{ name: 'wlan1', flags: UP | WIRELESS | DISCONNECTED }, '1.wlan1 [Up, Wireless, Not associated]'],
    [{ name: 'enp3s0', flags: UP | DISCONNECTED }, '1.enp3s0 [Up, Disconnected]'],
    [{ name: 'bluetooth0', description: 'Bluetooth adapter number 0', flags: WIRELESS }, '1.bluetooth0 (Bluetooth adapter number 0) [Wireless, Association status unknown]'],
    [{ name: 'nflog', description: 'Linux netfilter log (NFLOG) interface', flags: NOT_APPLICABLE }, '1.nflog (Linux netfilter log (NFLOG) interface) [none]'],
    [{ name: 'eno1', flags: DISCONNECTED }, '1.eno1 [none, Disconnected]'],
    [{ name: 'odd', flags: UP }, '1.odd [Up, Connection status unknown]'],
    [{ name: 'bare', flags: 0 }, '1.bare'],
  ])('%j', (entry, line) => {
    expect(formatInterfaceLine(1, entry)).toBe(line + '\n');
  });
});

/** A fake /sys/class/net: path → content; `dirs` are paths that exist without content. */
function sysfs(files: Record<string, string>, dirs: string[] = []) {
  const read = (p: string) => files[p];
  const exists = (p: string) => files[p] !== undefined || dirs.includes(p);
  return { read, exists };
}

describe('netdevFlags (libpcap get_if_flags from sysfs)', () => {
  const base = (name: string, flags: string, oper: string, extra: Record<string, string> = {}) => ({
    [`/sys/class/net/${name}/flags`]: flags,
    [`/sys/class/net/${name}/operstate`]: oper,
    [`/sys/class/net/${name}/type`]: '1',
    [`/sys/class/net/${name}/ifindex`]: '7',
    [`/sys/class/net/${name}/iflink`]: '7',
    [`/sys/class/net/${name}/uevent`]: `INTERFACE=${name}\nIFINDEX=7\n`,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`/sys/class/net/${name}/${k}`, v])),
  });

  test('loopback_upRunningLoopback_statusNotApplicable', () => {
    const fs = sysfs({ ...base('lo', '0x9', 'unknown', { type: '772' }) });
    expect(netdevFlags('lo', fs.read, fs.exists)).toBe(UP | RUNNING | LOOPBACK | NOT_APPLICABLE);
  });

  test('physicalEthernetWithCarrier_connected', () => {
    const fs = sysfs({ ...base('eth0', '0x1003', 'up', { carrier: '1' }) }, ['/sys/class/net/eth0/device']);
    expect(netdevFlags('eth0', fs.read, fs.exists)).toBe(UP | RUNNING | CONNECTED);
  });

  test('physicalEthernetUpWithoutCable_upDisconnected_notRunning', () => {
    const fs = sysfs({ ...base('enp3s0', '0x1003', 'down', { carrier: '0' }) }, ['/sys/class/net/enp3s0/device']);
    expect(formatInterfaceLine(4, { name: 'enp3s0', flags: netdevFlags('enp3s0', fs.read, fs.exists)! })).toBe('4.enp3s0 [Up, Disconnected]\n');
  });

  test('physicalAdministrativelyDown_carrierUnreadable_disconnected', () => {
    const fs = sysfs({ ...base('eno2', '0x1002', 'down') }, ['/sys/class/net/eno2/device']);
    expect(netdevFlags('eno2', fs.read, fs.exists)).toBe(DISCONNECTED);
  });

  test('ifbOrDummy_noGetLink_none', () => {
    const fs = sysfs({ ...base('ifb0', '0x82', 'down') });
    expect(formatInterfaceLine(4, { name: 'ifb0', flags: netdevFlags('ifb0', fs.read, fs.exists)! })).toBe('4.ifb0 [none]\n');
  });

  test('vethPeer_iflinkElsewhere_answersGetLink', () => {
    const fs = sysfs({ ...base('veth0', '0x1003', 'up', { iflink: '12', carrier: '1' }) });
    expect(netdevFlags('veth0', fs.read, fs.exists)).toBe(UP | RUNNING | CONNECTED);
  });

  test('bridgeWithoutPorts_upDisconnected', () => {
    const fs = sysfs({ ...base('docker0', '0x1003', 'down', { carrier: '0', uevent: 'DEVTYPE=bridge\nINTERFACE=docker0\n' }) });
    expect(netdevFlags('docker0', fs.read, fs.exists)).toBe(UP | DISCONNECTED);
  });

  test('wifi_wirelessDirectory_associated', () => {
    const fs = sysfs({ ...base('wlp4s0', '0x1003', 'up', { carrier: '1' }) }, ['/sys/class/net/wlp4s0/wireless', '/sys/class/net/wlp4s0/device']);
    expect(formatInterfaceLine(1, { name: 'wlp4s0', flags: netdevFlags('wlp4s0', fs.read, fs.exists)! })).toBe('1.wlp4s0 [Up, Running, Wireless, Associated]\n');
  });

  test('notANetworkDevice_undefined_pseudoDeviceFlagsApply', () => {
    const fs = sysfs({});
    expect(netdevFlags('nflog', fs.read, fs.exists)).toBeUndefined();
    expect(pseudoDeviceFlags('any')).toBe(UP | RUNNING | NOT_APPLICABLE);
    expect(pseudoDeviceFlags('bluetooth-monitor')).toBe(WIRELESS | NOT_APPLICABLE);
    expect(pseudoDeviceFlags('bluetooth0')).toBe(WIRELESS);
    expect(pseudoDeviceFlags('usbmon1')).toBe(NOT_APPLICABLE);
  });

  test('describeDevices_bindingLoopbackFlagKept_descriptionsKept', () => {
    const fs = sysfs({});
    const d = describeDevices([{ name: 'lo0', flags: 'PCAP_IF_LOOPBACK' }, { name: 'nfqueue', description: 'Linux netfilter queue (NFQUEUE) interface' }], fs.read, fs.exists);
    expect(d).toEqual([
      { name: 'lo0', flags: LOOPBACK | NOT_APPLICABLE },
      { name: 'nfqueue', description: 'Linux netfilter queue (NFQUEUE) interface', flags: NOT_APPLICABLE },
    ]);
  });
});

describe('tcpscope -D', () => {
  test('thisMachine_sameListingAsTcpdumpD', { skip: (!HAVE_TCPDUMP && 'tcpdump is not installed') || (!haveBinding && 'the native pcap module is not built') }, () => {
    const ours = spawnSync(process.execPath, [CLI, '-D'], { encoding: 'utf8' });
    expect(ours.status, ours.stderr).toBe(0);
    expect(ours.stderr).toBe('');
    const theirs = execFileSync('tcpdump', ['-D'], { encoding: 'utf8' });
    expect(ours.stdout).toBe(theirs);
    expect(ours.stdout).toMatch(/^\d+\.lo \[Up, Running, Loopback\]$/m);
  });
});
