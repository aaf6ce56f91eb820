/**
 * `check` builds a connection's flow record only when something reads it (ending.ts, the judge's
 * addEnding): these tests catch a lazy record going wrong. Counting must not depend on what is
 * listed; a held connection must keep its own record after its table row is reused; exemptions
 * matched on the table's numbers must decide exactly as on the record's address text.
 */
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EndingView } from '../../src/check/ending.js';
import {
  ALL_CONDITIONS, type CheckedFlow, type Decision, EvidenceCollector, Judge, buildPolicy, conditionMask, runCheck,
} from '../../src/check/index.js';
import { checkHost, Exemption, type EndpointWords, type Policy, type PolicySettings } from '../../src/check/policy.js';
import { trackCaptures } from '../../src/pipeline.js';
import { MAX_ANNOTATIONS, SUMMARY_ROWS } from '../../src/print/check-github.js';
import { Output } from '../../src/print/output.js';
import { formatEndpoint } from '../../src/track/address.js';

const root = join(__dirname, '..', '..');
const scen = (name: string): string => join(root, 'fixtures', 'scenarios', name);
const real = (name: string): string => join(root, 'fixtures', 'real', name);

/** `tcpscope check` in this process (the code path the CLI runs), its standard output as text. */
async function checkText(captures: string[], opts: { reportLimit?: number; cli?: PolicySettings; env?: NodeJS.ProcessEnv; json?: boolean } = {}): Promise<{ status: number; stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'tcpscope-lazy-')), 'out.txt');
  const fd = openSync(file, 'w');
  let status: number;
  try {
    status = await runCheck(
      { captures, filter: '', policy: buildPolicy({}, opts.cli ?? {}), json: opts.json === true, color: 'never', quiet: false, reportLimit: opts.reportLimit ?? 200, progress: false },
      { stdout: new Output(fd), stderr: () => {}, env: opts.env ?? { TZ: 'UTC' }, isTTY: false },
    );
  } finally {
    closeSync(fd);
  }
  return { status, stdout: readFileSync(file, 'utf8') };
}

/** The report's connection blocks ("FAIL #id …" and its reason lines). */
function blocks(report: string): string[] {
  return report.split(/(?=^FAIL #)/m).filter((b) => b.startsWith('FAIL #')).map((b) => b.split(/\n(?!     )/)[0]);
}

/** A connection the tracker ended: its record built at once (the reference), its row, its conditions. */
interface Ended { flow: CheckedFlow; row: number; mask: number }

/**
 * Track captures as `check` does; each connection is handed to `judge.addEnding` (its record built
 * only on demand) and, when `eager` is given, its reference record is built at once beside it.
 */
async function trackInto(files: string[], judge: Judge, policy: Policy, eager?: Ended[]): Promise<void> {
  const evidence = new EvidenceCollector(policy.failMask);
  // the reference's evidence, from a collector of its own (the judge's is cleared as rows end)
  const reference = new EvidenceCollector(policy.failMask);
  const ending = new EndingView();
  await trackCaptures({
    captures: files,
    filter: '',
    onPacket: (frame, r) => { evidence.observe(frame, r); reference.observe(frame, r); },
    onFlowEnd: (view) => {
      const mask = conditionMask(view.anomalyMask, view.handshake, view.close);
      eager?.push({ flow: { record: view.toRecord(), evidence: reference.take(view.row) }, row: view.row, mask });
      judge.addEnding(ending.bindRow(view, evidence), mask);
      ending.release();
    },
  });
}

/** A decision as plain data, read during `decide` (the flow only when `withFlow`). */
function snapshot(d: Decision, withFlow: boolean): unknown {
  return {
    outcome: d.outcome, conditions: d.conditions, judged: d.judged, exempted: d.exempted,
    exemptions: d.exemptions.map((e) => e.describe()),
    ...(withFlow ? { flow: JSON.parse(JSON.stringify(d.flow)) as CheckedFlow } : {}),
  };
}

describe('check lists some connections and counts them all', () => {
  it('reportLimitBelowTheFailures_listsTheFirstOnes_countsEveryOne', async () => {
    const files = [scen('rst-refused.pcap'), scen('syn-flood.pcap'), scen('rst-abort.pcap'), scen('half-open-peer-reboot.pcap')];
    const all = await checkText(files, { reportLimit: 0 });
    const three = await checkText(files, { reportLimit: 3 });
    expect(three.status).toBe(1);
    expect(three.status).toBe(all.status);
    const listed = blocks(all.stdout);
    expect(listed.length).toBeGreaterThan(200);
    // the same first three connections, word for word, then a count of the rest
    expect(blocks(three.stdout)).toEqual(listed.slice(0, 3));
    expect(three.stdout).toContain(`… ${listed.length - 3} more failing connections not listed`);
    // the table and the verdict count every connection, listed or not
    const tail = (s: string): string => s.slice(s.indexOf('┌'));
    expect(tail(three.stdout)).toBe(tail(all.stdout));
    expect(three.stdout).toMatch(new RegExp(`^FAIL: ${listed.length} of \\d+ connections abnormal`, 'm'));
  });

  it('githubAnnotationsAndSummary_keepTheirRows_countTheRest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-lazy-'));
    const summary = join(dir, 'summary.md');
    const files = [scen('syn-flood.pcap'), scen('rst-abort.pcap')];
    const r = await checkText(files, { env: { TZ: 'UTC', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    // how many fail: the plain report with no listing limit names each one
    const failed = blocks((await checkText(files, { reportLimit: 0 })).stdout).length;
    expect(failed).toBeGreaterThan(SUMMARY_ROWS);
    const cmds = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(cmds).toHaveLength(MAX_ANNOTATIONS);
    // the first connections by name, then one annotation for the others
    const named = MAX_ANNOTATIONS - 1;
    expect(cmds.slice(0, named).map((c) => Number(/^::error title=tcpscope check%3A [a-z-]+ #(\d+) /.exec(c)?.[1]))).toEqual(Array.from({ length: named }, (_, i) => i + 1));
    expect(cmds[1]).toContain('reset #2 10.0.0.1%3A40008 → 10.0.0.2%3A7000::reset by server: RST (packet 23 ');
    expect(cmds[named]).toContain(`${failed - named} more connections failed the check (${failed} in all)`);
    const md = readFileSync(summary, 'utf8');
    expect(md.match(/^\| #\d+ /gm)).toHaveLength(SUMMARY_ROWS);
    expect(md).toContain(`${failed - SUMMARY_ROWS} more not listed.`);
  });
});

describe('check --json without records', () => {
  it('everyLine_isTheRecordAsBuilt_thenItsCheck_inJsonStringifyForm', async () => {
    const files = ['rst-abort', 'close-4way', 'rst-abort-client', 'syn-unanswered', 'half-closed-at-end', 'ipv6', 'retransmission', 'syn-flood']
      .map((n) => scen(`${n}.pcap`)).concat(real('real-simultaneous-open.pcap'), real('real-ipv6-normal.pcap'));
    const cli: PolicySettings = { max: { reset: 1, 'half-closed-at-end': 5 }, allowHosts: ['::ffff:127.0.0.0/104'], failOn: ['default', 'retransmission'] };
    const r = await checkText(files, { json: true, cli });
    const policy = buildPolicy({}, cli);
    const ended: Ended[] = [];
    await trackInto(files, new Judge(policy), policy, ended);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(ended.length + 1);
    const outcomes = new Set<string>();
    for (const line of lines.slice(0, -1)) {
      const parsed = JSON.parse(line) as Record<string, unknown> & { id: number; check: { outcome: string; evidence: unknown[] } };
      // byte for byte what JSON.stringify writes of the parsed object (key order, number forms)
      expect(JSON.stringify(parsed)).toBe(line);
      const { check, ...record } = parsed;
      const reference = ended.find((e) => e.flow.record.id === parsed.id)!;
      expect(JSON.stringify(record)).toBe(JSON.stringify(reference.flow.record));
      expect(check.evidence).toEqual(reference.flow.evidence.map((e) => ({ event: e.event, packet: e.packet, time: e.sec + Math.round(e.nsec / 1000) / 1e6 })));
      outcomes.add(check.outcome);
    }
    expect([...outcomes].sort()).toEqual(['exempt', 'fail', 'pass', 'tolerated']);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ type: 'verdict', connections: ended.length });
  });
});

describe('check --junit without records', () => {
  it('head_isTheRecordsIdEndpointsAndDuration_beforeTheRecordIsBuilt', async () => {
    const files = ['rst-abort', 'close-4way', 'syn-flood', 'ipv6', 'keepalive', 'seq-wraparound'].map((n) => scen(`${n}.pcap`))
      .concat(real('real-ipv6-normal.pcap'), real('real-keepalive.pcap'));
    const policy = buildPolicy({}, {});
    let seen = 0;
    const judge = new Judge(policy, {
      decide: (d) => {
        const head = { ...d.head() };
        const rec = d.flow.record;
        expect(head).toEqual({ id: rec.id, client: rec.client, server: rec.server, duration: rec.duration });
        seen++;
      },
    });
    await trackInto(files, judge, policy);
    expect(seen).toBeGreaterThan(200);
  });
});

describe('a held connection outlives its table row', () => {
  it('heldRefused_rowFreedAndReused_thenCondemned_listedWithItsOwnRecord', async () => {
    // six refused connections on one 4-tuple, each ended by the next SYN (port reuse) in the
    // same table row, then a simultaneous open: with two refused tolerated, the first two are
    // held until the third comes
    const files = [real('real-simultaneous-open.pcap')];
    const policy = buildPolicy({}, { max: { refused: 2 } });
    const failed: { id: number; snap: unknown; heldAcrossRows: number[] }[] = [];
    const ended: Ended[] = [];
    const judge = new Judge(policy, {
      decide: (d) => {
        if (d.outcome !== 'fail') return;
        const id = d.flow.record.id;
        // rows other connections used after this one ended, before it was decided
        const row = ended.find((e) => e.flow.record.id === id)!.row;
        const later = ended.filter((e) => e.flow.record.id > id && e.row === row).map((e) => e.flow.record.id);
        failed.push({ id, snap: snapshot(d, true), heldAcrossRows: later });
      },
    });
    await trackInto(files, judge, policy, ended);
    const v = judge.finish();
    expect(v).toMatchObject({ failed: 6, passed: 1, tolerated: 0 });
    expect(failed.map((f) => f.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // the held ones' row went to the next connections before the threshold condemned them
    expect(failed[0].heldAcrossRows).toEqual([2, 3]);
    expect(failed[1].heldAcrossRows).toEqual([3]);
    // and each is listed with its own record and evidence, as built when it ended
    for (const f of failed) {
      const flow = (f.snap as { flow: CheckedFlow }).flow;
      expect(flow).toEqual(ended.find((e) => e.flow.record.id === f.id)!.flow);
      expect(flow.evidence.map((e) => e.event)).toEqual(['refused']);
    }
    // (they differ: packet numbers and times)
    expect(new Set(failed.map((f) => (f.snap as { flow: CheckedFlow }).flow.record.first_packet)).size).toBe(6);
  });

  it('connectionNeverRead_rowReused_theNextHasOnlyItsOwnEvidence', async () => {
    // the refused connections share one row; a sink reads every other one: the evidence of the
    // ones never read (never built) must not stay in the row for the next
    const policy = buildPolicy({}, {});
    const read: { id: number; flow: CheckedFlow }[] = [];
    let n = 0;
    const judge = new Judge(policy, {
      decide: (d) => {
        if (d.outcome === 'fail' && n++ % 2 === 1) read.push({ id: d.flow.record.id, flow: JSON.parse(JSON.stringify(d.flow)) as CheckedFlow });
      },
    });
    const ended: Ended[] = [];
    await trackInto([real('real-simultaneous-open.pcap')], judge, policy, ended);
    expect(read.map((r) => r.id)).toEqual([2, 4, 6]);
    for (const r of read) {
      const reference = ended.find((e) => e.flow.record.id === r.id)!;
      expect(reference.row).toBe(0);
      expect(r.flow.evidence).toEqual(reference.flow.evidence);
      expect(r.flow.evidence[0].packet).toBe(r.flow.record.last_packet);
    }
  });

  it('heldThenCondemned_reportLinesAsIfEachFailedAtOnce', async () => {
    const files = [scen('rst-abort.pcap'), scen('close-4way.pcap'), scen('rst-abort-client.pcap'), real('real-simultaneous-open.pcap')];
    const held = await checkText(files, { cli: { max: { reset: 1, refused: 3 } } });
    const atOnce = await checkText(files);
    // the counts without thresholds: both go past theirs, so every one is held, then condemned
    const headline = /^FAIL: (\d+) of \d+ connections abnormal \(refused (\d+), reset (\d+)\).*$/m;
    const [line, failed, refused, reset] = headline.exec(atOnce.stdout) ?? [];
    expect(Number(refused)).toBeGreaterThan(3);
    expect(Number(reset)).toBeGreaterThan(1);
    expect(held.stdout).toContain(line);
    expect(blocks(held.stdout)).toEqual(blocks(atOnce.stdout));
    expect(blocks(held.stdout)).toHaveLength(Number(failed));
  });

  it('decisionOnAnEndingConnection_flowCannotBeReadAfterDecide', async () => {
    const policy = buildPolicy({}, {});
    const kept: Decision[] = [];
    const judge = new Judge(policy, { decide: (d) => { kept.push(d); } });
    await trackInto([scen('rst-abort.pcap')], judge, policy);
    expect(kept).toHaveLength(1);
    expect(() => kept[0].flow).toThrow(/after its decide\(\) call returned/);
  });
});

describe('exemptions on the table numbers', () => {
  const everyCapture = [
    ...['rst-abort', 'rst-abort-client', 'rst-refused', 'half-open-peer-reboot', 'syn-unanswered', 'synack-no-final-ack', 'half-closed-at-end',
      'half-close', 'retransmission', 'ipv6', 'bsd-loopback', 'syn-flood', 'port-reuse', 'midstream'].map((n) => scen(`${n}.pcap`)),
    real('real-ipv6-normal.pcap'), real('real-refused.pcap'), real('real-abort-linger0.pcap'), real('real-simultaneous-open.pcap'),
    // IPv6 connections that show conditions (bad checksums, midstream), odd addresses
    ...['zoo-ether.pcap', 'tt-linktype1.pcap', 'tt-linktype101.pcap', 'tt-linktype229.pcap'].map((n) => join(root, 'fixtures', 'filter', n)),
  ];
  const policies: Record<string, PolicySettings> = {
    'v4 address': { allowHosts: ['10.0.0.2'] },
    // a block with host bits set (10.0.0.77/24) is refused (checkHost), as the filter language does
    'v4 block': { allowHosts: ['10.0.0.0/24'] },
    'v4 /31 and a port range': { exempt: [{ host: '10.0.0.0/31', port: '7000-7001', conditions: ['reset'] }] },
    'v6 address': { allowHosts: ['2001:db8::2', '::1'], failOn: ['all'] },
    'v6 block': { exempt: [{ host: '2001:db8::/32', conditions: ['midstream', 'bad-checksum'] }], failOn: ['all'] },
    'v6 /127 and a port': { exempt: [{ host: '2001:db8::/127', port: 50001, conditions: ['bad-checksum'] }], failOn: ['all'] },
    'v6 /17': { allowHosts: ['3030::/17'], failOn: ['all'] },
    'v4 as mapped v6': { allowHosts: ['::ffff:10.0.0.0/120'] },
    'all of v6 (v4 inside it)': { allowHosts: ['::/0'], allowPorts: ['40000-40100'] },
    'all of v4 only': { allowHosts: ['0.0.0.0/0'], failOn: ['all'] },
    'ports': { allowPorts: ['7000', '80'], failOn: ['all'], max: { reset: 1 } },
    'client port': { exempt: [{ port: [40008, '40010-40012'] }] },
    'several': { exempt: [{ host: ['192.0.2.0/24', '::1'], port: 7000 }, { host: '10.0.0.1', conditions: ['handshake-incomplete'] }], failOn: ['all'], max: { 'half-close': 0 } },
  };

  it.each(Object.keys(policies))('exemption_%s_decidesAsOnTheRecordText', async (name) => {
    const policy = buildPolicy(policies[name], {});
    const fromView: unknown[] = [];
    const fromRecord: unknown[] = [];
    const ended: Ended[] = [];
    const viewJudge = new Judge(policy, { decide: (d) => fromView.push(snapshot(d, true)) });
    await trackInto(everyCapture, viewJudge, policy, ended);
    // the same connections, as records (the address text path: Exemption.matches)
    const recordJudge = new Judge(policy, { decide: (d) => fromRecord.push(snapshot(d, true)) });
    for (const e of ended) recordJudge.add(e.flow, e.mask);
    expect(viewJudge.finish()).toEqual(recordJudge.finish());
    expect(fromView).toEqual(fromRecord);
    expect(fromView.length).toBe(ended.length);
  });

  it('thePoliciesExemptSomethingOfEachFamily', async () => {
    // the comparison above means something only if exemptions apply, to IPv4 and IPv6 connections
    const families = new Set<string>();
    for (const name of ['v4 address', 'v6 address', 'v6 block', 'v6 /17', 'v4 as mapped v6', 'all of v6 (v4 inside it)']) {
      const policy = buildPolicy(policies[name], {});
      const judge = new Judge(policy, { decide: (d) => { if (d.exempted !== 0) families.add(`${name}: ${d.flow.record.ip_version}`); } });
      await trackInto(everyCapture, judge, policy);
      expect(judge.finish().exempt, name).toBeGreaterThan(0);
    }
    expect(families).toContain('v4 address: 4');
    expect(families).toContain('v6 address: 6');
    expect(families).toContain('v6 /17: 6');
    expect(families).toContain('v6 block: 6');
    expect(families).toContain('v4 as mapped v6: 4');
    expect(families).toContain('all of v6 (v4 inside it): 4');
  });

  it('matchesWords_agreesWithBlockList_onRandomEndpointsAndHostForms', () => {
    // Exemption.matches asks node's BlockList on the endpoints' text; matchesWords compares words
    // (hosts parsed by parseIp4/parseIp6): 60,000 random connections, hosts written every way a
    // user may write them. xorshift: the same cases every run
    let seed = 0x9e3779b9;
    const rnd = (n: number): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    // addresses from a few neighbourhoods, so that networks often hold them
    const bases: number[][] = [[0, 0, 0xffff, 0x0a000000], [0x20010db8, 0, 0, 0], [0, 0, 0, 1], [0xfe800000, 0, 0, 0], [0, 0, 0, 0x0a000001], [0x0064ff9b, 0, 0, 0x0a000001]];
    const address = (): { fam: number; w: Uint32Array } => {
      const b = bases[rnd(bases.length)];
      const w = Uint32Array.from(b);
      w[3] = (w[3] ^ rnd(1 << rnd(24))) >>> 0;
      if (rnd(4) === 0) w[rnd(3)] ^= 1 << rnd(32);
      // an IPv4 connection is one whose address is held as IPv4 (not as mapped IPv6)
      if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff && rnd(3) > 0) return { fam: 4, w: Uint32Array.of(w[3], 0, 0, 0) };
      return { fam: 6, w };
    };
    const dotted = (x: number): string => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    const FORMS = ['canonical', 'upper case', 'uncompressed', 'leading zeros', 'dotted tail', '::ffff:a.b.c.d', 'zone id'] as const;
    type Form = typeof FORMS[number];
    /** The host written in one of the forms (its text, its form, its longest prefix). */
    const hostText = (a: { fam: number; w: Uint32Array }): { text: string; form: Form; max: number } => {
      const canonical = formatEndpoint(a.fam, a.w, 0, 0).replace(/^\[?(.*?)\]?:0$/, '$1');
      if (a.fam === 4) return rnd(3) === 0 ? { text: `::ffff:${canonical}`, form: '::ffff:a.b.c.d', max: 128 } : { text: canonical, form: 'canonical', max: 32 };
      const groups = Array.from({ length: 8 }, (_, i) => (a.w[i >> 1] >>> (i & 1 ? 0 : 16)) & 0xffff);
      const form = FORMS[rnd(FORMS.length)];
      switch (form) {
        case 'upper case': return { text: canonical.toUpperCase(), form, max: 128 };
        case 'uncompressed': return { text: groups.map((g) => g.toString(16)).join(':'), form, max: 128 };
        case 'leading zeros': return { text: groups.map((g) => g.toString(16).padStart(4, '0')).join(':'), form, max: 128 };
        case 'dotted tail': {
          const head = groups.slice(0, 6).map((g) => g.toString(16));
          // with '::' where the first five groups are zero (::ffff:a.b.c.d, ::0:a.b.c.d)
          const text = head.slice(0, 5).every((g) => g === '0') ? `::${head[5]}:${dotted(a.w[3])}` : `${head.join(':')}:${dotted(a.w[3])}`;
          return { text, form, max: 128 };
        }
        case '::ffff:a.b.c.d': return { text: `::ffff:${dotted(a.w[3])}`, form, max: 128 };
        case 'zone id': return { text: `${canonical}%${['eth0', 'lo', '7'][rnd(3)]}`, form, max: 128 };
        default: return { text: canonical, form: 'canonical', max: 128 };
      }
    };
    const casesWith = new Map<Form, number>(), matchedWith = new Map<Form, number>();
    let agreed = 0, matched = 0;
    for (let k = 0; k < 3000; k++) {
      const hosts: string[] = [];
      const forms = new Set<Form>();
      for (let h = rnd(3); h > 0; h--) {
        const { text, form, max } = hostText(address());
        // mapped forms: prefixes within the IPv4 part, so that they do not all cover everything
        const prefix = form === '::ffff:a.b.c.d' ? 128 - rnd(33) : max - rnd(max + 1);
        hosts.push(rnd(4) === 0 ? text : `${text}/${prefix}`);
        forms.add(form);
      }
      const ports = rnd(2) === 0 ? [] : [{ lo: 40000 + rnd(20), hi: 40010 + rnd(20) }];
      if (hosts.length === 0 && ports.length === 0) {
        const { text, form } = hostText(address());
        hosts.push(text);
        forms.add(form);
      }
      // every form is a valid host; a block with bits past its prefix is refused at the command
      // line and in a policy file, and only for that (Exemption itself masks them, as BlockList does)
      for (const h of hosts) {
        try { checkHost(h, 'test'); } catch (err) { expect((err as Error).message, h).toMatch(/non-network bits set/); }
      }
      const e = new Exemption(hosts, ports, ALL_CONDITIONS, 'random');
      // a host with a zone is matched on the text (BlockList), every other on the words
      const textOnly = forms.has('zone id');
      for (let j = 0; j < 20; j++) {
        const c = address();
        // both endpoints of one connection are of one family
        let s = address();
        while (s.fam !== c.fam) s = address();
        const cp = 39990 + rnd(60), sp = 39990 + rnd(60);
        const client = formatEndpoint(c.fam, c.w, 0, cp), server = formatEndpoint(s.fam, s.w, 0, sp);
        const words = new Uint32Array(8);
        const put = (a: { fam: number; w: Uint32Array }, at: number): void => {
          if (a.fam === 4) words.set([0, 0, 0xffff, a.w[0]], at);
          else words.set(a.w, at);
        };
        put(c, 0);
        put(s, 4);
        const ep: EndpointWords = { words, clientPort: cp, serverPort: sp };
        const want = e.matches(client, server);
        let textAsked = 0;
        const got = e.matchesWords(ep, () => { textAsked++; return [client, server]; });
        expect(got, `${hosts.join(' ')} ${JSON.stringify(ports)} ${client} ${server}`).toBe(want);
        expect(textAsked, hosts.join(' ')).toBe(textOnly ? 1 : 0);
        agreed++;
        if (want) matched++;
        for (const f of forms) {
          casesWith.set(f, (casesWith.get(f) ?? 0) + 1);
          if (want) matchedWith.set(f, (matchedWith.get(f) ?? 0) + 1);
        }
      }
    }
    // every case was compared (none skipped), with hosts of every form, each matching some
    expect(agreed).toBe(3000 * 20);
    for (const f of FORMS) {
      expect(casesWith.get(f) ?? 0, f).toBeGreaterThan(1000);
      expect(matchedWith.get(f) ?? 0, f).toBeGreaterThan(50);
    }
    // enough of both answers to mean something
    expect(agreed).toBeGreaterThan(20000);
    expect(matched).toBeGreaterThan(agreed / 10);
    expect(matched).toBeLessThan(agreed * 0.9);
  });
});
