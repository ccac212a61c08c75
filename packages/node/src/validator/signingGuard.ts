import { toHex } from "@turnstile/ticket-state";
import type { Logger } from "../logger.ts";
import type { CommitmentRecord, SlashingProtectionDb } from "./slashingProtectionDb.ts";
import { SlashingProtectionError, SlashingProtectionErrorCode } from "./slashingProtectionErrors.ts";

export interface SigningValidator {
  index: number;
  pubkey: Uint8Array;
}

export interface AttestationToSign {
  validator: SigningValidator;
  sourceEpoch: number;
  targetEpoch: number;
  signingRoot: Uint8Array;
}

/**
 * Asked by the validator client before a slashable message's signature leaves the node. A yes
 * means the message is recorded (durably); a no means the duty is skipped.
 */
export interface SigningGuard {
  mayProposeBlock(validator: SigningValidator, slot: number, signingRoot: Uint8Array): Promise<boolean>;
  /** One answer per vote, in order. */
  mayAttest(votes: readonly AttestationToSign[]): Promise<boolean[]>;
}

/**
 * Asked by a ticket holder's payload duty (payloadDuty.ts) before a commitment's signature leaves
 * the node: one commitment per key and slot, kept with what it committed to for the reveal.
 */
export interface HolderSigningGuard {
  /** What this key committed at `slot` before (possibly before a restart), or null; rejects (logged) if unreadable. */
  recordedCommitment(pubkey: Uint8Array, slot: number): Promise<CommitmentRecord | null>;
  /**
   * Record the commitment (durably) if it is the key's first for the slot, or the same one again.
   * Resolves to the record to send from, or null: refused (another commitment was signed), skip the duty.
   */
  mayCommit(
    pubkey: Uint8Array,
    slot: number,
    signingRoot: Uint8Array,
    data: Uint8Array,
  ): Promise<CommitmentRecord | null>;
  /** Drop the records below `slot` (finalized); commitments below it are refused from then on. */
  pruneCommitments(slot: number): void;
}

/**
 * The EIP-3076 database as a signing guard for validators and ticket holders: refusals are logged
 * at warn with their code; failures refuse.
 */
export class SlashingProtectionGuard implements SigningGuard, HolderSigningGuard {
  private readonly db: SlashingProtectionDb;
  private readonly log: Logger;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(db: SlashingProtectionDb, log: Logger) {
    this.db = db;
    this.log = log;
  }

  mayProposeBlock(validator: SigningValidator, slot: number, signingRoot: Uint8Array): Promise<boolean> {
    return this.track(
      this.db.checkAndRecordBlock({ pubkey: validator.pubkey, slot, signingRoot }).then(
        () => true,
        (e: unknown) => this.refused(e, validator, "block", { slot }),
      ),
    );
  }

  mayAttest(votes: readonly AttestationToSign[]): Promise<boolean[]> {
    const requests = votes.map((v) => ({
      pubkey: v.validator.pubkey,
      sourceEpoch: v.sourceEpoch,
      targetEpoch: v.targetEpoch,
      signingRoot: v.signingRoot,
    }));
    return this.track(
      this.db.checkAndRecordAttestations(requests).then(
        (verdicts) =>
          verdicts.map((error, i) => {
            if (error === null) return true;
            const { validator, sourceEpoch, targetEpoch } = votes[i];
            return this.refused(error, validator, "attestation", { sourceEpoch, targetEpoch });
          }),
        (e: unknown) =>
          votes.map(({ validator, sourceEpoch, targetEpoch }) =>
            this.refused(e, validator, "attestation", { sourceEpoch, targetEpoch }),
          ),
      ),
    );
  }

  recordedCommitment(pubkey: Uint8Array, slot: number): Promise<CommitmentRecord | null> {
    return this.track(
      this.db.getCommitment(pubkey, slot).then(
        (record) => record ?? null,
        (e: unknown) => {
          // Unknown whether we committed: the duty is skipped (fail closed)
          this.holderRefused(e, pubkey, slot);
          throw e;
        },
      ),
    );
  }

  mayCommit(
    pubkey: Uint8Array,
    slot: number,
    signingRoot: Uint8Array,
    data: Uint8Array,
  ): Promise<CommitmentRecord | null> {
    return this.track(
      this.db.checkAndRecordCommitment({ pubkey, slot, signingRoot, data }).catch((e: unknown) => {
        this.holderRefused(e, pubkey, slot);
        return null;
      }),
    );
  }

  pruneCommitments(slot: number): void {
    void this.track(
      this.db
        .pruneCommitments(slot)
        .catch((e: unknown) =>
          this.log.error({ slot, err: (e as Error).message }, "slashing protection: pruning holder commitments failed"),
        ),
    );
  }

  /** Resolves once every check asked so far has been answered (tests step duties with it). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    promise.finally(() => this.inflight.delete(promise)).catch(() => {});
    return promise;
  }

  private holderRefused(error: unknown, pubkey: Uint8Array, slot: number): void {
    const kind = "payload commitment";
    this.logRefusal(error, kind, { pubkey: toHex(pubkey), kind, slot });
  }

  private refused(error: unknown, validator: SigningValidator, kind: string, data: Record<string, unknown>): false {
    this.logRefusal(error, kind, { validatorIndex: validator.index, pubkey: toHex(validator.pubkey), kind, ...data });
    return false;
  }

  /** Refusals at warn with their code; a failing database at error (fail closed). `fields` carry `kind`. */
  private logRefusal(error: unknown, kind: string, fields: Record<string, unknown>): void {
    if (error instanceof SlashingProtectionError) {
      this.log.warn({ ...fields, code: error.code }, `slashing protection: refused to sign ${kind}, duty skipped`);
    } else {
      // Fail closed: without a durable record nothing is signed
      this.log.error(
        { ...fields, code: SlashingProtectionErrorCode.DATABASE_FAILURE, err: (error as Error).message },
        `slashing protection: database failed, ${kind} not signed`,
      );
    }
  }
}
