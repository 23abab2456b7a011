import { Level } from 'level';
import { mkdirSync } from 'node:fs';
import {
  BalancesRepository,
  CommitmentRepository,
  CoSignatureRepository,
  EquivocationRepository,
  MetaRepository,
  ReadingRepository,
  SubmissionRepository,
  WindowResultRepository,
} from './repositories.js';
import type { Db } from './repository.js';

export * from './repositories.js';
export { Bucket } from './buckets.js';

/**
 * The shape of what a store holds, bumped whenever a stored commitment changes meaning: a node refuses a
 * data dir of another format (its windows were signed over another commitment and cannot be proven).
 * 1: readings roots over slot leaves (before issue 10); 2: meter leaves with running sums, E_t's hash in
 * the interval leaf, `energyHash` in every stored window result; 3 (s14): the state hash over the packed
 * state (`stateHash` = keccak256 of `packState`, 64 bytes per participant) instead of its ABI encoding; 4 (s17):
 * the interval leaf commits to the step's entries root too (`entriesRoot` in every stored interval).
 */
export const STORE_FORMAT = 4;

/**
 * Why the store of data dir `dir` cannot be used by this version (one line), or undefined: a store bound to
 * a node (`meta.binding`) in another `STORE_FORMAT` (one bound before formats were recorded is of format 1).
 * A store no node has bound yet has no format and passes. One home for the daemon (`Node.bindStore`) and the
 * commands that read a node's data dir (`diversity dispute --data-dir`).
 */
export async function storeFormatProblem(db: NodeDb, dir: string): Promise<string | undefined> {
  if ((await db.meta.get('binding')) === undefined) return undefined;
  const format = Number((await db.meta.get('storeFormat')) ?? 1);
  if (format === STORE_FORMAT) return undefined;
  return `data dir ${dir} holds a store of format ${format}; this version reads and writes format ${STORE_FORMAT} (interval leaves with the step's entries root): use a new --data-dir`;
}

/** The node's store: one LevelDB, one typed repository per bucket. */
export class NodeDb {
  readonly readings: ReadingRepository;
  readonly equivocations: EquivocationRepository;
  readonly windowResults: WindowResultRepository;
  readonly coSignatures: CoSignatureRepository;
  readonly submissions: SubmissionRepository;
  readonly meta: MetaRepository;
  readonly commitments: CommitmentRepository;
  readonly balances: BalancesRepository;

  private constructor(readonly level: Db) {
    this.readings = new ReadingRepository(level);
    this.equivocations = new EquivocationRepository(level);
    this.windowResults = new WindowResultRepository(level);
    this.coSignatures = new CoSignatureRepository(level);
    this.submissions = new SubmissionRepository(level);
    this.meta = new MetaRepository(level);
    this.commitments = new CommitmentRepository(level);
    this.balances = new BalancesRepository(level);
  }

  static async open(path: string): Promise<NodeDb> {
    mkdirSync(path, { recursive: true });
    const level = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
    await level.open();
    return new NodeDb(level);
  }

  /** Writes many puts (from the repositories' `putOp`) in one atomic LevelDB batch. */
  async batch(ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[]): Promise<void> {
    if (ops.length > 0) await this.level.batch(ops);
  }

  async close(): Promise<void> {
    await this.level.close();
  }
}
