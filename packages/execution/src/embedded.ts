import type { SearcherOptions } from "./amm/searcher.ts";
import { ExecutionLayer } from "./el/executionLayer.ts";
import type { ExecutionGenesis } from "./el/genesis.ts";
import { engineMethods } from "./rpc/engineMethods.ts";
import { ethMethods } from "./rpc/ethMethods.ts";
import { type RpcServer, startRpcServer } from "./rpc/server.ts";

export interface EmbeddedExecutionOptions {
  /** Level database directory for the EL (inside the node's data dir). */
  path: string;
  genesis: ExecutionGenesis;
  genesisTime: number;
  jwtSecret: Uint8Array;
  host?: string;
  /** Authenticated Engine API port (0: any free port). */
  enginePort: number;
  /** User-facing eth_ JSON-RPC port (0: any free port; null: none). */
  ethPort: number | null;
  /** The builder's own arbitrage in the payloads it builds (see `Searcher`). */
  searcher?: SearcherOptions;
}

export interface EmbeddedExecution {
  el: ExecutionLayer;
  engine: RpcServer;
  eth: RpcServer | null;
  /** Listen to the transactions users sent to the eth_ endpoint (not those the node itself pooled through the Engine API's). */
  onUserTransaction(listener: (raw: Uint8Array, hash: string) => void): void;
  close(): Promise<void>;
}

/** The embedded EL behind its two endpoints, as an external client would be: Engine API (JWT) and eth_. */
export async function startEmbeddedExecution(opts: EmbeddedExecutionOptions): Promise<EmbeddedExecution> {
  const el = await ExecutionLayer.open({
    path: opts.path,
    genesis: opts.genesis,
    genesisTime: opts.genesisTime,
    searcher: opts.searcher,
  });
  const eth = ethMethods(el);
  const engine = await startRpcServer({
    host: opts.host,
    port: opts.enginePort,
    jwtSecret: opts.jwtSecret,
    methods: { ...eth, ...engineMethods(el) },
  });
  const listeners: ((raw: Uint8Array, hash: string) => void)[] = [];
  const userEth = ethMethods(el, {
    onTransaction: (raw, hash) => {
      for (const listener of listeners) listener(raw, hash);
    },
  });
  const ethServer =
    opts.ethPort === null ? null : await startRpcServer({ host: opts.host, port: opts.ethPort, methods: userEth });
  return {
    el,
    engine,
    eth: ethServer,
    onUserTransaction: (listener) => listeners.push(listener),
    close: async () => {
      await ethServer?.close();
      await engine.close();
      await el.close();
    },
  };
}
