/**
 * Node benchmarks (DESIGN.md §10), BeaconNodes in this process over real libp2p on 127.0.0.1:
 * gossip-to-head import latency (target p99 ≤ 150 ms), range-sync throughput (target ≥ 300 blocks/s)
 * and the REST API's latency under a flood of far-future blocks (target p99 ≤ 50 ms, head advancing);
 * then, in one node, the cost of the gossip checks of exits and slashings, of the equivocation watch
 * and of admitting one gossip vote; what forged equivocations cost the watch, and BlocksByRange deep in
 * a 20k-block history; the market lab's published setup (10 runs x 1,000 slots).
 * Each figure prints a human line and one JSON line {"name","value","unit"}; about two minutes.
 * Names as arguments run only those benchmarks (`npm run bench -- farFutureFlood`); `devnetEvmImport`
 * (a devnet with real EVM payloads and traffic: the EL import p99) runs only when named.
 */
import { useFastHasher } from "@turnstile/ticket-state";
import { blocksByRange } from "./blocksByRange.ts";
import { note } from "./common.ts";
import { devnetEvmImport } from "./devnetEvmImport.ts";
import { exitsAndSlashings } from "./exitsAndSlashings.ts";
import { farFutureFlood } from "./farFutureFlood.ts";
import { forgedEquivocations } from "./forgedEquivocations.ts";
import { gossipToHead } from "./gossipToHead.ts";
import { gossipVotes } from "./gossipVotes.ts";
import { market } from "./market.ts";
import { rangeSync } from "./rangeSync.ts";

const BENCHES: Record<string, () => Promise<void>> = {
  rangeSync,
  gossipToHead,
  farFutureFlood,
  exitsAndSlashings,
  gossipVotes,
  forgedEquivocations,
  blocksByRange,
  market,
};

/** Run only when named (a minute of a real devnet): `npm run bench -- devnetEvmImport`. */
const ON_DEMAND: Record<string, () => Promise<void>> = { devnetEvmImport };

await useFastHasher();
const started = performance.now();
const wanted = process.argv.slice(2);
for (const [name, bench] of Object.entries(BENCHES)) if (wanted.length === 0 || wanted.includes(name)) await bench();
for (const [name, bench] of Object.entries(ON_DEMAND)) if (wanted.includes(name)) await bench();
note(`bench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
// libp2p may leave timers behind after stop
process.exit(0);
