import { EventEmitter } from "node:events";

/** Events of the slot clock: a new slot, and each of its four intervals (DESIGN.md §5). */
export interface ClockEvents {
  slot: [slot: number];
  interval: [slot: number, interval: number];
}

export const INTERVALS_PER_SLOT = 4;

/**
 * The wall-clock slot timer: slot 0 starts at genesis time; each slot has four intervals
 * (0 block, 1 attestations, 2 payload reveal, 3 PTC votes). `now` is injectable for tests.
 */
export class Clock extends EventEmitter<ClockEvents> {
  readonly genesisTime: number;
  readonly secondsPerSlot: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private lastInterval = -1;

  constructor(genesisTime: number, secondsPerSlot: number, now: () => number = () => Date.now() / 1000) {
    super();
    this.genesisTime = genesisTime;
    this.secondsPerSlot = secondsPerSlot;
    this.now = now;
  }

  /** Now, in Unix seconds (what fork choice's on_tick takes). */
  get time(): number {
    return this.now();
  }

  get currentSlot(): number {
    return Math.max(0, Math.floor((this.now() - this.genesisTime) / this.secondsPerSlot));
  }

  /** Interval index (0-3) within the current slot. */
  get currentInterval(): number {
    const intoSlot = (this.now() - this.genesisTime) % this.secondsPerSlot;
    return Math.floor((intoSlot * INTERVALS_PER_SLOT) / this.secondsPerSlot);
  }

  start(): void {
    if (this.timer !== null) return;
    const tick = () => {
      const elapsed = this.now() - this.genesisTime;
      if (elapsed >= 0) {
        const intervalSeconds = this.secondsPerSlot / INTERVALS_PER_SLOT;
        const absolute = Math.floor(elapsed / intervalSeconds);
        // Emit every interval reached since the last tick, in order (a busy loop may skip timers)
        for (let i = this.lastInterval + 1; i <= absolute; i++) {
          if (this.lastInterval === -1 && i < absolute) continue;
          const slot = Math.floor(i / INTERVALS_PER_SLOT);
          const interval = i % INTERVALS_PER_SLOT;
          if (interval === 0) this.emit("slot", slot);
          this.emit("interval", slot, interval);
        }
        this.lastInterval = Math.max(this.lastInterval, absolute);
      }
      const intervalMs = (this.secondsPerSlot / INTERVALS_PER_SLOT) * 1000;
      const sinceGenesisMs = (this.now() - this.genesisTime) * 1000;
      const delay = sinceGenesisMs < 0 ? -sinceGenesisMs : intervalMs - (sinceGenesisMs % intervalMs);
      this.timer = setTimeout(tick, Math.max(1, Math.ceil(delay)));
    };
    tick();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
