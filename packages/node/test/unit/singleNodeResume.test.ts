import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { steppedNode } from "./helpers.ts";

// Found by the crash-loop e2e test: `turnstile dev` restarted after more than an epoch of downtime
// never proposed again (its validators waited to catch up with a chain only they build)
describe("a node without peers after downtime", () => {
  it("goes on proposing on its own head after more than an epoch of missed slots", () => {
    const { node, run, ctx } = steppedNode();
    const { SLOTS_PER_EPOCH } = ctx.preset;
    run(1, 3);
    assert.equal(node.chain.head().slot, 3);
    // Down for two epochs: no intervals at all, then the clock goes on
    const back = 3 + 2 * SLOTS_PER_EPOCH;
    run(back, back + 2);
    assert.equal(node.chain.head().slot, back + 2);
  });
});
