import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_VALIDATOR_TICKET_GRANT, GENESIS_EPOCH, TIMELY_TARGET_FLAG_INDEX } from "../params/constants.ts";
import { mintTicket } from "../tickets/mintTicket.ts";
import { Buyer } from "../types/sszTypes.ts";
import { bytesToUint64, concatBytes, uintToBytes8 } from "../util/bytes.ts";
import { hash } from "../util/hash.ts";
import { getSeed } from "../util/seed.ts";
import { type EpochTransitionCache, hasFlag } from "./epochTransitionCache.ts";

/**
 * `get_or_create_validator_buyer`: the buyer account that holds a validator's granted tickets: the
 * lowest-indexed account with the validator's pubkey, created (balance 0, nonce 0) on its first
 * grant. The validator then signs commitments, offers and transfers with its validator key.
 * Returns -1 when the buyer registry is full.
 */
export function getOrCreateValidatorBuyer(
  cs: CachedBeaconState,
  validatorIndex: number,
  batch?: { scanned: boolean },
): number {
  const { state, ctx } = cs;
  const pubkey = state.validators.getReadonly(validatorIndex).pubkey;
  const found = cs.caches.buyers.find(state, pubkey, batch);
  if (found >= 0) return found;
  if (state.buyers.length >= ctx.preset.BUYER_REGISTRY_LIMIT) return -1;
  const index = state.buyers.length;
  state.buyers.push(Buyer.toViewDU({ pubkey, balance: 0, nonce: 0 }));
  cs.caches.buyers.note(pubkey, index);
  return index;
}

/** The first index whose cumulative weight exceeds `target` (`cumulative` is increasing). */
function searchCumulative(cumulative: Float64Array, length: number, target: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `process_validator_ticket_grants`: with VALIDATOR_TICKET_GRANTS_PER_EPOCH > 0, that many new
 * tickets are minted at the epoch transition to validators sampled (with replacement) in
 * proportion to effective balance among the unslashed ones that earned the timely-target flag in
 * the previous epoch, draw k by `hash(get_seed(state, current_epoch, DOMAIN_VALIDATOR_TICKET_GRANT)
 * || uint_to_bytes(k))`. A granted ticket carries price 0 (no revenue when used) and no collateral;
 * it joins the pool like a bought one. Grants that find the pool full lapse.
 */
export function processValidatorTicketGrants(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const { state, ctx, epochCtx } = cs;
  const grants = ctx.config.VALIDATOR_TICKET_GRANTS_PER_EPOCH;
  if (grants === 0 || cache.currentEpoch === GENESIS_EPOCH) return;
  // Typed arrays sized once: the registry is walked every epoch
  const n = cache.validators.length;
  const candidates = new Uint32Array(n);
  const cumulative = new Float64Array(n);
  let count = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (cache.isEligible[i] === 0 || cache.isSlashed[i] === 1) continue;
    if (!hasFlag(cache.previousParticipation[i], TIMELY_TARGET_FLAG_INDEX)) continue;
    total += epochCtx.effectiveBalanceIncrements[i];
    candidates[count] = i;
    cumulative[count] = total;
    count++;
  }
  if (total === 0) return;
  const seed = getSeed(ctx, state, cache.currentEpoch, DOMAIN_VALIDATOR_TICKET_GRANT);
  // One registry scan at most for the whole batch of grants (see BuyerLocator.find)
  const batch = { scanned: false };
  for (let k = 0; k < grants; k++) {
    if (state.ticket_pool.length >= ctx.preset.TICKET_POOL_LIMIT) return;
    const draw = Number(bytesToUint64(hash(concatBytes(seed, uintToBytes8(k)))) % BigInt(total));
    const validatorIndex = candidates[searchCumulative(cumulative, count, draw)];
    const owner = getOrCreateValidatorBuyer(cs, validatorIndex, batch);
    if (owner < 0) return;
    mintTicket(cs, owner, 0, 0);
  }
}
