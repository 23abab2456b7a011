import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Contract, type EventLog, Wallet } from 'ethers';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { HubClient } from '../../src/chain/hubClient.js';
import { GamePhase } from '../../src/dispute/game.js';
import { GameDesk } from '../../src/dispute/gameDesk.js';
import { ByzantineMode, JUNK_LEAF } from '../../src/node/byzantine.js';
import { createLogger } from '../../src/util/logger.js';
import { FOUR_HOUSEHOLDS, fastCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

const ETHER = 10n ** 18n;
/** The participant bond of the test community, and the challenge bond (the standard 10 % of it). */
const BOND = 10n * ETHER;
const CHALLENGE_BOND = BOND / 10n;
/** A partial claim's deposit and a timed-out signer's penalty: `Hub.CLAIM_DEPOSIT_BPS` (10 %) of the bond. */
const DEPOSIT = BOND / 10n;
/** The game module's move deadline in these tests (a community parameter: the module instance it names). */
const D = 30;
/** GameResult (contracts/src/types/Game.sol). */
const CLAIMANT_LOST = 2n;
const CHALLENGER_LOST = 3n;
const VOID = 4n;
const FAULTED = 5n;

/** Three households, one window of 4 one-second intervals, P = 120 s, moves of 30 s. */
const options = {
  ...fastCommunityOptions,
  households: FOUR_HOUSEHOLDS.slice(0, 3),
  windowCount: 1,
  gameMoveDeadline: D,
};

/** Runs `diversity <args>` (bin/diversity.js) and returns its exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DIVERSITY_')));
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'diversity.js'), ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The data-availability game played by real nodes (libp2p on loopback, anvil): the node challenges a
 * claim whose data nobody serves, and answers a challenge against a claim it signed. Deadlines are
 * crossed with anvil's clock (evm_increaseTime), so nothing here depends on how fast a move is.
 */
describe('e2e: the data-availability game', function () {
  this.timeout(180_000);
  let c: LocalCommunity;

  afterEach(async () => {
    await c?.teardown();
  });

  const gameModule = () =>
    new Contract(c.deployment.modules.game, loadArtifact('DataAvailabilityGame').abi, c.provider);
  const ended = async (game: Contract) =>
    (await game.queryFilter(game.filters.GameEnded(c.deployment.hubAddress))) as EventLog[];

  it('a claimant that withholds its commitment loses its claim through an honest node’s challenge; the honest result becomes final', async () => {
    c = new LocalCommunity(options);
    await c.setup();
    // Some peer must serve a claim's data within 5 % of P (6 s) after it is posted.
    for (const o of c.options) o.game = { ...o.game, availabilityFraction: 0.05, fetchEverySeconds: 1 };
    const hub = c.deployment.hub as Contract;
    const game = gameModule();
    await c.startNode(0, { byzantine: ByzantineMode.WithheldCommitment });
    await Promise.all([1, 2].map((i) => c.startNode(i)));

    const cheat = await c.waitFor(
      'the withheld claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 ? r : undefined;
      },
      40_000,
    );
    expect(cheat.signers).to.equal(1n); // node 0 alone
    // By hand: the audit says nobody serves the claim's data (exit 3).
    const chain = ['--rpc-url', c.anvil.rpcUrl, '--hub', c.deployment.hubAddress, '--community-id', `${c.communityId}`];
    const audit = await cli(['audit', '--games', ...chain, '--window', '0', '--peer', c.nodes[0]!.multiaddrs()[0]]);
    expect(audit.stdout).to.match(/data: +NO peer serves the claim's commitment/);
    expect(audit.code).to.equal(3);
    const opened = await c.waitFor(
      'an honest node challenges',
      async () => {
        const logs = (await game.queryFilter(game.filters.GameChallenged(c.deployment.hubAddress))) as EventLog[];
        return logs.length > 0 ? logs : undefined;
      },
      40_000,
    );
    const honest = [c.options[1].privateKey, c.options[2].privateKey].map((k) => new Wallet(k).address);
    for (const log of opened) {
      expect(honest).to.include(log.args.challenger);
      expect(log.args.bond).to.equal(CHALLENGE_BOND);
    }
    // The claimant never reveals; once its deadline has passed the challenger resolves.
    await c.timeTravel(D + 1);
    const endings = await c.waitFor(
      'the claimant loses',
      async () => {
        const e = await ended(game);
        return e.some((x) => x.args.result === CLAIMANT_LOST) ? e : undefined;
      },
      30_000,
    );
    const lost = endings.find((x) => x.args.result === CLAIMANT_LOST)!;
    const winner = opened.find((o) => o.args.gameId === lost.args.gameId)!.args.challenger as string;
    expect((await hub.queryFilter(hub.filters.ClaimRejected(c.communityId))).length).to.equal(1);
    // A missed deadline is not proven fraud (review R5): the signer pays the bounded penalty (10 % of the
    // bond), shared with the forfeited claim deposit (review R9): half to the challenger, half to the
    // participants who did not sign.
    expect((await hub.member(c.communityId, 0)).bond).to.equal(BOND - DEPOSIT);
    // Shares of a slash are on-chain credit now (paid at close), the escrow stays in the balances root.
    for (const i of [1, 2]) expect((await hub.member(c.communityId, i)).credit).to.equal((2n * DEPOSIT) / 4n);
    // Every challenger's bond is back (a game against a claim no longer pending ends void), plus the reward.
    const challenges = async () =>
      (await game.queryFilter(game.filters.GameChallenged(c.deployment.hubAddress))) as EventLog[];
    await c.waitFor('every game over', async () => (await ended(game)).length === (await challenges()).length, 30_000);
    const withdrawable = async (who: string): Promise<bigint> =>
      hub.withdrawable(c.deployment.tokenAddress, who) as Promise<bigint>;
    expect(await withdrawable(winner)).to.equal(CHALLENGE_BOND + (2n * DEPOSIT) / 2n);
    for (const o of (await challenges()).filter((x) => x.args.challenger !== winner))
      expect(await withdrawable(o.args.challenger)).to.equal(CHALLENGE_BOND);

    // The honest nodes post their result (signed by 1 and 2), nobody challenges it, and it becomes final.
    const rec = await c.waitFor(
      'the honest claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 && r.windowRoot !== cheat.windowRoot ? r : undefined;
      },
      40_000,
    );
    expect(rec.signers).to.equal(6n);
    await c.timeTravel(options.challengePeriod);
    await c.waitFor('window final', async () => (await c.lastFinalizedWindow()) === 0, 30_000);
    const own = (await (await fetch(`${c.nodes[1]!.apiUrl}/window/0`)).json()) as { windowRoot: string };
    expect((await hub.windowRecord(c.communityId, 0)).windowRoot).to.equal(own.windowRoot);
    // Only the withheld claim was ever challenged.
    for (const x of await challenges()) expect(x.args.claim).to.equal(opened[0].args.claim);
  });

  it('a claimant that withholds its data but answers every move loses to a BadEntry proof built from the entry the game opens (Mmr: the entries level)', async () => {
    c = new LocalCommunity(options);
    await c.setup();
    for (const o of c.options) o.game = { ...o.game, availabilityFraction: 0.05, fetchEverySeconds: 1 };
    const hub = c.deployment.hub as Contract;
    const game = gameModule();
    await c.startNode(0, { byzantine: ByzantineMode.WithheldAnswering });
    await Promise.all([1, 2].map((i) => c.startNode(i)));
    const cheat = await c.waitFor(
      'the withheld claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 ? r : undefined;
      },
      40_000,
    );
    // The claimant opens the tree move by move; the challenger picks down to the wrong step, then at the entries
    // level to the participant whose entry departs from chain*(T) (participant 0, whose net the cheat moved), and
    // proves it from the opened entry.
    const disputed = await c.waitFor(
      'a dispute from the opened entry',
      async () => {
        const logs = (await hub.queryFilter(hub.filters.Disputed(c.communityId))) as EventLog[];
        return logs.length > 0 ? logs : undefined;
      },
      60_000,
    );
    expect(disputed.map((d) => Number(d.args.kind))).to.deep.equal([8]); // BadEntry
    const leaves = (await game.queryFilter(game.filters.LeafRevealed(c.deployment.hubAddress))) as EventLog[];
    expect(leaves.length).to.be.greaterThan(0);
    for (const l of leaves) expect(Number(l.args.position)).to.equal(2); // the cheat's step: the middle interval
    const entries = (await game.queryFilter(game.filters.EntryOpened(c.deployment.hubAddress))) as EventLog[];
    expect(entries.length).to.be.greaterThan(0);
    for (const e of entries) expect([Number(e.args.position), Number(e.args.participant)]).to.deep.equal([2, 0]);
    // The game never reached a meter: the entry proves the fault.
    expect(await game.queryFilter(game.filters.MeterOpened(c.deployment.hubAddress))).to.have.length(0);
    expect((await hub.member(c.communityId, 0)).bond).to.equal(0n);
    const rejected = (await hub.queryFilter(hub.filters.ClaimRejected(c.communityId))) as EventLog[];
    expect(rejected).to.have.length(1);
    // The games end void once the claim is rejected: every challenger's bond comes back.
    const challenges = async () =>
      (await game.queryFilter(game.filters.GameChallenged(c.deployment.hubAddress))) as EventLog[];
    await c.waitFor('every game over', async () => (await ended(game)).length === (await challenges()).length, 30_000);
    expect((await ended(game)).map((e) => e.args.result)).to.satisfy((r: bigint[]) => r.every((x) => x === VOID));
    const challenger = disputed[0].args.challenger as string;
    // Fraud: the whole bond and the forfeited claim deposit, half to the challenger.
    expect(await hub.withdrawable(c.deployment.tokenAddress, challenger)).to.equal(
      CHALLENGE_BOND + (BOND + DEPOSIT) / 2n,
    );

    const rec = await c.waitFor(
      'the honest claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 && r.windowRoot !== cheat.windowRoot ? r : undefined;
      },
      40_000,
    );
    expect(rec.signers).to.equal(6n);
    await c.timeTravel(options.challengePeriod);
    await c.waitFor('window final', async () => (await c.lastFinalizedWindow()) === 0, 30_000);
  });

  it('review R1: a claimant whose leaves are well formed over a forged readings root answers every move and publishes the step; the node proves the forged reading from the published data', async () => {
    c = new LocalCommunity(options);
    await c.setup();
    for (const o of c.options) o.game = { ...o.game, availabilityFraction: 0.05, fetchEverySeconds: 1 };
    const hub = c.deployment.hub as Contract;
    const game = gameModule();
    await c.startNode(0, { byzantine: ByzantineMode.ForgedAnswering });
    await Promise.all([1, 2].map((i) => c.startNode(i)));
    const cheat = await c.waitFor(
      'the forged claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 ? r : undefined;
      },
      40_000,
    );
    // Nobody serves the data; an honest node challenges, the cheat answers every move down to the leaf
    // where the claim departs from the honest one, and publishes its step: the forged slot is in it.
    const disputed = await c.waitFor(
      'a dispute from the published step',
      async () => {
        const logs = (await hub.queryFilter(hub.filters.Disputed(c.communityId))) as EventLog[];
        return logs.length > 0 ? logs : undefined;
      },
      60_000,
    );
    expect(disputed.map((d) => Number(d.args.kind))).to.deep.equal([1]); // ForgedReading
    const published = (await game.queryFilter(game.filters.StepPublished(c.deployment.hubAddress))) as EventLog[];
    expect(published.length).to.be.greaterThan(0);
    for (const p of published) expect(Number(p.args.position)).to.equal(2); // the cheat's interval
    const leaves = (await game.queryFilter(game.filters.LeafRevealed(c.deployment.hubAddress))) as EventLog[];
    const honestRoot = ((await (await fetch(`${c.nodes[1]!.apiUrl}/window/0`)).json()) as { windowRoot: string })
      .windowRoot;
    expect(honestRoot).to.not.equal(cheat.windowRoot);
    for (const l of leaves) expect(Number(l.args.position)).to.equal(2);
    // The cheat loses its whole bond; every game ends void (the claim is gone), bonds back.
    expect((await hub.member(c.communityId, 0)).bond).to.equal(0n);
    expect(await hub.queryFilter(hub.filters.ClaimRejected(c.communityId))).to.have.length(1);
    const challenges = async () =>
      (await game.queryFilter(game.filters.GameChallenged(c.deployment.hubAddress))) as EventLog[];
    await c.waitFor('every game over', async () => (await ended(game)).length === (await challenges()).length, 30_000);
    expect((await ended(game)).map((e) => e.args.result)).to.satisfy((r: bigint[]) => r.every((x) => x === VOID));
    const challenger = disputed[0].args.challenger as string;
    // Fraud: the whole bond and the forfeited claim deposit (review R9), half to the challenger.
    expect(await hub.withdrawable(c.deployment.tokenAddress, challenger)).to.equal(
      CHALLENGE_BOND + (BOND + DEPOSIT) / 2n,
    );
    // The honest result (signed by 1 and 2) follows and becomes final.
    await c.waitFor(
      'the honest claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 && r.windowRoot !== cheat.windowRoot ? r : undefined;
      },
      40_000,
    );
    await c.timeTravel(options.challengePeriod);
    await c.waitFor('window final', async () => (await c.lastFinalizedWindow()) === 0, 30_000);
    expect((await hub.windowRecord(c.communityId, 0)).windowRoot).to.equal(honestRoot);
  });

  it('review 5 M2: a claimant of the honest result with junk in its window tree’s padding (W = 3) answers every move and loses at the pick into the padding; the honest result becomes final', async () => {
    c = new LocalCommunity({ ...options, windowIntervals: 3 });
    await c.setup();
    for (const o of c.options) o.game = { ...o.game, availabilityFraction: 0.05, fetchEverySeconds: 1 };
    const hub = c.deployment.hub as Contract;
    const game = gameModule();
    await c.startNode(0, { byzantine: ByzantineMode.JunkPadding });
    await Promise.all([1, 2].map((i) => c.startNode(i)));
    const cheat = await c.waitFor(
      'the junk-padded claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 ? r : undefined;
      },
      40_000,
    );
    expect(cheat.signers).to.equal(1n); // node 0 alone: the honest nodes' roots differ, they do not co-sign
    // The result is the honest one: only the window root differs (its padding).
    const own = (await (await fetch(`${c.nodes[1]!.apiUrl}/window/0`)).json()) as {
      windowRoot: string;
      stateHash: string;
      balancesRoot: string;
    };
    expect(cheat.stateHash).to.equal(own.stateHash);
    expect(cheat.balancesRoot).to.equal(own.balancesRoot);
    expect(cheat.windowRoot).to.not.equal(own.windowRoot);
    // Node 0 serves its slots and states, but they hash to the honest root, not the claim's: an honest node
    // cannot verify the claim's data and challenges it (automatically), then picks where the claim departs
    // from its own tree (right, at the root) and into the junk (position 3, the first padding leaf).
    const junk = await c.waitFor(
      'a pick into the junk padding',
      async () => {
        const logs = (await game.queryFilter(game.filters.PaddingNotEmpty(c.deployment.hubAddress))) as EventLog[];
        return logs.length > 0 ? logs : undefined;
      },
      60_000,
    );
    expect(junk).to.have.length(1);
    expect(junk[0].args.meterLevel).to.equal(false);
    expect([Number(junk[0].args.height), Number(junk[0].args.index)]).to.deep.equal([0, 3]);
    expect(junk[0].args.node).to.equal(JUNK_LEAF);
    const opened = (await game.queryFilter(game.filters.GameChallenged(c.deployment.hubAddress))) as EventLog[];
    const honest = [c.options[1].privateKey, c.options[2].privateKey].map((k) => new Wallet(k).address);
    for (const log of opened) expect(honest).to.include(log.args.challenger);
    // The claimant answered (the two reveals of the winning game: the root's children, then leaf 2's and the junk).
    const won = opened.find((o) => o.args.gameId === junk[0].args.gameId)!;
    const reveals = (await game.queryFilter(game.filters.ChildrenRevealed(c.deployment.hubAddress))) as EventLog[];
    expect(reveals.filter((r) => r.args.gameId === won.args.gameId)).to.have.length(2);
    const endings = await c.waitFor(
      'every game over',
      async () => {
        const e = await ended(game);
        return e.length === opened.length ? e : undefined;
      },
      30_000,
    );
    // ClaimantFaulted for the game that picked the junk; any other challenger's game ends void (the claim is gone).
    for (const e of endings) expect(e.args.result).to.equal(e.args.gameId === won.args.gameId ? FAULTED : VOID);
    expect(await hub.queryFilter(hub.filters.ClaimRejected(c.communityId))).to.have.length(1);
    // A proven fault: the signer's whole bond and the forfeited claim deposit, half to the challenger.
    expect((await hub.member(c.communityId, 0)).bond).to.equal(0n);
    const winner = won.args.challenger as string;
    expect(await hub.withdrawable(c.deployment.tokenAddress, winner)).to.equal(CHALLENGE_BOND + (BOND + DEPOSIT) / 2n);
    for (const o of opened.filter((x) => x.args.challenger !== winner))
      expect(await hub.withdrawable(c.deployment.tokenAddress, o.args.challenger)).to.equal(CHALLENGE_BOND);
    const w = honest.indexOf(winner) + 1;
    await c.waitFor(
      'the winner counts the game',
      async () => {
        const m = await c.nodes[w]!.metrics!.gamesEnded.get();
        return m.values.some(
          (v) => v.labels.result === 'ClaimantFaulted' && v.labels.role === 'challenger' && v.value === 1,
        );
      },
      20_000,
    );

    // The honest result (signed by 1 and 2) follows and becomes final: the same stateHash, the honest root.
    const rec = await c.waitFor(
      'the honest claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 && r.windowRoot !== cheat.windowRoot ? r : undefined;
      },
      40_000,
    );
    expect(rec.signers).to.equal(6n);
    expect(rec.windowRoot).to.equal(own.windowRoot);
    await c.timeTravel(options.challengePeriod);
    await c.waitFor('window final', async () => (await c.lastFinalizedWindow()) === 0, 30_000);
    const final = await hub.windowRecord(c.communityId, 0);
    expect([final.windowRoot, final.stateHash]).to.deep.equal([own.windowRoot, cheat.stateHash]);
  });

  it('an honest node answers a challenge against its own claim and keeps it; the challenger’s bond goes to the signers', async () => {
    c = new LocalCommunity(options);
    await c.setup();
    const hub = c.deployment.hub as Contract;
    const game = gameModule();
    // Node 2 stays offline: the others post their result on the pending path, signed by 0 and 1.
    await Promise.all([0, 1].map((i) => c.startNode(i)));
    const rec = await c.waitFor(
      'the claim pending',
      async () => {
        const r = await hub.windowRecord(c.communityId, 0);
        return Number(r.status) === 1 ? r : undefined;
      },
      40_000,
    );
    expect(rec.signers).to.equal(3n);
    const creditBefore = await Promise.all([0, 1].map(async (i) => (await hub.member(c.communityId, i)).credit));

    // An outsider (the deployer's account) challenges the honest claim by hand: `diversity dispute --game challenge`.
    const outsider = new Wallet(c.anvil.privateKeys[0], c.provider);
    await (await (c.deployment.token.connect(outsider) as Contract).mint(outsider.address, CHALLENGE_BOND)).wait();
    const chain = ['--rpc-url', c.anvil.rpcUrl, '--hub', c.deployment.hubAddress, '--community-id', `${c.communityId}`];
    const key = ['--private-key', c.anvil.privateKeys[0]];
    const challenge = await cli(['dispute', '--game', 'challenge', ...chain, '--window', '0', ...key]);
    expect(challenge.stdout, challenge.stderr).to.match(
      new RegExp(`challenge of window 0 \\(bond ${CHALLENGE_BOND}\\): mined`),
    );
    expect(challenge.code).to.equal(0);
    expect(await c.deployment.token.balanceOf(outsider.address)).to.equal(0n);
    // Resolving before any deadline is refused with the reason, exit 3.
    const early = await cli(['dispute', '--game', 'resolve', ...chain, '--window', '0', ...key]);
    expect(early.stderr).to.match(/no deadline has passed yet/);
    expect(early.code).to.equal(3);
    const client = new HubClient(
      { hub: c.deployment.hubAddress, communityId: c.communityId },
      { runner: outsider, provider: c.provider },
    );
    const desk = await GameDesk.connect(client, outsider, c.provider, {
      logger: createLogger({ level: 'error', name: 'outsider' }),
    });
    expect(await desk.bond()).to.equal(CHALLENGE_BOND);

    // The nodes reveal each level; the outsider picks (left, it holds no data) down to a leaf, an entry, a meter.
    let picks = 0;
    for (;;) {
      const { state } = await c.waitFor(
        'the claimant side to answer',
        async () => {
          const g = await desk.gameOf(0, outsider.address);
          // The claimant side's moves: the reveals, and at the leaf the step's data.
          return g.state.phase !== GamePhase.Reveal && g.state.phase !== GamePhase.Publish ? g : undefined;
        },
        30_000,
      );
      if (state.phase === GamePhase.Opened) break;
      const picked = await desk.pick(0, outsider.address);
      expect(picked.mined, picked.reason).to.equal(true);
      picks++;
    }
    // depth(W = 4) at the window level, depth(N = 3) at the entries level, then depth(M = 3) at the meter level.
    expect(picks).to.equal(6);
    const status = await cli(['dispute', '--game', 'status', ...chain, '--window', '0']);
    expect(status.stdout).to.match(/1 open game\(s\)/);
    expect(status.stdout).to.match(/meter 0 of step 0 is open/);
    const leaf = (await game.queryFilter(game.filters.LeafRevealed(c.deployment.hubAddress))) as EventLog[];
    expect(leaf).to.have.length(1);
    expect(Number(leaf[0].args.interval)).to.equal(0);
    // Moves mined, as the signers' nodes count them. A node counts a move once its receipt is back (its
    // provider polls): the chain may show a move (above) before its node has counted it, so wait until the
    // counts reach what the chain shows, then check that they are exactly that.
    const mined = async (action: string) => {
      const counts = await Promise.all(
        [0, 1].map(async (i) => {
          const m = await c.nodes[i]!.metrics!.gameMoves.get();
          return m.values
            .filter((v) => v.labels.action === action && v.labels.result === 'mined')
            .reduce((a, v) => a + v.value, 0);
        }),
      );
      return counts[0] + counts[1];
    };
    const counted = async (action: string, n: number) => {
      await c.waitFor(`${n} ${action} move(s) counted by the nodes`, async () => (await mined(action)) >= n, 20_000);
      return mined(action);
    };
    // Each of the 7 reveals (2 window levels, the interval leaf, 2 entries levels, 2 meter levels) was sent by one
    // of the signers' nodes.
    expect(await counted('Reveal', 7)).to.equal(7);
    // ... the opened step's data (E_t and entry N-1) was published once, one entry and one meter leaf opened once.
    expect(await counted('Publish', 1)).to.equal(1);
    expect(await counted('OpenEntry', 1)).to.equal(1);
    expect(await counted('OpenMeter', 1)).to.equal(1);
    const published = (await game.queryFilter(game.filters.StepPublished(c.deployment.hubAddress))) as EventLog[];
    expect(published.map((e) => Number(e.args.position))).to.deep.equal([0]);
    const entries = (await game.queryFilter(game.filters.EntryOpened(c.deployment.hubAddress))) as EventLog[];
    expect(entries.map((e) => [Number(e.args.position), Number(e.args.participant)])).to.deep.equal([[0, 0]]);
    // The entries-level reveals, both trees' children at each height (EntryChildrenRevealed).
    const entryReveals = (await game.queryFilter(
      game.filters.EntryChildrenRevealed(c.deployment.hubAddress),
    )) as EventLog[];
    expect(entryReveals.map((e) => Number(e.args.height))).to.deep.equal([2, 1]);
    const meters = (await game.queryFilter(game.filters.MeterOpened(c.deployment.hubAddress))) as EventLog[];
    // The outsider holds no data: it picks left down to meter 0 of step 0.
    expect(meters.map((e) => [Number(e.args.position), Number(e.args.meterIndex)])).to.deep.equal([[0, 0]]);

    // The outsider has nothing to prove; past its deadline a signer's node resolves: the bond goes to the signers.
    await c.timeTravel(D + 1);
    const endings = await c.waitFor(
      'the challenger loses',
      async () => {
        const e = await ended(game);
        return e.length > 0 ? e : undefined;
      },
      30_000,
    );
    expect(endings.map((e) => e.args.result)).to.deep.equal([CHALLENGER_LOST]);
    for (const i of [0, 1])
      expect((await hub.member(c.communityId, i)).credit).to.equal(creditBefore[i] + CHALLENGE_BOND / 2n);
    const kept = await hub.windowRecord(c.communityId, 0);
    expect(kept.windowRoot).to.equal(rec.windowRoot);
    expect(Number(kept.status)).to.equal(1);
    await c.timeTravel(options.challengePeriod);
    await c.waitFor('window final', async () => (await c.lastFinalizedWindow()) === 0, 30_000);
    expect((await hub.windowRecord(c.communityId, 0)).windowRoot).to.equal(rec.windowRoot);
  });
});
