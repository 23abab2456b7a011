import { expect } from 'chai';
import { CoSignatureGossipErrorCode as Code, GossipValidationError } from '../../src/chain/errors.js';
import { AddOutcome, BlsShareAggregator } from '../../src/cosign/aggregator.js';
import {
  BLS_SHARE_MESSAGE_LENGTH,
  BlsShareMessageError,
  BlsShareMessageErrorCode,
  decodeBlsShare,
  encodeBlsShare,
} from '../../src/cosign/messages.js';
import { shareDigest, validateBlsShare, type BlsShareValidationContext } from '../../src/cosign/validation.js';
import {
  aggregateG1,
  aggregateG2,
  blsKeyGen,
  blsPublicKey,
  blsSign,
  blsVerify,
  decodeG1,
  decodeSignerBitmap,
  encodeCoSignature,
  G1,
  type BlsDomain,
} from '../../src/crypto/bls.js';
import { seedFor } from '../../src/vectors/readings.js';
import { manualClock, testCommunity } from '../utils/community.js';

describe('BLS co-signature shares (node/src/cosign)', () => {
  const n = 5;
  const { community } = testCommunity(n);
  const domain: BlsDomain = { chainId: community.chainId, hub: community.hub, communityId: community.communityId };
  const sks = Array.from({ length: n }, (_, i) => blsKeyGen(seedFor(`bls-cosign-${i}`)));
  const pks = sks.map(blsPublicKey);
  const { clock } = manualClock(community, community.start + 10 * 4 * 3); // window 2 running
  const result = {
    window: 1,
    windowRoot: `0x${'ab'.repeat(32)}`,
    stateHash: `0x${'cd'.repeat(32)}`,
    balancesRoot: `0x${'ba'.repeat(32)}`,
  };
  const digest = shareDigest(community, result);

  const share = (signer: number, by = signer, over: Partial<typeof result> = {}) => {
    const r = { ...result, ...over };
    return encodeBlsShare({ ...r, signer, share: blsSign(sks[by], shareDigest(community, r), domain) });
  };

  describe('message', () => {
    it('round-trips and rejects bad lengths, off-curve points and infinity', () => {
      const m = decodeBlsShare(share(2));
      expect(m).to.include({
        window: 1,
        signer: 2,
        windowRoot: result.windowRoot,
        stateHash: result.stateHash,
        balancesRoot: result.balancesRoot,
      });
      expect(blsVerify(m.share, digest, pks[2], domain)).to.equal(true);
      const code = (b: Uint8Array) => {
        try {
          decodeBlsShare(b);
          return 'ok';
        } catch (e) {
          return e instanceof BlsShareMessageError ? e.code : String(e);
        }
      };
      expect(code(new Uint8Array(BLS_SHARE_MESSAGE_LENGTH - 1))).to.equal(BlsShareMessageErrorCode.WRONG_LENGTH);
      // The share of the previous round (no balances root: 198 bytes) is refused by its length.
      expect(BLS_SHARE_MESSAGE_LENGTH).to.equal(4 + 2 + 32 * 3 + 128);
      expect(code(share(2).subarray(32))).to.equal(BlsShareMessageErrorCode.WRONG_LENGTH);
      // The balances root is part of what the share signs: another one does not verify.
      const moved = decodeBlsShare(share(2, 2, { balancesRoot: `0x${'0c'.repeat(32)}` }));
      expect(blsVerify(moved.share, digest, pks[2], domain)).to.equal(false);
      const off = share(2);
      off[BLS_SHARE_MESSAGE_LENGTH - 1] ^= 1;
      expect(code(off)).to.equal(BlsShareMessageErrorCode.INVALID_POINT);
      const inf = share(2);
      inf.fill(0, 70);
      expect(code(inf)).to.equal(BlsShareMessageErrorCode.INVALID_POINT);
    });
  });

  describe('gossip validation', () => {
    const held = new Set<string>();
    const ctx: BlsShareValidationContext = {
      community,
      clock,
      publicKeys: pks,
      lastFinalWindow: () => -1,
      holds: (w, s, r) => held.has(`${w}:${s}:${r.windowRoot}:${r.stateHash}:${r.balancesRoot}`),
    };
    const outcome = (bytes: Uint8Array, c: BlsShareValidationContext = ctx): string => {
      try {
        const m = validateBlsShare(c, bytes);
        held.add(`${m.window}:${m.signer}:${m.windowRoot}:${m.stateHash}:${m.balancesRoot}`);
        return 'ACCEPT';
      } catch (e) {
        if (e instanceof GossipValidationError) return `${e.action} ${e.code}`;
        throw e;
      }
    };

    it("accepts a participant's share, then ignores it as a duplicate", () => {
      expect(outcome(share(1))).to.equal('ACCEPT');
      expect(outcome(share(1))).to.equal(`IGNORE ${Code.DUPLICATE}`);
    });

    it("[REJECT] malformed, unknown signer, another participant's share, another result, window past the last", () => {
      expect(outcome(new Uint8Array(7))).to.equal(`REJECT ${Code.MALFORMED}`);
      expect(outcome(share(n, 0))).to.equal(`REJECT ${Code.UNKNOWN_SIGNER}`);
      expect(outcome(share(3, 4))).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
      const wrong = decodeBlsShare(share(3, 3, { stateHash: `0x${'ee'.repeat(32)}` }));
      expect(outcome(encodeBlsShare({ ...wrong, stateHash: result.stateHash }))).to.equal(
        `REJECT ${Code.BAD_SIGNATURE}`,
      );
      expect(outcome(share(3, 3, { window: 10 }))).to.equal(`REJECT ${Code.OUTSIDE_COMMUNITY}`);
    });

    it('[REJECT] a share made for another hub', () => {
      const other = blsSign(sks[0], digest, { ...domain, hub: `0x${'44'.repeat(20)}` });
      expect(outcome(encodeBlsShare({ ...result, signer: 0, share: other }))).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
    });

    it('attack: the cheap checks come before the share point is decoded (~2 ms): a flood of shares for windows not over, already final or not of the community costs no curve arithmetic', () => {
      const offCurve = (over: Partial<typeof result>, signer = 0) => {
        const b = share(signer, 0, over);
        b[BLS_SHARE_MESSAGE_LENGTH - 1] ^= 1; // not a point: decoding it would say MALFORMED
        return b;
      };
      expect(outcome(offCurve({ window: 3 }))).to.equal(`IGNORE ${Code.TOO_EARLY}`);
      expect(outcome(offCurve({}), { ...ctx, lastFinalWindow: () => 1 })).to.equal(`IGNORE ${Code.WINDOW_FINAL}`);
      expect(outcome(offCurve({ window: 10 }))).to.equal(`REJECT ${Code.OUTSIDE_COMMUNITY}`);
      expect(outcome(offCurve({}, n))).to.equal(`REJECT ${Code.UNKNOWN_SIGNER}`);
      // A share for a window under way, with a point that is not one: MALFORMED, as before.
      expect(outcome(offCurve({}))).to.equal(`REJECT ${Code.MALFORMED}`);
    });

    it('attack: a superseded share replayed is ignored before its pairing', () => {
      // The held share of signer 1 is over our result; a share over another result would not be kept.
      const superseding = { ...ctx, supersedes: () => true };
      expect(outcome(share(1, 1, { stateHash: `0x${'5e'.repeat(32)}` }), superseding)).to.equal(
        `IGNORE ${Code.SUPERSEDED}`,
      );
    });

    it('[IGNORE] a window not over yet, or already final', () => {
      expect(outcome(share(0, 0, { window: 3 }))).to.equal(`IGNORE ${Code.TOO_EARLY}`);
      expect(outcome(share(0), { ...ctx, lastFinalWindow: () => 1 })).to.equal(`IGNORE ${Code.WINDOW_FINAL}`);
    });
  });

  describe('aggregator', () => {
    const shares = sks.map((sk) => blsSign(sk, digest, domain));

    it('aggregates good shares with one pairing into the blob the module verifies', () => {
      const agg = new BlsShareAggregator(domain, pks);
      for (const i of [4, 0, 2, 3]) expect(agg.add(result, i, shares[i])).to.equal(AddOutcome.ADDED);
      expect(agg.add(result, 2, shares[2])).to.equal(AddOutcome.DUPLICATE);
      expect(Buffer.from(agg.digestOf(result)).equals(Buffer.from(digest))).to.equal(true);
      const out = agg.build(result)!;
      expect(out.signers).to.deep.equal([0, 2, 3, 4]);
      expect(out.rejected).to.deep.equal([]);
      expect(out.pairings).to.equal(1);
      const expected = encodeCoSignature([0, 2, 3, 4], aggregateG1([0, 2, 3, 4].map((i) => shares[i])), pks);
      expect(Buffer.from(out.signatures).equals(Buffer.from(expected))).to.equal(true);
      expect(decodeSignerBitmap(out.signatures.subarray(0, 32), n)).to.deep.equal([0, 2, 3, 4]);
      const sig = decodeG1(out.signatures.subarray(32, 160));
      expect(blsVerify(sig, digest, aggregateG2([0, 2, 3, 4].map((i) => pks[i])), domain)).to.equal(true);
    });

    it('finds and drops bad shares by bisection, keeping the good ones', () => {
      const agg = new BlsShareAggregator(domain, pks);
      for (let i = 0; i < n; i++) agg.add(result, i, i === 1 ? shares[3] : i === 4 ? G1.BASE : shares[i]);
      const out = agg.build(result)!;
      expect(out.rejected).to.deep.equal([1, 4]);
      expect(out.signers).to.deep.equal([0, 2, 3]);
      expect(out.pairings).to.be.greaterThan(1);
      const sig = decodeG1(out.signatures.subarray(32, 160));
      expect(blsVerify(sig, digest, aggregateG2([0, 2, 3].map((i) => pks[i])), domain)).to.equal(true);
      // The bad shares are gone: a rebuild costs one pairing.
      expect(agg.count(result)).to.equal(3);
      expect(agg.build(result)!.pairings).to.equal(1);
    });

    it('a forged share sent first under an honest index does not shadow the honest share', () => {
      const agg = new BlsShareAggregator(domain, pks);
      expect(agg.add(result, 3, shares[0])).to.equal(AddOutcome.ADDED);
      expect(agg.add(result, 3, shares[3])).to.equal(AddOutcome.REPLACED);
      expect(agg.add(result, 3, shares[1])).to.equal(AddOutcome.REJECTED);
      expect(agg.build(result)!).to.deep.include({ signers: [3], rejected: [], pairings: 1 });
      // Two forgeries: neither is kept, so the honest share can still get in.
      expect(agg.add(result, 2, shares[0])).to.equal(AddOutcome.ADDED);
      expect(agg.add(result, 2, shares[1])).to.equal(AddOutcome.REJECTED);
      expect(agg.holds(result, 2)).to.equal(false);
      expect(agg.add(result, 2, shares[2])).to.equal(AddOutcome.ADDED);
    });

    it('keeps results apart and prunes final windows', () => {
      const agg = new BlsShareAggregator(domain, pks);
      const other = { ...result, stateHash: `0x${'ee'.repeat(32)}` };
      agg.add(result, 0, shares[0]);
      agg.add(other, 0, shares[0]);
      expect(agg.build(other)!.rejected).to.deep.equal([0]);
      expect(agg.holds(result, 0)).to.equal(true);
      agg.prune(1);
      expect(agg.count(result)).to.equal(0);
      expect(agg.build(result)).to.equal(undefined);
      expect(() => agg.add(result, n, shares[0])).to.throw(RangeError);
    });
  });
});
