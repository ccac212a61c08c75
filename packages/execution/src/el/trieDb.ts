import type { BatchDBOp, DB } from "@ethereumjs/util";

/** What the trie store needs of a level (sub)database with string keys and byte values. */
export interface TrieLevel {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  del(key: string): Promise<void>;
  batch(ops: ({ type: "put"; key: string; value: Uint8Array } | { type: "del"; key: string })[]): Promise<void>;
}

/**
 * The state trie's node store on a level sublevel. Nodes are content-addressed, so every state
 * root the chain ever reached stays readable: a restart resumes from any durable block's root.
 * Trie commits arrive as one batch, written atomically.
 */
export class LevelTrieDb implements DB<string, Uint8Array> {
  private readonly level: TrieLevel;

  constructor(level: TrieLevel) {
    this.level = level;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.level.get(key)) ?? undefined;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.level.put(key, value);
  }

  async del(key: string): Promise<void> {
    await this.level.del(key);
  }

  async batch(ops: BatchDBOp<string, Uint8Array>[]): Promise<void> {
    await this.level.batch(
      ops.map((op) =>
        op.type === "put" ? { type: "put", key: op.key, value: op.value } : { type: "del", key: op.key },
      ),
    );
  }

  shallowCopy(): DB<string, Uint8Array> {
    return new LevelTrieDb(this.level);
  }

  async open(): Promise<void> {}
}
