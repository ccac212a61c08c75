/**
 * fork-choice benchmarks (DESIGN.md §10): getHead with 1,024 unfinalized blocks and 16,384 votes
 * changed since the last head (target ≤ 5 ms), and onAttestation per vote. Each figure prints a
 * human line and one JSON line {"name","value","unit"}.
 */
import { type BlockImport, type CheckpointHex, ForkChoice } from "@turnstile/fork-choice";

const SLOTS_PER_EPOCH = 32;
const SECONDS_PER_SLOT = 12;
const VALIDATORS = 16_384;
const BLOCKS = 1_024;
const BALANCE = 32_000_000_000;

const hex = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const genesis: CheckpointHex = { epoch: 0, root: hex(0) };

function report(name: string, value: number, unit: string, target?: string): void {
  const shown = value < 1 ? value.toFixed(4) : value.toFixed(3);
  console.log(`${name}: ${shown} ${unit}${target ? `  [${target}]` : ""}`);
  console.log(JSON.stringify({ name, value: Number(value.toPrecision(6)), unit }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A chain of BLOCKS blocks with a fork every 16 blocks, payloads revealed for most. */
function buildStore(): { fc: ForkChoice; roots: string[]; slots: number[] } {
  const fc = new ForkChoice(
    { slotsPerEpoch: SLOTS_PER_EPOCH, secondsPerSlot: SECONDS_PER_SLOT, ptcSize: 512, genesisTime: 0 },
    {
      root: hex(0),
      parentRoot: hex(0),
      slot: 0,
      stateRoot: hex(0),
      committedBlockHash: hex(1 << 30),
      parentBlockHash: hex(0),
      justified: genesis,
      finalized: genesis,
      unrealizedJustified: genesis,
      unrealizedFinalized: genesis,
      payloadKnown: true,
      ptcLength: 512,
      proposerIndex: 0,
    },
    () => new Array(VALIDATORS).fill(BALANCE),
  );
  fc.onTick((BLOCKS + 40) * SECONDS_PER_SLOT);
  const roots = [hex(0)];
  const slots = [0];
  const known = [true];
  for (let n = 1; n <= BLOCKS; n++) {
    // mostly extend the previous block; every 16th block forks off two blocks back
    const parent = n % 16 === 0 && n > 2 ? n - 2 : n - 1;
    const onFull = known[parent] && n % 5 !== 0;
    const block: BlockImport = {
      root: hex(n),
      parentRoot: roots[parent],
      slot: n,
      stateRoot: hex(0),
      committedBlockHash: hex((1 << 30) + n),
      parentBlockHash: onFull ? hex((1 << 30) + parent) : hex(7),
      justified: genesis,
      finalized: genesis,
      unrealizedJustified: genesis,
      unrealizedFinalized: genesis,
      ptcLength: 512,
      proposerIndex: n % VALIDATORS,
    };
    fc.onBlock(block);
    const payload = n % 7 !== 0;
    if (payload) fc.onExecutionPayload(block.root);
    roots.push(block.root);
    slots.push(n);
    known.push(payload);
  }
  return { fc, roots, slots };
}

const setupStart = performance.now();
const { fc, roots } = buildStore();
console.log(`# setup: ${BLOCKS} blocks in ${(performance.now() - setupStart).toFixed(0)} ms`);
const validators = Array.from({ length: VALIDATORS }, (_, i) => i);

function voteAll(round: number): number {
  // every validator moves its vote to one of the last 64 blocks
  const start = performance.now();
  for (let v = 0; v < VALIDATORS; v++) {
    const b = BLOCKS - ((v + round * 7) % 64);
    // each round is a later slot, so every vote replaces the validator's previous one
    const slot = BLOCKS + round;
    const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
    const target = fc.checkpointBlockRoot(roots[b], epoch)!;
    fc.onAttestation(
      { attestingIndices: [validators[v]], slot, index: 0, beaconBlockRoot: roots[b], target: { epoch, root: target } },
      true,
    );
  }
  return performance.now() - start;
}

fc.getHead();
const headTimes: number[] = [];
const voteTimes: number[] = [];
for (let round = 1; round <= 15; round++) {
  voteTimes.push(voteAll(round) / VALIDATORS);
  const start = performance.now();
  fc.getHead();
  headTimes.push(performance.now() - start);
}
report(
  `getHead ${BLOCKS} blocks, ${VALIDATORS} changed votes`,
  median(headTimes.slice(3)),
  "ms",
  `target ≤ 5 ms: ${median(headTimes.slice(3)) <= 5 ? "MET" : "MISSED"}`,
);
report("onAttestation per vote (incl. target lookup)", median(voteTimes.slice(3)) * 1000, "µs");

// The same with the newest block boosted: its parent is from the slot before it, so whether the
// boost applies depends on the parent's weight (one pass without the boost, one with)
fc.proposerBoostRoot = roots[roots.length - 1];
const boostedTimes: number[] = [];
for (let round = 16; round <= 30; round++) {
  voteAll(round);
  const start = performance.now();
  fc.getHead();
  boostedTimes.push(performance.now() - start);
}
report(
  `getHead ${BLOCKS} blocks, ${VALIDATORS} changed votes, proposer boost on a previous-slot parent`,
  median(boostedTimes.slice(3)),
  "ms",
  `target ≤ 5 ms: ${median(boostedTimes.slice(3)) <= 5 ? "MET" : "MISSED"}`,
);

// A missed target fails `npm run bench`
for (const [name, times] of [
  ["head", headTimes],
  ["boosted head", boostedTimes],
] as const) {
  if (median(times.slice(3)) > 5) {
    console.error(`MISSED: ${name} median above 5 ms`);
    process.exitCode = 1;
  }
}
