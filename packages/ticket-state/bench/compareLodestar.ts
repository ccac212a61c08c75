/**
 * The Lodestar side of `bench:compare`: an Altair state on the mainnet preset, shaped like the
 * Turnstile bench state (same registry size, 32 ETH each, the same repeated interop keys, the same
 * participation bytes), and the calls Lodestar's own `processSlots` makes for each phase.
 *
 * Import this module only after `LODESTAR_PRESET` is set: `@lodestar/params` reads it once, at import.
 */
import type { PublicKey } from "@chainsafe/blst";
import { BitArray } from "@chainsafe/ssz";
import { type BeaconConfig, createBeaconConfig } from "@lodestar/config";
import { chainConfig as mainnetLodestarChainConfig } from "@lodestar/config/default";
import {
  ACTIVE_PRESET,
  ForkSeq,
  SLOTS_PER_EPOCH,
  SLOTS_PER_HISTORICAL_ROOT,
  SYNC_COMMITTEE_SIZE,
} from "@lodestar/params";
import {
  beforeProcessEpoch,
  type CachedBeaconStateAltair,
  createCachedBeaconState,
  DataAvailabilityStatus,
  ExecutionPayloadStatus,
  type PubkeyCache,
  processSlots,
} from "@lodestar/state-transition";
import { processBlock } from "@lodestar/state-transition/block";
import { processEpoch } from "@lodestar/state-transition/epoch";
import { ssz } from "@lodestar/types";
import { participationFlags } from "./buildState.ts";

export const LODESTAR_PRESET_NAME = ACTIVE_PRESET;

const MAX_EFFECTIVE_BALANCE_GWEI = 32_000_000_000;
const FAR_FUTURE_EPOCH = Number.POSITIVE_INFINITY;
/** BLS is off: signatures are never parsed. */
const ZERO_SIGNATURE = new Uint8Array(96);

/** Altair from genesis, later forks never: the comparison is Altair's epoch and block rules. */
function altairConfig(genesisValidatorsRoot: Uint8Array): BeaconConfig {
  return createBeaconConfig(
    {
      ...mainnetLodestarChainConfig,
      ALTAIR_FORK_EPOCH: 0,
      BELLATRIX_FORK_EPOCH: FAR_FUTURE_EPOCH,
      CAPELLA_FORK_EPOCH: FAR_FUTURE_EPOCH,
      DENEB_FORK_EPOCH: FAR_FUTURE_EPOCH,
      ELECTRA_FORK_EPOCH: FAR_FUTURE_EPOCH,
      FULU_FORK_EPOCH: FAR_FUTURE_EPOCH,
      GLOAS_FORK_EPOCH: FAR_FUTURE_EPOCH,
      HEZE_FORK_EPOCH: FAR_FUTURE_EPOCH,
    },
    genesisValidatorsRoot,
  );
}

/**
 * Lodestar's pubkey cache over a registry of repeated keys: one deserialized key per distinct
 * bytes, as Turnstile's cache does, so neither side pays 262,144 deserializations.
 */
export function repeatedPubkeyCache(pubkeys: Uint8Array[], deserialize: (b: Uint8Array) => PublicKey): PubkeyCache {
  const byHex = new Map<string, PublicKey>();
  const index2pubkey: PublicKey[] = [];
  const pubkey2index = new Map<string, number>();
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  const cache: PubkeyCache = {
    get: (i) => index2pubkey[i],
    getOrThrow: (i) => {
      const pk = index2pubkey[i];
      if (pk === undefined) throw new Error(`no pubkey for validator ${i}`);
      return pk;
    },
    getIndex: (b) => pubkey2index.get(hex(b)) ?? null,
    set: (i, b) => {
      const h = hex(b);
      let pk = byHex.get(h);
      if (pk === undefined) {
        pk = deserialize(b);
        byHex.set(h, pk);
      }
      index2pubkey[i] = pk;
      pubkey2index.set(h, i);
    },
    get size() {
      return index2pubkey.length;
    },
  };
  for (let i = 0; i < pubkeys.length; i++) cache.set(i, pubkeys[i]);
  return cache;
}

export interface LodestarChain {
  config: BeaconConfig;
  pubkeyCache: PubkeyCache;
  genesis: CachedBeaconStateAltair;
}

/** An Altair genesis-like state at slot 0 with `pubkeys.length` active validators. */
export function buildLodestarGenesis(pubkeys: Uint8Array[], deserialize: (b: Uint8Array) => PublicKey): LodestarChain {
  const n = pubkeys.length;
  const state = ssz.altair.BeaconState.defaultViewDU();
  state.validators = ssz.phase0.Validators.toViewDU(
    pubkeys.map((pubkey) => ({
      pubkey,
      withdrawalCredentials: new Uint8Array(32),
      effectiveBalance: MAX_EFFECTIVE_BALANCE_GWEI,
      slashed: false,
      activationEligibilityEpoch: 0,
      activationEpoch: 0,
      exitEpoch: FAR_FUTURE_EPOCH,
      withdrawableEpoch: FAR_FUTURE_EPOCH,
    })),
  );
  state.balances = ssz.phase0.Balances.toViewDU(new Array(n).fill(MAX_EFFECTIVE_BALANCE_GWEI));
  state.previousEpochParticipation = ssz.altair.EpochParticipation.toViewDU(new Array(n).fill(0));
  state.currentEpochParticipation = ssz.altair.EpochParticipation.toViewDU(new Array(n).fill(0));
  state.inactivityScores = ssz.altair.InactivityScores.toViewDU(new Array(n).fill(0));
  const version = mainnetLodestarChainConfig.ALTAIR_FORK_VERSION;
  state.fork = ssz.phase0.Fork.toViewDU({ previousVersion: version, currentVersion: version, epoch: 0 });
  const header = ssz.phase0.BeaconBlockHeader.defaultValue();
  header.bodyRoot = ssz.altair.BeaconBlockBody.hashTreeRoot(ssz.altair.BeaconBlockBody.defaultValue());
  state.latestBlockHeader = ssz.phase0.BeaconBlockHeader.toViewDU(header);
  const syncCommittee = {
    pubkeys: Array.from({ length: SYNC_COMMITTEE_SIZE }, (_, i) => pubkeys[i % n]),
    aggregatePubkey: pubkeys[0],
  };
  state.currentSyncCommittee = ssz.altair.SyncCommittee.toViewDU(syncCommittee);
  state.nextSyncCommittee = ssz.altair.SyncCommittee.toViewDU(syncCommittee);
  state.genesisValidatorsRoot = state.validators.hashTreeRoot();
  state.commit();
  const config = altairConfig(state.genesisValidatorsRoot);
  const pubkeyCache = repeatedPubkeyCache(pubkeys, deserialize);
  const genesis = createCachedBeaconState(state, { config, pubkeyCache }) as CachedBeaconStateAltair;
  return { config, pubkeyCache, genesis };
}

/** A copy advanced through empty slots to `slot`, hashed so that later clones share a hashed tree. */
export function lodestarAdvancedCopy(cs: CachedBeaconStateAltair, slot: number): CachedBeaconStateAltair {
  const copy = processSlots(cs.clone(), slot) as CachedBeaconStateAltair;
  copy.hashTreeRoot();
  return copy;
}

/** The same participation bytes as Turnstile's `setRealisticParticipation`. */
export function lodestarSetRealisticParticipation(cs: CachedBeaconStateAltair): void {
  const n = cs.validators.length;
  cs.previousEpochParticipation = ssz.altair.EpochParticipation.toViewDU(
    Array.from({ length: n }, (_, i) => participationFlags(i, 0x5eed)),
  );
  cs.currentEpochParticipation = ssz.altair.EpochParticipation.toViewDU(
    Array.from({ length: n }, (_, i) => participationFlags(i, 0xc0ffee)),
  );
  cs.hashTreeRoot();
}

/**
 * A block for `pre.slot` with `count` full single-committee aggregates walking back over the
 * current and previous epoch (as Turnstile's bench block), and a full sync aggregate.
 */
export function buildLodestarBlock(pre: CachedBeaconStateAltair, count: number) {
  const { epochCtx } = pre;
  const slot = pre.slot;
  const currentEpoch = Math.floor(slot / SLOTS_PER_EPOCH);
  const firstSlot = Math.max(currentEpoch - 1, 0) * SLOTS_PER_EPOCH;
  const attestations = [];
  for (let s = slot - 1; s >= firstSlot && attestations.length < count; s--) {
    const epoch = Math.floor(s / SLOTS_PER_EPOCH);
    const source =
      epoch === currentEpoch ? pre.currentJustifiedCheckpoint.toValue() : pre.previousJustifiedCheckpoint.toValue();
    const target = { epoch, root: pre.blockRoots.get((epoch * SLOTS_PER_EPOCH) % SLOTS_PER_HISTORICAL_ROOT) };
    const beaconBlockRoot = pre.blockRoots.get(s % SLOTS_PER_HISTORICAL_ROOT);
    const committees = epochCtx.getCommitteeCountPerSlot(epoch);
    for (let c = 0; c < committees && attestations.length < count; c++) {
      const committee = epochCtx.getBeaconCommittee(s, c);
      const bits = BitArray.fromBoolArray(new Array(committee.length).fill(true));
      attestations.push({
        aggregationBits: bits,
        data: { slot: s, index: c, beaconBlockRoot, source, target },
        signature: ZERO_SIGNATURE,
      });
    }
  }
  if (attestations.length < count) throw new Error(`only ${attestations.length} committees for ${count} attestations`);
  const body = ssz.altair.BeaconBlockBody.defaultValue();
  body.randaoReveal = ZERO_SIGNATURE;
  body.eth1Data = pre.eth1Data.toValue();
  body.attestations = attestations;
  const syncBits = body.syncAggregate.syncCommitteeBits;
  for (let i = 0; i < SYNC_COMMITTEE_SIZE; i++) syncBits.set(i, true);
  body.syncAggregate.syncCommitteeSignature = ZERO_SIGNATURE;
  return {
    slot,
    proposerIndex: epochCtx.getBeaconProposer(slot),
    parentRoot: ssz.phase0.BeaconBlockHeader.hashTreeRoot(pre.latestBlockHeader.toValue()),
    stateRoot: new Uint8Array(32),
    body,
  };
}

const EXTERNAL_DATA = {
  executionPayloadStatus: ExecutionPayloadStatus.preMerge,
  dataAvailabilityStatus: DataAvailabilityStatus.PreData,
};

export function lodestarProcessBlock(cs: CachedBeaconStateAltair, block: ReturnType<typeof buildLodestarBlock>): void {
  processBlock(ForkSeq.altair, cs, block as never, EXTERNAL_DATA, { verifySignatures: false });
}

/**
 * The epoch transition as Lodestar's `processSlots` runs it, in three timed parts:
 * `beforeProcessEpoch` + `processEpoch` (the rules), `hashTreeRoot`, and the epoch-cache rotation
 * (`afterProcessEpoch` + `finalProcessEpoch`: next shuffling, proposers, balances).
 */
export function lodestarEpochPhases(cs: CachedBeaconStateAltair, timed: (fn: () => void) => number): number[] {
  let cache!: ReturnType<typeof beforeProcessEpoch>;
  const epoch = timed(() => {
    cache = beforeProcessEpoch(cs);
    processEpoch(ForkSeq.altair, cs, cache);
  });
  const root = timed(() => {
    cs.hashTreeRoot();
  });
  cs.slot += 1;
  const rotate = timed(() => {
    cs.epochCtx.afterProcessEpoch(cs, cache);
    cs.epochCtx.finalProcessEpoch(cs, cache);
  });
  return [epoch, root, rotate];
}

/** Deserialize an Altair state and build its caches, the pubkey cache already synced (a running node's case). */
export function lodestarLoadState(chain: LodestarChain, bytes: Uint8Array): CachedBeaconStateAltair {
  const state = ssz.altair.BeaconState.deserializeToViewDU(bytes);
  return createCachedBeaconState(state, {
    config: chain.config,
    pubkeyCache: chain.pubkeyCache,
  }) as CachedBeaconStateAltair;
}

export function lodestarSerialize(cs: CachedBeaconStateAltair): Uint8Array {
  return cs.serialize();
}
