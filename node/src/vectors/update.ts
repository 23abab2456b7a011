import { AbiCoder, keccak256, SigningKey, toUtf8Bytes } from 'ethers';
import { hubDomain, windowResultDigest } from '../chain/eip712.js';
import { claimHash } from '../window/disputeProof.js';
import { toWords } from '../chain/signerBitmap.js';
import { encodeEcdsaCoSignature } from '../chain/ecdsaCoSignature.js';
import { toHex } from '../util/hex.js';
import { packState, stateHash, U64_MAX, type ParticipantState } from '../window/state.js';

const I128_MAX = (1n << 127n) - 1n;

function state(nets: bigint[], energy: (i: number, k: number) => bigint): ParticipantState[] {
  return nets.map((net, i) => ({
    exportWh: energy(i, 0),
    importWh: energy(i, 1),
    p2pSoldWh: energy(i, 2),
    p2pBoughtWh: energy(i, 3),
    gridSoldWh: energy(i, 4),
    gridBoughtWh: energy(i, 5),
    net,
  }));
}

/**
 * `Hub.update`'s statement and encodings (TypeScript writes, forge replays): the EIP-712 `WindowResult`
 * digest (window root, state hash, balances root) and `Hub.claimHash` of a few results; packed final
 * states (what a BadBalances proof carries) with the state hash
 * and nets the hub must derive from them (`PackedState.decode`), and ECDSA signer-set blobs
 * (bitmap ‖ 64-byte EIP-2098 signatures) with the bitmap `EcdsaSignerSet.verify` must return.
 */
export function updateVectors() {
  const states = [
    state([-100n, 100n], (i, k) => BigInt(i * 10 + k)),
    // Every field at its bound: uint64 max, |net| = int128 max both ways.
    state([I128_MAX, -I128_MAX, 0n], () => U64_MAX),
    state([-5n, 3n, 0n, 2n, -1n, 1n, 0n], (i, k) => BigInt((i * 7919 + k * 104729) % 50_000)),
  ];
  const packed = states.map((s) => ({
    participants: s.length,
    packed: toHex(packState(s)),
    stateHash: stateHash(s),
    nets: AbiCoder.defaultAbiCoder().encode(['int256[]'], [s.map((p) => p.net)]),
  }));
  const keyOf = (i: number) => new SigningKey(keccak256(toUtf8Bytes(`ecdsa-cosigner-${i}`)));
  const keys = Array.from({ length: 5 }, (_, i) => keyOf(i));
  const digest = keccak256(toUtf8Bytes('DIVERSITY window result digest'));
  const subsets = [[0, 1, 2, 3, 4], [4, 1], [2]];
  // The co-signed statement and the claim's name: the EIP-712 WindowResult (with balancesRoot) and
  // Hub.claimHash (4 fields), for a hub at a fixed address.
  const hub = '0xd15b0000000000000000000000000000000000a1';
  const word = (label: string) => keccak256(toUtf8Bytes(label));
  const windowResults = [
    { chainId: 31337n, communityId: 1n, window: 0 },
    { chainId: 31337n, communityId: 7n, window: 41 },
    { chainId: 1n, communityId: (1n << 64n) - 1n, window: 0xffffffff },
  ].map(({ chainId, communityId, window }, k) => {
    const msg = {
      communityId,
      window,
      windowRoot: word(`window-root-${k}`),
      stateHash: word(`state-hash-${k}`),
      balancesRoot: word(`balances-root-${k}`),
    };
    return {
      chainId: chainId.toString(),
      hub,
      communityId: communityId.toString(),
      window,
      windowRoot: msg.windowRoot,
      stateHash: msg.stateHash,
      balancesRoot: msg.balancesRoot,
      digest: windowResultDigest(hubDomain(chainId, hub), msg),
      claimHash: claimHash(window, msg.windowRoot, msg.stateHash, msg.balancesRoot),
    };
  });
  return {
    windowResults,
    packedStates: packed,
    ecdsa: {
      participants: keys.length,
      privateKeys: keys.map((k) => k.privateKey),
      digest,
      cases: subsets.map((who) => ({
        signers: `0x${who
          .reduce((b, i) => b | (1n << BigInt(i)), 0n)
          .toString(16)
          .padStart(64, '0')}`,
        blob: encodeEcdsaCoSignature(
          who.map((i) => ({ signer: i, signature: keys[i].sign(digest).serialized })),
          keys.length,
        ),
      })),
      // Multi-word bitmaps (`SignerBitmap`: ⌈n/256⌉ words): participant i's key is keccak256("ecdsa-cosigner-i").
      wide: (
        [
          [257, [0, 255, 256]],
          [1000, [3, 255, 256, 511, 512, 767, 768, 999]],
        ] as [number, number[]][]
      ).map(([n, who]) => ({
        participants: n,
        signers: who,
        words: toWords(who, n).map((w) => `0x${w.toString(16).padStart(64, '0')}`),
        blob: encodeEcdsaCoSignature(
          who.map((i) => ({ signer: i, signature: keyOf(i).sign(digest).serialized })),
          n,
        ),
      })),
    },
  };
}
