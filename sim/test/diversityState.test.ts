import { expect } from 'chai';
import { AbiCoder, keccak256 } from 'ethers';
import { PARTICIPANT_STATE_TUPLE, proRata, stateHash, toTuple, totalsState } from '../src/replay/approaches/diversityState.js';
import { tinyReadings } from './fixtures.js';

describe('sim/replay DIVERSITY window state (stand-in for the node fold)', () => {
  it('shares pro rata exactly, leftovers to the largest remainders', () => {
    expect(proRata(10n, [1n, 1n, 1n])).to.deep.equal([4n, 3n, 3n]);
    expect(proRata(7n, [0n, 5n, 2n])).to.deep.equal([0n, 5n, 2n]);
    expect(proRata(5n, [0n, 0n])).to.deep.equal([0n, 0n]);
    const s = proRata(1_000_003n, [17n, 29n, 31n, 3n]);
    expect(s.reduce((a, b) => a + b, 0n)).to.equal(1_000_003n);
  });

  it('matches V = min(export, import), conserves energy and money', () => {
    const r = tinyReadings(4, 12);
    const s = totalsState(r, 0, 12, 7n);
    const sum = (f: (p: (typeof s)[0]) => bigint): bigint => s.reduce((a, p) => a + f(p), 0n);
    const V = sum((p) => p.exportWh) < sum((p) => p.importWh) ? sum((p) => p.exportWh) : sum((p) => p.importWh);
    expect(sum((p) => p.p2pSoldWh)).to.equal(V);
    expect(sum((p) => p.p2pBoughtWh)).to.equal(V);
    expect(sum((p) => p.net)).to.equal(0n);
    for (const p of s) {
      expect(p.p2pSoldWh + p.gridSoldWh).to.equal(p.exportWh);
      expect(p.p2pBoughtWh + p.gridBoughtWh).to.equal(p.importWh);
    }
  });

  it('hashes the state as keccak256(abi.encode(ParticipantState[]))', () => {
    const s = totalsState(tinyReadings(2, 4), 0, 4, 1n);
    expect(stateHash(s)).to.equal(keccak256(AbiCoder.defaultAbiCoder().encode([PARTICIPANT_STATE_TUPLE], [s.map(toTuple)])));
  });
});
