import {
  createNetwork,
  type GossipMessageTypes,
  type GossipTopicName,
  type Network,
  type NetworkOptions,
} from "@turnstile/p2p";
import { computeForkDigest, fromHex } from "@turnstile/ticket-state";
import { ChainErrorCode, UNEXPECTED_ERROR_CODE } from "../chain/errors.ts";
import type { BeaconDb } from "../db/beaconDb.ts";
import type { Logger } from "../logger.ts";
import type { NodeMetrics } from "../metrics/metrics.ts";
import type { BeaconNode } from "../node/beaconNode.ts";
import { BlockHistory } from "./blockHistory.ts";
import { ParentFetcher } from "./parentFetcher.ts";
import { RangeSync } from "./rangeSync.ts";
import { gossipValidator, peerPenaltyOf, type VerdictListener } from "./verdict.ts";

/** What gossipsub's publish throws when no peer subscribes to the topic (not a failure worth a log line). */
const NO_PEERS_ON_TOPIC = "NoPeersSubscribedToTopic";

export interface NodeNetworkOptions {
  /** Where blocks below finality are served from (the chain in memory holds only the rest). */
  db?: BeaconDb;
  listenAddresses: string[];
  bootnodes: string[];
  privateKey?: NetworkOptions["privateKey"];
  targetPeers?: number;
  /** Gossip verdicts and publish failures are counted here. */
  metrics?: NodeMetrics;
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

  const { metrics } = opts;
  const onIgnore = new Map<string, (peer: string, code: string) => void>();
  // Every verdict is counted; refusals are logged at debug (a flood must not flood the log at info)
  const onVerdict: VerdictListener = (topic, verdict, error, peer) => {
    metrics?.gossipVerdicts.inc({ topic, action: verdict.action, code: verdict.code });
    if (error === null) return;
    if (verdict.code === UNEXPECTED_ERROR_CODE) {
      metrics?.gossipUnexpectedErrors.inc({ topic });
      log.debug({ topic, peer, err: (error as Error)?.stack ?? String(error) }, "gossip message made us throw: REJECT");
    } else {
      log.debug({ topic, peer, action: verdict.action, code: verdict.code }, "gossip message refused");
    }
    if (verdict.action === "IGNORE") onIgnore.get(topic)?.(peer, verdict.code);
    const penalty = peerPenaltyOf(error, ctx.preset.SLOTS_PER_EPOCH);
    if (penalty !== null) network.reportPeer(peer, penalty, `gossip_${verdict.code}`);
  };
  const gossip = <K extends GossipTopicName>(
    name: K,
    importIt: (value: GossipMessageTypes[K]) => unknown,
    ignored?: (peer: string, code: string) => void,
  ) => {
    if (ignored) onIgnore.set(name, ignored);
    network.subscribe(name, gossipValidator(name, importIt, onVerdict), () => {
      // everything happens in the validator: nothing is forwarded before it is imported
    });
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
  gossip("beacon_block", (b) => node.importGossipBlock(b), catchUp);
  gossip("execution_payload", (e) => node.importGossipEnvelope(e), catchUp);
  gossip("beacon_attestation", (a) => node.importAttestation(a));
  gossip("payload_attestation_message", (m) => node.importPayloadAttestationMessage(m));
  gossip("execution_payload_commitment", (c) => node.importCommitment(c));
  gossip("ticket_purchase", (p) => node.importPurchase(p));
  gossip("ticket_transfer", (t) => node.importTransfer(t));
  gossip("voluntary_exit", (e) => node.importVoluntaryExit(e));
  gossip("proposer_slashing", (s) => node.importProposerSlashing(s));
  gossip("attester_slashing", (s) => node.importAttesterSlashing(s));
  gossip("inclusion_list", (l) => node.importInclusionList(l));
  gossip("ticket_bid", (b) => node.importTicketBid(b));
  gossip("ticket_sell_back", (s) => node.importTicketSellBack(s));
  gossip("ticket_offer", (o) => node.importTicketOffer(o));
  gossip("ticket_fill", (f) => node.importTicketFill(f));
  gossip("holder_slashing", (s) => node.importHolderSlashing(s));
  gossip("transaction", (tx) => node.importTransaction(tx));

  node.publisher = (topic, value) => {
    network.publish(topic as GossipTopicName, value as never).catch((e: unknown) => {
      // No peer on the topic yet (a lone node, or one just started): nothing to send to, counted only
      if (String((e as Error)?.message).includes(NO_PEERS_ON_TOPIC)) {
        metrics?.publishFailures.inc({ topic, reason: "no_peers" });
        return;
      }
      metrics?.publishFailures.inc({ topic, reason: "error" });
      log.debug({ topic, err: (e as Error)?.message ?? String(e) }, "publish failed");
    });
  };
  network.on("peer:banned", (peer, reason) => log.warn({ peer: peer.toString(), reason }, "peer banned"));
  // Errors p2p caught rather than let escape (a validator's untyped throw REJECTs its sender's message)
  network.on("gossip:fault", ({ kind, topic, peer, error }) =>
    log.warn({ kind, topic, peer: peer?.toString(), err: (error as Error)?.message ?? String(error) }, "gossip error"),
  );
  network.on("peer:disconnected", (peer) => sync.forgetPeer(peer.toString()));
  network.on("peer:status", (peer, status) => {
    sync.notePeerHead(peer.toString(), status.head_slot);
    if (status.head_slot > chain.forkChoice.getHead().slot) sync.requestSync(peer.toString());
  });
  node.isSyncing = () => sync.isSyncing();
  node.syncProgress = () => sync.progress();
  await network.start();
  log.info({ peerId: network.peerId.toString(), addresses: network.multiaddrs }, "p2p listening");
  return network;
}
