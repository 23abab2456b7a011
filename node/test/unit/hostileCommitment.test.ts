import { expect } from 'chai';
import type { HubClient, WindowRecord } from '../../src/chain/hubClient.js';
import { WindowStatus } from '../../src/chain/hubClient.js';
import { servedWindow } from '../../src/dispute/gameDesk.js';
import { claimFinalState, Disputer, parseClaimedWindow } from '../../src/dispute/disputer.js';
import { DisputeKind } from '../../src/dispute/proofs.js';
import { ByzantineMode, byzantineFold } from '../../src/node/byzantine.js';
import type { BalanceBook } from '../../src/node/balanceBook.js';
import { commitmentFrames } from '../../src/node/committer.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { type SignedReading, signReading } from '../../src/reading/signature.js';
import { createLogger } from '../../src/util/logger.js';
import { assembleWindow } from '../../src/window/assemble.js';
import { commitLayout, foldAndCommit } from '../../src/window/fold.js';
import { testCommunity, tempDb } from '../utils/community.js';

/**
 * A hostile peer answers the window protocol's `commitment` request with junk (not JSON, JSON of
 * another shape, slots that are not readings, states that are not numbers). Every consumer of the
 * peers' answers (the disputer, the balances' final state, the data-availability game) must treat a
 * malformed answer as no answer and go on with the next peer's: one junk answer listed before the
 * honest one must not stop a dispute of a fraudulent claim.
 */
describe('attack: a peer answers `commitment` with junk, before an honest peer', () => {
  const { community, meterKeys } = testCommunity(3);
  const readings: SignedReading[] = [];
  for (let t = 0; t < 4; t++)
    for (let m = 0; m < 3; m++)
      readings.push(
        signReading(
          {
            chainId: community.chainId,
            hub: community.hub,
            communityId: 1n,
            meterIndex: m,
            interval: t,
            exportWh: m === 0 ? 300 : 0,
            importWh: m === 0 ? 0 : 120 + m,
          },
          meterKeys[m].secretKey,
        ),
      );
  const assembled = assembleWindow(0, 4, 3, readings, []);
  const honest = foldAndCommit(community, 0, assembled);
  const layout = commitLayout(community);
  const keys = new MeterKeyRing(community.meters);
  const honestFrames = commitmentFrames(assembled, honest).map((f) => Buffer.from(f, 'utf8'));

  const row = (o: unknown) => Buffer.from(JSON.stringify(o));
  const junkAnswers: Record<string, Uint8Array[]> = {
    'not JSON': [Buffer.from('\x00\xff{'), Buffer.from('x'), Buffer.from('y'), Buffer.from('z')],
    'JSON null rows': [row(null), row(null), row(null), row(null)],
    'rows without slots': [row({ interval: 0 }), row({ interval: 1 }), row({ interval: 2 }), row({ interval: 3 })],
    'slots that are not readings': honestFrames.map((_, t) =>
      row({ interval: t, slots: ['0x12', null, 7], state: [] }),
    ),
    'states that are not numbers': honestFrames.map((f) => {
      const o = JSON.parse(Buffer.from(f).toString());
      o.state = o.state.map((s: Record<string, string>) => ({ ...s, net: 'lots' }));
      return row(o);
    }),
    'deeply nested': [Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
  };

  for (const [what, junk] of Object.entries(junkAnswers)) {
    it(`parseClaimedWindow: ${what} is no answer (undefined), never a throw`, () => {
      expect(parseClaimedWindow(layout, junk)).to.equal(undefined);
    });
  }

  it('claimFinalState (balances of a final claim) skips the junk and takes the honest answer', () => {
    const answers = [...Object.values(junkAnswers), honestFrames];
    const state = claimFinalState(layout, answers, honest.commitment.windowRoot);
    expect(state).to.not.equal(undefined);
    expect(state!.length).to.equal(3);
    expect(servedWindow(layout, answers, honest.commitment.windowRoot)?.commitment.windowRoot).to.equal(
      honest.commitment.windowRoot,
    );
  });

  it('the disputer still proves a dropped reading when a junk answer comes first', async () => {
    const { db, cleanup } = await tempDb();
    try {
      for (const r of readings)
        await db.readings.put({ window: 0, interval: r.reading.interval, meter: r.reading.meterIndex }, r);
      const cheat = byzantineFold(ByzantineMode.DroppedReading, community, 0, assembled);
      const cheatFrames = commitmentFrames(cheat.assembled, cheat.folded).map((f) => Buffer.from(f, 'utf8'));
      const record: WindowRecord = {
        windowRoot: cheat.folded.commitment.windowRoot,
        stateHash: cheat.postedStateHash,
        balancesRoot: `0x${'00'.repeat(32)}`,
        signers: 1n, // participant 0 signed
        submittedAt: 1,
        status: WindowStatus.Pending,
      };
      const disputer = new Disputer({
        community,
        keys,
        db,
        participantIndex: 1,
        hub: {} as HubClient,
        balances: {} as BalanceBook,
        fetchCommitments: async () => [...Object.values(junkAnswers), cheatFrames],
        metrics: null,
        logger: createLogger({ level: 'error', name: 'test' }),
      });
      const { proof, reason } = await disputer.prove(0, record);
      expect(reason).to.equal(undefined);
      expect(proof, 'a proof').to.not.equal(undefined);
      expect(DisputeKind[proof!.kind]).to.be.a('string');
    } finally {
      await cleanup();
    }
  });
});
