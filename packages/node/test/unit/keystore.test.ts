import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SecretKey } from "@chainsafe/blst";
import {
  decryptKeystore,
  encryptKeystore,
  KeystoreError,
  type KeystoreErrorCode,
  loadKeystoreDir,
  mapKeystoresToIndices,
  normalizeKeystorePassword,
} from "@turnstile/node";
import { createChainContext, interopSecretKey, minimalChainConfig, toHex } from "@turnstile/ticket-state";
import { genesisState } from "./helpers.ts";

// The test vectors of EIP-2335 ("Test Cases"), as in ethereum/ERCs, ERCS/erc-2335.md
const PASSWORD = "𝔱𝔢𝔰𝔱𝔭𝔞𝔰𝔰𝔴𝔬𝔯𝔡🔑";
const ENCODED_PASSWORD = "0x7465737470617373776f7264f09f9491";
const SECRET = "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
const PUBKEY = "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07";

const SCRYPT_VECTOR = `{
    "crypto": {
        "kdf": {
            "function": "scrypt",
            "params": {
                "dklen": 32,
                "n": 262144,
                "p": 1,
                "r": 8,
                "salt": "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"
            },
            "message": ""
        },
        "checksum": {
            "function": "sha256",
            "params": {},
            "message": "d2217fe5f3e9a1e34581ef8a78f7c9928e436d36dacc5e846690a5581e8ea484"
        },
        "cipher": {
            "function": "aes-128-ctr",
            "params": {
                "iv": "264daa3f303d7259501c93d997d84fe6"
            },
            "message": "06ae90d55fe0a6e9c5c3bc5b170827b2e5cce3929ed3f116c2811e6366dfe20f"
        }
    },
    "description": "This is a test keystore that uses scrypt to secure the secret.",
    "pubkey": "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07",
    "path": "m/12381/60/3141592653/589793238",
    "uuid": "1d85ae20-35c5-4611-98e8-aa14a633906f",
    "version": 4
}`;

const PBKDF2_VECTOR = `{
    "crypto": {
        "kdf": {
            "function": "pbkdf2",
            "params": {
                "dklen": 32,
                "c": 262144,
                "prf": "hmac-sha256",
                "salt": "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"
            },
            "message": ""
        },
        "checksum": {
            "function": "sha256",
            "params": {},
            "message": "8a9f5d9912ed7e75ea794bc5a89bca5f193721d30868ade6f73043c6ea6febf1"
        },
        "cipher": {
            "function": "aes-128-ctr",
            "params": {
                "iv": "264daa3f303d7259501c93d997d84fe6"
            },
            "message": "cee03fde2af33149775b7223e7845e4fb2c8ae1792e5f99fe9ecf474cc8c16ad"
        }
    },
    "description": "This is a test keystore that uses PBKDF2 to secure the secret.",
    "pubkey": "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07",
    "path": "m/12381/60/0/0",
    "uuid": "64625def-3331-4eea-ab6f-782f3ed16a83",
    "version": 4
}`;

/** Small scrypt cost so each derivation takes about a millisecond. */
const FAST = { n: 2 ** 10 } as const;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-keystore-"));
  dirs.push(dir);
  return dir;
}

/** Assert the promise rejects with a KeystoreError of this code, carrying neither password nor secret. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: KeystoreErrorCode,
  secrets: string[] = [],
): Promise<KeystoreError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => {
      caught = e;
    },
  );
  assert.ok(caught instanceof KeystoreError, `not a KeystoreError: ${String(caught)}`);
  assert.equal(caught.code, code);
  const text = `${caught.message} ${JSON.stringify(caught.data)}`;
  for (const s of secrets) assert.ok(!text.includes(s), "error leaks secret material");
  return caught;
}

describe("EIP-2335 keystores", () => {
  it("normalises the password: NFKD, then C0, C1 and Delete stripped", () => {
    assert.equal(toHex(normalizeKeystorePassword(PASSWORD)), ENCODED_PASSWORD);
    assert.deepEqual(
      Buffer.from(normalizeKeystorePassword("a\u0000b\u001f\u007fc\u0080\u009f d\ufb01\n")).toString("utf8"),
      "abc dfi",
    );
  });

  it("decrypts the EIP's scrypt test vector", async () => {
    const secret = await decryptKeystore(SCRYPT_VECTOR, PASSWORD);
    assert.equal(toHex(secret), SECRET);
    assert.equal(toHex(SecretKey.fromBytes(secret).toPublicKey().toBytes()), `0x${PUBKEY}`);
  });

  it("decrypts the EIP's pbkdf2 test vector (also from bytes and a parsed object)", async () => {
    assert.equal(toHex(await decryptKeystore(PBKDF2_VECTOR, PASSWORD)), SECRET);
    assert.equal(toHex(await decryptKeystore(Buffer.from(PBKDF2_VECTOR), PASSWORD)), SECRET);
    assert.equal(toHex(await decryptKeystore(JSON.parse(PBKDF2_VECTOR), PASSWORD)), SECRET);
  });

  it("encrypts to the EIP's vectors given their salt, iv and parameters", async () => {
    for (const vector of [SCRYPT_VECTOR, PBKDF2_VECTOR]) {
      const expected = JSON.parse(vector);
      const kdf = expected.crypto.kdf;
      const ks = await encryptKeystore(Buffer.from(SECRET.slice(2), "hex"), PASSWORD, {
        kdf: kdf.function,
        salt: Buffer.from(kdf.params.salt, "hex"),
        iv: Buffer.from(expected.crypto.cipher.params.iv, "hex"),
        path: expected.path,
        description: expected.description,
        uuid: expected.uuid,
      });
      assert.deepEqual(ks, expected);
    }
  });

  it("round-trips with scrypt and pbkdf2 at small cost", async () => {
    const secret = interopSecretKey(7).toBytes();
    for (const opts of [
      { kdf: "scrypt", ...FAST },
      { kdf: "pbkdf2", c: 1024 },
    ] as const) {
      const ks = await encryptKeystore(secret, "correct horse battery staple", opts);
      assert.equal(ks.version, 4);
      assert.equal(ks.crypto.kdf.function, opts.kdf);
      assert.equal(ks.pubkey, Buffer.from(interopSecretKey(7).toPublicKey().toBytes()).toString("hex"));
      assert.match(ks.uuid, /^[0-9a-f-]{36}$/);
      assert.deepEqual(await decryptKeystore(JSON.stringify(ks), "correct horse battery staple"), secret);
    }
    // Random salt and iv: two keystores of one key differ
    const [a, b] = await Promise.all([encryptKeystore(secret, "pw", FAST), encryptKeystore(secret, "pw", FAST)]);
    assert.notEqual(a.crypto.cipher.message, b.crypto.cipher.message);
  });

  it("rejects a wrong password, and a tampered checksum or cipher message, as KEYSTORE_WRONG_PASSWORD", async () => {
    const secret = interopSecretKey(1).toBytes();
    const secretHex = Buffer.from(secret).toString("hex");
    const ks = await encryptKeystore(secret, "hunter2-right", FAST);
    await rejectsWith(decryptKeystore(ks, "hunter2-typo"), "KEYSTORE_WRONG_PASSWORD", [
      "hunter2-typo",
      "hunter2-right",
      secretHex,
    ]);
    const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
    const badChecksum = structuredClone(ks);
    badChecksum.crypto.checksum.message = flip(badChecksum.crypto.checksum.message);
    await rejectsWith(decryptKeystore(badChecksum, "hunter2-right"), "KEYSTORE_WRONG_PASSWORD", [secretHex]);
    const badCipher = structuredClone(ks);
    badCipher.crypto.cipher.message = flip(badCipher.crypto.cipher.message);
    await rejectsWith(decryptKeystore(badCipher, "hunter2-right"), "KEYSTORE_WRONG_PASSWORD", [secretHex]);
    // The EIP vector with a near miss: the password is not trimmed or case-folded
    await rejectsWith(decryptKeystore(PBKDF2_VECTOR, "testpassword"), "KEYSTORE_WRONG_PASSWORD");
  });

  it("rejects unsupported kdfs, versions, checksums and ciphers, and malformed JSON", async () => {
    const ks = await encryptKeystore(interopSecretKey(2).toBytes(), "pw", FAST);
    const with_ = (edit: (k: typeof ks & Record<string, unknown>) => void) => {
      const copy = structuredClone(ks) as typeof ks & Record<string, unknown>;
      edit(copy);
      return copy;
    };
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.crypto.kdf.function = "argon2id";
        }),
        "pw",
      ),
      "KEYSTORE_UNSUPPORTED_KDF",
    );
    const pbkdf2 = await encryptKeystore(interopSecretKey(2).toBytes(), "pw", { kdf: "pbkdf2", c: 16 });
    pbkdf2.crypto.kdf.params.prf = "hmac-sha512";
    await rejectsWith(decryptKeystore(pbkdf2, "pw"), "KEYSTORE_UNSUPPORTED_KDF");
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.version = 3;
        }),
        "pw",
      ),
      "KEYSTORE_UNSUPPORTED_VERSION",
    );
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.crypto.checksum.function = "keccak256";
        }),
        "pw",
      ),
      "KEYSTORE_UNSUPPORTED_CHECKSUM",
    );
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.crypto.cipher.function = "aes-256-gcm";
        }),
        "pw",
      ),
      "KEYSTORE_UNSUPPORTED_CIPHER",
    );
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.crypto.kdf.params.n = 1000;
        }),
        "pw",
      ),
      "KEYSTORE_INVALID_KDF_PARAMS",
    );
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.crypto.kdf.params.n = 2 ** 30;
        }),
        "pw",
      ),
      "KEYSTORE_INVALID_KDF_PARAMS",
    );
    await rejectsWith(
      decryptKeystore(
        with_((k) => {
          k.crypto.cipher.params.iv = "zz";
        }),
        "pw",
      ),
      "KEYSTORE_INVALID_FIELD",
    );
    const truncated = JSON.stringify(ks).slice(0, 200);
    const e = await rejectsWith(decryptKeystore(truncated, "pw"), "KEYSTORE_INVALID_JSON");
    assert.ok(!e.message.includes(ks.crypto.kdf.params.salt as string), "the parse error does not quote the file");
    await rejectsWith(decryptKeystore("[1, 2]", "pw"), "KEYSTORE_INVALID_JSON");
  });

  it("checks the pubkey against the secret: KEYSTORE_PUBKEY_MISMATCH; a missing pubkey is fine", async () => {
    const secret = interopSecretKey(3).toBytes();
    const ks = await encryptKeystore(secret, "pw", FAST);
    const other = structuredClone(ks);
    other.pubkey = Buffer.from(interopSecretKey(4).toPublicKey().toBytes()).toString("hex");
    const e = await rejectsWith(decryptKeystore(other, "pw"), "KEYSTORE_PUBKEY_MISMATCH", [
      Buffer.from(secret).toString("hex"),
      ks.pubkey!,
    ]);
    assert.equal(e.data.pubkey, `0x${other.pubkey}`);
    const noPubkey = structuredClone(ks);
    delete noPubkey.pubkey;
    assert.deepEqual(await decryptKeystore(noPubkey, "pw"), secret);
  });

  it("will not encrypt something that is not a BLS secret key", async () => {
    await rejectsWith(encryptKeystore(new Uint8Array(32), "pw", FAST), "KEYSTORE_INVALID_SECRET");
    await rejectsWith(encryptKeystore(new Uint8Array(31).fill(1), "pw", FAST), "KEYSTORE_INVALID_SECRET");
  });

  it("loads a keystore directory as staking-deposit-cli writes it", async () => {
    const dir = tempDir();
    const password = "dir password";
    for (const i of [5, 3]) {
      const ks = await encryptKeystore(interopSecretKey(i).toBytes(), password, {
        ...FAST,
        path: `m/12381/3600/${i}/0/0`,
      });
      writeFileSync(join(dir, `keystore-m_12381_3600_${i}_0_0-1700000000.json`), JSON.stringify(ks));
    }
    writeFileSync(join(dir, "deposit_data-1700000000.json"), "[]");
    writeFileSync(join(dir, "notes.txt"), "not a keystore");
    mkdirSync(join(dir, "nested.json"));
    const loaded = await loadKeystoreDir(dir, `${password}\n`); // control codes are stripped
    assert.deepEqual(
      loaded.map((k) => k.file),
      [3, 5].map((i) => join(dir, `keystore-m_12381_3600_${i}_0_0-1700000000.json`)),
    );
    for (const [j, i] of [3, 5].entries()) {
      assert.deepEqual(loaded[j].pubkey, interopSecretKey(i).toPublicKey().toBytes());
      assert.ok(loaded[j].secretKey instanceof SecretKey);
      assert.deepEqual(loaded[j].secretKey.toBytes(), interopSecretKey(i).toBytes());
    }

    const e = await rejectsWith(loadKeystoreDir(dir, "nope"), "KEYSTORE_WRONG_PASSWORD", ["nope"]);
    assert.equal(e.data.file, join(dir, "keystore-m_12381_3600_3_0_0-1700000000.json"));

    const copy = await encryptKeystore(interopSecretKey(5).toBytes(), password, FAST);
    writeFileSync(join(dir, "keystore-copy.json"), JSON.stringify(copy));
    await rejectsWith(loadKeystoreDir(dir, password), "KEYSTORE_DUPLICATE_PUBKEY");

    assert.deepEqual(await loadKeystoreDir(tempDir(), password), []);
  });

  it("maps keystore pubkeys to validator indices in the state; unknown ones are reported", () => {
    const state = genesisState(createChainContext(minimalChainConfig));
    const stranger = SecretKey.fromKeygen(new Uint8Array(32).fill(9));
    const keystores = [interopSecretKey(5), stranger, interopSecretKey(0)].map((secretKey) => ({
      pubkey: secretKey.toPublicKey().toBytes(),
      secretKey,
    }));
    const { keys, unknown } = mapKeystoresToIndices(keystores, state.caches.pubkeys.pubkey2index);
    assert.deepEqual([...keys.keys()].sort(), [0, 5]);
    assert.equal(keys.get(5), keystores[0].secretKey);
    assert.deepEqual(unknown, [stranger.toPublicKey().toBytes()]);
  });
});
