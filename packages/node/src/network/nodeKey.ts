import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";

/** A node's libp2p identity (secp256k1, as the consensus p2p spec asks), kept in a file so its peer id survives restarts. */
export async function loadOrCreateNodeKey(path: string): Promise<PrivateKey> {
  if (existsSync(path)) return privateKeyFromProtobuf(readFileSync(path));
  const key = await generateKeyPair("secp256k1");
  writeFileSync(path, privateKeyToProtobuf(key), { mode: 0o600 });
  return key;
}

export function peerIdOf(key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}
