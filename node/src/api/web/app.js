// The node's dashboard: reads only the node's JSON API (docs/api.md) and its event stream.
import uPlot from '/vendor/uPlot.esm.js';
import { clock, duration, el, energy, fill, getJson, money, percent, short, statusPill } from '/format.js';

const state = { health: undefined, symbol: 'token', refreshMs: 2000, charts: {} };

function card(label, value, sub, cls) {
  return el('div', { class: `card${cls ? ` ${cls}` : ''}` }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value), sub ? el('div', { class: 'sub' }, sub) : undefined);
}

function renderHealth(h) {
  document.title = `${h.node.name} · DIVERSITY`;
  fill('node-name', `${h.node.name} · participant ${h.node.participantIndex}`);
  const badge = document.getElementById('health-badge');
  badge.textContent = h.ok ? 'healthy' : `${h.problems.length} problem${h.problems.length === 1 ? '' : 's'}`;
  badge.className = `badge ${h.ok ? 'ok' : 'bad'}`;
  const problems = document.getElementById('problems');
  problems.hidden = h.ok;
  problems.textContent = h.problems.join(' · ');
  const c = h.community;
  const W = c.windowIntervals;
  const now = !h.started
    ? card('Now', 'not started', `interval 0 starts ${clock(c.start)}`)
    : h.over
      ? card('Now', 'all windows over', `${c.windowCount} windows of ${W} intervals`)
      : card('Now', `window ${h.currentWindow}`, `interval ${h.intervalInWindow + 1} of ${W} (${c.intervalSeconds} s each)`);
  const lag = h.lag;
  fill(
    'health',
    card('Peers', `${h.peers.connected} / ${h.peers.of}`, 'connected', h.peers.connected === 0 && h.peers.of > 0 ? 'warn' : undefined),
    now,
    card('Last committed', h.lastCommittedWindow >= 0 ? `window ${h.lastCommittedWindow}` : 'none yet', `${lag.uncommittedWindows} over but not committed`, lag.uncommittedWindows > 1 ? 'warn' : undefined),
    card('Last final', h.lastFinalWindow >= 0 ? `window ${h.lastFinalWindow}` : 'none yet', lag.notFinalWindows > 0 ? `${lag.notFinalWindows} window${lag.notFinalWindows === 1 ? '' : 's'} behind · ${duration(lag.finalitySeconds)}` : 'up to date', lag.notFinalWindows > 2 ? 'warn' : undefined),
    card('Chain head', h.chain.head !== undefined ? `block ${h.chain.head}` : 'unknown', h.chain.reachable ? `${duration(h.chain.headAgeSeconds)} old · hub ${short(h.chain.hub)}` : 'RPC not answering', h.chain.reachable ? undefined : 'warn'),
  );
  fill('community', `community ${c.communityId} on chain ${c.chainId} · hub ${short(c.hub)} · ${c.participants.length} participants · ${c.market.kind} market · grid ${c.market.gridBuyPricePerKwh}/${c.market.gridSellPricePerKwh} ${c.token.symbol} per kWh`);
}

function dots(signers) {
  return el(
    'span',
    { class: 'dots' },
    signers.map((s) => el('span', { class: `dot ${s.agrees === true ? 'agree' : s.agrees === false ? 'disagree' : 'missing'}`, title: `participant ${s.participant}: ${s.agrees === true ? 'agrees' : s.agrees === false ? 'signed a different result' : 'no signature yet'}` })),
  );
}

function renderWindows(h, list) {
  const local = new Map(h.windows.map((w) => [w.window, w]));
  const rows = [...list.windows].reverse().map((w) => {
    const l = local.get(w.window);
    const readings = l ? `${l.readings} / ${w.status === 'open' ? l.expectedSoFar : l.expectedReadings}` : '–';
    const disputes = w.disputes.length ? w.disputes.map((d) => `${d.kind} by P${d.challenger}`).join(', ') : '';
    return el(
      'tr',
      { dataset: { window: w.window, status: w.status } },
      el('td', {}, String(w.window)),
      el('td', {}, statusPill(w), w.agrees === false ? el('span', { class: 'pill disputed', title: 'this node folded a different result' }, 'differs from ours') : undefined),
      el('td', { class: 'num' }, readings, l?.voidedSlots ? el('span', { class: 'muted' }, ` (${l.voidedSlots} void)`) : undefined),
      el('td', {}, l ? dots(l.coSignatures.signers) : '–', l ? el('span', { class: 'muted' }, ` ${l.coSignatures.agree}/${l.coSignatures.of}`) : undefined),
      el('td', { class: 'disputes' }, disputes || el('span', { class: 'muted' }, '–')),
    );
  });
  fill('windows', el('thead', {}, el('tr', {}, el('th', {}, 'Window'), el('th', {}, 'On chain'), el('th', { class: 'num' }, 'Readings'), el('th', {}, 'Co-signatures'), el('th', {}, 'Disputes'))), el('tbody', {}, rows));
}

/** Tick labels of the time axis: minutes for 15-minute intervals, seconds for accelerated ones. */
function timeLabel(t, step) {
  const d = new Date(t * 1000);
  return step < 60 ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function chartWidth(id) {
  return Math.max(260, document.getElementById(id).clientWidth);
}

const bars = uPlot.paths.bars({ size: [0.75, 48], gap: 1 });

/** Energy per interval: bought from the community and the grid above the axis, sold below (stacked). */
function renderEnergyChart(windows) {
  const rows = windows.flatMap((w) => w.intervals);
  const x = rows.map((r) => r.start);
  const raw = {
    commB: rows.map((r) => r.communityBoughtWh),
    gridB: rows.map((r) => r.gridBoughtWh),
    commS: rows.map((r) => r.communitySoldWh),
    gridS: rows.map((r) => r.gridSoldWh),
  };
  const data = [x, rows.map((_, i) => raw.commB[i] + raw.gridB[i]), raw.commB, rows.map((_, i) => -(raw.commS[i] + raw.gridS[i])), raw.commS.map((v) => -v)];
  const step = state.health?.community.intervalSeconds ?? 900;
  const show = (key) => (_u, _v, _s, i) => (i === null || i === undefined ? '–' : energy(raw[key][i]));
  if (!state.charts.energy) {
    const opts = {
      width: chartWidth('energy-chart'),
      height: 240,
      cursor: { points: { show: false } },
      scales: {
        // Half an interval of room on each side, so the first and last bars are whole.
        x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
        y: { range: (_u, min, max) => [Math.min(0, min) * 1.1, Math.max(0, max) * 1.1 || 1] },
      },
      axes: [
        { stroke: '#8a94a6', grid: { stroke: '#2a3140' }, space: 70, values: (_u, ticks) => ticks.map((t) => timeLabel(t, step)) },
        { stroke: '#8a94a6', grid: { stroke: '#2a3140' }, size: 64, values: (_u, ticks) => ticks.map((t) => energy(t)) },
      ],
      series: [
        { label: 'interval', value: (_u, v) => (v === null ? '–' : clock(v)) },
        { label: 'bought from grid', stroke: '#7f8ea3', fill: '#7f8ea3', paths: bars, points: { show: false }, value: show('gridB') },
        { label: 'bought from community', stroke: '#2fbf71', fill: '#2fbf71', paths: bars, points: { show: false }, value: show('commB') },
        { label: 'sold to grid', stroke: '#4f8fe8', fill: '#4f8fe8', paths: bars, points: { show: false }, value: show('gridS') },
        { label: 'sold to community', stroke: '#f2b705', fill: '#f2b705', paths: bars, points: { show: false }, value: show('commS') },
      ],
    };
    state.charts.energy = new uPlot(opts, data, document.getElementById('energy-chart'));
  } else {
    state.charts.energy.setData(data);
  }
}

/** Net P2P flow and savings per window (token units). */
function renderMoneyChart(windows) {
  const data = [windows.map((w) => w.window), windows.map((w) => Number(w.money.net)), windows.map((w) => Number(w.money.savings))];
  if (!state.charts.money) {
    const sym = state.symbol;
    const opts = {
      width: chartWidth('money-chart'),
      height: 200,
      cursor: { points: { show: false } },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, min, max) => [Math.min(0, min) * 1.15, Math.max(0, max) * 1.15 || 1] },
      },
      axes: [
        { stroke: '#8a94a6', grid: { show: false }, incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, ticks) => ticks.map((t) => `window ${t}`) },
        { stroke: '#8a94a6', grid: { stroke: '#2a3140' }, size: 80, values: (_u, ticks) => ticks.map((t) => money(t, sym, { digits: 2 })) },
      ],
      series: [
        { label: 'window' },
        { label: 'net P2P', stroke: '#f2b705', fill: 'rgba(242,183,5,0.8)', paths: uPlot.paths.bars({ size: [0.35, 40], align: -1 }), points: { show: false }, value: (_u, v) => (v === null ? '–' : money(v, sym, { signed: true, digits: 4 })) },
        { label: 'saved vs grid only', stroke: '#2fbf71', fill: 'rgba(47,191,113,0.8)', paths: uPlot.paths.bars({ size: [0.35, 40], align: 1 }), points: { show: false }, value: (_u, v) => (v === null ? '–' : money(v, sym, { digits: 4 })) },
      ],
    };
    state.charts.money = new uPlot(opts, data, document.getElementById('money-chart'));
  } else {
    state.charts.money.setData(data);
  }
}

function renderMember(m) {
  const sym = m.token.symbol;
  state.symbol = sym;
  const t = m.windows.reduce(
    (a, w) => {
      for (const k of Object.keys(a)) a[k] += k === 'savings' ? Number(w.money.savings) : w.totals[k];
      return a;
    },
    { importWh: 0, exportWh: 0, communityBoughtWh: 0, gridBoughtWh: 0, communitySoldWh: 0, gridSoldWh: 0, savings: 0 },
  );
  const bought = t.communityBoughtWh + t.gridBoughtWh;
  const sold = t.communitySoldWh + t.gridSoldWh;
  const span = m.windows.length ? `last ${m.windows.length} window${m.windows.length === 1 ? '' : 's'}` : 'no window yet';
  fill(
    'energy-summary',
    card('Bought', energy(bought), `${energy(t.communityBoughtWh)} from the community (${percent(t.communityBoughtWh, bought)}), ${energy(t.gridBoughtWh)} from the grid · ${span}`),
    card('Sold', energy(sold), `${energy(t.communitySoldWh)} to the community (${percent(t.communitySoldWh, sold)}), ${energy(t.gridSoldWh)} to the grid`),
    card('Metered', `${energy(t.importWh)} in`, `${energy(t.exportWh)} out · meter${m.meters.length === 1 ? '' : 's'} ${m.meters.join(', ')}`),
    card('Saved', money(t.savings, sym, { digits: 4 }), `vs trading everything with the grid (${m.prices.gridBuyPerKwh} buy, ${m.prices.gridSellPerKwh} sell, community ${m.prices.communityPerKwh} ${sym}/kWh)`, 'good'),
  );
  fill(
    'money',
    card('Escrow', money(m.money.escrow, sym), m.money.balancesWindow === null ? 'not folded yet' : `pays for what you buy · after window ${m.money.balancesWindow}`),
    // The bond is a stake only: the reaction never draws it; slashes and penalties take from it.
    card('Bond', money(m.money.bond, sym), 'at stake against fraud, paid back at close', Number(m.money.bond) === 0 ? 'warn' : undefined),
    card('Credit', money(m.money.credit, sym), 'slash shares and deposits, paid at close'),
    card('Withdrawable', money(m.money.withdrawable, sym), 'rewards and returned claim deposits'),
    Number(m.money.debt) > 0 ? card('Debt', money(m.money.debt, sym), 'repaid from escrow, bond and credit at close', 'warn') : card('Claim', money(m.money.claim, sym), 'owed to you by debtors, shared at close'),
  );
  const rows = [...m.windows].reverse().map((w) =>
    el(
      'tr',
      { dataset: { window: w.window } },
      el('td', {}, String(w.window)),
      el('td', { class: 'num' }, money(w.money.net, sym, { signed: true, digits: 4 })),
      el('td', { class: 'num' }, money(w.money.gridCost, sym, { digits: 4 })),
      el('td', { class: 'num' }, money(w.money.savings, sym, { digits: 4 })),
      el('td', {}, w.chainStatus, w.agreesWithChain === false ? ' (differs)' : ''),
    ),
  );
  fill('money-windows', el('thead', {}, el('tr', {}, el('th', {}, 'Window'), el('th', { class: 'num' }, 'Net P2P'), el('th', { class: 'num' }, 'Grid cost'), el('th', { class: 'num' }, 'Saved'), el('th', {}, 'On chain'))), el('tbody', {}, rows));
  renderEnergyChart(m.windows);
  renderMoneyChart(m.windows);
}

const FEED_LABEL = {
  'claim-pending': 'claim',
  'window-final': 'final',
  dispute: 'dispute',
  'claim-rejected': 'rejected',
  slashed: 'slashed',
  closed: 'closed',
  claimed: 'paid',
  disagreement: 'this node',
  'dispute-sent': 'this node',
  equivocation: 'equivocation',
};

function addFeedEvent(e) {
  const list = document.getElementById('feed');
  if (list.querySelector(`[data-id="${e.id}"]`)) return;
  const item = el(
    'li',
    { class: `ev ${e.severity}`, dataset: { id: e.id, type: e.type, source: e.source } },
    el('time', { datetime: new Date(e.at * 1000).toISOString() }, clock(e.at)),
    el('span', { class: `tag ${e.type}` }, FEED_LABEL[e.type] ?? e.type),
    el('span', { class: 'msg' }, e.message),
  );
  list.prepend(item);
  while (list.children.length > 200) list.lastElementChild.remove();
}

function startFeed() {
  const status = document.getElementById('feed-state');
  const source = new EventSource('/api/events/stream');
  source.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'live';
  });
  source.addEventListener('feed', (m) => addFeedEvent(JSON.parse(m.data)));
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'muted';
  });
}

async function refresh() {
  // Each part on its own: a hub that does not answer must not blank the node's health.
  const [health, windows, member] = await Promise.allSettled([getJson('/api/health?windows=12'), getJson('/api/windows?count=12'), getJson('/api/member?windows=6')]);
  if (health.status === 'fulfilled') {
    state.health = health.value;
    state.refreshMs = Math.min(5000, Math.max(1000, (health.value.community.intervalSeconds * 1000) / 2));
    renderHealth(health.value);
    if (windows.status === 'fulfilled') renderWindows(health.value, windows.value);
    if (member.status === 'fulfilled') renderMember(member.value);
  } else {
    const badge = document.getElementById('health-badge');
    badge.textContent = 'node unreachable';
    badge.className = 'badge bad';
  }
  for (const [name, r] of [['windows', windows], ['member', member]]) if (r.status === 'rejected') console.warn(`dashboard: ${name} not refreshed`, r.reason);
  setTimeout(refresh, state.refreshMs);
}

window.addEventListener('resize', () => {
  for (const [id, chart] of [['energy-chart', state.charts.energy], ['money-chart', state.charts.money]]) chart?.setSize({ width: chartWidth(id), height: chart.height });
});

startFeed();
refresh();
