import { AbiCoder, keccak256, solidityPacked } from 'ethers';
import { buildLevels, merkleProof, merkleRoot, treeDepth, verifyMerkleProof } from './merkle.js';

/**
 * The meter registry (twin of `contracts/src/libraries/MeterRegistry.sol`): a community's meters as one
 * Merkle root. `Hub.open` stores only the root and the count; the list is in the open transaction's
 * calldata (`HubClient.meters`). A proof that needs a meter carries its record and its opening
 * (`MeterRecordOpening`).
 *
 * Leaf k = keccak256(0x05 ‖ uint32 k ‖ uint32 owner ‖ uint8 scheme ‖ keccak256(publicKey)): a domain byte of its
 * own (§4), the index, and the key by its hash (one preimage length whatever the scheme). The tree is
 * `merkle.ts`'s: zero-padded to 2^depth(M), siblings ordered by index bits.
 */
export const METER_RECORD_DOMAIN = 0x05;
/** `MeterRegistry.MAX_METERS`: the most meters a community registers. */
export const MAX_METERS = 1024;
/** `MeterRegistry.MAX_KEY_LENGTH`. */
export const MAX_METER_KEY_LENGTH = 64;

/** What the registry commits to of one meter. */
export interface MeterRecord {
  owner: number;
  scheme: number;
  publicKey: Uint8Array;
}

/** `MeterRecordOpening` (contracts/src/types/Dispute.sol): meter `index`'s record and its path under the root. */
export interface MeterRecordOpening {
  index: number;
  owner: number;
  scheme: number;
  publicKey: string;
  path: string[];
}

/** ABI type of `MeterRecordOpening`. */
export const METER_RECORD_OPENING = 'tuple(uint32 index, uint32 owner, uint8 scheme, bytes publicKey, bytes32[] path)';

/** Leaf of meter `index`'s record (`MeterRegistry.leaf`). */
export function meterRecordLeaf(index: number, m: MeterRecord): string {
  return keccak256(
    solidityPacked(
      ['uint8', 'uint32', 'uint32', 'uint8', 'bytes32'],
      [METER_RECORD_DOMAIN, index, m.owner, m.scheme, keccak256(m.publicKey)],
    ),
  );
}

/** The registry of a meter list: its root and the openings of its records. */
export class MeterRegistry {
  private readonly levels: string[][];
  readonly root: string;

  constructor(readonly meters: readonly MeterRecord[]) {
    this.levels = buildLevels(meters.map((m, k) => meterRecordLeaf(k, m)));
    this.root = meters.length === 0 ? merkleRoot([]) : this.levels[this.levels.length - 1][0];
  }

  /** Meter k's record opened under the root (exactly depth(M) siblings). */
  opening(k: number): MeterRecordOpening {
    const m = this.meters[k];
    if (m === undefined) throw new RangeError(`meter ${k} is not registered (${this.meters.length} meters)`);
    return {
      index: k,
      owner: m.owner,
      scheme: m.scheme,
      publicKey: `0x${Buffer.from(m.publicKey).toString('hex')}`,
      path: merkleProof(this.levels, k),
    };
  }
}

/** The root over `meters`' records (`MeterRegistry.root`). */
export function meterRoot(meters: readonly MeterRecord[]): string {
  return new MeterRegistry(meters).root;
}

/** Whether `o` opens a record under `root` of a registry of `count` meters (the verifier's `_meter` rule). */
export function verifyMeterRecord(root: string, count: number, o: MeterRecordOpening): boolean {
  if (o.index >= count || o.path.length !== treeDepth(count)) return false;
  const leaf = meterRecordLeaf(o.index, {
    owner: o.owner,
    scheme: o.scheme,
    publicKey: Buffer.from(o.publicKey.slice(2), 'hex'),
  });
  return verifyMerkleProof(root, leaf, o.index, o.path);
}

/** An empty `MeterRecordOpening`: a record a proof does not need (the verifier does not read it). */
export const NO_METER_RECORD: MeterRecordOpening = Object.freeze({
  index: 0,
  owner: 0,
  scheme: 0,
  publicKey: '0x',
  path: [],
}) as MeterRecordOpening;

/** A MeterRecordOpening as the proof structs' tuple. */
export const meterRecordTuple = (o: MeterRecordOpening) => [o.index, o.owner, o.scheme, o.publicKey, o.path];

/** abi.encode of one opening (vectors). */
export const encodeMeterRecordOpening = (o: MeterRecordOpening): string =>
  AbiCoder.defaultAbiCoder().encode([METER_RECORD_OPENING], [meterRecordTuple(o)]);

const registries = new WeakMap<readonly MeterRecord[], MeterRegistry>();

/** The registry of a community's meter list, built once per list (a node opens many records of one list). */
export function meterRegistryOf(meters: readonly MeterRecord[]): MeterRegistry {
  let registry = registries.get(meters);
  if (!registry) {
    registry = new MeterRegistry(meters);
    registries.set(meters, registry);
  }
  return registry;
}
