/**
 * Cost of the gossip checks of exits and slashings (each runs its state-transition rule on a copy
 * of the head state and verifies its signatures), and of the equivocation watch that every block
 * and vote passes through. One node, 64 validators, minimal preset, in-process clock.
 */
import {
  type AttestationData,
  createChainContext,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_VOLUNTARY_EXIT,
  interopSecretKey,
  minimalChainConfig,
  type ProposerSlashing,
  produceBlock,
  signObject,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { EquivocationWatch } from "../src/chain/equivocations.ts";
import { AttesterSlashingPool, ProposerSlashingPool, VoluntaryExitPool } from "../src/chain/opPools.ts";
import { validateAttesterSlashing } from "../src/chain/validation/attesterSlashing.ts";
import { validateProposerSlashing } from "../src/chain/validation/proposerSlashing.ts";
import { validateVoluntaryExit } from "../src/chain/validation/voluntaryExit.ts";
import { interopNode, note, percentile, report } from "./common.ts";

const SLOTS = 12;
const SAMPLES = 200;

function timeEach(samples: number, fn: (i: number) => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

export async function exitsAndSlashings(): Promise<void> {
  // Exits are allowed from genesis on, so that one is valid against the head
  const ctx = createChainContext({ ...minimalChainConfig, SHARD_COMMITTEE_PERIOD: 0 });
  let time = 0;
  const node = interopNode(ctx, { genesisTime: 0, keys: true, now: () => time });
  const seconds = ctx.config.SECONDS_PER_SLOT;
  for (let slot = 1; slot <= SLOTS; slot++) {
    for (let interval = 0; interval < 4; interval++) {
      time = slot * seconds + (interval * seconds) / 4;
      node.onInterval(slot, interval);
    }
  }
  const head = node.chain.head();
  const state = head.state;
  const epoch = Math.floor(SLOTS / ctx.preset.SLOTS_PER_EPOCH);
  note(`head at slot ${head.slot}, ${state.state.validators.length} validators`);

  const exits = Array.from({ length: SAMPLES }, (_, i) => {
    const message = { epoch, validator_index: i % state.state.validators.length };
    const key = interopSecretKey(message.validator_index);
    return {
      message,
      signature: signObject(state, key, sszTypes.VoluntaryExit, message, DOMAIN_VOLUNTARY_EXIT, epoch),
    };
  });
  const exitMs = timeEach(SAMPLES, (i) => validateVoluntaryExit(state, new VoluntaryExitPool(), exits[i]));
  report("gossip check of a voluntary exit (p50)", percentile(exitMs, 50), "ms");

  // Two blocks of the head's proposer for the head's slot, built on the head's parent
  const honest = node.chain.getEntry(head.root)!.block;
  const parent = node.chain.stateFor(toHex(honest.message.parent_root), 0);
  const proposerKey = interopSecretKey(honest.message.proposer_index);
  const other = produceBlock(parent, head.slot, proposerKey, node.chain.engine, { graffiti: "bench" }).block;
  const headerOf = (b: typeof honest) => ({
    message: {
      slot: b.message.slot,
      proposer_index: b.message.proposer_index,
      parent_root: b.message.parent_root,
      state_root: b.message.state_root,
      body_root: ctx.ssz.BeaconBlockBody.hashTreeRoot(b.message.body),
    },
    signature: b.signature,
  });
  const proposerSlashing: ProposerSlashing = { signed_header_1: headerOf(honest), signed_header_2: headerOf(other) };
  const proposerMs = timeEach(SAMPLES, () =>
    validateProposerSlashing(state, new ProposerSlashingPool(), proposerSlashing),
  );
  report("gossip check of a proposer slashing (p50)", percentile(proposerMs, 50), "ms");

  // A double vote of one validator
  const voter = state.epochCtx.getBeaconCommittee(head.slot, 0)[0];
  const vote = (root: Uint8Array): { data: AttestationData; signature: Uint8Array } => {
    const data: AttestationData = {
      slot: head.slot,
      index: 0,
      beacon_block_root: root,
      source: state.state.current_justified_checkpoint.toValue(),
      target: { epoch, root: honest.message.parent_root },
    };
    const key = interopSecretKey(voter);
    return { data, signature: signObject(state, key, sszTypes.AttestationData, data, DOMAIN_BEACON_ATTESTER, epoch) };
  };
  const a = vote(honest.message.parent_root);
  const b = vote(ctx.ssz.BeaconBlock.hashTreeRoot(honest.message));
  const attesterSlashing = {
    attestation_1: { attesting_indices: [voter], ...a },
    attestation_2: { attesting_indices: [voter], ...b },
  };
  const attesterMs = timeEach(SAMPLES, () =>
    validateAttesterSlashing(state, new AttesterSlashingPool(), attesterSlashing),
  );
  report("gossip check of an attester slashing, one validator (p50)", percentile(attesterMs, 50), "ms");

  // The watch's cost on the common path: a block that conflicts with nothing (its body is hashed)
  const watch = new EquivocationWatch(ctx);
  const blocks = Array.from({ length: SAMPLES }, (_, i) => {
    const copy = structuredClone(honest);
    copy.message.slot = head.slot + 1 + i;
    return copy;
  });
  const watchMs = timeEach(SAMPLES, (i) => watch.onBlock(blocks[i], true, state));
  report("equivocation watch per block, no conflict (p50)", percentile(watchMs, 50), "ms");
}

if (import.meta.main) {
  const { useFastHasher } = await import("@turnstile/ticket-state");
  await useFastHasher();
  await exitsAndSlashings();
}
