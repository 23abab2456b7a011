import { expect } from 'chai';
import { CommunityClock } from '../../src/community/clock.js';
import { MeterService, msUntilNextLook } from '../../src/meter/meterService.js';
import { SimulatedMeter } from '../../src/meter/simulatedMeter.js';
import { Loop } from '../../src/node/loop.js';
import { meterKeyPair } from '../../src/reading/signature.js';
import { nullLogger } from '../../src/util/logger.js';
import { seedFor } from '../../src/vectors/readings.js';
import { manualClock, testCommunity } from '../utils/community.js';

/**
 * The window's way to final waits for no timer where the work is known to have arrived (issue 13,
 * "window end -> final <= 2 s + one block with 10 nodes"): the meter signs at the interval's end, the
 * commit loop runs when a window's last reading is stored, the settle loop when every co-signature is
 * held. Each test names the behaviour, not a duration: the periods here are far longer than the test.
 */
describe('wake-ups on the way to final', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  describe('Loop', () => {
    const loops: Loop[] = [];
    afterEach(async () => {
      await Promise.all(loops.map((l) => l.stop()));
      loops.length = 0;
    });
    const make = (round: () => Promise<void>) => {
      const l = new Loop('test', 3_600_000, round, nullLogger);
      loops.push(l);
      return l;
    };

    it('a wake runs a round at once, not at the next tick of its (hour-long) period', async () => {
      let rounds = 0;
      const l = make(async () => {
        rounds++;
      });
      l.start();
      expect(rounds).to.equal(0);
      l.wake();
      await sleep(0);
      expect(rounds).to.equal(1);
    });

    it('wakes during a round make ONE more round right after it, never two rounds at once', async () => {
      let rounds = 0;
      let inside = 0;
      let maxInside = 0;
      let release!: () => void;
      const l = make(async () => {
        rounds++;
        inside++;
        maxInside = Math.max(maxInside, inside);
        if (rounds === 1) await new Promise<void>((r) => (release = r));
        inside--;
      });
      l.start();
      l.wake();
      await sleep(0);
      expect(l.busy).to.equal(true);
      // The window's last readings arrive in one batch: one wake each.
      for (let i = 0; i < 5; i++) l.wake();
      release();
      await sleep(10);
      expect(rounds).to.equal(2);
      expect(maxInside).to.equal(1);
      expect(l.busy).to.equal(false);
    });

    it('a failing round is logged and the loop goes on; a stopped loop ignores wakes', async () => {
      let rounds = 0;
      const l = make(async () => {
        rounds++;
        throw new Error('boom');
      });
      l.start();
      l.wake();
      await sleep(0);
      l.wake();
      await sleep(0);
      expect(rounds).to.equal(2);
      await l.stop();
      l.wake();
      await sleep(0);
      expect(rounds).to.equal(2);
    });

    it('stop() resolves once the round in progress is over', async () => {
      let release!: () => void;
      let done = false;
      const l = make(async () => {
        await new Promise<void>((r) => (release = r));
        done = true;
      });
      l.start();
      l.wake();
      await sleep(0);
      const stopped = l.stop().then(() => done);
      release();
      expect(await stopped).to.equal(true);
    });
  });

  describe('the meter looks at the end of each interval', () => {
    const { community } = testCommunity(2, { intervalSeconds: 1 });
    /** Meter 0's service on `clock` (a minute-long tick: only the interval ends wake it), and the intervals it published. */
    const meterService = (clock: CommunityClock, seed: string, lastInterval: number) => {
      const meter = new SimulatedMeter(
        { chainId: community.chainId, hub: community.hub, communityId: community.communityId, meterIndex: 0 },
        { key: meterKeyPair(seedFor(seed)), profile: { loadWh: [10, 20, 30] } },
      );
      const published: number[] = [];
      const service = new MeterService(
        { tickMs: 60_000, lastInterval, profileOffset: 0 },
        {
          meter,
          clock,
          logger: nullLogger,
          publish: async (bytes) => void published.push(Buffer.from(bytes).readUInt32BE(58)),
        },
      );
      return { service, published };
    };

    it('sleeps until the running interval is over (plus a margin), capped by its tick', () => {
      const { clock, state } = manualClock(community, community.start + 3.25);
      // 750 ms left in interval 3: look at its end, not after a 1-second poll.
      expect(msUntilNextLook(clock, 1000)).to.equal(752);
      // With the old 250 ms poll as the cap, never later than that.
      expect(msUntilNextLook(clock, 250)).to.equal(250);
      state.now = community.start + 3.5;
      expect(msUntilNextLook(clock, 1000)).to.equal(502);
    });

    it('publishes the reading of an interval as it ends, with a tick far longer than the interval', async () => {
      // Real time: interval 0 ends ~120 ms from now; the meter's fallback tick is a minute.
      const started = Date.now() / 1000;
      const live = { ...community, start: started - 0.88 };
      const clock = new CommunityClock(live);
      const { service, published } = meterService(clock, 'wake-meter', 0);
      service.start(0);
      try {
        expect(published).to.deep.equal([]);
        // A deadline, not a duration under test: a loaded machine may run the look late, never a minute late.
        const deadline = Date.now() + 15_000;
        while (published.length === 0 && Date.now() < deadline) await sleep(20);
        expect(published).to.deep.equal([0]);
      } finally {
        await service.stop();
      }
    });

    it('stopped just past an interval end, before its look, it still signs and publishes that interval', async () => {
      const { clock, state } = manualClock(community, community.start + 0.5);
      const { service, published } = meterService(clock, 'stop-meter', 2);
      service.start(0);
      await sleep(20);
      expect(published, 'interval 0 running').to.deep.equal([]);
      // The clock passes interval 0's end; the meter's next look is a minute away (its tick).
      state.now = community.start + 1.001;
      await service.stop();
      expect(published).to.deep.equal([0]);
      await service.stop();
      expect(published, 'stopped once').to.deep.equal([0]);
    });
  });
});
