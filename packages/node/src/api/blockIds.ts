import { type CachedBeaconState, toHex } from "@turnstile/ticket-state";
import type { BlockEntry } from "../chain/chain.ts";
import type { ApiContext } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";

const ROOT_ID = /^0x[0-9a-fA-F]{64}$/;
const SLOT_ID = /^\d+$/;

/** Resolve a block id: head | genesis | finalized | justified | <slot> | 0x<root> (among imported blocks). */
export function blockEntry(api: ApiContext, id: string): BlockEntry {
  const { chain } = api;
  const head = chain.forkChoice.getHead();
  let root: string | undefined;
  if (id === "head") root = head.root;
  else if (id === "finalized") root = chain.forkChoice.finalized.root;
  else if (id === "justified") root = chain.forkChoice.justified.root;
  else if (id === "genesis") root = chain.anchorRoot;
  else if (ROOT_ID.test(id)) root = id.toLowerCase();
  else if (SLOT_ID.test(id)) {
    const slot = Number(id);
    for (let entry = chain.getEntry(head.root); entry; entry = chain.getEntry(toHex(entry.block.message.parent_root))) {
      if (entry.block.message.slot === slot) {
        root = entry.root;
        break;
      }
      if (entry.block.message.slot < slot) break;
    }
  } else throw badRequest(`invalid block id: ${id}`);
  const entry = root === undefined ? undefined : chain.getEntry(root);
  if (!entry) throw notFound(`block not found: ${id}`);
  return entry;
}

/** Resolve a state id to the latest state of the block it names. */
export function stateOf(api: ApiContext, id: string): CachedBeaconState {
  if (id === "head") return api.chain.head().state;
  return api.chain.regen.getLatestState(blockEntry(api, id).root);
}
