import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import { getIndexedPayloadAttestationSignatureSet } from "../signatureSets/index.ts";
import type { IndexedPayloadAttestation, PayloadAttestation } from "../types/index.ts";
import { getBlockRootAtSlot } from "../util/blockRoots.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/** `get_indexed_payload_attestation`: the PTC members whose bits are set, sorted. */
export function getIndexedPayloadAttestation(
  cs: CachedBeaconState,
  attestation: PayloadAttestation,
): IndexedPayloadAttestation {
  const ptc = cs.epochCtx.getPtc(attestation.data.slot);
  const indices: number[] = [];
  for (const bit of attestation.aggregation_bits.getTrueBitIndexes()) {
    // PTC shorter than PTC_SIZE (small registries): its unused bits must stay clear
    if (bit >= ptc.length) {
      throw new BlockError(BlockErrorCode.PAYLOAD_ATTESTATION_BITS_OUTSIDE_PTC, "bit set beyond the PTC's members", {
        bit,
        ptcLength: ptc.length,
      });
    }
    indices.push(ptc[bit]);
  }
  indices.sort((a, b) => a - b);
  return { attesting_indices: indices, data: attestation.data, signature: attestation.signature };
}

/** `process_payload_attestation`: PTC votes about the parent block's payload; checked here, counted by fork choice. */
export function processPayloadAttestation(
  cs: CachedBeaconState,
  attestation: PayloadAttestation,
  bctx: BlockProcessingContext,
): void {
  const { state } = cs;
  const { data } = attestation;
  if (!bytesEqual(data.beacon_block_root, state.latest_block_header.parent_root)) {
    throw new BlockError(BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_BLOCK, "vote is not about the parent block", {
      beaconBlockRoot: toHex(data.beacon_block_root),
    });
  }
  if (data.slot + 1 !== state.slot) {
    throw new BlockError(BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_SLOT, "vote is not about the previous slot", {
      slot: data.slot,
      stateSlot: state.slot,
    });
  }
  // The voted slot must have had a block (the parent): a skipped slot's PTC has nothing to vote on
  const { ctx } = cs;
  if (data.slot > 0 && bytesEqual(getBlockRootAtSlot(ctx, state, data.slot - 1), data.beacon_block_root)) {
    throw new BlockError(BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_SLOT, "the voted slot had no block", {
      slot: data.slot,
    });
  }
  // This chain has no blobs: blob availability mirrors payload presence
  if (data.blob_data_available !== data.payload_present) {
    throw new BlockError(
      BlockErrorCode.PAYLOAD_ATTESTATION_BLOB_MISMATCH,
      "blob_data_available must equal payload_present",
      {},
    );
  }
  const indexed = getIndexedPayloadAttestation(cs, attestation);
  if (indexed.attesting_indices.length === 0) {
    throw new BlockError(BlockErrorCode.PAYLOAD_ATTESTATION_EMPTY, "no PTC member voted", {});
  }
  collectSignatureSet(bctx, () => getIndexedPayloadAttestationSignatureSet(cs, indexed));
}
