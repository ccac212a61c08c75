import type { Type } from "@chainsafe/ssz";
import { TicketStateError } from "../errors/TicketStateError.ts";

/**
 * Deserialize untrusted bytes: any SSZ failure (bad length, offsets, bitlist delimiter, values out
 * of range) becomes one typed error, SSZ_INVALID, naming the type. The node decodes every peer
 * message with this.
 */
export function deserializeSsz<T>(type: Type<T>, bytes: Uint8Array, typeName: string): T {
  try {
    return type.deserialize(bytes);
  } catch (e) {
    throw new TicketStateError("SSZ_INVALID", `bytes are not a valid ${typeName}: ${(e as Error).message}`, {
      typeName,
      length: bytes.length,
    });
  }
}
