import { bytesEqual, toHex } from "@turnstile/ticket-state";
import { Level } from "level";
import { bucketKey, readUint64Key, UINT64_BYTES, uint64Key } from "../db/keys.ts";
import type { Interchange, InterchangeAttestation, InterchangeBlock, InterchangeValidator } from "./interchange.ts";
import { SlashingProtectionError, SlashingProtectionErrorCode } from "./slashingProtectionErrors.ts";

/** One byte in front of every key: which kind of record it is. */
const Bucket = {
  meta: 0,
  /** pubkey + slot (8 bytes big-endian) → record */
  block: 1,
  /** pubkey + target epoch + source epoch (8 bytes big-endian each) → record */
  attestation: 2,
  /** pubkey → watermark (JSON) */
  watermark: 3,
  /** Ticket holders: pubkey + slot (8 bytes big-endian) → commitment signing root + what was committed */
  commitment: 4,
} as const;

const META_GENESIS_VALIDATORS_ROOT = new TextEncoder().encode("genesis_validators_root");
/** The lowest slot a commitment may still be signed at: records below it were pruned. */
const META_COMMITMENT_FLOOR = new TextEncoder().encode("commitment_floor");
const ROOT_BYTES = 32;
const PUBKEY_BYTES = 48;
/** Above any slot or epoch key (those stay within the safe integers): the end of a pubkey's range. */
const KEY_END = new Uint8Array(UINT64_BYTES + 1).fill(0xff);
/** A record's flags byte: this node signed it (so its signing root may be signed again). */
const FLAG_OWN = 1;
/** Every write reaches the disk before its promise resolves: a signature is released only after it. */
const DURABLE = { sync: true } as const;

/** What is stored of a signed message: whether we signed it, and its signing root when known. */
interface SignedRecord {
  own: boolean;
  signingRoot?: Uint8Array;
}

/**
 * The lowest a validator may still sign at: a block must be above `blockSlot`, an attestation's
 * source at or above `sourceEpoch` and its target above `targetEpoch` (repeats of our own
 * signatures excepted).
 */
interface Watermark {
  blockSlot?: number;
  sourceEpoch?: number;
  targetEpoch?: number;
}

export interface BlockSigningRequest {
  pubkey: Uint8Array;
  slot: number;
  signingRoot: Uint8Array;
}

export interface AttestationSigningRequest {
  pubkey: Uint8Array;
  sourceEpoch: number;
  targetEpoch: number;
  signingRoot: Uint8Array;
}

export interface CommitmentSigningRequest {
  pubkey: Uint8Array;
  slot: number;
  signingRoot: Uint8Array;
  /** What the holder needs again after a restart (the signed commitment and the payload), opaque here. */
  data: Uint8Array;
}

/** A ticket holder's commitment as recorded: its signing root and the data stored with it. */
export interface CommitmentRecord {
  signingRoot: Uint8Array;
  data: Uint8Array;
}

type BatchOp = { type: "put"; key: Uint8Array; value: Uint8Array };
type WriteOp = BatchOp | { type: "del"; key: Uint8Array };

/**
 * What a key's checks need to know first, kept in memory once read: its watermark and the highest
 * slot and epochs among its records. A vote or block above all of them (a validator's usual next
 * message) can conflict with no record, and is decided without reading any.
 */
interface KeySummary {
  watermark: Watermark;
  maxBlockSlot?: number;
  maxSourceEpoch?: number;
  maxTargetEpoch?: number;
}

function encodeRecord(record: SignedRecord): Uint8Array {
  const out = new Uint8Array(1 + (record.signingRoot?.length ?? 0));
  out[0] = record.own ? FLAG_OWN : 0;
  if (record.signingRoot) out.set(record.signingRoot, 1);
  return out;
}

function decodeRecord(value: Uint8Array): SignedRecord {
  return {
    own: (value[0] & FLAG_OWN) !== 0,
    ...(value.length > 1 ? { signingRoot: value.slice(1) } : {}),
  };
}

/** Two records of the same message slot: one that agrees keeps what it knows, otherwise nothing may be re-signed. */
function mergeRecords(existing: SignedRecord | undefined, incoming: SignedRecord): SignedRecord {
  if (!existing) return incoming;
  if (existing.signingRoot && incoming.signingRoot && bytesEqual(existing.signingRoot, incoming.signingRoot)) {
    return existing;
  }
  return { own: false };
}

/** A re-sign of something we signed ourselves, with the same signing root: the same message again. */
function isOwnRepeat(record: SignedRecord, signingRoot: Uint8Array): boolean {
  return record.own && record.signingRoot !== undefined && bytesEqual(record.signingRoot, signingRoot);
}

const maxOf = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

function refuse(code: SlashingProtectionErrorCode, message: string, data: Record<string, unknown>): never {
  throw new SlashingProtectionError(code, message, data);
}

/**
 * EIP-3076 slashing protection on level: every block and attestation a validator key signs is
 * recorded, durably, before its signature leaves the node, and nothing slashable with respect to
 * the records is signed. The database is bound to one chain (its genesis validators root).
 *
 * Own records are complete (signing roots kept, a repeat of one is allowed). An import keeps the
 * imported records for export but, as EIP-3076 advises for minimal databases, trusts only their
 * high-water marks: after it, nothing at or below the highest imported (or stored) slot, target
 * epoch, or below the highest source epoch is signed for that key.
 */
export class SlashingProtectionDb {
  private readonly db: Level<Uint8Array, Uint8Array>;
  private gvr: Uint8Array | undefined;
  /** Checks and writes run one at a time, so two duties cannot both pass a check before either is recorded. */
  private queue: Promise<unknown> = Promise.resolve();
  /** By pubkey hex; updated with every record, dropped when a write fails or after an import. */
  private readonly summaries = new Map<string, KeySummary>();
  /** The holders' commitment floor (META_COMMITMENT_FLOOR), once read. */
  private floor: number | undefined;

  private constructor(db: Level<Uint8Array, Uint8Array>, gvr: Uint8Array | undefined) {
    this.db = db;
    this.gvr = gvr;
  }

  /**
   * Open (or create) the database at `path`. With `genesisValidatorsRoot` it must belong to that
   * chain (a new database is bound to it); without, a new database is bound by its first import.
   */
  static async open(path: string, genesisValidatorsRoot?: Uint8Array): Promise<SlashingProtectionDb> {
    const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
    await db.open().catch((e: Error & { cause?: Error }) => {
      refuse(
        SlashingProtectionErrorCode.DATABASE_UNAVAILABLE,
        "cannot open the slashing-protection database (is a node running on this data dir?)",
        { path, cause: e.cause?.message ?? e.message },
      );
    });
    try {
      const stored = (await db.get(bucketKey(Bucket.meta, META_GENESIS_VALIDATORS_ROOT))) ?? undefined;
      if (stored && genesisValidatorsRoot && !bytesEqual(stored, genesisValidatorsRoot)) {
        refuse(
          SlashingProtectionErrorCode.GENESIS_VALIDATORS_ROOT_MISMATCH,
          "the slashing-protection database belongs to another chain",
          { path, database: toHex(stored), chain: toHex(genesisValidatorsRoot) },
        );
      }
      if (!stored && genesisValidatorsRoot) {
        await db.put(bucketKey(Bucket.meta, META_GENESIS_VALIDATORS_ROOT), genesisValidatorsRoot, DURABLE);
      }
      return new SlashingProtectionDb(db, stored ?? genesisValidatorsRoot);
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  /** The chain this database belongs to; undefined while it is new and unbound. */
  get genesisValidatorsRoot(): Uint8Array | undefined {
    return this.gvr;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    await this.db.close();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Check a block against the key's records and record it, durably, if it may be signed.
   * Throws a `SlashingProtectionError` if it may not (nothing is then written).
   */
  checkAndRecordBlock(req: BlockSigningRequest): Promise<void> {
    return this.exclusive(async () => {
      const ops: BatchOp[] = [];
      await this.checkBlock(req, ops);
      await this.write(ops);
    });
  }

  /**
   * Check attestations (typically one duty's, for several keys) and record in one durable write
   * those that may be signed. Returns, per request, null when it may be signed or why not.
   */
  checkAndRecordAttestations(reqs: readonly AttestationSigningRequest[]): Promise<(SlashingProtectionError | null)[]> {
    return this.exclusive(async () => {
      const verdicts: (SlashingProtectionError | null)[] = new Array(reqs.length).fill(null);
      // One request per key per round: a second vote of the same key is checked against the first one's record
      let remaining = reqs.map((req, i) => ({ req, i }));
      while (remaining.length > 0) {
        const seen = new Set<string>();
        const round: typeof remaining = [];
        const later: typeof remaining = [];
        for (const item of remaining) {
          const id = toHex(item.req.pubkey);
          (seen.has(id) ? later : round).push(item);
          seen.add(id);
        }
        const ops: BatchOp[] = [];
        for (const { req, i } of round) {
          try {
            await this.checkAttestation(req, ops);
          } catch (e) {
            if (!(e instanceof SlashingProtectionError)) throw e;
            verdicts[i] = e;
          }
        }
        await this.write(ops);
        remaining = later;
      }
      return verdicts;
    });
  }

  /** `checkAndRecordAttestations` for one attestation: throws if it may not be signed. */
  async checkAndRecordAttestation(req: AttestationSigningRequest): Promise<void> {
    const [verdict] = await this.checkAndRecordAttestations([req]);
    if (verdict) throw verdict;
  }

  /** Write a check's records durably; if that fails, what memory says of them may be wrong. */
  private async write(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    try {
      await this.db.batch(ops, DURABLE);
    } catch (e) {
      this.summaries.clear();
      throw e;
    }
  }

  private async summary(pubkey: Uint8Array): Promise<KeySummary> {
    const id = toHex(pubkey);
    let summary = this.summaries.get(id);
    if (!summary) {
      summary = { watermark: await this.getWatermark(pubkey), maxBlockSlot: await this.highestBlockSlot(pubkey) };
      for (const other of await this.attestationsWithTargets(pubkey, 0)) {
        summary.maxSourceEpoch = maxOf(summary.maxSourceEpoch, other.source);
        summary.maxTargetEpoch = maxOf(summary.maxTargetEpoch, other.target);
      }
      this.summaries.set(id, summary);
    }
    return summary;
  }

  private async checkBlock(req: BlockSigningRequest, ops: BatchOp[]): Promise<void> {
    const { pubkey, slot, signingRoot } = req;
    const summary = await this.summary(pubkey);
    const recordKey = bucketKey(Bucket.block, pubkey, uint64Key(slot));
    const existing =
      summary.maxBlockSlot !== undefined && slot <= summary.maxBlockSlot ? await this.getRecord(recordKey) : undefined;
    if (existing) {
      // Re-signing the very block we signed is no equivocation
      if (isOwnRepeat(existing, signingRoot)) return;
      // EIP-3076: refuse to sign any block that is slashable with respect to the blocks signed (same slot)
      refuse(SlashingProtectionErrorCode.DOUBLE_BLOCK_PROPOSAL, "a different block was signed at this slot", {
        pubkey: toHex(pubkey),
        slot,
      });
    }
    const { watermark } = summary;
    // EIP-3076: refuse to sign any block with slot <= min(b.slot for b in signed_blocks), except a repeat signing
    if (watermark.blockSlot !== undefined && slot <= watermark.blockSlot) {
      refuse(SlashingProtectionErrorCode.BLOCK_SLOT_BELOW_WATERMARK, "slot at or below the lowest one signable", {
        pubkey: toHex(pubkey),
        slot,
        watermark: watermark.blockSlot,
      });
    }
    ops.push({ type: "put", key: recordKey, value: encodeRecord({ own: true, signingRoot }) });
    summary.maxBlockSlot = maxOf(summary.maxBlockSlot, slot);
    // Later blocks are all above the first one: it stays the lowest signed slot
    if (watermark.blockSlot === undefined) {
      summary.watermark = { ...watermark, blockSlot: slot };
      ops.push(this.watermarkOp(pubkey, summary.watermark));
    }
  }

  private async checkAttestation(req: AttestationSigningRequest, ops: BatchOp[]): Promise<void> {
    const { pubkey, sourceEpoch: source, targetEpoch: target, signingRoot } = req;
    const data = { pubkey: toHex(pubkey), source, target };
    // A checkpoint vote's source is justified before its target: anything else is no valid vote
    if (source > target) refuse(SlashingProtectionErrorCode.SOURCE_AFTER_TARGET, "source epoch after target", data);

    const summary = await this.summary(pubkey);
    // Above every record's target and source: no record can make it a double or surround vote
    const aboveAll =
      summary.maxTargetEpoch === undefined ||
      (target > summary.maxTargetEpoch && source >= (summary.maxSourceEpoch ?? 0));

    // is_slashable_attestation_data, double vote: data_1 != data_2 and data_1.target.epoch == data_2.target.epoch
    const sameTarget = aboveAll ? [] : await this.attestationsWithTargets(pubkey, target, target + 1);
    for (const other of sameTarget) {
      if (other.source === source && isOwnRepeat(other.record, signingRoot)) return;
    }
    if (sameTarget.length > 0) {
      refuse(SlashingProtectionErrorCode.DOUBLE_VOTE, "another vote for this target epoch was signed", data);
    }

    const { watermark } = summary;
    // EIP-3076: refuse an attestation with source.epoch < min(att.source_epoch for att in signed_attestations)
    if (watermark.sourceEpoch !== undefined && source < watermark.sourceEpoch) {
      refuse(SlashingProtectionErrorCode.SOURCE_BELOW_WATERMARK, "source epoch below the lowest one signable", {
        ...data,
        watermark: watermark.sourceEpoch,
      });
    }
    // EIP-3076: refuse an attestation with target_epoch <= min(att.target_epoch ...), except a repeat signing
    if (watermark.targetEpoch !== undefined && target <= watermark.targetEpoch) {
      refuse(SlashingProtectionErrorCode.TARGET_BELOW_WATERMARK, "target epoch at or below the lowest one signable", {
        ...data,
        watermark: watermark.targetEpoch,
      });
    }

    // is_slashable_attestation_data, surround vote: data_1.source.epoch < data_2.source.epoch and
    // data_2.target.epoch < data_1.target.epoch. A record the new vote surrounds has its target
    // between the two epochs (records with source > target are imports, and the source watermark
    // is at or above their source).
    for (const other of aboveAll ? [] : await this.attestationsWithTargets(pubkey, source + 1, target)) {
      if (source < other.source) {
        refuse(SlashingProtectionErrorCode.SURROUNDING_VOTE, "the vote surrounds one already signed", {
          ...data,
          otherSource: other.source,
          otherTarget: other.target,
        });
      }
    }
    // ... and one that surrounds the new vote has a later target
    for (const other of aboveAll ? [] : await this.attestationsWithTargets(pubkey, target + 1)) {
      if (other.source < source) {
        refuse(SlashingProtectionErrorCode.SURROUNDED_VOTE, "the vote is surrounded by one already signed", {
          ...data,
          otherSource: other.source,
          otherTarget: other.target,
        });
      }
    }

    ops.push({
      type: "put",
      key: bucketKey(Bucket.attestation, pubkey, uint64Key(target), uint64Key(source)),
      value: encodeRecord({ own: true, signingRoot }),
    });
    summary.maxSourceEpoch = maxOf(summary.maxSourceEpoch, source);
    summary.maxTargetEpoch = maxOf(summary.maxTargetEpoch, target);
    // Later votes have a higher target and no lower source: the first one's epochs stay the lowest
    if (watermark.sourceEpoch === undefined || watermark.targetEpoch === undefined) {
      summary.watermark = {
        ...watermark,
        sourceEpoch: watermark.sourceEpoch ?? source,
        targetEpoch: watermark.targetEpoch ?? target,
      };
      ops.push(this.watermarkOp(pubkey, summary.watermark));
    }
  }

  /**
   * A ticket holder's commitment (not part of EIP-3076): the first one recorded for (pubkey, slot)
   * is the only one that may be signed. Records it, durably, and returns it; with a record of the
   * same signing root, returns that record (the same message again, to re-send as it was). Throws a
   * `SlashingProtectionError` for another signing root, or a slot whose records were pruned.
   */
  checkAndRecordCommitment(req: CommitmentSigningRequest): Promise<CommitmentRecord> {
    return this.exclusive(async () => {
      const { pubkey, slot, signingRoot, data } = req;
      const existing = await this.readCommitment(pubkey, slot);
      if (existing) {
        if (bytesEqual(existing.signingRoot, signingRoot)) return existing;
        refuse(SlashingProtectionErrorCode.DOUBLE_PAYLOAD_COMMITMENT, "another payload was committed at this slot", {
          pubkey: toHex(pubkey),
          slot,
        });
      }
      const floor = await this.commitmentFloor();
      if (slot < floor) {
        refuse(SlashingProtectionErrorCode.COMMITMENT_SLOT_PRUNED, "commitment slot below the pruned records", {
          pubkey: toHex(pubkey),
          slot,
          floor,
        });
      }
      const value = new Uint8Array(ROOT_BYTES + data.length);
      value.set(signingRoot, 0);
      value.set(data, ROOT_BYTES);
      await this.write([{ type: "put", key: bucketKey(Bucket.commitment, pubkey, uint64Key(slot)), value }]);
      return { signingRoot, data };
    });
  }

  /** The commitment recorded for (pubkey, slot), if any. */
  getCommitment(pubkey: Uint8Array, slot: number): Promise<CommitmentRecord | undefined> {
    return this.exclusive(() => this.readCommitment(pubkey, slot));
  }

  /**
   * Drop the holders' commitment records below `slot` (finalized slots: their payloads are settled)
   * and refuse commitments below it from then on. Returns how many were dropped.
   */
  pruneCommitments(slot: number): Promise<number> {
    return this.exclusive(async () => {
      if (slot <= (await this.commitmentFloor())) return 0;
      const ops: WriteOp[] = [];
      for await (const k of this.db.keys({ gte: bucketKey(Bucket.commitment), lt: bucketKey(Bucket.commitment + 1) })) {
        if (readUint64Key(k, 1 + PUBKEY_BYTES) < slot) ops.push({ type: "del", key: k });
      }
      ops.push({ type: "put", key: bucketKey(Bucket.meta, META_COMMITMENT_FLOOR), value: uint64Key(slot) });
      await this.write(ops);
      this.floor = slot;
      return ops.length - 1;
    });
  }

  private async readCommitment(pubkey: Uint8Array, slot: number): Promise<CommitmentRecord | undefined> {
    const value = (await this.db.get(bucketKey(Bucket.commitment, pubkey, uint64Key(slot)))) ?? undefined;
    return value && { signingRoot: value.slice(0, ROOT_BYTES), data: value.slice(ROOT_BYTES) };
  }

  private async commitmentFloor(): Promise<number> {
    if (this.floor === undefined) {
      const value = (await this.db.get(bucketKey(Bucket.meta, META_COMMITMENT_FLOOR))) ?? undefined;
      this.floor = value ? readUint64Key(value, 0) : 0;
    }
    return this.floor;
  }

  /**
   * Import an EIP-3076 interchange: everything is checked first, then written in one durable
   * batch (a refused file writes nothing). A new, unbound database is bound to the file's chain.
   */
  importInterchange(interchange: Interchange): Promise<{ validators: number; blocks: number; attestations: number }> {
    return this.exclusive(async () => {
      const gvr = interchange.genesisValidatorsRoot;
      if (this.gvr && !bytesEqual(this.gvr, gvr)) {
        refuse(
          SlashingProtectionErrorCode.GENESIS_VALIDATORS_ROOT_MISMATCH,
          "the interchange file belongs to another chain",
          { file: toHex(gvr), database: toHex(this.gvr) },
        );
      }
      // The same key may appear in several entries: merge them first
      const byPubkey = new Map<string, InterchangeValidator>();
      for (const v of interchange.data) {
        const id = toHex(v.pubkey);
        const merged = byPubkey.get(id) ?? { pubkey: v.pubkey, signedBlocks: [], signedAttestations: [] };
        merged.signedBlocks.push(...v.signedBlocks);
        merged.signedAttestations.push(...v.signedAttestations);
        byPubkey.set(id, merged);
      }
      const ops = new Map<string, BatchOp>();
      const put = (k: Uint8Array, value: Uint8Array) => ops.set(toHex(k), { type: "put", key: k, value });
      let blocks = 0;
      let attestations = 0;
      for (const v of byPubkey.values()) {
        blocks += v.signedBlocks.length;
        attestations += v.signedAttestations.length;
        await this.importValidator(v, put, ops);
      }
      const batch = [...ops.values()];
      if (!this.gvr) batch.push({ type: "put", key: bucketKey(Bucket.meta, META_GENESIS_VALIDATORS_ROOT), value: gvr });
      await this.write(batch);
      // The imported keys' summaries are read again when next needed
      this.summaries.clear();
      this.gvr = gvr;
      return { validators: byPubkey.size, blocks, attestations };
    });
  }

  private async importValidator(
    v: InterchangeValidator,
    put: (k: Uint8Array, value: Uint8Array) => void,
    pending: Map<string, BatchOp>,
  ): Promise<void> {
    const recordAt = async (k: Uint8Array) => {
      const op = pending.get(toHex(k));
      return op ? decodeRecord(op.value) : this.getRecord(k);
    };
    const watermark = await this.getWatermark(v.pubkey);
    let next = { ...watermark };
    if (v.signedBlocks.length > 0) {
      const storedMax = await this.highestBlockSlot(v.pubkey);
      let importedMax: number | undefined;
      for (const b of v.signedBlocks) {
        const k = bucketKey(Bucket.block, v.pubkey, uint64Key(b.slot));
        put(k, encodeRecord(mergeRecords(await recordAt(k), { own: false, signingRoot: b.signingRoot })));
        importedMax = maxOf(importedMax, b.slot);
      }
      // EIP-3076, minimal databases: after an import nothing at or below the highest known slot is signed
      next = { ...next, blockSlot: maxOf(maxOf(watermark.blockSlot, storedMax), importedMax) };
    }
    if (v.signedAttestations.length > 0) {
      let maxSource: number | undefined;
      let maxTarget: number | undefined;
      for (const other of await this.attestationsWithTargets(v.pubkey, 0)) {
        maxSource = maxOf(maxSource, other.source);
        maxTarget = maxOf(maxTarget, other.target);
      }
      for (const a of v.signedAttestations) {
        const k = bucketKey(Bucket.attestation, v.pubkey, uint64Key(a.targetEpoch), uint64Key(a.sourceEpoch));
        put(k, encodeRecord(mergeRecords(await recordAt(k), { own: false, signingRoot: a.signingRoot })));
        maxSource = maxOf(maxSource, a.sourceEpoch);
        maxTarget = maxOf(maxTarget, a.targetEpoch);
      }
      // EIP-3076, minimal databases: the highest source and target epochs become the lowest signable
      next = {
        ...next,
        sourceEpoch: maxOf(watermark.sourceEpoch, maxSource),
        targetEpoch: maxOf(watermark.targetEpoch, maxTarget),
      };
    }
    const op = this.watermarkOp(v.pubkey, next);
    pending.set(toHex(op.key), op);
  }

  /** Everything recorded, as an EIP-3076 interchange (for another client, or a backup). */
  exportInterchange(): Promise<Interchange> {
    return this.exclusive(async () => {
      if (!this.gvr) {
        refuse(
          SlashingProtectionErrorCode.NO_DATABASE,
          "the database is not bound to a chain yet: nothing to export",
          {},
        );
      }
      const validators = new Map<string, InterchangeValidator>();
      const entry = (pubkey: Uint8Array) => {
        const id = toHex(pubkey);
        let v = validators.get(id);
        if (!v) {
          v = { pubkey, signedBlocks: [], signedAttestations: [] };
          validators.set(id, v);
        }
        return v;
      };
      for await (const [k, value] of this.db.iterator({
        gte: bucketKey(Bucket.block),
        lt: bucketKey(Bucket.block + 1),
      })) {
        const record = decodeRecord(value);
        const block: InterchangeBlock = { slot: readUint64Key(k, 1 + PUBKEY_BYTES) };
        if (record.signingRoot) block.signingRoot = record.signingRoot;
        entry(k.slice(1, 1 + PUBKEY_BYTES)).signedBlocks.push(block);
      }
      for await (const [k, value] of this.db.iterator({
        gte: bucketKey(Bucket.attestation),
        lt: bucketKey(Bucket.attestation + 1),
      })) {
        const record = decodeRecord(value);
        const attestation: InterchangeAttestation = {
          sourceEpoch: readUint64Key(k, 1 + PUBKEY_BYTES + UINT64_BYTES),
          targetEpoch: readUint64Key(k, 1 + PUBKEY_BYTES),
        };
        if (record.signingRoot) attestation.signingRoot = record.signingRoot;
        entry(k.slice(1, 1 + PUBKEY_BYTES)).signedAttestations.push(attestation);
      }
      return { genesisValidatorsRoot: this.gvr, data: [...validators.values()] };
    });
  }

  private async getRecord(k: Uint8Array): Promise<SignedRecord | undefined> {
    const value = (await this.db.get(k)) ?? undefined;
    return value && decodeRecord(value);
  }

  private async getWatermark(pubkey: Uint8Array): Promise<Watermark> {
    const value = (await this.db.get(bucketKey(Bucket.watermark, pubkey))) ?? undefined;
    return value ? (JSON.parse(new TextDecoder().decode(value)) as Watermark) : {};
  }

  private watermarkOp(pubkey: Uint8Array, watermark: Watermark): BatchOp {
    return {
      type: "put",
      key: bucketKey(Bucket.watermark, pubkey),
      value: new TextEncoder().encode(JSON.stringify(watermark)),
    };
  }

  private async highestBlockSlot(pubkey: Uint8Array): Promise<number | undefined> {
    for await (const k of this.db.keys({
      gte: bucketKey(Bucket.block, pubkey),
      lt: bucketKey(Bucket.block, pubkey, KEY_END),
      reverse: true,
      limit: 1,
    })) {
      return readUint64Key(k, 1 + PUBKEY_BYTES);
    }
    return undefined;
  }

  /** The key's attestation records with `from <= target < to` (to: no bound). */
  private async attestationsWithTargets(
    pubkey: Uint8Array,
    from: number,
    to?: number,
  ): Promise<{ source: number; target: number; record: SignedRecord }[]> {
    const out: { source: number; target: number; record: SignedRecord }[] = [];
    if (to !== undefined && to <= from) return out;
    for await (const [k, value] of this.db.iterator({
      gte: bucketKey(Bucket.attestation, pubkey, uint64Key(from)),
      lt:
        to === undefined
          ? bucketKey(Bucket.attestation, pubkey, KEY_END)
          : bucketKey(Bucket.attestation, pubkey, uint64Key(to)),
    })) {
      out.push({
        target: readUint64Key(k, 1 + PUBKEY_BYTES),
        source: readUint64Key(k, 1 + PUBKEY_BYTES + UINT64_BYTES),
        record: decodeRecord(value),
      });
    }
    return out;
  }
}
