import { createHash } from 'node:crypto';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { PrivateKey } from '@libp2p/interface';

/**
 * The node's libp2p identity, derived from its Ethereum key: a restart keeps its peer id, and
 * an operator (or the devnet) can write bootstrap addresses without asking the node first.
 */
export async function peerKeyFromSecret(secret: string): Promise<PrivateKey> {
  const seed = createHash('sha256').update('DIVERSITY.libp2p').update(secret.toLowerCase()).digest();
  // @libp2p/crypto and libp2p may resolve different copies of @libp2p/interface: same runtime shape.
  return (await generateKeyPairFromSeed('Ed25519', seed)) as unknown as PrivateKey;
}

export async function peerIdFromSecret(secret: string): Promise<string> {
  return peerIdFromPrivateKey(await peerKeyFromSecret(secret)).toString();
}
