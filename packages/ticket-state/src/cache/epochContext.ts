import type { ChainContext } from "../config/chainContext.ts";
import type { EpochTransitionCache } from "../epoch/epochTransitionCache.ts";
import { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER } from "../params/constants.ts";
import type { BeaconStateView } from "../types/index.ts";
import { bytesEqual, concatBytes, uintToBytes8 } from "../util/bytes.ts";
import { computeActivationExitEpoch, computeEpochAtSlot, computeStartSlotAtEpoch } from "../util/epoch.ts";
import { hash } from "../util/hash.ts";
import { bitFloor, integerSquareRoot } from "../util/math.ts";
import { readAllValues } from "../util/readAll.ts";
import { getSeed } from "../util/seed.ts";
import { isActiveValidator } from "../util/validator.ts";
import { computeProposerIndexNative } from "./nativeShuffle.ts";
import { prewarmShuffleWorker, ShuffleJob } from "./shuffleWorker.ts";
import { buildEpochShuffling, computeEpochShufflingFromSeed, type EpochShuffling } from "./shuffling.ts";
import { ShufflingCache, shufflingDecisionKey } from "./shufflingCache.ts";

type RegistryEpochs = { activation_epoch: number; exit_epoch: number };

/** Indices of the validators active at `epoch`. */
function activeIndicesAt(validators: readonly RegistryEpochs[], epoch: number): Uint32Array {
  const out = new Uint32Array(validators.length);
  let n = 0;
  for (let i = 0; i < validators.length; i++) {
    if (isActiveValidator(validators[i], epoch)) out[n++] = i;
  }
  return out.slice(0, n);
}

/**
 * The shuffle of the epoch after next, started when the epoch transition starts (see
 * `EpochContext.prepareNextShuffling`) and joined by the rotation, with the inputs it was started
 * from: the rotation uses it only if they equal its own.
 */
export interface PreparedShuffling {
  epoch: number;
  key: string | null;
  activeIndices: Uint32Array;
  seed: Uint8Array;
  job: ShuffleJob;
}

/** Same length and elements (the usual case is the same array). */
function sameIndices(a: Uint32Array, b: Uint32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Everything that is fixed for an epoch and dear to recompute: shufflings of the previous,
 * current and next epoch, the epoch's proposers, effective balances and reward bases.
 * Rebuilt from the state at each epoch transition, never the source of truth.
 * `exitQueueEpoch`/`exitQueueChurn` are the one mutable part: copied with the state.
 */
export class EpochContext {
  epoch = 0;
  previousShuffling!: EpochShuffling;
  currentShuffling!: EpochShuffling;
  /** The next epoch's shuffling once computed; until then `nextShufflingPending` computes it. */
  private nextShufflingValue: EpochShuffling | null = null;
  private nextShufflingPending: (() => EpochShuffling) | null = null;
  /** Proposer of each slot of the current epoch. */
  proposers: number[] = [];
  /** Effective balance of every validator, in EFFECTIVE_BALANCE_INCREMENTs. */
  effectiveBalanceIncrements: Uint16Array = new Uint16Array(0);
  totalActiveBalanceIncrements = 0;
  baseRewardPerIncrement = 0;
  churnLimit = 0;
  /** The latest exit epoch in use and how many exits it holds (the spec scans the registry for it). */
  exitQueueEpoch = 0;
  exitQueueChurn = 0;

  private readonly ctx: ChainContext;
  /** Shared by every state of the chain (copied by reference): see `ShufflingCache`. */
  private readonly shufflings: ShufflingCache;

  constructor(ctx: ChainContext, shufflings: ShufflingCache = new ShufflingCache()) {
    this.ctx = ctx;
    this.shufflings = shufflings;
  }

  /** Build from scratch: at genesis, or when loading a state. */
  static createFromState(ctx: ChainContext, state: BeaconStateView, shufflings?: ShufflingCache): EpochContext {
    const ec = new EpochContext(ctx, shufflings);
    const epoch = computeEpochAtSlot(ctx, state.slot);
    const previousEpoch = Math.max(epoch - 1, 0);
    const validators = readAllValues(state.validators);
    // Two shuffles of a large registry: the previous epoch's on the worker while this thread does the current one
    const previousIndices = activeIndicesAt(validators, previousEpoch);
    prewarmShuffleWorker(previousIndices.length);
    const previousPrepared =
      previousEpoch === epoch
        ? null
        : ec.prepareShuffling(state, previousEpoch, previousIndices, shufflingDecisionKey(ctx, state, previousEpoch));
    ec.currentShuffling = ec.shufflingFor(state, epoch, () => activeIndicesAt(validators, epoch));
    ec.previousShuffling = ec.shufflingFor(state, previousEpoch, () => previousIndices, previousPrepared);
    // The next shuffling waits for its first use (the next rotation, or a duty look-ahead): a
    // loaded state may never need it. What it depends on is read now, so later changes to the
    // state cannot reach it; the chain's cache shares the result between copies.
    const nextEpoch = epoch + 1;
    const nextKey = shufflingDecisionKey(ctx, state, nextEpoch);
    const nextIndices = activeIndicesAt(validators, nextEpoch);
    const nextSeed = getSeed(ctx, state, nextEpoch, DOMAIN_BEACON_ATTESTER);
    const cache = ec.shufflings;
    ec.nextShufflingPending = () =>
      cache.getOrCompute(nextKey, () => computeEpochShufflingFromSeed(ctx, nextSeed, nextIndices, nextEpoch));
    ec.refreshEpochValues(state, validators, epoch);
    return ec;
  }

  get nextShuffling(): EpochShuffling {
    if (this.nextShufflingValue === null) {
      const pending = this.nextShufflingPending;
      if (pending === null) throw new Error("epoch context has no next shuffling");
      this.nextShufflingValue = pending();
      this.nextShufflingPending = null;
    }
    return this.nextShufflingValue;
  }

  set nextShuffling(shuffling: EpochShuffling) {
    this.nextShufflingValue = shuffling;
    this.nextShufflingPending = null;
  }

  /**
   * Start shuffling epoch `epoch` (the current epoch + 2) off the main thread, from the state at the
   * start of its epoch transition; `afterProcessEpoch` joins it. Its inputs are final by then:
   * the seed reads the randao mix of the current epoch, which only blocks change (and
   * `process_randao_mixes_reset` writes the next epoch's entry), and `process_epoch` schedules
   * exits (and would schedule activations) no earlier than `compute_activation_exit_epoch`, i.e.
   * current + 1 + MAX_SEED_LOOKAHEAD > current + 2, so who is active at `epoch` cannot change.
   * The rotation still compares both inputs with its own before using the result.
   * Null when the chain's cache already holds that shuffling.
   */
  prepareNextShuffling(state: BeaconStateView, epoch: number, activeIndices: Uint32Array): PreparedShuffling | null {
    // As of the rotation's slot, the next one: the deciding block root is already recorded
    return this.prepareShuffling(
      state,
      epoch,
      activeIndices,
      shufflingDecisionKey(this.ctx, state, epoch, state.slot + 1),
    );
  }

  /** Start shuffling epoch `epoch` (off-thread for a large registry) unless the chain's cache holds it under `key`. */
  private prepareShuffling(
    state: BeaconStateView,
    epoch: number,
    activeIndices: Uint32Array,
    key: string | null,
  ): PreparedShuffling | null {
    if (this.shufflings.has(key)) return null;
    const seed = getSeed(this.ctx, state, epoch, DOMAIN_BEACON_ATTESTER);
    return {
      epoch,
      key,
      activeIndices,
      seed,
      job: new ShuffleJob(activeIndices, seed, this.ctx.preset.SHUFFLE_ROUND_COUNT),
    };
  }

  /**
   * Rotate the shufflings after an epoch transition: the state is now at the new epoch's first slot.
   * With the transition's cache (`processEpoch`'s result) nothing is read from the registry: the
   * next shuffling's active set and the new effective balances were collected during the
   * transition, and the exit queue only moves forward. Without it, everything is rebuilt from the state.
   */
  afterProcessEpoch(state: BeaconStateView, transition?: EpochTransitionCache): void {
    const epoch = computeEpochAtSlot(this.ctx, state.slot);
    const nextActive = transition?.nextShufflingActiveIndices;
    const prepared = transition?.preparedNextShuffling ?? null;
    const increments = transition?.nextEffectiveBalanceIncrements;
    if (
      transition === undefined ||
      transition.currentEpoch + 1 !== epoch ||
      nextActive == null ||
      increments == null ||
      increments.length !== this.effectiveBalanceIncrements.length
    ) {
      const validators = readAllValues(state.validators);
      this.previousShuffling = this.currentShuffling;
      this.currentShuffling = this.nextShuffling;
      this.nextShuffling = this.shufflingFor(state, epoch + 1, () => activeIndicesAt(validators, epoch + 1), prepared);
      this.refreshEpochValues(state, validators, epoch);
      return;
    }
    this.previousShuffling = this.currentShuffling;
    this.currentShuffling = this.nextShuffling;
    this.nextShuffling = this.shufflingFor(state, epoch + 1, () => nextActive, prepared);
    this.epoch = epoch;
    this.effectiveBalanceIncrements = increments;
    // Counted during the transition (exits it initiated start later than this epoch)
    this.setTotalActiveBalance(transition.nextEpochActiveIncrements);
    // The spec's exit queue is max(exit epochs, activation_exit_epoch(epoch)): the floor moved up
    const exitQueueFloor = computeActivationExitEpoch(this.ctx, epoch);
    if (exitQueueFloor > this.exitQueueEpoch) {
      this.exitQueueEpoch = exitQueueFloor;
      this.exitQueueChurn = 0;
    }
    this.proposers = this.computeProposers(state, epoch, increments);
  }

  /**
   * Epoch `epoch`'s shuffling from the chain's cache, or on a miss computed (and cached): joined
   * from `prepared` when that was started from the same epoch, key, seed and active set, else shuffled now.
   */
  private shufflingFor(
    state: BeaconStateView,
    epoch: number,
    activeIndices: () => Uint32Array,
    prepared: PreparedShuffling | null = null,
  ): EpochShuffling {
    const key = shufflingDecisionKey(this.ctx, state, epoch);
    return this.shufflings.getOrCompute(key, () => {
      const indices = activeIndices();
      const seed = getSeed(this.ctx, state, epoch, DOMAIN_BEACON_ATTESTER);
      if (
        prepared !== null &&
        prepared.epoch === epoch &&
        prepared.key === key &&
        bytesEqual(prepared.seed, seed) &&
        sameIndices(prepared.activeIndices, indices)
      ) {
        return buildEpochShuffling(this.ctx, indices, prepared.job.join(), epoch);
      }
      return computeEpochShufflingFromSeed(this.ctx, seed, indices, epoch);
    });
  }

  /** Total active balance (floored at one increment), base reward per increment and churn limit. */
  private setTotalActiveBalance(totalIncrements: number): void {
    const { EFFECTIVE_BALANCE_INCREMENT, BASE_REWARD_FACTOR } = this.ctx.preset;
    // get_total_active_balance floors at one increment to avoid division by zero
    this.totalActiveBalanceIncrements = Math.max(1, totalIncrements);
    this.baseRewardPerIncrement = Math.floor(
      (EFFECTIVE_BALANCE_INCREMENT * BASE_REWARD_FACTOR) /
        integerSquareRoot(this.totalActiveBalanceIncrements * EFFECTIVE_BALANCE_INCREMENT),
    );
    this.churnLimit = Math.max(
      this.ctx.config.MIN_PER_EPOCH_CHURN_LIMIT,
      Math.floor(this.currentShuffling.activeIndices.length / this.ctx.config.CHURN_LIMIT_QUOTIENT),
    );
  }

  private refreshEpochValues(
    state: BeaconStateView,
    validators: { effective_balance: number; activation_epoch: number; exit_epoch: number }[],
    epoch: number,
  ): void {
    const { EFFECTIVE_BALANCE_INCREMENT } = this.ctx.preset;
    this.epoch = epoch;
    const increments = new Uint16Array(validators.length);
    let total = 0;
    let exitQueueEpoch = computeActivationExitEpoch(this.ctx, epoch);
    let exitQueueChurn = 0;
    for (let i = 0; i < validators.length; i++) {
      const v = validators[i];
      increments[i] = Math.floor(v.effective_balance / EFFECTIVE_BALANCE_INCREMENT);
      if (isActiveValidator(v, epoch)) total += increments[i];
      if (v.exit_epoch !== Number.POSITIVE_INFINITY) {
        if (v.exit_epoch > exitQueueEpoch) {
          exitQueueEpoch = v.exit_epoch;
          exitQueueChurn = 1;
        } else if (v.exit_epoch === exitQueueEpoch) {
          exitQueueChurn++;
        }
      }
    }
    this.effectiveBalanceIncrements = increments;
    this.setTotalActiveBalance(total);
    this.exitQueueEpoch = exitQueueEpoch;
    this.exitQueueChurn = exitQueueChurn;
    this.proposers = this.computeProposers(state, epoch, increments);
  }

  /** `get_beacon_proposer_index` for every slot of `epoch` (Altair's 8-bit acceptance sampling). */
  private computeProposers(state: BeaconStateView, epoch: number, increments: Uint16Array): number[] {
    const { SLOTS_PER_EPOCH, MAX_EFFECTIVE_BALANCE, EFFECTIVE_BALANCE_INCREMENT, SHUFFLE_ROUND_COUNT } =
      this.ctx.preset;
    const indices = this.currentShuffling.activeIndices;
    const total = indices.length;
    const epochSeed = getSeed(this.ctx, state, epoch, DOMAIN_BEACON_PROPOSER);
    const proposers: number[] = [];
    const startSlot = computeStartSlotAtEpoch(this.ctx, epoch);
    for (let slot = startSlot; slot < startSlot + SLOTS_PER_EPOCH; slot++) {
      if (total === 0) {
        proposers.push(0);
        continue;
      }
      // seed = hash(get_seed(state, epoch, DOMAIN_BEACON_PROPOSER) + uint_to_bytes(state.slot))
      const seed = hash(concatBytes(epochSeed, uintToBytes8(slot)));
      // compute_proposer_index, natively; `proposerIndex.ts` keeps the spec version
      proposers.push(
        computeProposerIndexNative(
          seed,
          indices,
          increments,
          MAX_EFFECTIVE_BALANCE,
          EFFECTIVE_BALANCE_INCREMENT,
          SHUFFLE_ROUND_COUNT,
        ),
      );
    }
    return proposers;
  }

  copy(): EpochContext {
    const ec = new EpochContext(this.ctx);
    Object.assign(ec, this);
    return ec;
  }

  getBeaconProposer(slot: number): number {
    const epoch = computeEpochAtSlot(this.ctx, slot);
    if (epoch !== this.epoch) throw new RangeError(`proposer of slot ${slot} asked in epoch ${this.epoch}`);
    return this.proposers[slot % this.ctx.preset.SLOTS_PER_EPOCH];
  }

  getShufflingAtEpoch(epoch: number): EpochShuffling {
    if (epoch === this.epoch) return this.currentShuffling;
    if (epoch === this.epoch - 1 || (this.epoch === 0 && epoch === 0)) return this.previousShuffling;
    if (epoch === this.epoch + 1) return this.nextShuffling;
    throw new RangeError(`no shuffling for epoch ${epoch} at epoch ${this.epoch}`);
  }

  getCommitteeCountPerSlot(epoch: number): number {
    return this.getShufflingAtEpoch(epoch).committeesPerSlot;
  }

  /** `get_beacon_committee` */
  getBeaconCommittee(slot: number, index: number): Uint32Array {
    const shuffling = this.getShufflingAtEpoch(computeEpochAtSlot(this.ctx, slot));
    const committee = shuffling.committees[slot % this.ctx.preset.SLOTS_PER_EPOCH][index];
    if (committee === undefined) throw new RangeError(`no committee ${index} at slot ${slot}`);
    return committee;
  }

  /**
   * `get_ptc`: PTC_SIZE members of the slot's committees, an equal share from the first
   * `bit_floor(min(committees, PTC_SIZE))` committees, taken from each committee's front.
   * Shorter than PTC_SIZE when committees are smaller than their share (small devnets).
   */
  getPtc(slot: number): Uint32Array {
    const shuffling = this.getShufflingAtEpoch(computeEpochAtSlot(this.ctx, slot));
    const { PTC_SIZE, SLOTS_PER_EPOCH } = this.ctx.preset;
    const committeesPerSlot = bitFloor(Math.min(shuffling.committeesPerSlot, PTC_SIZE));
    const perCommittee = Math.floor(PTC_SIZE / committeesPerSlot);
    const members: number[] = [];
    for (let c = 0; c < committeesPerSlot; c++) {
      const committee = shuffling.committees[slot % SLOTS_PER_EPOCH][c];
      for (let i = 0; i < Math.min(perCommittee, committee.length); i++) members.push(committee[i]);
    }
    return Uint32Array.from(members);
  }

  getBaseReward(index: number): number {
    return this.effectiveBalanceIncrements[index] * this.baseRewardPerIncrement;
  }
}
