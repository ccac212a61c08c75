import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { GossipFault, Network } from "../../src/index.ts";
import { GossipValidationError } from "../../src/index.ts";
import { sampleMessage, sampleTag, startNetwork, stopAll, waitFor } from "../utils/network.ts";

/** Messages tagged from here on make the receiver's validator throw a plain Error (a bug it did not foresee). */
const THROWING_TAG = 1000;
/** Messages tagged from here on are IGNOREd with a typed verdict (no penalty). */
const IGNORED_TAG = 2000;

describe("a gossip validator that throws something other than a verdict", { timeout: 30_000 }, () => {
  const nets: Network[] = [];
  after(() => stopAll(nets));

  it("REJECTs the message, lowers the sender's gossip score and reports the error", async () => {
    const receiver = await startNetwork();
    nets.push(receiver);
    const faults: GossipFault[] = [];
    receiver.on("gossip:fault", (fault) => faults.push(fault));
    receiver.subscribe(
      "beacon_block",
      (msg) => {
        const tag = sampleTag("beacon_block", msg);
        if (tag >= IGNORED_TAG) throw new GossipValidationError("IGNORE", "NOT_NOW");
        if (tag >= THROWING_TAG) throw new Error("state cache miss");
        return "ACCEPT";
      },
      () => {},
    );
    const sender = await startNetwork({ bootnodes: [receiver.multiaddrs[0]] });
    nets.push(sender);
    sender.subscribe(
      "beacon_block",
      () => "ACCEPT",
      () => {},
    );
    const senderId = sender.peerId.toString();
    await waitFor(() => receiver.getMeshPeers("beacon_block").includes(senderId), 10_000, "sender in the mesh");

    // A typed IGNORE costs nothing: the score stays where it was
    await sender.publish("beacon_block", sampleMessage("beacon_block", IGNORED_TAG));
    await waitFor(() => (receiver.counters()["gossip.ignored.beacon_block"] ?? 0) >= 1, 5_000, "the IGNORE");
    assert.ok(receiver.getPeerScore(senderId).gossip >= 0, "a typed IGNORE is no penalty");
    assert.equal(faults.length, 0, "a typed IGNORE is no fault");

    await sender.publish("beacon_block", sampleMessage("beacon_block", THROWING_TAG));
    await waitFor(() => faults.length >= 1, 5_000, "the fault report");
    const c = receiver.counters();
    assert.equal(c["gossip.rejected.beacon_block"], 1);
    assert.equal(c["gossip.reject_reason.beacon_block.VALIDATOR_ERROR"], 1);
    assert.equal(c["gossip.validator_error.beacon_block"], 1);
    assert.equal(faults.length, 1);
    assert.equal(faults[0].kind, "validator");
    assert.equal(faults[0].topic, "beacon_block");
    assert.equal(faults[0].peer?.toString(), senderId);
    assert.equal((faults[0].error as Error).message, "state cache miss");
    // gossipsub's invalid-message penalty (P4) for the sender
    await waitFor(() => receiver.getPeerScore(senderId).gossip < 0, 5_000, "the sender's score to drop");
  });
});
