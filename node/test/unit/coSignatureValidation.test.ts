import { expect } from 'chai';
import { hubDomain, signWindowResult } from '../../src/chain/eip712.js';
import { CoSignatureGossipErrorCode as Code, GossipValidationError } from '../../src/chain/errors.js';
import { validateCoSignature, type CoSignatureValidationContext } from '../../src/chain/validation/coSignature.js';
import { COSIGNATURE_MESSAGE_LENGTH, encodeCoSignature, type CoSignatureMessage } from '../../src/network/messages.js';
import type { NodeDb, StoredWindowResult } from '../../src/db/index.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

describe('co-signature gossip validation', () => {
  const { community, wallets } = testCommunity(3);
  const domain = hubDomain(community.chainId, community.hub);
  const { clock } = manualClock(community, community.start + 10 * 4 * 3); // window 2 running
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  let ctx: CoSignatureValidationContext;
  const root = `0x${'ab'.repeat(32)}`;
  const stateHash = `0x${'cd'.repeat(32)}`;
  const balancesRoot = `0x${'ba'.repeat(32)}`;

  async function message(
    signer: number,
    window = 1,
    by = signer,
    over: Partial<CoSignatureMessage> = {},
  ): Promise<Uint8Array> {
    const signature = await signWindowResult(wallets[by], domain, {
      communityId: community.communityId,
      window,
      windowRoot: root,
      stateHash,
      balancesRoot,
    });
    return encodeCoSignature({ window, signer, windowRoot: root, stateHash, balancesRoot, signature, ...over });
  }

  async function outcome(data: Uint8Array): Promise<string> {
    try {
      const msg = await validateCoSignature(ctx, data);
      await db.coSignatures.put({ window: msg.window, signer: msg.signer }, msg);
      return 'ACCEPT';
    } catch (e) {
      if (e instanceof GossipValidationError) return `${e.action} ${e.code}`;
      throw e;
    }
  }

  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
    ctx = { community, clock, domain, db, lastFinalWindow: () => -1 };
  });
  afterEach(async () => cleanup());

  it("accepts a participant's signature, then ignores it as a duplicate", async () => {
    const m = await message(1);
    expect(await outcome(m)).to.equal('ACCEPT');
    expect(await outcome(m)).to.equal(`IGNORE ${Code.DUPLICATE}`);
  });

  it('[REJECT] malformed, unknown signer, wrong signer, window past the last', async () => {
    expect(await outcome(new Uint8Array(5))).to.equal(`REJECT ${Code.MALFORMED}`);
    // The message of the previous round (no balances root: 135 bytes) is not a co-signature any more.
    expect(await outcome((await message(1)).subarray(32))).to.equal(`REJECT ${Code.MALFORMED}`);
    expect(COSIGNATURE_MESSAGE_LENGTH).to.equal(4 + 2 + 32 * 3 + 65);
    expect(await outcome(await message(5, 1, 0))).to.equal(`REJECT ${Code.UNKNOWN_SIGNER}`);
    expect(await outcome(await message(1, 1, 2))).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
    expect(await outcome(await message(1, 1, 1, { stateHash: `0x${'ee'.repeat(32)}` }))).to.equal(
      `REJECT ${Code.BAD_SIGNATURE}`,
    );
    // The balances root is signed too: a relayed signature with another balancesRoot does not verify.
    expect(await outcome(await message(1, 1, 1, { balancesRoot: `0x${'ee'.repeat(32)}` }))).to.equal(
      `REJECT ${Code.BAD_SIGNATURE}`,
    );
    expect(await outcome(await message(1, 10))).to.equal(`REJECT ${Code.OUTSIDE_COMMUNITY}`);
  });

  it('[REJECT] a signature bound to another hub', async () => {
    const other = hubDomain(community.chainId, `0x${'44'.repeat(20)}`);
    const signature = await signWindowResult(wallets[0], other, {
      communityId: community.communityId,
      window: 1,
      windowRoot: root,
      stateHash,
      balancesRoot,
    });
    expect(
      await outcome(encodeCoSignature({ window: 1, signer: 0, windowRoot: root, stateHash, balancesRoot, signature })),
    ).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
  });

  it('attack: a superseded signature replayed (new envelopes) is ignored before its recovery, as useless', async () => {
    // Participant 1 signed R1, re-folded and signed R2; we folded R2 and hold its R2 signature.
    const r1 = await message(1, 1, 1, {});
    const r2Root = `0x${'a2'.repeat(32)}`;
    const signature = await signWindowResult(wallets[1], domain, {
      communityId: community.communityId,
      window: 1,
      windowRoot: r2Root,
      stateHash,
      balancesRoot,
    });
    const r2 = encodeCoSignature({ window: 1, signer: 1, windowRoot: r2Root, stateHash, balancesRoot, signature });
    expect(await outcome(r2)).to.equal('ACCEPT');
    await db.windowResults.put(1, { window: 1, windowRoot: r2Root, stateHash, balancesRoot } as StoredWindowResult);
    // A hostile peer replays R1 (validly signed by 1, never kept: ours is R2): each replay used to
    // be ACCEPTed (a recovery, a store read, forwarded to every peer) and dropped at store.
    for (let i = 0; i < 3; i++) expect(await outcome(r1)).to.equal(`IGNORE ${Code.SUPERSEDED}`);
    // Without a result of ours, or when the held signature is not ours, it is checked as before.
    await db.windowResults.put(1, { window: 1, windowRoot: root, stateHash, balancesRoot } as StoredWindowResult);
    expect(await outcome(r1)).to.equal('ACCEPT');
  });

  it('[IGNORE] a window not over yet, or already final', async () => {
    expect(await outcome(await message(0, 3))).to.equal(`IGNORE ${Code.TOO_EARLY}`);
    ctx.lastFinalWindow = () => 1;
    expect(await outcome(await message(0, 1))).to.equal(`IGNORE ${Code.WINDOW_FINAL}`);
  });
});
