import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sszTypes } from "@turnstile/ticket-state";
import { minimalContext } from "../utils/chain.ts";

/**
 * Beacon-API JSON keeps the spec's field names. ssz's "eth2" case converter once split digits off
 * (`signed_header__1`), so standard slashing bodies were refused and ours were unreadable.
 */
describe("JSON field names are the spec's", () => {
  it("ProposerSlashing: signed_header_1, signed_header_2", () => {
    const json = sszTypes.ProposerSlashing.toJson(sszTypes.ProposerSlashing.defaultValue());
    assert.deepEqual(Object.keys(json as object), ["signed_header_1", "signed_header_2"]);
  });

  it("AttesterSlashing: attestation_1, attestation_2, and a standard body parses", () => {
    const { AttesterSlashing } = minimalContext().ssz;
    const json = AttesterSlashing.toJson(AttesterSlashing.defaultValue()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ["attestation_1", "attestation_2"]);
    assert.doesNotThrow(() => AttesterSlashing.fromJson(json));
  });
});
