import type { Reading } from '../reading/encoding.js';
import { fastReadingSigner, type MeterKeyPair, type SignedReading } from '../reading/signature.js';

/** Energy a household consumed and its PV produced, in Wh per interval (index = interval). */
export interface EnergyProfile {
  loadWh: ArrayLike<number>;
  pvWh?: ArrayLike<number>;
}

export interface SimulatedMeterOptions {
  chainId: bigint;
  hub: string;
  communityId: bigint;
  meterIndex: number;
}

/**
 * A meter that turns a load (and PV) profile into signed readings, one per interval.
 * Behind the meter, PV first feeds the household's own load: the meter sees the net flow,
 * so `exportWh = max(pv - load, 0)` and `importWh = max(load - pv, 0)`, rounded to whole Wh.
 */
export class SimulatedMeter {
  /**
   * Ed25519 through node:crypto (byte-identical to tweetnacl's signature, `fastReadingSigner`): at an
   * interval's end every meter of a devnet signs at once, on the way to the window's fold, and
   * tweetnacl's ~8 ms per signature was on it.
   */
  private readonly signer: (reading: Reading) => SignedReading;

  constructor(
    private readonly opts: SimulatedMeterOptions,
    private readonly modules: { key: MeterKeyPair; profile: EnergyProfile },
  ) {
    this.signer = fastReadingSigner(modules.key.secretKey.subarray(0, 32));
  }

  get length(): number {
    return this.modules.profile.loadWh.length;
  }

  /** The unsigned reading of `interval`, from the profile. */
  reading(interval: number): Reading {
    const { loadWh, pvWh } = this.modules.profile;
    if (!Number.isInteger(interval) || interval < 0 || interval >= loadWh.length) {
      throw new RangeError(`interval ${interval} outside the profile (0..${loadWh.length - 1})`);
    }
    const net = Math.round((pvWh?.[interval] ?? 0) - loadWh[interval]);
    return {
      chainId: this.opts.chainId,
      hub: this.opts.hub,
      communityId: this.opts.communityId,
      meterIndex: this.opts.meterIndex,
      interval,
      exportWh: net > 0 ? net : 0,
      importWh: net < 0 ? -net : 0,
    };
  }

  sign(interval: number): SignedReading {
    return this.signer(this.reading(interval));
  }

  /** Signs an arbitrary reading with this meter's key (replays that remap intervals). */
  signReading(reading: Reading): SignedReading {
    return this.signer(reading);
  }

  /** Signed readings for intervals [from, to). */
  *stream(from = 0, to = this.length): Generator<SignedReading> {
    for (let t = from; t < to; t++) yield this.sign(t);
  }
}
