export const SpecLookupErrorCode = {
  UNKNOWN_PATH: "SPEC_UNKNOWN_PATH",
  UNKNOWN_OPERATION: "SPEC_UNKNOWN_OPERATION",
  UNRESOLVED_REF: "SPEC_UNRESOLVED_REF",
  NO_EVENT_EXAMPLE: "SPEC_NO_EVENT_EXAMPLE",
} as const;
export type SpecLookupErrorCode = (typeof SpecLookupErrorCode)[keyof typeof SpecLookupErrorCode];

/** The harness asked the vendored spec for something it does not hold: a bug in the probe list, not in the node. */
export class SpecLookupError extends Error {
  readonly code: SpecLookupErrorCode;
  readonly what: string;
  constructor(code: SpecLookupErrorCode, what: string) {
    super(`${code}: ${what}`);
    this.code = code;
    this.what = what;
  }
}
