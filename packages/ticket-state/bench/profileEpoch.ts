/**
 * Profiling harness (not a benchmark): the epoch transition at 16,384 validators, repeated, for
 * `node --cpu-prof --conditions=source bench/profileEpoch.ts [validators] [runs]`.
 */
import { createChainContext, mainnetChainConfig, processEpoch, useFastHasher } from "@turnstile/ticket-state";
import { advancedCopy, buildGenesis, setRealisticParticipation } from "./buildState.ts";

await useFastHasher();
const ctx = createChainContext(mainnetChainConfig);
const validatorCount = Number(process.argv[2] ?? 16_384);
const runs = Number(process.argv[3] ?? 30);
const genesis = buildGenesis(ctx, { validatorCount, buyerCount: 32, ticketsPerBuyer: 1 });
const pre = advancedCopy(genesis, 3 * ctx.preset.SLOTS_PER_EPOCH - 1);
setRealisticParticipation(pre);
const start = performance.now();
for (let i = 0; i < runs; i++) {
  const cs = pre.clone();
  // Cold rotation, as in bench:compare
  cs.caches.shufflings.clear();
  const transition = processEpoch(cs);
  cs.hashTreeRoot();
  cs.state.slot += 1;
  cs.epochCtx.afterProcessEpoch(cs.state, transition);
}
console.log(`# ${runs} epoch transitions in ${(performance.now() - start).toFixed(0)} ms`);
