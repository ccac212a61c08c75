/**
 * `inclusion_list` (a Turnstile runner): `validation` (a signed inclusion list against a state at
 * its slot) and `satisfaction` (a revealed payload judged against the slot's list by the built-in
 * engine). Every case is checked here as the runner will check it.
 */
import {
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_INCLUSION_LIST,
  getTicketAssignment,
  type InclusionList,
  isSelfBuild,
  processSlotsCopy,
  type SignedInclusionList,
  SYNTHETIC_TX_GAS,
  SYNTHETIC_TX_LENGTH,
  stateTransition,
  USER_TX_TYPE,
} from "@turnstile/ticket-state";
import { type DevChain, signObject } from "@turnstile/ticket-state/dev";
import { CaseFiles } from "../lib/files.ts";
import { applyInclusionListSatisfaction, applyInclusionListValidation } from "../lib/inclusionList.ts";
import type { PresetName } from "../lib/paths.ts";
import type { YamlValue } from "../lib/yaml.ts";
import { addConfig, expectError, reload, SUITE, serializeState } from "./common.ts";
import { marketView } from "./operations.ts";
import type { Output } from "./output.ts";

const RUNNER = "inclusion_list";

/** A user transaction of the built-in engine: `USER_TX_TYPE` and 31 bytes that tell it apart. */
export function userTransaction(seed: number): Uint8Array {
  const tx = new Uint8Array(SYNTHETIC_TX_LENGTH).fill(seed & 0xff);
  tx[0] = USER_TX_TYPE;
  return tx;
}

function signList(chain: DevChain, cs: CachedBeaconState, message: InclusionList, signer = message.proposer_index) {
  const epoch = computeEpochAtSlot(cs.ctx, message.slot);
  return {
    message,
    signature: signObject(
      cs,
      chain.validatorKeys[signer],
      cs.ctx.ssz.InclusionList,
      message,
      DOMAIN_INCLUSION_LIST,
      epoch,
    ),
  } satisfies SignedInclusionList;
}

function meta(description: string, expectedError?: string, blsSetting?: number): Record<string, YamlValue> {
  const m: Record<string, YamlValue> = { description };
  if (blsSetting !== undefined) m.bls_setting = blsSetting;
  if (expectedError !== undefined) m.expected_error = expectedError;
  return m;
}

function validation(out: Output, preset: PresetName): void {
  const { chain } = marketView(preset);
  const slot = chain.slot + 1;
  const pre = processSlotsCopy(chain.head, slot);
  const proposer = pre.epochCtx.getBeaconProposer(slot);
  const list = (over: Partial<InclusionList> = {}): InclusionList => ({
    slot,
    proposer_index: proposer,
    transactions: [userTransaction(1), userTransaction(2)],
    ...over,
  });
  const write = (name: string, description: string, input: SignedInclusionList, error?: string, bls?: number) => {
    const label = `${RUNNER}/validation/${name}`;
    const files = new CaseFiles();
    files.yaml("meta", meta(description, error, bls));
    addConfig(files, preset, pre.ctx.config);
    files.sszBytes("pre", serializeState(pre));
    files.ssz("inclusion_list", pre.ctx.ssz.SignedInclusionList, input);
    const cs = reload(pre);
    const apply = () => applyInclusionListValidation(cs, input, true);
    if (error === undefined) {
      apply();
      files.sszBytes("post", serializeState(cs));
    } else {
      expectError(label, error, apply);
    }
    out.add(preset, RUNNER, "validation", SUITE, name, files);
  };
  write("valid", `the proposer of slot ${slot} lists two transactions`, signList(chain, pre, list()));
  write("valid_empty", "an empty list (nothing to include)", signList(chain, pre, list({ transactions: [] })));
  if (preset === "mainnet") return;
  const { MAX_BYTES_PER_INCLUSION_LIST, MAX_TRANSACTIONS_PER_INCLUSION_LIST } = pre.ctx.preset;
  const big = Math.floor(MAX_BYTES_PER_INCLUSION_LIST / MAX_TRANSACTIONS_PER_INCLUSION_LIST);
  write(
    "valid_at_byte_limit",
    "MAX_TRANSACTIONS_PER_INCLUSION_LIST transactions of MAX_BYTES_PER_INCLUSION_LIST bytes in all",
    signList(
      chain,
      pre,
      list({ transactions: Array.from({ length: MAX_TRANSACTIONS_PER_INCLUSION_LIST }, () => new Uint8Array(big)) }),
    ),
  );
  write(
    "invalid_too_many_bytes",
    "one byte over MAX_BYTES_PER_INCLUSION_LIST",
    signList(chain, pre, list({ transactions: [new Uint8Array(MAX_BYTES_PER_INCLUSION_LIST + 1)] })),
    "INCLUSION_LIST_TOO_MANY_BYTES",
  );
  write(
    "invalid_empty_transaction",
    "a listed transaction has no bytes",
    signList(chain, pre, list({ transactions: [userTransaction(1), new Uint8Array(0)] })),
    "INCLUSION_LIST_EMPTY_TRANSACTION",
  );
  write(
    "invalid_wrong_slot",
    "the list names the next slot",
    signList(chain, pre, list({ slot: slot + 1 })),
    "INCLUSION_LIST_WRONG_SLOT",
  );
  const other = (proposer + 1) % pre.state.validators.length;
  write(
    "invalid_wrong_proposer",
    "signed by a validator that is not the slot's proposer, naming itself",
    signList(chain, pre, list({ proposer_index: other })),
    "INCLUSION_LIST_WRONG_PROPOSER",
  );
  write(
    "invalid_signature",
    "the proposer's list signed by another validator",
    signList(chain, pre, list(), other),
    "INCLUSION_LIST_INVALID_SIGNATURE",
    1,
  );
}

function satisfaction(out: Output, preset: PresetName): void {
  const { chain } = marketView(preset);
  let slot = chain.slot + 1;
  while (isSelfBuild(getTicketAssignment(chain.ctx, chain.head.state, slot))) slot++;
  const write = (
    name: string,
    description: string,
    listed: Uint8Array[],
    built: { inclusionListTransactions?: Uint8Array[]; gasLimit?: number },
    expected: boolean,
  ) => {
    const label = `${RUNNER}/satisfaction/${name}`;
    const signed = chain.produceBlock(slot, built);
    const postBlock = stateTransition(chain.head, signed);
    const root = chain.ctx.ssz.BeaconBlock.hashTreeRoot(signed.message);
    const envelope = chain.produceEnvelope(postBlock, root, signed.message.body.signed_payload_commitment.message);
    const list = signList(chain, postBlock, {
      slot,
      proposer_index: signed.message.proposer_index,
      transactions: listed,
    });
    const files = new CaseFiles();
    files.yaml("meta", meta(description));
    addConfig(files, preset, postBlock.ctx.config);
    files.sszBytes("pre", serializeState(postBlock));
    files.ssz("inclusion_list", postBlock.ctx.ssz.SignedInclusionList, list);
    files.ssz("signed_envelope", postBlock.ctx.ssz.SignedExecutionPayloadEnvelope, envelope);
    const cs = reload(postBlock);
    const satisfied = applyInclusionListSatisfaction(cs, list, envelope, true);
    if (satisfied !== expected) throw new Error(`${label}: satisfied is ${satisfied}, expected ${expected}`);
    files.yaml("satisfaction", { satisfied });
    files.sszBytes("post", serializeState(cs));
    out.add(preset, RUNNER, "satisfaction", SUITE, name, files);
  };
  const listed = [userTransaction(1), userTransaction(2)];
  write(
    "included",
    "the holder's payload carries both listed transactions",
    listed,
    { inclusionListTransactions: listed },
    true,
  );
  write("empty_list", "nothing listed: any payload satisfies", [], {}, true);
  if (preset === "mainnet") return;
  write(
    "missing_transaction",
    "a censoring holder leaves out both listed transactions, which are valid and fit",
    listed,
    {},
    false,
  );
  write(
    "missing_one_transaction",
    "the holder includes one listed transaction of two; the other is valid and fits",
    listed,
    { inclusionListTransactions: [listed[0]] },
    false,
  );
  const invalid = userTransaction(3);
  invalid[0] = 0x01; // not a type the built-in engine executes
  write(
    "invalid_transaction_excused",
    "a listed transaction the engine cannot execute is left out; the valid one is included",
    [listed[0], invalid],
    { inclusionListTransactions: [listed[0], invalid] },
    true,
  );
  const mevTransactions = 1 + (chain.engine.slotMevValue(slot) % 4);
  write(
    "no_space_excused",
    "the gas limit leaves room for one listed transaction after the MEV: the second does not fit",
    listed,
    { inclusionListTransactions: listed, gasLimit: (mevTransactions + 1) * SYNTHETIC_TX_GAS },
    true,
  );
  write(
    "space_left_not_excused",
    "a gas limit with room for one more, and the holder included none",
    listed,
    { gasLimit: (mevTransactions + 1) * SYNTHETIC_TX_GAS },
    false,
  );
}

export function generateInclusionLists(out: Output, preset: PresetName): void {
  validation(out, preset);
  satisfaction(out, preset);
}
