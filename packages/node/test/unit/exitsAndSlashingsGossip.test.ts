import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Network } from "@turnstile/p2p";
import {
  createChainContext,
  DOMAIN_VOLUNTARY_EXIT,
  interopSecretKey,
  minimalChainConfig,
  signObject,
  sszTypes,
} from "@turnstile/ticket-state";
import pino from "pino";
import { attachNetwork } from "../../src/network/nodeNetwork.ts";
import { steppedNode } from "./helpers.ts";

const LOOPBACK = { listenAddresses: ["/ip4/127.0.0.1/tcp/0"], bootnodes: [] };
const silent = pino({ level: "silent" });

const networks: Network[] = [];
after(async () => {
  await Promise.all(networks.map((n) => n.stop()));
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("exits over gossip", () => {
  it("an exit submitted to one node reaches the other's pool over the voluntary_exit topic", async () => {
    // Validators may exit from genesis on; both nodes build the same chain (same keys, same seed)
    const ctx = createChainContext({ ...minimalChainConfig, SHARD_COMMITTEE_PERIOD: 0 });
    const a = steppedNode({ ctx });
    const b = steppedNode({ ctx });
    a.run(1, 3);
    b.run(1, 3);
    assert.equal(a.node.chain.head().root, b.node.chain.head().root);
    const netA = await attachNetwork(a.node, LOOPBACK, silent);
    networks.push(netA);
    const netB = await attachNetwork(b.node, LOOPBACK, silent);
    networks.push(netB);
    await netB.connect(netA.multiaddrs[0]);
    // The topic's mesh forms at gossipsub's heartbeat
    await waitFor(() => netA.getTopicPeers("voluntary_exit").length > 0, "a peer on the topic");

    const state = a.node.chain.head().state;
    const message = { epoch: 0, validator_index: 9 };
    const signature = signObject(state, interopSecretKey(9), sszTypes.VoluntaryExit, message, DOMAIN_VOLUNTARY_EXIT, 0);
    a.node.exitsAndSlashings.submitVoluntaryExit({ message, signature });
    await waitFor(() => b.node.pools.voluntaryExits.getAll().length === 1, "the exit in the peer's pool");
    assert.equal(b.node.pools.voluntaryExits.getAll()[0].message.validator_index, 9);
  });
});
