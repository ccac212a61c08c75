import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { BeaconNode } from "@turnstile/node";
import {
  type CachedBeaconState,
  type ChainContext,
  createChainContext,
  interopSecretKey,
  minimalChainConfig,
  type SignedBeaconBlock,
  type SingleAttestation,
  toHex,
} from "@turnstile/ticket-state";
import pino from "pino";
import { runNode } from "../../src/cli/runNode.ts";
import { type SigningGuard, SlashingProtectionGuard } from "../../src/validator/signingGuard.ts";
import { SlashingProtectionDb } from "../../src/validator/slashingProtectionDb.ts";
import { SlashingProtectionErrorCode as Code } from "../../src/validator/slashingProtectionErrors.ts";
import { capturingLogger, genesisState, tempDirs, VALIDATORS } from "./helpers.ts";

const tempDir = tempDirs("slashing-restart-");

/**
 * A node running all validators' duties behind a slashing-protection database at `dir`, its
 * clock moved by the test. Records what its duties release (blocks and attestations, by slot).
 */
async function guardedNode(ctx: ChainContext, anchor: CachedBeaconState, dir: string, override?: SigningGuard) {
  const db = await SlashingProtectionDb.open(dir, anchor.state.genesis_validators_root);
  const logger = capturingLogger();
  const guard = new SlashingProtectionGuard(db, logger.log);
  let time = 0;
  const node = new BeaconNode({
    ctx,
    anchor,
    validatorKeys: new Map(Array.from({ length: VALIDATORS }, (_, i) => [i, interopSecretKey(i)] as const)),
    buyerKeys: new Map(),
    buyerCount: 0,
    now: () => time,
    signingGuard: override ?? guard,
  });
  const blocks = new Map<number, string>();
  const attestations: SingleAttestation[] = [];
  node.publisher = (topic, value) => {
    if (topic === "beacon_block") {
      const block = (value as SignedBeaconBlock).message;
      blocks.set(block.slot, toHex(ctx.ssz.BeaconBlock.hashTreeRoot(block)));
    }
    if (topic === "beacon_attestation") attestations.push(value as SingleAttestation);
  };
  const seconds = ctx.config.SECONDS_PER_SLOT;
  const setSlot = (slot: number) => {
    time = slot * seconds;
  };
  const run = async (from: number, to: number) => {
    for (let slot = from; slot <= to; slot++) {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        node.onInterval(slot, interval);
        // Duties release what they signed once the database has it
        await guard.settled();
        await nextMacrotask();
      }
    }
  };
  const stop = async () => {
    node.stop();
    await db.close();
  };
  return { node, run, setSlot, stop, blocks, attestations, logger };
}

const attestedIn = (attestations: SingleAttestation[], from: number, to: number) =>
  attestations.filter((a) => a.data.slot >= from && a.data.slot <= to);

describe("a restarted node with another view of the chain", () => {
  const ctx = createChainContext(minimalChainConfig);
  const RUN_TO = 12;
  /** What the restarted node is given of the first run's chain: up to here, then it goes its own way. */
  const SEEN_UP_TO = 8;
  const RESUME = 10;

  /** Run slots 1..RUN_TO, stop; restart on the same or a new database, knowing the chain only up to SEEN_UP_TO. */
  async function restartScenario(sameDatabase: boolean) {
    const dir = tempDir();
    const first = await guardedNode(ctx, genesisState(ctx), dir);
    await first.run(1, RUN_TO);
    const seen: { block: SignedBeaconBlock; envelope: unknown }[] = [];
    for (let slot = 1; slot <= SEEN_UP_TO; slot++) {
      const entry = first.node.chain.getEntry(first.blocks.get(slot)!)!;
      seen.push({ block: entry.block, envelope: entry.envelope });
    }
    await first.stop();

    const second = await guardedNode(ctx, genesisState(ctx), sameDatabase ? dir : tempDir());
    second.setSlot(RESUME - 1);
    for (const { block, envelope } of seen) {
      assert.ok(second.node.importBlock(block));
      if (envelope) assert.ok(second.node.importEnvelope(envelope as never));
    }
    await second.run(RESUME, RUN_TO + 1);
    await second.stop();
    return { first, second };
  }

  it("refuses every block and vote that conflicts with what it signed before the restart", async () => {
    const { first, second } = await restartScenario(true);
    for (let slot = 1; slot <= RUN_TO; slot++) assert.ok(first.blocks.has(slot), `first run proposed at ${slot}`);
    assert.ok(attestedIn(first.attestations, RESUME, RUN_TO).length > 0);

    for (let slot = RESUME; slot <= RUN_TO; slot++) {
      assert.ok(!second.blocks.has(slot), `no second block at slot ${slot}`);
    }
    assert.deepEqual(attestedIn(second.attestations, RESUME, RUN_TO), [], "no second vote for the same targets");
    // Refusals are logged at warn with their code, and the node goes on: a new slot is signed
    const codes = second.logger.lines.map((l) => l.code);
    assert.equal(codes.filter((c) => c === Code.DOUBLE_BLOCK_PROPOSAL).length, RUN_TO - RESUME + 1);
    assert.equal(
      codes.filter((c) => c === Code.DOUBLE_VOTE).length,
      attestedIn(first.attestations, RESUME, RUN_TO).length,
    );
    assert.ok(second.logger.lines.every((l) => l.level === pino.levels.values.warn));
    assert.ok(second.blocks.has(RUN_TO + 1), "a slot not signed before is proposed");
    assert.ok(attestedIn(second.attestations, RUN_TO + 1, RUN_TO + 1).length > 0);
    // Logs name validators by index and pubkey, never by secret key
    const text = second.logger.raw.join("");
    for (let i = 0; i < VALIDATORS; i++) assert.ok(!text.includes(toHex(interopSecretKey(i).toBytes()).slice(2)));
  });

  it("without its records (a new database) the same restart would sign conflicting blocks and votes", async () => {
    const { first, second } = await restartScenario(false);
    for (let slot = RESUME; slot <= RUN_TO; slot++) {
      assert.ok(second.blocks.has(slot), `second block at slot ${slot}`);
      assert.notEqual(second.blocks.get(slot), first.blocks.get(slot), "a different block: a proposer slashing");
    }
    const before = new Map(attestedIn(first.attestations, RESUME, RUN_TO).map((a) => [a.attester_index, a]));
    const doubleVotes = attestedIn(second.attestations, RESUME, RUN_TO).filter((a) => {
      const earlier = before.get(a.attester_index);
      return (
        earlier !== undefined &&
        earlier.data.target.epoch === a.data.target.epoch &&
        !ctx.ssz.AttestationData.equals(earlier.data, a.data)
      );
    });
    assert.ok(doubleVotes.length > 0, "double votes: attester slashings");
    assert.deepEqual(second.logger.lines, []);
  });
});

describe("the validator client and its signing guard", () => {
  it("releases a block or vote only after the guard has answered yes", async () => {
    const ctx = createChainContext(minimalChainConfig);
    const answers: ((allowed: boolean) => void)[] = [];
    const holding: SigningGuard = {
      mayProposeBlock: () => new Promise((resolve) => answers.push(resolve)),
      mayAttest: (votes) => new Promise((resolve) => answers.push((ok) => resolve(votes.map(() => ok)))),
    };
    const node = await guardedNode(ctx, genesisState(ctx), tempDir(), holding);
    await node.run(1, 1);
    assert.equal(answers.length, 2, "asked for the block and the slot's votes");
    assert.equal(node.blocks.size, 0);
    assert.equal(node.attestations.length, 0);
    answers[1](true);
    answers[0](false);
    await nextMacrotask();
    assert.equal(node.blocks.size, 0, "a refused block never leaves");
    assert.ok(node.attestations.length > 0, "allowed votes leave once allowed");
    await node.stop();
  });
});

describe("runNode and the slashing-protection database", () => {
  it("refuses to start on a database of another chain", async () => {
    const ctx = createChainContext(minimalChainConfig);
    const dataDir = tempDir();
    const spDir = join(dataDir, "slashing-protection");
    await (await SlashingProtectionDb.open(spDir, new Uint8Array(32).fill(0xee))).close();
    const { log } = capturingLogger();
    await assert.rejects(
      runNode({
        ctx,
        dataDir: join(dataDir, "db"),
        slashingProtectionDir: spDir,
        makeGenesis: genesisState,
        withholdRate: 0,
        apiHost: "127.0.0.1",
        apiPort: 0,
        log,
      }),
      { code: Code.GENESIS_VALIDATORS_ROOT_MISMATCH },
    );
  });
});
