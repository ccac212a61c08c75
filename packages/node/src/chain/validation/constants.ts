/**
 * `MAXIMUM_GOSSIP_CLOCK_DISPARITY` (consensus p2p-interface configuration, 500 ms): how far a
 * peer's clock may run ahead of ours before what it sends counts as from the future.
 */
export const MAXIMUM_GOSSIP_CLOCK_DISPARITY_SECONDS = 0.5;
