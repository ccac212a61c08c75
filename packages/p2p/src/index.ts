// The network: libp2p host, gossip, req/resp, peers

// Constants and errors
export * from "./constants.ts";
export { Counters } from "./counters.ts";
export { BufferByteSource, type ByteSource, ChunkedByteSource } from "./encoding/byteSource.ts";
// Encoding
export { compressBlock, maxCompressedLength, uncompressBlock } from "./encoding/snappyBlock.ts";
export { encodeSnappyFrames, maskedCrc32c } from "./encoding/snappyFrames.ts";
export { decodeSszSnappy, encodeSszSnappy, readSszSnappyPayload, type SizeBounds } from "./encoding/sszSnappy.ts";
export * from "./errors.ts";
// Gossip
export {
  DEFAULT_GOSSIP_OPTIONS,
  type GossipFault,
  type GossipHandler,
  type GossipOptions,
  type GossipValidator,
} from "./gossip/gossip.ts";
export { computeMessageId } from "./gossip/messageId.ts";
export {
  computePeerScoreParams,
  computeTopicScoreParams,
  GOSSIP_SCORE_THRESHOLDS,
  MAX_POSITIVE_SCORE,
  TOPIC_WEIGHTS,
} from "./gossip/scoringParams.ts";
export {
  GOSSIP_TOPIC_NAMES,
  type GossipMessageTypes,
  type GossipTopicName,
  getGossipTypes,
  gossipTopicString,
  parseGossipTopic,
} from "./gossip/topics.ts";
export { createNetwork, Network, type NetworkEvents, type NetworkOptions, type PeerScore } from "./network.ts";
// Peers
export { DEFAULT_PEER_MANAGER_OPTIONS, type PeerManagerOptions } from "./peers/peerManager.ts";
export { PEER_ACTION_PENALTY, PeerAction } from "./peers/peerScore.ts";
// Req/resp
export type { ReqRespHandlers } from "./reqresp/handlers.ts";
export { getProtocols, type ProtocolDefinition, protocolId, ReqRespMethod } from "./reqresp/protocols.ts";
export { RateLimiter, type RateLimitQuota } from "./reqresp/rateLimiter.ts";
export {
  DEFAULT_RATE_LIMITS,
  DEFAULT_REQRESP_OPTIONS,
  encodeErrorChunk,
  encodeResponseChunk,
  type ReqRespOptions,
  type ResponsePayloads,
} from "./reqresp/reqResp.ts";
export type { NetworkRequests } from "./reqresp/requests.ts";
export type { BeaconBlocksByRangeRequest, Metadata, Status } from "./sszTypes.ts";
// SSZ containers of req/resp
export * as p2pSszTypes from "./sszTypes.ts";
