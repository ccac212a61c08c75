/**
 * `sanity`: `slots` (empty slots through `process_slots`) and `blocks` (multi-block runs through
 * the full state transition). A block whose payload was revealed is followed by its envelope,
 * `envelopes_<i>.ssz_snappy` (a Turnstile extension of the format), applied to the post-block state.
 */
import {
  type BeaconBlock,
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_BEACON_PROPOSER,
  processSlotsCopy,
  SELF_BUILD_TICKET_ID,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
  stateTransitionEnvelope,
} from "@turnstile/ticket-state";
import { type DevChain, signObject } from "@turnstile/ticket-state/dev";
import { CaseFiles } from "../lib/files.ts";
import { vectorEngine } from "../lib/operations.ts";
import type { PresetName } from "../lib/paths.ts";
import type { YamlValue } from "../lib/yaml.ts";
import { auctionSanity } from "./auctions.ts";
import { addConfig, expectError, newChain, reload, SUITE, serializeState } from "./common.ts";
import {
  expiryChain,
  healthyChain,
  marketChain,
  type RecordedChain,
  recordAt,
  registryChangeChain,
} from "./fixtures.ts";
import { holderSanity } from "./holders.ts";
import type { Output } from "./output.ts";
import { pricingSanity } from "./pricing.ts";

interface Step {
  block: SignedBeaconBlock;
  envelope: SignedExecutionPayloadEnvelope | null;
}

export function writeBlocks(
  out: Output,
  preset: PresetName,
  name: string,
  description: string,
  pre: CachedBeaconState,
  steps: Step[],
  expected: { error?: string; blsSetting?: number } = {},
): void {
  const files = new CaseFiles();
  const meta: Record<string, YamlValue> = { description };
  if (expected.blsSetting !== undefined) meta.bls_setting = expected.blsSetting;
  meta.blocks_count = steps.length;
  if (expected.error !== undefined) meta.expected_error = expected.error;
  files.yaml("meta", meta);
  addConfig(files, preset, pre.ctx.config);
  files.sszBytes("pre", serializeState(pre));
  const { ssz } = pre.ctx;
  steps.forEach((step, i) => {
    files.ssz(`blocks_${i}`, ssz.SignedBeaconBlock, step.block);
    if (step.envelope !== null) files.ssz(`envelopes_${i}`, ssz.SignedExecutionPayloadEnvelope, step.envelope);
  });
  // as the runner does it
  const run = () => {
    let cs = reload(pre);
    for (const step of steps) {
      cs = stateTransition(cs, step.block, { verifySignatures: true });
      if (step.envelope !== null) {
        cs = stateTransitionEnvelope(cs, step.envelope, vectorEngine(true), { verifySignature: true });
      }
    }
    return cs;
  };
  if (expected.error === undefined) files.sszBytes("post", serializeState(run()));
  else expectError(`sanity/blocks/${name}`, expected.error, run);
  out.add(preset, "sanity", "blocks", SUITE, name, files);
}

export function stepsOf(recorded: RecordedChain, fromSlot = 1, toSlot = Number.POSITIVE_INFINITY): Step[] {
  return recorded.records
    .filter((r) => r.block !== null && r.slot >= fromSlot && r.slot <= toSlot)
    .map((r) => ({ block: r.block!, envelope: r.envelope }));
}

export function resign(chain: DevChain, pre: CachedBeaconState, block: BeaconBlock): SignedBeaconBlock {
  const sk = chain.validatorKeys[block.proposer_index];
  const epoch = computeEpochAtSlot(pre.ctx, block.slot);
  return {
    message: block,
    signature: signObject(pre, sk, pre.ctx.ssz.BeaconBlock, block, DOMAIN_BEACON_PROPOSER, epoch),
  };
}

function blocks(out: Output, preset: PresetName): void {
  const market = marketChain(preset);
  if (preset === "mainnet") {
    writeBlocks(
      out,
      preset,
      "market_lifecycle",
      "4 slots of the market chain on the mainnet preset",
      market.genesis,
      stepsOf(market),
    );
    return;
  }
  writeBlocks(
    out,
    preset,
    "market_lifecycle",
    "12 slots: tickets drawn at genesis are committed and revealed; purchases in slots 3 and 11, a transfer in slot 5; slot 6 missed (its ticket returns to the pool); slot 8's payload withheld; slot 9's commitment withheld (empty commitment)",
    market.genesis,
    stepsOf(market),
  );
  const fromSlot7 = recordAt(market, 7).preHead;
  writeBlocks(
    out,
    preset,
    "across_epoch_boundary",
    "slots 7 to 12 of the market chain: the epoch transition and the draws after it",
    fromSlot7,
    stepsOf(market, 7),
  );
  const healthy = healthyChain(preset);
  writeBlocks(
    out,
    preset,
    "finality",
    "four epochs, every validator attesting and every payload revealed: justification and finalization",
    healthy.genesis,
    stepsOf(healthy),
  );
  const sink = marketChain(preset, { TICKET_REVENUE_SINK: "validators" }, 16);
  writeBlocks(
    out,
    preset,
    "revenue_to_validators",
    "TICKET_REVENUE_SINK = validators: two epochs of the market chain, revenue paid out at the epoch transition",
    sink.genesis,
    stepsOf(sink),
  );
  for (const rule of ["refund", "forfeit"] as const) {
    const chain = marketChain(preset, { TICKET_ON_MISSED_BLOCK: rule }, 8);
    writeBlocks(
      out,
      preset,
      `missed_ticket_${rule}`,
      `TICKET_ON_MISSED_BLOCK = ${rule}: slot 6 is missed`,
      chain.genesis,
      stepsOf(chain),
    );
  }
  const sales = marketChain(preset, { TICKET_PRICING: "sales_target" }, 12);
  writeBlocks(
    out,
    preset,
    "sales_target_pricing",
    "TICKET_PRICING = sales_target over the market chain",
    sales.genesis,
    stepsOf(sales),
  );
  const fixedPrice = marketChain(preset, { TICKET_PRICING: "fixed" }, 12);
  writeBlocks(
    out,
    preset,
    "fixed_pricing",
    "TICKET_PRICING = fixed over the market chain",
    fixedPrice.genesis,
    stepsOf(fixedPrice),
  );
  const expiry = expiryChain(preset);
  writeBlocks(
    out,
    preset,
    "ticket_expiry",
    "TICKET_EXPIRY_EPOCHS = 1: genesis tickets still pooled at the end of epoch 1 expire",
    expiry.genesis,
    stepsOf(expiry),
  );

  // A registry change, then five epochs: the epoch context follows the changed registry
  for (const change of ["proposer_slashing", "attester_slashing", "voluntary_exit", "ejection"] as const) {
    const recorded = registryChangeChain(preset, change, 5);
    const what =
      change === "ejection"
        ? "validator 40 at EJECTION_BALANCE from genesis"
        : `a ${change.replace("_", " ")} in slot 1`;
    writeBlocks(
      out,
      preset,
      `${change}_then_five_epochs`,
      `${what}, then five epochs of blocks`,
      recorded.genesis,
      stepsOf(recorded),
    );
  }

  // Skipped slots: a block three slots after its parent
  const chain = market.chain;
  const head = chain.head;
  const late = chain.produceBlock(chain.slot + 3);
  writeBlocks(
    out,
    preset,
    "block_after_two_skipped_slots",
    "two empty slots, then a block: the skipped slots' tickets are missed",
    head,
    [{ block: late, envelope: null }],
  );

  // Invalid last blocks
  const next = chain.produceBlock(chain.slot + 1);
  const pre = processSlotsCopy(head, chain.slot + 1);
  const edit = (fn: (b: BeaconBlock) => void) => {
    const block = pre.ctx.ssz.BeaconBlock.clone(next.message);
    fn(block);
    return resign(chain, pre, block);
  };
  const invalid = (name: string, description: string, block: SignedBeaconBlock, error: string, blsSetting?: number) =>
    writeBlocks(out, preset, name, description, head, [{ block, envelope: null }], { error, blsSetting });
  invalid(
    "invalid_state_root",
    "state_root of the block is not the post-state's",
    edit((b) => {
      b.state_root = new Uint8Array(32).fill(5);
    }),
    "BLOCK_STATE_ROOT_MISMATCH",
  );
  const otherKey = chain.validatorKeys[(next.message.proposer_index + 1) % chain.validatorKeys.length];
  const epoch = computeEpochAtSlot(pre.ctx, next.message.slot);
  const forged = signObject(pre, otherKey, pre.ctx.ssz.BeaconBlock, next.message, DOMAIN_BEACON_PROPOSER, epoch);
  invalid(
    "invalid_proposer_signature",
    "signed by another validator",
    { ...next, signature: forged },
    "BLOCK_INVALID_SIGNATURE",
    1,
  );
  invalid(
    "invalid_proposer_index",
    "proposer_index is not the slot's proposer",
    edit((b) => {
      b.proposer_index = (b.proposer_index + 1) % 64;
    }),
    "BLOCK_WRONG_PROPOSER",
  );
  invalid(
    "invalid_parent_root",
    "parent_root is not the latest block",
    edit((b) => {
      b.parent_root = new Uint8Array(32).fill(6);
    }),
    "BLOCK_PARENT_ROOT_MISMATCH",
  );
  invalid(
    "invalid_self_build_on_ticket_slot",
    "the proposer self-builds although a ticket is drawn for the slot",
    edit((b) => {
      b.body.signed_payload_commitment.message.ticket_id = SELF_BUILD_TICKET_ID;
    }),
    "COMMITMENT_SELF_BUILD_WHILE_TICKET_ASSIGNED",
  );
  const replay = chain.signPurchase(0, 1, pre.state.ticket_price, 0);
  invalid(
    "invalid_purchase_replayed",
    "a purchase with an old nonce (replay) in the block",
    edit((b) => {
      b.body.ticket_purchases = [replay];
    }),
    "TICKET_WRONG_NONCE",
  );
  // the same slot twice
  writeBlocks(
    out,
    preset,
    "invalid_same_slot_twice",
    "a second block for the slot of the first",
    head,
    [
      { block: next, envelope: null },
      { block: next, envelope: null },
    ],
    { error: "BLOCK_SLOT_NOT_IN_FUTURE" },
  );
  // an invalid envelope after a valid block
  const record = recordAt(market, 12);
  const badEnvelope = pre.ctx.ssz.SignedExecutionPayloadEnvelope.clone(record.envelope!);
  badEnvelope.message.payload.timestamp += 1;
  writeBlocks(
    out,
    preset,
    "invalid_envelope",
    "a valid block followed by an envelope with the wrong timestamp",
    record.preHead,
    [{ block: record.block!, envelope: badEnvelope }],
    { error: "ENVELOPE_WRONG_TIMESTAMP" },
  );
}

/** A `sanity/slots` case: `pre` advanced by `slots` empty slots. */
export function writeSlots(
  out: Output,
  preset: PresetName,
  name: string,
  description: string,
  pre: CachedBeaconState,
  slots: number,
): void {
  const files = new CaseFiles().yaml("meta", { description });
  addConfig(files, preset, pre.ctx.config);
  files.sszBytes("pre", serializeState(pre)).yaml("slots", slots);
  files.sszBytes("post", serializeState(processSlotsCopy(reload(pre), pre.state.slot + slots)));
  out.add(preset, "sanity", "slots", SUITE, name, files);
}

function slots(out: Output, preset: PresetName): void {
  const market = marketChain(preset);
  const head = market.chain.head;
  writeSlots(out, preset, "slots_1", "one empty slot after the market chain's head", head, 1);
  if (preset === "mainnet") return;
  writeSlots(out, preset, "slots_2", "two empty slots", head, 2);
  writeSlots(
    out,
    preset,
    "from_genesis",
    "five empty slots from genesis: the genesis draws are all missed",
    market.genesis,
    5,
  );
  const spe = head.ctx.preset.SLOTS_PER_EPOCH;
  writeSlots(out, preset, "over_epoch_boundary", "from slot 5 past the end of epoch 0", recordAt(market, 5).head, 4);
  writeSlots(
    out,
    preset,
    "double_epoch",
    "two epochs of empty slots: every drawn ticket is missed and returns to the pool",
    head,
    2 * spe,
  );
  // Nobody votes from genesis: the leak lowers effective balances at epoch 228 (minimal), and with
  // EJECTION_BALANCE one increment below the start, that first drop ejects validators
  const leakEpochs = 240;
  writeSlots(
    out,
    preset,
    "inactivity_leak_first_balance_drop",
    "240 epochs of empty slots from genesis: the inactivity leak's first effective-balance drop",
    newChain(preset).head,
    leakEpochs * spe,
  );
  writeSlots(
    out,
    preset,
    "inactivity_leak_ejections",
    "EJECTION_BALANCE = 31 ETH, 240 epochs of empty slots from genesis: the leak ejects validators",
    newChain(preset, {}, { EJECTION_BALANCE: 31 * 10 ** 9 }).head,
    leakEpochs * spe,
  );
  const refund = marketChain(preset, { TICKET_ON_MISSED_BLOCK: "refund" }, 8);
  writeSlots(
    out,
    preset,
    "missed_tickets_refunded",
    "TICKET_ON_MISSED_BLOCK = refund over an epoch of empty slots",
    refund.chain.head,
    spe,
  );
  const sink = marketChain(preset, { TICKET_REVENUE_SINK: "validators" }, 16);
  writeSlots(
    out,
    preset,
    "revenue_carried_without_attesters",
    "TICKET_REVENUE_SINK = validators: an empty epoch, nobody earns the flag",
    sink.chain.head,
    spe + 1,
  );
}

export function generateSanity(out: Output, preset: PresetName, only?: (handler: string) => boolean): void {
  if (only === undefined || only("blocks")) blocks(out, preset);
  if (only === undefined || only("blocks")) holderSanity(out, preset);
  if (only === undefined || only("slots") || only("blocks")) auctionSanity(out, preset);
  if (only === undefined || only("slots") || only("blocks")) pricingSanity(out, preset);
  if (only === undefined || only("slots")) slots(out, preset);
}
