/**
 * What a sender without any key can make the equivocation watch cost: forged double votes (other
 * data, a signature over something else) of a validator that already voted, and copies of a gossip
 * block with another state root and the original signature (gossip IGNOREs both before checking
 * the signature). Per message, mean over SAMPLES (the forged votes spread over one committee),
 * and one forged vote sent again and again.
 * One node, 64 validators, minimal preset, in-process clock.
 */
import {
  createChainContext,
  fromHex,
  minimalChainConfig,
  type SignedBeaconBlock,
  type SingleAttestation,
  toHex,
} from "@turnstile/ticket-state";
import type { BeaconNode } from "../src/node/beaconNode.ts";
import { interopNode, note, report } from "./common.ts";

const SLOTS = 6;
const SAMPLES = 200;

async function meanMs(samples: number, fn: (i: number) => unknown): Promise<number> {
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    try {
      await fn(i);
    } catch {
      // refused, as expected: the cost is what is measured
    }
    total += performance.now() - t0;
  }
  return total / samples;
}

export async function forgedEquivocations(): Promise<void> {
  const ctx = createChainContext(minimalChainConfig);
  const seconds = ctx.config.SECONDS_PER_SLOT;
  let time = 0;
  const producer = interopNode(ctx, { genesisTime: 0, keys: true, now: () => time });
  const run = (node: BeaconNode, from: number, to: number) => {
    for (let slot = from; slot <= to; slot++) {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        node.onInterval(slot, interval);
      }
    }
  };
  run(producer, 1, SLOTS);
  const head = producer.chain.head();
  note(`head at slot ${head.slot}`);

  // Votes: the head slot's committee voted for the head (their duty); forgeries vote for its parent
  const headBlock = producer.chain.getEntry(head.root)!.block;
  const committee = head.state.epochCtx.getBeaconCommittee(head.slot, 0);
  const epoch = Math.floor(head.slot / ctx.preset.SLOTS_PER_EPOCH);
  const voteData = (i: number) => ({
    slot: head.slot,
    index: 0,
    beacon_block_root: headBlock.message.parent_root,
    source: { epoch: head.state.state.current_justified_checkpoint.epoch, root: new Uint8Array(32).fill(i + 1) },
    target: { epoch, root: fromHex(producer.chain.forkChoice.checkpointBlockRoot(head.root, epoch)!) },
  });
  const forgedVote = (i: number): SingleAttestation => ({
    committee_index: 0,
    attester_index: committee[i % committee.length],
    data: voteData(i),
    // A valid point, over something else
    signature: headBlock.signature,
  });
  const forged = Array.from({ length: SAMPLES }, (_, i) => forgedVote(i));
  const voteMs = await meanMs(SAMPLES, (i) => producer.importAttestation(forged[i]));
  const control = forged[0];
  const controlMs = await meanMs(SAMPLES, () => producer.importAttestation(control));
  report("forged double vote, cost per message", voteMs, "ms");
  report("forged double vote, one sent again and again, cost per message", controlMs, "ms");

  // Blocks: a node without duties gets the head block by gossip, then copies of it
  const receiver = interopNode(ctx, { genesisTime: 0, keys: false, now: () => time });
  const chain: SignedBeaconBlock[] = [];
  for (let e = producer.chain.getEntry(toHex(headBlock.message.parent_root)); e && e.slot > 0; ) {
    chain.unshift(e.block);
    e = producer.chain.getEntry(toHex(e.block.message.parent_root));
  }
  for (const block of chain) {
    const entry = receiver.importBlock(block);
    const { envelope } = producer.chain.getEntry(entry.root)!;
    if (envelope) receiver.importEnvelope(envelope);
  }
  await receiver.importGossipBlock(headBlock);
  const copies = Array.from({ length: SAMPLES }, (_, i) => {
    const copy = structuredClone(headBlock);
    copy.message.state_root = new Uint8Array(32).fill(i + 1);
    return copy;
  });
  const blockMs = await meanMs(SAMPLES, (i) => receiver.importGossipBlock(copies[i]));
  report("gossip block copy with another state root, cost per message", blockMs, "ms");
  await producer.bls.close();
  await receiver.bls.close();
}
