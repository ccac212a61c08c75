import {
  createCipheriv,
  createDecipheriv,
  createHash,
  pbkdf2,
  randomBytes,
  randomUUID,
  type ScryptOptions,
  scrypt,
  timingSafeEqual,
} from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SecretKey } from "@chainsafe/blst";
import { TicketStateError, toHex } from "@turnstile/ticket-state";

/**
 * EIP-2335 (BLS12-381 keystore, version 4): kdf scrypt or pbkdf2 (hmac-sha256), checksum sha256,
 * cipher aes-128-ctr. Only node:crypto is used.
 *
 * Errors never carry key material or passwords: not the password, the derived key, the decrypted
 * secret, nor the text of a JSON parse error (which quotes the file).
 */

export const KeystoreErrorCode = {
  INVALID_JSON: "KEYSTORE_INVALID_JSON",
  INVALID_FIELD: "KEYSTORE_INVALID_FIELD",
  UNSUPPORTED_VERSION: "KEYSTORE_UNSUPPORTED_VERSION",
  UNSUPPORTED_KDF: "KEYSTORE_UNSUPPORTED_KDF",
  INVALID_KDF_PARAMS: "KEYSTORE_INVALID_KDF_PARAMS",
  UNSUPPORTED_CHECKSUM: "KEYSTORE_UNSUPPORTED_CHECKSUM",
  UNSUPPORTED_CIPHER: "KEYSTORE_UNSUPPORTED_CIPHER",
  WRONG_PASSWORD: "KEYSTORE_WRONG_PASSWORD",
  INVALID_SECRET: "KEYSTORE_INVALID_SECRET",
  PUBKEY_MISMATCH: "KEYSTORE_PUBKEY_MISMATCH",
  DUPLICATE_PUBKEY: "KEYSTORE_DUPLICATE_PUBKEY",
} as const;
export type KeystoreErrorCode = (typeof KeystoreErrorCode)[keyof typeof KeystoreErrorCode];

/** Why a keystore could not be read, decrypted or written. `data.file` names the file when there is one. */
export class KeystoreError extends TicketStateError<KeystoreErrorCode> {}

export interface KeystoreModule {
  function: string;
  params: Record<string, unknown>;
  message: string;
}

/** The JSON of an EIP-2335 keystore. */
export interface Keystore {
  crypto: { kdf: KeystoreModule; checksum: KeystoreModule; cipher: KeystoreModule };
  description?: string;
  /** Hex (no 0x) of the 48-byte compressed public key. */
  pubkey?: string;
  path: string;
  uuid: string;
  version: number;
}

export interface EncryptKeystoreOptions {
  kdf?: "scrypt" | "pbkdf2";
  /** scrypt cost (a power of two); default 2^18 as in the EIP. */
  n?: number;
  r?: number;
  p?: number;
  /** pbkdf2 iterations; default 2^18 as in the EIP. */
  c?: number;
  /** Default: 32 random bytes. */
  salt?: Uint8Array;
  /** Default: 16 random bytes. */
  iv?: Uint8Array;
  /** EIP-2334 path of the key, "" when unknown. */
  path?: string;
  description?: string;
  uuid?: string;
}

export interface LoadedKeystore {
  pubkey: Uint8Array;
  secretKey: SecretKey;
  /** The keystore file it came from. */
  file: string;
}

const SECRET_KEY_LENGTH = 32;
const DEFAULT_COST = 2 ** 18;
/** Caps on what a keystore may ask of us: scrypt memory, pbkdf2 iterations, key length. */
const MAX_SCRYPT_MEMORY = 2 ** 31;
const MAX_PBKDF2_ITERATIONS = 2 ** 24;
const MAX_DKLEN = 1024;

/**
 * The password as the KDF sees it: NFKD, then the C0 (0x00-0x1F), Delete (0x7F) and C1 (0x80-0x9F)
 * control codes stripped, then UTF-8.
 */
export function normalizeKeystorePassword(password: string): Uint8Array {
  let out = "";
  for (const ch of password.normalize("NFKD")) {
    const cp = ch.codePointAt(0)!;
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) continue;
    out += ch;
  }
  return new Uint8Array(Buffer.from(out, "utf8"));
}

/** Decrypt an EIP-2335 keystore (JSON text, bytes or parsed object) to its 32-byte BLS secret key. */
export async function decryptKeystore(input: string | Uint8Array | object, password: string): Promise<Uint8Array> {
  return decryptAt(input, password, undefined);
}

/** Encrypt a 32-byte BLS secret key into an EIP-2335 keystore (with its public key). */
export async function encryptKeystore(
  secret: Uint8Array,
  password: string,
  opts: EncryptKeystoreOptions = {},
): Promise<Keystore> {
  const pubkey = publicKeyOf(secret, undefined);
  const salt = opts.salt ?? randomBytes(32);
  const iv = opts.iv ?? randomBytes(16);
  if (iv.length !== 16) throw fail(KeystoreErrorCode.INVALID_FIELD, "aes-128-ctr needs a 16-byte iv", undefined);
  const kdf: KeystoreModule =
    (opts.kdf ?? "scrypt") === "scrypt"
      ? {
          function: "scrypt",
          params: { dklen: 32, n: opts.n ?? DEFAULT_COST, r: opts.r ?? 8, p: opts.p ?? 1, salt: hex(salt) },
          message: "",
        }
      : {
          function: "pbkdf2",
          params: { dklen: 32, c: opts.c ?? DEFAULT_COST, prf: "hmac-sha256", salt: hex(salt) },
          message: "",
        };
  const key = await deriveKey(kdf, normalizeKeystorePassword(password), undefined);
  try {
    const cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), iv);
    const cipherMessage = Buffer.concat([cipher.update(secret), cipher.final()]);
    return {
      crypto: {
        kdf,
        checksum: { function: "sha256", params: {}, message: hex(checksumOf(key, cipherMessage)) },
        cipher: { function: "aes-128-ctr", params: { iv: hex(iv) }, message: hex(cipherMessage) },
      },
      description: opts.description ?? "",
      pubkey: hex(pubkey),
      path: opts.path ?? "",
      uuid: opts.uuid ?? randomUUID(),
      version: 4,
    };
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypt every keystore (`*.json`, in name order) in a directory, e.g. the `validator_keys` folder
 * staking-deposit-cli writes. Its `deposit_data-*.json` files are skipped; any other JSON file must
 * be a keystore that opens with the password. Keystores are decrypted one at a time (scrypt at
 * n = 2^18 takes 256 MB each).
 */
export async function loadKeystoreDir(dir: string, password: string): Promise<LoadedKeystore[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(".json") && !e.name.startsWith("deposit_data-"))
    .map((e) => e.name)
    .sort();
  const out: LoadedKeystore[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = join(dir, name);
    const secret = await decryptAt(await readFile(file), password, file);
    let secretKey: SecretKey;
    try {
      secretKey = SecretKey.fromBytes(secret);
    } finally {
      secret.fill(0);
    }
    const pubkey = secretKey.toPublicKey().toBytes();
    const pubkeyHex = toHex(pubkey);
    const other = seen.get(pubkeyHex);
    if (other !== undefined)
      throw fail(KeystoreErrorCode.DUPLICATE_PUBKEY, `same key as ${other}`, file, { pubkey: pubkeyHex, other });
    seen.set(pubkeyHex, file);
    out.push({ pubkey, secretKey, file });
  }
  return out;
}

/**
 * Match keystore keys to validator indices through a pubkey → index map (0x-hex keys, as
 * `PubkeyCache.pubkey2index`). Keys whose pubkey is not in the map are returned as `unknown`.
 */
export function mapKeystoresToIndices(
  keystores: readonly { pubkey: Uint8Array; secretKey: SecretKey }[],
  pubkey2index: ReadonlyMap<string, number>,
): { keys: Map<number, SecretKey>; unknown: Uint8Array[] } {
  const keys = new Map<number, SecretKey>();
  const unknown: Uint8Array[] = [];
  for (const { pubkey, secretKey } of keystores) {
    const index = pubkey2index.get(toHex(pubkey));
    if (index === undefined) unknown.push(pubkey);
    else keys.set(index, secretKey);
  }
  return { keys, unknown };
}

async function decryptAt(input: string | Uint8Array | object, password: string, file: string | undefined) {
  const ks = parseKeystore(input, file);
  const { kdf, checksum, cipher } = ks.crypto;
  if (checksum.function !== "sha256")
    throw fail(KeystoreErrorCode.UNSUPPORTED_CHECKSUM, "only the sha256 checksum is supported", file, {
      function: checksum.function,
    });
  if (cipher.function !== "aes-128-ctr")
    throw fail(KeystoreErrorCode.UNSUPPORTED_CIPHER, "only the aes-128-ctr cipher is supported", file, {
      function: cipher.function,
    });
  const checksumMessage = hexField(checksum.message, "crypto.checksum.message", file);
  if (checksumMessage.length !== 32)
    throw fail(KeystoreErrorCode.INVALID_FIELD, "crypto.checksum.message must be 32 bytes", file);
  const iv = hexField(cipher.params.iv, "crypto.cipher.params.iv", file);
  if (iv.length !== 16) throw fail(KeystoreErrorCode.INVALID_FIELD, "crypto.cipher.params.iv must be 16 bytes", file);
  const cipherMessage = hexField(cipher.message, "crypto.cipher.message", file);

  const key = await deriveKey(kdf, normalizeKeystorePassword(password), file);
  let secret: Uint8Array;
  try {
    if (!timingSafeEqual(checksumOf(key, cipherMessage), checksumMessage))
      throw fail(KeystoreErrorCode.WRONG_PASSWORD, "checksum mismatch: wrong password or corrupted keystore", file);
    const decipher = createDecipheriv("aes-128-ctr", key.subarray(0, 16), iv);
    secret = new Uint8Array(Buffer.concat([decipher.update(cipherMessage), decipher.final()]));
  } finally {
    key.fill(0);
  }
  try {
    if (ks.pubkey !== undefined) {
      const declared = ks.pubkey.toLowerCase().replace(/^0x/, "");
      if (hex(publicKeyOf(secret, file)) !== declared)
        throw fail(KeystoreErrorCode.PUBKEY_MISMATCH, "the secret does not match the keystore's pubkey", file, {
          pubkey: `0x${declared}`,
        });
    } else {
      publicKeyOf(secret, file);
    }
  } catch (e) {
    secret.fill(0);
    throw e;
  }
  return secret;
}

function parseKeystore(input: string | Uint8Array | object, file: string | undefined): Keystore {
  let json: unknown = input;
  if (typeof input === "string" || input instanceof Uint8Array) {
    try {
      json = JSON.parse(typeof input === "string" ? input : Buffer.from(input).toString("utf8"));
    } catch {
      // The parser's message quotes the text; leave it out
      throw fail(KeystoreErrorCode.INVALID_JSON, "not valid JSON", file);
    }
  }
  if (!isObject(json)) throw fail(KeystoreErrorCode.INVALID_JSON, "not a JSON object", file);
  if (json.version !== 4)
    throw fail(KeystoreErrorCode.UNSUPPORTED_VERSION, "only version 4 (EIP-2335) keystores are supported", file, {
      version:
        typeof json.version === "number" || typeof json.version === "string" ? json.version : typeof json.version,
    });
  const crypto = json.crypto;
  if (!isObject(crypto)) throw fail(KeystoreErrorCode.INVALID_FIELD, "crypto must be an object", file);
  for (const name of ["kdf", "checksum", "cipher"] as const) {
    const m = crypto[name];
    if (!isObject(m) || typeof m.function !== "string" || !isObject(m.params) || typeof m.message !== "string")
      throw fail(KeystoreErrorCode.INVALID_FIELD, `crypto.${name} must have function, params and message`, file);
  }
  if (json.pubkey !== undefined && (typeof json.pubkey !== "string" || !/^(0x)?[0-9a-fA-F]{96}$/.test(json.pubkey)))
    throw fail(KeystoreErrorCode.INVALID_FIELD, "pubkey must be 48 bytes of hex", file);
  return json as unknown as Keystore;
}

function deriveKey(kdf: KeystoreModule, password: Uint8Array, file: string | undefined): Promise<Buffer> {
  const p = kdf.params;
  const salt = hexField(p.salt, "crypto.kdf.params.salt", file);
  const dklen = p.dklen;
  if (!isInt(dklen) || dklen < 32 || dklen > MAX_DKLEN)
    throw fail(KeystoreErrorCode.INVALID_KDF_PARAMS, `dklen must be an integer from 32 to ${MAX_DKLEN}`, file);
  if (kdf.function === "scrypt") {
    const { n, r, p: par } = p;
    if (!isInt(n) || n < 2 || (n & (n - 1)) !== 0 || !isInt(r) || r < 1 || !isInt(par) || par < 1)
      throw fail(KeystoreErrorCode.INVALID_KDF_PARAMS, "scrypt needs n a power of two > 1 and r, p >= 1", file);
    // What OpenSSL allocates: 128·r·p for B and 128·r·(n + 2) for V
    const memory = 128 * r * (n + par + 2);
    if (memory > MAX_SCRYPT_MEMORY || r * par >= 2 ** 30)
      throw fail(KeystoreErrorCode.INVALID_KDF_PARAMS, "scrypt parameters ask for too much memory", file, {
        n,
        r,
        p: par,
      });
    const options: ScryptOptions = { N: n, r, p: par, maxmem: memory + 2 ** 20 };
    return new Promise((resolve, reject) =>
      scrypt(password, salt, dklen, options, (err, key) =>
        err ? reject(fail(KeystoreErrorCode.INVALID_KDF_PARAMS, "scrypt failed", file)) : resolve(key),
      ),
    );
  }
  if (kdf.function === "pbkdf2") {
    if (p.prf !== "hmac-sha256")
      throw fail(KeystoreErrorCode.UNSUPPORTED_KDF, "pbkdf2 is supported with prf hmac-sha256 only", file, {
        prf: typeof p.prf === "string" ? p.prf : typeof p.prf,
      });
    const c = p.c;
    if (!isInt(c) || c < 1 || c > MAX_PBKDF2_ITERATIONS)
      throw fail(KeystoreErrorCode.INVALID_KDF_PARAMS, `pbkdf2 needs c from 1 to ${MAX_PBKDF2_ITERATIONS}`, file);
    return new Promise((resolve, reject) =>
      pbkdf2(password, salt, c, dklen, "sha256", (err, key) =>
        err ? reject(fail(KeystoreErrorCode.INVALID_KDF_PARAMS, "pbkdf2 failed", file)) : resolve(key),
      ),
    );
  }
  throw fail(KeystoreErrorCode.UNSUPPORTED_KDF, "only the scrypt and pbkdf2 kdfs are supported", file, {
    function: kdf.function,
  });
}

/** SHA256(decryption_key[16:32] | cipher_message) */
function checksumOf(key: Uint8Array, cipherMessage: Uint8Array): Buffer {
  return createHash("sha256").update(key.subarray(16, 32)).update(cipherMessage).digest();
}

function publicKeyOf(secret: Uint8Array, file: string | undefined): Uint8Array {
  if (secret.length !== SECRET_KEY_LENGTH)
    throw fail(KeystoreErrorCode.INVALID_SECRET, `the secret is not a ${SECRET_KEY_LENGTH}-byte BLS key`, file);
  try {
    return SecretKey.fromBytes(secret).toPublicKey().toBytes();
  } catch {
    throw fail(KeystoreErrorCode.INVALID_SECRET, "the secret is not a valid BLS secret key", file);
  }
}

function hexField(value: unknown, field: string, file: string | undefined): Uint8Array {
  if (typeof value !== "string") throw fail(KeystoreErrorCode.INVALID_FIELD, `${field} must be a hex string`, file);
  const body = value.startsWith("0x") ? value.slice(2) : value;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body))
    throw fail(KeystoreErrorCode.INVALID_FIELD, `${field} must be a hex string`, file);
  return new Uint8Array(Buffer.from(body, "hex"));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

function fail(
  code: KeystoreErrorCode,
  message: string,
  file: string | undefined,
  data: Record<string, unknown> = {},
): KeystoreError {
  return new KeystoreError(code, file === undefined ? message : `${file}: ${message}`, {
    ...data,
    ...(file === undefined ? {} : { file }),
  });
}
