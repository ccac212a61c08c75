/**
 * Chains the generators read from. The "market chain" runs a dozen slots on interop keys in
 * which tickets are bought, transferred, drawn, committed and revealed, one slot is missed, one
 * payload withheld and one commitment withheld; every state along it is kept.
 */
import {
  CachedBeaconState,
  type ChainConfig,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
} from "@turnstile/ticket-state";
import type { DevChain, SlotPlan } from "@turnstile/ticket-state/dev";
import type { PresetName } from "../lib/paths.ts";
import { newChain } from "./common.ts";

export interface SlotRecord {
  slot: number;
  plan: SlotPlan;
  /** The chain's head before the slot (post-envelope of the previous block, when revealed). */
  preHead: CachedBeaconState;
  block: SignedBeaconBlock | null;
  envelope: SignedExecutionPayloadEnvelope | null;
  /** State after the block, before its envelope. */
  postBlock: CachedBeaconState | null;
  /** The head after the slot. */
  head: CachedBeaconState;
}

export interface RecordedChain {
  chain: DevChain;
  genesis: CachedBeaconState;
  records: SlotRecord[];
}

/** What happens in slot `slot` of a chain: a plan, possibly signed against the head. */
export type PlanFor = (chain: DevChain, slot: number) => SlotPlan;

export function recordChain(chain: DevChain, slots: number, planFor: PlanFor): RecordedChain {
  const genesis = chain.head.clone();
  const records: SlotRecord[] = [];
  for (let i = 0; i < slots; i++) {
    const slot = chain.slot + 1;
    const plan = planFor(chain, slot);
    const preHead = chain.head.clone();
    const result = chain.advance(plan);
    const postBlock = result.block === null ? null : stateTransition(preHead, result.block);
    records.push({
      slot,
      plan,
      preHead,
      block: result.block,
      envelope: result.envelope,
      postBlock,
      head: chain.head.clone(),
    });
  }
  return { chain, genesis, records };
}

/** The market chain's plan: purchases, a transfer, a missed slot, a withheld payload and commitment. */
export function marketPlan(chain: DevChain, slot: number): SlotPlan {
  const price = chain.head.state.ticket_price;
  switch (slot) {
    case 3:
      return { purchases: [chain.signPurchase(0, 2, 2 * price)] };
    case 5: {
      // hand the first pooled ticket to the next account
      const ticket = chain.head.state.ticket_pool.getReadonly(0);
      return { transfers: [chain.signTransfer(ticket.ticket_id, ticket.owner, (ticket.owner + 1) % 4)] };
    }
    case 6:
      return { skipBlock: true };
    case 8:
      return { withholdPayload: true };
    case 9:
      return { withholdCommitment: true };
    case 11:
      return { purchases: [chain.signPurchase(1, 4, price), chain.signPurchase(2, 1, price + 1)] };
    default:
      return {};
  }
}

const memo = new Map<string, RecordedChain>();

/** A recorded chain built once per run under `key` (callers must not advance it). */
export function memoChain(key: string, build: () => RecordedChain): RecordedChain {
  let recorded = memo.get(key);
  if (recorded === undefined) {
    recorded = build();
    memo.set(key, recorded);
  }
  return recorded;
}

/** The market chain of a preset: 12 slots (4 on mainnet) of `marketPlan`. */
export function marketChain(preset: PresetName, overrides: Partial<ChainConfig> = {}, slots?: number): RecordedChain {
  const n = slots ?? (preset === "minimal" ? 12 : 4);
  return memoChain(`market/${preset}/${JSON.stringify(overrides)}/${n}`, () =>
    recordChain(newChain(preset, { initialTicketsPerBuyer: 3 }, overrides), n, marketPlan),
  );
}

export function recordAt(recorded: RecordedChain, slot: number): SlotRecord {
  const record = recorded.records.find((r) => r.slot === slot);
  if (record === undefined) throw new Error(`no record of slot ${slot}`);
  return record;
}

/** Every validator attests, every payload is revealed, a purchase every five slots: 4 epochs (1 on mainnet). */
export function healthyChain(preset: PresetName): RecordedChain {
  return memoChain(`healthy/${preset}`, () => {
    const chain = newChain(preset, { initialTicketsPerBuyer: 2 });
    const slots = 4 * chain.ctx.preset.SLOTS_PER_EPOCH;
    return recordChain(chain, preset === "minimal" ? slots : slots / 4, (c, slot) =>
      slot % 5 === 3 ? { purchases: [c.signPurchase(slot % 4, 2, 2 * c.head.state.ticket_price)] } : {},
    );
  });
}

/** TICKET_EXPIRY_EPOCHS = 1, 40 genesis tickets, a purchase early in epoch 1: two epochs. */
export function expiryChain(preset: PresetName): RecordedChain {
  return memoChain(`expiry/${preset}`, () => {
    const chain = newChain(preset, { initialTicketsPerBuyer: 10 }, { TICKET_EXPIRY_EPOCHS: 1 });
    const spe = chain.ctx.preset.SLOTS_PER_EPOCH;
    return recordChain(chain, 2 * spe, (c, slot) =>
      slot === spe + 2 ? { purchases: [c.signPurchase(1, 3, 2 * c.head.state.ticket_price)] } : {},
    );
  });
}

/** A change to the registry and the epochs after it: the epoch context must follow it. */
export type RegistryChange = "proposer_slashing" | "attester_slashing" | "voluntary_exit" | "ejection";

/** The registry change in slot 1 (or, for an ejection, a validator at EJECTION_BALANCE from genesis), then `epochs` epochs. */
export function registryChangeChain(preset: PresetName, change: RegistryChange, epochs: number): RecordedChain {
  return memoChain(`registry/${preset}/${change}/${epochs}`, () => {
    const chain = newChain(preset, {}, change === "voluntary_exit" ? { SHARD_COMMITTEE_PERIOD: 0 } : {});
    if (change === "ejection") {
      const state = chain.head.state;
      state.balances.set(40, chain.ctx.config.EJECTION_BALANCE);
      state.validators.get(40).effective_balance = chain.ctx.config.EJECTION_BALANCE;
      state.commit();
      chain.head = CachedBeaconState.create(chain.ctx, state);
    }
    const slots = 1 + epochs * chain.ctx.preset.SLOTS_PER_EPOCH;
    return recordChain(chain, slots, (c, slot) => {
      if (slot !== 1) return {};
      if (change === "proposer_slashing") return { proposerSlashings: [c.doubleProposal(7, 0)] };
      if (change === "attester_slashing") return { attesterSlashings: [c.doubleVote([20, 21], 0)] };
      if (change === "voluntary_exit") return { voluntaryExits: [c.signVoluntaryExit(30)] };
      return {};
    });
  });
}
