/**
 * Embedded EL benchmarks: for a payload of 100 ETH transfers, and one of 100 AMM swaps (each 10
 * senders x 10 nonces; swaps alternate ETH→TKN and TKN→ETH on the genesis pool), the time to
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
import {
  AMM_ADDRESS,
  AMM_SWAP_GAS_LIMIT,
  ammCalldata,
  devAccounts,
  devGenesis,
  ExecutionLayer,
  PayloadStatusV1,
} from "../src/index.ts";

const TRANSFERS = 100;
/** Each swap trades this much (0.1 ETH, or 0.1 ETH's worth of TKN at the genesis price). */
const SWAP_ETH = 10n ** 17n;
const SWAP_TOKENS = 100n * 10n ** 18n;
const SENDERS = 10;
const ROUNDS = 10;
const GENESIS_TIME = 1_700_000_000;
const SLOT_SECONDS = 6;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Number(value.toFixed(2)), unit }));

type Kind = "transfers" | "swaps";

function txFor(el: ExecutionLayer, kind: Kind, i: number, nonce: bigint) {
  const fees = { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, chainId: BigInt(el.chainId), nonce };
  if (kind === "transfers") {
    return createFeeMarket1559Tx(
      { ...fees, to: `0x${(i + 1).toString(16).padStart(40, "0")}`, value: 1n, gasLimit: 21_000n },
      { common: el.common },
    );
  }
  const ethIn = i % 2 === 0;
  return createFeeMarket1559Tx(
    {
      ...fees,
      to: AMM_ADDRESS,
      value: ethIn ? SWAP_ETH : 0n,
      data: ethIn ? ammCalldata.swapEthForToken(0n) : ammCalldata.swapTokenForEth(SWAP_TOKENS, 0n),
      gasLimit: AMM_SWAP_GAS_LIMIT,
    },
    { common: el.common },
  );
}

async function bench(kind: Kind): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-el-bench-"));
  const builder = await ExecutionLayer.open({
    path: join(dir, "builder"),
    genesis: devGenesis(),
    genesisTime: GENESIS_TIME,
    // The bench measures whole payloads of 100: no build budget
    buildBudgetMs: Number.POSITIVE_INFINITY,
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
        const tx = txFor(builder, kind, i, nonce).sign(sender.privateKey);
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
      if (payload.transactions.length !== TRANSFERS) throw new Error(`built ${payload.transactions.length} ${kind}`);
      started = performance.now();
      const status = await importer.newPayload(payload);
      importMs.push(performance.now() - started);
      if (status.status !== PayloadStatusV1.VALID)
        throw new Error(`import: ${status.status} ${status.validationError}`);
      const next = { headBlockHash: payload.blockHash, safeBlockHash: payload.blockHash, finalizedBlockHash: head };
      await builder.newPayload(payload);
      await builder.forkchoiceUpdated(next, null);
      await importer.forkchoiceUpdated(next, null);
    }
    line(`el_build_payload_100_${kind}`, p50(buildMs), "ms");
    line(`el_execute_payload_100_${kind}`, p50(importMs), "ms");
  } finally {
    await builder.close();
    await importer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await bench("transfers");
await bench("swaps");
