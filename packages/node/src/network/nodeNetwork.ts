import {
  createNetwork,
  type GossipAction,
  type GossipTopicName,
  type Network,
  type NetworkOptions,
} from "@turnstile/p2p";
import { computeForkDigest, fromHex } from "@turnstile/ticket-state";
import { ChainErrorCode } from "../chain/errors.ts";
import type { BeaconDb } from "../db/beaconDb.ts";
import type { Logger } from "../logger.ts";
import type { BeaconNode } from "../node/beaconNode.ts";
import { BlockHistory } from "./blockHistory.ts";
import { ParentFetcher } from "./parentFetcher.ts";
import { RangeSync } from "./rangeSync.ts";
import { verdictOf } from "./verdict.ts";

export interface NodeNetworkOptions {
  /** Where blocks below finality are served from (the chain in memory holds only the rest). */
  db?: BeaconDb;
  listenAddresses: string[];
  bootnodes: string[];
  privateKey?: NetworkOptions["privateKey"];
  targetPeers?: number;
}

/**
 * Connect a node to its peers: gossip on every topic (validated by the node's own import path,
 * so nothing unvalidated is forwarded), req/resp served from the chain, and range sync for a node
 * that starts late or restarts.
 */
export async function attachNetwork(node: BeaconNode, opts: NodeNetworkOptions, log: Logger): Promise<Network> {
  const { chain, ctx } = node;
  const anchorState = chain.anchor.state;
  const forkDigest = computeForkDigest(ctx.config.GENESIS_FORK_VERSION, anchorState.genesis_validators_root);
  const history = new BlockHistory(chain, opts.db);
  const network = await createNetwork({
    ssz: ctx.ssz,
    forkDigest,
    listenAddresses: opts.listenAddresses,
    bootnodes: opts.bootnodes,
    privateKey: opts.privateKey,
    peers: opts.targetPeers !== undefined ? { targetPeers: opts.targetPeers } : undefined,
    // Score decay follows the chain's real slot and epoch
    gossip: { slotDurationMs: ctx.config.SECONDS_PER_SLOT * 1000, slotsPerEpoch: ctx.preset.SLOTS_PER_EPOCH },
    handlers: {
      getStatus: () => {
        const head = chain.forkChoice.getHead();
        const finalized = chain.forkChoice.finalized;
        return {
          fork_digest: forkDigest,
          finalized_root: fromHex(finalized.root),
          finalized_epoch: finalized.epoch,
          head_root: fromHex(head.root),
          head_slot: head.slot,
        };
      },
      getBlocksByRange: async (start, count) =>
        (await history.range(start, count)).map((b) => ctx.ssz.SignedBeaconBlock.serialize(b.block)),
      getBlocksByRoot: async (roots) =>
        (await history.byRoots(roots)).map((b) => ctx.ssz.SignedBeaconBlock.serialize(b.block)),
      getEnvelopesByRange: async (start, count) =>
        (await history.range(start, count)).flatMap((b) =>
          b.envelope ? [ctx.ssz.SignedExecutionPayloadEnvelope.serialize(b.envelope)] : [],
        ),
      getEnvelopesByRoot: async (roots) =>
        (await history.byRoots(roots)).flatMap((b) =>
          b.envelope ? [ctx.ssz.SignedExecutionPayloadEnvelope.serialize(b.envelope)] : [],
        ),
    },
  });
  const sync = new RangeSync(node, network, log);

  const gossip = <K extends GossipTopicName>(
    name: K,
    accept: (value: never) => boolean,
    onIgnore?: (peer: string, code: string) => void,
  ) => {
    network.subscribe(
      name,
      (value, from) => {
        if ((accept as (v: unknown) => boolean)(value)) return "ACCEPT";
        const verdict = verdictOf(node.lastError);
        if (verdict.action === "IGNORE") onIgnore?.(from.toString(), verdict.code);
        const error = new Error(verdict.code) as Error & { action: GossipAction; code: string };
        error.action = verdict.action;
        error.code = verdict.code;
        throw error;
      },
      () => {},
    );
  };
  // A block or payload whose parent we lack waits in the node's queue: ask the peer that sent it for
  // the missing ancestors by root, and range-sync from it if the gap is deeper than a few blocks
  const parents = new ParentFetcher(node, network.request, (peer) => sync.requestSync(peer), log);
  const catchUp = (peer: string, code: string) => {
    if (
      code === ChainErrorCode.UNKNOWN_PARENT ||
      code === ChainErrorCode.PARENT_PAYLOAD_UNKNOWN ||
      code === ChainErrorCode.UNKNOWN_BLOCK
    ) {
      void parents.request(peer);
    }
  };
  gossip("beacon_block", (b) => node.importBlock(b), catchUp);
  gossip("execution_payload", (e) => node.importEnvelope(e), catchUp);
  gossip("beacon_attestation", (a) => node.importAttestation(a));
  gossip("payload_attestation_message", (m) => node.importPayloadAttestationMessage(m));
  gossip("execution_payload_commitment", (c) => node.importCommitment(c));
  gossip("ticket_purchase", (p) => node.importPurchase(p));
  gossip("ticket_transfer", (t) => node.importTransfer(t));

  node.publisher = (topic, value) => {
    network.publish(topic as GossipTopicName, value as never).catch(() => {
      // no peer on the topic yet: nothing to send to
    });
  };
  network.on("peer:banned", (peer, reason) => log.warn({ peer: peer.toString(), reason }, "peer banned"));
  network.on("peer:status", (peer, status) => {
    sync.notePeerHead(status.head_slot);
    if (status.head_slot > chain.forkChoice.getHead().slot) sync.requestSync(peer.toString());
  });
  node.isSyncing = () => sync.isSyncing();
  node.syncProgress = () => sync.progress();
  await network.start();
  log.info({ peerId: network.peerId.toString(), addresses: network.multiaddrs }, "p2p listening");
  return network;
}
