import { keccak256 } from 'ethers';
import { DiversityError } from '../util/errors.js';

/**
 * The energy vector E_t of one interval (DESIGN.md §4; twin of `contracts/src/libraries/EnergyVector.sol`):
 * per participant j, in index order, the Wh its meters exported and imported in the interval (the running
 * sums of its last meter; zero for a participant with no meter). Packed as N × 16 bytes,
 * `uint64 exportWh ‖ uint64 importWh` big-endian; energyHash_t = keccak256(packed E_t). The one home of the
 * packing in TypeScript.
 */
export const ENERGY_STRIDE = 16;

const U64_MAX = (1n << 64n) - 1n;

/** Energy of a participant (or of a meter's running sum): two uint64 Wh. */
export interface Energy {
  exportWh: bigint;
  importWh: bigint;
}

export const ZERO_ENERGY: Energy = Object.freeze({ exportWh: 0n, importWh: 0n });

export enum EnergyVectorErrorCode {
  /** A packed vector whose length is not a multiple of 16 (Solidity `EnergyVector.decode` reverts). */
  BAD_LENGTH = 'ENERGY_VECTOR_BAD_LENGTH',
  /** A value that does not fit a uint64. */
  OUT_OF_RANGE = 'ENERGY_VECTOR_OUT_OF_RANGE',
}

export class EnergyVectorError extends DiversityError<
  | { code: EnergyVectorErrorCode.BAD_LENGTH; length: number }
  | { code: EnergyVectorErrorCode.OUT_OF_RANGE; participant: number; value: string }
> {}

function putU64(out: Uint8Array, at: number, value: bigint, participant: number): void {
  if (value < 0n || value > U64_MAX)
    throw new EnergyVectorError({ code: EnergyVectorErrorCode.OUT_OF_RANGE, participant, value: value.toString() });
  new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(at, value, false);
}

/** N × 16 bytes: `uint64 exportWh ‖ uint64 importWh` per participant, big-endian. */
export function packEnergy(energy: readonly Energy[]): Uint8Array {
  const out = new Uint8Array(energy.length * ENERGY_STRIDE);
  energy.forEach((e, j) => {
    putU64(out, j * ENERGY_STRIDE, e.exportWh, j);
    putU64(out, j * ENERGY_STRIDE + 8, e.importWh, j);
  });
  return out;
}

/** The inverse of `packEnergy`; throws BAD_LENGTH on a length that is not a multiple of 16. */
export function unpackEnergy(packed: Uint8Array): Energy[] {
  if (packed.length % ENERGY_STRIDE !== 0)
    throw new EnergyVectorError({ code: EnergyVectorErrorCode.BAD_LENGTH, length: packed.length });
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  return Array.from({ length: packed.length / ENERGY_STRIDE }, (_, j) => ({
    exportWh: view.getBigUint64(j * ENERGY_STRIDE, false),
    importWh: view.getBigUint64(j * ENERGY_STRIDE + 8, false),
  }));
}

/** energyHash = keccak256(packed E_t). */
export function energyHash(energy: readonly Energy[] | Uint8Array): string {
  return keccak256(energy instanceof Uint8Array ? energy : packEnergy(energy));
}

export function sameEnergy(a: Energy, b: Energy): boolean {
  return a.exportWh === b.exportWh && a.importWh === b.importWh;
}
