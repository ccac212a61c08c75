/**
 * Networking constants, as in the consensus p2p spec (phase0/altair/bellatrix p2p-interface, Gloas for
 * the envelope protocols). Time values are defaults: every timeout can be overridden per Network.
 */

/** Maximum uncompressed size of a gossip message and of one req/resp response chunk (bellatrix: 10 MiB). */
export const MAX_PAYLOAD_SIZE = 10 * 2 ** 20;
/** Maximum number of blocks in one `beacon_blocks_by_range` / `beacon_blocks_by_root` request. */
export const MAX_REQUEST_BLOCKS = 1024;
/** Maximum number of envelopes in one `execution_payload_envelopes_by_*` request (Gloas). */
export const MAX_REQUEST_PAYLOADS = 128;
/** Requester: maximum wait for the first response byte. */
export const TTFB_TIMEOUT_MS = 5_000;
/** Requester: maximum wait for each further response chunk; responder: maximum time to read a request. */
export const RESP_TIMEOUT_MS = 10_000;
/** Concurrent inbound streams per protocol per connection (spec MAX_CONCURRENT_REQUESTS = 2, plus slack). */
export const MAX_CONCURRENT_REQUESTS = 2;
/** Persistent attestation subnets advertised in MetaData (no subnets are used yet: all bits zero). */
export const ATTESTATION_SUBNET_COUNT = 64;

/** Gossip message-id domains. */
export const MESSAGE_DOMAIN_INVALID_SNAPPY = Uint8Array.from([0x00, 0x00, 0x00, 0x00]);
export const MESSAGE_DOMAIN_VALID_SNAPPY = Uint8Array.from([0x01, 0x00, 0x00, 0x00]);
/** Length of a gossip message-id. */
export const MESSAGE_ID_LENGTH = 20;

/** Req/resp protocol id prefix. */
export const PROTOCOL_PREFIX = "/eth2/beacon_chain/req";

/** Response chunk result codes. 128..255 are free for request-specific errors. */
export const RespCode = {
  SUCCESS: 0,
  INVALID_REQUEST: 1,
  SERVER_ERROR: 2,
  RESOURCE_UNAVAILABLE: 3,
  /** Not in the spec's enumerated list; a code >= 128 as the spec allows (Lighthouse uses 139 as well). */
  RATE_LIMITED: 139,
} as const;
export type RespCode = (typeof RespCode)[keyof typeof RespCode];

/** Goodbye reason codes. */
export const GoodbyeReason = {
  CLIENT_SHUTDOWN: 1,
  IRRELEVANT_NETWORK: 2,
  FAULT_OR_ERROR: 3,
  TOO_MANY_PEERS: 129,
  BAD_SCORE: 250,
  BANNED: 251,
} as const;
export type GoodbyeReason = (typeof GoodbyeReason)[keyof typeof GoodbyeReason];

/** Maximum bytes of an ErrorMessage (`List[byte, 256]`). */
export const MAX_ERROR_MESSAGE_LENGTH = 256;
