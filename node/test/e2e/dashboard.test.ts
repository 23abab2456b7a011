import { expect } from 'chai';
import { formatUnits, parseUnits } from 'ethers';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ByzantineMode } from '../../src/node/byzantine.js';
import { findChromium, launchChromium, type HeadlessChromium } from '../utils/browser.js';
import { fastCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

const getJson = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  // biome-ignore lint/suspicious/noExplicitAny: the cases walk the API's JSON and assert on each field they read.
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};

/**
 * The dashboard in a real headless Chromium against a running local community in which node 0
 * cheats (changes a committed reading) in every window: the page loads without console errors,
 * shows the peers, the windows turning final, and the dispute with its outcome in the feed.
 * Set DASHBOARD_SCREENSHOT_DIR to keep the screenshots (docs/dashboard.png is taken this way).
 */
describe('e2e: the dashboard in headless Chromium', function () {
  this.timeout(180_000);
  let c: LocalCommunity | undefined;
  let browser: HeadlessChromium | undefined;
  const shots = process.env.DASHBOARD_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'diversity-dashboard-'));

  before(function () {
    const executable = findChromium();
    if (!executable) {
      const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : '/usr/bin/chromium';
      console.log(
        `      SKIPPED the browser test: no Chromium at ${where}; install it with \`apt-get install -y chromium\` (.ci/run does)`,
      );
      this.skip();
    }
  });

  after(async () => {
    await browser?.close();
    await c?.teardown();
    if (!process.env.DASHBOARD_SCREENSHOT_DIR) rmSync(shots, { recursive: true, force: true });
  });

  it('shows peers, windows turning final, and a dispute raised by a byzantine node with its outcome', async () => {
    c = new LocalCommunity({ ...fastCommunityOptions, windowCount: 2, startDelaySeconds: 5 });
    await c.setup();
    const community = c;
    await community.startNode(0, { byzantine: ByzantineMode.ChangedReading });
    await Promise.all([1, 2, 3].map((i) => community.startNode(i)));
    const urls = community.nodes.map((n) => n!.apiUrl!);
    browser = await launchChromium(findChromium()!);
    mkdirSync(shots, { recursive: true });

    const page: Page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('requestfailed', (r) => {
      // The event stream is cut when the nodes stop at the end; anything else is a failure.
      if (!r.url().endsWith('/api/events/stream')) errors.push(`request failed: ${r.url()}`);
    });
    await page.goto(`${urls[2]}/`);
    await page.waitForSelector('#health .card');

    // Peers: every other participant, as the node sees them.
    await page.locator('#health .card .value', { hasText: /^3 \/ 3$/ }).waitFor({ timeout: 30_000 });

    // The byzantine claim is disputed and rejected; the feed says so live (server-sent events).
    await page.waitForSelector('#feed li[data-type="dispute"]', { timeout: 60_000 });
    await page.waitForSelector('#feed li[data-type="claim-rejected"]', { timeout: 10_000 });
    await page.waitForSelector('#feed li[data-type="slashed"]', { timeout: 10_000 });
    const dispute = await page.textContent('#feed li[data-type="dispute"] .msg');
    expect(dispute).to.match(/Window 0: dispute raised by participant [123]: .*forged reading/);
    const slashed = await page.textContent('#feed li[data-type="slashed"] .msg');
    // 10 of bond and the 1 of the rejected claim's deposit (review R9); half of it to the disputer.
    expect(slashed).to.match(
      /participant 0 slashed 11 \S+ \(from bonds, [^)]*\); 5(\.5)? \S+ reward to participant [123]/,
    );
    await page.screenshot({ path: join(shots, 'dashboard-disputed.png'), fullPage: true });

    // The honest result goes pending (3 of 4 signatures); its challenge period is passed on chain.
    for (let w = 0; w < 2; w++) {
      await community.waitFor(
        `window ${w} final`,
        async () => {
          if ((await community.lastFinalizedWindow()) >= w) return true;
          const rec = await community.deployment.hub.windowRecord(community.communityId, w);
          if (Number(rec.status) === 1 && (rec.signers & 1n) === 0n) await community.timeTravel(150);
          return false;
        },
        90_000,
      );
    }
    await page.locator('#windows tr[data-status="final"]').nth(1).waitFor({ timeout: 20_000 });
    await page.waitForSelector('#feed li[data-type="window-final"]');
    const finalRow = await page.textContent('#windows tr[data-window="0"]');
    expect(finalRow).to.match(/final · challenge/);
    expect(finalRow).to.match(/ForgedReading by P[123]/);
    // The disputer's own view: it saw the claim differ from its fold before it disputed (a node event, shown
    // in its feed). Asked of the node that raised the dispute, on its own page: another honest node may never
    // see the claim pending when the dispute lands first (node 2 did not, once, in s14).
    const disputer = Number(/raised by participant (\d)/.exec(dispute ?? '')?.[1]);
    const own = await browser.context.newPage();
    await own.goto(`${urls[disputer]}/`);
    await own.waitForSelector('#feed li[data-type="disagreement"]', { timeout: 10_000 });
    await own.close();
    // Energy and money with units.
    expect(await page.textContent('#energy-summary')).to.match(/kWh|Wh/);
    expect(await page.textContent('#money')).to.match(/\d+\.\d\d \S+/);
    expect(await page.locator('#energy-chart canvas').count()).to.equal(1);

    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    expect(statSync(join(shots, 'dashboard.png')).size).to.be.greaterThan(20_000);

    // A phone: the same page at 390 px.
    const phone = await browser.context.newPage();
    phone.on('pageerror', (e) => errors.push(e.message));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${urls[1]}/`);
    await phone.waitForSelector('#feed li[data-type="dispute"]');
    await phone.locator('#windows tr[data-status="final"]').nth(1).waitFor();
    const overflow = await phone.evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return w.document.documentElement.scrollWidth - w.innerWidth;
    });
    expect(overflow, 'horizontal overflow on a phone').to.be.at.most(0);
    await phone.screenshot({ path: join(shots, 'dashboard-phone.png'), fullPage: true });

    // The community overview reads every node's JSON.
    const overview = await browser.context.newPage();
    overview.on('pageerror', (e) => errors.push(e.message));
    await overview.goto(`${urls[1]}/overview.html?nodes=${urls.join(',')}`);
    await overview.locator('#nodes tbody tr[data-node]').nth(3).waitFor({ timeout: 15_000 });
    await overview.locator('#windows tr[data-status="final"]').nth(1).waitFor();
    await overview.waitForSelector('#feed li[data-type="dispute"]');
    await overview.screenshot({ path: join(shots, 'overview.png'), fullPage: true });

    expect(errors, errors.join('\n')).to.deep.equal([]);
    await Promise.all([page.close(), phone.close(), overview.close()]);

    // The JSON behind the page: every node has seen both windows final (none is stuck behind a
    // dispute it lost to a faster node).
    for (const url of urls)
      await community.waitFor(
        `${url} sees window 1 final`,
        async () => (await getJson(`${url}/api/health`)).body.lastFinalWindow === 1,
        // A deadline: a node sees window 1 final at its next poll of the hub, which a loaded machine delays.
        30_000,
      );
    // Another node's page may read it (the overview does), another site may not.
    const health = await getJson(`${urls[3]}/api/health`, { origin: urls[1] });
    expect(health.status).to.equal(200);
    expect(health.headers.get('access-control-allow-origin')).to.equal(urls[1]);
    expect(
      (await getJson(`${urls[3]}/api/health`, { origin: 'https://evil.example' })).headers.get(
        'access-control-allow-origin',
      ),
    ).to.equal(null);
    expect(health.body.peers.connected).to.equal(3);
    expect(health.body.lastFinalWindow).to.equal(1);
    expect(health.body.lag.notFinalWindows).to.equal(0);
    expect(health.body.chain.reachable).to.equal(true);
    const w0 = health.body.windows.find((w: { window: number }) => w.window === 0);
    expect(w0.readings).to.equal(16);
    expect(w0.expectedReadings).to.equal(16);
    expect(w0.chain).to.deep.include({ status: 'final', path: 'challenge', agrees: true });
    expect(w0.coSignatures.agree).to.equal(3);
    const windows = await getJson(`${urls[3]}/api/windows?from=0&count=2`);
    expect(windows.body.windows.map((w: { status: string }) => w.status)).to.deep.equal(['final', 'final']);
    expect(windows.body.windows[0].rejectedClaims).to.equal(1);
    expect(windows.body.windows[0].disputes[0].kind).to.equal('ForgedReading');
    // Participant 2: 300 Wh load, no PV, per interval; 4 intervals per window.
    const member = await getJson(`${urls[2]}/api/member?windows=2`);
    const m0 = member.body.windows.find((w: { window: number }) => w.window === 0);
    expect(m0.intervals).to.have.length(4);
    // Surplus 300 + 100 Wh meets deficits 300 + 200 Wh each interval: participant 2 buys 3/5 of
    // 400 Wh from the community (240 Wh) and 60 Wh from the grid, at 0.15 vs 0.25 cEUR/kWh.
    expect(m0.totals).to.deep.equal({
      importWh: 1200,
      exportWh: 0,
      communityBoughtWh: 960,
      gridBoughtWh: 240,
      communitySoldWh: 0,
      gridSoldWh: 0,
    });
    expect(m0.intervals[0]).to.include({ importWh: 300, communityBoughtWh: 240, gridBoughtWh: 60, net: '-0.036' });
    expect(m0.money).to.deep.equal({ net: '-0.144', gridCost: '0.06', bill: '0.204', savings: '0.096' });
    expect(member.body.money.bond).to.equal('10.0');
    const accounts = await getJson(`${urls[2]}/api/accounts`);
    expect(accounts.body.accounts[0].bond).to.equal('0.0');
    // Each member's balance in window 1's root, folded from the node's store and checked against the hub's
    // root: participant 2's escrow is its genesis escrow plus its token flows of both windows (escrow is
    // ample: no debt, no claim); the slash of participant 0's bond went to the others' on-chain credit.
    expect(accounts.body.window).to.equal(1);
    const flows = member.body.windows.map((w: { money: { net: string } }) => parseUnits(w.money.net, 18));
    const escrow = flows.reduce((a: bigint, b: bigint) => a + b, parseUnits('100', 18));
    expect(accounts.body.accounts[2]).to.deep.include({
      escrow: formatUnits(escrow, 18),
      debt: '0.0',
      claim: '0.0',
      bond: '10.0',
      paid: false,
    });
    expect(accounts.body.accounts.slice(1).some((a: { credit: string }) => Number(a.credit) > 0)).to.equal(true);
    expect(member.body.money).to.deep.include({ balancesWindow: 1, escrow: formatUnits(escrow, 18), debt: '0.0' });
    const events = await getJson(`${urls[2]}/api/events`);
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types).to.include.members(['claim-pending', 'dispute', 'claim-rejected', 'slashed', 'window-final']);
    expect(types.indexOf('dispute')).to.be.lessThan(types.indexOf('claim-rejected'));

    // A site rebound to 127.0.0.1 (DNS rebinding) is refused.
    const rebound = await new Promise<number>((resolve, reject) =>
      get(`${urls[2]}/api/member`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).once('error', reject),
    );
    expect(rebound).to.equal(403);
    // Bad input: a clear 400; nothing but the listed files is served.
    expect((await getJson(`${urls[2]}/api/windows?count=abc`)).status).to.equal(400);
    for (const path of [
      '/web.ts',
      '/../package.json',
      '/vendor/../../package.json',
      '/node_modules/uplot/package.json',
    ]) {
      expect((await fetch(`${urls[2]}${path}`)).status, path).to.equal(404);
    }
    // ... and each refusal is counted.
    const metrics = await (await fetch(`${urls[2]}/metrics`)).text();
    expect(metrics).to.match(/diversity_api_requests_total\{route="\/api\/windows",code="400"\} 1\n/);
    expect(metrics).to.match(/diversity_api_requests_total\{route="\/api\/member",code="403"\} 1\n/);
    expect(metrics).to.match(/diversity_api_requests_total\{route="other",code="404"\} 4\n/);
  });
});
