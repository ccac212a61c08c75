/** What one node's /metrics says about chain health at one poll. */
export interface PollHealth {
  finalized: number;
  /** The epoch the participation figures describe (the head state's previous epoch). */
  participationEpoch: number;
  activeGwei: number;
  targetGwei: number;
  headGwei: number;
  reorgs: number;
  deepestReorg: number;
}

/** Assertoor-style health figures of a devnet run. */
export interface HealthSummary {
  /**
   * Correct target (head) votes' share of the active balance, over the epochs after the genesis
   * epoch that the run saw as previous epoch; `allEpochs` counts the genesis epoch too.
   */
  targetVoteShare: number | null;
  headVoteShare: number | null;
  allEpochs: { targetVoteShare: number | null; headVoteShare: number | null };
  participationPerEpoch: { epoch: number; target: number; head: number }[];
  /** Most epochs the best finalized checkpoint lagged the wall-clock epoch by, at any poll from FIRST_FINALIZING_EPOCH on. */
  maxFinalityLagEpochs: number;
  firstFinalizationSlot: number | null;
  /** Longest run of slots without the finalized epoch advancing, from the first finalization to the end. */
  longestFinalizationGapSlots: number | null;
  reorgsPerNode: number[];
  deepestReorgSlots: number;
}

export interface HealthLimits {
  maxFinalityLagEpochs: number;
  minTargetVoteShare: number;
  minHeadVoteShare: number;
  maxReorgDepthSlots: number;
}

const SHARE_DECIMALS = 1000;
/**
 * The genesis epoch is warm-up, not judged: the devnet spawns its nodes a few seconds before
 * genesis, and a loaded machine misses the first slots (blocks, so the votes they would include).
 */
const FIRST_JUDGED_EPOCH = 1;
/**
 * process_justification_and_finalization returns early while current_epoch <= GENESIS_EPOCH + 1,
 * so epochs 1 and 2 are justified on entering epoch 3 and epoch 2 finalized on entering epoch 4,
 * at the earliest: finality lag counts from there.
 */
export const FIRST_FINALIZING_EPOCH = 4;
const share = (part: number, whole: number) => Math.round((part / whole) * SHARE_DECIMALS) / SHARE_DECIMALS;

/** Follow the nodes' health polls through a run. */
export function trackHealth(slotsPerEpoch: number) {
  // The last (most complete) participation seen for each epoch
  const epochs = new Map<number, { active: number; target: number; head: number }>();
  let maxLag = 0;
  let lastFinalized = 0;
  const finalizations: number[] = [];
  let lastSlot = 0;
  const lastReorgs: number[] = [];
  const reorgs: number[] = [];
  let deepest = 0;
  return {
    observe(slot: number, polls: (PollHealth | undefined)[]): void {
      lastSlot = slot;
      const up = polls.filter((p): p is PollHealth => p !== undefined);
      if (up.length === 0) return;
      const p = up[0];
      if (p.activeGwei > 0)
        epochs.set(p.participationEpoch, { active: p.activeGwei, target: p.targetGwei, head: p.headGwei });
      // Finality of the chain, not of a node still syncing: the best finalized epoch any node has
      const finalized = Math.max(...up.map((q) => q.finalized));
      const epoch = Math.floor(slot / slotsPerEpoch);
      if (epoch >= FIRST_FINALIZING_EPOCH) maxLag = Math.max(maxLag, epoch - finalized);
      if (finalized > lastFinalized) {
        lastFinalized = finalized;
        finalizations.push(slot);
      }
      polls.forEach((q, i) => {
        if (q === undefined) return;
        // A restarted node counts from zero again
        const last = lastReorgs[i] ?? 0;
        reorgs[i] = (reorgs[i] ?? 0) + (q.reorgs >= last ? q.reorgs - last : q.reorgs);
        lastReorgs[i] = q.reorgs;
        deepest = Math.max(deepest, q.deepestReorg);
      });
    },
    summary(): HealthSummary {
      const sorted = [...epochs].sort(([a], [b]) => a - b);
      const shares = (from: number) => {
        let active = 0;
        let target = 0;
        let head = 0;
        for (const [epoch, e] of sorted) {
          if (epoch < from) continue;
          active += e.active;
          target += e.target;
          head += e.head;
        }
        return {
          targetVoteShare: active > 0 ? share(target, active) : null,
          headVoteShare: active > 0 ? share(head, active) : null,
        };
      };
      const participationPerEpoch = sorted.map(([epoch, e]) => ({
        epoch,
        target: share(e.target, e.active),
        head: share(e.head, e.active),
      }));
      let gap: number | null = null;
      for (let i = 0; i < finalizations.length; i++)
        gap = Math.max(gap ?? 0, (finalizations[i + 1] ?? lastSlot) - finalizations[i]);
      return {
        ...shares(FIRST_JUDGED_EPOCH),
        allEpochs: shares(0),
        participationPerEpoch,
        maxFinalityLagEpochs: maxLag,
        firstFinalizationSlot: finalizations[0] ?? null,
        longestFinalizationGapSlots: gap,
        reorgsPerNode: Array.from(reorgs, (r) => r ?? 0),
        deepestReorgSlots: deepest,
      };
    },
  };
}

export type DevnetHealth = ReturnType<typeof trackHealth>;

/** Why the run is unhealthy: one line per limit broken, empty when healthy. */
export function judgeHealth(h: HealthSummary, limits: HealthLimits): string[] {
  const failures: string[] = [];
  if (h.maxFinalityLagEpochs > limits.maxFinalityLagEpochs)
    failures.push(`finality lagged ${h.maxFinalityLagEpochs} epochs (limit ${limits.maxFinalityLagEpochs})`);
  if (h.targetVoteShare === null || h.targetVoteShare < limits.minTargetVoteShare)
    failures.push(`correct target votes ${h.targetVoteShare} (minimum ${limits.minTargetVoteShare})`);
  if (h.headVoteShare === null || h.headVoteShare < limits.minHeadVoteShare)
    failures.push(`correct head votes ${h.headVoteShare} (minimum ${limits.minHeadVoteShare})`);
  if (h.deepestReorgSlots > limits.maxReorgDepthSlots)
    failures.push(`a reorg ${h.deepestReorgSlots} slots deep (limit ${limits.maxReorgDepthSlots})`);
  return failures;
}
