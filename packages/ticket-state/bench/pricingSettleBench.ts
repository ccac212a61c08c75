/**
 * Slots to settle after a demand step, per pool-steering price rule, on the deterministic demand
 * model of the unit tests (10 buyers valued 0.5..1.4 × INITIAL_TICKET_PRICE, demand doubling at
 * slot 100, one ticket drawn per slot; settled = pool within ±1 of the target and price in the
 * one-buyer band to the horizon). Minimal-preset defaults. A model figure, not a timing.
 * Alone: `node --conditions=source bench/pricingSettleBench.ts`.
 */
import { minimalChainConfig } from "@turnstile/ticket-state";
import { type PoolRule, runDemandModel, tieredDemand } from "../test/utils/pricingDemandModel.ts";
import { reportValue } from "./report.ts";

export function benchPricingSettle(): void {
  const model = tieredDemand(minimalChainConfig.INITIAL_TICKET_PRICE);
  const rules: PoolRule[] = ["pool_target", "pi_pool_target"];
  for (const rule of rules) {
    const run = runDemandModel({ ...minimalChainConfig, TICKET_PRICING: rule }, rule, model);
    const never = run.slotsToSettle >= model.horizon - model.stepSlot;
    reportValue(
      `pricing settle after demand step (${rule})`,
      run.slotsToSettle,
      "slots",
      `${run.poolErrorSignChanges} sign changes of pool - target${never ? "; never settled within the horizon" : ""}`,
    );
  }
}

if (import.meta.main) benchPricingSettle();
