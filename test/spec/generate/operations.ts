/**
 * `operations`: one block operation (or one payload envelope) applied to a pre-state. Valid
 * cases carry `post`; invalid ones do not, and name the error code they must fail with in
 * `meta.yaml` (`expected_error`, a Turnstile extension). Every case is checked here as the
 * runner will check it: the pre-state is serialized and loaded back before the operation runs.
 */
import { BitArray } from "@chainsafe/ssz";
import {
  type Attestation,
  type AttestationData,
  type BeaconBlock,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_PAYLOAD_COMMITMENT,
  DOMAIN_PAYLOAD_ENVELOPE,
  DOMAIN_PTC_ATTESTER,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  DOMAIN_VOLUNTARY_EXIT,
  type ExecutionTicket,
  G2_POINT_AT_INFINITY,
  getTicketAssignment,
  type IndexedAttestation,
  isSelfBuild,
  type PayloadAttestation,
  type PayloadAttestationData,
  processBlockHeader,
  processSlotsCopy,
  processVoluntaryExit,
  readAllValues,
  SELF_BUILD_TICKET_ID,
  type SignedBeaconBlock,
  type SignedBeaconBlockHeader,
  type SignedExecutionPayloadEnvelope,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
  type SignedVoluntaryExit,
  sszTypes,
  stateTransition,
  type TicketPurchase,
  type TicketTransfer,
} from "@turnstile/ticket-state";
import { aggregateSignatureBytes, type DevChain, signObject } from "@turnstile/ticket-state/dev";
import { CaseFiles } from "../lib/files.ts";
import { OPERATION_HANDLERS } from "../lib/operations.ts";
import type { PresetName } from "../lib/paths.ts";
import type { YamlValue } from "../lib/yaml.ts";
import { ticketBidCases } from "./auctions.ts";
import { addConfig, expectError, mutated, reload, SUITE, serializeState } from "./common.ts";
import { marketChain, type RecordedChain, recordAt } from "./fixtures.ts";
import { holderSlashingCases, ticketFillCases } from "./holders.ts";
import type { Output } from "./output.ts";
import { ticketSellBackCases } from "./pricing.ts";

interface CaseOptions {
  /** 1 when the case's outcome depends on a signature (BLS must be on). */
  blsSetting?: number;
  /** execution_payload only: the engine's verdict (default true). */
  executionValid?: boolean;
}

/** Writes the cases of one handler, checking each as the runner will. */
export class OperationCases {
  private readonly out: Output;
  private readonly preset: PresetName;
  private readonly handler: string;

  constructor(out: Output, preset: PresetName, handler: string) {
    this.out = out;
    this.preset = preset;
    this.handler = handler;
  }

  valid(name: string, description: string, pre: CachedBeaconState, input: unknown, opts: CaseOptions = {}): void {
    this.write(name, description, pre, input, undefined, opts);
  }

  invalid(
    name: string,
    description: string,
    pre: CachedBeaconState,
    input: unknown,
    expectedError: string,
    opts: CaseOptions = {},
  ): void {
    this.write(name, description, pre, input, expectedError, opts);
  }

  private write(
    name: string,
    description: string,
    pre: CachedBeaconState,
    input: unknown,
    expectedError: string | undefined,
    opts: CaseOptions,
  ): void {
    const handler = OPERATION_HANDLERS[this.handler];
    const type = handler.type(pre.ctx);
    const preBytes = serializeState(pre);
    const label = `operations/${this.handler}/${name}`;
    const files = new CaseFiles();
    const meta: Record<string, YamlValue> = { description };
    if (opts.blsSetting !== undefined) meta.bls_setting = opts.blsSetting;
    if (expectedError !== undefined) meta.expected_error = expectedError;
    files.yaml("meta", meta);
    addConfig(files, this.preset, pre.ctx.config);
    files.sszBytes("pre", preBytes);
    files.ssz(handler.input, type, input);
    const executionValid = opts.executionValid ?? true;
    if (this.handler === "execution_payload") files.yaml("execution", { execution_valid: executionValid });
    // what the runner does: decode, apply, compare
    const cs = reload(pre);
    const decoded = type.deserialize(type.serialize(input));
    const apply = () => handler.apply(cs, decoded, { verifySignatures: true, executionValid });
    if (expectedError === undefined) {
      try {
        apply();
      } catch (e) {
        throw new Error(`${label}: valid case failed: ${String(e)}`, { cause: e });
      }
      files.sszBytes("post", serializeState(cs));
    } else {
      expectError(label, expectedError, apply);
    }
    this.out.add(this.preset, "operations", this.handler, SUITE, name, files);
  }
}

// ---- signing helpers ----

function signPurchase(chain: DevChain, cs: CachedBeaconState, message: TicketPurchase, signer = message.buyer_index) {
  const sk = chain.buyerKeys[signer];
  const epoch = computeEpochAtSlot(cs.ctx, cs.state.slot);
  return {
    message,
    signature: signObject(cs, sk, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch),
  } satisfies SignedTicketPurchase;
}

function signTransfer(chain: DevChain, cs: CachedBeaconState, message: TicketTransfer, signer = message.from) {
  const epoch = computeEpochAtSlot(cs.ctx, cs.state.slot);
  return {
    message,
    signature: signObject(cs, chain.buyerKeys[signer], sszTypes.TicketTransfer, message, DOMAIN_TICKET_TRANSFER, epoch),
  } satisfies SignedTicketTransfer;
}

function signHeader(
  chain: DevChain,
  cs: CachedBeaconState,
  header: SignedBeaconBlockHeader["message"],
  signer = header.proposer_index,
): SignedBeaconBlockHeader {
  const epoch = computeEpochAtSlot(cs.ctx, header.slot);
  const sk = chain.validatorKeys[signer];
  return {
    message: header,
    signature: signObject(cs, sk, sszTypes.BeaconBlockHeader, header, DOMAIN_BEACON_PROPOSER, epoch),
  };
}

function signIndexed(chain: DevChain, cs: CachedBeaconState, indices: number[], data: AttestationData) {
  const sigs = [...new Set(indices)].map((i) =>
    signObject(cs, chain.validatorKeys[i], sszTypes.AttestationData, data, DOMAIN_BEACON_ATTESTER, data.target.epoch),
  );
  return { attesting_indices: indices, data, signature: aggregateSignatureBytes(sigs) } satisfies IndexedAttestation;
}

function signExit(chain: DevChain, cs: CachedBeaconState, epoch: number, index: number, signer = index) {
  const message = { epoch, validator_index: index };
  const sk = chain.validatorKeys[signer];
  return {
    message,
    signature: signObject(cs, sk, sszTypes.VoluntaryExit, message, DOMAIN_VOLUNTARY_EXIT, epoch),
  } satisfies SignedVoluntaryExit;
}

/**
 * An attestation by chosen members of `data.slot`'s committees: `members[c]` lists positions in
 * committee `c` (committees not listed are not named in `committee_bits`).
 */
function buildAttestation(
  chain: DevChain,
  cs: CachedBeaconState,
  data: AttestationData,
  members: Map<number, number[]>,
): Attestation {
  const { ctx } = cs;
  const committeeBits = BitArray.fromBitLen(ctx.preset.MAX_COMMITTEES_PER_SLOT);
  const bits: boolean[] = [];
  const sigs: Uint8Array[] = [];
  for (const c of [...members.keys()].sort((a, b) => a - b)) {
    const committee = cs.epochCtx.getBeaconCommittee(data.slot, c);
    committeeBits.set(c, true);
    const chosen = new Set(members.get(c));
    for (let i = 0; i < committee.length; i++) {
      bits.push(chosen.has(i));
      if (chosen.has(i)) {
        sigs.push(
          signObject(
            cs,
            chain.validatorKeys[committee[i]],
            sszTypes.AttestationData,
            data,
            DOMAIN_BEACON_ATTESTER,
            data.target.epoch,
          ),
        );
      }
    }
  }
  return {
    aggregation_bits: BitArray.fromBoolArray(bits),
    data,
    signature: sigs.length > 0 ? aggregateSignatureBytes(sigs) : G2_POINT_AT_INFINITY,
    committee_bits: committeeBits,
  };
}

function allMembers(cs: CachedBeaconState, slot: number): Map<number, number[]> {
  const count = cs.epochCtx.getCommitteeCountPerSlot(computeEpochAtSlot(cs.ctx, slot));
  const members = new Map<number, number[]>();
  for (let c = 0; c < count; c++) members.set(c, [...cs.epochCtx.getBeaconCommittee(slot, c).keys()]);
  return members;
}

function signPayloadAttestation(
  chain: DevChain,
  cs: CachedBeaconState,
  data: PayloadAttestationData,
  positions: number[],
  signingData: PayloadAttestationData = data,
): PayloadAttestation {
  const ptc = cs.epochCtx.getPtc(data.slot);
  const bits = BitArray.fromBitLen(cs.ctx.preset.PTC_SIZE);
  const epoch = computeEpochAtSlot(cs.ctx, data.slot);
  const sigs: Uint8Array[] = [];
  for (const p of positions) {
    bits.set(p, true);
    const sk = chain.validatorKeys[ptc[p] ?? 0];
    sigs.push(signObject(cs, sk, sszTypes.PayloadAttestationData, signingData, DOMAIN_PTC_ATTESTER, epoch));
  }
  return {
    aggregation_bits: bits,
    data,
    signature: sigs.length > 0 ? aggregateSignatureBytes(sigs) : G2_POINT_AT_INFINITY,
  };
}

function cloneBlock(cs: CachedBeaconState, block: BeaconBlock): BeaconBlock {
  return cs.ctx.ssz.BeaconBlock.clone(block);
}

function resignCommitment(cs: CachedBeaconState, block: BeaconBlock, sk: DevChain["buyerKeys"][0]) {
  const message = block.body.signed_payload_commitment.message;
  block.body.signed_payload_commitment.signature = signObject(
    cs,
    sk,
    sszTypes.ExecutionPayloadCommitment,
    message,
    DOMAIN_PAYLOAD_COMMITMENT,
    computeEpochAtSlot(cs.ctx, message.slot),
  );
}

// ---- the state the market chain leaves, and where its tickets are ----

export interface MarketView {
  recorded: RecordedChain;
  chain: DevChain;
  /** Head slot of the recorded chain. */
  headSlot: number;
  /** The state at the next slot (head advanced through process_slots), before any block. */
  next: CachedBeaconState;
}

export function marketView(preset: PresetName): MarketView {
  const recorded = marketChain(preset);
  const chain = recorded.chain;
  return { recorded, chain, headSlot: chain.slot, next: processSlotsCopy(chain.head, chain.slot + 1) };
}

/** First slot after the head (within the lookahead) whose assignment satisfies `test`. */
function findSlot(view: MarketView, test: (ticket: ExecutionTicket) => boolean): number {
  const { chain } = view;
  for (let slot = chain.slot + 1; slot <= chain.slot + chain.ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    if (test(getTicketAssignment(chain.ctx, chain.head.state, slot))) return slot;
  }
  throw new Error("no slot in the lookahead has the assignment asked for");
}

// ---- handlers ----

function ticketPurchase(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "ticket_purchase");
  const { chain, next } = marketView(preset);
  // a round price (0.005 ETH), so that debits can be checked by hand
  const pre = mutated(next, (cs) => {
    cs.state.ticket_price = 5_000_000;
  });
  const price = pre.state.ticket_price;
  const buyer = (i: number) => pre.state.buyers.getReadonly(i);
  const msg = (buyerIndex: number, count: number, maxPrice: number, nonce = buyer(buyerIndex).nonce) => ({
    buyer_index: buyerIndex,
    nonce,
    count,
    max_price: maxPrice,
  });
  w.valid("buy_one", "one ticket at the current price", pre, signPurchase(chain, pre, msg(0, 1, price)));
  if (preset === "mainnet") {
    w.invalid(
      "invalid_price_above_max",
      "ticket price one Gwei above max_price",
      pre,
      signPurchase(chain, pre, msg(0, 1, price - 1)),
      "TICKET_PRICE_ABOVE_MAX",
    );
    return;
  }
  const max = pre.ctx.preset.MAX_TICKETS_PER_PURCHASE;
  w.valid(
    "buy_max_count",
    `MAX_TICKETS_PER_PURCHASE (${max}) tickets`,
    pre,
    signPurchase(chain, pre, msg(3, max, 10 * price)),
  );
  w.valid(
    "max_price_above_price",
    "max_price far above the price: the current price is paid",
    pre,
    signPurchase(chain, pre, msg(2, 3, 1_000_000_000_000)),
  );
  w.valid(
    "buy_with_exact_balance",
    "the balance covers exactly count × price and drops to 0",
    mutated(pre, (cs) => {
      cs.state.buyers.get(3).balance = 3 * price;
    }),
    signPurchase(chain, pre, msg(3, 3, price)),
  );
  w.valid(
    "second_purchase_of_account",
    "an account that bought before (nonce > 0)",
    pre,
    signPurchase(chain, pre, msg(0, 2, price)),
  );
  const unknown = { buyer_index: pre.state.buyers.length, nonce: 0, count: 1, max_price: price };
  w.invalid(
    "invalid_unknown_buyer",
    "buyer_index past the registry",
    pre,
    {
      message: unknown,
      signature: signPurchase(chain, pre, { ...unknown, buyer_index: 0 }).signature,
    },
    "TICKET_UNKNOWN_BUYER",
  );
  w.invalid(
    "invalid_nonce_too_high",
    "nonce one above the account's",
    pre,
    signPurchase(chain, pre, msg(1, 1, price, buyer(1).nonce + 1)),
    "TICKET_WRONG_NONCE",
  );
  w.invalid(
    "invalid_nonce_replayed",
    "nonce of an earlier purchase (replay)",
    pre,
    signPurchase(chain, pre, msg(0, 1, price, buyer(0).nonce - 1)),
    "TICKET_WRONG_NONCE",
  );
  w.invalid("invalid_count_zero", "count 0", pre, signPurchase(chain, pre, msg(1, 0, price)), "TICKET_BAD_COUNT");
  w.invalid(
    "invalid_count_above_max",
    "count MAX_TICKETS_PER_PURCHASE + 1",
    pre,
    signPurchase(chain, pre, msg(1, max + 1, price)),
    "TICKET_BAD_COUNT",
  );
  w.invalid(
    "invalid_price_above_max",
    "ticket price one Gwei above max_price",
    pre,
    signPurchase(chain, pre, msg(1, 1, price - 1)),
    "TICKET_PRICE_ABOVE_MAX",
  );
  w.invalid(
    "invalid_insufficient_balance",
    "balance one Gwei short of count × price",
    mutated(pre, (cs) => {
      cs.state.buyers.get(3).balance = 3 * price - 1;
    }),
    signPurchase(chain, pre, msg(3, 3, price)),
    "TICKET_INSUFFICIENT_BALANCE",
  );
  const limit = pre.ctx.preset.TICKET_POOL_LIMIT;
  const fullPool = mutated(pre, (cs) => {
    const pool = cs.state.ticket_pool;
    while (pool.length < limit - 1) {
      const id = cs.state.next_ticket_id;
      pool.push(
        sszTypes.ExecutionTicket.toViewDU({
          ticket_id: id,
          owner: 2,
          purchase_slot: cs.state.slot,
          price,
          collateral: 0,
          nonce: 0,
        }),
      );
      cs.state.next_ticket_id = id + 1;
    }
  });
  w.valid(
    "fill_pool_to_limit",
    `pool at TICKET_POOL_LIMIT - 1; one more ticket fills it`,
    fullPool,
    signPurchase(chain, pre, msg(1, 1, price)),
  );
  w.invalid(
    "invalid_pool_full",
    "pool at TICKET_POOL_LIMIT - 1; two tickets do not fit",
    fullPool,
    signPurchase(chain, pre, msg(1, 2, price)),
    "TICKET_POOL_FULL",
  );
  w.invalid(
    "invalid_signature_other_account",
    "signed by another buyer's key",
    pre,
    signPurchase(chain, pre, msg(1, 1, price), 2),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  w.invalid(
    "invalid_signature_other_message",
    "the signature is over a different count",
    pre,
    {
      message: msg(1, 2, price),
      signature: signPurchase(chain, pre, msg(1, 1, price)).signature,
    },
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

/** Tickets of a state: pooled ones, and those assigned to slots after the current one. */
export function ticketsOf(cs: CachedBeaconState) {
  const pooled = readAllValues(cs.state.ticket_pool);
  const future: { slot: number; ticket: ExecutionTicket }[] = [];
  for (let slot = cs.state.slot + 1; slot <= cs.state.slot + cs.ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    const ticket = getTicketAssignment(cs.ctx, cs.state, slot);
    if (!isSelfBuild(ticket)) future.push({ slot, ticket });
  }
  const current = getTicketAssignment(cs.ctx, cs.state, cs.state.slot);
  const live = new Set([
    ...pooled.map((t) => t.ticket_id),
    ...future.map((f) => f.ticket.ticket_id),
    current.ticket_id,
  ]);
  let used = -1;
  for (let id = 0; id < cs.state.next_ticket_id; id++) {
    if (!live.has(id)) {
      used = id;
      break;
    }
  }
  return { pooled, future, current, used };
}

function ticketTransfer(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "ticket_transfer");
  const { chain, next: pre } = marketView(preset);
  const { pooled, future, current, used } = ticketsOf(pre);
  const nonce = (i: number) => pre.state.buyers.getReadonly(i).nonce;
  const other = (i: number) => (i + 1) % pre.state.buyers.length;
  const msg = (ticketId: number, from: number, to: number, n = nonce(from)) => ({
    ticket_id: ticketId,
    from,
    to,
    nonce: n,
  });
  const p = pooled[0];
  const f = future[future.length - 1];
  w.valid(
    "transfer_pooled_ticket",
    "a pooled ticket changes owner",
    pre,
    signTransfer(chain, pre, msg(p.ticket_id, p.owner, other(p.owner))),
  );
  w.valid(
    "transfer_assigned_ticket",
    `a ticket already drawn for slot ${f.slot} (a later slot) changes owner`,
    pre,
    signTransfer(chain, pre, msg(f.ticket.ticket_id, f.ticket.owner, other(f.ticket.owner))),
  );
  const n = future[0];
  w.valid(
    "transfer_ticket_of_next_slot",
    `the ticket drawn for the next slot (${n.slot}) is still transferable`,
    pre,
    signTransfer(chain, pre, msg(n.ticket.ticket_id, n.ticket.owner, other(n.ticket.owner))),
  );
  const count = pre.state.buyers.length;
  w.invalid(
    "invalid_unknown_recipient",
    "`to` past the buyer registry",
    pre,
    signTransfer(chain, pre, msg(p.ticket_id, p.owner, count)),
    "TICKET_UNKNOWN_BUYER",
  );
  w.invalid(
    "invalid_unknown_sender",
    "`from` past the buyer registry",
    pre,
    {
      message: msg(p.ticket_id, count, p.owner, 0),
      signature: signTransfer(chain, pre, msg(p.ticket_id, p.owner, other(p.owner))).signature,
    },
    "TICKET_UNKNOWN_BUYER",
  );
  w.invalid(
    "invalid_self_transfer",
    "from == to",
    pre,
    signTransfer(chain, pre, msg(p.ticket_id, p.owner, p.owner)),
    "TICKET_SELF_TRANSFER",
  );
  w.invalid(
    "invalid_nonce",
    "nonce one above the sender's",
    pre,
    signTransfer(chain, pre, msg(p.ticket_id, p.owner, other(p.owner), nonce(p.owner) + 1)),
    "TICKET_WRONG_NONCE",
  );
  w.invalid(
    "invalid_ticket_never_sold",
    "ticket_id not yet issued (>= next_ticket_id)",
    pre,
    signTransfer(chain, pre, msg(pre.state.next_ticket_id + 5, p.owner, other(p.owner))),
    "TICKET_UNKNOWN",
  );
  if (used >= 0) {
    w.invalid(
      "invalid_ticket_already_used",
      `ticket ${used} was used in an earlier slot`,
      pre,
      signTransfer(chain, pre, msg(used, 0, 1)),
      "TICKET_UNKNOWN",
    );
  }
  if (!isSelfBuild(current)) {
    w.invalid(
      "invalid_ticket_in_use",
      `the ticket assigned to the current slot (${pre.state.slot}) can no longer change hands`,
      pre,
      signTransfer(chain, pre, msg(current.ticket_id, current.owner, other(current.owner))),
      "TICKET_NOT_TRANSFERABLE",
    );
  }
  const notOwner = other(p.owner);
  w.invalid(
    "invalid_not_owner",
    "`from` is not the ticket's owner (and signs for itself)",
    pre,
    signTransfer(chain, pre, msg(p.ticket_id, notOwner, other(notOwner))),
    "TICKET_NOT_OWNER",
  );
  w.invalid(
    "invalid_signature_by_recipient",
    "signed by the recipient instead of the owner",
    pre,
    signTransfer(chain, pre, msg(p.ticket_id, p.owner, other(p.owner)), other(p.owner)),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function payloadCommitment(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "payload_commitment");
  const view = marketView(preset);
  const { chain } = view;
  const holderSlot = findSlot(view, (t) => !isSelfBuild(t));
  const holderPre = processSlotsCopy(chain.head, holderSlot);
  const holderBlock = chain.produceBlock(holderSlot).message;
  w.valid(
    "holder_commitment",
    `slot ${holderSlot}: signed by the owner of the ticket drawn for it`,
    holderPre,
    holderBlock,
  );
  if (preset === "mainnet") return;
  const selfSlot = findSlot(view, isSelfBuild);
  const selfPre = processSlotsCopy(chain.head, selfSlot);
  const selfBlock = chain.produceBlock(selfSlot).message;
  w.valid(
    "self_build_commitment",
    `slot ${selfSlot}: no ticket drawn, the proposer commits and signs`,
    selfPre,
    selfBlock,
  );
  const emptyBlock = chain.produceBlock(holderSlot, { withholdCommitment: true }).message;
  w.valid(
    "empty_commitment",
    "the holder sent nothing: the proposer puts the canonical empty commitment",
    holderPre,
    emptyBlock,
  );
  // the empty form of the withheld block's commitment, moved to the self-build slot
  const emptySelf = cloneBlock(selfPre, selfBlock);
  const selfCommitment = emptySelf.body.signed_payload_commitment.message;
  emptySelf.body.signed_payload_commitment = {
    message: {
      ...emptyBlock.body.signed_payload_commitment.message,
      slot: selfCommitment.slot,
      ticket_id: selfCommitment.ticket_id,
      parent_block_hash: selfCommitment.parent_block_hash,
      parent_block_root: selfCommitment.parent_block_root,
    },
    signature: G2_POINT_AT_INFINITY,
  };
  w.valid("empty_commitment_on_self_build_slot", "a self-build slot may also go without a payload", selfPre, emptySelf);

  const edit = (block: BeaconBlock, fn: (b: BeaconBlock) => void) => {
    const copy = cloneBlock(holderPre, block);
    fn(copy);
    return copy;
  };
  const c = (b: BeaconBlock) => b.body.signed_payload_commitment.message;
  w.invalid(
    "invalid_wrong_slot",
    "commitment.slot is the next slot",
    holderPre,
    edit(holderBlock, (b) => {
      c(b).slot += 1;
    }),
    "COMMITMENT_WRONG_SLOT",
  );
  w.invalid(
    "invalid_wrong_parent_block_hash",
    "parent_block_hash is not latest_block_hash",
    holderPre,
    edit(holderBlock, (b) => {
      c(b).parent_block_hash = new Uint8Array(32).fill(0x11);
    }),
    "COMMITMENT_WRONG_PARENT_HASH",
  );
  w.invalid(
    "invalid_wrong_parent_block_root",
    "parent_block_root is not the block's parent",
    holderPre,
    edit(holderBlock, (b) => {
      c(b).parent_block_root = new Uint8Array(32).fill(0x22);
    }),
    "COMMITMENT_WRONG_PARENT_ROOT",
  );
  w.invalid(
    "invalid_prev_randao",
    "prev_randao is not the current RANDAO mix",
    holderPre,
    edit(holderBlock, (b) => {
      c(b).prev_randao = new Uint8Array(32).fill(0x33);
    }),
    "COMMITMENT_WRONG_PREV_RANDAO",
  );
  w.invalid(
    "invalid_self_build_while_ticket_assigned",
    "the proposer self-builds a slot whose ticket is drawn",
    holderPre,
    edit(holderBlock, (b) => {
      c(b).ticket_id = SELF_BUILD_TICKET_ID;
    }),
    "COMMITMENT_SELF_BUILD_WHILE_TICKET_ASSIGNED",
  );
  w.invalid(
    "invalid_other_ticket",
    "names a ticket not drawn for this slot",
    holderPre,
    edit(holderBlock, (b) => {
      c(b).ticket_id += 1;
    }),
    "COMMITMENT_WRONG_TICKET",
  );
  const ticketOnSelf = cloneBlock(selfPre, selfBlock);
  c(ticketOnSelf).ticket_id = 0;
  w.invalid(
    "invalid_ticket_on_self_build_slot",
    "names a ticket on a slot no ticket was drawn for",
    selfPre,
    ticketOnSelf,
    "COMMITMENT_WRONG_TICKET",
  );
  w.invalid(
    "invalid_empty_with_gas_limit",
    "empty commitment with a gas limit",
    holderPre,
    edit(emptyBlock, (b) => {
      c(b).gas_limit = 1;
    }),
    "COMMITMENT_EMPTY_NOT_CANONICAL",
  );
  w.invalid(
    "invalid_empty_with_fee_recipient",
    "empty commitment with a fee recipient",
    holderPre,
    edit(emptyBlock, (b) => {
      c(b).fee_recipient = new Uint8Array(20).fill(1);
    }),
    "COMMITMENT_EMPTY_NOT_CANONICAL",
  );
  w.invalid(
    "invalid_empty_signed",
    "empty commitment with a real signature instead of the infinity point",
    holderPre,
    edit(emptyBlock, (b) => {
      resignCommitment(holderPre, b, chain.validatorKeys[b.proposer_index]);
    }),
    "COMMITMENT_EMPTY_NOT_CANONICAL",
  );
  w.invalid(
    "invalid_empty_self_build_id_on_ticket_slot",
    "empty commitment naming SELF_BUILD on a ticket slot",
    holderPre,
    edit(emptyBlock, (b) => {
      c(b).ticket_id = SELF_BUILD_TICKET_ID;
    }),
    "COMMITMENT_EMPTY_NOT_CANONICAL",
  );
  w.invalid(
    "invalid_holder_commitment_signed_by_proposer",
    "the ticket's commitment signed by the proposer",
    holderPre,
    edit(holderBlock, (b) => {
      resignCommitment(holderPre, b, chain.validatorKeys[b.proposer_index]);
    }),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  const selfWrongKey = cloneBlock(selfPre, selfBlock);
  resignCommitment(
    selfPre,
    selfWrongKey,
    chain.validatorKeys[(selfWrongKey.proposer_index + 1) % chain.validatorKeys.length],
  );
  w.invalid(
    "invalid_self_build_signed_by_other_validator",
    "a self-build commitment not signed by the proposer",
    selfPre,
    selfWrongKey,
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function payloadAttestation(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "payload_attestation");
  const { chain, headSlot } = marketView(preset);
  const slot = headSlot + 1;
  const signed = chain.produceBlock(slot);
  // the pre-state of the block's operations: slots processed, header applied
  const pre = processSlotsCopy(chain.head, slot);
  processBlockHeader(pre, signed.message);
  const parentRoot = signed.message.parent_root;
  const data = (present: boolean, blob = present): PayloadAttestationData => ({
    beacon_block_root: parentRoot,
    slot: headSlot,
    payload_present: present,
    blob_data_available: blob,
  });
  const ptcLength = pre.epochCtx.getPtc(headSlot).length;
  const everyone = [...Array(ptcLength).keys()];
  if (preset === "mainnet") {
    w.valid(
      "payload_present",
      "the whole PTC saw the parent's payload",
      pre,
      signPayloadAttestation(chain, pre, data(true), everyone),
    );
    w.invalid(
      "invalid_bit_beyond_ptc",
      `${ptcLength} PTC members with 64 validators: bit ${ptcLength} of the PTC_SIZE bits has no member`,
      pre,
      signPayloadAttestation(chain, pre, data(true), [...everyone, ptcLength]),
      "PAYLOAD_ATTESTATION_BITS_OUTSIDE_PTC",
    );
    return;
  }
  const fromBlock = signed.message.body.payload_attestations[0];
  w.valid("from_block", "the PTC aggregate the dev chain's proposer included", pre, fromBlock);
  w.valid(
    "payload_absent",
    "the PTC votes that the payload was absent (not checked against the state)",
    pre,
    signPayloadAttestation(chain, pre, data(false), everyone),
  );
  w.valid("single_member", "one PTC member", pre, signPayloadAttestation(chain, pre, data(true), [ptcLength - 1]));
  w.invalid(
    "invalid_not_parent_block",
    "votes about a block that is not the parent",
    pre,
    signPayloadAttestation(chain, pre, { ...data(true), beacon_block_root: new Uint8Array(32).fill(3) }, everyone),
    "PAYLOAD_ATTESTATION_WRONG_BLOCK",
  );
  w.invalid(
    "invalid_not_previous_slot",
    "votes about the parent but names an older slot",
    pre,
    { ...fromBlock, data: { ...fromBlock.data, slot: headSlot - 1 } },
    "PAYLOAD_ATTESTATION_WRONG_SLOT",
  );
  w.invalid(
    "invalid_blob_mismatch",
    "blob_data_available differs from payload_present",
    pre,
    signPayloadAttestation(chain, pre, data(true, false), everyone),
    "PAYLOAD_ATTESTATION_BLOB_MISMATCH",
  );
  w.invalid(
    "invalid_no_bits",
    "no PTC member's bit set",
    pre,
    signPayloadAttestation(chain, pre, data(true), []),
    "PAYLOAD_ATTESTATION_EMPTY",
  );
  w.invalid(
    "invalid_signature",
    "signed over payload_present = false, claims true",
    pre,
    signPayloadAttestation(chain, pre, data(true), everyone, data(false)),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function attestation(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "attestation");
  const { recorded, chain, headSlot, next } = marketView(preset);
  const ctx = chain.ctx;
  const headRecord = recordAt(recorded, headSlot);
  const postHeadBlock = headRecord.postBlock!;
  const sameSlot = chain.makeAttestation(postHeadBlock, headSlot);
  w.valid(
    "same_slot_vote_next_slot",
    `a full aggregate of slot ${headSlot}'s committees, included one slot later`,
    next,
    sameSlot,
  );
  w.valid(
    "inclusion_delay_3",
    "included three slots later: no head or source flag",
    processSlotsCopy(chain.head, headSlot + 3),
    sameSlot,
  );
  // a vote from the previous epoch
  const prevSlot = computeStartSlotAtEpoch(ctx, computeEpochAtSlot(ctx, headSlot)) - 1;
  const prevRecord = recorded.records.filter((r) => r.slot <= prevSlot && r.postBlock !== null).at(-1)!;
  const previousEpochVote = chain.makeAttestation(prevRecord.postBlock!, prevRecord.slot);
  w.valid(
    "previous_epoch_target",
    `a vote of slot ${prevRecord.slot} (previous epoch) included at slot ${headSlot + 1}`,
    next,
    previousEpochVote,
  );
  // a vote at a skipped slot: for the previous block, and its revealed payload (FULL)
  const skipped = processSlotsCopy(chain.head, headSlot + 1);
  const fullVote = chain.makeAttestation(skipped, headSlot + 1);
  if (fullVote.data.index !== 1) throw new Error("expected a FULL vote for the head block");
  const afterSkip = processSlotsCopy(chain.head, headSlot + 2);
  w.valid(
    "full_payload_vote_after_skipped_slot",
    "slot skipped: the vote names the previous block with index 1 (its payload was revealed)",
    afterSkip,
    fullVote,
  );
  const emptyData = { ...fullVote.data, index: 0 };
  w.valid(
    "empty_vote_for_revealed_payload",
    "index 0 for a revealed payload: valid, but no head flag",
    afterSkip,
    buildAttestation(chain, skipped, emptyData, allMembers(skipped, headSlot + 1)),
  );
  const partial = new Map([[0, [0]]]);
  w.valid(
    "single_committee_single_member",
    "one member of committee 0",
    next,
    buildAttestation(chain, postHeadBlock, sameSlot.data, partial),
  );
  const data = sameSlot.data;
  const withData = (d: AttestationData) => ({ ...sameSlot, data: d });
  w.invalid(
    "invalid_target_epoch_in_future",
    "target epoch after the current epoch",
    next,
    withData({ ...data, target: { ...data.target, epoch: data.target.epoch + 2 } }),
    "ATTESTATION_BAD_TARGET_EPOCH",
  );
  w.invalid(
    "invalid_target_not_slot_epoch",
    "target is the previous epoch, slot in the current one",
    next,
    withData({ ...data, target: { ...data.target, epoch: data.target.epoch - 1 } }),
    "ATTESTATION_TARGET_SLOT_MISMATCH",
  );
  w.invalid(
    "invalid_included_too_early",
    "included in its own slot",
    processSlotsCopy(chain.head, headSlot + 1),
    withData({ ...data, slot: headSlot + 1 }),
    "ATTESTATION_TOO_EARLY",
  );
  w.invalid(
    "invalid_payload_index_2",
    "index 2: neither EMPTY nor FULL",
    next,
    withData({ ...data, index: 2 }),
    "ATTESTATION_BAD_PAYLOAD_INDEX",
  );
  w.invalid(
    "invalid_same_slot_full_vote",
    "a same-slot vote claiming FULL",
    next,
    buildAttestation(chain, postHeadBlock, { ...data, index: 1 }, allMembers(postHeadBlock, headSlot)),
    "ATTESTATION_SAME_SLOT_FULL",
  );
  const committees = next.epochCtx.getCommitteeCountPerSlot(computeEpochAtSlot(ctx, headSlot));
  const badCommittee = { ...sameSlot, committee_bits: sameSlot.committee_bits.clone() };
  badCommittee.committee_bits.set(committees, true);
  w.invalid(
    "invalid_committee_index",
    `committee bit ${committees} set, the slot has ${committees} committees`,
    next,
    badCommittee,
    "ATTESTATION_BAD_COMMITTEE_INDEX",
  );
  const noCommittee = { ...sameSlot, committee_bits: BitArray.fromBitLen(ctx.preset.MAX_COMMITTEES_PER_SLOT) };
  w.invalid("invalid_no_committee", "no committee bit set", next, noCommittee, "ATTESTATION_NO_COMMITTEES");
  if (committees > 1) {
    const members = allMembers(postHeadBlock, headSlot);
    members.set(1, []);
    w.invalid(
      "invalid_empty_committee",
      "committee 1 named but none of its members attest",
      next,
      buildAttestation(chain, postHeadBlock, data, members),
      "ATTESTATION_EMPTY_COMMITTEE",
    );
  }
  const bits = sameSlot.aggregation_bits.toBoolArray();
  w.invalid(
    "invalid_aggregation_bits_too_long",
    "one aggregation bit more than the committees' members",
    next,
    { ...sameSlot, aggregation_bits: BitArray.fromBoolArray([...bits, false]) },
    "ATTESTATION_BITS_LENGTH",
  );
  w.invalid(
    "invalid_source",
    "source is not the justified checkpoint",
    next,
    buildAttestation(
      chain,
      postHeadBlock,
      { ...data, source: { epoch: data.source.epoch + 1, root: data.target.root } },
      allMembers(postHeadBlock, headSlot),
    ),
    "ATTESTATION_WRONG_SOURCE",
  );
  w.invalid(
    "invalid_signature",
    "aggregate signature over other data",
    next,
    { ...sameSlot, signature: fullVote.signature },
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function proposerSlashing(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "proposer_slashing");
  const { chain, headSlot, next: pre } = marketView(preset);
  const header = (proposer: number, body: number, slot = headSlot - 2) => ({
    slot,
    proposer_index: proposer,
    parent_root: new Uint8Array(32).fill(1),
    state_root: new Uint8Array(32).fill(2),
    body_root: new Uint8Array(32).fill(body),
  });
  const slashing = (v: number) => ({
    signed_header_1: signHeader(chain, pre, header(v, 3)),
    signed_header_2: signHeader(chain, pre, header(v, 4)),
  });
  w.valid("slash_validator", "two signed headers of one proposer for one slot", pre, slashing(5));
  const proposer = pre.epochCtx.getBeaconProposer(pre.state.slot);
  w.valid(
    "slash_the_block_proposer",
    "the including block's own proposer is slashed (and is the whistleblower)",
    pre,
    slashing(proposer),
  );
  w.invalid(
    "invalid_different_slots",
    "headers of different slots",
    pre,
    {
      signed_header_1: signHeader(chain, pre, header(5, 3)),
      signed_header_2: signHeader(chain, pre, header(5, 4, headSlot - 3)),
    },
    "PROPOSER_SLASHING_SLOT_MISMATCH",
  );
  w.invalid(
    "invalid_different_proposers",
    "headers of different proposers",
    pre,
    {
      signed_header_1: signHeader(chain, pre, header(5, 3)),
      signed_header_2: signHeader(chain, pre, header(6, 4)),
    },
    "PROPOSER_SLASHING_PROPOSER_MISMATCH",
  );
  w.invalid(
    "invalid_identical_headers",
    "the same header twice",
    pre,
    {
      signed_header_1: signHeader(chain, pre, header(5, 3)),
      signed_header_2: signHeader(chain, pre, header(5, 3)),
    },
    "PROPOSER_SLASHING_SAME_HEADER",
  );
  w.invalid(
    "invalid_unknown_proposer",
    "proposer index past the registry",
    pre,
    {
      signed_header_1: { ...signHeader(chain, pre, header(5, 3)), message: header(pre.state.validators.length, 3) },
      signed_header_2: { ...signHeader(chain, pre, header(5, 4)), message: header(pre.state.validators.length, 4) },
    },
    "UNKNOWN_VALIDATOR",
  );
  const slashedPre = mutated(pre, (cs) =>
    OPERATION_HANDLERS.proposer_slashing.apply(cs, slashing(5), { verifySignatures: false, executionValid: true }),
  );
  w.invalid(
    "invalid_already_slashed",
    "the proposer was slashed already",
    slashedPre,
    slashing(5),
    "PROPOSER_SLASHING_NOT_SLASHABLE",
  );
  w.invalid(
    "invalid_signature",
    "the second header signed by another validator",
    pre,
    {
      signed_header_1: signHeader(chain, pre, header(5, 3)),
      signed_header_2: signHeader(chain, pre, header(5, 4), 6),
    },
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function attesterSlashing(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "attester_slashing");
  const { chain, next: pre } = marketView(preset);
  const data = (root: number, source: number, target: number): AttestationData => ({
    slot: target * pre.ctx.preset.SLOTS_PER_EPOCH,
    index: 0,
    beacon_block_root: new Uint8Array(32).fill(root),
    source: { epoch: source, root: new Uint8Array(32).fill(0x50 + source) },
    target: { epoch: target, root: new Uint8Array(32).fill(0x60 + target) },
  });
  const indexed = (indices: number[], d: AttestationData) => signIndexed(chain, pre, indices, d);
  w.valid("double_vote", "three validators vote twice for target epoch 1", pre, {
    attestation_1: indexed([2, 9, 33], data(1, 0, 1)),
    attestation_2: indexed([2, 9, 33], data(2, 0, 1)),
  });
  w.valid("surround_vote", "source 0 → target 3 surrounds source 1 → target 2", pre, {
    attestation_1: indexed([4, 40], data(1, 0, 3)),
    attestation_2: indexed([4, 40], data(1, 1, 2)),
  });
  w.valid("partial_intersection", "only validators in both attestations are slashed", pre, {
    attestation_1: indexed([1, 7, 12], data(1, 0, 1)),
    attestation_2: indexed([7, 12, 20], data(2, 0, 1)),
  });
  const oneSlashed = mutated(pre, (cs) =>
    OPERATION_HANDLERS.attester_slashing.apply(
      cs,
      { attestation_1: indexed([9], data(1, 0, 1)), attestation_2: indexed([9], data(2, 0, 1)) },
      { verifySignatures: false, executionValid: true },
    ),
  );
  w.valid("some_already_slashed", "validator 9 was slashed before: only 2 and 33 are", oneSlashed, {
    attestation_1: indexed([2, 9, 33], data(1, 0, 1)),
    attestation_2: indexed([2, 9, 33], data(2, 0, 1)),
  });
  w.invalid(
    "invalid_same_data",
    "the same attestation data twice",
    pre,
    {
      attestation_1: indexed([2, 9], data(1, 0, 1)),
      attestation_2: indexed([2, 9], data(1, 0, 1)),
    },
    "ATTESTER_SLASHING_NOT_SLASHABLE_DATA",
  );
  w.invalid(
    "invalid_neither_double_nor_surround",
    "different targets, no surround",
    pre,
    {
      attestation_1: indexed([2, 9], data(1, 0, 1)),
      attestation_2: indexed([2, 9], data(1, 0, 2)),
    },
    "ATTESTER_SLASHING_NOT_SLASHABLE_DATA",
  );
  w.invalid(
    "invalid_unsorted_indices",
    "attesting indices not strictly increasing",
    pre,
    {
      attestation_1: indexed([9, 2], data(1, 0, 1)),
      attestation_2: indexed([2, 9], data(2, 0, 1)),
    },
    "INVALID_INDEXED_ATTESTATION",
  );
  w.invalid(
    "invalid_empty_indices",
    "an attestation with no attesting index",
    pre,
    {
      attestation_1: { attesting_indices: [], data: data(1, 0, 1), signature: G2_POINT_AT_INFINITY },
      attestation_2: indexed([2, 9], data(2, 0, 1)),
    },
    "INVALID_INDEXED_ATTESTATION",
  );
  w.invalid(
    "invalid_no_common_validator",
    "the two attestations share no validator",
    pre,
    {
      attestation_1: indexed([2, 9], data(1, 0, 1)),
      attestation_2: indexed([3, 10], data(2, 0, 1)),
    },
    "ATTESTER_SLASHING_NONE_SLASHED",
  );
  w.invalid(
    "invalid_all_already_slashed",
    "the only common validator is already slashed",
    oneSlashed,
    {
      attestation_1: indexed([9], data(1, 0, 1)),
      attestation_2: indexed([9], data(2, 0, 1)),
    },
    "ATTESTER_SLASHING_NONE_SLASHED",
  );
  const forged = indexed([2, 9], data(2, 0, 1));
  w.invalid(
    "invalid_signature",
    "the second attestation's signature is over the first's data",
    pre,
    {
      attestation_1: indexed([2, 9], data(1, 0, 1)),
      attestation_2: { ...forged, signature: indexed([2, 9], data(1, 0, 1)).signature },
    },
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function voluntaryExit(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "voluntary_exit");
  const { chain, next: young } = marketView(preset);
  const ctx = chain.ctx;
  // SHARD_COMMITTEE_PERIOD epochs of empty slots later (a few slots into the epoch)
  const exitSlot = computeStartSlotAtEpoch(ctx, ctx.config.SHARD_COMMITTEE_PERIOD) + 2;
  const pre = processSlotsCopy(chain.head, exitSlot);
  const epoch = computeEpochAtSlot(ctx, exitSlot);
  w.valid(
    "exit",
    "an active validator, SHARD_COMMITTEE_PERIOD epochs after activation",
    pre,
    signExit(chain, pre, epoch, 7),
  );
  w.valid(
    "exit_epoch_in_the_past",
    "exit.epoch an earlier epoch (the signature's domain is that epoch's)",
    pre,
    signExit(chain, pre, 10, 8),
  );
  const queued = mutated(pre, (cs) => {
    for (const v of [20, 21]) {
      processVoluntaryExit(cs, signExit(chain, pre, epoch, v), { signatureSets: null });
    }
  });
  w.valid(
    "exit_queue_churn_full",
    "two exits already fill this epoch's churn: the third queues one epoch later",
    queued,
    signExit(chain, pre, epoch, 22),
  );
  w.invalid(
    "invalid_epoch_in_future",
    "exit.epoch after the current epoch",
    pre,
    signExit(chain, pre, epoch + 1, 7),
    "EXIT_EPOCH_IN_FUTURE",
  );
  w.invalid(
    "invalid_too_young",
    "only a few slots after genesis",
    young,
    signExit(chain, young, 0, 7),
    "EXIT_VALIDATOR_TOO_YOUNG",
  );
  const exiting = mutated(pre, (cs) =>
    processVoluntaryExit(cs, signExit(chain, pre, epoch, 7), { signatureSets: null }),
  );
  w.invalid(
    "invalid_already_exiting",
    "the validator's exit is already queued",
    exiting,
    signExit(chain, pre, epoch, 7),
    "EXIT_ALREADY_EXITING",
  );
  const exited = mutated(pre, (cs) => {
    cs.state.validators.get(7).exit_epoch = epoch;
  });
  w.invalid(
    "invalid_not_active",
    "the validator has exited (exit_epoch = current epoch)",
    exited,
    signExit(chain, pre, epoch, 7),
    "EXIT_VALIDATOR_NOT_ACTIVE",
  );
  const n = pre.state.validators.length;
  w.invalid(
    "invalid_unknown_validator",
    "validator index past the registry",
    pre,
    { ...signExit(chain, pre, epoch, 7), message: { epoch, validator_index: n } },
    "UNKNOWN_VALIDATOR",
  );
  w.invalid(
    "invalid_signature",
    "signed by another validator",
    pre,
    signExit(chain, pre, epoch, 7, 8),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

function executionPayload(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "execution_payload");
  const view = marketView(preset);
  const { chain } = view;
  const ctx = chain.ctx;
  const reveal = (slot: number, plan = {}) => {
    const signed: SignedBeaconBlock = chain.produceBlock(slot, plan);
    const postBlock = stateTransition(chain.head, signed);
    const root = ctx.ssz.BeaconBlock.hashTreeRoot(signed.message);
    const commitment = signed.message.body.signed_payload_commitment.message;
    const envelope = commitment.block_hash.some((b) => b !== 0)
      ? chain.produceEnvelope(postBlock, root, commitment)
      : null;
    return { signed, postBlock, root, envelope };
  };
  const holderSlot = findSlot(view, (t) => !isSelfBuild(t));
  const holder = reveal(holderSlot);
  const env = holder.envelope!;
  w.valid(
    "holder_envelope",
    `the ticket holder reveals the payload committed to at slot ${holderSlot}`,
    holder.postBlock,
    env,
  );
  if (preset === "mainnet") return;
  const self = reveal(findSlot(view, isSelfBuild));
  w.valid("self_build_envelope", "the proposer reveals its self-built payload", self.postBlock, self.envelope!);
  const pre = holder.postBlock;
  const owner = getTicketAssignment(ctx, pre.state, holderSlot).owner;
  const resign = (e: SignedExecutionPayloadEnvelope, sk = chain.buyerKeys[owner]): SignedExecutionPayloadEnvelope => ({
    message: e.message,
    signature: signObject(
      pre,
      sk,
      ctx.ssz.ExecutionPayloadEnvelope,
      e.message,
      DOMAIN_PAYLOAD_ENVELOPE,
      computeEpochAtSlot(ctx, holderSlot),
    ),
  });
  const edit = (fn: (e: SignedExecutionPayloadEnvelope) => void) => {
    const copy = ctx.ssz.SignedExecutionPayloadEnvelope.clone(env);
    fn(copy);
    return copy;
  };
  w.invalid(
    "invalid_wrong_block_root",
    "beacon_block_root is not the state's latest block",
    pre,
    edit((e) => {
      e.message.beacon_block_root = new Uint8Array(32).fill(7);
    }),
    "ENVELOPE_WRONG_BLOCK_ROOT",
  );
  w.invalid(
    "invalid_wrong_slot",
    "envelope slot is not the block's",
    pre,
    edit((e) => {
      e.message.slot += 1;
    }),
    "ENVELOPE_WRONG_SLOT",
  );
  const withheld = reveal(holderSlot, { withholdCommitment: true });
  w.invalid(
    "invalid_no_payload_committed",
    "the block carries the empty commitment",
    withheld.postBlock,
    edit((e) => {
      e.message.beacon_block_root = withheld.root;
    }),
    "ENVELOPE_NO_PAYLOAD_COMMITTED",
  );
  const revealed = reload(pre);
  OPERATION_HANDLERS.execution_payload.apply(revealed, env, { verifySignatures: true, executionValid: true });
  w.invalid("invalid_already_revealed", "the same envelope a second time", revealed, env, "ENVELOPE_ALREADY_REVEALED");
  w.invalid(
    "invalid_wrong_ticket",
    "envelope names another ticket",
    pre,
    edit((e) => {
      e.message.ticket_id += 1;
    }),
    "ENVELOPE_WRONG_TICKET",
  );
  w.invalid(
    "invalid_block_hash",
    "payload hash differs from the committed hash",
    pre,
    edit((e) => {
      e.message.payload.block_hash = new Uint8Array(32).fill(9);
    }),
    "ENVELOPE_BLOCK_HASH_MISMATCH",
  );
  w.invalid(
    "invalid_parent_hash",
    "payload does not extend latest_block_hash",
    pre,
    edit((e) => {
      e.message.payload.parent_hash = new Uint8Array(32).fill(9);
    }),
    "ENVELOPE_PARENT_HASH_MISMATCH",
  );
  w.invalid(
    "invalid_fee_recipient",
    "fee recipient differs from the commitment's",
    pre,
    edit((e) => {
      e.message.payload.fee_recipient = new Uint8Array(20).fill(9);
    }),
    "ENVELOPE_FEE_RECIPIENT_MISMATCH",
  );
  w.invalid(
    "invalid_gas_limit",
    "gas limit differs from the commitment's",
    pre,
    edit((e) => {
      e.message.payload.gas_limit += 1;
    }),
    "ENVELOPE_GAS_LIMIT_MISMATCH",
  );
  w.invalid(
    "invalid_prev_randao",
    "prev_randao is not the current RANDAO mix",
    pre,
    edit((e) => {
      e.message.payload.prev_randao = new Uint8Array(32).fill(9);
    }),
    "ENVELOPE_WRONG_PREV_RANDAO",
  );
  w.invalid(
    "invalid_timestamp",
    "timestamp is not the slot's time",
    pre,
    edit((e) => {
      e.message.payload.timestamp += 1;
    }),
    "ENVELOPE_WRONG_TIMESTAMP",
  );
  w.invalid(
    "invalid_signature_by_proposer",
    "signed by the beacon proposer instead of the ticket holder",
    pre,
    resign(env, chain.validatorKeys[holder.signed.message.proposer_index]),
    "ENVELOPE_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  w.invalid(
    "invalid_execution",
    "the execution engine rejects the payload (execution.yaml)",
    pre,
    env,
    "ENVELOPE_EXECUTION_INVALID",
    { executionValid: false },
  );
  w.invalid(
    "invalid_state_root",
    "state_root is not the post-state's (re-signed by the holder)",
    pre,
    resign(
      edit((e) => {
        e.message.state_root = new Uint8Array(32).fill(9);
      }),
    ),
    "ENVELOPE_STATE_ROOT_MISMATCH",
  );
}

const HANDLERS: Record<string, (out: Output, preset: PresetName) => void> = {
  attestation,
  attester_slashing: attesterSlashing,
  execution_payload: executionPayload,
  payload_attestation: payloadAttestation,
  payload_commitment: payloadCommitment,
  proposer_slashing: proposerSlashing,
  ticket_purchase: ticketPurchase,
  ticket_transfer: ticketTransfer,
  voluntary_exit: voluntaryExit,
  ticket_fill: ticketFillCases,
  holder_slashing: holderSlashingCases,
  ticket_bid: ticketBidCases,
  ticket_sell_back: ticketSellBackCases,
};

/** Which handlers each preset gets (mainnet: a few small cases; its states are ~130 kB each). */
const PRESET_HANDLERS: Record<PresetName, string[]> = {
  minimal: Object.keys(HANDLERS),
  mainnet: ["ticket_purchase", "payload_commitment", "payload_attestation", "execution_payload"],
};

export function generateOperations(out: Output, preset: PresetName, only?: (handler: string) => boolean): void {
  for (const handler of PRESET_HANDLERS[preset]) {
    if (only === undefined || only(handler)) HANDLERS[handler](out, preset);
  }
}
