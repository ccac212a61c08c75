import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AMM_ADDRESS,
  DEFAULT_DEV_ACCOUNTS,
  devAccounts,
  devGenesis,
  devnetReferencePrice,
  type EmbeddedExecution,
  ExecutionErrorCode,
  startEmbeddedExecution,
  TrafficGenerator,
} from "../../src/index.ts";

const SECRET = new Uint8Array(32).fill(9);
const SENT = 40;

/** A seeded PRNG for the generator's choices. */
function lcg(seed: number): () => number {
  let r = seed;
  return () => {
    r = (r * 1103515245 + 12345) % 2 ** 31;
    return r / 2 ** 31;
  };
}

describe("the traffic generator", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-traffic-"));
  const nodes: EmbeddedExecution[] = [];
  before(async () => {
    for (const name of ["a", "b"]) {
      nodes.push(
        await startEmbeddedExecution({
          path: join(dir, name),
          genesis: devGenesis(),
          genesisTime: 0,
          jwtSecret: SECRET,
          enginePort: 0,
          ethPort: 0,
        }),
      );
    }
  });
  after(async () => {
    for (const n of nodes) await n.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends signed swaps and transfers to the endpoints in turn, each sender's nonces in order", async () => {
    const traffic = new TrafficGenerator({
      rpcUrls: nodes.map((n) => n.eth!.url),
      accounts: devAccounts(DEFAULT_DEV_ACCOUNTS),
      chainId: devGenesis().chainId,
      rate: 1,
      swapShare: 0.5,
      referencePrice: devnetReferencePrice(1, 0.02, Math.floor(Date.now() / 1000), 6),
      random: lcg(5),
    });
    const hashes: string[] = [];
    for (let i = 0; i < SENT; i++) hashes.push(await traffic.sendOne());
    assert.equal(traffic.stats.sent, SENT);
    assert.equal(traffic.stats.swaps + traffic.stats.transfers, SENT);
    assert.ok(traffic.stats.swaps > 5 && traffic.stats.transfers > 5, JSON.stringify(traffic.stats));
    assert.deepEqual(traffic.stats.perEndpoint, [SENT / 2, SENT / 2]);
    // Without gossip between these two ELs each pooled its half: every transaction in exactly one
    for (const hash of hashes) assert.equal(nodes.filter((n) => n.el.mempool.has(hash)).length, 1, hash);
    // Swaps go to the AMM, transfers to dev accounts
    const toAmm = hashes.filter((h) => nodes.some((n) => n.el.mempool.get(h)?.to?.toString() === AMM_ADDRESS));
    assert.equal(toAmm.length, traffic.stats.swaps);
  });

  it("refuses to start without endpoints, accounts or a positive rate", () => {
    const base = {
      rpcUrls: ["http://127.0.0.1:1"],
      accounts: devAccounts(1),
      chainId: 1,
      rate: 1,
      swapShare: 0.5,
      referencePrice: devnetReferencePrice(1, 0.02, 0, 6),
    };
    for (const bad of [{ rpcUrls: [] }, { accounts: [] }, { rate: 0 }]) {
      assert.throws(
        () => new TrafficGenerator({ ...base, ...bad }),
        (e: unknown) => (e as { code: string }).code === ExecutionErrorCode.TX_INVALID,
      );
    }
  });
});
