/** Shared assertions of the runners: state comparison with a field-level report, and expected failures. */
import assert from "node:assert/strict";
import type { CachedBeaconState } from "@turnstile/ticket-state";
import { TicketStateError, toHex } from "@turnstile/ticket-state";

/** Assert that `actual` equals the serialized `expected` state; on mismatch, name the fields that differ. */
export function assertStateEquals(actual: CachedBeaconState, expectedBytes: Uint8Array, what = "post-state"): void {
  const type = actual.ctx.ssz.BeaconState;
  actual.state.commit();
  const actualRoot = toHex(actual.hashTreeRoot());
  const expected = type.deserializeToViewDU(expectedBytes);
  const expectedRoot = toHex(expected.hashTreeRoot());
  if (actualRoot === expectedRoot) return;
  const a = actual.state.toValue() as Record<string, unknown>;
  const e = expected.toValue() as Record<string, unknown>;
  const fields = Object.entries(type.fields as Record<string, { equals(x: unknown, y: unknown): boolean }>)
    .filter(([name, fieldType]) => !fieldType.equals(a[name], e[name]))
    .map(([name]) => name);
  assert.fail(`${what} root ${actualRoot} != expected ${expectedRoot}; fields that differ: ${fields.join(", ")}`);
}

/** Assert that `fn` throws; when `expectedError` is given, with that typed error code. */
export function assertFails(fn: () => unknown, expectedError: unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined)
    assert.fail(`expected a failure${expectedError ? ` (${String(expectedError)})` : ""}, but it succeeded`);
  if (expectedError !== undefined) {
    const code = error instanceof TicketStateError ? error.code : `untyped error: ${String(error)}`;
    assert.equal(code, String(expectedError), `failed with ${code} instead of ${String(expectedError)}`);
  }
}

/** `bls_setting` of meta.yaml: 2 means the case must run with BLS off. */
export function verifySignaturesFor(meta: Record<string, unknown>): boolean {
  return meta.bls_setting === undefined || BigInt(meta.bls_setting as bigint) !== 2n;
}
