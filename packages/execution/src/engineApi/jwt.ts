import { readFileSync } from "node:fs";
import { jwtVerify, SignJWT } from "jose";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";

/** execution-apis authentication.md: the secret is 32 bytes, a hex string in a file. */
export const JWT_SECRET_BYTES = 32;
/** authentication.md: the EL MUST reject `iat` more than 60 seconds from its own clock. */
export const JWT_IAT_TOLERANCE_SECONDS = 60;
const ALGORITHM = "HS256";

export function parseJwtSecret(text: string): Uint8Array {
  const hex = text.trim().replace(/^0x/, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== JWT_SECRET_BYTES * 2) {
    throw new ExecutionError(ExecutionErrorCode.BAD_JWT_SECRET, "JWT secret must be 32 bytes of hex", {
      length: hex.length,
    });
  }
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export function readJwtSecret(path: string): Uint8Array {
  return parseJwtSecret(readFileSync(path, "utf8"));
}

/** A token for one request: HS256 with `iat` now (the CL side of authentication.md). */
export function signEngineJwt(secret: Uint8Array, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: ALGORITHM }).setIssuedAt(nowSeconds).sign(secret);
}

/**
 * The EL side: the `Authorization: Bearer` token must be HS256 under `secret` with an `iat`
 * within ±60 s of now. Throws JWT_REFUSED otherwise.
 */
export async function verifyEngineJwt(
  authorization: string | undefined,
  secret: Uint8Array,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<void> {
  const refuse = (reason: string) => new ExecutionError(ExecutionErrorCode.JWT_REFUSED, reason);
  const token = authorization?.match(/^Bearer (.+)$/)?.[1];
  if (!token) throw refuse("missing bearer token");
  let iat: unknown;
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: [ALGORITHM],
      currentDate: new Date(nowSeconds * 1000),
      clockTolerance: JWT_IAT_TOLERANCE_SECONDS,
    });
    iat = payload.iat;
  } catch (e) {
    throw refuse(`bad token: ${(e as Error).message}`);
  }
  // authentication.md: "iat" is required, and stale or future tokens are refused
  if (typeof iat !== "number") throw refuse("token has no iat claim");
  if (Math.abs(iat - nowSeconds) > JWT_IAT_TOLERANCE_SECONDS) throw refuse("token iat is more than 60 s from now");
}
