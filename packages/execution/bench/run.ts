/**
 * Embedded EL benchmarks: for a payload of 100 ETH transfers (10 senders x 10 nonces), the time to
 * build it from the mempool (forkchoiceUpdated with attributes) and to execute it on import
 * (newPayload: header checks, every transaction, state/receipts roots). Each figure prints a JSON
 * line `{"name","value","unit"}` (value = p50 over ROUNDS payloads, each on its parent).
 *
 * Run: `npm run bench` in packages/execution (node --conditions=source bench/run.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { devAccounts, devGenesis, ExecutionLayer, PayloadStatusV1 } from "../src/index.ts";

const TRANSFERS = 100;
const SENDERS = 10;
const ROUNDS = 10;
const GENESIS_TIME = 1_700_000_000;
const SLOT_SECONDS = 6;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Number(value.toFixed(2)), unit }));

const dir = mkdtempSync(join(tmpdir(), "turnstile-el-bench-"));
const builder = await ExecutionLayer.open({
  path: join(dir, "builder"),
  genesis: devGenesis(),
  genesisTime: GENESIS_TIME,
});
const importer = await ExecutionLayer.open({
  path: join(dir, "importer"),
  genesis: devGenesis(),
  genesisTime: GENESIS_TIME,
});
const senders = devAccounts(SENDERS);
const buildMs: number[] = [];
const importMs: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < TRANSFERS; i++) {
      const sender = senders[i % SENDERS];
      const nonce = BigInt(round * (TRANSFERS / SENDERS) + Math.floor(i / SENDERS));
      const tx = createFeeMarket1559Tx(
        {
          chainId: BigInt(builder.chainId),
          nonce,
          to: `0x${(i + 1).toString(16).padStart(40, "0")}`,
          value: 1n,
          gasLimit: 21_000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 10n ** 9n,
        },
        { common: builder.common },
      ).sign(sender.privateKey);
      await builder.sendRawTransaction(tx.serialize());
    }
    const head = bytesToHex(builder.headBlock().hash());
    const state = { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head };
    const attrs = {
      timestamp: `0x${(GENESIS_TIME + (round + 1) * SLOT_SECONDS).toString(16)}` as const,
      prevRandao: `0x${"11".repeat(32)}` as const,
      suggestedFeeRecipient: `0x${"bb".repeat(20)}` as const,
    };
    let started = performance.now();
    const { payloadId } = await builder.forkchoiceUpdated(state, attrs);
    buildMs.push(performance.now() - started);
    const payload = builder.getPayload(payloadId!);
    if (payload.transactions.length !== TRANSFERS) throw new Error(`built ${payload.transactions.length} transfers`);
    started = performance.now();
    const status = await importer.newPayload(payload);
    importMs.push(performance.now() - started);
    if (status.status !== PayloadStatusV1.VALID) throw new Error(`import: ${status.status} ${status.validationError}`);
    const next = { headBlockHash: payload.blockHash, safeBlockHash: payload.blockHash, finalizedBlockHash: head };
    await builder.newPayload(payload);
    await builder.forkchoiceUpdated(next, null);
    await importer.forkchoiceUpdated(next, null);
  }
  line("el_build_payload_100_transfers", p50(buildMs), "ms");
  line("el_execute_payload_100_transfers", p50(importMs), "ms");
} finally {
  await builder.close();
  await importer.close();
  rmSync(dir, { recursive: true, force: true });
}
