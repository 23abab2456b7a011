import type { Contract, ContractEventName, EventLog, Log, Provider } from 'ethers';

/**
 * Largest block range of one `eth_getLogs` call. Public endpoints cap it (a few thousand to 10,000 blocks,
 * or a result count) and refuse a wider query outright; 5,000 is under the common caps.
 */
export const MAX_LOG_RANGE = 5_000;

/** Where a reader of a community's events starts, and how wide each query may be. */
export interface LogScope {
  /** First block that can hold the community's events: the hub's deployment block (0: the whole chain). */
  fromBlock: number;
  /** Largest block range of one query. */
  maxRange: number;
}

export const defaultLogScope: LogScope = { fromBlock: 0, maxRange: MAX_LOG_RANGE };

/**
 * `read(a, b)` over the blocks `from`..`to` (both included) in consecutive ranges of at most `maxRange`
 * blocks, the results concatenated in block order; nothing when `from > to`. The one home of the split.
 */
export async function inBlockRanges<T>(
  from: number,
  to: number,
  maxRange: number,
  read: (from: number, to: number) => Promise<T[]>,
): Promise<T[]> {
  if (!Number.isSafeInteger(maxRange) || maxRange < 1)
    throw new RangeError(`maxRange must be a positive integer, not ${maxRange}`);
  if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`fromBlock must be a block number, not ${from}`);
  const out: T[] = [];
  for (let a = from; a <= to; a += maxRange) out.push(...(await read(a, Math.min(to, a + maxRange - 1))));
  return out;
}

/**
 * `contract`'s events matching `filter` from `scope.fromBlock` to `provider`'s head, in ranges of
 * `scope.maxRange`.
 */
export async function queryEvents(
  contract: Contract,
  filter: ContractEventName,
  scope: LogScope,
  provider: Provider,
): Promise<(EventLog | Log)[]> {
  const head = await provider.getBlockNumber();
  return inBlockRanges(scope.fromBlock, head, scope.maxRange, (a, b) => contract.queryFilter(filter, a, b));
}
