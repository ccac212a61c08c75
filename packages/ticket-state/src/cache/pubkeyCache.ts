import { PublicKey } from "@chainsafe/blst";
import { toHex } from "../util/bytes.ts";

/**
 * Deserialized BLS public keys (deserializing is ~50x dearer than a lookup) and pubkey → index
 * for the validator registry. The registry only grows, so one cache serves every state of a chain.
 */
export class PubkeyCache {
  readonly index2pubkey: PublicKey[] = [];
  readonly pubkey2index = new Map<string, number>();
  private readonly byBytes = new Map<string, PublicKey>();

  /** Add validators [index2pubkey.length, pubkeys.length) to the cache. */
  syncValidators(pubkeys: Uint8Array[]): void {
    for (let i = this.index2pubkey.length; i < pubkeys.length; i++) {
      this.index2pubkey.push(this.get(pubkeys[i]));
      this.pubkey2index.set(toHex(pubkeys[i]), i);
    }
  }

  /** A deserialized key for any 48 bytes (buyer accounts use this); throws for bytes off the curve. */
  get(bytes: Uint8Array): PublicKey {
    const key = toHex(bytes);
    let pk = this.byBytes.get(key);
    if (!pk) {
      pk = PublicKey.fromBytes(bytes, true);
      this.byBytes.set(key, pk);
    }
    return pk;
  }
}
