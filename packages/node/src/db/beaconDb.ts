import {
  type ChainContext,
  deserializeSsz,
  fromHex,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  TicketStateError,
  toHex,
} from "@turnstile/ticket-state";
import { Level } from "level";
import { bucketKey, readUint64Key, uint64Key } from "./keys.ts";

/** One byte in front of every key: which kind of record it is. */
const Bucket = {
  block: 1,
  envelope: 2,
  /** slot (8 bytes, big-endian so keys sort by slot) + block root → empty: blocks in slot order */
  blockBySlot: 3,
  state: 4,
  meta: 5,
  /**
   * slot (8 bytes, big-endian) → root of the finalized chain's block at that slot: the canonical
   * blocks below finality without the forks the slot index also holds. Written with each finalized
   * checkpoint, back to the highest slot already indexed.
   */
  canonicalBySlot: 6,
} as const;

const META_GENESIS_STATE = "genesis_state";
const META_FINALIZED = "finalized";
const META_CONFIG = "chain_config";

const text = (s: string) => new TextEncoder().encode(s);

/**
 * The node's database (level): blocks and envelopes by root, a slot index, finalized states and
 * metadata. Writes that belong together go in one atomic batch, so a node killed at any moment
 * restarts from a consistent database.
 */
export class BeaconDb {
  private readonly db: Level<Uint8Array, Uint8Array>;
  private readonly ctx: ChainContext;

  constructor(ctx: ChainContext, path: string) {
    this.ctx = ctx;
    this.db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
  }

  async open(): Promise<void> {
    await this.db.open();
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.db.get(k)) ?? undefined;
  }

  async putBlock(root: string, block: SignedBeaconBlock): Promise<void> {
    const rootBytes = fromHex(root);
    await this.db.batch([
      { type: "put", key: bucketKey(Bucket.block, rootBytes), value: this.ctx.ssz.SignedBeaconBlock.serialize(block) },
      {
        type: "put",
        key: bucketKey(Bucket.blockBySlot, uint64Key(block.message.slot), rootBytes),
        value: new Uint8Array(0),
      },
    ]);
  }

  async getBlock(root: string): Promise<SignedBeaconBlock | undefined> {
    const bytes = await this.get(bucketKey(Bucket.block, fromHex(root)));
    return bytes && deserializeSsz(this.ctx.ssz.SignedBeaconBlock, bytes, "SignedBeaconBlock");
  }

  async putEnvelope(root: string, envelope: SignedExecutionPayloadEnvelope): Promise<void> {
    const value = this.ctx.ssz.SignedExecutionPayloadEnvelope.serialize(envelope);
    await this.db.put(bucketKey(Bucket.envelope, fromHex(root)), value);
  }

  async getEnvelope(root: string): Promise<SignedExecutionPayloadEnvelope | undefined> {
    const bytes = await this.get(bucketKey(Bucket.envelope, fromHex(root)));
    return (
      bytes && deserializeSsz(this.ctx.ssz.SignedExecutionPayloadEnvelope, bytes, "SignedExecutionPayloadEnvelope")
    );
  }

  /** Roots of the stored blocks with `from <= slot < to`, in slot order. */
  async blockRootsBySlot(from: number, to: number): Promise<{ slot: number; root: string }[]> {
    const out: { slot: number; root: string }[] = [];
    for await (const k of this.db.keys({
      gte: bucketKey(Bucket.blockBySlot, uint64Key(from)),
      lt: bucketKey(Bucket.blockBySlot, uint64Key(to)),
    })) {
      const slot = Number(new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0, false));
      out.push({ slot, root: toHex(k.subarray(9)) });
    }
    return out;
  }

  async putGenesis(stateBytes: Uint8Array, configYaml: string): Promise<void> {
    await this.db.batch([
      { type: "put", key: bucketKey(Bucket.meta, text(META_GENESIS_STATE)), value: stateBytes },
      { type: "put", key: bucketKey(Bucket.meta, text(META_CONFIG)), value: text(configYaml) },
    ]);
  }

  async getGenesis(): Promise<{ stateBytes: Uint8Array; configYaml: string } | undefined> {
    const stateBytes = await this.get(bucketKey(Bucket.meta, text(META_GENESIS_STATE)));
    const config = await this.get(bucketKey(Bucket.meta, text(META_CONFIG)));
    if (!stateBytes || !config) return undefined;
    return { stateBytes, configYaml: new TextDecoder().decode(config) };
  }

  /**
   * Store a finalized checkpoint's state and mark it the restart anchor, in one batch that also
   * drops the previous anchor's state (nothing else reads it; kept, one state per epoch would pile up).
   */
  async putFinalized(epoch: number, root: string, stateBytes: Uint8Array): Promise<void> {
    const record = text(JSON.stringify({ epoch, root }));
    const previous = await this.getFinalizedRecord();
    const canonical = await this.canonicalIndexUpTo(root);
    await this.db.batch([
      ...canonical,
      ...(previous && previous.root !== root
        ? [{ type: "del" as const, key: bucketKey(Bucket.state, fromHex(previous.root)) }]
        : []),
      { type: "put", key: bucketKey(Bucket.state, fromHex(root)), value: stateBytes },
      { type: "put", key: bucketKey(Bucket.meta, text(META_FINALIZED)), value: record },
    ]);
  }

  /**
   * Index entries for the finalized chain that ends at block `root`: walks its parents back to the
   * highest slot already indexed (the previous finalized block's, so about an epoch of blocks) or to
   * a block the database lacks (the first anchor's; a database written before the index existed is
   * so indexed whole, once). Finality never reverts, so what is indexed stays the chain's.
   */
  private async canonicalIndexUpTo(root: string): Promise<{ type: "put"; key: Uint8Array; value: Uint8Array }[]> {
    const indexed = await this.highestCanonicalSlot();
    const puts: { type: "put"; key: Uint8Array; value: Uint8Array }[] = [];
    for (let r: string | null = root; r !== null; ) {
      const block = await this.getBlock(r);
      if (!block || block.message.slot <= indexed) break;
      puts.push({
        type: "put",
        key: bucketKey(Bucket.canonicalBySlot, uint64Key(block.message.slot)),
        value: fromHex(r),
      });
      r = block.message.slot > 0 ? toHex(block.message.parent_root) : null;
    }
    return puts;
  }

  /** Roots of the finalized chain's blocks with `from <= slot < to`, in slot order (skipped slots have none). */
  async canonicalRootsBySlot(from: number, to: number): Promise<{ slot: number; root: string }[]> {
    const out: { slot: number; root: string }[] = [];
    if (!(from < to)) return out;
    for await (const [k, v] of this.db.iterator({
      gte: bucketKey(Bucket.canonicalBySlot, uint64Key(from)),
      lt: bucketKey(Bucket.canonicalBySlot, uint64Key(to)),
    })) {
      out.push({ slot: readUint64Key(k, 1), root: toHex(v) });
    }
    return out;
  }

  /** The highest slot of the canonical index (every finalized block at or below it is indexed); -1 when empty. */
  async highestCanonicalSlot(): Promise<number> {
    for await (const k of this.db.keys({
      gte: bucketKey(Bucket.canonicalBySlot),
      lt: bucketKey(Bucket.canonicalBySlot + 1),
      reverse: true,
      limit: 1,
    })) {
      return readUint64Key(k, 1);
    }
    return -1;
  }

  private async getFinalizedRecord(): Promise<{ epoch: number; root: string } | undefined> {
    const record = await this.get(bucketKey(Bucket.meta, text(META_FINALIZED)));
    return record && (JSON.parse(new TextDecoder().decode(record)) as { epoch: number; root: string });
  }

  /** How many states the database holds (the anchor's, once the chain has finalized). */
  async stateCount(): Promise<number> {
    let count = 0;
    for await (const _ of this.db.keys({ gte: bucketKey(Bucket.state), lt: bucketKey(Bucket.state + 1) })) count++;
    return count;
  }

  async getFinalized(): Promise<{ epoch: number; root: string; stateBytes: Uint8Array } | undefined> {
    const record = await this.getFinalizedRecord();
    if (!record) return undefined;
    const { epoch, root } = record;
    const stateBytes = await this.get(bucketKey(Bucket.state, fromHex(root)));
    if (!stateBytes) throw new TicketStateError("DB_CORRUPT", "finalized state missing", { root });
    return { epoch, root, stateBytes };
  }
}
