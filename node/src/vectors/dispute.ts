import { encodeReading, type Reading } from '../reading/encoding.js';
import { meterKeyPair, signReading } from '../reading/signature.js';
import { seedFor } from './readings.js';

const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** Where the forge dispute tests put the hub (`deployCodeTo`): readings are bound to it. */
export const DISPUTE_HUB = '0xd15b0000000000000000000000000000000000a1';
export const DISPUTE_CHAIN_ID = 31337n;
export const DISPUTE_COMMUNITY_ID = 1n;

/**
 * Signed readings of one day (window 0, W = 96 intervals) of a community of N = 10 participants
 * with one Ed25519 meter each, for the fraud-proof tests (contracts/test/Dispute.t.sol): forge
 * cannot sign Ed25519, so the signatures come from here; the tests build the commitment, fold F
 * and tamper with it in Solidity. Slot k = t·M + m; absent slots have an empty signature.
 * `equivocation` is a second, different reading of one present slot signed by the same meter.
 */
export function disputeVectors() {
  const M = 10;
  const W = 96;
  const keys = Array.from({ length: M }, (_, m) => meterKeyPair(seedFor(`dispute-meter-${m}`)));
  const reading = (m: number, t: number, exportWh: number, importWh: number): Reading => ({
    chainId: DISPUTE_CHAIN_ID,
    hub: DISPUTE_HUB,
    communityId: DISPUTE_COMMUNITY_ID,
    meterIndex: m,
    interval: t,
    exportWh,
    importWh,
  });
  const present: boolean[] = [];
  const exportWh: number[] = [];
  const importWh: number[] = [];
  const signatures: string[] = [];
  for (let t = 0; t < W; t++) {
    for (let m = 0; m < M; m++) {
      const isPresent = (m * 7 + t * 3) % 11 !== 0;
      // Daylight export for even meters, load for all: a market with buyers and sellers.
      const sun = t >= 28 && t < 72 ? Math.round(400 * Math.sin((Math.PI * (t - 28)) / 44)) : 0;
      const e = m % 2 === 0 ? sun + ((m * 13 + t * 5) % 37) : (m * 11 + t) % 9;
      const i = 60 + ((m * 17 + t * 23) % 140);
      present.push(isPresent);
      exportWh.push(isPresent ? e : 0);
      importWh.push(isPresent ? i : 0);
      signatures.push(isPresent ? hex(signReading(reading(m, t, e, i), keys[m].secretKey).signature) : '0x');
    }
  }
  const eq = { meter: 3, interval: 40 };
  const k = eq.interval * M + eq.meter;
  const second = reading(eq.meter, eq.interval, exportWh[k] + 1000, importWh[k]);
  return {
    chainId: DISPUTE_CHAIN_ID.toString(),
    hub: DISPUTE_HUB,
    communityId: DISPUTE_COMMUNITY_ID.toString(),
    participants: M,
    meters: M,
    windowIntervals: W,
    publicKeys: keys.map((kp) => hex(kp.publicKey)),
    present,
    exportWh,
    importWh,
    signatures,
    equivocation: {
      meter: eq.meter,
      interval: eq.interval,
      exportWh: second.exportWh,
      importWh: second.importWh,
      encoded: hex(encodeReading(second)),
      signature: hex(signReading(second, keys[eq.meter].secretKey).signature),
    },
  };
}
