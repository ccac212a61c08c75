import {
  type AttestationData,
  type AttesterSlashing,
  type BeaconBlockHeader,
  type CachedBeaconState,
  type ChainContext,
  getBlockHeaderSignatureSet,
  getIndexedAttestationSignatureSet,
  type IndexedAttestation,
  isSlashableAttestationData,
  type ProposerSlashing,
  type SignedBeaconBlock,
  type SignedBeaconBlockHeader,
  type SingleAttestation,
  sszTypes,
  toHex,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "./errors.ts";
import { VoteErrorCode, VoteRejection } from "./votes/errors.ts";

/**
 * How many epochs of blocks the proposer watch remembers: blocks older than this no longer
 * reach the node by gossip (the pending queue keeps two epochs).
 */
const PROPOSER_WATCH_EPOCHS = 2;
/**
 * At most this many (slot, proposer) headers are remembered, oldest forgotten first: honest traffic
 * is one block per slot and a few forks, so this only bounds what a flood of blocks could pin.
 */
const MAX_WATCHED_HEADERS = 1024;
/**
 * How many target epochs of votes the attester watch remembers per validator. Gossip carries votes
 * of the last epoch's worth of slots, so this catches every double vote and the surround votes
 * within a few epochs, in memory bounded by validators × epochs.
 */
const ATTESTER_WATCH_EPOCHS = 4;

interface Vote {
  data: AttestationData;
  signature: Uint8Array;
}

interface AdmittedVote extends Vote {
  /** An unchecked conflicting vote of this validator and target epoch had its signature checked (at most one does). */
  conflictChecked: boolean;
}

interface SeenHeader {
  signed: SignedBeaconBlockHeader;
  root: string;
  /** The signature was checked (the block was imported, or a conflict made us check it). */
  verified: boolean;
  /** A gossip copy for this slot and proposer had its signature checked against this one (at most one does). */
  gossipChecked: boolean;
}

/**
 * Watches the blocks and votes that reach the node for equivocations: two different signed headers
 * of one proposer for one slot (a ProposerSlashing), two conflicting votes of one validator — a
 * double vote or a surround vote (an AttesterSlashing of two one-validator IndexedAttestations).
 *
 * A message gossip refused before checking its signature could come from anyone, with any content:
 * checking it costs a signature verification the sender does not pay for. Such a message is only
 * checked against a remembered one of the same slot and proposer (validator and target epoch), and
 * at most once per pair whatever the outcome; a forgery found so is REJECTed (it is the gossip
 * message's own signature). The price: a forged copy sent first hides a real equivocation from
 * this watch (not from peers, whose watches see the real one).
 */
export class EquivocationWatch {
  private readonly ctx: ChainContext;
  /** "slot:proposer" → the first header with a valid signature (or not yet checked) seen. */
  private readonly headers = new Map<string, SeenHeader>();
  /** Proposers already caught at a slot: one slashing each is enough. */
  private readonly caughtProposers = new Set<string>();
  /** Validator → target epoch → the first vote (signature checked) seen. */
  private readonly votes = new Map<number, Map<number, AdmittedVote>>();
  private readonly caughtAttesters = new Set<number>();

  constructor(ctx: ChainContext) {
    this.ctx = ctx;
  }

  /**
   * A block reached the node, imported or not. Returns a slashing when another block of its
   * proposer for its slot came before and both signatures are valid.
   * @param verified its signature was checked (the chain imported it, or gossip checked it)
   * @param state a recent state (the head's): its registry and fork give the proposer's key and domain
   * @param fromGossip unchecked and from anyone (gossip IGNOREd it as a repeat proposal): compared
   *   only with a remembered header, its signature checked at most once per slot and proposer.
   *   Otherwise an unchecked block is one we asked for by root (how many come is up to us).
   * @throws GossipValidationError REJECT when `fromGossip` and its signature is found invalid
   */
  onBlock(
    block: SignedBeaconBlock,
    verified: boolean,
    state: CachedBeaconState,
    fromGossip = false,
  ): ProposerSlashing | null {
    const { message } = block;
    const key = `${message.slot}:${message.proposer_index}`;
    if (this.caughtProposers.has(key)) return null;
    const first = this.headers.get(key);
    const unauthenticated = fromGossip && !verified;
    // Before hashing its body: an unchecked gossip copy with nothing (left) to check it against costs nothing
    if (unauthenticated && (!first || first.gossipChecked)) return null;
    const header: BeaconBlockHeader = {
      slot: message.slot,
      proposer_index: message.proposer_index,
      parent_root: message.parent_root,
      state_root: message.state_root,
      body_root: this.ctx.ssz.BeaconBlockBody.hashTreeRoot(message.body),
    };
    const seen: SeenHeader = {
      signed: { message: header, signature: block.signature },
      root: toHex(sszTypes.BeaconBlockHeader.hashTreeRoot(header)),
      verified,
      gossipChecked: false,
    };
    if (!first) {
      this.headers.set(key, seen);
      if (this.headers.size > MAX_WATCHED_HEADERS) this.headers.delete(this.headers.keys().next().value as string);
      return null;
    }
    if (first.root === seen.root) {
      first.verified ||= verified;
      return null;
    }
    if (unauthenticated) first.gossipChecked = true;
    // Only a pair of valid signatures slashes: a forged header must not cost an honest proposer
    if (!this.checkSignature(seen, state)) {
      if (!unauthenticated) return null;
      // [REJECT] The proposer signature, signed_beacon_block.signature, is valid with respect to the
      // proposer_index pubkey (a header's signing root is its block's)
      throw new GossipValidationError(
        "REJECT",
        ChainErrorCode.BAD_PROPOSER_SIGNATURE,
        "invalid proposer signature (a repeat proposal)",
        { root: seen.root, proposerIndex: message.proposer_index },
      );
    }
    if (!this.checkSignature(first, state)) {
      seen.gossipChecked = first.gossipChecked;
      this.headers.set(key, seen);
      return null;
    }
    this.caughtProposers.add(key);
    return { signed_header_1: first.signed, signed_header_2: seen.signed };
  }

  private checkSignature(seen: SeenHeader, state: CachedBeaconState): boolean {
    if (seen.verified) return true;
    if (seen.signed.message.proposer_index >= state.state.validators.length) return false;
    seen.verified = verifySignatureSet(getBlockHeaderSignatureSet(state, seen.signed));
    return seen.verified;
  }

  /**
   * A vote reached the node. Returns a slashing when it conflicts with an earlier admitted vote of
   * the same validator — the same target epoch with other data, or one surrounding the other — and
   * its own signature is valid.
   * @param verified its signature was checked (it was admitted); only such votes are remembered.
   *   An unchecked vote is one gossip refused as the validator's second for its target epoch: it is
   *   compared only with the remembered vote of that epoch, its signature checked at most once per
   *   validator and target epoch.
   * @param state a recent state (the head's): its registry and fork give the voter's key and domain
   * @throws VoteRejection REJECT when an unchecked vote's signature is found invalid
   */
  onAttestation(attestation: SingleAttestation, verified: boolean, state: CachedBeaconState): AttesterSlashing | null {
    const index = attestation.attester_index;
    if (this.caughtAttesters.has(index)) return null;
    const vote = { data: attestation.data, signature: attestation.signature };
    const byEpoch = this.votes.get(index);
    if (!verified) {
      const same = byEpoch?.get(vote.data.target.epoch);
      // is_slashable_attestation_data: a double vote is other data for the same target epoch
      if (!same || same.conflictChecked || !isSlashableAttestationData(same.data, vote.data)) return null;
      same.conflictChecked = true;
      // [REJECT] The signature of `attestation` is valid
      if (!this.voteSignatureValid(index, vote, state)) {
        throw new VoteRejection(
          "REJECT",
          VoteErrorCode.BAD_SIGNATURE,
          "invalid attestation signature (a double vote)",
          {
            attester: index,
          },
        );
      }
      return this.attesterCaught(index, same, vote);
    }
    for (const earlier of byEpoch?.values() ?? []) {
      // is_slashable_attestation_data(attestation_1.data, attestation_2.data): a surround vote needs
      // the surrounding one first
      if (isSlashableAttestationData(earlier.data, vote.data)) return this.attesterCaught(index, earlier, vote);
      if (isSlashableAttestationData(vote.data, earlier.data)) return this.attesterCaught(index, vote, earlier);
    }
    const admitted = { ...vote, conflictChecked: false };
    if (!byEpoch) this.votes.set(index, new Map([[vote.data.target.epoch, admitted]]));
    else if (!byEpoch.has(vote.data.target.epoch)) byEpoch.set(vote.data.target.epoch, admitted);
    return null;
  }

  private attesterCaught(index: number, first: Vote, second: Vote): AttesterSlashing {
    this.caughtAttesters.add(index);
    this.votes.delete(index);
    return { attestation_1: indexed(index, first), attestation_2: indexed(index, second) };
  }

  private voteSignatureValid(index: number, vote: Vote, state: CachedBeaconState): boolean {
    if (index >= state.state.validators.length) return false;
    return verifySignatureSet(getIndexedAttestationSignatureSet(state, indexed(index, vote)));
  }

  /** Forget blocks and votes too old to matter. */
  prune(currentSlot: number): void {
    const { SLOTS_PER_EPOCH } = this.ctx.preset;
    const oldestSlot = currentSlot - PROPOSER_WATCH_EPOCHS * SLOTS_PER_EPOCH;
    for (const [key, seen] of this.headers) if (seen.signed.message.slot < oldestSlot) this.headers.delete(key);
    for (const key of this.caughtProposers)
      if (Number(key.split(":")[0]) < oldestSlot) this.caughtProposers.delete(key);
    const oldestEpoch = Math.floor(currentSlot / SLOTS_PER_EPOCH) - ATTESTER_WATCH_EPOCHS;
    for (const [index, byEpoch] of this.votes) {
      for (const epoch of byEpoch.keys()) if (epoch < oldestEpoch) byEpoch.delete(epoch);
      if (byEpoch.size === 0) this.votes.delete(index);
    }
  }
}

function indexed(index: number, vote: Vote): IndexedAttestation {
  return { attesting_indices: [index], data: vote.data, signature: vote.signature };
}
