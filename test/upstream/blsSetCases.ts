/**
 * The `bls` verification vectors again, through the code that verifies consensus signatures:
 * signature sets built from each vector, verified by ticket-state's `verifySignatureSet` and
 * `verifySignatureSets` (one set, and in a batch with valid sets around it, so the
 * multi-verification path runs), by the node's `BlsVerifier`, and by its worker thread directly.
 *
 * Keys enter a set only through the registry's admission (`PubkeyCache`, which applies KeyValidate,
 * as genesis does): a vector whose key is refused there can produce no set, and must expect false.
 * Such keys are then also decoded without validation and pushed through every path, which must
 * answer (valid or not) without throwing or killing the worker.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PublicKey, SecretKey } from "@chainsafe/blst";
import { createChainCaches, type SignatureSet, verifySignatureSet, verifySignatureSets } from "@turnstile/ticket-state";
import { BlsVerifier } from "../../packages/node/src/bls/blsVerifier.ts";
import {
  type SerializedSet,
  serializeSet,
  type VerifyRequest,
  type VerifyResponse,
} from "../../packages/node/src/bls/serializedSet.ts";
import type { CasePlan } from "./caseTally.ts";
import { asArray, asRecord, hexToBytes, readYaml } from "./vectorFiles.ts";
import type { VectorCase } from "./walkVectors.ts";

/** Handlers whose vectors are signature checks a signature set can express. */
export const SET_HANDLERS = new Set(["verify", "fast_aggregate_verify", "aggregate_verify", "batch_verify"]);

const KIND = "upstream_vector";

/** A key as consensus would hold it: admitted by the registry's cache, or refused (null). */
function admittedKey(bytes: Uint8Array): PublicKey | null {
  try {
    return createChainCaches().pubkeys.get(bytes);
  } catch {
    return null;
  }
}

/** The same bytes with no validation at all (off-curve encodings still fail): what a registry bug would let in. */
function unvalidatedKey(bytes: Uint8Array): PublicKey | null {
  try {
    return PublicKey.fromBytes(bytes, false);
  } catch {
    return null;
  }
}

/** The sets a vector describes, with keys decoded by `decodeKey`; null when a key does not decode. */
type SetBuilder = (decodeKey: (bytes: Uint8Array) => PublicKey | null) => SignatureSet[] | null | "inexpressible";

const hexList = (v: unknown, what: string): Uint8Array[] => asArray(v, what).map(hexToBytes);

function keysOrNull(bytes: Uint8Array[], decodeKey: (bytes: Uint8Array) => PublicKey | null): PublicKey[] | null {
  const keys = bytes.map(decodeKey);
  return keys.every((k) => k !== null) ? (keys as PublicKey[]) : null;
}

const builders: Record<string, (input: Record<string, unknown>) => SetBuilder> = {
  verify:
    ({ pubkey, message, signature }) =>
    (decodeKey) => {
      const pk = decodeKey(hexToBytes(pubkey));
      if (pk === null) return null;
      return [
        { kind: KIND, type: "single", pubkey: pk, signingRoot: hexToBytes(message), signature: hexToBytes(signature) },
      ];
    },
  fast_aggregate_verify:
    ({ pubkeys, message, signature }) =>
    (decodeKey) => {
      const keys = keysOrNull(hexList(pubkeys, "pubkeys"), decodeKey);
      if (keys === null) return null;
      return [
        {
          kind: KIND,
          type: "aggregate",
          pubkeys: keys,
          signingRoot: hexToBytes(message),
          signature: hexToBytes(signature),
        },
      ];
    },
  // One signature over distinct messages: a set has one message, so only the one-pair case is a set
  aggregate_verify:
    ({ pubkeys, messages, signature }) =>
    (decodeKey) => {
      const keys = keysOrNull(hexList(pubkeys, "pubkeys"), decodeKey);
      if (keys === null) return null;
      const msgs = hexList(messages, "messages");
      if (keys.length !== 1 || msgs.length !== 1) return "inexpressible";
      return [{ kind: KIND, type: "single", pubkey: keys[0], signingRoot: msgs[0], signature: hexToBytes(signature) }];
    },
  batch_verify:
    ({ pubkeys, messages, signatures }) =>
    (decodeKey) => {
      const keys = keysOrNull(hexList(pubkeys, "pubkeys"), decodeKey);
      if (keys === null) return null;
      const msgs = hexList(messages, "messages");
      const sigs = hexList(signatures, "signatures");
      return keys.map((pk, i) => ({
        kind: KIND,
        type: "single",
        pubkey: pk,
        signingRoot: msgs[i],
        signature: sigs[i],
      }));
    },
};

/** A set that verifies, to surround the vector's sets with (so a batch has more than one set). */
function knownValidSet(): SignatureSet {
  const sk = SecretKey.fromKeygen(new Uint8Array(32).fill(0x42));
  const msg = new Uint8Array(32).fill(0x17);
  return {
    kind: "known_valid",
    type: "single",
    pubkey: sk.toPublicKey(),
    signingRoot: msg,
    signature: sk.sign(msg).toBytes(),
  };
}

let verifier: BlsVerifier | null = null;
let worker: Worker | null = null;
let nextId = 0;

/** Stop the threads the cases started. */
export async function closeBlsSetPaths(): Promise<void> {
  await verifier?.close();
  await worker?.terminate();
  verifier = null;
  worker = null;
}

/** The worker thread itself, asked directly: an `error` or `exit` while it holds our request fails the case. */
function askWorker(sets: SerializedSet[]): Promise<number> {
  if (worker === null) {
    worker = new Worker(new URL("../../packages/node/src/bls/blsWorker.ts", import.meta.url));
    worker.unref();
  }
  const w = worker;
  const id = nextId++;
  return new Promise<number>((resolve, reject) => {
    const onMessage = (response: VerifyResponse) => {
      if (response.id !== id) return;
      cleanup();
      resolve(response.invalid);
    };
    const onError = (e: Error) => {
      cleanup();
      worker = null;
      reject(new Error(`the BLS worker crashed: ${e.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      worker = null;
      reject(new Error(`the BLS worker exited (code ${code}) while verifying`));
    };
    const cleanup = () => {
      w.off("message", onMessage);
      w.off("error", onError);
      w.off("exit", onExit);
    };
    w.on("message", onMessage);
    w.on("error", onError);
    w.on("exit", onExit);
    w.postMessage({ id, sets } satisfies VerifyRequest);
  });
}

/** The index every batch path gives for `sets`: each must agree, and none may throw. */
async function firstInvalidOnEveryPath(sets: SignatureSet[]): Promise<number> {
  const here = verifySignatureSets(sets);
  verifier ??= new BlsVerifier();
  const onThread = await verifier.verify(sets);
  assert.equal(onThread, here, "BlsVerifier and verifySignatureSets disagree");
  // The worker takes only sets that have signers (BlsVerifier answers the rest itself)
  const serialized: SerializedSet[] = [];
  for (const set of sets) {
    const s = serializeSet(set);
    if (s === null) break;
    serialized.push(s);
  }
  if (serialized.length > 0) {
    const fromWorker = await askWorker(serialized);
    // The worker saw the prefix only: a set after it (without signers) is not its answer
    assert.equal(fromWorker, here < serialized.length ? here : -1, "the BLS worker and verifySignatureSets disagree");
  }
  return here;
}

/** Run `sets` alone, one by one, and between valid sets; assert every path says `valid`. */
async function checkSets(sets: SignatureSet[], valid: boolean): Promise<void> {
  if (sets.length === 1) assert.equal(verifySignatureSet(sets[0]), valid, "verifySignatureSet");
  const alone = await firstInvalidOnEveryPath(sets);
  if (valid) assert.equal(alone, -1, "the batch of the vector's sets");
  else assert.ok(alone >= 0 && alone < sets.length, `the batch must name an invalid set, got ${alone}`);
  const good = knownValidSet();
  const surrounded = await firstInvalidOnEveryPath([good, ...sets, good]);
  if (valid) assert.equal(surrounded, -1, "the vector's sets between valid sets");
  else assert.ok(surrounded >= 1 && surrounded <= sets.length, `must name one of the vector's sets, got ${surrounded}`);
}

/** Wrong bytes where a signature goes: a flipped bit, too short, too long, all zeros, all ones. */
function garbledSignatures(signature: Uint8Array): Uint8Array[] {
  const flipped = Uint8Array.from(signature);
  flipped[flipped.length - 1] ^= 1;
  return [
    flipped,
    signature.subarray(0, signature.length - 1),
    Uint8Array.from([...signature, 0]),
    new Uint8Array(signature.length),
    new Uint8Array(signature.length).fill(0xff),
  ];
}

export function planBlsSetCase(c: VectorCase): CasePlan {
  const builderOf = builders[c.handler];
  if (builderOf === undefined) return { skip: `bls handler "${c.handler}" is not a signature check` };
  const file = c.layout === "bls12-381-tests" ? c.path : path.join(c.path, "data.yaml");
  return {
    async run(note) {
      const data = asRecord(readYaml(file), "data.yaml");
      assert.equal(typeof data.output, "boolean", "output must be a boolean");
      const expected = data.output as boolean;
      const build = builderOf(asRecord(data.input, "input"));
      const sets = build(admittedKey);
      if (sets === "inexpressible") {
        note("several messages under one signature: no signature set expresses it (each set has one message)");
        return;
      }
      if (sets === null) {
        // The registry refuses a key: no set can hold it, so nothing it signs can verify
        assert.equal(expected, false, "a vector with a key KeyValidate refuses must expect false");
        const raw = build(unvalidatedKey);
        if (raw !== null && raw !== "inexpressible") {
          // Not admitted in consensus; here only: every path must answer, and agree
          const answer = await firstInvalidOnEveryPath(raw);
          if (answer === -1) note("with its refused key let in unvalidated, the batch paths would accept it");
        }
        return;
      }
      await checkSets(sets, expected);
      // Its signature garbled: no path may accept it, throw, or lose its thread
      for (const garbled of garbledSignatures(sets[0].signature)) {
        await checkSets([{ ...sets[0], signature: garbled }, ...sets.slice(1)], false);
      }
    },
  };
}
