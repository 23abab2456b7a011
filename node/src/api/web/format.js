// Formatting shared by the node page and the overview page: every number leaves with its unit.

/** Energy in Wh as "850 Wh" or "1.25 kWh". */
export function energy(wh) {
  const v = Number(wh);
  if (!Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} kWh` : `${Math.round(v)} Wh`;
}

/** A token amount (decimal string in token units) as "12.34 cEUR"; `signed` adds a + to gains. */
export function money(amount, symbol, { signed = false, digits = 2 } = {}) {
  if (amount === undefined || amount === null) return '–';
  const v = Number(amount);
  const text = Math.abs(v) < 0.005 && v !== 0 ? v.toPrecision(2) : v.toFixed(digits);
  return `${signed && v > 0 ? '+' : ''}${text} ${symbol}`;
}

/** Seconds as "45 s", "3 min 20 s", "2 h 5 min". */
export function duration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Unix seconds as a local clock time (with the date when not today). */
export function clock(unix) {
  const d = new Date(unix * 1000);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** 0x1234…abcd */
export function short(hex, keep = 6) {
  if (!hex) return '–';
  return hex.length <= 2 * keep + 2 ? hex : `${hex.slice(0, keep)}…${hex.slice(-4)}`;
}

export function percent(part, whole) {
  return whole > 0 ? `${Math.round((100 * part) / whole)} %` : '–';
}

/** Creates an element: el('td', { class: 'x', title: 'y' }, 'text', childNode, ...). Text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replaces the children of the element with id `id`. */
export function fill(id, ...children) {
  const target = document.getElementById(id);
  target.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return target;
}

/** The on-chain status of a window as a pill: text, class and a hint. */
export function statusPill(w) {
  switch (w.status) {
    case 'final':
      return el('span', { class: `pill final${w.path === 'fast' ? ' fast' : ''}`, title: w.path === 'fast' ? 'every participant signed' : 'final after its challenge period' }, w.path === 'fast' ? 'final · fast path' : 'final · challenge');
    case 'pending':
      return el('span', { class: 'pill pending', title: 'challengeable until the period ends' }, `pending · ${duration(w.secondsLeft ?? 0)} left`);
    case 'disputed':
      return el('span', { class: 'pill disputed', title: 'its claim was rejected by a fraud proof' }, 'disputed');
    case 'awaiting':
      return el('span', { class: 'pill awaiting', title: 'over; no result on chain yet' }, 'awaiting claim');
    case 'open':
      return el('span', { class: 'pill open', title: 'its intervals are still running' }, 'open');
    default:
      return el('span', { class: 'pill' }, String(w.status ?? '–'));
  }
}

export async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}
