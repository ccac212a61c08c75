import type { SecretKey } from "@chainsafe/blst";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DEFAULT_GAS_LIMIT, type DeterministicExecutionEngine } from "../engine/deterministicEngine.ts";
import { DOMAIN_PAYLOAD_COMMITMENT } from "../params/constants.ts";
import { getTicketAssignment, isSelfBuild } from "../tickets/ticketAssignment.ts";
import type { ExecutionPayload, SignedExecutionPayloadCommitment } from "../types/index.ts";
import { ExecutionPayloadCommitment } from "../types/sszTypes.ts";
import { computeEpochAtSlot, computeTimestampAtSlot } from "../util/epoch.ts";
import { getRandaoMix } from "../util/seed.ts";
import { signObject } from "./signObject.ts";

/** Fee recipient the built-in agents put in payloads: self-builds and ticket holders are told apart. */
export const SELF_BUILD_FEE_RECIPIENT = new Uint8Array(20).fill(0xaa);
export const HOLDER_FEE_RECIPIENT = new Uint8Array(20).fill(0xbb);

export interface BuildCommitmentOptions {
  /** The slot's inclusion list: the engine appends each transaction that is valid and fits. */
  inclusionListTransactions?: readonly Uint8Array[];
  /** The payload's gas limit (default `DEFAULT_GAS_LIMIT`). */
  gasLimit?: number;
}

/**
 * Build the payload of `slot` and sign a commitment to it, on `pre`: the state of the parent the
 * block will build on, advanced to `slot`. Everything committed is known before the block exists
 * (parent hash and root, the RANDAO mix before the block's reveal, the slot's timestamp), so a
 * ticket holder can commit ahead of the slot and a proposer can self-build alike. The slot's
 * inclusion list, when there is one, goes to the engine, which appends what is valid and fits.
 */
export function buildCommitment(
  pre: CachedBeaconState,
  slot: number,
  signer: SecretKey,
  engine: DeterministicExecutionEngine,
  options: BuildCommitmentOptions = {},
): { commitment: SignedExecutionPayloadCommitment; payload: ExecutionPayload } {
  const { ctx, state } = pre;
  const epoch = computeEpochAtSlot(ctx, slot);
  const ticket = getTicketAssignment(ctx, state, slot);
  const prevRandao = getRandaoMix(ctx, state, epoch);
  const payload = engine.buildPayload({
    parentHash: state.latest_block_hash,
    feeRecipient: isSelfBuild(ticket) ? SELF_BUILD_FEE_RECIPIENT : HOLDER_FEE_RECIPIENT,
    gasLimit: options.gasLimit ?? DEFAULT_GAS_LIMIT,
    timestamp: computeTimestampAtSlot(ctx, state.genesis_time, slot),
    prevRandao,
    slot,
    inclusionListTransactions: options.inclusionListTransactions,
  });
  const message = {
    slot,
    ticket_id: ticket.ticket_id,
    parent_block_hash: state.latest_block_hash,
    parent_block_root: state.latest_block_header.hashTreeRoot(),
    block_hash: payload.block_hash,
    prev_randao: prevRandao,
    fee_recipient: payload.fee_recipient,
    gas_limit: payload.gas_limit,
  };
  const signature = signObject(pre, signer, ExecutionPayloadCommitment, message, DOMAIN_PAYLOAD_COMMITMENT, epoch);
  return { commitment: { message, signature }, payload };
}
