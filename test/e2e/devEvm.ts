import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../packages/node/src/cli/index.ts", import.meta.url));

/**
 * `turnstile dev --execution evm` on `dataDir`: 1-second slots, 64 validators, 2 holders that always
 * reveal, the REST API and eth_ JSON-RPC on ephemeral ports (read from the logs). The node the EVM
 * restart and kill-loop tests start again and again on one data directory.
 */
export function spawnDevEvm(dataDir: string): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => a.startsWith("--conditions")),
      CLI,
      "dev",
      "--execution",
      "evm",
      "--data-dir",
      dataDir,
      "--seconds-per-slot",
      "1",
      "--validators",
      "64",
      "--buyers",
      "2",
      "--withhold-rate",
      "0",
      "--api-port",
      "0",
      "--eth-rpc-port",
      "0",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
}
