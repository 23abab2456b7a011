// The community overview: reads every listed node's JSON API (docs/api.md) and puts them side by side.
import { clock, duration, el, fill, getJson, money, short, statusPill } from '/format.js';

const params = new URLSearchParams(location.search);
const nodes = (params.get('nodes') ?? location.origin)
  .split(',')
  .map((s) => s.trim().replace(/\/+$/, ''))
  .filter((s) => /^https?:\/\/[^\s/]+$/.test(s));
const since = new Map(nodes.map((n) => [n, 0]));
const seen = new Set();

async function tryJson(url) {
  try {
    return await getJson(url);
  } catch {
    return undefined;
  }
}

function renderNodes(healths) {
  const rows = nodes.map((url, i) => {
    const h = healths[i];
    if (!h) return el('tr', {}, el('td', {}, el('a', { href: url + '/' }, url)), el('td', { class: 'bad', colspan: 6 }, 'no answer'));
    return el(
      'tr',
      { dataset: { node: h.node.name } },
      el('td', {}, el('a', { href: url + '/' }, h.node.name)),
      el('td', {}, `P${h.node.participantIndex} ${short(h.node.address)}`),
      el('td', {}, `${h.peers.connected} / ${h.peers.of}`),
      el('td', {}, !h.started ? 'not started' : h.over ? 'over' : `w ${h.currentWindow}`),
      el('td', {}, h.lastCommittedWindow >= 0 ? `w ${h.lastCommittedWindow}` : '–'),
      el('td', {}, h.lastFinalWindow >= 0 ? `w ${h.lastFinalWindow}` : '–', h.lag.notFinalWindows ? el('span', { class: 'muted' }, ` (${duration(h.lag.finalitySeconds)} behind)`) : undefined),
      el('td', { class: h.ok ? 'ok' : 'bad' }, h.ok ? 'healthy' : h.problems.join('; ')),
    );
  });
  fill('nodes', el('thead', {}, el('tr', {}, ['Node', 'Participant', 'Peers', 'Now', 'Committed', 'Final', 'Health'].map((t) => el('th', {}, t)))), el('tbody', {}, rows));
}

function renderWindows(list, healths) {
  const rows = [...list.windows].reverse().map((w) => {
    const marks = healths.map((h, i) => {
      const mine = h?.windows.find((x) => x.window === w.window);
      const agrees = mine?.chain.agrees;
      const cls = agrees === true ? 'agree' : agrees === false ? 'disagree' : 'missing';
      return el('span', { class: `dot ${cls}`, title: `${h?.node.name ?? nodes[i]}: ${agrees === true ? 'same result' : agrees === false ? 'different result' : 'not known'}` });
    });
    return el(
      'tr',
      { dataset: { window: w.window, status: w.status } },
      el('td', {}, String(w.window)),
      el('td', {}, statusPill(w)),
      el('td', {}, `${w.signers.length} / ${healths.find(Boolean)?.community.participants.length ?? '?'}`),
      el('td', {}, el('span', { class: 'dots' }, marks)),
      el('td', { class: 'disputes' }, w.disputes.map((d) => `${d.kind} by P${d.challenger}`).join(', ') || el('span', { class: 'muted' }, '–')),
    );
  });
  fill('windows', el('thead', {}, el('tr', {}, ['Window', 'On chain', 'Signers', 'Nodes agree', 'Disputes'].map((t) => el('th', {}, t)))), el('tbody', {}, rows));
}

function renderAccounts(a) {
  const sym = a.token.symbol;
  fill(
    'accounts',
    el('thead', {}, el('tr', {}, ['Participant', `Escrow (w ${a.window})`, 'Debt', 'Claim', 'Bond', 'Credit', 'Paid'].map((t, i) => el('th', { class: i > 0 ? 'num' : undefined }, t)))),
    el('tbody', {}, a.accounts.map((x) => el('tr', {}, el('td', {}, `P${x.participant} ${short(x.address)}`), ...[x.escrow, x.debt, x.claim, x.bond, x.credit].map((v) => el('td', { class: 'num' }, money(v, sym))), el('td', { class: 'num' }, x.paid ? 'yes' : 'no')))),
  );
}

/** Chain events once (every node reads the same hub), node events from each node with its name. */
async function pollFeeds(healths) {
  const list = document.getElementById('feed');
  for (const [i, url] of nodes.entries()) {
    const answer = await tryJson(`${url}/api/events?since=${since.get(url)}`);
    if (!answer) continue;
    for (const e of answer.events) {
      since.set(url, Math.max(since.get(url), e.id));
      const key = e.source === 'chain' ? `chain:${e.tx}:${e.type}:${e.window}:${e.message}` : `${url}:${e.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const who = e.source === 'node' ? `${healths[i]?.node.name ?? url}: ` : '';
      list.prepend(
        el(
          'li',
          { class: `ev ${e.severity}`, dataset: { type: e.type, source: e.source } },
          el('time', {}, clock(e.at)),
          el('span', { class: `tag ${e.type}` }, e.type.replace('-', ' ')),
          el('span', { class: 'msg' }, who + e.message),
        ),
      );
    }
  }
  while (list.children.length > 300) list.lastElementChild.remove();
}

async function refresh() {
  const healths = await Promise.all(nodes.map((n) => tryJson(`${n}/api/health?windows=12`)));
  const up = healths.filter(Boolean);
  const badge = document.getElementById('health-badge');
  const healthy = up.filter((h) => h.ok).length;
  badge.textContent = `${healthy} of ${nodes.length} nodes healthy`;
  badge.className = `badge ${healthy === nodes.length ? 'ok' : 'bad'}`;
  renderNodes(healths);
  const first = nodes.find((_, i) => healths[i]);
  if (first) {
    const c = healths.find(Boolean).community;
    fill('community', `community ${c.communityId} on chain ${c.chainId} · hub ${short(c.hub)} · ${c.participants.length} participants · windows of ${c.windowIntervals} × ${c.intervalSeconds} s`);
    const [windows, accounts] = await Promise.all([tryJson(`${first}/api/windows?count=12`), tryJson(`${first}/api/accounts`)]);
    if (windows) renderWindows(windows, healths);
    if (accounts) renderAccounts(accounts);
  }
  await pollFeeds(healths);
  setTimeout(refresh, 2000);
}

refresh();
