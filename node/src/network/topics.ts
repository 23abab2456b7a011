import type { CommunityInfo } from '../community/types.js';

/** Gossip topics and protocols are scoped by chain, hub and community: no cross-talk. */
export function communityScope(c: Pick<CommunityInfo, 'chainId' | 'hub' | 'communityId'>): string {
  return `${c.chainId}/${c.hub.toLowerCase()}/${c.communityId}`;
}

export function topics(c: Pick<CommunityInfo, 'chainId' | 'hub' | 'communityId'>) {
  const scope = communityScope(c);
  return {
    readings: `/diversity/${scope}/readings/1`,
    coSignatures: `/diversity/${scope}/cosignatures/1`,
    windowProtocol: `/diversity/${scope}/window/1`,
  };
}

export type Topics = ReturnType<typeof topics>;
