/**
 * The holders' operations against the DESIGN.md §10 block budget (mainnet preset, 16,384
 * validators, no BLS): a block's worth of secondary-market fills (MAX_TICKET_FILLS) and of
 * holder slashings (MAX_HOLDER_SLASHINGS), and the epoch step that grants validators tickets.
 * One JSON line `{"name","value","unit"}` per figure (value = p50).
 *
 * Run: `node --conditions=source bench/holdersBench.ts` in packages/ticket-state.
 */
import {
  beforeProcessEpoch,
  type CachedBeaconState,
  createChainContext,
  type HolderSlashing,
  mainnetChainConfig,
  processHolderSlashing,
  processTicketFill,
  processValidatorTicketGrants,
  readAllValues,
  type SignedTicketFill,
  useFastHasher,
  ZERO_HASH,
} from "@turnstile/ticket-state";
import { advancedCopy, buildGenesis, setRealisticParticipation } from "./buildState.ts";
import { samplePhases, timed } from "./measure.ts";
import { note, reportFigure, setupTime } from "./report.ts";

await useFastHasher();
const VALIDATORS = 16_384;
const BUYERS = 32;
const GRANTS = 32;
const config = { ...mainnetChainConfig, TICKET_COLLATERAL: 1_000_000, VALIDATOR_TICKET_GRANTS_PER_EPOCH: GRANTS };
const ctx = createChainContext(config);
const { SLOTS_PER_EPOCH, MAX_TICKET_FILLS, MAX_HOLDER_SLASHINGS } = ctx.preset;
const NO_SIGNATURE = new Uint8Array(96);

const genesis = timed(() => buildGenesis(ctx, { validatorCount: VALIDATORS, buyerCount: BUYERS, ticketsPerBuyer: 16 }));
setupTime(`genesis (${VALIDATORS} validators, ${BUYERS} buyers × 16 tickets)`, genesis.ms);
const blockSlot = 2 * SLOTS_PER_EPOCH + SLOTS_PER_EPOCH / 2;
const pre = advancedCopy(genesis.result, blockSlot);

/** Fills of the first pooled tickets, each to the next account, at 1 Gwei. */
function fills(cs: CachedBeaconState): SignedTicketFill[] {
  return readAllValues(cs.state.ticket_pool)
    .slice(0, MAX_TICKET_FILLS)
    .map((t) => ({
      message: {
        offer: {
          message: { ticket_id: t.ticket_id, ticket_nonce: t.nonce, seller: t.owner, price: 1, expiry_slot: blockSlot },
          signature: NO_SIGNATURE,
        },
        buyer: (t.owner + 1) % BUYERS,
      },
      signature: NO_SIGNATURE,
    }));
}

/** Evidence against the holders of the next slots' tickets. */
function slashings(cs: CachedBeaconState): HolderSlashing[] {
  const out: HolderSlashing[] = [];
  const ring = readAllValues(cs.state.ticket_assignments).filter((a) => a.slot > cs.state.slot);
  for (const a of ring.slice(0, MAX_HOLDER_SLASHINGS)) {
    const commitment = (tag: number) => ({
      message: {
        slot: a.slot,
        ticket_id: a.ticket.ticket_id,
        parent_block_hash: ZERO_HASH,
        parent_block_root: ZERO_HASH,
        block_hash: new Uint8Array(32).fill(tag),
        prev_randao: ZERO_HASH,
        fee_recipient: new Uint8Array(20),
        gas_limit: 0,
      },
      signature: NO_SIGNATURE,
    });
    out.push({ signed_commitment_1: commitment(1), signed_commitment_2: commitment(2) });
  }
  return out;
}

note(`--- holders' operations, ${VALIDATORS} validators, mainnet preset, no BLS ---`);
const blockFills = fills(pre);
const [fillStats] = samplePhases(10, 40, () => {
  const cs = pre.clone();
  const t = timed(() => {
    for (const f of blockFills) processTicketFill(cs, f, { signatureSets: null });
  });
  return [t.ms];
});
reportFigure(`${blockFills.length} ticket fills in one block`, fillStats, "ms");

const evidence = slashings(pre);
const [slashStats] = samplePhases(10, 40, () => {
  const cs = pre.clone();
  const t = timed(() => {
    for (const e of evidence) processHolderSlashing(cs, e, { signatureSets: null });
  });
  return [t.ms];
});
reportFigure(`${evidence.length} holder slashings in one block`, slashStats, "ms");

const epochPre = advancedCopy(pre, 3 * SLOTS_PER_EPOCH - 1);
setRealisticParticipation(epochPre);
const [grantStats] = samplePhases(10, 20, () => {
  const cs = epochPre.clone();
  const cache = beforeProcessEpoch(cs);
  return [timed(() => processValidatorTicketGrants(cs, cache)).ms];
});
reportFigure(`validator ticket grants (${GRANTS} per epoch)`, grantStats, "ms");
