import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  devnetReferencePrice,
  type EmbeddedExecution,
  EngineApiClient,
  type ExecutionGenesis,
  readJwtSecret,
  searcherAccount,
  startEmbeddedExecution,
} from "@turnstile/execution";
import { type CachedBeaconState, type ChainContext, HOLDER_FEE_RECIPIENT, toHex } from "@turnstile/ticket-state";
import type { Logger } from "../logger.ts";
import { EngineApiExecutionEngine } from "./engineApiEngine.ts";
import { EngineClientError, EngineClientErrorCode } from "./errors.ts";

/** Which execution layer a node drives. */
export type ExecutionChoice =
  | { kind: "deterministic" }
  /** The embedded EVM, reached through its own Engine API endpoint like any EL. */
  | {
      kind: "embedded";
      genesis: ExecutionGenesis;
      ethHost: string;
      ethPort: number | null;
      /** Holders' payloads back-run the AMM from this searcher account against the reference price. */
      arbitrage?: ArbitrageChoice;
    }
  | { kind: "external"; url: string; jwtSecretFile: string };

/** A node's arbitrage: its searcher account and the reference price walk it shares with the traffic. */
export interface ArbitrageChoice {
  account: number;
  referenceSeed: number;
  referenceVolatility: number;
}

export interface StartedExecution {
  engine: EngineApiExecutionEngine | undefined;
  embedded: EmbeddedExecution | null;
  close(): Promise<void>;
}

/** Start (or connect to) the execution layer a node was asked for. The embedded one lives in `dataDir/execution`. */
export async function startExecution(
  ctx: ChainContext,
  choice: ExecutionChoice,
  dataDir: string,
  anchor: CachedBeaconState,
  log: Logger,
): Promise<StartedExecution> {
  if (choice.kind === "deterministic") return { engine: undefined, embedded: null, close: async () => {} };
  let embedded: EmbeddedExecution | null = null;
  let client: EngineApiClient;
  if (choice.kind === "embedded") {
    // In-process: a fresh secret per run, never written anywhere
    const secret = new Uint8Array(randomBytes(32));
    embedded = await startEmbeddedExecution({
      path: join(dataDir, "execution"),
      genesis: choice.genesis,
      genesisTime: anchor.state.genesis_time,
      jwtSecret: secret,
      host: choice.ethHost,
      enginePort: 0,
      ethPort: choice.ethPort,
      searcher: choice.arbitrage && {
        privateKey: searcherAccount(choice.arbitrage.account).privateKey,
        referencePrice: devnetReferencePrice(
          choice.arbitrage.referenceSeed,
          choice.arbitrage.referenceVolatility,
          anchor.state.genesis_time,
          ctx.config.SECONDS_PER_SLOT,
        ),
        // Only the ticket holders' payloads: a self-building proposer leaves the MEV on the table
        feeRecipient: toHex(HOLDER_FEE_RECIPIENT),
      },
    });
    const genesisHash = await embedded.el.genesisHash;
    if (anchor.state.slot === 0 && genesisHash !== toHex(anchor.state.latest_block_hash)) {
      await embedded.close();
      throw new EngineClientError(
        EngineClientErrorCode.UNAVAILABLE,
        "beacon genesis does not start on the EL's genesis",
        {
          elGenesis: genesisHash,
          beaconLatestBlockHash: toHex(anchor.state.latest_block_hash),
        },
      );
    }
    client = new EngineApiClient(embedded.engine.url, secret);
    log.info(
      { engine: embedded.engine.url, eth: embedded.eth?.url ?? null, chainId: embedded.el.chainId },
      "embedded execution layer started",
    );
  } else {
    client = new EngineApiClient(choice.url, readJwtSecret(choice.jwtSecretFile));
    try {
      const capabilities = await client.exchangeCapabilities([
        "engine_newPayloadV1",
        "engine_forkchoiceUpdatedV1",
        "engine_getPayloadV1",
      ]);
      log.info({ url: choice.url, capabilities }, "execution endpoint connected");
    } catch (e) {
      // Not fatal: payloads are imported optimistically until the EL answers
      log.warn({ url: choice.url, err: (e as Error).message }, "execution endpoint not reachable yet");
    }
  }
  const engine = new EngineApiExecutionEngine(ctx, client);
  engine.events.on("invalid", (e) => log.error({ code: e.code, ...e.data }, e.message));
  engine.events.on("unavailable", (e) => log.warn({ err: e.message }, "execution layer unavailable"));
  engine.events.on("reconnected", (replayed) =>
    log.info({ replayed }, "execution layer reachable again: payloads replayed, head sent"),
  );
  return {
    engine,
    embedded,
    close: async () => {
      engine.stop();
      await engine.settled();
      await embedded?.close();
    },
  };
}
