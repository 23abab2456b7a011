import { expect } from 'chai';
import { claimForAll, claimPayout } from '../../src/chain/claims.js';
import type { HubClient } from '../../src/chain/hubClient.js';
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

describe('claimForAll: one claimAll, claim by claim when the batch is refused', () => {
  const HUB = '0x00000000000000000000000000000000000000aa';
  const TOKEN = '0x00000000000000000000000000000000000000bb';
  const iface = new Interface([
    'error NothingToClaim(uint64 communityId, uint256 index)',
    'error CommunityFundsExceeded(uint64 communityId, uint256 held, uint256 amount)',
    'event Claimed(uint64 indexed communityId, uint256 indexed index, address indexed participant, uint256 paid, uint256 repaid)',
  ]);
  const leaves = [1, 2].map((i) => ({
    participant: `0x${String(i).padStart(40, '0')}`,
    escrow: 10n,
    debt: 0n,
    claim: 0n,
  }));
  const balances = { window: 0, leaves, totalClaims: 0n, root: '0x' };
  const reverting = (name: string, args: unknown[]) =>
    Object.assign(new Error('execution reverted'), { data: iface.encodeErrorResult(name, args) });

  /** A hub whose claimAll reverts with `batchError`; single claims succeed. Records what was sent. */
  function fakeHub(batchError: Error) {
    const sent: string[] = [];
    const receipt = (index: number) => ({
      hash: `0x${String(index).padStart(64, '0')}`,
      gasUsed: 70_000n,
      logs: [
        { address: HUB, ...iface.encodeEventLog('Claimed', [1n, BigInt(index), leaves[index].participant, 10n, 0n]) },
      ],
    });
    const hub = {
      opts: { hub: HUB, communityId: 1n },
      contract: { interface: iface, runner: null },
      token: async () => TOKEN,
      member: async () => ({ settled: false, claimTaken: 0n }),
      repaidPool: async () => 0n,
      sendClaimAll: async () => {
        sent.push('claimAll');
        throw batchError;
      },
      sendClaim: async (index: number) => {
        sent.push(`claim ${index}`);
        return { wait: async () => receipt(index) };
      },
      sendClaimShare: async () => {
        throw new Error('no share is owed');
      },
    };
    return { hub: hub as unknown as HubClient, sent };
  }

  it('attack: a batch the hub refuses whole (a payout that burns the gas, funds exceeded) falls back to one claim per member', async () => {
    const { hub, sent } = fakeHub(reverting('CommunityFundsExceeded', [1n, 5n, 10n]));
    const { outcomes, refused } = await claimForAll(hub, balances);
    expect(sent).to.deep.equal(['claimAll', 'claim 0', 'claim 1']);
    expect(outcomes.map((o) => [o.index, o.kind])).to.deep.equal([
      [0, 'claim'],
      [1, 'claim'],
    ]);
    expect(refused).to.deep.equal([]);
  });

  it('nobody owed anything (NothingToClaim): no single claim is sent, nothing is refused', async () => {
    const { hub, sent } = fakeHub(reverting('NothingToClaim', [1n, 2n]));
    const { outcomes, refused } = await claimForAll(hub, balances);
    expect(sent).to.deep.equal(['claimAll']);
    expect(outcomes).to.deep.equal([]);
    expect(refused).to.deep.equal([]);
  });
});
