import { isValidPubkey } from "../bls/blsSpec.ts";
import { CachedBeaconState, type ChainCaches, createChainCaches } from "../cache/cachedBeaconState.ts";
import type { ChainContext } from "../config/chainContext.ts";
import { DeterministicExecutionEngine } from "../engine/deterministicEngine.ts";
import { TicketStateError } from "../errors/TicketStateError.ts";
import { FAR_FUTURE_EPOCH, GENESIS_EPOCH, GENESIS_SLOT } from "../params/constants.ts";
import { drawTicket } from "../slot/processTicketSlot.ts";
import { genesisTicketPrices, initializeCurveAtGenesis } from "../tickets/bondingCurve.ts";
import { selfBuildTicket } from "../tickets/ticketAssignment.ts";
import type { BeaconState, Buyer, ExecutionTicket, Validator } from "../types/index.ts";
import { hash } from "../util/hash.ts";

/** The interop convention's stand-in for the eth1 block hash that seeds the genesis RANDAO mixes. */
export const DEFAULT_GENESIS_SEED = new Uint8Array(32).fill(0x42);

export interface GenesisBuyer {
  pubkey: Uint8Array;
  balance: number;
  /** Tickets bought at genesis at INITIAL_TICKET_PRICE (debited from `balance`). */
  initialTickets?: number;
}

export interface GenesisOptions {
  genesisTime: number;
  validatorPubkeys: Uint8Array[];
  buyers: GenesisBuyer[];
  /** Seeds every RANDAO mix (default 0x42 repeated, as interop genesis does). */
  seed?: Uint8Array;
  caches?: ChainCaches;
}

/** BLS withdrawal credentials: 0x00 followed by hash(pubkey)[1:]. */
function blsWithdrawalCredentials(pubkey: Uint8Array): Uint8Array {
  const credentials = hash(pubkey).slice();
  credentials[0] = 0x00;
  return credentials;
}

/**
 * Genesis: every validator active at epoch 0 with MAX_EFFECTIVE_BALANCE; buyer accounts with
 * their balances and optional initial tickets in the pool; the genesis payload of the built-in
 * engine as `latest_block_hash`; and tickets already drawn for slots 1..TICKET_LOOKAHEAD_SLOTS.
 */
export function createGenesisState(ctx: ChainContext, opts: GenesisOptions): CachedBeaconState {
  const { preset, config, ssz } = ctx;
  if (opts.validatorPubkeys.length === 0) {
    throw new TicketStateError("GENESIS_NO_VALIDATORS", "genesis needs at least one validator", {});
  }
  for (const [index, pubkey] of opts.validatorPubkeys.entries()) {
    if (!isValidPubkey(pubkey)) {
      throw new TicketStateError("GENESIS_INVALID_VALIDATOR_PUBKEY", "validator pubkey is not a valid BLS public key", {
        index,
      });
    }
  }
  const validators: Validator[] = opts.validatorPubkeys.map((pubkey) => ({
    pubkey,
    withdrawal_credentials: blsWithdrawalCredentials(pubkey),
    effective_balance: preset.MAX_EFFECTIVE_BALANCE,
    slashed: false,
    activation_eligibility_epoch: GENESIS_EPOCH,
    activation_epoch: GENESIS_EPOCH,
    exit_epoch: FAR_FUTURE_EPOCH,
    withdrawable_epoch: FAR_FUTURE_EPOCH,
  }));

  const price = config.INITIAL_TICKET_PRICE;
  // Initial tickets are bought like any other: price plus collateral
  const cost = price + config.TICKET_COLLATERAL;
  const buyers: Buyer[] = [];
  const pool: ExecutionTicket[] = [];
  for (const [index, b] of opts.buyers.entries()) {
    if (!isValidPubkey(b.pubkey)) {
      throw new TicketStateError("GENESIS_INVALID_BUYER_PUBKEY", "buyer pubkey is not a valid BLS public key", {
        index,
      });
    }
    const count = b.initialTickets ?? 0;
    // Under bonding_curve the initial tickets climb the curve in order, each at its own point
    const prices = genesisTicketPrices(config, pool.length, count);
    const total = prices.reduce((sum, p) => sum + p, 0) + count * (cost - price);
    if (b.balance < total) {
      throw new TicketStateError("GENESIS_BUYER_BALANCE", "buyer cannot pay for its initial tickets", {
        index,
        balance: b.balance,
        cost: total,
      });
    }
    buyers.push({ pubkey: b.pubkey, balance: b.balance - total, nonce: 0 });
    for (let i = 0; i < count; i++) {
      pool.push({
        ticket_id: pool.length,
        owner: index,
        purchase_slot: GENESIS_SLOT,
        price: prices[i],
        collateral: config.TICKET_COLLATERAL,
        nonce: 0,
      });
    }
  }
  if (pool.length > preset.TICKET_POOL_LIMIT) {
    throw new TicketStateError("GENESIS_POOL_TOO_LARGE", "initial tickets exceed TICKET_POOL_LIMIT", {
      tickets: pool.length,
    });
  }

  const engine = new DeterministicExecutionEngine(ctx);
  const genesisPayload = engine.genesisPayload(opts.genesisTime);
  const seed = opts.seed ?? DEFAULT_GENESIS_SEED;

  const state: BeaconState = ssz.BeaconState.defaultValue();
  state.genesis_time = opts.genesisTime;
  state.slot = GENESIS_SLOT;
  state.fork = {
    previous_version: config.GENESIS_FORK_VERSION,
    current_version: config.GENESIS_FORK_VERSION,
    epoch: GENESIS_EPOCH,
  };
  state.latest_block_header = {
    ...state.latest_block_header,
    body_root: ssz.BeaconBlockBody.hashTreeRoot(ssz.BeaconBlockBody.defaultValue()),
  };
  state.validators = validators;
  state.balances = validators.map(() => preset.MAX_EFFECTIVE_BALANCE);
  state.randao_mixes = state.randao_mixes.map(() => seed);
  state.previous_epoch_participation = validators.map(() => 0);
  state.current_epoch_participation = validators.map(() => 0);
  state.inactivity_scores = validators.map(() => 0);
  state.genesis_validators_root = ssz.BeaconState.fields.validators.hashTreeRoot(validators);
  state.buyers = buyers;
  state.ticket_pool = pool;
  state.ticket_assignments = state.ticket_assignments.map((_, i) => ({ slot: i, ticket: selfBuildTicket() }));
  state.ticket_price = price;
  state.next_ticket_id = pool.length;
  initializeCurveAtGenesis(config, state);
  state.latest_block_hash = genesisPayload.block_hash;
  state.latest_payload_commitment = {
    ...state.latest_payload_commitment,
    block_hash: genesisPayload.block_hash,
    gas_limit: genesisPayload.gas_limit,
  };
  state.execution_payload_availability.set(GENESIS_SLOT, true);

  const cs = CachedBeaconState.create(ctx, ssz.BeaconState.toViewDU(state), opts.caches ?? createChainCaches());
  // Slot 0 has no block to build on; draw for slots 1..TICKET_LOOKAHEAD_SLOTS now
  for (let slot = GENESIS_SLOT + 1; slot <= preset.TICKET_LOOKAHEAD_SLOTS; slot++) drawTicket(cs, slot);
  // pi_pool_target's first step then sees no pool change
  if (config.TICKET_PRICING === "pi_pool_target")
    cs.state.ticket_pricing_previous_pool_size = cs.state.ticket_pool.length;
  cs.state.commit();
  return cs;
}
