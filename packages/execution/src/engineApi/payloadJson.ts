import type { ExecutionPayload as PayloadJson } from "@ethereumjs/block";
import { bigIntToHex, bytesToHex, hexToBytes, intToHex } from "@ethereumjs/util";
import type { ExecutionPayload } from "@turnstile/ticket-state";

export type { PayloadJson };

/** Bellatrix's ExecutionPayload (SSZ value) as the Engine API's ExecutionPayloadV1 JSON. */
export function payloadToJson(p: ExecutionPayload): PayloadJson {
  return {
    parentHash: bytesToHex(p.parent_hash),
    feeRecipient: bytesToHex(p.fee_recipient),
    stateRoot: bytesToHex(p.state_root),
    receiptsRoot: bytesToHex(p.receipts_root),
    logsBloom: bytesToHex(p.logs_bloom),
    prevRandao: bytesToHex(p.prev_randao),
    blockNumber: intToHex(p.block_number),
    gasLimit: intToHex(p.gas_limit),
    gasUsed: intToHex(p.gas_used),
    timestamp: intToHex(p.timestamp),
    extraData: bytesToHex(p.extra_data),
    baseFeePerGas: bigIntToHex(p.base_fee_per_gas),
    blockHash: bytesToHex(p.block_hash),
    transactions: p.transactions.map(bytesToHex),
  };
}

/** ExecutionPayloadV1 JSON as Bellatrix's ExecutionPayload (SSZ value). */
export function payloadFromJson(j: PayloadJson): ExecutionPayload {
  return {
    parent_hash: hexToBytes(j.parentHash),
    fee_recipient: hexToBytes(j.feeRecipient),
    state_root: hexToBytes(j.stateRoot),
    receipts_root: hexToBytes(j.receiptsRoot),
    logs_bloom: hexToBytes(j.logsBloom),
    prev_randao: hexToBytes(j.prevRandao),
    block_number: Number(BigInt(j.blockNumber)),
    gas_limit: Number(BigInt(j.gasLimit)),
    gas_used: Number(BigInt(j.gasUsed)),
    timestamp: Number(BigInt(j.timestamp)),
    extra_data: hexToBytes(j.extraData),
    base_fee_per_gas: BigInt(j.baseFeePerGas),
    block_hash: hexToBytes(j.blockHash),
    transactions: j.transactions.map((t) => hexToBytes(t)),
  };
}
