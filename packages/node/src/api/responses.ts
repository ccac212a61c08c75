/** Payload status names, indexed by fork choice's PayloadStatus. */
export const STATUS_NAMES = ["PENDING", "EMPTY", "FULL"] as const;

/** The fork name v2 endpoints answer with (`version`, `Eth-Consensus-Version`): the chain has one fork. */
export const CONSENSUS_VERSION = "turnstile";
