import { expect } from 'chai';
import { Interface, JsonRpcProvider, TypedDataEncoder } from 'ethers';
import { runApproach } from '../src/replay/engine.js';
import { loadArtifact, projectRoot as repoRoot } from '../../node/src/chain/artifacts.js';
import {
  BOND,
  DiversityApproach,
  ESCROW,
  foldReplayWindow,
  hubBinding,
  simMeterSeed,
} from '../src/replay/approaches/diversity.js';
import { fastReadingSigner } from '../../node/src/reading/signature.js';
import { stateHash } from '../../node/src/window/state.js';
import { HubClient } from '../../node/src/chain/hubClient.js';
import { fitsOpenTogether } from '../../node/src/chain/openTogether.js';
import { popcount } from '../../node/src/util/bits.js';
import { defaultReplayOptions, type ApproachName, type CommunityReadings } from '../src/replay/types.js';
import type { RdaApproach } from '../src/replay/approaches/rda.js';
import { tinyReadings } from './fixtures.js';

/** Sums gasUsed of every non-deployment receipt on the chain, independently of the engine. */
async function receiptGas(rpcUrl: string): Promise<{ gas: bigint; txs: number }> {
  const p = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  const head = await p.getBlockNumber();
  let gas = 0n;
  let txs = 0;
  for (let b = 1; b <= head; b++) {
    const block = await p.getBlock(b);
    for (const h of block!.transactions) {
      const r = await p.getTransactionReceipt(h);
      if (r!.contractAddress) continue;
      gas += r!.gasUsed;
      txs++;
    }
  }
  p.destroy();
  return { gas, txs };
}

async function call(rpcUrl: string, to: string, iface: Interface, fn: string, args: unknown[]): Promise<unknown[]> {
  const p = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  const out = await p.call({ to, data: iface.encodeFunctionData(fn, args) });
  p.destroy();
  return [...iface.decodeFunctionResult(fn, out)];
}

async function replay(
  name: ApproachName,
  r: CommunityReadings,
  opts = {},
  check?: (rpcUrl: string, address: string) => Promise<void>,
) {
  let onChain = { gas: 0n, txs: 0 };
  const result = await runApproach(
    name,
    r,
    { ...defaultReplayOptions, ...opts },
    {
      inspect: async ({ rpcUrl, approach }) => {
        onChain = await receiptGas(rpcUrl);
        await check?.(rpcUrl, (approach as RdaApproach).address);
      },
    },
  );
  return { result, onChain };
}

describe('sim/replay on anvil', function () {
  this.timeout(120_000);
  const r = tinyReadings(2, 8);

  it('RDA: one transaction per reading, every reading stored, gas from the receipts', async () => {
    const iface = new Interface(loadArtifact('RawDataLogger').abi);
    const { result, onChain } = await replay('rda', r, { sessionIntervals: 4 }, async (url, addr) => {
      expect(await call(url, addr, iface, 'reading', [1, 6])).to.deep.equal([true, 46n, 0n]);
      expect(await call(url, addr, iface, 'reading', [0, 7])).to.deep.equal([true, 0n, 107n]);
    });
    expect(result.transactions).to.equal(16);
    expect(onChain.txs).to.equal(16);
    expect(result.gasUsed).to.equal(onChain.gas);
    expect(result.deployTransactions).to.equal(1);
    expect(result.gasByDay.reduce((a, b) => a + b, 0n)).to.equal(result.gasUsed);
    // Each reading is a fresh slot: ≥ 21,000 intrinsic + 20,000 SSTORE.
    expect(result.gasUsed / 16n > 41_000n).to.equal(true);
  });

  it('SAT: one transaction per session, the whole trace stored', async () => {
    const iface = new Interface(loadArtifact('SessionTraceLogger').abi);
    const { result, onChain } = await replay('sat', r, { sessionIntervals: 4 }, async (url, addr) => {
      for (let m = 0; m < 2; m++)
        for (let t = 0; t < 8; t++) {
          expect(await call(url, addr, iface, 'reading', [m, t])).to.deep.equal([
            BigInt(r.exportWh[m][t]),
            BigInt(r.importWh[m][t]),
          ]);
        }
    });
    expect(result.transactions).to.equal(2);
    expect(result.gasUsed).to.equal(onChain.gas);
  });

  it('SAT: splits a session that would pass the per-transaction gas cap', async () => {
    const day = tinyReadings(2, 96);
    const cap = 500_000n; // 13 words per tx -> each meter's day (24 words) in 2 runs
    const { result, onChain } = await replay('sat', day, { sessionIntervals: 96, txGasCap: cap });
    expect(result.transactions).to.equal(4);
    expect(onChain.txs).to.equal(4);
    expect(result.maxTxGas < cap).to.equal(true);
    expect(result.gasUsed).to.equal(onChain.gas);
  });

  it("SA: one transaction per session with every meter's totals", async () => {
    const iface = new Interface(loadArtifact('SessionAggregateLogger').abi);
    const { result, onChain } = await replay('sa', r, { sessionIntervals: 4 }, async (url, addr) => {
      const sum = (a: Uint32Array, from: number) => BigInt(a.slice(from, from + 4).reduce((x, y) => x + y, 0));
      expect(await call(url, addr, iface, 'aggregate', [1, 1])).to.deep.equal([
        true,
        sum(r.exportWh[1], 4),
        sum(r.importWh[1], 4),
      ]);
      expect(await call(url, addr, iface, 'aggregate', [0, 0])).to.deep.equal([true, 0n, sum(r.importWh[0], 0)]);
    });
    expect(result.transactions).to.equal(2);
    expect(result.gasUsed).to.equal(onChain.gas);
  });

  const hubRoot = repoRoot();

  /**
   * After the replay: every window final with our balances root (from its `WindowFinalized` event, read through
   * `HubClient.windowRecord`: the hub stores no record of a window final at once, only the last final root,
   * s16), every member paid out by its claim exactly its final escrow plus its bond (nothing short, no
   * credit), and the hub holds nothing.
   */
  async function checkSettledByRoots(rpcUrl: string, approach: DiversityApproach, n: number): Promise<void> {
    const hubIface = new Interface(loadArtifact('Hub', hubRoot).abi);
    const tokenIface = new Interface(loadArtifact('CommunityToken', hubRoot).abi);
    const [info] = (await call(rpcUrl, approach.hub, hubIface, 'community', [1])) as Array<{
      status: bigint;
      finalizedWindows: bigint;
      token: string;
    }>;
    expect(info.status).to.equal(3n); // Closed
    expect(info.finalizedWindows).to.equal(BigInt(approach.balances.length));
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
    const hub = new HubClient({ hub: approach.hub, communityId: 1n }, { runner: provider, provider });
    for (const [w, b] of approach.balances.entries()) {
      expect((await hub.windowRecord(w)).balancesRoot, `window ${w}`).to.equal(b.root);
    }
    provider.destroy();
    const final = approach.balances.at(-1)!;
    const [lastRoot] = await call(rpcUrl, approach.hub, hubIface, 'finalBalancesRoot', [1]);
    expect(lastRoot, 'the hub keeps the last final root').to.equal(final.root);
    let total = 0n;
    for (let m = 0; m < n; m++) {
      const [, , settled] = await call(rpcUrl, approach.hub, hubIface, 'member', [1, m]);
      expect(settled, `member ${m} settled`).to.equal(true);
      const leaf = final.leaves[m];
      expect(leaf.debt + leaf.claim).to.equal(0n);
      const [balance] = await call(rpcUrl, info.token, tokenIface, 'balanceOf', [leaf.participant]);
      expect(balance, `member ${m} paid`).to.equal(leaf.escrow + BOND);
      total += balance as bigint;
    }
    expect(total).to.equal(BigInt(n) * (ESCROW + BOND)); // money conserved: everything paid in came out
    const [held] = await call(rpcUrl, info.token, tokenIface, 'balanceOf', [approach.hub]);
    expect(held).to.equal(0n);
  }

  it('DIVERSITY: one openTogetherWithPermits (every consent, every deposit by permit, no approval), one co-signed update per window with its balances root, close, one claimAll', async () => {
    const three = tinyReadings(3, 10);
    const hubIface = new Interface(loadArtifact('Hub', hubRoot).abi);
    let onChain = { gas: 0n, txs: 0 };
    const approach = new DiversityApproach({ ...hubBinding, loadArtifact: (n) => loadArtifact(n, hubRoot) });
    const result = await runApproach(
      'diversity',
      three,
      { ...defaultReplayOptions, windowIntervals: 4 },
      {
        approachFactory: () => approach,
        inspect: async ({ rpcUrl }) => {
          onChain = await receiptGas(rpcUrl);
          // Our EIP-712 digest is the hub's.
          const signers = [0, 1, 2].map((m) => fastReadingSigner(simMeterSeed(m)));
          const { windowRoot: root, state } = foldReplayWindow(
            three,
            { chainId: 31337n, hub: approach.hub, communityId: 1n, windowIntervals: 4 },
            signers,
            0,
          );
          const [, name, version, chainId, verifyingContract] = await call(
            rpcUrl,
            approach.hub,
            hubIface,
            'eip712Domain',
            [],
          );
          // The hub's type (IHub: WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,
          // bytes32 stateHash,bytes32 balancesRoot)), written out here to check the replay's digest against.
          const types = {
            WindowResult: [
              { name: 'communityId', type: 'uint64' },
              { name: 'window', type: 'uint32' },
              { name: 'windowRoot', type: 'bytes32' },
              { name: 'stateHash', type: 'bytes32' },
              { name: 'balancesRoot', type: 'bytes32' },
            ],
          };
          const result = { windowRoot: root, stateHash: stateHash(state), balancesRoot: approach.balances[0].root };
          const digest = TypedDataEncoder.hash(
            {
              name: name as string,
              version: version as string,
              chainId: chainId as bigint,
              verifyingContract: verifyingContract as string,
            },
            types,
            { communityId: 1n, window: 0, ...result },
          );
          expect(digest).to.equal(approach.digest(31337, 0, result));
          await checkSettledByRoots(rpcUrl, approach, 3);
        },
      },
    );
    // One openTogetherWithPermits (ECDSA: every member's consent, every deposit pulled by its permit: no member
    // sent an approval), three windows (4 + 4 + 2 intervals), close, one claimAll paying all three
    // (checkSettledByRoots: every member paid); mints kept apart.
    expect(result.byKind.setup.transactions).to.equal(1);
    expect(result.byKind.update.transactions).to.equal(3);
    expect(result.byKind.close.transactions).to.equal(1);
    expect(result.byKind.claim.transactions).to.equal(1);
    expect(result.transactions).to.equal(6);
    // Settlement, 9 modules, hub, token + the module set's registration + the mints.
    expect(result.deployTransactions).to.equal(12 + 1 + 3);
    expect(onChain.txs).to.equal(6 + 1 + 3); // the approach's 6 transactions + the registration + the mints
    // The receipts of the non-creation transactions are the approach's gas plus the registration and the
    // mints, which are reported with the deployments.
    const mints = onChain.gas - result.gasUsed;
    expect(mints > 0n && mints < result.deployGas).to.equal(true);
  });
  it('DIVERSITY with BLS (--signatures bls): joins with key and PoP, one aggregate per window, every window final, every member paid', async () => {
    const three = tinyReadings(3, 10);
    const approach = new DiversityApproach({ ...hubBinding, loadArtifact: (n) => loadArtifact(n, hubRoot) }, 'bls');
    const result = await runApproach(
      'diversity',
      three,
      { ...defaultReplayOptions, windowIntervals: 4 },
      {
        approachFactory: () => approach,
        inspect: async ({ rpcUrl }) => checkSettledByRoots(rpcUrl, approach, 3),
      },
    );
    expect(result.byKind.update.transactions).to.equal(3);
    expect(result.byKind.claim.transactions).to.equal(1); // one claimAll
    // One pairing per update, whatever N: well above ECDSA's three ecrecovers at N = 3.
    const perUpdate = Number(result.byKind.update.gasUsed) / 3;
    expect(perUpdate).to.be.greaterThan(150_000);
  });

  it('DIVERSITY above 256 (N = 300, two signer words): every window final, the node counts 300 signers, every member paid', async () => {
    const wide = tinyReadings(300, 8);
    const approach = new DiversityApproach({ ...hubBinding, loadArtifact: (n) => loadArtifact(n, hubRoot) });
    let counted: number[] = [];
    const result = await runApproach(
      'diversity',
      wide,
      { ...defaultReplayOptions, windowIntervals: 4 },
      {
        approachFactory: () => approach,
        inspect: async ({ rpcUrl }) => {
          await checkSettledByRoots(rpcUrl, approach, 300);
          // The node's reader of a record: for N > 256 the hub reports a hash of the words (SignerBitmap.ref).
          const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
          const hub = new HubClient({ hub: approach.hub, communityId: 1n }, { runner: provider, provider });
          counted = [];
          for (const w of [0, 1]) counted.push(popcount((await hub.windowRecord(w)).signers));
          provider.destroy();
        },
      },
    );
    // Above OPEN_TOGETHER_MAX_PARTICIPANTS (200: the largest opening with permits measured to fit, HubGasTest):
    // 300 approvals, one open and 300 joins (no openTogether).
    expect(fitsOpenTogether(300)).to.equal(false);
    expect(fitsOpenTogether(200)).to.equal(true);
    expect(fitsOpenTogether(201)).to.equal(false);
    expect(result.byKind.setup.transactions).to.equal(300 + 1 + 300);
    expect(result.byKind.update.transactions).to.equal(2);
    // Past CLAIM_ALL_MAX_MEMBERS (256): one `claimRange` per subtree of 256 (members 0–255, then 256–299).
    expect(result.byKind.claim.transactions).to.equal(2);
    expect(counted, 'every participant signed each window').to.deep.equal([300, 300]);
    // Under the Osaka per-transaction cap (EIP-7825), the largest being `open` with its 300 meters.
    expect(result.maxTxGas < 16_777_216n).to.equal(true);
  });

  it('anvil signing and local signing send the same transactions: same gas, same signed bytes', async () => {
    const r = tinyReadings(3, 8);
    for (const name of ['rda', 'sat', 'sa', 'diversity'] as const) {
      const opts = { ...defaultReplayOptions, sessionIntervals: 4, windowIntervals: 4 };
      const viaNode = await runApproach(name, r, opts, { sender: { signing: 'node' } });
      const viaLocal = await runApproach(name, r, opts, { sender: { signing: 'local' } });
      expect(viaNode.transactions, name).to.equal(viaLocal.transactions);
      expect(viaNode.gasUsed, name).to.equal(viaLocal.gasUsed);
      expect(viaNode.rawBytes, name).to.equal(viaLocal.rawBytes);
    }
  });
});
