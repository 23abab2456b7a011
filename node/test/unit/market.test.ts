import { expect } from 'chai';
import { concat, keccak256 } from 'ethers';
import { ZERO_HASH, hashPair } from '../../src/window/merkle.js';
import {
  MarketError,
  MarketErrorCode,
  MarketKind,
  U32_MAX,
  U64_MAX,
  U128_MAX,
  assertStateLength,
  emptyState,
  encodeState,
  foldWindow,
  intervalEnergy,
  marketStep,
  marketStepOfEnergy,
  p2pValue,
  share,
  packState,
  stateHash,
  stateLeaf,
  stateLevels,
  tryStateHash,
  type MarketParams,
  type MeterEnergy,
  type ParticipantState,
} from '../../src/window/index.js';
import { marketVectorCases, randomMarketCases } from '../../src/vectors/market.js';
import { SeededRandom } from '../../src/vectors/prng.js';

const on = (exportWh: number, importWh: number): MeterEnergy => ({ present: true, exportWh, importWh });
const mmr = (gridBuyPrice: bigint, gridSellPrice: bigint, feederCapacityWh = 0n): MarketParams => ({
  kind: MarketKind.Mmr,
  gridBuyPrice,
  gridSellPrice,
  feederCapacityWh,
});
const totals = (gridBuyPrice: bigint, gridSellPrice: bigint): MarketParams => ({
  ...mmr(gridBuyPrice, gridSellPrice),
  kind: MarketKind.Totals,
});
const state = (s: Partial<ParticipantState>): ParticipantState => ({ ...emptyState(1)[0], ...s });

function expectMarketError(fn: () => unknown, code: MarketErrorCode): MarketError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(MarketError);
    expect((e as MarketError).code).to.equal(code);
    return e as MarketError;
  }
  expect.fail(`expected ${code}`);
}

const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

describe('window/market: share and value', () => {
  it('share gives floors, then the remainder one unit each to the first positive weights', () => {
    expect(share(2n, [0n, 1n, 1n, 1n])).to.deep.equal([0n, 1n, 1n, 0n]);
    expect(share(10n, [0n, 7n, 4n])).to.deep.equal([0n, 7n, 3n]);
    expect(share(100n, [1n, 2n, 3n, 4n])).to.deep.equal([10n, 20n, 30n, 40n]);
    expect(share(7n, [5n, 0n, 5n])).to.deep.equal([4n, 0n, 3n]);
  });

  it('share is all zeros when the total or the weight sum is zero', () => {
    expect(share(0n, [3n, 4n])).to.deep.equal([0n, 0n]);
    expect(share(9n, [0n, 0n])).to.deep.equal([0n, 0n]);
    expect(share(9n, [])).to.deep.equal([]);
  });

  it('p2pValue is floor(V * (buy + sell) / 2000)', () => {
    const p = mmr(251n, 80n);
    expect(p2pValue(p, 1000n)).to.equal(165n);
    expect(p2pValue(p, 7n)).to.equal(1n);
    expect(p2pValue(p, 6n)).to.equal(0n);
  });

  it('share sums to the total and stays within the weights (seeded random)', () => {
    const rng = new SeededRandom(7);
    for (let run = 0; run < 500; run++) {
      const weights = Array.from({ length: rng.int(1, 12) }, () => (rng.chance(0.3) ? 0n : BigInt(rng.int(1, 1000))));
      const w = sum(weights);
      const total = BigInt(rng.int(0, 3000));
      const parts = share(total, weights);
      expect(sum(parts)).to.equal(w === 0n ? 0n : total);
      parts.forEach((x, i) => {
        if (weights[i] === 0n) expect(x).to.equal(0n);
        if (total <= w) expect(x <= weights[i]).to.equal(true);
      });
    }
  });
});

describe('window/market: marketStep (hand-computed)', () => {
  it('Mmr: pro-rata sharing capped by the feeder, rest to the grid', () => {
    // Prices 300/100 -> 0.2 token/Wh. Surplus [600, 0, 0], deficit [0, 200, 300]: M = min(600, 500, 400).
    const s = marketStep(mmr(300n, 100n, 400n), emptyState(3), [0, 1, 2], [on(700, 100), on(0, 200), on(50, 350)]);
    expect(s).to.deep.equal([
      {
        exportWh: 700n,
        importWh: 100n,
        p2pSoldWh: 400n,
        p2pBoughtWh: 0n,
        gridSoldWh: 200n,
        gridBoughtWh: 0n,
        net: 80n,
      },
      { exportWh: 0n, importWh: 200n, p2pSoldWh: 0n, p2pBoughtWh: 160n, gridSoldWh: 0n, gridBoughtWh: 40n, net: -32n },
      { exportWh: 50n, importWh: 350n, p2pSoldWh: 0n, p2pBoughtWh: 240n, gridSoldWh: 0n, gridBoughtWh: 60n, net: -48n },
    ]);
  });

  it('Mmr: accumulates over intervals and nets meters of one participant', () => {
    const params = mmr(250n, 80n);
    // Participant 0 owns meters 0 and 1: e = 300, m = 120 -> surplus 180. Participant 1: deficit 400.
    const s1 = marketStep(params, emptyState(2), [0, 0, 1], [on(300, 0), on(0, 120), on(0, 400)]);
    expect(s1[0]).to.deep.equal(state({ exportWh: 300n, importWh: 120n, p2pSoldWh: 180n, net: 29n }));
    expect(s1[1]).to.deep.equal(state({ importWh: 400n, p2pBoughtWh: 180n, gridBoughtWh: 220n, net: -29n }));
    // 180 Wh * 330 / 2000 = 29.7 -> 29. Next interval: participant 1 exports 10, nobody buys.
    const s2 = marketStep(params, s1, [0, 0, 1], [on(0, 0), { present: false, exportWh: 5, importWh: 5 }, on(10, 0)]);
    expect(s2[1]).to.deep.equal(
      state({ exportWh: 10n, importWh: 400n, p2pBoughtWh: 180n, gridSoldWh: 10n, gridBoughtWh: 220n, net: -29n }),
    );
    expect(s2[0]).to.deep.equal(s1[0]);
  });

  it('Totals: recomputes the window netting from cumulative totals each step', () => {
    const params = totals(250n, 80n);
    const s1 = marketStep(params, emptyState(3), [0, 1, 2], [on(10, 0), on(0, 3), on(0, 4)]);
    // V = 7, value = floor(7 * 330 / 2000) = 1; pay = share(1, [0, 3, 4]) -> 1 to index 1.
    expect(s1.map((s) => s.p2pSoldWh)).to.deep.equal([7n, 0n, 0n]);
    expect(s1.map((s) => s.gridSoldWh)).to.deep.equal([3n, 0n, 0n]);
    expect(s1.map((s) => s.p2pBoughtWh)).to.deep.equal([0n, 3n, 4n]);
    expect(s1.map((s) => s.net)).to.deep.equal([1n, -1n, 0n]);
    const s2 = marketStep(
      params,
      s1,
      [0, 1, 2],
      [on(0, 0), on(0, 4), { present: false, exportWh: 999, importWh: 999 }],
    );
    // E = [10, 0, 0], I = [0, 7, 4]: V = 10; bought = share(10, [0, 7, 4]) = [0, 6, 3] + 1 to index 1.
    expect(s2).to.deep.equal([
      { exportWh: 10n, importWh: 0n, p2pSoldWh: 10n, p2pBoughtWh: 0n, gridSoldWh: 0n, gridBoughtWh: 0n, net: 1n },
      { exportWh: 0n, importWh: 7n, p2pSoldWh: 0n, p2pBoughtWh: 7n, gridSoldWh: 0n, gridBoughtWh: 0n, net: -1n },
      { exportWh: 0n, importWh: 4n, p2pSoldWh: 0n, p2pBoughtWh: 3n, gridSoldWh: 0n, gridBoughtWh: 1n, net: 0n },
    ]);
  });

  it('Totals ignores the feeder capacity; Mmr with no surplus trades nothing', () => {
    const t = marketStep(
      { ...totals(250n, 80n), feederCapacityWh: 1n },
      emptyState(2),
      [0, 1],
      [on(500, 0), on(0, 500)],
    );
    expect(t[0].p2pSoldWh).to.equal(500n);
    const m = marketStep(mmr(250n, 80n), emptyState(2), [0, 1], [on(0, 30), on(0, 50)]);
    expect(m.map((s) => s.gridBoughtWh)).to.deep.equal([30n, 50n]);
    expect(m.map((s) => s.net)).to.deep.equal([0n, 0n]);
  });

  it('does not modify prev', () => {
    const prev = emptyState(2);
    const copy = structuredClone(prev);
    marketStep(mmr(250n, 80n), prev, [0, 1], [on(5, 0), on(0, 5)]);
    expect(prev).to.deep.equal(copy);
  });

  it('foldWindow returns every S_t, equal to stepping one by one', () => {
    const params = mmr(250n, 80n, 3n);
    const intervals = [
      [on(5, 0), on(0, 5)],
      [on(0, 2), on(9, 0)],
      [on(1, 1), on(1, 1)],
    ];
    const states = foldWindow(params, emptyState(2), [0, 1], intervals);
    expect(states).to.have.length(3);
    let s = emptyState(2);
    intervals.forEach((r, t) => {
      s = marketStep(params, s, [0, 1], r);
      expect(states[t]).to.deep.equal(s);
    });
  });
});

describe('window/state: encodeState, packState and stateHash', () => {
  it('encodes as abi.encode(ParticipantState[]): offset, length, 7 words per entry, int256 two’s complement', () => {
    const encoded = encodeState([state({ exportWh: 1n, net: -1n })]);
    const hex = Buffer.from(encoded).toString('hex');
    const word = (n: number) => hex.slice(n * 64, (n + 1) * 64);
    expect(encoded.length).to.equal(32 * 9);
    expect(BigInt(`0x${word(0)}`)).to.equal(32n);
    expect(BigInt(`0x${word(1)}`)).to.equal(1n);
    expect(BigInt(`0x${word(2)}`)).to.equal(1n);
    expect(word(8)).to.equal('f'.repeat(64));
  });

  it('stateHash is the Merkle root over keccak256(0x07 ‖ 64 packed bytes) per participant, not a flat hash', () => {
    const s = [state({ exportWh: 1n, net: -1n }), state({ importWh: 2n, net: 1n }), state({})];
    const packed = packState(s);
    expect(packed.length).to.equal(192);
    const leaf = (j: number) => keccak256(concat(['0x07', packed.subarray(64 * j, 64 * j + 64)]));
    expect(s.map((x) => stateLeaf(x))).to.deep.equal([leaf(0), leaf(1), leaf(2)]);
    expect(stateHash(s)).to.equal(hashPair(hashPair(leaf(0), leaf(1)), hashPair(leaf(2), ZERO_HASH)));
    expect(stateHash([s[2]])).to.equal(leaf(2));
    expect(stateHash([])).to.equal(ZERO_HASH);
    expect(stateHash(s)).to.not.equal(keccak256(packed));
    expect(stateHash(s)).to.not.equal(keccak256(encodeState(s)));
    expect(tryStateHash(s)).to.equal(stateHash(s));
  });

  it('stateLevels: leaves first, its root the state hash (the tree a StateEntry path is read from)', () => {
    for (const n of [0, 1, 3, 5, 8, 10]) {
      const s = Array.from({ length: n }, (_, j) => state({ exportWh: BigInt(j), net: BigInt(j % 2 ? j : -j) }));
      const levels = stateLevels(s);
      expect(levels[levels.length - 1], String(n)).to.deep.equal([stateHash(s)]);
      expect(levels[0].slice(0, n)).to.deep.equal(s.map((x) => stateLeaf(x)));
    }
  });

  it('a net without a packed encoding (−2^127, beyond int128) has no state hash: stateHash throws, tryStateHash is undefined', () => {
    for (const net of [-(1n << 127n), 1n << 127n, -(1n << 127n) - 1n]) {
      const s = [state({ net }), state({ net: -net })];
      expectMarketError(() => stateHash(s), MarketErrorCode.VALUE_OUT_OF_RANGE);
      expect(tryStateHash(s), String(net)).to.equal(undefined);
    }
    const edge = [state({ net: (1n << 127n) - 1n }), state({ net: -((1n << 127n) - 1n) })];
    expect(tryStateHash(edge)).to.equal(stateHash(edge));
  });

  it('the empty array encodes as offset and zero length', () => {
    expect(Buffer.from(encodeState([])).toString('hex')).to.equal('20'.padStart(64, '0') + '0'.repeat(64));
  });

  it('rejects fields that do not fit their Solidity types', () => {
    expectMarketError(() => encodeState([state({ gridSoldWh: U64_MAX + 1n })]), MarketErrorCode.VALUE_OUT_OF_RANGE);
    expectMarketError(() => encodeState([state({ net: 1n << 255n })]), MarketErrorCode.VALUE_OUT_OF_RANGE);
  });
});

describe('window/market: invariants over seeded random inputs', () => {
  const cases = randomMarketCases(200, 0xbeef);

  it('money is conserved in every state (Σ net = 0)', () => {
    for (const c of cases) {
      for (const s of foldWindow(c.params, emptyState(c.participants), c.meterOwner, c.intervals)) {
        expect(sum(s.map((p) => p.net)), c.name).to.equal(0n);
      }
    }
  });

  it('energy: Σ p2pSold = Σ p2pBought; matched = min(surplus, deficit, cap); sold_i <= s_i, bought_i <= d_i', () => {
    for (const c of cases) {
      let prev = emptyState(c.participants);
      for (const readings of c.intervals) {
        const next = marketStep(c.params, prev, c.meterOwner, readings);
        expect(sum(next.map((s) => s.p2pSoldWh))).to.equal(sum(next.map((s) => s.p2pBoughtWh)));
        if (c.params.kind === MarketKind.Totals) {
          next.forEach((s) => {
            expect(s.p2pSoldWh + s.gridSoldWh).to.equal(s.exportWh);
            expect(s.p2pBoughtWh + s.gridBoughtWh).to.equal(s.importWh);
          });
          const exported = sum(next.map((s) => s.exportWh));
          const imported = sum(next.map((s) => s.importWh));
          expect(sum(next.map((s) => s.p2pSoldWh))).to.equal(exported < imported ? exported : imported);
        } else {
          const e = new Array<bigint>(c.participants).fill(0n);
          const m = new Array<bigint>(c.participants).fill(0n);
          readings.forEach((r, k) => {
            if (!r.present) return;
            e[c.meterOwner[k]] += BigInt(r.exportWh);
            m[c.meterOwner[k]] += BigInt(r.importWh);
          });
          const surplus = e.map((x, i) => (x > m[i] ? x - m[i] : 0n));
          const deficit = e.map((x, i) => (m[i] > x ? m[i] - x : 0n));
          const sold = next.map((s, i) => s.p2pSoldWh - prev[i].p2pSoldWh);
          const bought = next.map((s, i) => s.p2pBoughtWh - prev[i].p2pBoughtWh);
          for (const [i, x] of sold.entries()) expect(x <= surplus[i]).to.equal(true);
          for (const [i, x] of bought.entries()) expect(x <= deficit[i]).to.equal(true);
          let limit = sum(surplus) < sum(deficit) ? sum(surplus) : sum(deficit);
          const cap = c.params.feederCapacityWh;
          if (cap !== 0n && cap < limit) limit = cap;
          expect(sum(sold)).to.equal(limit);
        }
        prev = next;
      }
    }
  });
});

describe('window/market: typed errors', () => {
  const p = mmr(250n, 80n);

  it('READINGS_LENGTH_MISMATCH when readings are not one per meter', () => {
    const e = expectMarketError(
      () => marketStep(p, emptyState(2), [0, 1], [on(1, 0)]),
      MarketErrorCode.READINGS_LENGTH_MISMATCH,
    );
    expect(e.type).to.deep.equal({ code: MarketErrorCode.READINGS_LENGTH_MISMATCH, meters: 2, readings: 1 });
  });

  it('ENERGY_LENGTH_MISMATCH when the energy core gets energies that are not one per participant', () => {
    const e = expectMarketError(
      () => marketStepOfEnergy(p, emptyState(2), [1n], [0n, 0n]),
      MarketErrorCode.ENERGY_LENGTH_MISMATCH,
    );
    expect(e.type).to.deep.equal({ code: MarketErrorCode.ENERGY_LENGTH_MISMATCH, participants: 2, entries: 1 });
  });

  it('the energy core over E_t is marketStep over the meters, for every kind and random input', () => {
    for (const c of randomMarketCases(20)) {
      let prev = emptyState(c.participants);
      for (const readings of c.intervals) {
        const { exported, imported } = intervalEnergy(c.participants, c.meterOwner, readings);
        const next = marketStep(c.params, prev, c.meterOwner, readings);
        expect(marketStepOfEnergy(c.params, prev, exported, imported)).to.deep.equal(next);
        prev = next;
      }
    }
  });

  it('METER_OWNER_OUT_OF_RANGE for the first meter whose owner is not a participant', () => {
    const e = expectMarketError(
      () => marketStep(p, emptyState(2), [0, 2, 5], [on(1, 0), on(1, 0), on(1, 0)]),
      MarketErrorCode.METER_OWNER_OUT_OF_RANGE,
    );
    expect(e.type).to.deep.equal({
      code: MarketErrorCode.METER_OWNER_OUT_OF_RANGE,
      meter: 1,
      owner: 2,
      participants: 2,
    });
  });

  it('STATE_LENGTH_MISMATCH when a state is not one entry per participant', () => {
    const e = expectMarketError(() => assertStateLength(emptyState(3), 4), MarketErrorCode.STATE_LENGTH_MISMATCH);
    expect(e.type).to.deep.equal({ code: MarketErrorCode.STATE_LENGTH_MISMATCH, expected: 4, actual: 3 });
    expect(() => assertStateLength(emptyState(4), 4)).not.to.throw();
  });

  it('VALUE_OUT_OF_RANGE for inputs the Solidity ABI types cannot hold', () => {
    const code = MarketErrorCode.VALUE_OUT_OF_RANGE;
    expectMarketError(() => marketStep(p, emptyState(1), [0], [on(U32_MAX + 1, 0)]), code);
    expectMarketError(() => marketStep(p, emptyState(1), [0], [on(0, -1)]), code);
    expectMarketError(() => marketStep(p, emptyState(1), [0], [on(1.5, 0)]), code);
    expectMarketError(() => marketStep(mmr(U128_MAX + 1n, 0n), emptyState(1), [0], [on(1, 0)]), code);
    expectMarketError(() => marketStep(mmr(1n, 1n, U64_MAX + 1n), emptyState(1), [0], [on(1, 0)]), code);
    expectMarketError(() => marketStep({ ...p, kind: 3 as MarketKind }, emptyState(1), [0], [on(1, 0)]), code);
    expectMarketError(() => marketStep(p, [state({ importWh: -1n })], [0], [on(1, 0)]), code);
  });

  it('FIELD_OVERFLOW when a cumulative uint64 field would overflow (Solidity: panic 0x11)', () => {
    const e = expectMarketError(
      () => marketStep(p, [state({ exportWh: U64_MAX })], [0], [on(1, 0)]),
      MarketErrorCode.FIELD_OVERFLOW,
    );
    expect(e.type).to.deep.equal({ code: MarketErrorCode.FIELD_OVERFLOW, participant: 0, field: 'exportWh' });
  });

  it('ARITHMETIC_OVERFLOW when a uint256 intermediate would overflow (Solidity: panic 0x11)', () => {
    const e = expectMarketError(() => share(1n << 200n, [1n << 60n, 1n]), MarketErrorCode.ARITHMETIC_OVERFLOW);
    expect(e.type).to.deep.equal({ code: MarketErrorCode.ARITHMETIC_OVERFLOW, operation: 'share' });
    expectMarketError(() => p2pValue(mmr(U128_MAX, U128_MAX), 1n << 128n), MarketErrorCode.ARITHMETIC_OVERFLOW);
  });
});

describe('vectors/market', () => {
  it('covers both kinds, the edge cases and 30 random cases, deterministically', () => {
    const cases = marketVectorCases();
    expect(cases.length).to.be.at.least(48);
    expect(cases.some((c) => c.params.kind === MarketKind.Totals)).to.equal(true);
    expect(cases.some((c) => c.params.kind === MarketKind.Mmr)).to.equal(true);
    expect(cases.filter((c) => c.name.startsWith('random'))).to.have.length(30);
    expect(randomMarketCases()).to.deep.equal(randomMarketCases());
    expect(Math.max(...cases.map((c) => c.participants))).to.be.at.most(12);
  });
});
