import { PayloadStatus } from "@turnstile/fork-choice";
import { toHex } from "@turnstile/ticket-state";
import type { BlockEntry } from "../chain/chain.ts";
import type { Logger } from "../logger.ts";
import type { BeaconNode } from "../node/beaconNode.ts";
import type { NodeMetrics } from "./metrics.ts";
import { ticketsDrawn } from "./ticketDraws.ts";

/** Count the chain's imports, reveals, ticket draws and reorgs into the metrics. */
export function observeChain(node: BeaconNode, metrics: NodeMetrics, log: Logger): void {
  node.chain.on("block", (entry) => {
    metrics.payloads.inc({ outcome: "block" });
    metrics.ticketsDrawn.inc(blockTicketDraws(node, entry));
  });
  node.chain.on("payload", () => metrics.payloads.inc({ outcome: "revealed" }));
  node.chain.on("reorg", (reorg) => {
    metrics.onReorg(reorg);
    log.info(reorg, "reorg");
  });
}

/** Tickets the block's slots drew from the pool (its parent's slot, when pruned, taken as the slot before). */
function blockTicketDraws(node: BeaconNode, entry: BlockEntry): number {
  const parent = node.chain.getEntry(toHex(entry.block.message.parent_root));
  const post = node.chain.stateFor(entry.root, PayloadStatus.PENDING);
  return ticketsDrawn(node.chain.ctx, post.state, parent?.slot ?? entry.slot - 1);
}
