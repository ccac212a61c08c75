import type { Network } from "@turnstile/p2p";
import { fromHex } from "@turnstile/ticket-state";
import type { Logger } from "../logger.ts";
import type { BeaconNode } from "../node/beaconNode.ts";
import { PeerQueue } from "./peerQueue.ts";

/** Ancestors fetched by root, a round per generation, before a gap counts as "far behind". */
export const MAX_PARENT_ROUNDS = 4;
/** Roots asked for per request. */
const MAX_ROOTS_PER_REQUEST = 16;

/** A refused import was reported by the node ("rejected"); the other objects of the response still count. */
function importQuietly(importIt: () => unknown): void {
  try {
    importIt();
  } catch {
    // see above
  }
}

/** The requests this needs of the network (the whole Network in a node, a fake in unit tests). */
export type RootRequests = Pick<Network["request"], "blocksByRoot" | "envelopesByRoot">;

/**
 * Fills the gaps of the node's pending queue: asks the peer that sent an orphan for the missing
 * parent blocks and payloads by root, a generation per round, and imports them (which releases
 * the queued children). A gap deeper than a few rounds is left to range sync (`onFarBehind`).
 */
export class ParentFetcher {
  private readonly node: BeaconNode;
  private readonly requests: RootRequests;
  private readonly onFarBehind: (peer: string) => void;
  private readonly log: Logger;
  private readonly queue = new PeerQueue((peer) => this.fetchFrom(peer), {
    onError: (peer, e) => this.log.error({ peer, err: (e as Error).message }, "parent fetch failed"),
  });

  constructor(node: BeaconNode, requests: RootRequests, onFarBehind: (peer: string) => void, log: Logger) {
    this.node = node;
    this.requests = requests;
    this.onFarBehind = onFarBehind;
    this.log = log;
  }

  /** Something from `peer` waits in the pending queue: fetch what it needs (one peer at a time). */
  request(peer: string): Promise<void> {
    return this.queue.add(peer);
  }

  private async fetchFrom(peer: string): Promise<void> {
    const { node } = this;
    for (let round = 0; round < MAX_PARENT_ROUNDS; round++) {
      const missing = node.pending.missing((root) => node.chain.hasBlock(root));
      if (missing.length === 0) return;
      // A block's payload is asked for with it: its children usually build on it
      const blockRoots = missing.filter((m) => m.kind === "block").map((m) => m.root);
      const payloadRoots = [...blockRoots, ...missing.filter((m) => m.kind === "payload").map((m) => m.root)];
      let received = 0;
      try {
        if (blockRoots.length > 0) {
          const wanted = blockRoots.slice(0, MAX_ROOTS_PER_REQUEST).map(fromHex);
          for (const block of await this.requests.blocksByRoot(peer, wanted)) {
            received++;
            importQuietly(() => node.importBlock(block));
          }
        }
        const wanted = payloadRoots.slice(0, MAX_ROOTS_PER_REQUEST).map(fromHex);
        for (const envelope of await this.requests.envelopesByRoot(peer, wanted)) {
          received++;
          importQuietly(() => node.importEnvelope(envelope));
        }
      } catch (e) {
        this.log.debug({ peer, err: (e as Error).message }, "by-root request failed");
        return;
      }
      // Released children import in microtasks: let them run before looking again
      await new Promise((resolve) => setImmediate(resolve));
      if (received === 0) break;
    }
    if (node.pending.missing((root) => node.chain.hasBlock(root)).length > 0) this.onFarBehind(peer);
  }
}
