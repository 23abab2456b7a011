import { AbiCoder, computeAddress, getAddress, keccak256, SigningKey, toUtf8Bytes, ZeroHash } from 'ethers';
import { hubDomain } from '../chain/eip712.js';
import { encodeMeters, encodeParticipants } from '../chain/openCodec.js';
import {
  OPEN_CONFIG_TYPE,
  openConfigHash,
  openConsentDigest,
  signOpenConsent,
  type OpenConfigValue,
} from '../chain/openTogether.js';

/**
 * `Hub.openTogether` consent vectors (`contracts/test/vectors/consent.json`): TypeScript's digest of a
 * participant's consent (`openConsentDigest`) and its 64-byte signature, against `HubSetup.consentDigest` and
 * OpenZeppelin's ECDSA on the same `abi.encode(config)` (replayed by `ConsentVectors.t.sol`).
 *
 * ```
 * { count, cases: [ { name, chainId, hub, deadline, encodedConfig, configHash, digest, signer, consent } ] }
 * ```
 */
export interface ConsentCase {
  name: string;
  chainId: string;
  hub: string;
  deadline: string;
  /** abi.encode(OpenConfig): forge decodes it back into the struct. */
  encodedConfig: string;
  configHash: string;
  digest: string;
  signer: string;
  consent: string;
}

const addressOf = (label: string): string => getAddress(keccak256(toUtf8Bytes(label)).slice(0, 42));

function configOf(n: number, escrow: bigint, auction: boolean): OpenConfigValue {
  const participants = Array.from({ length: n }, (_, i) => addressOf(`consent participant ${i}`));
  return {
    participants: encodeParticipants(participants),
    meters: encodeMeters(
      participants.map((_, owner) => ({ owner, scheme: owner % 2, publicKey: new Uint8Array(owner % 2 ? 64 : 32) })),
    ),
    intervalSeconds: 900,
    windowIntervals: 96,
    start: 1_700_000_000,
    windowCount: 30,
    market: {
      kind: auction ? 2 : 0,
      gridBuyPrice: 250n * 10n ** 15n,
      gridSellPrice: 50n * 10n ** 15n,
      feederCapacityWh: auction ? 5_000n : 0n,
      limitsHash: auction ? keccak256(toUtf8Bytes('limits')) : ZeroHash,
      tariffHash: ZeroHash,
    },
    token: addressOf('token'),
    bond: 10n ** 18n,
    escrow,
    challengePeriod: 3600,
    modules: {
      verifier: addressOf('verifier'),
      market: addressOf('market'),
      coSignature: addressOf('coSignature'),
      meterSchemes: [addressOf('ed25519'), addressOf('p256')],
      game: addressOf('game'),
    },
  };
}

function caseOf(name: string, chainId: bigint, config: OpenConfigValue, deadline: bigint, seed: string): ConsentCase {
  const hub = addressOf(`hub ${name}`);
  const domain = hubDomain(chainId, hub);
  const key = new SigningKey(keccak256(toUtf8Bytes(seed)));
  return {
    name,
    chainId: chainId.toString(),
    hub,
    deadline: deadline.toString(),
    encodedConfig: AbiCoder.defaultAbiCoder().encode([OPEN_CONFIG_TYPE], [config]),
    configHash: openConfigHash(config),
    digest: openConsentDigest(domain, config, deadline),
    signer: computeAddress(key),
    consent: signOpenConsent(key, domain, config, deadline),
  };
}

export function consentVectors(): { count: number; cases: ConsentCase[] } {
  const cases = [
    caseOf('two participants on anvil', 31337n, configOf(2, 5n * 10n ** 18n, false), 1_800_000_000n, 'a'),
    caseOf('ten participants, auction, mainnet', 1n, configOf(10, 0n, true), 2n ** 64n - 1n, 'b'),
    caseOf('one participant, deadline 0', 11155111n, configOf(1, 1n, false), 0n, 'c'),
  ];
  return { count: cases.length, cases };
}
