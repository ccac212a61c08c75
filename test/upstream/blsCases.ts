/**
 * The `bls` runner: checks Turnstile's spec-named BLS functions (`blsSpec` in @turnstile/ticket-state)
 * against consensus-spec-tests `bls/<handler>/bls/<case>/data.yaml` and bls12-381-tests
 * `<handler>/<case>.yaml` files.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { blsSpec, TicketStateError } from "@turnstile/ticket-state";
import type { CasePlan } from "./caseTally.ts";
import { asArray, asRecord, bytesToHex, hexToBytes, readYaml } from "./vectorFiles.ts";
import type { VectorCase } from "./walkVectors.ts";

function isBlsInvalidInput(e: unknown): boolean {
  return e instanceof TicketStateError && e.code === blsSpec.BlsSpecErrorCode.INVALID_INPUT;
}

const hexList = (v: unknown, what: string): Uint8Array[] => asArray(v, what).map(hexToBytes);

/** `output: <hex> | null` for a function that returns bytes or throws BLS_INVALID_INPUT. */
function checkBytesOrInvalid(fn: () => Uint8Array, output: unknown): void {
  if (output === null) {
    assert.throws(fn, isBlsInvalidInput, "expected BLS_INVALID_INPUT (output: null)");
  } else {
    assert.equal(bytesToHex(fn()), String(output).toLowerCase());
  }
}

function checkBool(actual: boolean, output: unknown): void {
  assert.equal(typeof output, "boolean", "output must be a boolean");
  assert.equal(actual, output);
}

type BlsHandler = (input: unknown, output: unknown) => void;

const handlers: Record<string, BlsHandler> = {
  sign(input, output) {
    const { privkey, message } = asRecord(input, "input");
    checkBytesOrInvalid(() => blsSpec.sign(hexToBytes(privkey), hexToBytes(message)), output);
  },
  verify(input, output) {
    const { pubkey, message, signature } = asRecord(input, "input");
    checkBool(blsSpec.verify(hexToBytes(pubkey), hexToBytes(message), hexToBytes(signature)), output);
  },
  aggregate(input, output) {
    const sigs = hexList(input, "input");
    checkBytesOrInvalid(() => blsSpec.aggregate(sigs), output);
  },
  aggregate_verify(input, output) {
    const { pubkeys, messages, signature } = asRecord(input, "input");
    checkBool(
      blsSpec.aggregateVerify(hexList(pubkeys, "pubkeys"), hexList(messages, "messages"), hexToBytes(signature)),
      output,
    );
  },
  fast_aggregate_verify(input, output) {
    const { pubkeys, message, signature } = asRecord(input, "input");
    checkBool(
      blsSpec.fastAggregateVerify(hexList(pubkeys, "pubkeys"), hexToBytes(message), hexToBytes(signature)),
      output,
    );
  },
  eth_aggregate_pubkeys(input, output) {
    const pks = hexList(input, "input");
    checkBytesOrInvalid(() => blsSpec.ethAggregatePubkeys(pks), output);
  },
  eth_fast_aggregate_verify(input, output) {
    const { pubkeys, message, signature } = asRecord(input, "input");
    checkBool(
      blsSpec.ethFastAggregateVerify(hexList(pubkeys, "pubkeys"), hexToBytes(message), hexToBytes(signature)),
      output,
    );
  },
  batch_verify(input, output) {
    const { pubkeys, messages, signatures } = asRecord(input, "input");
    checkBool(
      blsSpec.batchVerify(
        hexList(pubkeys, "pubkeys"),
        hexList(messages, "messages"),
        hexList(signatures, "signatures"),
      ),
      output,
    );
  },
};

export function planBlsCase(c: VectorCase): CasePlan {
  const handler = handlers[c.handler];
  if (handler === undefined) {
    return { skip: `bls handler "${c.handler}" has no Turnstile counterpart in blsSpec` };
  }
  const file = c.layout === "bls12-381-tests" ? c.path : path.join(c.path, "data.yaml");
  return {
    run() {
      const data = asRecord(readYaml(file), "data.yaml");
      assert.ok("input" in data && "output" in data, "data.yaml must have input and output");
      handler(data.input, data.output);
    },
  };
}
