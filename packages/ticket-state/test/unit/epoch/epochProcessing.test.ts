import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { beforeProcessEpoch, processEffectiveBalanceUpdates, toHex } from "@turnstile/ticket-state";
import { devChain, minimalContext } from "../../utils/chain.ts";
import { ETH, handMadeState, validatorBalances } from "./epochHelpers.ts";

const SLOTS_PER_EPOCH = 8;

describe("justification and finalization on a dev chain", () => {
  it("with everyone attesting, epoch e - 1 is justified and e - 2 finalized once epoch e starts (e >= 4)", () => {
    const chain = devChain();
    const blockRootAt = new Map<number, string>();
    const seen: [epoch: number, justified: number, finalized: number][] = [];
    for (let slot = 1; slot <= 6 * SLOTS_PER_EPOCH; slot++) {
      chain.advance();
      blockRootAt.set(slot, toHex(chain.headBlockRoot));
      if (slot % SLOTS_PER_EPOCH === 0) {
        const s = chain.head.state;
        seen.push([slot / SLOTS_PER_EPOCH, s.current_justified_checkpoint.epoch, s.finalized_checkpoint.epoch]);
        // a justified checkpoint names the block at its epoch's first slot
        const justified = s.current_justified_checkpoint.toValue();
        if (justified.epoch > 0) {
          assert.equal(toHex(justified.root), blockRootAt.get(justified.epoch * SLOTS_PER_EPOCH));
        }
      }
    }
    // Epochs 0 and 1 are skipped by the rule; at the end of epoch 2 epochs 1 and 2 are justified
    // (the current epoch already has 7 of 8 slots' attestations: 56/64 >= 2/3); at the end of
    // epoch 3, 2 and 3 justified with 2 as source → 2 finalized; and so on.
    assert.deepEqual(seen, [
      [1, 0, 0],
      [2, 0, 0],
      [3, 2, 0],
      [4, 3, 2],
      [5, 4, 3],
      [6, 5, 4],
    ]);
    const finalized = chain.head.state.finalized_checkpoint.toValue();
    assert.equal(toHex(finalized.root), blockRootAt.get(4 * SLOTS_PER_EPOCH));
    assert.equal(chain.head.state.previous_justified_checkpoint.epoch, 4);
    // justification bits: epochs 5, 4, 3, 2 all justified
    assert.deepEqual(chain.head.state.justification_bits.toBoolArray(), [true, true, true, true]);
  });

  it("with nobody attesting nothing is justified, and inactivity scores rise once the leak starts", () => {
    const chain = devChain();
    const scores: [epoch: number, score: number][] = [];
    for (let slot = 1; slot <= 9 * SLOTS_PER_EPOCH; slot++) {
      chain.advance({ attest: false });
      if (slot % SLOTS_PER_EPOCH === 0) {
        const all = chain.head.state.inactivity_scores.getAll();
        // every validator alike: nobody attested
        assert.ok(all.every((x) => x === all[0]));
        scores.push([slot / SLOTS_PER_EPOCH, all[0]]);
      }
    }
    assert.equal(chain.head.state.current_justified_checkpoint.epoch, 0);
    assert.equal(chain.head.state.finalized_checkpoint.epoch, 0);
    // Outside a leak a missed target adds INACTIVITY_SCORE_BIAS (4) and recovery takes
    // min(16, score) away again → 0. The leak starts when previous epoch - finalized (0) > 4:
    // at the end of epoch 6 (previous epoch 5); from then on +4 per epoch.
    assert.deepEqual(scores, [
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
      [6, 0],
      [7, 4],
      [8, 8],
      [9, 12],
    ]);
    // Meanwhile balances only fell: penalties, no rewards
    assert.ok(validatorBalances(chain.head).every((b) => b < 32 * ETH));
  });
});

describe("rewards and penalties on a dev chain", () => {
  it("validators who attested gain, those who did not lose (hand-computed Altair deltas)", () => {
    const chain = devChain();
    const proposers = new Set<number>();
    // Epoch 1: the committees of slots 8 and 9 (2 × 8 validators) do not attest; everyone else does
    const silent = new Set<number>();
    let before: number[] = [];
    for (let slot = 1; slot <= 3 * SLOTS_PER_EPOCH; slot++) {
      const attest = !(slot === 8 || slot === 9);
      const result = chain.advance({ attest });
      if (!attest) {
        // the head has entered `slot`: its epoch context knows the slot's committees
        const committees = chain.head.epochCtx.getCommitteeCountPerSlot(1);
        for (let c = 0; c < committees; c++) {
          for (const v of chain.head.epochCtx.getBeaconCommittee(slot, c)) silent.add(v);
        }
      }
      if (slot === 2 * SLOTS_PER_EPOCH) before = validatorBalances(chain.head);
      if (slot > 2 * SLOTS_PER_EPOCH && result.block) proposers.add(result.block.message.proposer_index);
    }
    assert.equal(silent.size, 16);
    // Window: slot 16 → slot 24. The only epoch processing in it (end of epoch 2) rewards epoch 1.
    // Proposers of blocks 17..24 also earn inclusion rewards: leave them out.
    const after = validatorBalances(chain.head);
    // total active = 64 × 32 = 2048 increments; base reward per increment =
    //   1e9 × 64 / isqrt(2048e9) = 64e9 / 1_431_083 = 44_721; base reward = 32 × 44_721 = 1_431_072
    // missed source and target: 1_431_072 × 14 / 64 = 313_047 and × 26 / 64 = 581_373 → −894_420
    // (inactivity score stays 0 outside a leak, so no inactivity penalty)
    // all three flags, 48 × 32 = 1536 participating increments of 2048:
    //   source 1_431_072 × 14 × 1536 / (2048 × 64) = 234_785; target × 26 → 436_029; head × 14 → 234_785
    //   → +905_599
    let checked = 0;
    for (let i = 0; i < after.length; i++) {
      if (proposers.has(i)) continue;
      const delta = after[i] - before[i];
      assert.equal(delta, silent.has(i) ? -894_420 : 905_599, `validator ${i}`);
      checked++;
    }
    assert.ok(checked >= 50);
  });
});

describe("effective balance updates (hysteresis)", () => {
  it("moves the effective balance only past the thresholds, to whole increments, capped at 32 ETH", () => {
    // Hysteresis increment = 1 ETH / 4 = 0.25 ETH; down when balance + 0.25 ETH < effective,
    // up when effective + 1.25 ETH < balance
    const cases: [effective: number, balance: number, expected: number][] = [
      [32 * ETH, 31_750_000_000, 32 * ETH], // exactly 0.25 below: stays
      [32 * ETH, 31_750_000_000 - 1, 31 * ETH], // 1 Gwei further: down to the increment below
      [31 * ETH, 32_250_000_000, 31 * ETH], // exactly 1.25 above: stays
      [31 * ETH, 32_250_000_000 + 1, 32 * ETH], // 1 Gwei further: up
      [20 * ETH, 21_250_000_000 + 1, 21 * ETH], // rounds down to a whole increment
      [20 * ETH, 23_900_000_000, 23 * ETH],
      [32 * ETH, 40 * ETH, 32 * ETH], // capped at MAX_EFFECTIVE_BALANCE
      [30 * ETH, 40 * ETH, 32 * ETH],
      [17 * ETH, 15_300_000_000, 15 * ETH],
      [17 * ETH, 0, 0],
    ];
    const cs = handMadeState(
      minimalContext(),
      15,
      cases.map(([effectiveBalance, balance]) => ({ effectiveBalance, balance })),
    );
    const cache = beforeProcessEpoch(cs);
    processEffectiveBalanceUpdates(cs, cache);
    const got = cases.map((_, i) => cs.state.validators.getReadonly(i).effective_balance);
    assert.deepEqual(
      got,
      cases.map(([, , expected]) => expected),
    );
  });

  it("on a chain, rewards below the upward threshold leave every effective balance at 32 ETH", () => {
    const chain = devChain();
    for (let slot = 1; slot <= 3 * SLOTS_PER_EPOCH; slot++) chain.advance();
    const balances = validatorBalances(chain.head);
    assert.ok(balances.some((b) => b > 32 * ETH));
    for (let i = 0; i < balances.length; i++) {
      assert.equal(chain.head.state.validators.getReadonly(i).effective_balance, 32 * ETH);
    }
  });
});
