#!/usr/bin/env node
// Compares, for each capture given, the events of `--json=packets` packet records summed per
// connection with the flow records' `events` counts, for every event kind the flow counts, and
// lists the kinds the packets carry that no flow counts. Exit status 1 on a disagreement.
//   node scripts/event-counts.mjs fixtures/**/*.pcap*
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'tcpscope.js');
let bad = 0;
const uncounted = new Map();
const counted = new Set();
for (const file of process.argv.slice(2)) {
  const r = spawnSync(process.execPath, [bin, '--json=packets', '-n', '-r', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const perConn = new Map();
  const flows = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const o = JSON.parse(line);
    if (o.type === 'packet' && o.conn !== undefined) {
      const m = perConn.get(o.conn) ?? new Map();
      for (const e of o.events ?? []) m.set(e, (m.get(e) ?? 0) + 1);
      perConn.set(o.conn, m);
    } else if (o.type === 'flow') {
      flows.push(o);
      for (const k of Object.keys(o.events)) counted.add(k);
    }
  }
  for (const f of flows) {
    const m = perConn.get(f.id) ?? new Map();
    // the flow's `retransmission` counts every retransmission, fast and spurious ones included;
    // a packet names the most specific kind
    m.set('retransmission', (m.get('retransmission') ?? 0) + (m.get('fast-retransmission') ?? 0) + (m.get('spurious-retransmission') ?? 0));
    if (m.get('retransmission') === 0) m.delete('retransmission');
    // and its `ack-unseen` counts an ACK of a FIN never captured too, which the packet names
    // fin-unseen alone (the connection still shows the capture loss)
    if (m.has('fin-unseen') || m.has('ack-unseen')) m.set('ack-unseen', (m.get('ack-unseen') ?? 0) + (m.get('fin-unseen') ?? 0));
    for (const [k, n] of Object.entries(f.events)) {
      if ((m.get(k) ?? 0) !== n) { bad++; console.log(`${file} #${f.id} ${k}: flow ${n}, packets ${m.get(k) ?? 0}`); }
    }
    for (const [k, n] of m) {
      if (f.events[k] === undefined) uncounted.set(k, (uncounted.get(k) ?? 0) + n);
    }
  }
}
// a kind some flow counts must be counted by every flow that has it
for (const k of counted) if (uncounted.has(k)) { bad++; console.log(`counted kind ${k}: ${uncounted.get(k)} packet events in flows that do not count it`); }
console.log(`kinds on packets that flow records do not count: ${[...uncounted].filter(([k]) => !counted.has(k)).map(([k, n]) => `${k} (${n})`).join(', ')}`);
process.exit(bad === 0 ? 0 : 1);
