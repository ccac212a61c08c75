/**
 * What each `operations` handler does with its input: one table used by the runner and the
 * generator alike. An operation either returns (the state now is the post-state) or throws.
 */
import type { Type } from "@chainsafe/ssz";
import {
  BlockError,
  BlockErrorCode,
  type BlockProcessingContext,
  type CachedBeaconState,
  type ChainContext,
  type ExecutionEngine,
  PayloadStatus,
  processAttestation,
  processAttesterSlashing,
  processExecutionPayload,
  processPayloadAttestation,
  processPayloadCommitment,
  processProposerSlashing,
  processHolderSlashing,
  processTicketBid,
  processTicketFill,
  processTicketPurchase,
  processTicketSellBack,
  processTicketTransfer,
  processVoluntaryExit,
  type SignatureSet,
  verifySignatureSets,
} from "@turnstile/ticket-state";

export interface OperationOptions {
  /** Verify the signatures the operation collects (off only for `bls_setting: 2`). */
  verifySignatures: boolean;
  /** `execution.yaml`'s `execution_valid`: the execution engine's verdict on a payload (default true). */
  executionValid: boolean;
}

export interface OperationHandler {
  /** File stem of the input object: `<input>.ssz_snappy`. */
  input: string;
  /** SSZ type name of the input. */
  typeName: string;
  type(ctx: ChainContext): Type<unknown>;
  apply(cs: CachedBeaconState, value: unknown, opts: OperationOptions): void;
}

/** Verify a batch of collected sets; a failure is the block's INVALID_SIGNATURE, as in `stateTransition`. */
export function assertSignatureSets(sets: SignatureSet[]): void {
  const invalid = verifySignatureSets(sets);
  if (invalid >= 0) {
    throw new BlockError(BlockErrorCode.INVALID_SIGNATURE, `invalid ${sets[invalid].kind} signature`, {
      kind: sets[invalid].kind,
      setIndex: invalid,
    });
  }
}

/** Run a block rule with signature collection, then verify what it collected. */
function withSignatures(opts: OperationOptions, rule: (bctx: BlockProcessingContext) => void): void {
  const signatureSets: SignatureSet[] | null = opts.verifySignatures ? [] : null;
  rule({ signatureSets });
  if (signatureSets !== null) assertSignatureSets(signatureSets);
}

/** The engine a vector's payload meets: it answers what `execution.yaml` says. */
export function vectorEngine(executionValid: boolean): ExecutionEngine {
  return { notifyNewPayload: () => (executionValid ? PayloadStatus.VALID : PayloadStatus.INVALID) };
}

// biome-ignore lint/suspicious/noExplicitAny: each entry narrows the input to its own type
type Any = any;

function handler<T>(
  input: string,
  typeName: string,
  type: (ctx: ChainContext) => Type<T>,
  apply: (cs: CachedBeaconState, value: T, opts: OperationOptions) => void,
): OperationHandler {
  return { input, typeName, type: type as (ctx: ChainContext) => Type<unknown>, apply: apply as Any };
}

export const OPERATION_HANDLERS: Record<string, OperationHandler> = {
  ticket_bid: handler(
    "ticket_bid",
    "SignedTicketBid",
    (ctx) => ctx.ssz.SignedTicketBid,
    (cs, op, opts) => withSignatures(opts, (bctx) => processTicketBid(cs, op, bctx)),
  ),
  attestation: handler(
    "attestation",
    "Attestation",
    (ctx) => ctx.ssz.Attestation,
    (cs, op, opts) => withSignatures(opts, (bctx) => processAttestation(cs, op, bctx)),
  ),
  attester_slashing: handler(
    "attester_slashing",
    "AttesterSlashing",
    (ctx) => ctx.ssz.AttesterSlashing,
    (cs, op, opts) => withSignatures(opts, (bctx) => processAttesterSlashing(cs, op, bctx)),
  ),
  proposer_slashing: handler(
    "proposer_slashing",
    "ProposerSlashing",
    (ctx) => ctx.ssz.ProposerSlashing,
    (cs, op, opts) => withSignatures(opts, (bctx) => processProposerSlashing(cs, op, bctx)),
  ),
  voluntary_exit: handler(
    "voluntary_exit",
    "SignedVoluntaryExit",
    (ctx) => ctx.ssz.SignedVoluntaryExit,
    (cs, op, opts) => withSignatures(opts, (bctx) => processVoluntaryExit(cs, op, bctx)),
  ),
  ticket_purchase: handler(
    "ticket_purchase",
    "SignedTicketPurchase",
    (ctx) => ctx.ssz.SignedTicketPurchase,
    (cs, op, opts) => withSignatures(opts, (bctx) => processTicketPurchase(cs, op, bctx)),
  ),
  ticket_transfer: handler(
    "ticket_transfer",
    "SignedTicketTransfer",
    (ctx) => ctx.ssz.SignedTicketTransfer,
    (cs, op, opts) => withSignatures(opts, (bctx) => processTicketTransfer(cs, op, bctx)),
  ),
  ticket_fill: handler(
    "ticket_fill",
    "SignedTicketFill",
    (ctx) => ctx.ssz.SignedTicketFill,
    (cs, op, opts) => withSignatures(opts, (bctx) => processTicketFill(cs, op, bctx)),
  ),
  holder_slashing: handler(
    "holder_slashing",
    "HolderSlashing",
    (ctx) => ctx.ssz.HolderSlashing,
    (cs, op, opts) => withSignatures(opts, (bctx) => processHolderSlashing(cs, op, bctx)),
  ),
  ticket_sell_back: handler(
    "ticket_sell_back",
    "SignedTicketSellBack",
    (ctx) => ctx.ssz.SignedTicketSellBack,
    (cs, op, opts) => withSignatures(opts, (bctx) => processTicketSellBack(cs, op, bctx)),
  ),
  payload_commitment: handler(
    "block",
    "BeaconBlock",
    (ctx) => ctx.ssz.BeaconBlock,
    (cs, block, opts) => withSignatures(opts, (bctx) => processPayloadCommitment(cs, block, bctx)),
  ),
  payload_attestation: handler(
    "payload_attestation",
    "PayloadAttestation",
    (ctx) => ctx.ssz.PayloadAttestation,
    (cs, op, opts) => withSignatures(opts, (bctx) => processPayloadAttestation(cs, op, bctx)),
  ),
  execution_payload: handler(
    "signed_envelope",
    "SignedExecutionPayloadEnvelope",
    (ctx) => ctx.ssz.SignedExecutionPayloadEnvelope,
    (cs, envelope, opts) =>
      processExecutionPayload(cs, envelope, vectorEngine(opts.executionValid), {
        verifySignature: opts.verifySignatures,
        verifyStateRoot: true,
      }),
  ),
};
