import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runSweep } from "../src/market/runner.ts";
import { parseSweep } from "../src/market/sweep.ts";
import { note, report } from "./common.ts";

const SETUP = fileURLToPath(new URL("../market/setups/published-fpa.yaml", import.meta.url));
/** Issue 12: 10 runs × 1,000 slots of the real state transition in under 2 minutes on 2 cores. */
const TARGET_SECONDS = 120;
const WORKERS = 2;

/** The market lab on the published first-price setup (signatures skipped, as the setup says). */
export async function market(): Promise<void> {
  const plan = parseSweep(readFileSync(SETUP, "utf8"));
  const slots = plan.points.reduce((n, p) => n + p.slots * p.runs, 0);
  note(`market lab: ${plan.name}, ${plan.points[0].runs} runs x ${plan.points[0].slots} slots, ${WORKERS} workers`);
  const result = await runSweep(plan, { workers: WORKERS });
  const seconds = result.wallMs / 1000;
  report("market lab 10x1000 slots, published first-price setup", seconds, "s", { max: TARGET_SECONDS });
  report("market lab slot throughput", slots / seconds, "slots/s");
}
