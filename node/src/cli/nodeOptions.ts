import { readFileSync } from 'node:fs';
import { isAddress, isHexString } from 'ethers';
import { defaultMeterOptionKeys } from '../meter/options.js';
import { defaultNodeOptions, type NodeOptions } from '../node/options.js';
import { CliError, CliErrorCode } from './errors.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(base[k]) ? deepMerge(base[k] as Json, v) : v;
  }
  return out;
}

/**
 * The keys a config file may hold: those of the defaults, plus the required ones without a
 * default. Anything else is a typo or a stale option: refused, never silently ignored.
 */
const KNOWN_KEYS: Record<string, readonly string[] | true> = {
  ...Object.fromEntries(Object.keys(defaultNodeOptions).map((k) => [k, true])),
  privateKey: true,
  byzantine: true,
  meter: defaultMeterOptionKeys,
  network: Object.keys(defaultNodeOptions.network),
  chain: Object.keys(defaultNodeOptions.chain),
  window: Object.keys(defaultNodeOptions.window),
  game: Object.keys(defaultNodeOptions.game),
  api: Object.keys(defaultNodeOptions.api),
};

export function checkConfigKeys(config: Json, path: string): void {
  for (const [key, value] of Object.entries(config)) {
    const known = KNOWN_KEYS[key];
    if (!known)
      throw new CliError(
        CliErrorCode.BAD_CONFIG,
        `config file ${path}: unknown key "${key}" (known: ${Object.keys(KNOWN_KEYS).join(', ')})`,
      );
    if (known === true || !isObject(value)) continue;
    for (const sub of Object.keys(value)) {
      if (!known.includes(sub))
        throw new CliError(
          CliErrorCode.BAD_CONFIG,
          `config file ${path}: unknown key "${key}.${sub}" (known: ${known.join(', ')})`,
        );
    }
  }
}

export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(CliErrorCode.BAD_CONFIG, `cannot read config file ${path}: ${(e as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('top level must be an object');
    checkConfigKeys(parsed, path);
    return parsed;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(CliErrorCode.BAD_CONFIG, `config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

const list = (v: unknown): string[] | undefined =>
  v === undefined
    ? undefined
    : (Array.isArray(v) ? v : [v])
        .flatMap((x) => String(x).split(','))
        .map((s) => s.trim())
        .filter(Boolean);

/**
 * Node options from defaults < config file < flags/env, checked so that a bad value fails at
 * start with a line naming the option, not later with a stack trace.
 */
export function nodeOptionsFromArgs(args: Json): NodeOptions {
  const file = typeof args.config === 'string' ? readConfigFile(args.config) : {};
  const flags: Json = {
    name: args.name,
    dataDir: args.dataDir,
    privateKey: args.privateKey,
    logLevel: args.logLevel,
    network: isObject(args.network)
      ? { ...args.network, listen: list(args.network.listen), bootstrap: list(args.network.bootstrap) }
      : undefined,
    chain: args.chain,
    window: args.window,
    game: args.game,
    api: args.api,
    meter: args.meter,
  };
  const merged = deepMerge(deepMerge(defaultNodeOptions as unknown as Json, file), flags) as unknown as NodeOptions;
  return checkNodeOptions(merged);
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function fail(option: string, why: string): never {
  throw new CliError(CliErrorCode.BAD_OPTION, `--${option}: ${why}`);
}

export function checkNodeOptions(o: NodeOptions): NodeOptions {
  if (typeof o.privateKey !== 'string' || !isHexString(o.privateKey, 32))
    fail('private-key', 'a 32-byte hex key (0x...) is required (or DIVERSITY_PRIVATE_KEY)');
  const k = BigInt(o.privateKey);
  if (k === 0n || k >= SECP256K1_N)
    fail('private-key', 'not a valid secp256k1 private key (zero, or not below the group order)');
  if (!isAddress(o.chain.hub)) fail('chain.hub', `not an address: ${String(o.chain.hub) || '(missing)'}`);
  try {
    o.chain.communityId = BigInt(o.chain.communityId as unknown as string);
  } catch {
    fail('chain.community-id', 'not an integer');
  }
  if (o.chain.communityId <= 0n) fail('chain.community-id', 'must be at least 1');
  o.chain.fromBlock = Number(o.chain.fromBlock);
  if (!Number.isSafeInteger(o.chain.fromBlock) || o.chain.fromBlock < 0)
    fail('chain.from-block', 'must be a block number');
  if (!/^https?:\/\//.test(o.chain.rpcUrl)) fail('chain.rpc-url', `not an http(s) URL: ${o.chain.rpcUrl}`);
  for (const key of [
    'pollMs',
    'signatureDeadlineSeconds',
    'takeoverSeconds',
    'maxFeePerGasGwei',
    'maxPriorityFeePerGasGwei',
    'replaceAfterSeconds',
    'backoffSeconds',
    'backoffMaxSeconds',
    'claimForDebtorsAfterSeconds',
  ] as const) {
    o.chain[key] = Number(o.chain[key]);
    if (!Number.isFinite(o.chain[key]) || o.chain[key] < 0) fail(`chain.${key}`, 'must be a non-negative number');
  }
  if (typeof o.chain.closeAndClaim !== 'boolean') fail('chain.close-and-claim', 'must be true or false');
  o.window.graceSeconds = Number(o.window.graceSeconds);
  if (!Number.isFinite(o.window.graceSeconds) || o.window.graceSeconds < 0)
    fail('window.grace-seconds', 'must be a non-negative number');
  o.game.availabilityFraction = Number(o.game.availabilityFraction);
  if (!(o.game.availabilityFraction >= 0 && o.game.availabilityFraction < 1))
    fail('game.availability-fraction', 'must be at least 0 and below 1 (a share of the challenge period)');
  for (const key of ['fetchEverySeconds', 'lookbackBlocks'] as const) {
    o.game[key] = Number(o.game[key]);
    if (!Number.isFinite(o.game[key]) || o.game[key] < 0) fail(`game.${key}`, 'must be a non-negative number');
  }
  o.api.port = Number(o.api.port);
  if (!Number.isInteger(o.api.port) || o.api.port < 0 || o.api.port > 65535) fail('api.port', 'must be a port number');
  for (const key of ['maxConnections', 'headersTimeoutMs', 'requestTimeoutMs'] as const) {
    if (o.api[key] === undefined) continue;
    o.api[key] = Number(o.api[key]);
    if (!Number.isInteger(o.api[key]) || o.api[key] < 1) fail(`api.${key}`, 'must be a positive integer');
  }
  if (!['error', 'warn', 'info', 'verbose', 'debug'].includes(o.logLevel))
    fail('log-level', `unknown level ${o.logLevel}`);
  if (o.meter) {
    o.meter.meterIndex = Number(o.meter.meterIndex);
    o.meter.profileOffset = Number(o.meter.profileOffset ?? 0);
    if (!Number.isInteger(o.meter.meterIndex) || o.meter.meterIndex < 0)
      fail('meter.meter-index', 'must be a meter index');
    if (typeof o.meter.secretKey !== 'string') fail('meter.secret-key', 'required with --meter.meter-index');
    if (typeof o.meter.profile !== 'string') fail('meter.profile', 'required with --meter.meter-index');
  }
  return o;
}
