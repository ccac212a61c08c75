import { badRequest } from "./errors.ts";

/** Beacon-API topics Turnstile emits, in the spec's shapes (`head_v2` and `execution_payload` as in Gloas). */
export const EMITTED_SPEC_TOPICS = [
  "head",
  "head_v2",
  "block",
  "finalized_checkpoint",
  "chain_reorg",
  "execution_payload",
] as const;

/**
 * Beacon-API topics a subscriber may ask for that never fire here: Turnstile has no sync committees
 * (contributions, light-client updates), no blobs or data columns, no builder bids or proposer
 * preferences (ticket holders commit instead), and does not stream gossip objects. They are accepted,
 * as the spec lists them, so that a client subscribing to a standard set is not refused.
 * The vendored spec's enum (v5.0.0-alpha.2) plus `blob_sidecar` (Deneb to Fulu) and
 * `proposer_preferences` (later Gloas drafts), which clients still ask for.
 */
export const SILENT_SPEC_TOPICS = [
  "block_gossip",
  "attestation",
  "single_attestation",
  "voluntary_exit",
  "bls_to_execution_change",
  "proposer_slashing",
  "attester_slashing",
  "contribution_and_proof",
  "light_client_finality_update",
  "light_client_optimistic_update",
  "payload_attributes",
  "blob_sidecar",
  "data_column_sidecar",
  "execution_payload_gossip",
  "execution_payload_available",
  "execution_payload_bid",
  "proposer_preferences",
  "payload_attestation_message",
  "fast_confirmation",
] as const;

/** Turnstile's own topics: its head and payload in its original shape, and the ticket market. */
export const TURNSTILE_TOPICS = ["payload", "ticket_assigned", "commitment_dropped"] as const;

export type EmittedTopic = (typeof EMITTED_SPEC_TOPICS)[number] | (typeof TURNSTILE_TOPICS)[number];

const EMITTED = new Set<string>([...EMITTED_SPEC_TOPICS, ...TURNSTILE_TOPICS]);
const ACCEPTED = new Set<string>([...EMITTED, ...SILENT_SPEC_TOPICS]);

/**
 * The topics a `topics` query asks for (repeated or comma-separated), of which only the emitted ones
 * matter. Spec: "400: The topics supplied could not be parsed": none given, or a name neither the spec
 * nor Turnstile knows.
 */
export function parseTopics(query: string | string[] | undefined): Set<EmittedTopic> {
  const requested = ([] as string[])
    .concat(query ?? [])
    .flatMap((t) => t.split(","))
    .map((t) => t.trim());
  const unknown = requested.filter((t) => !ACCEPTED.has(t));
  if (requested.length === 0 || unknown.length > 0) {
    throw badRequest(
      `${unknown.length ? `Invalid topic: ${unknown.join(", ")}; ` : "no topics given; "}topics are the Beacon-API's (${[...EMITTED_SPEC_TOPICS, ...SILENT_SPEC_TOPICS].join(", ")}) and Turnstile's (${TURNSTILE_TOPICS.join(", ")})`,
      { unknown },
    );
  }
  return new Set(requested.filter((t) => EMITTED.has(t)) as EmittedTopic[]);
}
