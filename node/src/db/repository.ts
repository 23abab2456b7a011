import type { Level } from 'level';
import type { Bucket } from './buckets.js';

export type Db = Level<Uint8Array, Uint8Array>;

/** Typed access to the keys of one bucket; subclasses say how keys and values are encoded. */
export abstract class Repository<K, V> {
  constructor(
    protected readonly db: Db,
    protected readonly bucket: Bucket,
  ) {}

  protected abstract encodeKey(key: K): Uint8Array;
  protected abstract encodeValue(value: V): Uint8Array;
  protected abstract decodeValue(bytes: Uint8Array): V;

  /** The LevelDB key of `key`: the bucket byte, then `encodeKey` (a repository may write it directly). */
  protected keyBytes(key: K): Uint8Array {
    return this.fullKey(this.encodeKey(key));
  }

  protected fullKey(suffix: Uint8Array): Uint8Array {
    const out = new Uint8Array(1 + suffix.length);
    out[0] = this.bucket;
    out.set(suffix, 1);
    return out;
  }

  async get(key: K): Promise<V | undefined> {
    const bytes = await this.db.get(this.keyBytes(key));
    return bytes === undefined ? undefined : this.decodeValue(bytes);
  }

  async has(key: K): Promise<boolean> {
    return (await this.db.get(this.keyBytes(key))) !== undefined;
  }

  /** Values of many keys in one LevelDB call (undefined where absent). */
  async getMany(keys: K[]): Promise<(V | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.db.getMany(keys.map((k) => this.keyBytes(k)));
    return values.map((b) => (b === undefined ? undefined : this.decodeValue(b)));
  }

  /** A put as a batch operation, for `NodeDb.batch` (one atomic LevelDB write for many). */
  putOp(key: K, value: V): { type: 'put'; key: Uint8Array; value: Uint8Array } {
    return { type: 'put', key: this.keyBytes(key), value: this.encodeValue(value) };
  }

  /** `putOp` of a value already in this bucket's encoding (`encodeValue`'s output, e.g. as received). */
  putEncodedOp(key: K, encoded: Uint8Array): { type: 'put'; key: Uint8Array; value: Uint8Array } {
    return { type: 'put', key: this.keyBytes(key), value: encoded };
  }

  async put(key: K, value: V): Promise<void> {
    await this.db.put(this.keyBytes(key), this.encodeValue(value));
  }

  async delete(key: K): Promise<void> {
    await this.db.del(this.keyBytes(key));
  }

  /** Values whose key starts with `prefix` (after the bucket byte), in key order. */
  protected async valuesWithPrefix(prefix: Uint8Array): Promise<V[]> {
    const gte = this.fullKey(prefix);
    const lt = new Uint8Array(gte);
    // Increment the prefix to get the exclusive upper bound of the range.
    let i = lt.length - 1;
    while (i >= 0 && lt[i] === 0xff) lt[i--] = 0;
    if (i >= 0) lt[i]++;
    const out: V[] = [];
    for await (const value of this.db.values(i >= 0 ? { gte, lt } : { gte })) out.push(this.decodeValue(value));
    return out;
  }
}

const json = {
  encode: (value: unknown): Uint8Array =>
    Buffer.from(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))),
  decode: <T>(bytes: Uint8Array): T =>
    JSON.parse(Buffer.from(bytes).toString('utf8'), (_k, v) =>
      typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
    ) as T,
};

/** Values stored as JSON, bigints kept exact. */
export abstract class JsonRepository<K, V> extends Repository<K, V> {
  protected encodeValue(value: V): Uint8Array {
    return json.encode(value);
  }
  protected decodeValue(bytes: Uint8Array): V {
    return json.decode<V>(bytes);
  }
}
