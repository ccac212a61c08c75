/**
 * Fuzz cases: one valid block or envelope of the corpus, mutated either as SSZ bytes or in its
 * decoded fields (optionally re-signed and given the matching state root, so that the mutation
 * reaches the deeper rules), then run through decoding and the state transition exactly as a node
 * would. Every case is a pure function of the corpus and its Rng.
 */
import {
  BitArray,
  type CachedBeaconState,
  computeBlockStateRoot,
  computeEnvelopeStateRoot,
  computeEpochAtSlot,
  DeterministicExecutionEngine,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_PAYLOAD_COMMITMENT,
  DOMAIN_PAYLOAD_ENVELOPE,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  DOMAIN_VOLUNTARY_EXIT,
  deserializeSsz,
  getTicketAssignment,
  isSelfBuild,
  readAllValues,
  type SignatureSet,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  signObject,
  stateTransition,
  stateTransitionEnvelope,
} from "@turnstile/ticket-state";
import { aggregateSignatureBytes } from "@turnstile/ticket-state/dev";
import type { Corpus, CorpusEntry } from "./corpus.ts";
import { BYTE_MUTATIONS, mutateBytes, mutateNumber, OVERFLOW_VALUES, otherBytes } from "./mutate.ts";
import type { Rng } from "./rng.ts";

export type Target = "block" | "envelope";

export interface FuzzCase {
  target: Target;
  /** What was mutated, for the summary: `bytes/<kind>`, `op_bytes/<op>/<kind>` or `field/<name>`. */
  mutation: string;
  /** The state the input applies to: its root must not change, whatever the outcome. */
  pre: CachedBeaconState;
  /** Re-sign and re-root the mutated input, when the case asks for it (may throw as the transition would). */
  prepare: () => void;
  /**
   * Decode the input and run the transition; returns the post-state on acceptance, throws on
   * rejection. With `deferSignatures`, the signatures are handed over instead of verified.
   */
  run: (deferSignatures?: SignatureSet[]) => CachedBeaconState;
  /** Whether the harness also runs it with deferred signatures and compares (the range-sync path). */
  differential: boolean;
  /** An envelope case's payload hash, after `prepare`: a rejected envelope must not teach it to `engine`. */
  payloadHash: () => Uint8Array | null;
  engine: DeterministicExecutionEngine | null;
}

const nothing = () => {};
const noPayload = () => null;
/** Share of cases also run with deferred signatures, whose outcome must agree. */
const DIFFERENTIAL_SHARE = 0.3;
/** Share of envelope cases applied once more to the state they produced. */
const REPLAY_SHARE = 0.1;
/** Share of envelope cases run on an engine that knows nothing yet, so that what it learns shows. */
const FRESH_ENGINE_SHARE = 0.3;

/** Share of cases that mutate SSZ bytes rather than decoded fields. */
const BYTES_SHARE = 0.4;
/** Share of field mutations that are re-signed and re-rooted before they are sent. */
const REPAIR_SHARE = 0.6;
/** Share of cases that target a block (the rest an envelope, when the entry has one). */
const BLOCK_SHARE = 0.6;
/** How far the simulated clock runs ahead of the corpus block: blocks beyond it are from the future. */
export const CLOCK_LEAD_EPOCHS = 2;

/** Share of block cases that apply an unmodified block to another state than its parent's. */
const OTHER_PRE_SHARE = 0.05;
/** Share of repaired envelopes whose state root is then broken: the last check fails, after all others passed. */
const LATE_ROOT_SHARE = 0.25;

export function generateCase(corpus: Corpus, rng: Rng): FuzzCase {
  const entry = rng.pick(corpus.entries);
  if (rng.chance(OTHER_PRE_SHARE)) return otherPreCase(corpus, entry, rng);
  if (!rng.chance(BLOCK_SHARE)) {
    // A block whose payload was withheld (or never committed) gets another slot's envelope
    const envelope = entry.envelope ?? rng.pick(corpus.entries.filter((e) => e.envelope !== null)).envelope;
    if (envelope !== null) return envelopeCase(corpus, entry, envelope, rng);
  }
  return blockCase(corpus, entry, rng);
}

// ---------------------------------------------------------------- blocks

interface BlockMutationContext {
  corpus: Corpus;
  entry: CorpusEntry;
  block: SignedBeaconBlock;
  rng: Rng;
}

type Repair = "full" | "sign" | "none";

/** A field mutation: edits `m.block` in place; false when it does not apply to this block. */
interface BlockMutation {
  name: string;
  /**
   * What a repair may redo and keep the mutation: everything (`full`), the signatures only
   * (`sign`: a mutated state root), or nothing (`none`: signature swaps).
   */
  repair: Repair;
  apply(m: BlockMutationContext): boolean;
}

const other = <T>(rng: Rng, items: readonly T[], not: T): T | null => {
  const rest = items.filter((x) => x !== not);
  return rest.length === 0 ? null : rng.pick(rest);
};

const BLOCK_MUTATIONS: BlockMutation[] = [
  {
    name: "slot",
    repair: "full",
    apply({ block, entry, rng, corpus }) {
      const slot = block.message.slot;
      const epoch = corpus.chain.ctx.preset.SLOTS_PER_EPOCH;
      block.message.slot = rng.pick([
        entry.pre.state.slot,
        slot + 1,
        slot + epoch,
        slot + 5 * epoch,
        ...OVERFLOW_VALUES,
      ]);
      return true;
    },
  },
  {
    name: "proposer_index",
    repair: "full",
    apply({ block, rng, corpus }) {
      const n = corpus.chain.validatorKeys.length;
      block.message.proposer_index = rng.chance(0.5) ? (block.message.proposer_index + 1 + rng.int(n - 1)) % n : n;
      if (rng.chance(0.3)) block.message.proposer_index = rng.pick(OVERFLOW_VALUES);
      return true;
    },
  },
  {
    name: "parent_root",
    repair: "full",
    apply({ block, rng, corpus, entry }) {
      const foreign = other(rng, corpus.entries, entry);
      block.message.parent_root =
        foreign && rng.chance(0.5) ? foreign.blockRoot : otherBytes(rng, block.message.parent_root);
      return true;
    },
  },
  {
    name: "state_root",
    repair: "sign",
    apply({ block, rng }) {
      block.message.state_root = otherBytes(rng, block.message.state_root);
      return true;
    },
  },
  {
    name: "graffiti",
    repair: "full",
    apply({ block, rng }) {
      block.message.body.graffiti = rng.bytes(32);
      return true;
    },
  },
  {
    name: "randao_reveal",
    repair: "full",
    apply({ block, rng, corpus, entry }) {
      const foreign = other(rng, corpus.entries, entry);
      block.message.body.randao_reveal =
        foreign && rng.chance(0.5) ? foreign.block.message.body.randao_reveal : rng.bytes(96);
      return true;
    },
  },
  {
    name: "swapped_signature",
    repair: "none",
    apply({ block, rng, corpus, entry }) {
      const foreign = other(rng, corpus.entries, entry);
      const body = block.message.body;
      const choices: Uint8Array[] = [body.randao_reveal, body.signed_payload_commitment.signature, rng.bytes(96)];
      if (foreign) choices.push(foreign.block.signature);
      if (entry.envelope) choices.push(entry.envelope.signature);
      // The point at infinity, compressed
      choices.push(Uint8Array.from([0xc0, ...new Uint8Array(95)]));
      block.signature = rng.pick(choices);
      return true;
    },
  },
  {
    name: "purchase_duplicate",
    repair: "full",
    apply({ block, rng, corpus }) {
      const purchases = block.message.body.ticket_purchases;
      const source = purchases.length > 0 && rng.chance(0.5) ? purchases : corpus.purchases;
      if (source.length === 0) return false;
      purchases.push(structuredClone(rng.pick(source)));
      return true;
    },
  },
  {
    name: "purchase_field",
    repair: "full",
    apply({ block, rng, entry }) {
      const purchases = block.message.body.ticket_purchases;
      if (purchases.length === 0) {
        const buyer = rng.int(entry.pre.state.buyers.length);
        const nonce = entry.pre.state.buyers.getReadonly(buyer).nonce;
        purchases.push({
          message: { buyer_index: buyer, nonce, count: 1, max_price: entry.pre.state.ticket_price * 2 },
          signature: new Uint8Array(96),
        });
      }
      const p = rng.pick(purchases).message;
      const field = rng.pick(["buyer_index", "nonce", "count", "max_price"] as const);
      p[field] = mutateNumber(rng, p[field]);
      return true;
    },
  },
  {
    name: "transfer_duplicate",
    repair: "full",
    apply({ block, rng, corpus }) {
      const transfers = block.message.body.ticket_transfers;
      const source = transfers.length > 0 && rng.chance(0.5) ? transfers : corpus.transfers;
      if (source.length === 0) return false;
      transfers.push(structuredClone(rng.pick(source)));
      return true;
    },
  },
  {
    name: "transfer_field",
    repair: "full",
    apply({ block, rng, entry, corpus }) {
      const transfers = block.message.body.ticket_transfers;
      const state = entry.pre.state;
      const tickets = [
        ...readAllValues(state.ticket_pool),
        ...readAllValues(state.ticket_assignments).map((a) => a.ticket),
      ];
      if (transfers.length === 0) {
        // A ticket of the pre-state's pool or lookahead, sent by its owner or (foreign) by someone else
        if (tickets.length === 0) return false;
        const ticket = rng.pick(tickets);
        const from = rng.chance(0.5) ? ticket.owner : rng.int(corpus.chain.buyerKeys.length);
        const to = (from + 1) % corpus.chain.buyerKeys.length;
        const nonce = from < state.buyers.length ? state.buyers.getReadonly(from).nonce : 0;
        transfers.push({ message: { ticket_id: ticket.ticket_id, from, to, nonce }, signature: new Uint8Array(96) });
        return true;
      }
      const t = rng.pick(transfers).message;
      const field = rng.pick(["ticket_id", "from", "to", "nonce", "foreign_ticket", "self"] as const);
      if (field === "foreign_ticket") {
        if (tickets.length === 0) return false;
        t.ticket_id = rng.pick(tickets).ticket_id;
      } else if (field === "self") {
        t.to = t.from;
      } else {
        t[field] = mutateNumber(rng, t[field]);
      }
      return true;
    },
  },
  {
    name: "commitment_field",
    repair: "full",
    apply({ block, rng, corpus, entry }) {
      const c = block.message.body.signed_payload_commitment.message;
      const foreign = other(rng, corpus.entries, entry)?.block.message.body.signed_payload_commitment.message;
      const field = rng.pick([
        "slot",
        "ticket_id",
        "gas_limit",
        "parent_block_hash",
        "parent_block_root",
        "block_hash",
        "prev_randao",
        "fee_recipient",
      ] as const);
      if (field === "slot" || field === "ticket_id" || field === "gas_limit") {
        c[field] = foreign && rng.chance(0.3) ? foreign[field] : mutateNumber(rng, c[field]);
      } else {
        c[field] = foreign && rng.chance(0.3) ? foreign[field] : otherBytes(rng, c[field]);
      }
      return true;
    },
  },
  {
    name: "commitment_swap",
    repair: "none",
    apply({ block, rng, corpus, entry }) {
      const foreign = other(rng, corpus.entries, entry);
      if (!foreign) return false;
      block.message.body.signed_payload_commitment = structuredClone(
        foreign.block.message.body.signed_payload_commitment,
      );
      return true;
    },
  },
  {
    name: "attestation_field",
    repair: "full",
    apply({ block, rng }) {
      const attestations = block.message.body.attestations;
      if (attestations.length === 0) return false;
      const a = rng.pick(attestations);
      const field = rng.pick(["slot", "index", "target_epoch", "source_epoch", "root", "duplicate"] as const);
      if (field === "slot") a.data.slot = mutateNumber(rng, a.data.slot);
      else if (field === "index") a.data.index = mutateNumber(rng, a.data.index);
      else if (field === "target_epoch") a.data.target.epoch = mutateNumber(rng, a.data.target.epoch);
      else if (field === "source_epoch") a.data.source.epoch = mutateNumber(rng, a.data.source.epoch);
      else if (field === "root") a.data.beacon_block_root = otherBytes(rng, a.data.beacon_block_root);
      else attestations.push(structuredClone(a));
      return true;
    },
  },
  {
    name: "payload_attestation_field",
    repair: "full",
    apply({ block, rng }) {
      const list = block.message.body.payload_attestations;
      if (list.length === 0) return false;
      const p = rng.pick(list);
      const field = rng.pick(["slot", "present", "root", "duplicate"] as const);
      if (field === "slot") p.data.slot = mutateNumber(rng, p.data.slot);
      else if (field === "present") p.data.payload_present = !p.data.payload_present;
      else if (field === "root") p.data.beacon_block_root = otherBytes(rng, p.data.beacon_block_root);
      else list.push(structuredClone(p));
      return true;
    },
  },
  {
    name: "voluntary_exit",
    repair: "full",
    apply({ block, rng, corpus }) {
      const n = corpus.chain.validatorKeys.length;
      const epoch = computeEpochAtSlot(corpus.chain.ctx, block.message.slot);
      const exit = {
        message: {
          epoch: rng.chance(0.5) ? epoch : mutateNumber(rng, epoch),
          validator_index: rng.chance(0.7) ? rng.int(n) : mutateNumber(rng, n),
        },
        signature: new Uint8Array(96),
      };
      block.message.body.voluntary_exits.push(exit);
      // The same exit twice: the second finds the validator exiting already
      if (rng.chance(0.2)) block.message.body.voluntary_exits.push(structuredClone(exit));
      return true;
    },
  },
  {
    name: "proposer_slashing",
    repair: "full",
    apply({ block, rng, corpus }) {
      // Two different headers of one proposer and slot: re-signed by it when repaired, a real slashing
      const n = corpus.chain.validatorKeys.length;
      const proposer = rng.chance(0.8) ? rng.int(n) : mutateNumber(rng, n);
      const header = {
        slot: rng.chance(0.8) ? block.message.slot - 1 : mutateNumber(rng, block.message.slot),
        proposer_index: proposer,
        parent_root: rng.bytes(32),
        state_root: rng.bytes(32),
        body_root: rng.bytes(32),
      };
      const second = { ...header, body_root: rng.chance(0.9) ? rng.bytes(32) : header.body_root };
      // Headers of two slots or two proposers are no equivocation
      if (rng.chance(0.1)) second.slot = header.slot + 1;
      if (rng.chance(0.1)) second.proposer_index = (proposer + 1) % n;
      const slashing = {
        signed_header_1: { message: header, signature: new Uint8Array(96) },
        signed_header_2: { message: second, signature: new Uint8Array(96) },
      };
      block.message.body.proposer_slashings.push(slashing);
      // The same slashing twice: the second finds its proposer slashed already
      if (rng.chance(0.15)) block.message.body.proposer_slashings.push(structuredClone(slashing));
      return true;
    },
  },
  {
    name: "attester_slashing",
    repair: "full",
    apply({ block, rng, corpus }) {
      const n = corpus.chain.validatorKeys.length;
      const indices = Array.from({ length: 1 + rng.int(3) }, () =>
        rng.chance(0.8) ? rng.int(n) : mutateNumber(rng, n),
      );
      // Mostly sorted and unique (as valid ones are), so that re-signed ones are real slashings
      if (rng.chance(0.7)) indices.splice(0, indices.length, ...[...new Set(indices)].sort((a, b) => a - b));
      const data = block.message.body.attestations[0]?.data ?? {
        slot: 0,
        index: 0,
        beacon_block_root: rng.bytes(32),
        source: { epoch: 0, root: rng.bytes(32) },
        target: { epoch: 0, root: rng.bytes(32) },
      };
      const second = structuredClone(data);
      second.beacon_block_root = otherBytes(rng, second.beacon_block_root);
      // Votes for two targets of different epochs are neither a double nor a surround vote
      if (rng.chance(0.15)) second.target.epoch = data.target.epoch + 1;
      // Nobody in both attestations: no one to slash
      const secondIndices = rng.chance(0.15) ? indices.map((i) => i + 1) : [...indices];
      const slashing = {
        attestation_1: { attesting_indices: indices, data: structuredClone(data), signature: rng.bytes(96) },
        attestation_2: { attesting_indices: secondIndices, data: second, signature: rng.bytes(96) },
      };
      block.message.body.attester_slashings.push(slashing);
      if (rng.chance(0.15)) block.message.body.attester_slashings.push(structuredClone(slashing));
      return true;
    },
  },
  {
    name: "attestation_bits",
    repair: "full",
    apply({ block, rng }) {
      const list = rng.chance(0.7) ? block.message.body.attestations : block.message.body.payload_attestations;
      if (list.length === 0) return false;
      const a = rng.pick(list as { aggregation_bits: BitArray }[]);
      const bits = a.aggregation_bits;
      if ("committee_bits" in a && rng.chance(0.3)) {
        const committee = (a as { committee_bits: BitArray }).committee_bits;
        committee.set(rng.int(committee.bitLen), rng.chance(0.5));
      } else if (rng.chance(0.7) || !("committee_bits" in a)) {
        // Attesters added or removed
        for (let i = 1 + rng.int(3); i > 0; i--) bits.set(rng.int(bits.bitLen), rng.chance(0.5));
      } else {
        // A list of another length
        const resized = BitArray.fromBitLen(Math.max(0, bits.bitLen + rng.pick([-1, 1, 8])));
        for (let i = 0; i < Math.min(bits.bitLen, resized.bitLen); i++) resized.set(i, bits.get(i));
        a.aggregation_bits = resized;
      }
      return true;
    },
  },
];

/** Re-sign what the mutation touched (with the keys its fields name) and fill in the post-state root. */
function repairBlock(corpus: Corpus, entry: CorpusEntry, signed: SignedBeaconBlock, reroot: boolean): void {
  const { chain } = corpus;
  const { ctx, validatorKeys, buyerKeys } = chain;
  const pre = entry.pre;
  const block = signed.message;
  const epoch = computeEpochAtSlot(ctx, entry.block.message.slot);
  for (const p of block.body.ticket_purchases) {
    const key = buyerKeys[p.message.buyer_index];
    if (key) p.signature = signObject(pre, key, ctx.ssz.TicketPurchase, p.message, DOMAIN_TICKET_PURCHASE, epoch);
  }
  for (const t of block.body.ticket_transfers) {
    const key = buyerKeys[t.message.from];
    if (key) t.signature = signObject(pre, key, ctx.ssz.TicketTransfer, t.message, DOMAIN_TICKET_TRANSFER, epoch);
  }
  for (const e of block.body.voluntary_exits) {
    const key = validatorKeys[e.message.validator_index];
    if (key && Number.isSafeInteger(e.message.epoch)) {
      e.signature = signObject(pre, key, ctx.ssz.VoluntaryExit, e.message, DOMAIN_VOLUNTARY_EXIT, e.message.epoch);
    }
  }
  for (const s of block.body.proposer_slashings) {
    for (const h of [s.signed_header_1, s.signed_header_2]) {
      const key = validatorKeys[h.message.proposer_index];
      if (key && Number.isSafeInteger(h.message.slot)) {
        const headerEpoch = computeEpochAtSlot(ctx, h.message.slot);
        h.signature = signObject(pre, key, ctx.ssz.BeaconBlockHeader, h.message, DOMAIN_BEACON_PROPOSER, headerEpoch);
      }
    }
  }
  for (const slashing of block.body.attester_slashings) {
    for (const att of [slashing.attestation_1, slashing.attestation_2]) {
      const keys = att.attesting_indices.map((i) => validatorKeys[i]);
      if (keys.length === 0 || keys.some((k) => k === undefined) || !Number.isSafeInteger(att.data.target.epoch))
        continue;
      const type = ctx.ssz.AttestationData;
      const sigs = keys.map((k) => signObject(pre, k, type, att.data, DOMAIN_BEACON_ATTESTER, att.data.target.epoch));
      att.signature = aggregateSignatureBytes(sigs);
    }
  }
  // The commitment is signed by the slot's ticket holder, or the proposer when self-built
  const commitment = block.body.signed_payload_commitment;
  const ticket = getTicketAssignment(ctx, entry.postBlock.state, entry.block.message.slot);
  const holderKey = isSelfBuild(ticket) ? validatorKeys[entry.block.message.proposer_index] : buyerKeys[ticket.owner];
  commitment.signature = signObject(
    pre,
    holderKey,
    ctx.ssz.ExecutionPayloadCommitment,
    commitment.message,
    DOMAIN_PAYLOAD_COMMITMENT,
    epoch,
  );
  // Only a slot the clock admits: the producer's dry run has no bound of its own
  const maxSlot = clockSlot(corpus, entry);
  if (reroot && Number.isSafeInteger(block.slot) && block.slot > pre.state.slot && block.slot <= maxSlot) {
    try {
      block.state_root = computeBlockStateRoot(pre, block);
    } catch {
      // Rejected during the dry run: the state transition says why
    }
  }
  const proposerKey = validatorKeys[block.proposer_index];
  if (proposerKey && Number.isSafeInteger(block.slot)) {
    const blockEpoch = computeEpochAtSlot(ctx, block.slot);
    signed.signature = signObject(pre, proposerKey, ctx.ssz.BeaconBlock, block, DOMAIN_BEACON_PROPOSER, blockEpoch);
  }
}

/** The latest slot the simulated node's clock admits for this entry's block. */
export function clockSlot(corpus: Corpus, entry: CorpusEntry): number {
  return entry.block.message.slot + CLOCK_LEAD_EPOCHS * corpus.chain.ctx.preset.SLOTS_PER_EPOCH;
}

const OPS = ["purchase", "transfer", "commitment"] as const;

function blockCase(corpus: Corpus, entry: CorpusEntry, rng: Rng): FuzzCase {
  const types = corpus.chain.ctx.ssz;
  const maxSlot = clockSlot(corpus, entry);
  const importBytes = (bytes: Uint8Array, deferSignatures?: SignatureSet[]) => {
    const signed = deserializeSsz(types.SignedBeaconBlock, bytes, "SignedBeaconBlock");
    return stateTransition(entry.pre, signed, { maxSlot, deferSignatures });
  };
  const base = {
    target: "block" as const,
    pre: entry.pre,
    payloadHash: noPayload,
    engine: null,
    differential: rng.chance(DIFFERENTIAL_SHARE),
  };

  if (rng.chance(BYTES_SHARE)) {
    const kind = rng.pick(BYTE_MUTATIONS);
    if (rng.chance(0.5)) {
      const bytes = mutateBytes(rng, types.SignedBeaconBlock.serialize(entry.block), kind);
      return {
        ...base,
        mutation: `bytes/${kind}`,
        prepare: nothing,
        run: (d?: SignatureSet[]) => importBytes(bytes, d),
      };
    }
    // One operation's bytes, decoded on its own (as gossip would), then put in the block
    const body = entry.block.message.body;
    const op = rng.pick(
      OPS.filter(
        (o) => o === "commitment" || (o === "purchase" ? body.ticket_purchases : body.ticket_transfers).length > 0,
      ),
    );
    const signed = types.SignedBeaconBlock.clone(entry.block);
    const repair = rng.chance(REPAIR_SHARE);
    const mutation = `op_bytes/${op}/${kind}`;
    if (op === "purchase") {
      const i = rng.int(body.ticket_purchases.length);
      const bytes = mutateBytes(rng, types.SignedTicketPurchase.serialize(body.ticket_purchases[i]), kind);
      return {
        ...base,
        mutation,
        prepare: nothing,
        run: (d?: SignatureSet[]) => {
          signed.message.body.ticket_purchases[i] = deserializeSsz(
            types.SignedTicketPurchase,
            bytes,
            "SignedTicketPurchase",
          );
          if (repair) repairRoots(corpus, entry, signed);
          return importBytes(types.SignedBeaconBlock.serialize(signed), d);
        },
      };
    }
    if (op === "transfer") {
      const i = rng.int(body.ticket_transfers.length);
      const bytes = mutateBytes(rng, types.SignedTicketTransfer.serialize(body.ticket_transfers[i]), kind);
      return {
        ...base,
        mutation,
        prepare: nothing,
        run: (d?: SignatureSet[]) => {
          signed.message.body.ticket_transfers[i] = deserializeSsz(
            types.SignedTicketTransfer,
            bytes,
            "SignedTicketTransfer",
          );
          if (repair) repairRoots(corpus, entry, signed);
          return importBytes(types.SignedBeaconBlock.serialize(signed), d);
        },
      };
    }
    const bytes = mutateBytes(
      rng,
      types.SignedExecutionPayloadCommitment.serialize(body.signed_payload_commitment),
      kind,
    );
    return {
      ...base,
      mutation,
      prepare: nothing,
      run: (d?: SignatureSet[]) => {
        signed.message.body.signed_payload_commitment = deserializeSsz(
          types.SignedExecutionPayloadCommitment,
          bytes,
          "SignedExecutionPayloadCommitment",
        );
        if (repair) repairRoots(corpus, entry, signed);
        return importBytes(types.SignedBeaconBlock.serialize(signed), d);
      },
    };
  }

  const signed = types.SignedBeaconBlock.clone(entry.block);
  let mutation = rng.pick(BLOCK_MUTATIONS);
  while (!mutation.apply({ corpus, entry, block: signed, rng })) mutation = rng.pick(BLOCK_MUTATIONS);
  const repair = mutation.repair !== "none" && rng.chance(REPAIR_SHARE);
  return {
    ...base,
    mutation: `field/${mutation.name}`,
    prepare: () => {
      if (repair) repairBlock(corpus, entry, signed, mutation.repair === "full");
    },
    run: (d?: SignatureSet[]) => importBytes(types.SignedBeaconBlock.serialize(signed), d),
  };
}

/**
 * A valid block on another state: its parent's EMPTY variant (post-block, when the parent's payload
 * was revealed and the block builds on it), or an older state (slots skipped, a stale parent).
 */
function otherPreCase(corpus: Corpus, entry: CorpusEntry, rng: Rng): FuzzCase {
  const at = corpus.entries.indexOf(entry);
  const parent = corpus.entries[at - 1];
  const useEmpty = parent?.envelope != null && rng.chance(0.5);
  const pre = useEmpty ? parent.postBlock : corpus.entries[rng.int(at + 1)].pre;
  const types = corpus.chain.ctx.ssz;
  const bytes = types.SignedBeaconBlock.serialize(entry.block);
  const maxSlot = clockSlot(corpus, entry);
  return {
    target: "block",
    mutation: useEmpty ? "other_pre/parent_empty_variant" : "other_pre/older_state",
    pre,
    prepare: nothing,
    run: (deferSignatures?: SignatureSet[]) =>
      stateTransition(pre, deserializeSsz(types.SignedBeaconBlock, bytes, "SignedBeaconBlock"), {
        maxSlot,
        deferSignatures,
      }),
    payloadHash: noPayload,
    engine: null,
    differential: rng.chance(DIFFERENTIAL_SHARE),
  };
}

/** The post-state root and the proposer's signature only: the mutated operation keeps its own signature. */
function repairRoots(corpus: Corpus, entry: CorpusEntry, signed: SignedBeaconBlock): void {
  const { ctx, validatorKeys } = corpus.chain;
  try {
    signed.message.state_root = computeBlockStateRoot(entry.pre, signed.message);
  } catch {
    // Rejected during the dry run: the state transition says why
  }
  const epoch = computeEpochAtSlot(ctx, signed.message.slot);
  const key = validatorKeys[signed.message.proposer_index];
  signed.signature = signObject(entry.pre, key, ctx.ssz.BeaconBlock, signed.message, DOMAIN_BEACON_PROPOSER, epoch);
}

// ---------------------------------------------------------------- envelopes

const ENVELOPE_FIELDS = [
  "slot",
  "ticket_id",
  "beacon_block_root",
  "state_root",
  "parent_hash",
  "block_hash",
  "fee_recipient",
  "gas_limit",
  "gas_used",
  "timestamp",
  "block_number",
  "transactions",
  "extra_data",
  "foreign_envelope",
  "swapped_signature",
] as const;

function envelopeCase(
  corpus: Corpus,
  entry: CorpusEntry,
  envelope: SignedExecutionPayloadEnvelope,
  rng: Rng,
): FuzzCase {
  const { chain } = corpus;
  const types = chain.ctx.ssz;
  const fresh = rng.chance(FRESH_ENGINE_SHARE);
  const engine = fresh ? new DeterministicExecutionEngine(chain.ctx) : chain.engine;
  const differential = rng.chance(DIFFERENTIAL_SHARE);
  // Mostly the post-block state; sometimes the state after this very envelope (a replay)
  let applyTo = entry.postBlock;
  const next = corpus.entries[corpus.entries.indexOf(entry) + 1];
  const replay =
    entry.envelope !== null && next?.pre.state.slot === entry.block.message.slot && rng.chance(REPLAY_SHARE);
  if (replay) applyTo = next.pre;
  const importBytes = (bytes: Uint8Array, deferSignatures?: SignatureSet[]) => {
    const signed = deserializeSsz(types.SignedExecutionPayloadEnvelope, bytes, "SignedExecutionPayloadEnvelope");
    // Deferred, an envelope with a bad signature is accepted here (its caller refuses it later):
    // it gets an engine of its own, so that the case's engine shows only what the normal run taught
    const deferredEngine = fresh ? new DeterministicExecutionEngine(chain.ctx) : engine;
    return deferSignatures
      ? stateTransitionEnvelope(applyTo, signed, deferredEngine, { deferSignatures })
      : stateTransitionEnvelope(applyTo, signed, engine);
  };
  if (rng.chance(BYTES_SHARE)) {
    const kind = rng.pick(BYTE_MUTATIONS);
    const bytes = mutateBytes(rng, types.SignedExecutionPayloadEnvelope.serialize(envelope), kind);
    return {
      target: "envelope",
      mutation: `bytes/${kind}${replay ? "+replay" : ""}`,
      pre: applyTo,
      prepare: nothing,
      run: (d?: SignatureSet[]) => importBytes(bytes, d),
      payloadHash: noPayload,
      engine: null,
      differential,
    };
  }

  let signed = types.SignedExecutionPayloadEnvelope.clone(envelope);
  const field = rng.pick(ENVELOPE_FIELDS);
  const m = signed.message;
  const p = m.payload;
  const foreign =
    other(
      rng,
      corpus.entries.filter((e) => e.envelope !== null),
      entry,
    )?.envelope ?? null;
  let repairMode: Repair = "full";
  switch (field) {
    case "slot":
    case "ticket_id":
      m[field] = mutateNumber(rng, m[field]);
      // A full repair would name this block's slot again
      if (field === "slot") repairMode = "sign";
      break;
    case "beacon_block_root":
    case "state_root":
      m[field] = foreign && rng.chance(0.3) ? foreign.message[field] : otherBytes(rng, m[field]);
      repairMode = "sign";
      break;
    case "parent_hash":
    case "block_hash":
    case "fee_recipient":
      p[field] = foreign && rng.chance(0.3) ? foreign.message.payload[field] : otherBytes(rng, p[field]);
      break;
    case "gas_limit":
    case "gas_used":
    case "timestamp":
    case "block_number":
      p[field] = mutateNumber(rng, p[field]);
      break;
    case "transactions":
      if (p.transactions.length > 0 && rng.chance(0.5)) p.transactions = p.transactions.slice(1);
      else p.transactions = [...p.transactions, rng.bytes(rng.int(64))];
      break;
    case "extra_data":
      p.extra_data = rng.bytes(rng.int(33));
      break;
    case "foreign_envelope":
      // Repaired, it names this block: an envelope for it carrying another slot's payload
      if (foreign === null) return blockCase(corpus, entry, rng);
      signed = types.SignedExecutionPayloadEnvelope.clone(foreign);
      break;
    case "swapped_signature":
      signed.signature = rng.pick([
        entry.block.signature,
        entry.block.message.body.signed_payload_commitment.signature,
        foreign?.signature ?? rng.bytes(96),
        rng.bytes(96),
      ]);
      repairMode = "none";
      break;
  }
  const repair = repairMode !== "none" && rng.chance(REPAIR_SHARE);
  const rehash = rng.chance(0.5);
  const breakRoot = repairMode === "full" && rng.chance(LATE_ROOT_SHARE);
  return {
    target: "envelope",
    mutation: `field/envelope_${field}${repair && breakRoot ? "+late_state_root" : ""}${replay ? "+replay" : ""}`,
    pre: applyTo,
    prepare: () => {
      if (repair) repairEnvelope(corpus, entry, signed, rehash, repairMode === "full", breakRoot);
    },
    run: (d?: SignatureSet[]) => importBytes(types.SignedExecutionPayloadEnvelope.serialize(signed), d),
    payloadHash: () => signed.message.payload.block_hash,
    engine,
    differential,
  };
}

/** Re-hash the payload (when asked), fill in the post-state root and re-sign as the slot's builder. */
function repairEnvelope(
  corpus: Corpus,
  entry: CorpusEntry,
  signed: SignedExecutionPayloadEnvelope,
  rehash: boolean,
  reroot: boolean,
  breakRoot: boolean,
): void {
  const { chain } = corpus;
  const { ctx } = chain;
  const m = signed.message;
  if (reroot) {
    m.beacon_block_root = entry.blockRoot;
    m.slot = entry.block.message.slot;
  }
  if (rehash && reroot) m.payload.block_hash = chain.engine.computeBlockHash(m.payload);
  try {
    if (reroot) m.state_root = computeEnvelopeStateRoot(entry.postBlock, m);
  } catch {
    // Rejected during the dry run: the state transition says why
  }
  if (breakRoot) m.state_root = Uint8Array.from(m.state_root, (b, i) => (i === 0 ? b ^ 1 : b));
  const slot = entry.block.message.slot;
  const ticket = getTicketAssignment(ctx, entry.postBlock.state, slot);
  const key = isSelfBuild(ticket)
    ? chain.validatorKeys[entry.block.message.proposer_index]
    : chain.buyerKeys[ticket.owner];
  const epoch = computeEpochAtSlot(ctx, slot);
  signed.signature = signObject(
    entry.postBlock,
    key,
    ctx.ssz.ExecutionPayloadEnvelope,
    m,
    DOMAIN_PAYLOAD_ENVELOPE,
    epoch,
  );
}
