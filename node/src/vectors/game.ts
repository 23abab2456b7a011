import { keccak256, toUtf8Bytes } from 'ethers';
import { encodeGameMove, GamePhase, publishFrom } from '../dispute/game.js';
import { claimFromServed } from '../dispute/proofs.js';
import { meterKeyPair, signReading, type SignedReading } from '../reading/signature.js';
import { emptyState, type ParticipantState } from '../window/state.js';
import { seedFor } from './readings.js';

/**
 * The game's `Publish` move (review R1) as TypeScript encodes it: a window of W = 5 intervals over
 * M = 3 meters (one absent slot) and N = 3 participants, whose step t = 3 is published — the M slots,
 * leaf 2 with its path, S_2 packed — and the move's bytes abi.encode(GameMove, PublishedStep) with
 * their keccak256 (the StepPublished event's dataHash). Forge rebuilds the bytes from the fields and
 * replays the module's checks (readings root, leaf t-1 under the root, packed S_{t-1}'s hash).
 */
export function gameVectors() {
  const M = 3;
  const N = 3;
  const W = 5;
  const window = 2;
  const firstInterval = window * W;
  const keys = Array.from({ length: M }, (_, m) => meterKeyPair(seedFor(`meter-${m}`)));
  const slots: (SignedReading | undefined)[][] = [];
  const states: ParticipantState[][] = [];
  for (let i = 0; i < W; i++) {
    const t = firstInterval + i;
    slots.push(
      Array.from({ length: M }, (_, m) =>
        (m + i) % 4 === 3
          ? undefined
          : signReading(
              {
                chainId: 31337n,
                hub: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
                communityId: 1n,
                meterIndex: m,
                interval: t,
                exportWh: (m * 37 + t * 11) % 300,
                importWh: (m * 53 + t * 7) % 200,
              },
              keys[m].secretKey,
            ),
      ),
    );
    // Any balanced state in range: the move only carries its packed bytes, the module only hashes them.
    const s = emptyState(N).map((x, p) => ({
      ...x,
      exportWh: BigInt(100 * i + p),
      importWh: BigInt(7 * i + 2 * p),
      gridBoughtWh: BigInt(i),
      net: p === 0 ? -BigInt(1000 * i + 1) : p === 1 ? BigInt(1000 * i + 1) : 0n,
    }));
    states.push(s);
  }
  const claimed = claimFromServed(firstInterval, slots, states);
  const t = 3;
  const claim = keccak256(toUtf8Bytes('claim'));
  const challenger = '0x00000000000000000000000000000000000000C1';
  const leaf = claimed.commitment.intervals[t];
  const move = publishFrom(claimed, claim, challenger, {
    node: leaf.leaf,
    left: '',
    right: '',
    deadline: 0,
    index: t,
    height: 0,
    phase: GamePhase.Publish,
    bond: 0n,
  });
  if (!move?.step) throw new Error('game vectors: no publish move');
  const encoded = encodeGameMove(move);
  return {
    meters: M,
    participants: N,
    windowIntervals: W,
    windowRoot: claimed.commitment.windowRoot,
    claim,
    challenger,
    position: t,
    interval: leaf.interval,
    readingsRoot: leaf.readingsRoot,
    stateHash: leaf.stateHash,
    slots: move.step.slots,
    previous: move.step.previous,
    prevState: move.step.prevState,
    move: encoded,
    dataHash: keccak256(encoded),
  };
}
