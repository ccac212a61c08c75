import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";

/** pino logs: pretty and coloured in a terminal, one JSON object per line otherwise. */
export function createLogger(opts: { level?: string; pretty?: boolean; name?: string } = {}): Logger {
  const level = opts.level ?? "info";
  const usePretty = opts.pretty ?? process.stdout.isTTY === true;
  const base = { name: opts.name ?? "turnstile" };
  if (!usePretty) return pino({ level, base });
  return pino({ level, base }, pretty({ colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" }));
}
