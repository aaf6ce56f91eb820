/**
 * `tcpscope check --junit FILE`: the verdict as a JUnit XML report, so CI systems (Jenkins,
 * GitLab, GitHub test reporters, Azure) list abnormal connections beside the test results.
 *
 * One `<testsuite>` for the run, one `<testcase>` per connection: a `<failure>` carrying the
 * reasons when it failed, a `<system-out>` note when it was exempt or tolerated, and one
 * `<testcase>` with an `<error>` when the input could not be read to the end. The shape follows
 * the JUnit schema CI tools read (Jenkins' junit-10.xsd): testsuite name/tests/failures/errors
 * required, testcase name required, time as a plain decimal number of seconds, and no `skipped`
 * on <testsuites> (the schema allows it on <testsuite> only).
 *
 * Test cases are written to the file as connections are decided (nothing is kept in memory);
 * the counts, known only at the end, go into fixed-width attribute slots reserved in the two
 * opening tags and filled in place when the run finishes (spaces inside a tag are legal XML).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { CONDITION_NAMES, namesOf } from '../check/conditions.js';
import type { CheckRunInfo, CheckSink, Decision, Verdict } from '../check/judge.js';
import { type Policy, describePolicy } from '../check/policy.js';
import { TcpscopeError } from '../errors.js';
import { connectionLabel, describeConditions, evidenceTime, formatClock } from './check-reason.js';
import { count } from './count.js';

/** Characters XML 1.0 does not allow at all (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/F). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for an attribute value or element content. */
export function xmlEscape(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
    .replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** Text content (newlines kept as they are). */
function xmlText(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

/** Width reserved for the count attributes of an opening tag. */
const SLOT = 120;
const FLUSH_AT = 1 << 16;

export interface JunitOptions {
  /** the report's file */
  path: string;
  /** the suite's name: the capture(s) */
  suiteName: string;
  policy: Policy;
  /** wall-clock start of the run */
  startedAt: Date;
}

export class CheckJunit implements CheckSink {
  private readonly fd: number;
  private buf = '';
  private written = 0;
  private readonly rootSlot: number;
  private readonly suiteSlot: number;
  private tests = 0;
  private failures = 0;

  constructor(private readonly opts: JunitOptions) {
    try {
      this.fd = openSync(opts.path, 'w');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TcpscopeError('WRITE_FAILED', `cannot write the JUnit report: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`, { file: opts.path, exitStatus: 2 });
    }
    this.put('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tcpscope check"');
    this.rootSlot = this.position();
    this.put(' '.repeat(SLOT) + '>\n');
    this.put(`  <testsuite name="${xmlEscape(opts.suiteName)}" timestamp="${opts.startedAt.toISOString().replace(/\.\d+Z$/, '')}" hostname="${xmlEscape(hostname())}"`);
    this.suiteSlot = this.position();
    this.put(' '.repeat(SLOT) + '>\n');
    const p = describePolicy(opts.policy);
    this.put('    <properties>\n');
    this.property('fail_on', p.fail_on.join(','));
    for (const [k, n] of Object.entries(p.max)) this.property(`max.${k}`, String(n));
    p.exempt.forEach((e, i) => this.property(`exempt.${i}`, e));
    if (p.min_connections > 0) this.property('min_connections', String(p.min_connections));
    this.put('    </properties>\n');
  }

  decide(d: Decision): void {
    // a connection that passes is named by its head alone (no record is built for it)
    const head = d.head();
    this.tests++;
    let s = `    <testcase name="${xmlEscape(connectionLabel(head))}" classname="tcpscope check" time="${Math.max(0, head.duration).toFixed(6)}"`;
    if (d.outcome === 'pass') {
      this.put(s + '/>\n');
      return;
    }
    s += '>\n';
    if (d.outcome === 'fail') {
      const rec = d.flow.record;
      this.failures++;
      const reasons = describeConditions(d.judged, d.flow);
      const body = [
        ...reasons,
        '',
        `connection ${rec.client} → ${rec.server}, packets ${rec.first_packet}–${rec.last_packet}`,
        `handshake ${rec.handshake}, close ${rec.close}${rec.reset_by ? ` (reset by ${rec.reset_by})` : ''}, final states client ${rec.states.client} / server ${rec.states.server}`,
        `zeek conn_state ${rec.conn_state}, history ${rec.history}`,
        `conditions: ${namesOf(d.conditions).join(', ')}`,
        ...d.flow.evidence.map((e) => `evidence: ${e.event} in packet ${e.packet} at ${formatClock(e.sec, e.nsec)} (${evidenceTime(e)})`),
      ].join('\n');
      s += `      <failure type="${xmlEscape(namesOf(d.judged).join(','))}" message="${xmlEscape(reasons.join('; '))}">${xmlText(body)}</failure>\n`;
    } else {
      const note = d.outcome === 'exempt'
        ? `exempt: ${namesOf(d.exempted).join(', ')} by ${d.exemptions.map((e) => e.describe()).join('; ')}`
        : `tolerated by threshold: ${describeConditions(d.judged, d.flow).join('; ')}`;
      s += `      <system-out>${xmlText(note)}</system-out>\n`;
    }
    this.put(s + '    </testcase>\n');
  }

  finish(v: Verdict, run: CheckRunInfo): void {
    let errors = 0;
    if (run.error !== null) {
      errors = 1;
      this.tests++;
      // (the connections above, if any, cover what came before the problem)
      const what = run.packets === 0 ? 'the input could not be read: no packet was judged' : 'the input could not be read to the end; the connections above cover what came before';
      // every capture not read whole is named, not only the first problem's
      const named = [
        ...(run.error.damaged !== undefined ? [`given up where it went bad: ${run.error.damaged.join(', ')}`] : []),
        ...(run.error.left_out !== undefined ? [`left out, unreadable: ${run.error.left_out.join(', ')}`] : []),
      ].map((l) => `\n${l}`).join('');
      this.put(`    <testcase name="capture input" classname="tcpscope check" time="0"><error type="${xmlEscape(run.error.code)}" message="${xmlEscape(run.error.message)}">${xmlText(`${what}.\n${run.error.message}${named}`)}</error></testcase>\n`);
    }
    if (v.tooFew) {
      this.tests++;
      this.failures++;
      this.put(`    <testcase name="at least ${v.minConnections} connections" classname="tcpscope check" time="0"><failure type="min_connections" message="${count(v.connections, 'connection')}, fewer than ${v.minConnections}">the capture shows ${count(v.connections, 'TCP connection')}; the policy wants at least ${v.minConnections}</failure></testcase>\n`);
    }
    const seen = v.conditions.filter((c) => c.connections > 0).map((c) => `${c.name} ${c.connections}`).join(', ');
    this.put(`    <system-out>${xmlText(`${run.files.length} capture file(s): ${run.files.join(', ')}\n${count(run.packets, 'packet')}${run.filter ? ` matching '${run.filter}'` : ''}, ${count(v.connections, 'connection')}\nconditions seen: ${seen || 'none'}\nconditions judged: ${CONDITION_NAMES.filter((_, i) => v.conditions[i].judged).join(', ') || 'none'}`)}</system-out>\n`);
    this.put('  </testsuite>\n</testsuites>\n');
    this.flush();
    const secs = ((Date.now() - this.opts.startedAt.getTime()) / 1000).toFixed(3);
    // junit-10.xsd: <testsuites> takes name, time, tests, failures, errors; `skipped` only <testsuite>
    const counts = `tests="${this.tests}" failures="${this.failures}" errors="${errors}"`;
    this.patch(this.rootSlot, ` ${counts} time="${secs}"`);
    this.patch(this.suiteSlot, ` ${counts} skipped="0" time="${secs}"`);
    closeSync(this.fd);
  }

  private property(name: string, value: string): void {
    this.put(`      <property name="${xmlEscape(name)}" value="${xmlEscape(value)}"/>\n`);
  }

  /** Byte offset in the file of the next character written. */
  private position(): number {
    return this.written + Buffer.byteLength(this.buf, 'utf8');
  }

  private put(s: string): void {
    this.buf += s;
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.buf === '') return;
    const data = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, this.written + off);
    this.written += data.length;
  }

  private patch(at: number, text: string): void {
    const data = Buffer.from(text.padEnd(SLOT, ' '), 'utf8');
    writeSync(this.fd, data, 0, data.length, at);
  }
}
