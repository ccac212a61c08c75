/**
 * How each runner/handler executes a case against the packages. Every check throws on a mismatch.
 */
import assert from "node:assert/strict";
import { isCompositeType, type Type } from "@chainsafe/ssz";
import {
  CachedBeaconState,
  type ChainContext,
  computeShuffledIndex,
  createGenesisState,
  type GenesisOptions,
  interopBuyerSecretKey,
  interopSecretKey,
  processSlotsCopy,
  shuffleList,
  stateTransition,
  stateTransitionEnvelope,
} from "@turnstile/ticket-state";
import { contextForCase } from "../lib/context.ts";
import { EPOCH_PROCESSING_HANDLERS } from "../lib/epochSteps.ts";
import { asArray, asBool, asRecord, asString, asUint, bytesToHex, CaseDir, hexToBytes } from "../lib/files.ts";
import { ForkChoiceHarness } from "../lib/forkChoice.ts";
import { applyInclusionListSatisfaction, applyInclusionListValidation } from "../lib/inclusionList.ts";
import { OPERATION_HANDLERS, vectorEngine } from "../lib/operations.ts";
import type { PresetName } from "../lib/paths.ts";
import { PRESETS } from "../lib/paths.ts";
import { sszFromYaml } from "../lib/sszYaml.ts";
import { assertFails, assertStateEquals, verifySignaturesFor } from "./checks.ts";
import type { CasePlan } from "./tally.ts";
import type { SpecCase } from "./walk.ts";

type Runner = (root: string, c: SpecCase, ctx: ChainContext, dir: CaseDir) => CasePlan;

function loadState(ctx: ChainContext, dir: CaseDir, name: string): CachedBeaconState {
  return CachedBeaconState.fromBytes(ctx, dir.ssz(name));
}

const sszStatic: Runner = (_root, c, ctx, dir) => {
  const type = (ctx.ssz as Record<string, Type<unknown>>)[c.handler];
  if (type === undefined) return { skip: `no SSZ type ${c.handler}` };
  return {
    run() {
      const serialized = dir.ssz("serialized");
      const root = asString(asRecord(dir.yaml("roots"), "roots.yaml").root, "roots.yaml root").toLowerCase();
      const value = sszFromYaml(type, dir.yaml("value"));
      assert.equal(bytesToHex(type.serialize(value)), bytesToHex(serialized), "serialize(value.yaml) != serialized");
      const decoded = type.deserialize(serialized);
      assert.ok(type.equals(decoded, value), "deserialize(serialized) != value.yaml");
      assert.equal(bytesToHex(type.hashTreeRoot(value)), root, "hash_tree_root(value) != roots.yaml");
      if (isCompositeType(type)) {
        const view = type.deserializeToViewDU(serialized) as { hashTreeRoot(): Uint8Array };
        assert.equal(bytesToHex(view.hashTreeRoot()), root, "tree-backed hash_tree_root != roots.yaml");
      }
    },
  };
};

const shuffling: Runner = (_root, _c, ctx, dir) => ({
  run() {
    const m = asRecord(dir.yaml("mapping"), "mapping.yaml");
    const seed = hexToBytes(m.seed, "seed");
    const count = asUint(m.count, "count");
    const mapping = asArray(m.mapping, "mapping").map((x, i) => asUint(x, `mapping[${i}]`));
    assert.equal(mapping.length, count, "mapping length != count");
    const rounds = ctx.preset.SHUFFLE_ROUND_COUNT;
    const each = mapping.map((_, i) => computeShuffledIndex(i, count, seed, rounds));
    assert.deepEqual(each, mapping, "compute_shuffled_index differs");
    const whole = Array.from(
      shuffleList(
        Array.from({ length: count }, (_, i) => i),
        seed,
        rounds,
      ),
    );
    assert.deepEqual(whole, mapping, "shuffleList (whole-list shuffle) differs");
  },
});

const genesis: Runner = (_root, c, ctx, dir) => {
  if (c.handler !== "initialization") return { skip: `genesis handler ${c.handler} is not implemented` };
  return {
    run() {
      const g = asRecord(dir.yaml("genesis"), "genesis.yaml");
      const validatorPubkeys = asArray(g.validator_pubkeys, "validator_pubkeys").map((p) => hexToBytes(p));
      const buyers = asArray(g.buyers, "buyers").map((raw, i) => {
        const b = asRecord(raw, `buyers[${i}]`);
        return {
          pubkey: hexToBytes(b.pubkey),
          balance: asUint(b.balance, "balance"),
          initialTickets: asUint(b.initial_tickets, "initial_tickets"),
        };
      });
      // the keys are the interop keys: validators 0..n-1, buyers from BUYER_INTEROP_KEY_OFFSET
      validatorPubkeys.forEach((pk, i) => {
        assert.equal(
          bytesToHex(pk),
          bytesToHex(interopSecretKey(i).toPublicKey().toBytes()),
          `validator ${i} is not interop key ${i}`,
        );
      });
      buyers.forEach((b, i) => {
        assert.equal(
          bytesToHex(b.pubkey),
          bytesToHex(interopBuyerSecretKey(i).toPublicKey().toBytes()),
          `buyer ${i} is not interop buyer key ${i}`,
        );
      });
      const opts: GenesisOptions = {
        genesisTime: asUint(g.genesis_time, "genesis_time"),
        validatorPubkeys,
        buyers,
        seed: g.seed === null || g.seed === undefined ? undefined : hexToBytes(g.seed, "seed"),
      };
      const meta = dir.meta();
      if (dir.hasSsz("state")) assertStateEquals(createGenesisState(ctx, opts), dir.ssz("state"), "genesis state");
      else assertFails(() => createGenesisState(ctx, opts), meta.expected_error);
    },
  };
};

const operations: Runner = (_root, c, ctx, dir) => {
  const handler = OPERATION_HANDLERS[c.handler];
  if (handler === undefined) return { skip: `operations handler ${c.handler} is not implemented` };
  return {
    run() {
      const meta = dir.meta();
      const cs = loadState(ctx, dir, "pre");
      const input = handler.type(ctx).deserialize(dir.ssz(handler.input));
      const execution = dir.optionalYaml("execution");
      const executionValid =
        execution === undefined
          ? true
          : asBool(asRecord(execution, "execution.yaml").execution_valid, "execution_valid");
      const apply = () => handler.apply(cs, input, { verifySignatures: verifySignaturesFor(meta), executionValid });
      if (dir.hasSsz("post")) {
        apply();
        assertStateEquals(cs, dir.ssz("post"));
      } else {
        assertFails(apply, meta.expected_error);
      }
    },
  };
};

const epochProcessing: Runner = (_root, c, ctx, dir) => {
  const step = EPOCH_PROCESSING_HANDLERS[c.handler];
  if (step === undefined) return { skip: `epoch_processing handler ${c.handler} is not implemented` };
  return {
    run() {
      const cs = loadState(ctx, dir, "pre");
      if (dir.hasSsz("post")) {
        step(cs);
        assertStateEquals(cs, dir.ssz("post"));
      } else {
        assertFails(() => step(cs), dir.meta().expected_error);
      }
    },
  };
};

const sanity: Runner = (_root, c, ctx, dir) => {
  if (c.handler === "slots") {
    return {
      run() {
        const pre = loadState(ctx, dir, "pre");
        const slots = asUint(dir.yaml("slots"), "slots.yaml");
        assertStateEquals(processSlotsCopy(pre, pre.state.slot + slots), dir.ssz("post"));
      },
    };
  }
  if (c.handler !== "blocks") return { skip: `sanity handler ${c.handler} is not implemented` };
  return {
    run() {
      const meta = dir.meta();
      const verify = verifySignaturesFor(meta);
      const count = asUint(meta.blocks_count, "blocks_count");
      const run = () => {
        let cs = loadState(ctx, dir, "pre");
        for (let i = 0; i < count; i++) {
          cs = stateTransition(cs, dir.decode(`blocks_${i}`, ctx.ssz.SignedBeaconBlock), { verifySignatures: verify });
          if (dir.hasSsz(`envelopes_${i}`)) {
            const envelope = dir.decode(`envelopes_${i}`, ctx.ssz.SignedExecutionPayloadEnvelope);
            cs = stateTransitionEnvelope(cs, envelope, vectorEngine(true), { verifySignature: verify });
          }
        }
        return cs;
      };
      if (dir.hasSsz("post")) assertStateEquals(run(), dir.ssz("post"));
      else assertFails(run, meta.expected_error);
    },
  };
};

const inclusionList: Runner = (_root, c, ctx, dir) => {
  if (c.handler !== "validation" && c.handler !== "satisfaction") {
    return { skip: `inclusion_list handler ${c.handler} is not implemented` };
  }
  return {
    run() {
      const meta = dir.meta();
      const verify = verifySignaturesFor(meta);
      const cs = loadState(ctx, dir, "pre");
      const list = dir.decode("inclusion_list", ctx.ssz.SignedInclusionList);
      if (c.handler === "validation") {
        const apply = () => applyInclusionListValidation(cs, list, verify);
        if (dir.hasSsz("post")) {
          apply();
          assertStateEquals(cs, dir.ssz("post"));
        } else {
          assertFails(apply, meta.expected_error);
        }
        return;
      }
      const envelope = dir.decode("signed_envelope", ctx.ssz.SignedExecutionPayloadEnvelope);
      const expected = asBool(asRecord(dir.yaml("satisfaction"), "satisfaction.yaml").satisfied, "satisfied");
      assert.equal(applyInclusionListSatisfaction(cs, list, envelope, verify), expected, "satisfied");
      assertStateEquals(cs, dir.ssz("post"));
    },
  };
};

function checkFields(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    const a = asRecord(actual, path);
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in a)) throw new Error(`${path}.${k}: the runner has no such check`);
      checkFields(a[k], v, `${path}.${k}`);
    }
    return;
  }
  const norm = (x: unknown) =>
    typeof x === "string" ? x.toLowerCase() : typeof x === "bigint" || typeof x === "number" ? String(x) : x;
  assert.equal(norm(actual), norm(expected), `${path}`);
}

const forkChoice: Runner = (_root, _c, ctx, dir) => ({
  run() {
    const anchorState = loadState(ctx, dir, "anchor_state");
    const anchorBlock = dir.decode("anchor_block", ctx.ssz.BeaconBlock);
    const h = new ForkChoiceHarness(anchorState, anchorBlock);
    const steps = asArray(dir.yaml("steps"), "steps.yaml");
    steps.forEach((raw, i) => {
      const step = asRecord(raw, `steps[${i}]`);
      const where = `step ${i} (${Object.keys(step).join(", ")})`;
      if ("tick" in step) {
        h.tick(asUint(step.tick, "tick"));
        return;
      }
      if ("checks" in step) {
        checkFields(h.checks(), step.checks, `${where}: checks`);
        return;
      }
      const valid = step.valid === undefined ? true : asBool(step.valid, "valid");
      let apply: () => void;
      if ("block" in step) {
        const block = dir.decode(asString(step.block, "block"), ctx.ssz.SignedBeaconBlock);
        apply = () => h.block(block);
      } else if ("attestation" in step) {
        const attestation = dir.decode(asString(step.attestation, "attestation"), ctx.ssz.Attestation);
        apply = () => h.attestation(attestation);
      } else if ("payload_attestation_message" in step) {
        const stem = asString(step.payload_attestation_message, "payload_attestation_message");
        const message = dir.decode(stem, ctx.ssz.PayloadAttestationMessage);
        apply = () => h.payloadAttestationMessage(message);
      } else if ("execution_payload" in step) {
        const envelope = dir.decode(
          asString(step.execution_payload, "execution_payload"),
          ctx.ssz.SignedExecutionPayloadEnvelope,
        );
        apply = () => h.executionPayload(envelope);
      } else {
        throw new Error(`${where}: unknown step`);
      }
      if (valid) {
        try {
          apply();
        } catch (e) {
          throw new Error(`${where}: a valid step failed: ${String(e)}`, { cause: e });
        }
      } else {
        assertFails(apply, undefined);
      }
    });
  },
});

const RUNNERS: Record<string, Runner> = {
  ssz_static: sszStatic,
  shuffling,
  genesis,
  operations,
  epoch_processing: epochProcessing,
  sanity,
  fork_choice: forkChoice,
  inclusion_list: inclusionList,
};

export function planCase(root: string, c: SpecCase): CasePlan {
  if (!(PRESETS as readonly string[]).includes(c.preset)) return { skip: `unknown preset ${c.preset}` };
  const runner = RUNNERS[c.runner];
  if (runner === undefined) return { skip: `runner ${c.runner} is not implemented` };
  try {
    const dir = new CaseDir(c.dir);
    const ctx = contextForCase(root, c.preset as PresetName, c.dir);
    return runner(root, c, ctx, dir);
  } catch (e) {
    return {
      run() {
        throw e;
      },
    };
  }
}
