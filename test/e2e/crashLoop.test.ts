import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { minimalPreset } from "@turnstile/ticket-state";

// `turnstile dev` SIGKILLed 20 times at seeded random moments (while it starts, while it imports a
// block, while it writes to its database) and restarted from its data dir each time: it must resume
// every time with no finalized progress lost, and the chain must keep going and finalize.
// About a minute and a half: 1-second slots, one node, 64 validators. CRASHLOOP_DEBUG=1 prints each kill.

const CLI = fileURLToPath(new URL("../../packages/node/src/cli/index.ts", import.meta.url));
const SECONDS_PER_SLOT = 1;
const SLOT_MS = SECONDS_PER_SLOT * 1000;
const { SLOTS_PER_EPOCH } = minimalPreset;
/** Interval of a slot at which the payload is revealed (block 0, attestations 1, reveal 2, PTC 3). */
const REVEAL_INTERVAL = 2;
const INTERVALS_PER_SLOT = 4;
const KILLS = 20;
const SEED = 0x7e51;
/** How long a start may take before the node is taken to be stuck. */
const START_TIMEOUT_MS = 20_000;
/** How long the first run may take to finalize (about 4 epochs). */
const FIRST_FINALITY_TIMEOUT_MS = 60_000;
/** The last run must add this many blocks on top of what it resumed (within the timeout). */
const FINAL_RUN_BLOCKS = 3;
const FINAL_RUN_TIMEOUT_MS = 20_000;

const dataRoot = mkdtempSync(join(tmpdir(), "turnstile-crashloop-"));
/** Nodes still running: a failed assertion must not leave one behind. */
const live = new Set<DevProcess>();
after(async () => {
  await Promise.all([...live].map((p) => p.kill()));
  rmSync(dataRoot, { recursive: true, force: true });
});

/** Small seeded PRNG (mulberry32): a failing run can be replayed with the same kill moments. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

type LogLine = { msg?: string; level?: number; [k: string]: unknown };

/** One `turnstile dev` process and the JSON lines it logs. */
class DevProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private output = "";
  private readonly waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  constructor(dataDir: string) {
    this.child = spawn(
      process.execPath,
      [
        ...process.execArgv.filter((a) => a.startsWith("--conditions")),
        CLI,
        "dev",
        "--data-dir",
        dataDir,
        "--seconds-per-slot",
        String(SECONDS_PER_SLOT),
        "--validators",
        "64",
        "--buyers",
        "2",
        "--withhold-rate",
        "0",
        "--api-port",
        "0",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let partial = "";
    this.child.stdout.on("data", (d: Buffer) => {
      this.output += d;
      partial += d;
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) {
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        this.lines.push(line);
        for (const w of [...this.waiters])
          if (w.match(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
      }
    });
    this.child.stderr.on("data", (d: Buffer) => {
      this.output += d;
    });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => {
        live.delete(this);
        resolve({ code, signal });
      }),
    );
    live.add(this);
  }

  /**
   * The first logged line that matches (including past ones unless `onlyNew`); rejects on timeout
   * or if the process exits first.
   */
  waitFor(match: (l: LogLine) => boolean, timeoutMs: number, onlyNew = false): Promise<LogLine> {
    const seen = onlyNew ? undefined : this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line\n${this.tail()}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`node exited (code ${code}, signal ${signal}) before the awaited line\n${this.tail()}`));
      });
    });
  }

  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  tail(): string {
    return this.output.slice(-3000);
  }
}

interface Observed {
  headSlot: number;
  finalizedEpoch: number;
}

async function observe(apiUrl: string, proc: DevProcess): Promise<Observed> {
  const get = async (path: string) => {
    const res = await fetch(apiUrl + path).catch((e: Error) => {
      throw new Error(`${path}: ${e.message} ${(e.cause as Error)?.message}\n${proc.tail()}`);
    });
    assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
    return (await res.json()) as { data: Record<string, unknown> };
  };
  const head = (await get("/eth/v1/beacon/headers/head")).data as { header: { message: { slot: string } } };
  const fin = (await get("/eth/v1/beacon/states/head/finality_checkpoints")).data as {
    finalized: { epoch: string };
  };
  return { headSlot: Number(head.header.message.slot), finalizedEpoch: Number(fin.finalized.epoch) };
}

/** Wall-clock ms at which `slot`'s interval `interval` begins. */
const intervalStartMs = (genesisTime: number, slot: number, interval: number) =>
  (genesisTime + slot * SECONDS_PER_SLOT) * 1000 + (interval * SLOT_MS) / INTERVALS_PER_SLOT;

type Phase = "start" | "import" | "db";

/** The kills after the first: each phase about as often, in seeded order. */
function killSchedule(rand: () => number): Phase[] {
  const phases: Phase[] = Array.from({ length: KILLS - 1 }, (_, i) => (["start", "import", "db"] as const)[i % 3]);
  for (let i = phases.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [phases[i], phases[j]] = [phases[j], phases[i]];
  }
  return phases;
}

describe("crash loop: turnstile dev under SIGKILL", () => {
  it("resumes from its database after 20 kills at random moments, never losing finality, and keeps building", {
    timeout: 240_000,
  }, async () => {
    const rand = prng(SEED);
    const dataDir = join(dataRoot, "dev");
    const schedule = killSchedule(rand);
    const problems: string[] = [];
    /** Highest finalized epoch and head any earlier run showed through its API (at a point its writes had landed). */
    let durable: Observed = { headSlot: 0, finalizedEpoch: 0 };
    /** The head each started run resumed at. */
    const resumedHeads: number[] = [];
    let startMs = 1500;
    const kills: string[] = [];

    /** Start the node, wait for its API, and check that it resumed what earlier runs stored. */
    const startAndCheck = async (run: number) => {
      const started = Date.now();
      const proc = new DevProcess(dataDir);
      const opened = await proc.waitFor((l) => l.msg === "chain opened", START_TIMEOUT_MS);
      if (run > 0 && durable.headSlot > 0) assert.equal(opened.resumed, true, `run ${run}: a new chain was created`);
      const listening = await proc.waitFor((l) => l.msg === "REST API listening", START_TIMEOUT_MS);
      startMs = Date.now() - started;
      const apiUrl = listening.url as string;
      const now = await observe(apiUrl, proc);
      // The head it resumed from is at or after the finalized checkpoint
      assert.ok(
        now.headSlot >= now.finalizedEpoch * SLOTS_PER_EPOCH,
        `run ${run}: head ${now.headSlot} before finalized epoch ${now.finalizedEpoch}`,
      );
      // Nothing durable is lost: finality never goes back, the head does not fall behind
      assert.ok(
        now.finalizedEpoch >= durable.finalizedEpoch,
        `run ${run}: finalized epoch went back from ${durable.finalizedEpoch} to ${now.finalizedEpoch}`,
      );
      assert.ok(
        now.headSlot >= durable.headSlot,
        `run ${run}: head went back from slot ${durable.headSlot} to ${now.headSlot}`,
      );
      const genesisRes = await fetch(`${apiUrl}/eth/v1/beacon/genesis`);
      const genesisTime = Number(((await genesisRes.json()) as { data: { genesis_time: string } }).data.genesis_time);
      resumedHeads.push(now.headSlot);
      // What a start loaded from disk is durable
      durable = {
        headSlot: Math.max(durable.headSlot, now.headSlot),
        finalizedEpoch: Math.max(durable.finalizedEpoch, now.finalizedEpoch),
      };
      return { proc, apiUrl, genesisTime, now };
    };

    /** Log lines that mean the stored chain did not load or a write was lost. */
    const collectProblems = (run: number, proc: DevProcess) => {
      for (const l of proc.lines)
        if (l.msg === "stored block not replayed" || l.msg === "database write failed")
          problems.push(`run ${run}: ${l.msg} ${JSON.stringify(l.err)}`);
    };

    // Run 0 lasts until the chain first finalizes, and is killed as it writes the finalized state:
    // every later run resumes from a finalized anchor, not from genesis
    {
      const { proc } = await startAndCheck(0);
      await proc.waitFor((l) => l.msg === "finalized", FIRST_FINALITY_TIMEOUT_MS);
      await sleep(rand() * 3);
      await proc.kill();
      collectProblems(0, proc);
      kills.push("0:finalized-state write");
      if (process.env.CRASHLOOP_DEBUG) console.error(kills.at(-1));
    }
    for (let run = 1; run < KILLS; run++) {
      const phase = schedule[run - 1];
      if (phase === "start") {
        // Anywhere from process launch to just after the API is up: module loading, db open, replay
        const proc = new DevProcess(dataDir);
        const delay = Math.floor(rand() * startMs);
        await sleep(delay);
        await proc.kill();
        collectProblems(run, proc);
        kills.push(`${run}:start+${delay}ms`);
        if (process.env.CRASHLOOP_DEBUG) console.error(kills.at(-1));
        continue;
      }
      const { proc, apiUrl, genesisTime } = await startAndCheck(run);
      // Kill in the next slot; note what the node shows two intervals before (its writes have landed by then)
      const killSlot = Math.floor((Date.now() / 1000 - genesisTime) / SECONDS_PER_SLOT) + 1;
      await sleep(intervalStartMs(genesisTime, killSlot - 1, 2) - Date.now());
      const before = await observe(apiUrl, proc);
      let at: number;
      let what: string;
      if (phase === "import") {
        // The block is produced, imported and written in the first milliseconds of its slot
        at = intervalStartMs(genesisTime, killSlot, 0) + rand() * 120;
        what = "block import";
      } else {
        // The envelope is imported and written at the reveal interval; a finalization writes the finalized state
        at = intervalStartMs(genesisTime, killSlot, REVEAL_INTERVAL) + rand() * 60;
        what = "envelope write";
      }
      const finalized = proc.waitFor((l) => l.msg === "finalized" && Date.now() < at, at - Date.now() + 50, true);
      const landed = await Promise.race([
        finalized.then(
          () => "finalized-state write" as const,
          () => undefined,
        ),
        sleep(at - Date.now()).then(() => undefined),
      ]);
      if (landed) {
        await sleep(rand() * 3);
        what = landed;
      }
      await proc.kill();
      collectProblems(run, proc);
      kills.push(`${run}:${what}@slot${killSlot}`);
      if (process.env.CRASHLOOP_DEBUG) console.error(kills.at(-1), before);
      durable = {
        headSlot: Math.max(durable.headSlot, before.headSlot),
        finalizedEpoch: Math.max(durable.finalizedEpoch, before.finalizedEpoch),
      };
    }

    // A last run: it resumes once more and builds on what it resumed
    const { proc, apiUrl, now } = await startAndCheck(KILLS);
    const deadline = Date.now() + FINAL_RUN_TIMEOUT_MS;
    let last = now;
    while (Date.now() < deadline) {
      last = await observe(apiUrl, proc);
      if (last.headSlot >= now.headSlot + FINAL_RUN_BLOCKS) break;
      await sleep(SLOT_MS);
    }
    proc.child.kill("SIGTERM");
    const { code } = await proc.exited;
    collectProblems(KILLS, proc);

    assert.equal(code, 0, `clean shutdown after the crash loop\n${proc.tail()}`);
    assert.deepEqual(problems, [], kills.join(" "));
    assert.ok(last.finalizedEpoch >= 1, `never finalized (${JSON.stringify(last)}); kills: ${kills.join(" ")}`);
    assert.ok(
      last.headSlot >= now.headSlot + FINAL_RUN_BLOCKS,
      `the chain stopped after the loop (resumed at ${now.headSlot}, then ${last.headSlot})`,
    );
    assert.ok(resumedHeads.at(-1)! > resumedHeads[1], `no progress across restarts: ${resumedHeads.join(",")}`);
  });
});
