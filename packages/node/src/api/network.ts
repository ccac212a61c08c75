import type { Network } from "@turnstile/p2p";
import type { ApiNetwork, ApiPeer } from "./context.ts";

/** What the node endpoints read of a running p2p network: identity, listen addresses, MetaData, connections. */
export function apiNetworkOf(network: Network): ApiNetwork {
  return {
    peerId: network.peerId.toString(),
    listenAddresses: () => network.multiaddrs,
    metadata: () => {
      const m = network.getMetadata();
      return { seqNumber: Number(m.seq_number), attnets: m.attnets.uint8Array };
    },
    peers: () => {
      // One row per peer: its first open connection says the address and who dialled
      const byPeer = new Map<string, ApiPeer>();
      for (const c of network.libp2p.getConnections()) {
        const peerId = c.remotePeer.toString();
        if (c.status !== "open" || byPeer.has(peerId)) continue;
        byPeer.set(peerId, { peerId, address: c.remoteAddr.toString(), direction: c.direction });
      }
      return [...byPeer.values()];
    },
  };
}
