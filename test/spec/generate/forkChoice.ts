/**
 * `fork_choice`: scenarios in the consensus-spec-tests `steps.yaml` format, on a store anchored at
 * genesis. The generator runs each step through the same harness the runner uses and writes the
 * `checks` it observes, after asserting that the scenario shows what its name says.
 */
import {
  type Attestation,
  type BeaconBlock,
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_PTC_ATTESTER,
  type PayloadAttestationMessage,
  processSlotsCopy,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { type DevChain, signObject } from "@turnstile/ticket-state/dev";
import { CaseFiles } from "../lib/files.ts";
import { type ForkChoiceChecks, ForkChoiceHarness } from "../lib/forkChoice.ts";
import type { PresetName } from "../lib/paths.ts";
import type { YamlValue } from "../lib/yaml.ts";
import { addConfig, newChain, SUITE } from "./common.ts";
import type { Output } from "./output.ts";

const PAYLOAD_STATUS = { PENDING: 0, EMPTY: 1, FULL: 2 } as const;

/** The anchor block of a genesis state: its latest header with the state root filled in, and an empty body. */
export function genesisAnchorBlock(genesis: CachedBeaconState): BeaconBlock {
  const header = genesis.state.latest_block_header;
  return {
    slot: header.slot,
    proposer_index: header.proposer_index,
    parent_root: header.parent_root,
    state_root: genesis.hashTreeRoot(),
    body: genesis.ctx.ssz.BeaconBlockBody.defaultValue(),
  };
}

class Scenario {
  readonly files = new CaseFiles();
  readonly steps: YamlValue[] = [];
  readonly harness: ForkChoiceHarness;
  private readonly genesis: CachedBeaconState;
  private readonly name: string;

  constructor(name: string, genesis: CachedBeaconState) {
    this.name = name;
    this.genesis = genesis;
    const anchorBlock = genesisAnchorBlock(genesis);
    this.files
      .sszBytes("anchor_state", genesis.serialize())
      .ssz("anchor_block", genesis.ctx.ssz.BeaconBlock, anchorBlock);
    this.harness = new ForkChoiceHarness(genesis.clone(), anchorBlock);
  }

  private get ssz() {
    return this.genesis.ctx.ssz;
  }

  private run(kind: string, stem: string, valid: boolean, fn: () => void): void {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    if (valid && error !== undefined)
      throw new Error(`${this.name}: ${kind} ${stem} failed: ${String(error)}`, { cause: error });
    if (!valid && error === undefined) throw new Error(`${this.name}: ${kind} ${stem} was expected to fail`);
    this.steps.push(valid ? { [kind]: stem } : { [kind]: stem, valid: false });
  }

  /** Tick to a slot, `offset` seconds into it. */
  tickSlot(slot: number, offset = 0): void {
    const time = this.genesis.state.genesis_time + slot * this.genesis.ctx.config.SECONDS_PER_SLOT + offset;
    this.harness.tick(time);
    this.steps.push({ tick: time });
  }

  block(signed: SignedBeaconBlock, valid = true): string {
    const root = toHex(this.ssz.BeaconBlock.hashTreeRoot(signed.message));
    const stem = `block_${root}`;
    this.files.ssz(stem, this.ssz.SignedBeaconBlock, signed);
    this.run("block", stem, valid, () => this.harness.block(signed));
    return root;
  }

  attestation(attestation: Attestation, valid = true): void {
    const stem = `attestation_${toHex(this.ssz.Attestation.hashTreeRoot(attestation))}`;
    this.files.ssz(stem, this.ssz.Attestation, attestation);
    this.run("attestation", stem, valid, () => this.harness.attestation(attestation));
  }

  payloadAttestationMessage(message: PayloadAttestationMessage, valid = true): void {
    const stem = `payload_attestation_message_${toHex(sszTypes.PayloadAttestationMessage.hashTreeRoot(message))}`;
    this.files.ssz(stem, sszTypes.PayloadAttestationMessage, message);
    this.run("payload_attestation_message", stem, valid, () => this.harness.payloadAttestationMessage(message));
  }

  executionPayload(envelope: SignedExecutionPayloadEnvelope, valid = true): void {
    const stem = `execution_payload_envelope_${toHex(this.ssz.SignedExecutionPayloadEnvelope.hashTreeRoot(envelope))}`;
    this.files.ssz(stem, this.ssz.SignedExecutionPayloadEnvelope, envelope);
    this.run("execution_payload", stem, valid, () => this.harness.executionPayload(envelope));
  }

  /** Record the store's checks; `expect` names what the scenario is about (asserted here). */
  checks(
    expect: {
      root?: string;
      payloadStatus?: number;
      boost?: string | null;
      justified?: number;
      finalized?: number;
    } = {},
  ): ForkChoiceChecks {
    const checks = this.harness.checks();
    const fail = (what: string, got: unknown, want: unknown) => {
      throw new Error(`${this.name} at time ${checks.time}: ${what} is ${String(got)}, expected ${String(want)}`);
    };
    if (expect.root !== undefined && checks.head.root !== expect.root) fail("head", checks.head.root, expect.root);
    if (expect.payloadStatus !== undefined && checks.head.payload_status !== expect.payloadStatus) {
      fail("head payload status", checks.head.payload_status, expect.payloadStatus);
    }
    const zero = `0x${"00".repeat(32)}`;
    if (expect.boost !== undefined && checks.proposer_boost_root !== (expect.boost ?? zero)) {
      fail("proposer boost root", checks.proposer_boost_root, expect.boost ?? zero);
    }
    if (expect.justified !== undefined && checks.justified_checkpoint.epoch !== expect.justified) {
      fail("justified epoch", checks.justified_checkpoint.epoch, expect.justified);
    }
    if (expect.finalized !== undefined && checks.finalized_checkpoint.epoch !== expect.finalized) {
      fail("finalized epoch", checks.finalized_checkpoint.epoch, expect.finalized);
    }
    this.steps.push({ checks: checks as unknown as YamlValue });
    return checks;
  }

  write(out: Output, preset: PresetName, handler: string, description: string): void {
    this.files.yaml("meta", { description, bls_setting: 1 });
    addConfig(this.files, preset, this.genesis.ctx.config);
    this.files.yaml("steps", this.steps);
    out.add(preset, "fork_choice", handler, SUITE, this.name, this.files);
  }
}

/** Advance `chain` one slot as `plan` says and feed the scenario: tick, block, envelope. */
function feedSlot(
  s: Scenario,
  chain: DevChain,
  plan: Parameters<DevChain["advance"]>[0] = {},
): { root: string | null; revealed: boolean } {
  const slot = chain.slot + 1;
  s.tickSlot(slot);
  const result = chain.advance(plan);
  if (result.block === null) return { root: null, revealed: false };
  const root = s.block(result.block);
  if (result.envelope !== null) s.executionPayload(result.envelope);
  return { root, revealed: result.envelope !== null };
}

function ptcMessage(
  chain: DevChain,
  cs: CachedBeaconState,
  validatorIndex: number,
  slot: number,
  root: Uint8Array,
  present: boolean,
): PayloadAttestationMessage {
  const data = { beacon_block_root: root, slot, payload_present: present, blob_data_available: present };
  const epoch = computeEpochAtSlot(cs.ctx, slot);
  const sk = chain.validatorKeys[validatorIndex];
  return {
    validator_index: validatorIndex,
    data,
    signature: signObject(cs, sk, sszTypes.PayloadAttestationData, data, DOMAIN_PTC_ATTESTER, epoch),
  };
}

function linearChain(out: Output, preset: PresetName): void {
  const chain = newChain(preset, { initialTicketsPerBuyer: 3 });
  const s = new Scenario("linear_chain_with_payloads", chain.head.clone());
  const spe = chain.ctx.preset.SLOTS_PER_EPOCH;
  const slots = preset === "minimal" ? 4 * spe + 1 : 4;
  for (let i = 0; i < slots; i++) {
    const { root } = feedSlot(s, chain);
    s.checks({ root: root!, payloadStatus: PAYLOAD_STATUS.FULL, boost: root });
  }
  if (preset === "minimal") s.checks({ justified: 3, finalized: 2 });
  s.write(
    out,
    preset,
    "get_head",
    preset === "minimal"
      ? "four epochs of blocks, every payload revealed: head FULL at every slot; justification and finalization"
      : "four blocks with their payloads on the mainnet preset",
  );
}

function withheldPayload(out: Output, preset: PresetName): void {
  const chain = newChain(preset, { initialTicketsPerBuyer: 3 });
  const s = new Scenario("withheld_payload", chain.head.clone());
  for (let i = 0; i < 3; i++) feedSlot(s, chain);
  const slot = chain.slot + 1;
  const { root } = feedSlot(s, chain, { withholdPayload: true });
  s.checks({ root: root!, payloadStatus: PAYLOAD_STATUS.EMPTY, boost: root });
  // the PTC votes the payload absent, late in the slot
  const cs = chain.head;
  const ptc = cs.epochCtx.getPtc(slot);
  s.tickSlot(slot, 3 * Math.floor(chain.ctx.config.SECONDS_PER_SLOT / 4));
  for (const v of ptc) s.payloadAttestationMessage(ptcMessage(chain, cs, v, slot, chain.headBlockRoot, false));
  s.checks({ root: root!, payloadStatus: PAYLOAD_STATUS.EMPTY });
  const next = feedSlot(s, chain);
  s.checks({ root: next.root!, payloadStatus: PAYLOAD_STATUS.FULL });
  s.write(
    out,
    preset,
    "withholding",
    "the holder commits but withholds slot 4's payload: head is the block's EMPTY variant; the PTC votes absent; slot 5 builds on EMPTY",
  );
}

function missedSlot(out: Output, preset: PresetName): void {
  const chain = newChain(preset, { initialTicketsPerBuyer: 3 });
  const s = new Scenario("missed_slot", chain.head.clone());
  let last = "";
  for (let i = 0; i < 2; i++) last = feedSlot(s, chain).root!;
  const skippedSlot = chain.slot + 1;
  feedSlot(s, chain, { skipBlock: true });
  s.checks({ root: last, payloadStatus: PAYLOAD_STATUS.FULL, boost: null });
  // the skipped slot's committee votes for the previous block, FULL
  const vote = chain.makeAttestation(chain.head, skippedSlot);
  s.tickSlot(skippedSlot + 1);
  s.attestation(vote);
  s.checks({ root: last, payloadStatus: PAYLOAD_STATUS.FULL });
  const next = feedSlot(s, chain);
  s.checks({ root: next.root!, payloadStatus: PAYLOAD_STATUS.FULL });
  s.write(
    out,
    preset,
    "get_head",
    "slot 3 has no block: head stays at slot 2's block (FULL) with the skipped slot's votes; slot 4's block builds on it",
  );
}

/** Two identical chains from one genesis (each may later make its own block for a slot). */
function twoForks(preset: PresetName) {
  const a = newChain(preset, { initialTicketsPerBuyer: 3 });
  const b = newChain(preset, { initialTicketsPerBuyer: 3 });
  return { a, b, genesis: a.head.clone() };
}

function forkByVotes(out: Output, preset: PresetName): void {
  const { a, b, genesis } = twoForks(preset);
  const s = new Scenario("fork_decided_by_votes", genesis);
  for (let i = 0; i < 3; i++) {
    feedSlot(s, a);
    b.advance();
  }
  const slot = a.slot + 1;
  s.tickSlot(slot);
  const resultA = a.advance({ purchases: [a.signPurchase(0, 1, a.head.state.ticket_price)] });
  const resultB = b.advance();
  const rootA = s.block(resultA.block!);
  s.executionPayload(resultA.envelope!);
  const rootB = s.block(resultB.block!);
  s.executionPayload(resultB.envelope!);
  s.checks({ root: rootA, boost: rootA });
  // next slot: the boost is gone, slot 4's whole committee voted for B's block
  s.tickSlot(slot + 1);
  s.attestation(b.makeAttestation(b.head, slot));
  s.checks({ root: rootB, payloadStatus: PAYLOAD_STATUS.FULL, boost: null });
  const next = feedSlot(s, b);
  s.checks({ root: next.root! });
  s.write(
    out,
    preset,
    "get_head",
    "two blocks for slot 4 on one parent: the first gets the proposer boost and leads; in slot 5 the committee's votes for the second decide",
  );
}

function proposerBoost(out: Output, preset: PresetName): void {
  const { a, b, genesis } = twoForks(preset);
  const s = new Scenario("proposer_boost", genesis);
  for (let i = 0; i < 2; i++) {
    feedSlot(s, a);
    b.advance();
  }
  const slot = a.slot + 1;
  const resultA = a.advance({ purchases: [a.signPurchase(1, 1, a.head.state.ticket_price)] });
  const resultB = b.advance();
  const ssz = genesis.ctx.ssz;
  const rootA = toHex(ssz.BeaconBlock.hashTreeRoot(resultA.block!.message));
  const rootB = toHex(ssz.BeaconBlock.hashTreeRoot(resultB.block!.message));
  // the boosted block is the one the root tie-break would not pick
  const [boosted, other] = rootA < rootB ? [resultA, resultB] : [resultB, resultA];
  const [boostedRoot, otherRoot] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
  s.tickSlot(slot);
  s.block(boosted.block!);
  s.checks({ root: boostedRoot, payloadStatus: PAYLOAD_STATUS.EMPTY, boost: boostedRoot });
  s.block(other.block!);
  s.checks({ root: boostedRoot, boost: boostedRoot });
  // a second late block does not take the boost; next slot the boost is gone and the tie-break decides
  s.tickSlot(slot + 1);
  s.checks({ root: otherRoot, boost: null });
  s.write(
    out,
    preset,
    "get_head",
    "two blocks for slot 3 without votes: the timely first one is head only while it holds the proposer boost; then the root tie-break picks the other",
  );
}

/**
 * Slot 3's proposer shows two blocks; slot 4's timely block builds on the one the root tie-break
 * does not pick and carries no votes for it, so its parent is weak. When the other block came
 * before the PTC deadline, that is an early equivocation and the boost is withheld (Gloas
 * `should_apply_proposer_boost`); when it came after, the boost applies.
 */
function boostAfterEquivocation(out: Output, preset: PresetName, otherLate: boolean): void {
  const { a, b, genesis } = twoForks(preset);
  const name = otherLate ? "proposer_boost_after_late_equivocation" : "proposer_boost_withheld_after_equivocation";
  const s = new Scenario(name, genesis);
  for (let i = 0; i < 2; i++) {
    feedSlot(s, a);
    b.advance();
  }
  const slot = a.slot + 1;
  // attest: false: slot 3's votes stay out of the next block, so that the slot-3 blocks stay weak
  const resultA = a.advance({ purchases: [a.signPurchase(1, 1, a.head.state.ticket_price)], attest: false });
  const resultB = b.advance({ attest: false });
  const ssz = genesis.ctx.ssz;
  const rootA = toHex(ssz.BeaconBlock.hashTreeRoot(resultA.block!.message));
  const rootB = toHex(ssz.BeaconBlock.hashTreeRoot(resultB.block!.message));
  // The tie-break picks the larger root: the next block builds on the smaller
  const [parentChain, parent, other] = rootA < rootB ? [a, resultA, resultB] : [b, resultB, resultA];
  s.tickSlot(slot);
  s.block(parent.block!);
  s.executionPayload(parent.envelope!);
  const seconds = genesis.ctx.config.SECONDS_PER_SLOT;
  if (otherLate) s.tickSlot(slot, seconds - Math.floor(seconds / 4));
  const otherRoot = s.block(other.block!);
  s.executionPayload(other.envelope!);
  s.tickSlot(slot + 1);
  const child = parentChain.advance();
  const childRoot = s.block(child.block!);
  s.checks({ root: otherLate ? childRoot : otherRoot, boost: childRoot });
  s.write(
    out,
    preset,
    "get_head",
    otherLate
      ? "slot 3's proposer shows a second block after the PTC deadline; slot 4's timely block on the first, weak, block keeps its boost and is head"
      : "slot 3's proposer shows two blocks before the PTC deadline; slot 4's timely block builds on the weak one the tie-break does not pick: the boost is withheld and the other block stays head",
  );
}

function lateBlock(out: Output, preset: PresetName): void {
  const chain = newChain(preset, { initialTicketsPerBuyer: 3 });
  const s = new Scenario("late_block_no_boost", chain.head.clone());
  for (let i = 0; i < 2; i++) feedSlot(s, chain);
  const slot = chain.slot + 1;
  s.tickSlot(slot, Math.ceil(chain.ctx.config.SECONDS_PER_SLOT / 2));
  const result = chain.advance();
  const root = s.block(result.block!);
  s.checks({ root, boost: null });
  s.write(
    out,
    preset,
    "on_block",
    "a block arriving half-way into its slot (after the attestation deadline) gets no proposer boost",
  );
}

function invalidMessages(out: Output, preset: PresetName): void {
  const chain = newChain(preset, { initialTicketsPerBuyer: 3 });
  const s = new Scenario("invalid_messages", chain.head.clone());
  feedSlot(s, chain);
  feedSlot(s, chain);
  // a PTC message, in the head block's slot, from a validator outside that slot's PTC
  const headSlot = chain.slot;
  const ptc = new Set(chain.head.epochCtx.getPtc(headSlot));
  const outsider = [...Array(chain.validatorKeys.length).keys()].find((v) => !ptc.has(v))!;
  s.tickSlot(headSlot, 3);
  s.payloadAttestationMessage(ptcMessage(chain, chain.head, outsider, headSlot, chain.headBlockRoot, true), false);
  // next slot: a vote for the current slot is too early to count
  const current = headSlot + 1;
  s.tickSlot(current);
  s.attestation(chain.makeAttestation(processSlotsCopy(chain.head, current), current), false);
  // a block whose parent the store has never seen, and its envelope
  const other = newChain(preset, { initialTicketsPerBuyer: 3 });
  other.advance({ skipBlock: true });
  other.advance(); // the orphan's parent: never shown to the store
  const orphan = other.advance();
  s.block(orphan.block!, false);
  s.executionPayload(orphan.envelope!, false);
  // a block from a slot that has not come
  s.block(chain.produceBlock(current + 2), false);
  s.checks({ root: toHex(chain.headBlockRoot), payloadStatus: PAYLOAD_STATUS.FULL });
  s.write(
    out,
    preset,
    "on_block",
    "messages the store must reject: a PTC message from a non-member, a vote for the current slot, a block with an unknown parent and its envelope, a block from a future slot",
  );
}

export function generateForkChoice(out: Output, preset: PresetName): void {
  linearChain(out, preset);
  if (preset === "mainnet") return;
  withheldPayload(out, preset);
  missedSlot(out, preset);
  forkByVotes(out, preset);
  proposerBoost(out, preset);
  boostAfterEquivocation(out, preset, false);
  boostAfterEquivocation(out, preset, true);
  lateBlock(out, preset);
  invalidMessages(out, preset);
}
