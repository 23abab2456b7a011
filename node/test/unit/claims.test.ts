import { expect } from 'chai';
import { claimPayout } from '../../src/chain/claims.js';
import { ClaimErrorCode, claimErrorOf, decodeRevert } from '../../src/chain/errors.js';
import { Interface } from 'ethers';

/** What `Hub.claim` pays (DESIGN.md §5.2), as the devnet and `diversity claim` check it. */
describe('claimPayout: a member paid at close from its leaf, bond and credit', () => {
  const member = { bond: 10n, credit: 3n, fine: 0n };

  it('a member without debt or claim gets escrow + bond + credit', () => {
    expect(claimPayout({ escrow: 100n, debt: 0n, claim: 0n }, member, 0n, 0n)).to.deep.equal({
      funds: 113n,
      fine: 0n,
      repaid: 0n,
      share: 0n,
      paid: 113n,
    });
  });

  it('a debtor repays its debt from escrow, bond and credit first; what it cannot repay is lost', () => {
    expect(claimPayout({ escrow: 5n, debt: 12n, claim: 0n }, member, 0n, 40n)).to.deep.equal({
      funds: 18n,
      fine: 0n,
      repaid: 12n,
      share: 0n,
      paid: 6n,
    });
    // Debt above every fund: all of it goes to the pool, nothing to the member (not a negative payment).
    expect(claimPayout({ escrow: 0n, debt: 50n, claim: 0n }, member, 0n, 40n)).to.deep.equal({
      funds: 13n,
      fine: 0n,
      repaid: 13n,
      share: 0n,
      paid: 0n,
    });
  });

  it('the fine is taken first, before the debt (review 3 B2, Settlement.funds), and never more than the funds', () => {
    // funds 5 + 10 + 3 = 18, fine 7 first: 11 left, debt 12 repays 11, nothing paid.
    expect(claimPayout({ escrow: 5n, debt: 12n, claim: 0n }, { ...member, fine: 7n }, 0n, 40n)).to.deep.equal({
      funds: 11n,
      fine: 7n,
      repaid: 11n,
      share: 0n,
      paid: 0n,
    });
    // A fine above every fund takes them all: nothing repaid, nothing paid.
    const all = claimPayout({ escrow: 1n, debt: 2n, claim: 0n }, { ...member, fine: 100n }, 0n, 40n);
    expect(all).to.deep.equal({ funds: 0n, fine: 14n, repaid: 0n, share: 0n, paid: 0n });
  });

  it("a creditor's share is floor(pool · claim / totalClaims), its own repayment in the pool first", () => {
    // pool 7 (others' repayments), claim 10 of 30: floor(70 / 30) = 2.
    expect(claimPayout({ escrow: 1n, debt: 0n, claim: 10n }, member, 7n, 30n).share).to.equal(2n);
    // Debtor and creditor at once (across windows): repays 4, then shares in a pool of 7 + 4 = 11.
    const both = claimPayout({ escrow: 1n, debt: 4n, claim: 15n }, member, 7n, 30n);
    expect(both).to.deep.equal({ funds: 14n, fine: 0n, repaid: 4n, share: 5n, paid: 15n });
  });
});

describe('claim errors: the hub revert decoded to a code', () => {
  const iface = new Interface([
    'error AlreadyClaimed(uint64 communityId, uint256 index)',
    'error NotJoined(uint64 communityId, address participant)',
  ]);

  it('names the hub error and maps it to a ClaimErrorCode', () => {
    const data = iface.encodeErrorResult('NotJoined', [1n, '0x0000000000000000000000000000000000000002']);
    const revert = decodeRevert({ info: { error: { data } } }, iface);
    expect(revert).to.deep.equal({ name: 'NotJoined', args: ['1', '0x0000000000000000000000000000000000000002'] });
    const e = claimErrorOf(new Error('x'), 1, revert);
    expect(e.code).to.equal(ClaimErrorCode.NOT_JOINED);
    expect(e.message).to.match(/^member 1: never joined: nothing to pay \(NotJoined\(1, 0x0+2\)\)$/);
    const twice = iface.encodeErrorResult('AlreadyClaimed', [1n, 0n]);
    expect(claimErrorOf(new Error('x'), 0, decodeRevert({ data: twice }, iface)).code).to.equal(
      ClaimErrorCode.ALREADY_CLAIMED,
    );
  });

  it('without revert data (a transport failure) it is FAILED with the message', () => {
    expect(decodeRevert(new Error('socket hang up'), iface)).to.equal(undefined);
    const e = claimErrorOf(new Error('socket hang up'), 2, undefined);
    expect(e.code).to.equal(ClaimErrorCode.FAILED);
    expect(e.message).to.include('socket hang up');
  });
});
