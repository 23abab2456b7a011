import { ZeroHash } from 'ethers';
import { MarketKind, type MarketParams } from '../window/state.js';
import { MeterScheme } from '../reading/signature.js';
import { linkArtifact, loadArtifact, type Artifact } from './artifacts.js';

/** Default seconds per move of the data-availability game (DESIGN.md §5.4). */
export const GAME_MOVE_DEADLINE = 3600;
/** Default challenge bond of the game, in basis points of the participant bond. */
export const GAME_BOND_BPS = 1000;

/**
 * The game module's parameters (its constructor's): seconds per move, challenge bond in bps of the
 * participant bond. A community chooses them by naming a module instance the hub allow-lists.
 */
export interface GameParams {
  moveDeadline?: number;
  bondBps?: number;
}

/**
 * The hub's standard modules (contracts/src/modules), in the order of its constructor allow-list, and
 * how a community names them at open (CommunityModules). Meter scheme indexes follow `MeterScheme`.
 */
export const MODULES = [
  { key: 'verifier', artifact: 'DisputeVerifier', args: [] },
  { key: 'totals', artifact: 'MarketStep', args: [MarketKind.Totals] },
  { key: 'mmr', artifact: 'MarketStep', args: [MarketKind.Mmr] },
  { key: 'coSignature', artifact: 'EcdsaSignerSet', args: [] },
  { key: 'ed25519', artifact: 'Ed25519Scheme', args: [] },
  { key: 'p256', artifact: 'P256Scheme', args: [] },
  // The data-availability game: seconds per move, challenge bond in bps of the participant bond.
  { key: 'game', artifact: 'DataAvailabilityGame', args: [GAME_MOVE_DEADLINE, GAME_BOND_BPS] },
  { key: 'bls', artifact: 'BlsCoSignatureScheme', args: [] },
  { key: 'auction', artifact: 'AuctionMarketStep', args: [] },
] as const;

/** The co-signature scheme a community names at open: the ECDSA signer set or BLS12-381 aggregates. */
export type CoSignatureSchemeName = 'ecdsa' | 'bls';

export type HubModules = Record<(typeof MODULES)[number]['key'], string>;

/** The CommunityModules tuple a community of market `kind` and co-signature `scheme` names at open. */
export function communityModules(m: HubModules, kind: MarketKind, scheme: CoSignatureSchemeName = 'ecdsa') {
  const meterSchemes: string[] = [];
  meterSchemes[MeterScheme.Ed25519] = m.ed25519;
  meterSchemes[MeterScheme.P256] = m.p256;
  return {
    verifier: m.verifier,
    market: kind === MarketKind.Mmr ? m.mmr : kind === MarketKind.Auction ? m.auction : m.totals,
    coSignature: scheme === 'bls' ? m.bls : m.coSignature,
    meterSchemes,
    game: m.game,
  };
}

/** The market kinds and co-signature schemes a hub's standard module sets cover. */
const STANDARD_KINDS = [MarketKind.Totals, MarketKind.Mmr, MarketKind.Auction] as const;
const STANDARD_SCHEMES: readonly CoSignatureSchemeName[] = ['ecdsa', 'bls'];

/**
 * Every standard module set a hub's deployer registers once (`Hub.registerModules`: a community's `open`
 * then names a registered set and writes none of its slots): each market kind with each co-signature scheme.
 */
export function standardModuleSets(
  m: HubModules,
): { modules: ReturnType<typeof communityModules>; kind: MarketKind; label: string }[] {
  return STANDARD_KINDS.flatMap((kind) =>
    STANDARD_SCHEMES.map((scheme) => ({
      modules: communityModules(m, kind, scheme),
      kind,
      label: `register modules (${MarketKind[kind].toLowerCase()}, ${scheme})`,
    })),
  );
}

/**
 * `MarketParams` as the hub's ABI takes it: every field, `limitsHash` zero when absent (Totals, Mmr),
 * `tariffHash` zero when absent (flat prices).
 */
export function marketTuple(m: MarketParams): Required<MarketParams> {
  return { ...m, limitsHash: m.limitsHash ?? ZeroHash, tariffHash: m.tariffHash ?? ZeroHash };
}

/** The hub's constructor arguments: the allow-list, in MODULES order. */
export function hubConstructorArgs(m: HubModules): unknown[] {
  return [MODULES.map((x) => m[x.key])];
}

/** The Hub artifact linked against a deployed `Settlement` library (it keeps the hub under EIP-170). */
export function linkedHubArtifact(settlement: string, load: (name: string) => Artifact = loadArtifact): Artifact {
  return linkArtifact(load('Hub'), { Settlement: settlement });
}

/**
 * Deploys everything the hub needs before itself with `deploy` (artifact, args -> address): the
 * Settlement library and the modules. Returns their addresses.
 */
export async function deployHubDependencies(
  deploy: (artifact: Artifact, args: unknown[], label: string) => Promise<string>,
  load: (name: string) => Artifact = loadArtifact,
  game: GameParams = {},
): Promise<{ settlement: string; modules: HubModules }> {
  // Deployed by its bytecode only: nothing calls the library by ABI (the hub delegatecalls it), and
  // Solidity's library ABI names enums by their own name (`MarketKind` in `validateSchedule`), which
  // ethers' ABI parser reports as an invalid fragment on every deployment.
  const settlement = await deploy({ ...load('Settlement'), abi: [] }, [], 'deploy Settlement');
  const modules = {} as HubModules;
  for (const m of MODULES) {
    const args =
      m.key === 'game' ? [game.moveDeadline ?? GAME_MOVE_DEADLINE, game.bondBps ?? GAME_BOND_BPS] : [...m.args];
    modules[m.key] = await deploy(load(m.artifact), args, `deploy ${m.artifact}`);
  }
  return { settlement, modules };
}
