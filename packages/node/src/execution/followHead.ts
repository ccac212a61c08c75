import { PayloadStatus } from "@turnstile/fork-choice";
import type { Chain } from "../chain/chain.ts";
import type { EngineApiExecutionEngine } from "./engineApiEngine.ts";

/**
 * Keep the EL's canonical chain on the beacon head: on every head change, `forkchoiceUpdated`
 * with the head's latest payload (the head block's own when FULL, else the one it builds on) and
 * the finalized checkpoint's. What users read through eth_ ("latest") follows consensus.
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
}
