/**
 * Filters through the command line: the expression after the options (several words joined),
 * or from -F; a bad expression is one message on stderr with exit status 1, nothing printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const cap = join(root, 'fixtures', 'filter', 'zoo-ether.pcap');

/** what follows tcpdump's reading line for `-r path` on stderr (the line must be there, first) */
function afterReading(stderr: string, path: string, link = 'EN10MB (Ethernet)'): string {
  const line = `reading from file ${path}, link-type ${link}, snapshot length 262144\n`;
  expect(stderr.startsWith(line)).toBe(true);
  return stderr.slice(line.length);
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tcpscope EXPRESSION', () => {
  it('printsOnlyTheSelectedPackets_wordsJoinedIntoOneExpression', () => {
    const all = run('--plain', '-n', '-r', cap).stdout.split('\n').filter((l) => l.includes(' ICMP '));
    const r = run('--plain', '-n', '-t', '-r', cap, 'icmp', 'and', 'icmp[icmptype]', '=', 'icmp-echo');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // the zoo has the echo request twice, plain and inside QinQ tags; only `vlan and ...` sees the second
    expect(lines).toEqual(['IP 10.0.0.1 > 8.8.8.8: ICMP echo request, id 1, seq 1, length 8']);
    expect(all.length).toBeGreaterThan(lines.length);
  });

  it('readsTheExpressionFromF_ignoringComments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-filter-'));
    const file = join(dir, 'filter');
    writeFileSync(file, '# echo requests only\nicmp[icmptype] = icmp-echo # type 8\n');
    const viaF = run('--plain', '-n', '-r', cap, '-F', file);
    const direct = run('--plain', '-n', '-r', cap, 'icmp[icmptype] = icmp-echo');
    expect(viaF.status).toBe(0);
    expect(viaF.stdout).toBe(direct.stdout);
    expect(viaF.stdout).not.toBe('');
  });

  it('syntaxError_isOneMessageWithACaret_exitStatus1_nothingPrinted', () => {
    const r = run('--plain', '-n', '-r', cap, 'tcp', 'and', '(port', '80');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = afterReading(r.stderr, cap).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tcpscope: syntax error in filter expression: expected '\)'/);
    expect(lines[1]).toBe('  tcp and (port 80');
    expect(lines[2]).toBe(`  ${' '.repeat('tcp and (port 80'.length)}^`);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });

  it('unsupportedConstruct_namesIt', () => {
    const r = run('--plain', '-r', cap, 'mpls 100');
    expect(r.status).toBe(1);
    expect(afterReading(r.stderr, cap).split('\n')[0]).toMatch(/^tcpscope: unsupported in filter expression: 'mpls'/);
  });

  it('linkTypeProblem_refusedWhenTheCaptureOpens', () => {
    const sll = join(root, 'fixtures', 'filter', 'zoo-sll.pcap');
    const r = run('--plain', '-r', sll, 'ether host 00:11:22:33:44:55');
    expect(r.status).toBe(1);
    expect(afterReading(r.stderr, sll, 'LINUX_SLL (Linux cooked v1)').split('\n')[0]).toBe(
      'tcpscope: invalid filter expression: ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel (link type Linux cooked v1)');
  });
});
