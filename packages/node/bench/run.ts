/**
 * Node benchmarks (DESIGN.md §10), two BeaconNodes in this process over real libp2p on 127.0.0.1:
 * gossip-to-head import latency (target p99 ≤ 150 ms) and range-sync throughput (target ≥ 300 blocks/s);
 * then, in one node, the cost of the gossip checks of exits and slashings and of the equivocation watch.
 * Each figure prints a human line and one JSON line {"name","value","unit"}; about a minute and a half.
 */
import { useFastHasher } from "@turnstile/ticket-state";
import { note } from "./common.ts";
import { exitsAndSlashings } from "./exitsAndSlashings.ts";
import { gossipToHead } from "./gossipToHead.ts";
import { rangeSync } from "./rangeSync.ts";

await useFastHasher();
const started = performance.now();
await rangeSync();
await gossipToHead();
await exitsAndSlashings();
note(`bench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
// libp2p may leave timers behind after stop
process.exit(0);
