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
import type { FlowView } from '../track/flow.js';
import type { Evidence, EvidenceCollector } from './evidence.js';
import type { CheckedFlow, EndingFlow } from './judge.js';
import type { EndpointWords, Exemption } from './policy.js';

const NO_EVIDENCE: Evidence[] = [];

export class EndingView implements EndingFlow {
  private view: FlowView | null = null;
  /** where the evidence is: the collector's row (one thread) or a list a worker handed over */
  private collector: EvidenceCollector | null = null;
  private evidence: Evidence[] = NO_EVIDENCE;
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
    this.evidence = evidence;
    return this;
  }

  /** The judge is done with it: forget its evidence row (when nothing took it) and the view. */
  release(): void {
    if (this.collector !== null && this.built === null && this.view !== null) this.collector.clear(this.view.row);
    this.view = null;
    this.collector = null;
    this.evidence = NO_EVIDENCE;
    this.built = null;
    this.endpointsFilled = false;
  }

  checked(): CheckedFlow {
    if (this.built === null) {
      const v = this.bound();
      this.built = { record: v.toRecord(), evidence: this.collector !== null ? this.collector.take(v.row) : this.evidence };
    }
    return this.built;
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
