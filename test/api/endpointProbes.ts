import type { ApiClient } from "@lodestar/api";

/** What `@lodestar/api` answers, reduced to what the harness reads (its ApiResponse is generic per route). */
export interface ClientResponse {
  ok: boolean;
  status: number;
  /** Parses the body into the client's types; throws when it cannot. */
  value(): unknown;
}

/** Facts about the running node that concrete requests need. */
export interface ProbeContext {
  headSlot: number;
  headStateRoot: string;
  /** A slot below the finalized checkpoint: history, not the hot chain. */
  oldSlot: number;
}

/** One request: the spec path it answers to, the concrete URL, and the typed client call for the same request. */
export interface EndpointProbe {
  /** Path template as in the spec's `paths`. */
  path: string;
  url(c: ProbeContext): string;
  client(api: ApiClient, c: ProbeContext): Promise<ClientResponse>;
  /** Status a conformant node answers here; 200 unless told. */
  expectedStatus?: number;
}

const STATE = "/eth/v1/beacon/states/{state_id}";

/**
 * Every generic GET endpoint issue 11 names, plus what the node already serves. Ticket endpoints are not
 * here: the beacon-APIs spec does not define them.
 */
export const ENDPOINT_PROBES: readonly EndpointProbe[] = [
  { path: "/eth/v1/node/identity", url: () => "/eth/v1/node/identity", client: (a) => a.node.getNetworkIdentity() },
  { path: "/eth/v1/node/peers", url: () => "/eth/v1/node/peers", client: (a) => a.node.getPeers() },
  { path: "/eth/v1/node/peer_count", url: () => "/eth/v1/node/peer_count", client: (a) => a.node.getPeerCount() },
  { path: "/eth/v1/node/version", url: () => "/eth/v1/node/version", client: (a) => a.node.getNodeVersion() },
  { path: "/eth/v2/node/version", url: () => "/eth/v2/node/version", client: (a) => a.node.getNodeVersionV2() },
  { path: "/eth/v1/node/syncing", url: () => "/eth/v1/node/syncing", client: (a) => a.node.getSyncingStatus() },
  { path: "/eth/v1/node/health", url: () => "/eth/v1/node/health", client: (a) => a.node.getHealth() },
  { path: "/eth/v1/beacon/genesis", url: () => "/eth/v1/beacon/genesis", client: (a) => a.beacon.getGenesis() },
  { path: "/eth/v1/beacon/headers", url: () => "/eth/v1/beacon/headers", client: (a) => a.beacon.getBlockHeaders({}) },
  {
    path: "/eth/v1/beacon/headers",
    url: (c) => `/eth/v1/beacon/headers?slot=${c.headSlot - 1}`,
    client: (a, c) => a.beacon.getBlockHeaders({ slot: c.headSlot - 1 }),
  },
  {
    path: "/eth/v1/beacon/headers/{block_id}",
    url: () => "/eth/v1/beacon/headers/head",
    client: (a) => a.beacon.getBlockHeader({ blockId: "head" }),
  },
  {
    path: "/eth/v1/beacon/headers/{block_id}",
    url: (c) => `/eth/v1/beacon/headers/${c.oldSlot}`,
    client: (a, c) => a.beacon.getBlockHeader({ blockId: c.oldSlot }),
  },
  {
    path: "/eth/v2/beacon/blocks/{block_id}",
    url: () => "/eth/v2/beacon/blocks/head",
    client: (a) => a.beacon.getBlockV2({ blockId: "head" }),
  },
  {
    path: "/eth/v2/beacon/blocks/{block_id}",
    url: (c) => `/eth/v2/beacon/blocks/${c.oldSlot}`,
    client: (a, c) => a.beacon.getBlockV2({ blockId: c.oldSlot }),
  },
  {
    path: "/eth/v1/beacon/blocks/{block_id}/root",
    url: () => "/eth/v1/beacon/blocks/head/root",
    client: (a) => a.beacon.getBlockRoot({ blockId: "head" }),
  },
  {
    path: "/eth/v1/beacon/execution_payload_envelopes/{block_id}",
    url: () => "/eth/v1/beacon/execution_payload_envelopes/head",
    client: (a) => a.beacon.getSignedExecutionPayloadEnvelope({ blockId: "head" }),
  },
  {
    path: `${STATE}/root`,
    url: () => "/eth/v1/beacon/states/head/root",
    client: (a) => a.beacon.getStateRoot({ stateId: "head" }),
  },
  {
    path: `${STATE}/root`,
    url: (c) => `/eth/v1/beacon/states/${c.headStateRoot}/root`,
    client: (a, c) => a.beacon.getStateRoot({ stateId: c.headStateRoot }),
  },
  {
    path: `${STATE}/fork`,
    url: () => "/eth/v1/beacon/states/head/fork",
    client: (a) => a.beacon.getStateFork({ stateId: "head" }),
  },
  {
    path: `${STATE}/finality_checkpoints`,
    url: () => "/eth/v1/beacon/states/head/finality_checkpoints",
    client: (a) => a.beacon.getStateFinalityCheckpoints({ stateId: "head" }),
  },
  {
    path: `${STATE}/validators`,
    url: () => "/eth/v1/beacon/states/head/validators",
    client: (a) => a.beacon.getStateValidators({ stateId: "head" }),
  },
  {
    path: `${STATE}/validators/{validator_id}`,
    url: () => "/eth/v1/beacon/states/head/validators/0",
    client: (a) => a.beacon.getStateValidator({ stateId: "head", validatorId: 0 }),
  },
  {
    path: `${STATE}/validator_balances`,
    url: () => "/eth/v1/beacon/states/head/validator_balances",
    client: (a) => a.beacon.getStateValidatorBalances({ stateId: "head" }),
  },
  {
    path: `${STATE}/committees`,
    url: () => "/eth/v1/beacon/states/head/committees",
    client: (a) => a.beacon.getEpochCommittees({ stateId: "head" }),
  },
  {
    path: "/eth/v1/beacon/pool/voluntary_exits",
    url: () => "/eth/v1/beacon/pool/voluntary_exits",
    client: (a) => a.beacon.getPoolVoluntaryExits(),
  },
  {
    path: "/eth/v1/beacon/pool/proposer_slashings",
    url: () => "/eth/v1/beacon/pool/proposer_slashings",
    client: (a) => a.beacon.getPoolProposerSlashings(),
  },
  {
    path: "/eth/v2/beacon/pool/attester_slashings",
    url: () => "/eth/v2/beacon/pool/attester_slashings",
    client: (a) => a.beacon.getPoolAttesterSlashingsV2(),
  },
  { path: "/eth/v1/config/spec", url: () => "/eth/v1/config/spec", client: (a) => a.config.getSpec() },
  {
    path: "/eth/v1/config/fork_schedule",
    url: () => "/eth/v1/config/fork_schedule",
    client: (a) => a.config.getForkSchedule(),
  },
  {
    path: "/eth/v1/config/deposit_contract",
    url: () => "/eth/v1/config/deposit_contract",
    client: (a) => a.config.getDepositContract(),
  },
  {
    path: "/eth/v1/debug/fork_choice",
    url: () => "/eth/v1/debug/fork_choice",
    client: (a) => a.debug.getDebugForkChoice(),
  },
  {
    path: "/eth/v2/debug/beacon/states/{state_id}",
    url: () => "/eth/v2/debug/beacon/states/head",
    client: (a) => a.debug.getStateV2({ stateId: "head" }),
  },
];

/**
 * Event topics checked on `/eth/v1/events`: the ones issue 11 names. `chain_reorg` needs a reorg to fire: the
 * harness makes one at the end of the watch (a rival block outbids an unvoted one).
 */
export const EVENT_TOPICS = [
  "head",
  "head_v2",
  "block",
  "finalized_checkpoint",
  "chain_reorg",
  "execution_payload",
] as const;
