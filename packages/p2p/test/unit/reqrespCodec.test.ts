import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BufferByteSource } from "../../src/encoding/byteSource.ts";
import { readSszSnappyPayload } from "../../src/encoding/sszSnappy.ts";
import { ReqRespError } from "../../src/errors.ts";
import { getProtocols, protocolId } from "../../src/reqresp/protocols.ts";
import { encodeErrorChunk, encodeResponseChunk, errorReason, typeBounds } from "../../src/reqresp/reqResp.ts";
import { BeaconBlocksByRangeRequest, ErrorMessage, Metadata, Status } from "../../src/sszTypes.ts";
import { FORK_DIGEST, ssz } from "../utils/network.ts";

describe("req/resp protocols", () => {
  it("have the spec's protocol ids", () => {
    const p = getProtocols(ssz);
    assert.deepEqual(Object.values(p).map(protocolId), [
      "/eth2/beacon_chain/req/status/1/ssz_snappy",
      "/eth2/beacon_chain/req/goodbye/1/ssz_snappy",
      "/eth2/beacon_chain/req/ping/1/ssz_snappy",
      "/eth2/beacon_chain/req/metadata/1/ssz_snappy",
      "/eth2/beacon_chain/req/beacon_blocks_by_range/2/ssz_snappy",
      "/eth2/beacon_chain/req/beacon_blocks_by_root/2/ssz_snappy",
      "/eth2/beacon_chain/req/execution_payload_envelopes_by_range/1/ssz_snappy",
      "/eth2/beacon_chain/req/execution_payload_envelopes_by_root/1/ssz_snappy",
    ]);
  });

  it("declare the spec's containers", () => {
    assert.equal(Status.fixedSize, 4 + 32 + 8 + 32 + 8);
    assert.equal(BeaconBlocksByRangeRequest.fixedSize, 24);
    assert.equal(Metadata.fixedSize, 8 + 8);
    assert.equal(ErrorMessage.maxSize, 256);
  });

  it("bound payload sizes by the type and by the chunk limit", () => {
    assert.deepEqual(typeBounds(Status, 1 << 20), { minSize: 84, maxSize: 84 });
    assert.equal(typeBounds(ssz.SignedExecutionPayloadEnvelope, 1 << 20).maxSize, 1 << 20);
  });
});

describe("response chunks", () => {
  it("success: result 0, context bytes, length-prefixed frames", async () => {
    const payload = new Uint8Array(1000).fill(3);
    const chunk = encodeResponseChunk(payload, FORK_DIGEST);
    assert.equal(chunk[0], 0);
    assert.deepEqual(chunk.subarray(1, 5), FORK_DIGEST);
    const src = new BufferByteSource(chunk.subarray(5));
    assert.deepEqual(await readSszSnappyPayload(src, { minSize: 0, maxSize: 2000 }), payload);
    assert.equal(await src.atEnd(), true);
  });

  it("error: result code and an ErrorMessage cut to 256 bytes", async () => {
    const chunk = encodeErrorChunk(1, "x".repeat(1000));
    assert.equal(chunk[0], 1);
    const msg = await readSszSnappyPayload(new BufferByteSource(chunk.subarray(1)), { minSize: 0, maxSize: 256 });
    assert.equal(msg.length, 256);
  });

  it("error reasons for counters combine code and cause", () => {
    assert.equal(
      errorReason(new ReqRespError("REQRESP_INVALID_REQUEST", "x", { reason: "SSZ_INVALID" })),
      "INVALID_REQUEST.SSZ_INVALID",
    );
    assert.equal(errorReason(new ReqRespError("REQRESP_TTFB_TIMEOUT", "x")), "TTFB_TIMEOUT");
  });
});
