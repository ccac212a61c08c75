import {
  type AttesterSlashing,
  type ProposerSlashing,
  type SignedBeaconBlock,
  type SignedVoluntaryExit,
  type SingleAttestation,
  TicketStateError,
} from "@turnstile/ticket-state";
import type { Chain } from "./chain.ts";
import { EquivocationWatch } from "./equivocations.ts";
import type { OpPools } from "./opPools.ts";
import { validateAttesterSlashing } from "./validation/attesterSlashing.ts";
import { validateProposerSlashing } from "./validation/proposerSlashing.ts";
import { validateVoluntaryExit } from "./validation/voluntaryExit.ts";

/** The gossip topics of the operations this handles. */
export type ExitOrSlashingTopic = "voluntary_exit" | "proposer_slashing" | "attester_slashing";

/**
 * Voluntary exits and slashings: admitted from gossip or the API after the gossip checks (against
 * the head state), pooled for blocks, and made by the node itself from equivocations it sees.
 * `import*` throw a typed error (GossipValidationError, with `action`, or the state transition's) and
 * pool nothing when refused.
 */
export class ExitsAndSlashings {
  private readonly chain: Chain;
  private readonly pools: OpPools;
  private readonly publish: (topic: ExitOrSlashingTopic, value: unknown) => void;
  readonly watch: EquivocationWatch;

  /** @param publish sends what the node admits or makes to its peers */
  constructor(chain: Chain, pools: OpPools, publish: (topic: ExitOrSlashingTopic, value: unknown) => void) {
    this.chain = chain;
    this.pools = pools;
    this.publish = publish;
    this.watch = new EquivocationWatch(chain.ctx);
  }

  importVoluntaryExit(exit: SignedVoluntaryExit): void {
    validateVoluntaryExit(this.chain.head().state, this.pools.voluntaryExits, exit);
    this.pools.voluntaryExits.add(exit);
  }

  importProposerSlashing(slashing: ProposerSlashing): void {
    validateProposerSlashing(this.chain.head().state, this.pools.proposerSlashings, slashing);
    this.pools.proposerSlashings.add(slashing);
  }

  importAttesterSlashing(slashing: AttesterSlashing): void {
    const indices = validateAttesterSlashing(this.chain.head().state, this.pools.attesterSlashings, slashing);
    this.pools.attesterSlashings.add(slashing, indices);
  }

  /** Admit an operation submitted to this node (the API) and send it to peers; throws when refused. */
  submitVoluntaryExit(exit: SignedVoluntaryExit): void {
    this.importVoluntaryExit(exit);
    this.publish("voluntary_exit", exit);
  }

  submitProposerSlashing(slashing: ProposerSlashing): void {
    this.importProposerSlashing(slashing);
    this.publish("proposer_slashing", slashing);
  }

  submitAttesterSlashing(slashing: AttesterSlashing): void {
    this.importAttesterSlashing(slashing);
    this.publish("attester_slashing", slashing);
  }

  /**
   * A block reached the node (imported or refused): a second block of its proposer for its slot
   * makes a proposer slashing, which is pooled and published.
   * @param imported the chain imported it (its signature is valid)
   * @param fromGossip gossip refused it unchecked (see EquivocationWatch.onBlock, which may throw REJECT)
   */
  onBlock(block: SignedBeaconBlock, imported: boolean, fromGossip = false): ProposerSlashing | null {
    const slashing = this.watch.onBlock(block, imported, this.chain.head().state, fromGossip);
    if (slashing) this.tryOwn(() => this.submitProposerSlashing(slashing));
    return slashing;
  }

  /**
   * A vote reached the node (admitted or refused): a double or surround vote makes an attester
   * slashing, which is pooled and published.
   * @param admitted gossip admitted it (its signature is valid); else see EquivocationWatch.onAttestation,
   *   which may throw REJECT
   */
  onAttestation(attestation: SingleAttestation, admitted: boolean): AttesterSlashing | null {
    const slashing = this.watch.onAttestation(attestation, admitted, this.chain.head().state);
    if (slashing) this.tryOwn(() => this.submitAttesterSlashing(slashing));
    return slashing;
  }

  /** What we made ourselves may be refused (its validator was already slashed, or a peer's slashing came first). */
  private tryOwn(submit: () => void): void {
    try {
      submit();
    } catch (e) {
      if (!(e instanceof TicketStateError)) throw e;
    }
  }

  /** Drop what blocks included or what no longer applies to the head, and votes and blocks too old to watch. */
  prune(currentSlot: number): void {
    const head = this.chain.head().state;
    this.pools.voluntaryExits.prune(head);
    this.pools.proposerSlashings.prune(head);
    this.pools.attesterSlashings.prune(head);
    this.watch.prune(currentSlot);
  }
}
