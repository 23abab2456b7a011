import type { Argv } from 'yargs';
import { CliError, CliErrorCode } from '../errors.js';

/** The fields of the node's `/status` JSON that this command prints (bigints arrive as strings). */
interface StatusBody {
  name: string;
  participantIndex: number;
  address: string;
  peerId: string;
  peers: string[];
  community: { communityId: string; chainId: string; hub: string };
  currentInterval: number;
  currentWindow: number;
  lastCommittedWindow: number;
  lastFinalWindow: number;
  windows: { window: number; readings: number; committed: boolean; coSignatures: number; chain?: { status: string } }[];
  balances: {
    participant: string;
    window: number;
    bond: string;
    credit: string;
    escrow?: string;
    debt?: string;
    claim?: string;
    paid: boolean;
  }[];
}

export const statusCommand = {
  command: 'status',
  describe: "Show a running node's status (peers, windows, balances) from its HTTP API",
  examples: [['$0 status --api http://127.0.0.1:9100', 'Status of the node whose API listens there']],
  builder: (y: Argv) =>
    y
      .option('api', { type: 'string', demandOption: true, describe: "The node's API URL" })
      .option('json', { type: 'boolean', default: false, describe: 'Print the raw JSON' }),
  handler: async (args: { api: string; json: boolean }) => {
    let body: StatusBody;
    try {
      const res = await fetch(new URL('/status', args.api));
      body = (await res.json()) as StatusBody;
    } catch (e) {
      throw new CliError(CliErrorCode.UNREACHABLE, `no node API at ${args.api}: ${(e as Error).message}`);
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return;
    }
    const lines = [
      `${body.name}  participant #${body.participantIndex}  ${body.address}`,
      `peer ${body.peerId}  (${body.peers.length} peers connected)`,
      `community ${body.community.communityId} on chain ${body.community.chainId}, hub ${body.community.hub}`,
      `interval ${body.currentInterval}, window ${body.currentWindow}; last committed ${body.lastCommittedWindow}, last final ${body.lastFinalWindow}`,
      '',
      'window  readings  committed  co-signatures  on chain',
      ...body.windows.map(
        (w) =>
          `${String(w.window).padStart(6)}  ${String(w.readings).padStart(8)}  ${String(w.committed).padStart(9)}  ${String(w.coSignatures).padStart(13)}  ${w.chain?.status ?? '-'}`,
      ),
      '',
      `balances after window ${body.balances[0]?.window ?? '-'} (escrow, debt, claim: its balances root; bond, credit: on chain; token base units)`,
      `participant                                 ${['escrow', 'debt', 'claim', 'bond', 'credit'].map((h) => h.padStart(24)).join('')}  paid`,
      ...body.balances.map(
        (b) =>
          `${b.participant}  ${[b.escrow, b.debt, b.claim, b.bond, b.credit].map((v) => (v ?? '?').padStart(24)).join('')}  ${b.paid ? 'yes' : 'no'}`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
