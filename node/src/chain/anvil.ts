import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiversityError } from '../util/errors.js';

export interface AnvilOptions {
  /** Loopback only: the project never exposes a dev chain. */
  host: string;
  /** 0 = pick a free port. */
  port: number;
  chainId: number;
  accounts: number;
  balanceEth: number;
  /** Block gas limit; big blocks let a replay mine thousands of transactions at once. */
  blockGasLimit: bigint;
  /** Mine only on request (`evm_mine`), for batched sending. */
  noMining: boolean;
  hardfork: string;
  /** Base fee of the first block, wei. */
  baseFee: bigint;
  startTimeoutMs: number;
  /** anvil binary; default: node_modules/.bin/anvil of this project. */
  bin: string;
  extraArgs: string[];
}

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const defaultAnvilOptions: AnvilOptions = {
  host: '127.0.0.1',
  port: 0,
  chainId: 31337,
  accounts: 10,
  balanceEth: 1_000_000,
  blockGasLimit: 30_000_000n,
  noMining: false,
  hardfork: 'osaka',
  baseFee: 1n,
  startTimeoutMs: 20_000,
  bin: '',
  extraArgs: [],
};

export interface Anvil {
  rpcUrl: string;
  chainId: number;
  /** Dev accounts, in anvil's order. */
  accounts: string[];
  privateKeys: string[];
  /** The anvil process id (fault tests pause it with SIGSTOP / SIGCONT). */
  pid: number;
  /** Kills the process and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

export enum AnvilErrorCode {
  START_FAILED = 'ANVIL_ERROR_START_FAILED',
  START_TIMEOUT = 'ANVIL_ERROR_START_TIMEOUT',
}

export type AnvilErrorType =
  | { code: AnvilErrorCode.START_FAILED; output: string }
  | { code: AnvilErrorCode.START_TIMEOUT; timeoutMs: number; output: string };

export class AnvilError extends DiversityError<AnvilErrorType> {}

/**
 * The port in anvil's `Listening on <host>:<port>` line (anvil given `--port 0` binds a free port itself and
 * prints it), or undefined while the line is not complete.
 */
export function listeningPort(text: string): number | undefined {
  const m = /Listening on \S*:(\d+)\s/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Parses anvil's banner: the "Available Accounts" and "Private Keys" lists. */
export function parseBanner(text: string): { accounts: string[]; privateKeys: string[] } {
  const section = (title: string): string[] => {
    const i = text.indexOf(title);
    if (i < 0) return [];
    const out: string[] = [];
    for (const line of text
      .slice(i + title.length)
      .split('\n')
      .slice(1)) {
      const m = /^\s*\((\d+)\)\s+(0x[0-9a-fA-F]+)/.exec(line);
      if (m) out.push(m[2]);
      else if (out.length > 0 || /^[A-Z]/.test(line)) break;
    }
    return out;
  };
  return { accounts: section('Available Accounts'), privateKeys: section('Private Keys') };
}

/**
 * Starts anvil on a free loopback port and resolves once it listens. Port 0 (the default) is bound by anvil
 * itself and read from its banner: a port picked here and bound later by anvil could be taken in between
 * (another process, an outgoing connection's ephemeral port) and anvil would fail to start.
 */
export async function startAnvil(opts: Partial<AnvilOptions> = {}): Promise<Anvil> {
  const o: AnvilOptions = { ...defaultAnvilOptions, ...opts };
  const bin = o.bin || join(projectRoot(), 'node_modules', '.bin', 'anvil');
  const args = [
    '--host',
    o.host,
    '--port',
    String(o.port),
    '--chain-id',
    String(o.chainId),
    '--accounts',
    String(o.accounts),
    '--balance',
    String(o.balanceEth),
    '--gas-limit',
    o.blockGasLimit.toString(),
    '--hardfork',
    o.hardfork,
    '--base-fee',
    o.baseFee.toString(),
    '--no-request-size-limit',
    ...(o.noMining ? ['--no-mining'] : []),
    ...o.extraArgs,
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AnvilError({ code: AnvilErrorCode.START_TIMEOUT, timeoutMs: o.startTimeoutMs, output }));
    }, o.startTimeoutMs);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const listening = listeningPort(output);
      if (listening !== undefined) {
        clearTimeout(timer);
        resolve(listening);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new AnvilError({ code: AnvilErrorCode.START_FAILED, output: String(e) }));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new AnvilError({ code: AnvilErrorCode.START_FAILED, output }));
    });
  });
  // Keep draining the pipes so anvil never blocks on a full buffer.
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();

  const { accounts, privateKeys } = parseBanner(output);
  return {
    rpcUrl: `http://${o.host}:${port}`,
    chainId: o.chainId,
    accounts,
    privateKeys,
    pid: child.pid!,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitPromise;
      clearTimeout(t);
    },
  };
}
