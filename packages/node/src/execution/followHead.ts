import { PayloadStatus } from "@turnstile/fork-choice";
import type { Chain } from "../chain/chain.ts";
import type { EngineApiExecutionEngine } from "./engineApiEngine.ts";

/**
 * Keep the EL's canonical chain on the beacon head: on every head change, `forkchoiceUpdated`
 * with the head's latest payload (the head block's own when FULL, else the one it builds on) and
 * the finalized checkpoint's. What users read through eth_ ("latest") follows consensus.
 *
 * And the other way: a payload the EL finds INVALID after it was imported optimistically leaves
 * fork choice (with the ancestors `latestValidHash` condemns and every block built on them); the
 * head moves, and the EL is told the new head.
 */
export function followHeadInEngine(chain: Chain, engine: EngineApiExecutionEngine): void {
  chain.on("head", () => {
    const head = chain.head();
    let finalized: Uint8Array | null = null;
    try {
      finalized = chain.stateFor(chain.forkChoice.finalized.root, PayloadStatus.FULL).state.latest_block_hash;
    } catch {
      // The finalized block was pruned from memory: keep the last one sent
    }
    void engine.updateForkchoice(head.state.state.latest_block_hash, finalized);
  });
  engine.events.on("invalid", (e) => {
    const blockHash = e.data.blockHash as string;
    const latestValidHash = (e.data.latestValidHash as string | null | undefined) ?? null;
    const invalidated = chain.onInvalidPayload(blockHash, latestValidHash);
    if (invalidated === null) return;
    // The engine refuses these payloads and their children from now on
    const hashes = invalidated.payloads.map((root) => chain.forkChoice.protoArray.getBlock(root)!.committedBlockHash);
    engine.markInvalid(hashes);
  });
}
