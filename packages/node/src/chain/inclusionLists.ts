import { type Head, PayloadStatus } from "@turnstile/fork-choice";
import type { GossipAction } from "@turnstile/p2p";
import {
  type CachedBeaconState,
  type ChainContext,
  computeEpochAtSlot,
  type ExecutionEngine,
  type ExecutionPayload,
  processSlotsCopy,
  type SignedInclusionList,
  TicketStateError,
  toHex,
  validateInclusionList,
} from "@turnstile/ticket-state";
import type { Chain } from "./chain.ts";
import { INTERVALS_PER_SLOT } from "./clock.ts";

/** The interval of slot N - 1 at which the inclusion lists binding slot N's payload are frozen (the holder commits then). */
export const INCLUSION_LIST_FREEZE_INTERVAL = 3;

export const InclusionListPoolErrorCode = {
  /** Not for the current or the next slot. */
  OUT_OF_WINDOW: "INCLUSION_LIST_OUT_OF_WINDOW",
  /**
   * The head is more than an epoch behind the list's slot (the node is syncing): judging the list
   * would replay every missed epoch transition per message, on input a peer chooses.
   */
  HEAD_BEHIND: "INCLUSION_LIST_HEAD_BEHIND",
  /** The same list again. */
  ALREADY_KNOWN: "INCLUSION_LIST_ALREADY_KNOWN",
  /** A second, different list by the same proposer for the same slot: the slot's lists are void. */
  EQUIVOCATION: "INCLUSION_LIST_EQUIVOCATION",
} as const;
export type InclusionListPoolErrorCode = (typeof InclusionListPoolErrorCode)[keyof typeof InclusionListPoolErrorCode];

/** Gossip refusals that say "not useful" rather than "invalid": IGNORE, no score penalty. */
export class InclusionListPoolError extends TicketStateError<InclusionListPoolErrorCode> {
  readonly action: GossipAction = "IGNORE";
}

interface SlotLists {
  /** The first valid list seen, with when it arrived (seconds). */
  first: { root: string; proposerIndex: number; transactions: Uint8Array[]; receivedAt: number };
  equivocated: boolean;
}

/** What the node saw of a slot's inclusion lists (REST `/eth/v1/tickets/inclusion_lists/{slot}`). */
export interface SeenInclusionList {
  slot: number;
  /** hash_tree_root of the first valid list seen. */
  root: string;
  proposerIndex: number;
  transactions: Uint8Array[];
  /** When it arrived (seconds since the epoch). */
  receivedAt: number;
  /** Its proposer signed a second, different list: the slot's lists are void. */
  equivocated: boolean;
  /** It binds the slot's payload: it arrived before the freeze and was not equivocated. */
  binding: boolean;
}

/**
 * The inclusion lists this node has seen (fork-choice.md, inclusion lists): one per slot, signed by
 * the slot's beacon proposer. A list binds the slot's payload only if it arrived before the freeze
 * (interval 3 of the previous slot, when the ticket holder commits) and its proposer did not sign
 * another one for the slot. PTC members vote a payload present only if it satisfies the binding list.
 */
export class InclusionListPool {
  private readonly chain: Chain;
  private readonly ctx: ChainContext;
  private readonly now: () => number;
  private readonly bySlot = new Map<number, SlotLists>();
  /** The head advanced to a list's slot, kept for the next list of that slot on the same head. */
  private advanced: { from: CachedBeaconState; slot: number; state: CachedBeaconState } | null = null;

  constructor(chain: Chain, now: () => number) {
    this.chain = chain;
    this.ctx = chain.ctx;
    this.now = now;
  }

  private slotStart(slot: number): number {
    return this.chain.head().state.state.genesis_time + slot * this.ctx.config.SECONDS_PER_SLOT;
  }

  /** When lists binding `slot` stop being taken into account. */
  freezeTime(slot: number): number {
    const seconds = this.ctx.config.SECONDS_PER_SLOT;
    return this.slotStart(slot - 1) + (seconds * INCLUSION_LIST_FREEZE_INTERVAL) / INTERVALS_PER_SLOT;
  }

  /**
   * Gossip `inclusion_list`: [IGNORE] not for the current or next slot, already seen, or a second
   * list of the slot's proposer (recorded: the slot's lists become void); [REJECT] fails
   * `validate_inclusion_list` on the head advanced to the list's slot (wrong proposer, size, signature).
   */
  import(signed: SignedInclusionList, verifySignature = true): void {
    const list = signed.message;
    const now = this.now();
    const currentSlot = Math.floor((now - this.slotStart(0)) / this.ctx.config.SECONDS_PER_SLOT);
    if (list.slot < currentSlot || list.slot > currentSlot + 1) {
      throw new InclusionListPoolError(InclusionListPoolErrorCode.OUT_OF_WINDOW, "inclusion list out of window", {
        slot: list.slot,
        currentSlot,
      });
    }
    const root = toHex(this.ctx.ssz.InclusionList.hashTreeRoot(list));
    const known = this.bySlot.get(list.slot);
    if (known?.first.root === root) {
      throw new InclusionListPoolError(InclusionListPoolErrorCode.ALREADY_KNOWN, "inclusion list already seen", {
        slot: list.slot,
      });
    }
    const atSlot = this.headAt(list.slot);
    // The head may be at the list's slot already (its block arrived): the proposer is the same
    if (atSlot.state.slot !== list.slot || computeEpochAtSlot(this.ctx, list.slot) !== atSlot.epochCtx.epoch) {
      throw new InclusionListPoolError(InclusionListPoolErrorCode.OUT_OF_WINDOW, "head is past the list's slot", {
        slot: list.slot,
        headSlot: atSlot.state.slot,
      });
    }
    validateInclusionList(atSlot, signed, verifySignature);
    if (known) {
      known.equivocated = true;
      throw new InclusionListPoolError(InclusionListPoolErrorCode.EQUIVOCATION, "proposer signed two inclusion lists", {
        slot: list.slot,
        proposerIndex: list.proposer_index,
      });
    }
    this.bySlot.set(list.slot, {
      first: { root, proposerIndex: list.proposer_index, transactions: list.transactions, receivedAt: now },
      equivocated: false,
    });
  }

  /**
   * The head state advanced to `slot` (the list's proposer is read there): [IGNORE] when that takes
   * more than one epoch transition. Kept per (head, slot), so a burst of lists for a slot advances
   * the head once.
   */
  private headAt(slot: number): CachedBeaconState {
    const head = this.chain.head();
    if (head.state.state.slot >= slot) return head.state;
    if (computeEpochAtSlot(this.ctx, slot) > head.state.epochCtx.epoch + 1) {
      throw new InclusionListPoolError(
        InclusionListPoolErrorCode.HEAD_BEHIND,
        "head is epochs behind the list's slot",
        {
          slot,
          headSlot: head.state.state.slot,
        },
      );
    }
    const cached = this.advanced;
    // The head's state object (not its root): a block's FULL and EMPTY variants are different states
    if (cached && cached.from === head.state && cached.slot === slot) return cached.state;
    const state = processSlotsCopy(head.state, slot);
    this.advanced = { from: head.state, slot, state };
    return state;
  }

  /** The list seen for `slot` (kept a few slots after it), or undefined. */
  seen(slot: number): SeenInclusionList | undefined {
    const lists = this.bySlot.get(slot);
    if (!lists) return undefined;
    const { first, equivocated } = lists;
    return {
      slot,
      ...first,
      equivocated,
      binding: !equivocated && first.receivedAt <= this.freezeTime(slot),
    };
  }

  /** The transactions binding the payload of `slot`, or [] when no list binds it. */
  transactionsFor(slot: number): Uint8Array[] {
    const lists = this.bySlot.get(slot);
    if (!lists || lists.equivocated || lists.first.receivedAt > this.freezeTime(slot)) return [];
    return lists.first.transactions;
  }

  /** Whether `payload` (of `slot`) satisfies the slot's binding list, by `engine`'s execution. */
  isSatisfied(slot: number, payload: ExecutionPayload, engine: ExecutionEngine): boolean {
    const transactions = this.transactionsFor(slot);
    if (transactions.length === 0 || engine.isInclusionListSatisfied === undefined) return true;
    return engine.isInclusionListSatisfied(payload, transactions);
  }

  /**
   * The head our duties build on and vote for (fork-choice.md, inclusion lists): fork choice's head,
   * except that the FULL variant of a block whose payload does not satisfy its slot's binding list
   * is replaced by its EMPTY variant. A proposer then orphans the censoring payload, a holder commits
   * on the EMPTY variant, and attesters vote its payload absent.
   */
  headForDuties(): Head & { state: CachedBeaconState } {
    const head = this.chain.head();
    if (head.payloadStatus !== PayloadStatus.FULL) return head;
    const payload = this.chain.getEntry(head.root)?.envelope?.message.payload;
    if (payload === undefined || this.isSatisfied(head.slot, payload, this.chain.engine)) return head;
    return { ...head, payloadStatus: PayloadStatus.EMPTY, state: this.chain.stateFor(head.root, PayloadStatus.EMPTY) };
  }

  /** Lists are kept a few slots after theirs, for the outcome count (see BeaconNode). */
  prune(currentSlot: number): void {
    for (const slot of this.bySlot.keys()) if (slot < currentSlot - 4) this.bySlot.delete(slot);
  }
}
