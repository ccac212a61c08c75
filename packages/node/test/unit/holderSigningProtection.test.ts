import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { BeaconNode } from "@turnstile/node";
import {
  type CachedBeaconState,
  type ChainContext,
  createChainContext,
  getTicketAssignment,
  interopBuyerSecretKey,
  interopSecretKey,
  isSelfBuild,
  minimalChainConfig,
  processSlotsCopy,
  type SignedBeaconBlock,
  type SignedExecutionPayloadCommitment,
  type SignedExecutionPayloadEnvelope,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import pino from "pino";
import { SlashingProtectionGuard } from "../../src/validator/signingGuard.ts";
import { SlashingProtectionDb } from "../../src/validator/slashingProtectionDb.ts";
import { SlashingProtectionErrorCode as Code } from "../../src/validator/slashingProtectionErrors.ts";
import { BUYERS, capturingLogger, genesisState, tempDirs, VALIDATORS } from "./helpers.ts";

const tempDir = tempDirs("holder-protection-");

/**
 * A node running all validators and the holder agents, its holders' commitments guarded by the
 * database at `dir` (null: no guard, as before), its clock moved by the test. Records what it
 * publishes: commitments and envelopes.
 */
async function holderNode(ctx: ChainContext, anchor: CachedBeaconState, dir: string | null) {
  const db = dir === null ? null : await SlashingProtectionDb.open(dir, anchor.state.genesis_validators_root);
  const logger = capturingLogger();
  const guard = db && new SlashingProtectionGuard(db, logger.log);
  let time = 0;
  let r = 7;
  const node = new BeaconNode({
    ctx,
    anchor,
    validatorKeys: new Map(Array.from({ length: VALIDATORS }, (_, i) => [i, interopSecretKey(i)] as const)),
    buyerKeys: new Map(Array.from({ length: BUYERS }, (_, i) => [i, interopBuyerSecretKey(i)] as const)),
    buyerCount: BUYERS,
    now: () => time,
    random: () => {
      r = (r * 1103515245 + 12345) % 2 ** 31;
      return r / 2 ** 31;
    },
    holderSigningGuard: guard ?? undefined,
  });
  const commitments: SignedExecutionPayloadCommitment[] = [];
  const envelopes: SignedExecutionPayloadEnvelope[] = [];
  node.publisher = (topic, value) => {
    if (topic === "execution_payload_commitment") commitments.push(value as SignedExecutionPayloadCommitment);
    if (topic === "execution_payload") envelopes.push(value as SignedExecutionPayloadEnvelope);
  };
  const seconds = ctx.config.SECONDS_PER_SLOT;
  const step = async (slot: number, interval: number) => {
    time = slot * seconds + (interval * seconds) / 4;
    node.onInterval(slot, interval);
    await guard?.settled();
    await nextMacrotask();
  };
  /** Move the clock to `slot` without running any duty (the node was down meanwhile). */
  const setSlot = (slot: number) => {
    time = slot * seconds;
  };
  const stop = async () => {
    node.stop();
    await db?.close();
  };
  return { node, db, step, setSlot, stop, commitments, envelopes, logger };
}

/** Is `slot` won by a holder agent's ticket, seen from the node's head? */
function holderSlot(node: BeaconNode, slot: number): boolean {
  const pre = processSlotsCopy(node.chain.head().state, slot);
  const ticket = getTicketAssignment(node.chain.ctx, pre.state, slot);
  return !isSelfBuild(ticket) && ticket.owner < BUYERS;
}

const commitmentRoot = (c: SignedExecutionPayloadCommitment) =>
  toHex(sszTypes.SignedExecutionPayloadCommitment.hashTreeRoot(c));

describe("holder signing protection across a restart", () => {
  const ctx = createChainContext(minimalChainConfig);

  /**
   * Run until a holder's ticket wins the next slot S, commit to it (3/4 of S-1), stop. Returns the
   * commitment and the chain up to S-1, which a restarted node is given.
   */
  async function commitThenKill(dir: string) {
    const first = await holderNode(ctx, genesisState(ctx), dir);
    let slot = 1;
    for (; slot < 40; slot++) {
      for (let interval = 0; interval < 3; interval++) await first.step(slot, interval);
      if (holderSlot(first.node, slot + 1)) break;
      await first.step(slot, 3);
    }
    const target = slot + 1;
    assert.ok(target < 40, "a holder's ticket won a slot");
    const before = first.commitments.length;
    await first.step(slot, 3);
    const committed = first.commitments.slice(before).filter((c) => c.message.slot === target);
    assert.equal(committed.length, 1, "the holder committed to its slot");
    const chain: { block: SignedBeaconBlock; envelope: SignedExecutionPayloadEnvelope | undefined }[] = [];
    for (let e = first.node.chain.getEntry(first.node.chain.head().root); e && e.slot > 0; ) {
      chain.unshift({ block: e.block, envelope: e.envelope ?? undefined });
      e = first.node.chain.getEntry(toHex(e.block.message.parent_root));
    }
    await first.stop();
    return { target, commitment: committed[0], chain };
  }

  /** A node restarted on `dir` (null: without its records) that knows the chain up to S-1; its engine now builds other payloads. */
  async function restart(dir: string | null, chain: Awaited<ReturnType<typeof commitThenKill>>["chain"]) {
    const second = await holderNode(ctx, genesisState(ctx), dir);
    second.setSlot(chain[chain.length - 1].block.message.slot);
    for (const { block, envelope } of chain) {
      second.node.importBlock(block);
      if (envelope) second.node.importEnvelope(envelope);
    }
    // An EL's rebuild differs (other transactions, timing): here, another gas limit
    const engine = second.node.chain.engine;
    const build = engine.buildPayload.bind(engine);
    engine.buildPayload = (args) => build({ ...args, gasLimit: args.gasLimit - 1 });
    return second;
  }

  it("re-sends the recorded commitment instead of signing another, and reveals the recorded payload", async () => {
    const dir = tempDir();
    const { target, commitment, chain } = await commitThenKill(dir);
    const second = await restart(dir, chain);
    await second.step(target - 1, 3);
    const again = second.commitments.filter((c) => c.message.slot === target);
    assert.equal(again.length, 1, "the commitment is sent again");
    assert.equal(commitmentRoot(again[0]), commitmentRoot(commitment), "the very commitment signed before the kill");
    for (let interval = 0; interval < 4; interval++) await second.step(target, interval);
    const entry = second.node.chain.getEntry(second.node.chain.head().root)!;
    assert.equal(entry.slot, target);
    assert.equal(commitmentRoot(entry.block.message.body.signed_payload_commitment), commitmentRoot(commitment));
    const revealed = second.envelopes.filter((e) => e.message.slot === target);
    assert.equal(revealed.length, 1, "the payload is revealed");
    assert.equal(toHex(revealed[0].message.payload.block_hash), toHex(commitment.message.block_hash));
    assert.ok(entry.envelope, "the slot is FULL");
    assert.deepEqual(second.logger.lines, []);
    await second.stop();
  });

  it("reveals the recorded payload when killed between commit and reveal (no commit after the restart)", async () => {
    const dir = tempDir();
    const { target, commitment, chain } = await commitThenKill(dir);
    const second = await restart(dir, chain);
    // The commitment reached the network before the kill: the proposer has it from gossip
    second.node.importCommitment(commitment);
    for (let interval = 0; interval < 4; interval++) await second.step(target, interval);
    const entry = second.node.chain.getEntry(second.node.chain.head().root)!;
    assert.equal(commitmentRoot(entry.block.message.body.signed_payload_commitment), commitmentRoot(commitment));
    const revealed = second.envelopes.filter((e) => e.message.slot === target);
    assert.equal(revealed.length, 1, "the payload committed before the kill is revealed (not withheld)");
    assert.equal(toHex(revealed[0].message.payload.block_hash), toHex(commitment.message.block_hash));
    assert.ok(entry.envelope, "the slot is FULL");
    await second.stop();
  });

  it("without its records the restarted holder would sign a second, different commitment (a holder slashing)", async () => {
    const { target, commitment, chain } = await commitThenKill(tempDir());
    const second = await restart(null, chain);
    await second.step(target - 1, 3);
    const again = second.commitments.filter((c) => c.message.slot === target);
    assert.equal(again.length, 1);
    assert.equal(again[0].message.ticket_id, commitment.message.ticket_id);
    assert.notEqual(commitmentRoot(again[0]), commitmentRoot(commitment), "two commitments for one slot and ticket");
    await second.stop();
  });
});

describe("holder commitment records", () => {
  it("a node's duties prune the records of finalized slots, a few epochs back", async () => {
    const ctx = createChainContext(minimalChainConfig);
    const node = await holderNode(ctx, genesisState(ctx), tempDir());
    const SPE = ctx.preset.SLOTS_PER_EPOCH;
    const last = 5 * SPE;
    for (let slot = 1; slot <= last; slot++)
      for (let interval = 0; interval < 4; interval++) await node.step(slot, interval);
    const finalized = node.node.chain.forkChoice.finalized.epoch * SPE;
    const floor = Math.min(finalized, last - 2 * SPE);
    assert.ok(floor > SPE, `finalized slot ${finalized}`);
    const holderPubkeys = Array.from({ length: BUYERS }, (_, i) => interopBuyerSecretKey(i).toPublicKey().toBytes());
    let kept = 0;
    let pruned = 0;
    for (const c of node.commitments) {
      // One holder's record per slot committed, whichever holder it was
      const records = await Promise.all(holderPubkeys.map((pk) => node.db!.getCommitment(pk, c.message.slot)));
      const found = records.filter((r) => r !== undefined).length;
      if (c.message.slot < floor) {
        assert.equal(found, 0, `slot ${c.message.slot} pruned`);
        pruned++;
      } else {
        assert.equal(found, 1, `slot ${c.message.slot} kept`);
        kept++;
      }
    }
    assert.ok(pruned > 0 && kept > 0, `pruned ${pruned}, kept ${kept}`);
    await node.stop();
  });

  const pubkey = interopBuyerSecretKey(0).toPublicKey().toBytes();
  const root = (b: number) => new Uint8Array(32).fill(b);

  it("the first commitment per key and slot is the only one signable; a repeat returns the record", async () => {
    const dir = tempDir();
    const db = await SlashingProtectionDb.open(dir, root(9));
    const first = await db.checkAndRecordCommitment({
      pubkey,
      slot: 5,
      signingRoot: root(1),
      data: Uint8Array.of(1, 2),
    });
    assert.deepEqual([...first.data], [1, 2]);
    const repeat = await db.checkAndRecordCommitment({ pubkey, slot: 5, signingRoot: root(1), data: Uint8Array.of(7) });
    assert.deepEqual([...repeat.data], [1, 2], "the recorded commitment, not the new data");
    await assert.rejects(
      db.checkAndRecordCommitment({ pubkey, slot: 5, signingRoot: root(2), data: Uint8Array.of(3) }),
      {
        code: Code.DOUBLE_PAYLOAD_COMMITMENT,
      },
    );
    // Another slot, another key: independent
    await db.checkAndRecordCommitment({ pubkey, slot: 6, signingRoot: root(2), data: Uint8Array.of(3) });
    const other = interopBuyerSecretKey(1).toPublicKey().toBytes();
    await db.checkAndRecordCommitment({ pubkey: other, slot: 5, signingRoot: root(2), data: Uint8Array.of(3) });
    await db.close();
  });

  it("prunes records below a slot, refuses commitments below it afterwards, across a reopen", async () => {
    const dir = tempDir();
    let db = await SlashingProtectionDb.open(dir, root(9));
    for (let slot = 1; slot <= 20; slot++) {
      await db.checkAndRecordCommitment({ pubkey, slot, signingRoot: root(slot), data: Uint8Array.of(slot) });
    }
    assert.equal(await db.pruneCommitments(16), 15);
    assert.equal(await db.getCommitment(pubkey, 15), undefined);
    assert.deepEqual([...((await db.getCommitment(pubkey, 16))?.data ?? [])], [16]);
    await db.close();
    db = await SlashingProtectionDb.open(dir, root(9));
    await assert.rejects(
      db.checkAndRecordCommitment({ pubkey, slot: 15, signingRoot: root(1), data: Uint8Array.of(1) }),
      {
        code: Code.COMMITMENT_SLOT_PRUNED,
      },
    );
    assert.equal(await db.pruneCommitments(10), 0, "the floor never goes down");
    await db.checkAndRecordCommitment({ pubkey, slot: 21, signingRoot: root(21), data: Uint8Array.of(21) });
    await db.close();
  });

  it("the guard refuses a different commitment with a typed warning that names no secret key", async () => {
    const db = await SlashingProtectionDb.open(tempDir(), root(9));
    const { log, lines, raw } = capturingLogger();
    const guard = new SlashingProtectionGuard(db, log);
    assert.ok(await guard.mayCommit(pubkey, 3, root(1), Uint8Array.of(1)));
    assert.equal(await guard.mayCommit(pubkey, 3, root(2), Uint8Array.of(2)), null);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].code, Code.DOUBLE_PAYLOAD_COMMITMENT);
    assert.equal(lines[0].level, pino.levels.values.warn);
    assert.ok(!raw.join("").includes(toHex(interopBuyerSecretKey(0).toBytes()).slice(2)));
    await db.close();
  });
});
