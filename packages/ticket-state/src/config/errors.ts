import { TicketStateError } from "../errors/TicketStateError.ts";

export const ConfigErrorCode = {
  INVALID_YAML: "CONFIG_INVALID_YAML",
  UNKNOWN_KEY: "CONFIG_UNKNOWN_KEY",
  INVALID_VALUE: "CONFIG_INVALID_VALUE",
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

export class ConfigError extends TicketStateError<ConfigErrorCode> {}
