import { Worker } from "node:worker_threads";
import { type SignatureSet, verifySignatureSets } from "@turnstile/ticket-state";
import { type SerializedSet, serializeSet, type VerifyRequest, type VerifyResponse } from "./serializedSet.ts";

/**
 * Verifies signature sets on a separate thread, so that range sync can check the next segment's
 * state transitions while this one's signatures are verified. The thread starts on first use and
 * does not keep the process alive; if it dies, verification falls back to this thread.
 */
export class BlsVerifier {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (invalid: number) => void; sets: SignatureSet[] }>();
  private closed = false;

  /** The index of the first invalid set, or -1 when every set is valid. */
  verify(sets: SignatureSet[]): Promise<number> {
    if (sets.length === 0) return Promise.resolve(-1);
    const serialized: SerializedSet[] = [];
    for (const set of sets) {
      const bytes = serializeSet(set);
      // A set without signers: the answer only if every set before it verifies
      if (bytes === null) break;
      serialized.push(bytes);
    }
    const prefix = sets.slice(0, serialized.length);
    const worker = this.closed ? null : this.start();
    if (worker === null) return Promise.resolve(verifySignatureSets(sets));
    if (serialized.length === 0) return Promise.resolve(0);
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      this.pending.set(id, { resolve, sets: prefix });
      worker.postMessage({ id, sets: serialized } satisfies VerifyRequest);
      worker.ref();
    }).then((invalid) => (invalid >= 0 || serialized.length === sets.length ? invalid : serialized.length));
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
    this.failPending();
  }

  private start(): Worker | null {
    if (this.worker) return this.worker;
    try {
      // Sources run as .ts (type stripping), a build as .js
      const file = import.meta.url.endsWith(".ts") ? "./blsWorker.ts" : "./blsWorker.js";
      const worker = new Worker(new URL(file, import.meta.url));
      worker.unref();
      worker.on("message", (response: VerifyResponse) => {
        const job = this.pending.get(response.id);
        this.pending.delete(response.id);
        if (this.pending.size === 0) worker.unref();
        job?.resolve(response.invalid);
      });
      worker.on("error", () => this.onExit(worker));
      worker.on("exit", () => this.onExit(worker));
      this.worker = worker;
      return worker;
    } catch {
      this.closed = true;
      return null;
    }
  }

  private onExit(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failPending();
  }

  /** Jobs the thread will not answer are verified here instead. */
  private failPending(): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) job.resolve(verifySignatureSets(job.sets));
  }
}
