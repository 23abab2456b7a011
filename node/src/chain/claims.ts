import type { EventLog, Log, TransactionReceipt } from 'ethers';
import type { NodeDb, StoredBalances } from '../db/index.js';
import type { MemberPayout } from '../results/members.js';
import { BalancesTree, balanceProof, balancesRoot, genesisBalances, type Balance } from '../window/balances.js';
import { ClaimError, ClaimErrorCode, claimErrorOf, decodeRevert } from './errors.js';
import { type HubClient, type MemberInfo, TX_TIMEOUT_MS } from './hubClient.js';
import { inBlockRanges } from './logs.js';

/**
 * Closing a community by proof (DESIGN.md §5.2): the balances a member is paid from, what `Hub.claim`
 * pays it, and the claim itself. The balances tree and the reaction are `window/balances.ts` (the twin of
 * `Balances.sol`); this file only folds them over the final windows and reads and writes the hub.
 */

/** The balances every member is paid from: those of the community's last final window. */
export interface FinalBalances {
  /** The last final window (-1: none, an aborted community: the genesis balances). */
  window: number;
  leaves: Balance[];
  totalClaims: bigint;
  /** `balancesRoot(leaves, totalClaims)`, checked against the hub's. */
  root: string;
}

/** What `Hub.claim` pays a member (the TypeScript statement of its rule, DESIGN.md §5.2). */
export interface Payout {
  /** escrow (from the root) + bond + credit (on chain), less the fine taken. */
  funds: bigint;
  /** min(fine, escrow + bond + credit): the member's on-chain fine, taken first and kept by the hub. */
  fine: bigint;
  /** min(debt, funds): the member's debt repaid at close, into the community's repaid pool. */
  repaid: bigint;
  /** A creditor's share of the repaid pool: floor(pool · claim / totalClaims), pool after this repayment. */
  share: bigint;
  /** funds − repaid + share: what the participant receives. */
  paid: bigint;
}

/**
 * Member `leaf`'s payout when it claims with `member`'s on-chain bond and credit while the community's
 * repaid pool holds `poolBefore` (its own repayment is added first).
 */
export function claimPayout(
  leaf: Pick<Balance, 'escrow' | 'debt' | 'claim'>,
  member: Pick<MemberInfo, 'bond' | 'credit' | 'fine'>,
  poolBefore: bigint,
  totalClaims: bigint,
): Payout {
  // The fine goes first (review 3 B2, `Settlement.funds`): min(fine, funds), kept by the hub.
  const gross = leaf.escrow + member.bond + member.credit;
  const fine = member.fine < gross ? member.fine : gross;
  const funds = gross - fine;
  const repaid = leaf.debt < funds ? leaf.debt : funds;
  const pool = poolBefore + repaid;
  const share = leaf.claim === 0n || totalClaims === 0n ? 0n : (pool * leaf.claim) / totalClaims;
  return { funds, fine, repaid, share, paid: funds - repaid + share };
}

/**
 * Where the balances come from: the ones a node stored under window `window`'s final balances root (its
 * store, `--data-dir`, or its API, `GET /balances/<n>`); undefined when it holds none under that root.
 */
export type BalancesSource = (
  window: number,
  balancesRoot: string,
) => Promise<Pick<StoredBalances, 'leaves' | 'totalClaims'> | undefined>;

/** A node's store (`--data-dir`): the balances its BalanceBook stored per (window, root). */
export function storeSource(db: Pick<NodeDb, 'balances'>): BalancesSource {
  return (window, balancesRoot) => db.balances.get({ window, balancesRoot });
}

/** A node's HTTP API: `GET /balances/<n>`, its stored balances under window n's final root (JSON, decimals). */
export function nodeApiSource(apiUrl: string, timeoutMs = 10_000): BalancesSource {
  return async (window) => {
    const res = await fetch(new URL(`/balances/${window}`, apiUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${apiUrl}/balances/${window}: HTTP ${res.status}`);
    return balancesFromJson(await res.json());
  };
}

/** The JSON of `GET /balances/<n>` (bigints as decimal strings) back to balances. */
export function balancesFromJson(body: unknown): Pick<StoredBalances, 'leaves' | 'totalClaims'> {
  const b = body as {
    totalClaims: string;
    leaves: { participant: string; escrow: string; debt: string; claim: string }[];
  };
  return {
    totalClaims: BigInt(b.totalClaims),
    leaves: b.leaves.map((l) => ({
      participant: l.participant,
      escrow: BigInt(l.escrow),
      debt: BigInt(l.debt),
      claim: BigInt(l.claim),
    })),
  };
}

/**
 * The balances members are paid from: those of the community's last final window as `source` holds them
 * (the genesis of the listed participants and the configured escrow when no window is final: an aborted
 * community), checked against the hub's balances root before anything is sent (BALANCES_MISMATCH
 * otherwise: the source holds other balances, or none under that root).
 */
export async function finalBalances(hub: HubClient, source: BalancesSource): Promise<FinalBalances> {
  const [participants, info] = await Promise.all([hub.participants(), hub.contract.community(hub.opts.communityId)]);
  const last = Number(info.finalizedWindows) - 1;
  const onChain = await hub.balancesRootAfter(last);
  const held =
    last < 0
      ? { leaves: genesisBalances(participants, info.escrow as bigint), totalClaims: 0n }
      : await source(last, onChain);
  if (!held) throw mismatch(`no balances of window ${last} under the hub's root ${onChain} at hand`);
  const root = balancesRoot(held.leaves, held.totalClaims);
  if (root.toLowerCase() !== onChain.toLowerCase() || held.leaves.length !== participants.length)
    throw mismatch(
      `the balances of window ${last} at hand have root ${root}, the hub's is ${onChain}: ` +
        'they are not what the chain pays from (or the hub is not the one they were folded for)',
    );
  return { window: last, leaves: held.leaves, totalClaims: held.totalClaims, root };
}

/**
 * Every member's money as a node shows it (API, dashboard, `diversity status`): its bond and credit on
 * chain, and its balance under the last final window's root as the node holds it (its BalanceBook).
 */
export async function memberRows(
  hub: HubClient,
  participants: readonly string[],
  held: Pick<StoredBalances, 'window' | 'leaves'> | undefined,
  lastFinalWindow: number,
): Promise<MemberRow[]> {
  return Promise.all(
    participants.map(async (address, i) => {
      const m = await hub.member(i);
      const leaf = held?.leaves[i];
      return {
        participant: i,
        address,
        bond: m.bond,
        credit: m.credit,
        fine: m.fine,
        settled: m.settled,
        window: held?.window ?? lastFinalWindow,
        escrow: leaf?.escrow,
        debt: leaf?.debt,
        claim: leaf?.claim,
      };
    }),
  );
}

/** A member's money: on chain (bond, credit, paid at close) and in the balances root of `window`. */
export interface MemberRow {
  participant: number;
  address: string;
  bond: bigint;
  credit: bigint;
  /** On-chain fine (an equivocation its bond and credit could not pay), taken at claim before its debt. */
  fine: bigint;
  settled: boolean;
  /** The final window whose balances root `escrow`, `debt` and `claim` come from (-1: the genesis). */
  window: number;
  escrow?: bigint;
  debt?: bigint;
  claim?: bigint;
}

function mismatch(message: string): ClaimError {
  return new ClaimError({ code: ClaimErrorCode.BALANCES_MISMATCH }, message);
}

/** A claim or a claim share that was mined. */
export interface ClaimOutcome {
  index: number;
  participant: string;
  kind: 'claim' | 'share';
  /** Tokens the participant received in this transaction (the hub's transfers to it). */
  paid: bigint;
  /** Debt repaid at this claim (0 for a share). */
  repaid: bigint;
  txHash: string;
  gasUsed: bigint;
}

/**
 * Pays member `index` from `balances`: `claim` when it was not paid yet, else `claimShare` for a creditor
 * (what the repaid pool grew since). Anyone may send either. Throws ClaimError (the hub's error decoded).
 */
export async function claimFor(hub: HubClient, balances: FinalBalances, index: number): Promise<ClaimOutcome> {
  const leaf = balances.leaves[index];
  if (!leaf) throw new ClaimError({ code: ClaimErrorCode.UNKNOWN_MEMBER, index }, `member ${index}: no such member`);
  const proof = balanceProof(balances.leaves, index);
  let receipt: TransactionReceipt | null;
  let kind: ClaimOutcome['kind'] = 'claim';
  try {
    const member = await hub.member(index);
    if (member.settled) {
      if (leaf.claim === 0n)
        throw new ClaimError({ code: ClaimErrorCode.ALREADY_CLAIMED, index }, `member ${index}: already claimed`);
      kind = 'share';
    }
    const tx =
      kind === 'claim'
        ? await hub.sendClaim(index, leaf, balances.totalClaims, proof)
        : await hub.sendClaimShare(index, leaf, balances.totalClaims, proof);
    receipt = await tx.wait(1, TX_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof ClaimError) throw e;
    // A reverted claim used a nonce that was never sent: reset a sequenced signer (as `HubClient.dispute`).
    (hub.contract.runner as { reset?: () => void } | null)?.reset?.();
    throw claimErrorOf(e, index, decodeRevert(e, hub.contract.interface));
  }
  if (!receipt) throw new ClaimError({ code: ClaimErrorCode.FAILED, index }, `member ${index}: no receipt`);
  const claimed = receipt.logs
    .map((l) => parseHubLog(hub, l))
    .find((p) => p?.name === 'Claimed' && Number(p.args.index) === index);
  return {
    index,
    participant: leaf.participant,
    kind,
    paid: transferredTo(receipt.logs, hub.opts.hub, leaf.participant, await hub.token()),
    repaid: claimed ? (claimed.args.repaid as bigint) : 0n,
    txHash: receipt.hash,
    gasUsed: receipt.gasUsed,
  };
}

/**
 * Pays every member from `balances` in one `claimAll` transaction: what `claimFor` would pay each member not
 * paid yet, and each paid creditor's share. One outcome per member paid (kind `claim` for a first payout,
 * `share` for a share alone), from the transaction's `Claimed` / `ClaimShared` events and token transfers.
 * Throws ClaimError (the hub's error decoded; index N when the batch as a whole was refused, as the hub names it).
 */
export async function claimAllFor(hub: HubClient, balances: FinalBalances): Promise<ClaimOutcome[]> {
  const n = balances.leaves.length;
  let receipt: TransactionReceipt | null;
  try {
    const tx = await hub.sendClaimAll(balances.leaves, balances.totalClaims);
    receipt = await tx.wait(1, TX_TIMEOUT_MS);
  } catch (e) {
    (hub.contract.runner as { reset?: () => void } | null)?.reset?.();
    throw claimErrorOf(e, n, decodeRevert(e, hub.contract.interface));
  }
  if (!receipt) throw new ClaimError({ code: ClaimErrorCode.FAILED, index: n }, 'claimAll: no receipt');
  return batchOutcomes(hub, balances, receipt);
}

/**
 * Pays the members of one aligned subtree of `tree` (height `height`, first leaf `first`) in one `claimRange`
 * transaction: `claimAllFor` for a batch. Throws ClaimError (index `first` when the batch as a whole was refused,
 * as the hub names it).
 */
export async function claimRangeFor(
  hub: HubClient,
  balances: FinalBalances,
  tree: BalancesTree,
  first: number,
  height: number,
): Promise<ClaimOutcome[]> {
  const { leaves, proof } = tree.range(first, height);
  let receipt: TransactionReceipt | null;
  try {
    const tx = await hub.sendClaimRange(first, leaves, balances.totalClaims, proof);
    receipt = await tx.wait(1, TX_TIMEOUT_MS);
  } catch (e) {
    (hub.contract.runner as { reset?: () => void } | null)?.reset?.();
    throw claimErrorOf(e, first, decodeRevert(e, hub.contract.interface));
  }
  if (!receipt) throw new ClaimError({ code: ClaimErrorCode.FAILED, index: first }, 'claimRange: no receipt');
  return batchOutcomes(hub, balances, receipt);
}

/**
 * One outcome per member a batch (`claimAll`, `claimRange`) paid (kind `claim` for a first payout, `share` for a
 * share alone), from its `Claimed` / `ClaimShared` events and the token's transfers, in index order.
 */
async function batchOutcomes(
  hub: HubClient,
  balances: FinalBalances,
  receipt: TransactionReceipt,
): Promise<ClaimOutcome[]> {
  const token = await hub.token();
  const byIndex = new Map<number, ClaimOutcome>();
  for (const log of receipt.logs) {
    const p = parseHubLog(hub, log);
    if (p?.name !== 'Claimed' && p?.name !== 'ClaimShared') continue;
    const index = Number(p.args.index);
    const leaf = balances.leaves[index];
    if (!leaf || byIndex.has(index)) continue;
    byIndex.set(index, {
      index,
      participant: leaf.participant,
      kind: p.name === 'Claimed' ? 'claim' : 'share',
      paid: transferredTo(receipt.logs, hub.opts.hub, leaf.participant, token),
      repaid: p.name === 'Claimed' ? (p.args.repaid as bigint) : 0n,
      txHash: receipt.hash,
      gasUsed: receipt.gasUsed,
    });
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

function parseHubLog(hub: HubClient, log: Log) {
  if (log.address.toLowerCase() !== hub.opts.hub.toLowerCase()) return undefined;
  try {
    return hub.contract.interface.parseLog(log) ?? undefined;
  } catch {
    return undefined;
  }
}

const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/**
 * Σ of ERC-20 `Transfer(from, to, value)` logs in `logs` from `from` to `to`, emitted by `token` when given (a
 * hostile recipient's own contract could log a look-alike `Transfer`).
 */
export function transferredTo(logs: readonly Log[], from: string, to: string, token?: string): bigint {
  const word = (a: string) => `0x${a.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`;
  let sum = 0n;
  for (const l of logs) {
    if (l.topics[0] !== TRANSFER_TOPIC || l.topics.length !== 3) continue;
    if (token !== undefined && l.address.toLowerCase() !== token.toLowerCase()) continue;
    if (l.topics[1].toLowerCase() !== word(from) || l.topics[2].toLowerCase() !== word(to)) continue;
    sum += BigInt(l.data);
  }
  return sum;
}

/** One `Claimed` event of the community, in chain order. */
export interface ClaimedEvent {
  index: number;
  participant: string;
  paid: bigint;
  repaid: bigint;
  block: number;
  txHash: string;
}

/** The community's `Claimed` events (who sent them does not matter: anyone may claim for a member). */
export async function claimedEvents(hub: HubClient): Promise<ClaimedEvent[]> {
  const logs = await hub.events(hub.contract.filters.Claimed(hub.opts.communityId));
  return logs.map((l) => {
    const a = (l as EventLog).args;
    return {
      index: Number(a.index),
      participant: a.participant as string,
      paid: a.paid as bigint,
      repaid: a.repaid as bigint,
      block: l.blockNumber,
      txHash: l.transactionHash,
    };
  });
}

/** The block of the community's `CommunityClosed` event, or undefined while it is open. */
export async function closedAt(hub: HubClient): Promise<number | undefined> {
  const logs = await hub.events(hub.contract.filters.CommunityClosed(hub.opts.communityId));
  return logs[0]?.blockNumber;
}

/**
 * Most members one `claimAll` pays. Measured: 23,738 transaction gas per member at N = 256 when every recipient
 * holds tokens already (`snapshots/Hub.json`, `claimAll_perMember_N256_txGas`), and about 31,500 when none does
 * (each payout writes a fresh balance slot in the token: the community-size sweep's `claimAll` at N = 500 ran
 * out of its 16,000,000 gas limit at 15,759,620). 256 stay near 8.1 M at worst, half the 16,777,216
 * per-transaction cap. A larger community is paid claim by claim (`claimForAll`).
 */
export const CLAIM_ALL_MAX_MEMBERS = 256;

/** Height of the subtrees a larger community is paid in (`claimRange`): 2^8 = `CLAIM_ALL_MAX_MEMBERS` each. */
export const CLAIM_RANGE_HEIGHT = Math.log2(CLAIM_ALL_MAX_MEMBERS);

/**
 * Pays every member not paid yet and every creditor's share. Up to `CLAIM_ALL_MAX_MEMBERS`: one `claimAll`
 * transaction (`claimAllFor`; nobody owed anything: no outcome, no refusal). Past it: one `claimRange` per
 * subtree of 256 members, in index order (`claimRangeFor`; a batch with nobody owed anything, or refused, is
 * passed over). Then, for whoever a batch did not pay (a refused batch, or the one `claimAll` refused for any
 * other reason: its estimate or its transaction reverts, no gas lost in the first case): a claim per member not
 * paid yet (debtors first, so the creditors' shares see the whole repaid pool), then the creditors' shares the
 * pool grew since their claim (a creditor whose debtor was in a later batch); refusals (a node claimed for
 * itself meanwhile: ALREADY_CLAIMED; nothing to take) are returned, not thrown.
 */
export async function claimForAll(
  hub: HubClient,
  balances: FinalBalances,
  /** Past 2^rangeHeight members, batches of that many (`CLAIM_RANGE_HEIGHT`; tests pay small trees in batches). */
  rangeHeight = CLAIM_RANGE_HEIGHT,
): Promise<{ outcomes: ClaimOutcome[]; refused: ClaimError[] }> {
  const width = 2 ** rangeHeight;
  if (balances.leaves.length <= width) {
    try {
      return { outcomes: await claimAllFor(hub, balances), refused: [] };
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      // Nobody is owed anything (every member paid, every share taken): nothing to send, nothing refused.
      if (e.code === ClaimErrorCode.NOTHING_TO_CLAIM) return { outcomes: [], refused: [] };
      // The batch is all or nothing: one payout that burns the gas (a token that calls its recipients) or a
      // root that promises more than the community holds refuses it whole. Claim by claim, the others are paid.
    }
  }
  const outcomes: ClaimOutcome[] = [];
  const refused: ClaimError[] = [];
  if (balances.leaves.length > width) {
    // Batches of 256, one aligned subtree each (`claimRange`). A refused batch (one payout that burns the gas, a
    // root that promises more than the community holds) leaves its members to the claims one by one below.
    const tree = new BalancesTree(balances.leaves);
    for (let first = 0; first < balances.leaves.length; first += width) {
      try {
        outcomes.push(...(await claimRangeFor(hub, balances, tree, first, rangeHeight)));
      } catch (e) {
        if (!(e instanceof ClaimError)) throw e;
      }
    }
  }
  const order = balances.leaves.map((_, i) => i).sort((a, b) => debtFirst(balances, a) - debtFirst(balances, b));
  const attempt = async (i: number) => {
    try {
      outcomes.push(await claimFor(hub, balances, i));
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      refused.push(e);
    }
  };
  for (const i of order) if (!(await hub.member(i)).settled) await attempt(i);
  for (const i of order) {
    const leaf = balances.leaves[i];
    if (leaf.claim === 0n || balances.totalClaims === 0n) continue;
    const [m, pool] = await Promise.all([hub.member(i), hub.repaidPool()]);
    if (m.settled && (pool * leaf.claim) / balances.totalClaims > m.claimTaken) await attempt(i);
  }
  return { outcomes, refused };
}

const debtFirst = (b: FinalBalances, i: number) => (b.leaves[i].debt > 0n ? 0 : 1);

/**
 * Every member's payout since close beside what its own fold says it is owed: escrow + bond + credit (at
 * close) − repaid + floor(pool · claim / totalClaims) with the repaid pool as it now stands. `received` is
 * what the hub transferred to the participant since the close block (claims and shares, whoever sent them).
 */
export async function payoutReport(
  hub: HubClient,
  balances: FinalBalances,
  closeBlock: number,
  names: readonly string[],
): Promise<MemberPayout[]> {
  const provider = hub.contract.runner?.provider;
  if (!provider) throw new Error('payoutReport: the hub client has no provider');
  const [events, pool, token] = await Promise.all([claimedEvents(hub), hub.repaidPool(), hub.token()]);
  const word = (a: string) => `0x${a.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`;
  const head = await provider.getBlockNumber();
  return Promise.all(
    balances.leaves.map(async (leaf, i) => {
      const topics = [TRANSFER_TOPIC, word(hub.opts.hub), word(leaf.participant)];
      const [atClose, transfers] = await Promise.all([
        hub.memberAt(i, closeBlock),
        inBlockRanges(closeBlock, head, hub.logScope.maxRange, (fromBlock, toBlock) =>
          provider.getLogs({ address: token, fromBlock, toBlock, topics }),
        ),
      ]);
      const received = transfers.reduce((a, l) => a + BigInt(l.data), 0n);
      const repaid = events.filter((e) => e.index === i).reduce((a, e) => a + e.repaid, 0n);
      // The rule with the pool complete: `pool` already holds this member's own repayment.
      const { repaid: due } = claimPayout(leaf, atClose, 0n, balances.totalClaims);
      const owed = claimPayout(leaf, atClose, pool - due, balances.totalClaims);
      return {
        name: names[i] ?? `member ${i}`,
        participant: leaf.participant,
        escrow: leaf.escrow,
        debt: leaf.debt,
        claim: leaf.claim,
        bond: atClose.bond,
        credit: atClose.credit,
        repaid,
        share: received - (owed.funds - repaid),
        received,
        expected: owed.paid,
      };
    }),
  );
}
