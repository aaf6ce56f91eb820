/**
 * The judge and the policy on their own, over flow records the tracker makes from the fixtures'
 * captures: conditions, exemptions, thresholds (held, released, tolerated), and the same verdict
 * from records handed over as `--json` writes them (how a sharded run would feed the judge).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALL_CONDITIONS, type CheckedFlow, type Decision, DEFAULT_FAIL_MASK, EvidenceCollector, Judge, buildPolicy, conditionBit,
  conditionMask, conditionMaskOfRecord, maskOf, namesOf, parseConditionList, parsePolicyText,
} from '../../src/check/index.js';
import { Exemption, splitEndpoint } from '../../src/check/policy.js';
import { trackCaptures } from '../../src/pipeline.js';
import type { FlowRecord } from '../../src/track/flow.js';

const root = join(__dirname, '..', '..');
const scen = (name: string): string => join(root, 'fixtures', 'scenarios', name);

interface Tracked { flow: CheckedFlow; mask: number; viewMask: number }

/** Track captures as `check` does and keep every connection with its evidence. */
async function track(files: string[]): Promise<Tracked[]> {
  const evidence = new EvidenceCollector(ALL_CONDITIONS);
  const out: Tracked[] = [];
  await trackCaptures({
    captures: files,
    filter: '',
    onPacket: (frame, r) => evidence.observe(frame, r),
    onFlowEnd: (view) => {
      const viewMask = conditionMask(view.anomalyMask, view.handshake, view.close);
      const record = view.toRecord();
      out.push({ flow: { record, evidence: evidence.take(view.row) }, mask: conditionMaskOfRecord(record), viewMask });
    },
  });
  return out;
}

function judgeAll(policy: ReturnType<typeof buildPolicy>, flows: Tracked[]): { decisions: Decision[]; judge: Judge } {
  const decisions: Decision[] = [];
  const judge = new Judge(policy, { decide: (d) => decisions.push(d) });
  for (const t of flows) judge.add(t.flow, t.mask);
  return { decisions, judge };
}

describe('conditions', () => {
  it('recordAndView_giveTheSameConditions_onEveryScenario', async () => {
    const files = ['rst-abort', 'rst-refused', 'half-open-peer-reboot', 'syn-unanswered', 'synack-no-final-ack', 'half-closed-at-end',
      'half-close', 'retransmission', 'keepalive', 'zero-window', 'midstream', 'port-reuse', 'simultaneous-open'].map((n) => scen(`${n}.pcap`));
    for (const f of files) {
      for (const t of await track([f])) {
        expect(t.mask, f).toBe(t.viewMask);
        // the anomalies the record lists are exactly the anomaly conditions
        expect(namesOf(t.mask).filter((n) => t.flow.record.anomalies.includes(n))).toEqual(t.flow.record.anomalies);
      }
    }
  });

  it('derivedConditions_followHandshakeAndClose_andAreDisjoint', async () => {
    const [unanswered] = await track([scen('syn-unanswered.pcap')]);
    expect(namesOf(unanswered.mask)).toContain('syn-unanswered');
    expect(namesOf(unanswered.mask)).not.toContain('handshake-incomplete');
    const [noAck] = await track([scen('synack-no-final-ack.pcap')]);
    expect(namesOf(noAck.mask)).toContain('handshake-incomplete');
    expect(namesOf(noAck.mask)).not.toContain('syn-unanswered');
    const [half] = await track([scen('half-closed-at-end.pcap')]);
    expect(half.flow.record.close).toBe('half');
    expect(namesOf(half.mask)).toContain('half-closed-at-end');
    const [closed] = await track([scen('half-close.pcap')]);
    expect(namesOf(closed.mask)).not.toContain('half-closed-at-end');
  });

  it('evidence_isTheFirstPacketOfTheEvent', async () => {
    const [refused] = await track([scen('rst-refused.pcap')]);
    expect(refused.flow.evidence.find((e) => e.event === 'refused')?.packet).toBe(refused.flow.record.last_packet);
    const [abort] = await track([scen('rst-abort.pcap')]);
    const rst = abort.flow.evidence.find((e) => e.event === 'reset');
    expect(rst).toBeDefined();
    expect(rst!.packet).toBeGreaterThan(abort.flow.record.first_packet);
    expect(rst!.sec + rst!.nsec * 1e-9).toBeCloseTo(abort.flow.record.end, 5);
  });

  it('parseConditionList_keywordsAndSeparators', () => {
    expect(parseConditionList(['default'], 'x')).toBe(DEFAULT_FAIL_MASK);
    expect(parseConditionList(['all'], 'x')).toBe(ALL_CONDITIONS);
    expect(parseConditionList(['none'], 'x')).toBe(0);
    expect(parseConditionList(['reset, refused', 'keepalive'], 'x')).toBe(maskOf(['reset', 'refused', 'keepalive']));
    expect(() => parseConditionList(['half_open'], '--allow')).toThrow(/did you mean 'half-open'/);
  });
});

describe('policy', () => {
  it('commandLineOverFileOverDefault', () => {
    const file = parsePolicyText('{"fail_on": ["retransmission"], "allow": ["reset"], "max": {"refused": 3}}', 'p.json');
    const onlyFile = buildPolicy(file, {}, 'p.json');
    expect(namesOf(onlyFile.failMask)).toEqual(['refused', 'retransmission']); // max judges refused
    const cli = buildPolicy(file, { failOn: ['default'], max: { refused: 1 } }, 'p.json');
    expect(namesOf(cli.failMask)).toEqual(namesOf(DEFAULT_FAIL_MASK & ~conditionBit('reset'))); // file's allow still applies
    expect(cli.maxByBit[Math.log2(conditionBit('refused'))]).toBe(1);
    expect(buildPolicy({}, {}).failMask).toBe(DEFAULT_FAIL_MASK);
  });

  it('exemption_matchesEitherEnd_addressBlocksAndPortRanges', () => {
    const v4 = new Exemption(['10.1.0.0/16'], [], ALL_CONDITIONS, 't');
    expect(v4.matches('10.1.2.3:40000', '192.0.2.1:80')).toBe(true);
    expect(v4.matches('192.0.2.1:80', '10.1.2.3:40000')).toBe(true);
    expect(v4.matches('10.2.0.1:40000', '192.0.2.1:80')).toBe(false);
    const v6 = new Exemption(['2001:db8::/32'], [{ lo: 5432, hi: 5432 }], ALL_CONDITIONS, 't');
    expect(v6.matches('[2001:db8::1]:40025', '[2001:db8::2]:5432')).toBe(true);
    expect(v6.matches('[2001:db8::1]:40025', '[2001:db8::2]:5433')).toBe(false); // host and port both needed
    expect(v6.matches('10.0.0.1:40025', '10.0.0.2:5432')).toBe(false);
    expect(splitEndpoint('[::1]:7000')).toEqual({ addr: '::1', port: 7000 });
  });
});

describe('judge', () => {
  it('threshold_secondResetArrives_theHeldFirstFailsToo_inOrder', async () => {
    const flows = await track([scen('rst-abort.pcap'), scen('rst-abort-client.pcap'), scen('close-4way.pcap')]);
    const { decisions, judge } = judgeAll(buildPolicy({}, { max: { reset: 1 } }), flows);
    const failed = decisions.filter((d) => d.outcome === 'fail');
    expect(failed).toHaveLength(2);
    // the first reset was held until the second passed the threshold, then both failed in arrival order
    const resets = flows.filter((t) => t.flow.record.anomalies.includes('reset')).map((t) => t.flow.record.id);
    expect(failed.map((d) => d.flow.record.id)).toEqual(resets);
    const v = judge.finish();
    expect(v).toMatchObject({ pass: false, connections: 3, failed: 2, passed: 1, tolerated: 0 });
  });

  it('threshold_notReached_heldConnectionsAreToleratedAtTheEnd', async () => {
    const flows = await track([scen('rst-abort.pcap'), scen('close-4way.pcap')]);
    const { decisions, judge } = judgeAll(buildPolicy({}, { max: { reset: 1 } }), flows);
    expect(decisions.map((d) => d.outcome)).toEqual(['pass']); // the reset is held, undecided
    const v = judge.finish();
    expect(decisions.map((d) => d.outcome).sort()).toEqual(['pass', 'tolerated']);
    expect(v).toMatchObject({ pass: true, tolerated: 1 });
    expect(v.conditions.find((c) => c.name === 'reset')).toMatchObject({ connections: 1, tolerated: 1, failed: 0, max: 1 });
  });

  it('connectionWithAnUnthresholdedCondition_failsAtOnce_andStillCountsTowardTheThreshold', async () => {
    // half-open-peer-reboot has reset and half-open; only reset has a threshold
    const flows = await track([scen('half-open-peer-reboot.pcap'), scen('rst-abort.pcap')]);
    const { decisions, judge } = judgeAll(buildPolicy({}, { max: { reset: 1 } }), flows);
    expect(decisions[0].outcome).toBe('fail');
    expect(namesOf(decisions[0].judged)).toEqual(['reset', 'half-open']);
    // the second reset passes the threshold of 1: it fails as well
    expect(decisions.filter((d) => d.outcome === 'fail')).toHaveLength(2);
    expect(judge.finish().failed).toBe(2);
  });

  it('exemption_coversSomeConditions_theRestStillFail', async () => {
    const flows = await track([scen('half-open-peer-reboot.pcap')]);
    const policy = buildPolicy({ exempt: [{ host: '10.0.0.2', conditions: ['half-open'], reason: 'flaky peer' }] }, {}, 'p.json');
    const { decisions } = judgeAll(policy, flows);
    expect(decisions[0].outcome).toBe('fail');
    expect(namesOf(decisions[0].judged)).toEqual(['reset']);
    expect(namesOf(decisions[0].exempted)).toEqual(['half-open']);
    expect(decisions[0].exemptions[0].describe()).toMatch(/^flaky peer/);
    const all = buildPolicy({ exempt: [{ host: '10.0.0.2', reason: 'flaky peer' }] }, {}, 'p.json');
    expect(judgeAll(all, flows).decisions[0].outcome).toBe('exempt');
  });

  it('countPass_needsNoRecord_forConnectionsNotJudged', async () => {
    const judge = new Judge(buildPolicy({}, {}));
    const flows = await track([scen('retransmission.pcap')]);
    expect(judge.needsRecord(flows[0].mask)).toBe(false);
    judge.countPass(flows[0].mask);
    const v = judge.finish();
    expect(v).toMatchObject({ pass: true, connections: 1, passed: 1 });
    expect(v.conditions.find((c) => c.name === 'retransmission')).toMatchObject({ connections: 1, judged: false });
  });

  it('minConnections_failsAnEmptyVerdict', () => {
    const v = new Judge(buildPolicy({}, { minConnections: 1 })).finish();
    expect(v).toMatchObject({ pass: false, tooFew: true, connections: 0 });
  });

  it('recordsFromJson_sameVerdictAsTheInProcessRun', () => {
    // a sharded run hands the judge flow records, as `tcpscope --json` writes them
    const files = ['rst-abort.pcap', 'rst-refused.pcap', 'syn-flood.pcap', 'half-closed-at-end.pcap', 'close-4way.pcap'].map(scen);
    const policy = buildPolicy({}, { max: { 'handshake-incomplete': 250 } });
    const judge = new Judge(policy);
    for (const f of files) {
      const out = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), '--json', '-r', f], { encoding: 'utf8' }).stdout;
      for (const line of out.trim().split('\n')) {
        const rec = JSON.parse(line) as FlowRecord;
        if (rec.type === 'flow') judge.add({ record: rec, evidence: [] }, conditionMaskOfRecord(rec));
      }
    }
    const fromJson = judge.finish();
    const check = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', '--json', '--max', 'handshake-incomplete=250', ...files], { encoding: 'utf8' });
    const verdict = JSON.parse(check.stdout.trim().split('\n').at(-1) as string);
    expect(fromJson).toMatchObject({ connections: verdict.connections, failed: verdict.failed, tolerated: verdict.tolerated, passed: verdict.passed });
    expect(fromJson.tolerated).toBe(200);
    expect(fromJson.failed).toBe(3);
  });
});
