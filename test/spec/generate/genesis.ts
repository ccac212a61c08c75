/** `genesis/initialization`: genesis states from interop validator and buyer keys. */
import {
  type ChainConfig,
  createGenesisState,
  type GenesisOptions,
  interopBuyerSecretKey,
  interopSecretKey,
  TicketStateError,
} from "@turnstile/ticket-state";
import { configWith, contextFor, isDefaultConfig } from "../lib/context.ts";
import { bytesToHex, CaseFiles } from "../lib/files.ts";
import type { PresetName } from "../lib/paths.ts";
import { chainConfigYaml, SUITE } from "./common.ts";
import type { Output } from "./output.ts";

interface GenesisCase {
  name: string;
  description: string;
  validators: number;
  buyers: { balance: number; initialTickets: number }[];
  genesisTime?: number;
  seed?: Uint8Array;
  config?: Partial<ChainConfig>;
  expectedError?: string;
}

const ETH = 1_000_000_000;

function cases(preset: PresetName): GenesisCase[] {
  const common: GenesisCase[] = [
    {
      name: "interop_64_validators_4_buyers",
      description:
        "64 interop validators, 4 interop buyers with 3 initial tickets each (12 tickets: 8 drawn at genesis)",
      validators: 64,
      buyers: Array.from({ length: 4 }, () => ({ balance: 100 * ETH, initialTickets: 3 })),
    },
  ];
  if (preset === "mainnet") return common;
  return [
    ...common,
    {
      name: "interop_64_validators_no_buyers",
      description: "no buyer accounts: every slot of the lookahead is self-built",
      validators: 64,
      buyers: [],
    },
    {
      name: "interop_16_validators_custom_seed_and_time",
      description: "genesis time and RANDAO seed given explicitly",
      validators: 16,
      buyers: [{ balance: 5 * ETH, initialTickets: 1 }],
      genesisTime: 1_700_000_000,
      seed: new Uint8Array(32).fill(0x17),
    },
    {
      name: "interop_32_validators_large_pool",
      description:
        "40 initial tickets: the lookahead takes 8, 32 stay pooled; price from a non-default INITIAL_TICKET_PRICE",
      validators: 32,
      buyers: Array.from({ length: 4 }, (_, i) => ({ balance: (i + 1) * ETH, initialTickets: 10 })),
      config: { INITIAL_TICKET_PRICE: 50_000_000 },
    },
    {
      name: "invalid_no_validators",
      description: "genesis needs at least one validator",
      validators: 0,
      buyers: [],
      expectedError: "GENESIS_NO_VALIDATORS",
    },
    {
      name: "invalid_buyer_cannot_pay",
      description: "a buyer's balance does not cover its initial tickets",
      validators: 8,
      buyers: [{ balance: 10_000_000, initialTickets: 2 }],
      expectedError: "GENESIS_BUYER_BALANCE",
    },
  ];
}

export function generateGenesis(out: Output, preset: PresetName): void {
  for (const c of cases(preset)) {
    const config = configWith(preset, c.config);
    const ctx = contextFor(config);
    const opts: GenesisOptions = {
      genesisTime: c.genesisTime ?? 0,
      validatorPubkeys: Array.from({ length: c.validators }, (_, i) => interopSecretKey(i).toPublicKey().toBytes()),
      buyers: c.buyers.map((b, i) => ({
        pubkey: interopBuyerSecretKey(i).toPublicKey().toBytes(),
        balance: b.balance,
        initialTickets: b.initialTickets,
      })),
      seed: c.seed,
    };
    const files = new CaseFiles();
    files.yaml("meta", {
      description: c.description,
      validator_count: c.validators,
      buyer_count: c.buyers.length,
      ...(c.expectedError !== undefined ? { expected_error: c.expectedError } : {}),
    });
    files.yaml("genesis", {
      genesis_time: opts.genesisTime,
      seed: c.seed === undefined ? null : bytesToHex(c.seed),
      validator_pubkeys: opts.validatorPubkeys.map(bytesToHex),
      buyers: opts.buyers.map((b) => ({
        pubkey: bytesToHex(b.pubkey),
        balance: b.balance,
        initial_tickets: b.initialTickets ?? 0,
      })),
    });
    if (!isDefaultConfig(preset, config)) files.files.set("config.yaml", chainConfigYaml(config));
    if (c.expectedError === undefined) {
      files.sszBytes("state", createGenesisState(ctx, opts).serialize());
    } else {
      let error: unknown;
      try {
        createGenesisState(ctx, opts);
      } catch (e) {
        error = e;
      }
      if (!(error instanceof TicketStateError) || error.code !== c.expectedError) {
        throw new Error(`genesis case ${c.name}: expected ${c.expectedError}, got ${String(error)}`);
      }
    }
    out.add(preset, "genesis", "initialization", SUITE, c.name, files);
  }
}
