import {
  AbiCoder,
  type Contract,
  concat,
  keccak256,
  Signature,
  type SigningKey,
  TypedDataEncoder,
  type TypedDataDomain,
} from 'ethers';

/**
 * `Hub.openTogether` (DESIGN.md §5.6, "Opening together"): a community every participant consented to opens
 * Active in one transaction. Participant i's consent is its EIP-712 signature, under the hub's domain, of
 * `OpenConsent(bytes32 config, uint256 deadline)` with `config` = keccak256(abi.encode(OpenConfig)); the hub
 * takes them packed, 64 bytes each (EIP-2098), in index order. Twin of `HubSetup.consentDigest`
 * (vectors in `contracts/test/vectors/consent.json`, replayed by `ConsentVectors.t.sol`).
 *
 * `Hub.openTogetherWithPermits` takes, beside the consents, each participant's EIP-2612 permit for its deposit
 * (bond + escrow) to the hub, until the consents' deadline, 64 bytes each in index order (64 zero bytes: that
 * participant approved the hub beforehand): nobody needs an `approve` transaction of its own. A permit is the
 * token's EIP-712 message, under the token's domain; the token checks it, so no vectors of ours are needed.
 */

/**
 * The most participants the project's tools (devnet, simulator) open a community together for. They open with
 * `openTogetherWithPermits`, whose gas grows by about 60,400 a participant before refunds (each permit writes
 * the token's nonce and allowance; a transaction's gas limit must cover them): 12,372,304 at N = 200
 * (`openTogetherPermits_N200_txGas`, `HubGasTest`), and ~15.75 M at N = 256, past the simulator's 16,000,000 gas
 * limit (s24's community-size sweep: its N = 256 opening reverted) and near the per-transaction cap of
 * 16,777,216 (EIP-7825). Above this bound a community opens with `open` and one `join` each. The hub sets no
 * bound: a transaction that does not fit harms nobody, it just does not go through.
 */
export const OPEN_TOGETHER_MAX_PARTICIPANTS = 200;

/** Whether an ECDSA community of `participants` members opens together (`OPEN_TOGETHER_MAX_PARTICIPANTS`). */
export function fitsOpenTogether(participants: number): boolean {
  return participants >= 1 && participants <= OPEN_TOGETHER_MAX_PARTICIPANTS;
}

/** The ABI type of `OpenConfig` (contracts/src/types/Community.sol), as `abi.encode` lays it out. */
export const OPEN_CONFIG_TYPE =
  'tuple(bytes participants, bytes meters, uint32 intervalSeconds, uint32 windowIntervals, uint64 start, ' +
  'uint32 windowCount, tuple(uint8 kind, uint128 gridBuyPrice, uint128 gridSellPrice, uint64 feederCapacityWh, ' +
  'bytes32 limitsHash, bytes32 tariffHash) market, address token, uint128 bond, uint128 escrow, ' +
  'uint32 challengePeriod, tuple(address verifier, address market, address coSignature, address[] meterSchemes, ' +
  'address game) modules)';

export const OPEN_CONSENT_TYPES = {
  OpenConsent: [
    { name: 'config', type: 'bytes32' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** An `OpenConfig` as ethers encodes it (the object `Hub.open` takes). */
export type OpenConfigValue = Record<string, unknown>;

/** keccak256(abi.encode(config)): what a consent binds (every field of the configuration). */
export function openConfigHash(config: OpenConfigValue): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode([OPEN_CONFIG_TYPE], [config]));
}

/** The EIP-712 digest a participant signs to consent to `config` until `deadline` (unix seconds). */
export function openConsentDigest(domain: TypedDataDomain, config: OpenConfigValue, deadline: bigint): string {
  return TypedDataEncoder.hash(domain, OPEN_CONSENT_TYPES, { config: openConfigHash(config), deadline });
}

/** `key`'s consent to `config` until `deadline`, in the hub's 64-byte form (r ‖ yParityAndS). */
export function signOpenConsent(
  key: SigningKey,
  domain: TypedDataDomain,
  config: OpenConfigValue,
  deadline: bigint,
): string {
  return Signature.from(key.sign(openConsentDigest(domain, config, deadline))).compactSerialized;
}

/** Consents (64-byte compact or 65-byte signatures, hex) packed in index order for `openTogether`. */
export function packConsents(signatures: readonly string[]): string {
  return concat(signatures.map((s) => Signature.from(s).compactSerialized));
}

/** EIP-2612's `Permit` type (the token's EIP-712 domain). */
export const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** What one EIP-2612 permit allows: `spender` may pull `value` of `owner`'s tokens until `deadline`. */
export interface PermitTerms {
  owner: string;
  spender: string;
  value: bigint;
  /** The token's `nonces(owner)` when the permit is used. */
  nonce: bigint;
  deadline: bigint;
}

/** `key`'s EIP-2612 permit under the token's `domain`, in the hub's 64-byte form (r ‖ yParityAndS). */
export function signPermit(key: SigningKey, domain: TypedDataDomain, terms: PermitTerms): string {
  return Signature.from(key.sign(TypedDataEncoder.hash(domain, PERMIT_TYPES, terms))).compactSerialized;
}

/** 64 zero bytes: a participant that approved the hub beforehand gives no permit. */
export const NO_PERMIT = `0x${'00'.repeat(64)}`;

/** Permits (signatures, or `NO_PERMIT`) packed in index order for `openTogetherWithPermits`. */
export function packPermits(permits: readonly string[]): string {
  return concat(permits.map((p) => (p === NO_PERMIT ? p : Signature.from(p).compactSerialized)));
}

/** A token's EIP-712 domain as it reports it (EIP-5267 `eip712Domain()`, which OpenZeppelin's ERC20Permit has). */
export async function tokenDomain(token: Contract): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
  return { name, version, chainId, verifyingContract };
}
