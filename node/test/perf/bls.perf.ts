/**
 * BLS co-signature benchmarks (`npm run bench`), in one run as ratios. The load: a community of
 * 1,000 participants, every one of them gossiping its share of a window result; the submitter
 * turns the shares into the module's blob. Compared: verifying each share on arrival (a pairing
 * each) against the aggregator's one pairing over all shares, and its bisection when one share is
 * bad.
 */
import { expect } from 'chai';
import { BlsShareAggregator } from '../../src/cosign/aggregator.js';
import { blsKeyGen, blsPublicKey, blsSign, blsVerify, G1, type BlsDomain } from '../../src/crypto/bls.js';
import { seedFor } from '../../src/vectors/readings.js';

/** Regression threshold: one build over n good shares costs less than this many single verifications. */
const MAX_BUILD_IN_VERIFICATIONS = 10;

describe('perf: BLS co-signatures', () => {
  it('aggregating 1,000 shares against verifying them one by one', () => {
    const n = 1000;
    const domain: BlsDomain = { chainId: 31337n, hub: `0x${'0b'.repeat(20)}`, communityId: 1n };
    const result = {
      window: 0,
      windowRoot: `0x${'ab'.repeat(32)}`,
      stateHash: `0x${'cd'.repeat(32)}`,
      balancesRoot: `0x${'ba'.repeat(32)}`,
    };

    let t = performance.now();
    const sks = Array.from({ length: n }, (_, i) => blsKeyGen(seedFor(`bls-perf-${i}`)));
    const pks = sks.map(blsPublicKey);
    const keysMs = performance.now() - t;
    const agg = new BlsShareAggregator(domain, pks);
    const digest = agg.digestOf(result);
    t = performance.now();
    const shares = sks.map((sk) => blsSign(sk, digest, domain));
    const signMs = performance.now() - t;

    const sample = 50;
    t = performance.now();
    for (let i = 0; i < sample; i++) expect(blsVerify(shares[i], digest, pks[i], domain)).to.equal(true);
    const verifyMs = (performance.now() - t) / sample;

    for (const [i, s] of shares.entries()) agg.add(result, i, s);
    t = performance.now();
    const good = agg.build(result)!;
    const buildMs = performance.now() - t;
    expect(good.signers.length).to.equal(n);
    expect(good.pairings).to.equal(1);

    const bad = new BlsShareAggregator(domain, pks);
    for (const [i, s] of shares.entries()) bad.add(result, i, i === 617 ? G1.BASE : s);
    t = performance.now();
    const bisected = bad.build(result)!;
    const bisectMs = performance.now() - t;
    expect(bisected.rejected).to.deep.equal([617]);

    console.log(
      `    keygen ${(keysMs / n).toFixed(2)} ms/key, sign ${(signMs / n).toFixed(2)} ms/share, verify ${verifyMs.toFixed(2)} ms/share ` +
        `(${n} shares one by one: ${((verifyMs * n) / 1000).toFixed(1)} s)\n` +
        `    build over ${n} good shares: ${buildMs.toFixed(0)} ms, ${good.pairings} pairing (${(buildMs / verifyMs).toFixed(1)} verifications)\n` +
        `    build with 1 bad share: ${bisectMs.toFixed(0)} ms, ${bisected.pairings} pairings`,
    );
    expect(buildMs).to.be.lessThan(MAX_BUILD_IN_VERIFICATIONS * verifyMs);
  });
});
