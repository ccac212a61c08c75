import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { runTx, type VM } from "@ethereumjs/vm";

/** What the EL found about a payload and an inclusion list (Turnstile's `engine_checkInclusionListV1`). */
export interface InclusionListVerdict {
  satisfied: boolean;
  /** Listed transactions that are not in the block, would be valid appended to it, and fit. */
  missing: string[];
}

/** A listed transaction as the EL reads it: decoded and signed for this chain, or null (excused: invalid). */
export function decodeListedTransaction(raw: Uint8Array, common: Common): TypedTransaction | null {
  try {
    const tx = createTxFromRLP(raw, { common });
    if (!tx.isSigned() || !tx.isValid() || tx.common.chainId() !== common.chainId()) return null;
    return tx;
  } catch {
    return null;
  }
}

/**
 * EIP-7805's rule on real execution: each listed transaction is in `block`, or does not fit in the
 * gas the block leaves, or fails when run on the block's post-state (appended at its end, with its
 * header as context: nonce, balance, fee against the base fee). Each is judged on its own, and its
 * effects are undone. `vm`'s state must be at the block's post-state; the caller restores it.
 */
export async function checkInclusionList(
  vm: VM,
  block: Block,
  listed: readonly Uint8Array[],
): Promise<InclusionListVerdict> {
  const included = new Set(block.transactions.map((tx) => bytesToHex(tx.serialize())));
  const remaining = block.header.gasLimit - block.header.gasUsed;
  const missing: string[] = [];
  for (const raw of listed) {
    if (included.has(bytesToHex(raw))) continue;
    const tx = decodeListedTransaction(raw, vm.common);
    if (tx === null || tx.gasLimit > remaining) continue; // excused: invalid, or no room
    await vm.stateManager.checkpoint();
    try {
      await runTx(vm, { tx, block, blockGasUsed: block.header.gasUsed });
      missing.push(bytesToHex(tx.hash()));
    } catch {
      // excused: not valid on the post-state (nonce, balance, fee)
    } finally {
      await vm.stateManager.revert();
    }
  }
  return { satisfied: missing.length === 0, missing };
}
