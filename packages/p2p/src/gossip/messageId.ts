import { createHash } from "node:crypto";
import { MESSAGE_DOMAIN_INVALID_SNAPPY, MESSAGE_DOMAIN_VALID_SNAPPY, MESSAGE_ID_LENGTH } from "../constants.ts";

/**
 * The consensus gossip message-id (altair):
 * `SHA256(MESSAGE_DOMAIN_VALID_SNAPPY + uint_to_bytes(uint64(len(topic))) + topic + snappy_decompress(data))[:20]`,
 * or with MESSAGE_DOMAIN_INVALID_SNAPPY and the raw data when `data` does not decompress.
 * `decompressed` is null for the invalid-snappy case.
 */
export function computeMessageId(topic: string, rawData: Uint8Array, decompressed: Uint8Array | null): Uint8Array {
  const topicBytes = Buffer.from(topic, "utf8");
  const topicLength = Buffer.alloc(8);
  topicLength.writeBigUInt64LE(BigInt(topicBytes.length));
  const hash = createHash("sha256");
  hash.update(decompressed ? MESSAGE_DOMAIN_VALID_SNAPPY : MESSAGE_DOMAIN_INVALID_SNAPPY);
  hash.update(topicLength);
  hash.update(topicBytes);
  hash.update(decompressed ?? rawData);
  return new Uint8Array(hash.digest().subarray(0, MESSAGE_ID_LENGTH));
}

export function messageIdToString(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("base64");
}
