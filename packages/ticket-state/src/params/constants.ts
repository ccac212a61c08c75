/** Protocol constants: values fixed by the spec, independent of preset and chain config. */

export const GENESIS_SLOT = 0;
export const GENESIS_EPOCH = 0;
/** uint64 max; `@chainsafe/ssz` maps it to `Infinity` for number-typed uint64 fields. */
export const FAR_FUTURE_EPOCH = Number.POSITIVE_INFINITY;
export const JUSTIFICATION_BITS_LENGTH = 4;

/** Ticket id used by a self-built commitment (no ticket assigned): uint64 max. */
export const SELF_BUILD_TICKET_ID = Number.POSITIVE_INFINITY;

// Participation flags (Altair)
export const TIMELY_SOURCE_FLAG_INDEX = 0;
export const TIMELY_TARGET_FLAG_INDEX = 1;
export const TIMELY_HEAD_FLAG_INDEX = 2;
export const TIMELY_SOURCE_WEIGHT = 14;
export const TIMELY_TARGET_WEIGHT = 26;
export const TIMELY_HEAD_WEIGHT = 14;
export const PROPOSER_WEIGHT = 8;
/** Altair's denominator, kept: the 2/64 share of sync committees (which this chain has not) is simply not paid. */
export const WEIGHT_DENOMINATOR = 64;
export const PARTICIPATION_FLAG_WEIGHTS = [TIMELY_SOURCE_WEIGHT, TIMELY_TARGET_WEIGHT, TIMELY_HEAD_WEIGHT] as const;

// Domain types (4 bytes, little-endian as in the consensus specs)
export type DomainType = Uint8Array;
const domain = (hex: string): DomainType => Uint8Array.from(Buffer.from(hex, "hex"));
export const DOMAIN_BEACON_PROPOSER = domain("00000000");
export const DOMAIN_BEACON_ATTESTER = domain("01000000");
export const DOMAIN_RANDAO = domain("02000000");
export const DOMAIN_VOLUNTARY_EXIT = domain("04000000");
export const DOMAIN_PTC_ATTESTER = domain("0c000000");
// Execution Tickets domains
export const DOMAIN_TICKET_PURCHASE = domain("20000000");
export const DOMAIN_TICKET_TRANSFER = domain("21000000");
export const DOMAIN_PAYLOAD_COMMITMENT = domain("22000000");
export const DOMAIN_PAYLOAD_ENVELOPE = domain("23000000");
/** Seed domain for the ticket lottery (not a signing domain). */
export const DOMAIN_TICKET_LOTTERY = domain("24000000");
// Holders' market (secondary market, grants); 0x30.. so as not to meet the pricing domains
export const DOMAIN_TICKET_OFFER = domain("30000000");
export const DOMAIN_TICKET_FILL = domain("31000000");
/** Seed domain for sampling validator ticket grants (not a signing domain). */
export const DOMAIN_VALIDATOR_TICKET_GRANT = domain("32000000");
export const DOMAIN_TICKET_BID = domain("2a000000");
export const DOMAIN_TICKET_SELL_BACK = domain("25000000");
/** Inclusion lists (the beacon proposer of the list's slot); 0x40.. apart from the market's domains. */
export const DOMAIN_INCLUSION_LIST = domain("40000000");
/** Fractional bits of the bonding curve's fixed-point growth factor (`compute_curve_price`). */
export const CURVE_FIXED_POINT_BITS = 64;

/** Compressed G2 point at infinity: the "no signature" of an empty payload commitment. */
export const G2_POINT_AT_INFINITY = Uint8Array.from([0xc0, ...new Array<number>(95).fill(0)]);
export const ZERO_HASH = new Uint8Array(32);
