/**
 * A connection ending in the flow table, as the judge sees it (an EndingFlow): its record and
 * evidence are built only when asked for, and exemptions are matched on the table's numbers.
 *
 * Why: most judged connections are only counted. A SYN flood ends a million failing connections,
 * and the report lists the first 200: building each one's record (its address texts, history,
 * anomaly names, an object of forty fields) and its evidence objects was a sixth of the run and
 * most of its garbage. One instance serves the whole run: bound to each ending connection, then
 * released once the judge has decided it (its row is then reused).
 */
import { type FlowView, round6 } from '../track/flow.js';
import type { Evidence, EvidenceCollector } from './evidence.js';
import type { CheckedFlow, EndingFlow, FlowHead } from './judge.js';
import type { EndpointWords, Exemption } from './policy.js';

const NO_EVIDENCE: Evidence[] = [];

export class EndingView implements EndingFlow {
  private view: FlowView | null = null;
  /** the evidence's collector, while the evidence is still in its row for the connection (one thread) */
  private collector: EvidenceCollector | null = null;
  /** the evidence once listed (taken from the collector, or as a worker handed it over) */
  private listed: Evidence[] | null = null;
  private built: CheckedFlow | null = null;
  /** the endpoints as numbers, filled on the first exemption asked */
  private readonly endpoints: EndpointWords = { words: new Uint32Array(8), clientPort: 0, serverPort: 0 };
  private endpointsFilled = false;
  private readonly text = (): [string, string] => {
    const v = this.bound();
    return [v.client, v.server];
  };

  /** The connection in `view` (valid until `release`), with its evidence in `collector`'s row for it. */
  bindRow(view: FlowView, collector: EvidenceCollector): this {
    this.view = view;
    this.collector = collector;
    return this;
  }

  /** The connection in `view` (valid until `release`), with its evidence already listed. */
  bindListed(view: FlowView, evidence: Evidence[]): this {
    this.view = view;
    this.listed = evidence;
    return this;
  }

  /** The judge is done with it: forget its evidence row (when nothing took it) and the view. */
  release(): void {
    if (this.collector !== null && this.listed === null && this.view !== null) this.collector.clear(this.view.row);
    this.view = null;
    this.collector = null;
    this.listed = null;
    this.built = null;
    this.endpointsFilled = false;
  }

  checked(): CheckedFlow {
    if (this.built === null) this.built = { record: this.bound().toRecord(), evidence: this.evidence() };
    return this.built;
  }

  evidence(): Evidence[] {
    if (this.listed === null) {
      const v = this.bound();
      this.listed = this.collector !== null ? this.collector.take(v.row) : NO_EVIDENCE;
    }
    return this.listed;
  }

  recordJson(): string {
    // the same text JSON.stringify gives of toRecord(), written from the row (flow.ts)
    return this.bound().jsonText();
  }

  head(): FlowHead {
    if (this.built !== null) return this.built.record;
    const v = this.bound();
    // duration as toRecord rounds it (to the microsecond)
    return { id: v.id, client: v.client, server: v.server, duration: round6(v.duration) };
  }

  exemptedBy(e: Exemption): boolean {
    if (!this.endpointsFilled) this.fillEndpoints();
    return e.matchesWords(this.endpoints, this.text);
  }

  private fillEndpoints(): void {
    const v = this.bound();
    const ep = this.endpoints;
    const w = ep.words;
    for (let s = 0; s < 2; s++) {
      const at = s * 4;
      if (v.family === 4) {
        // IPv4 in its IPv4-mapped form (see Exemption)
        w[at] = 0;
        w[at + 1] = 0;
        w[at + 2] = 0xffff;
        w[at + 3] = v.addressWord(s, 0);
      } else {
        for (let i = 0; i < 4; i++) w[at + i] = v.addressWord(s, i);
      }
    }
    ep.clientPort = v.port(0);
    ep.serverPort = v.port(1);
    this.endpointsFilled = true;
  }

  private bound(): FlowView {
    if (this.view === null) throw new Error('check: an ending connection was read after the judge was done with it');
    return this.view;
  }
}
