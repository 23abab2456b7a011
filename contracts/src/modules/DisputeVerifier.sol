// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDisputeVerifier} from "../interfaces/IDisputeVerifier.sol";
import {ILimitBook} from "../interfaces/ILimitBook.sol";
import {IMeterScheme} from "../interfaces/IMeterScheme.sol";
import {SignerBitmap} from "../libraries/SignerBitmap.sol";
import {LimitPrices} from "../types/Auction.sol";
import {Balance, Meter} from "../types/Community.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../types/Market.sol";
import {
    BalancesProof,
    DisputeContext,
    DisputeKind,
    DisputeOutcome,
    EnergyFault,
    EnergyProof,
    EntryOpening,
    EntryProof,
    EquivocationProof,
    FinalStateProof,
    ForgedReadingProof,
    IntervalProof,
    MeterLeafOpening,
    MeterRecordOpening,
    ReadingMismatchProof,
    SignedReading,
    SlotRule,
    StateEntryProof,
    StepProof,
    Verdict,
    VoidedSlotProof
} from "../types/Dispute.sol";
import {Balances} from "../libraries/Balances.sol";
import {EnergyVector} from "../libraries/EnergyVector.sol";
import {Market} from "../libraries/Market.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
import {MeterRegistry} from "../libraries/MeterRegistry.sol";
import {PackedLimits} from "../libraries/PackedLimits.sol";
import {PackedState} from "../libraries/PackedState.sol";
import {Reading, ReadingCodec} from "../libraries/ReadingCodec.sol";
import {EntryFault, StepEntries, StepEntry} from "../libraries/StepEntries.sol";
import {Tariff, TouTariff} from "../libraries/Tariff.sol";
import {WindowCommitment} from "../libraries/WindowCommitment.sol";

/// @title DisputeVerifier
/// @notice Checks the fraud proofs of DESIGN.md §5 (and the balances proof of §5.6) against the claim the
/// hub pushes (`DisputeContext`);
/// holds no state and never calls the hub. The hub applies the outcome.
/// @dev Rules common to every proof:
/// - Interval leaves are proven under the claim's windowRoot at their position (< W), with a proof
///   of any length: the claimant's tree is proven as it was built. Leaves are domain-separated and
///   length-prefixed (WindowCommitment), so a value is provable at one position and in one shape only.
/// - A proven interval leaf whose `interval` is not w·W + position is fraud by itself (an honest
///   claim never holds one), so each kind returns Fraud on it.
/// - Slashing policy (`slashCap`): whatever no honest node could sign (an invalid or misbound
///   committed reading, a wrong step, a wrong energy commitment, a wrong final state, wrong balances, a
///   malformed leaf) slashes the signers' whole
///   bond. An omission (an absent slot where a valid reading exists) or a kept reading in a slot voided
///   later is a good-faith error (reject, slash nobody: the signers may never have received the
///   reading, or the second reading), UNLESS the meter's owner signed the claim: the owner always has
///   its own meter's readings, so leaving one out, or choosing which of its own two equivocating
///   readings to keep, is its fault alone (`OwnerFault`: the owner's whole bond, nobody else's; for
///   the other signers the claim is a good-faith error, review R7). An equivocation slashes the meter
///   owner EQUIVOCATION_SLASH_BPS of the configured bond.
/// - A slot is opened through its meter leaf (`MeterLeafOpening`: slot leaf and running sums) under the
///   interval's readingsRoot by a path of exactly depth(M): the canonical readings tree's shape.
/// - A meter's registered record (owner, scheme, key) comes with the proof, opened under the community's
///   meterRoot by a path of exactly depth(M) (`MeterRecordOpening`), checked in one place (`_meter`).
/// - A reading is valid for slot (m, t) when it decodes (ReadingCodec: 70 bytes, domain, version), is
///   bound to this chain, hub, community, meter m and interval t, meter m's registered key is valid for its
///   scheme (`isValidKey`: `open` does not check it) and the signature verifies under it.
contract DisputeVerifier is IDisputeVerifier {
    /// @notice Slash for an equivocation, in basis points of the community's configured bond.
    uint256 public constant EQUIVOCATION_SLASH_BPS = 1_000;

    /// @inheritdoc IDisputeVerifier
    function verify(DisputeContext calldata ctx, DisputeKind kind, bytes calldata proof)
        external
        view
        returns (DisputeOutcome memory out)
    {
        if (kind == DisputeKind.Equivocation) {
            (uint32 meterIndex, uint32 interval, uint32 owner) =
                _equivocation(ctx, abi.decode(proof, (EquivocationProof)));
            out.verdict = Verdict.Fraud;
            out.offenders = SignerBitmap.single(ctx.participantCount, owner);
            out.slashCap = uint256(ctx.bond) * EQUIVOCATION_SLASH_BPS / 10_000;
            out.slot = _slotKey(meterIndex, interval);
            out.slotRule = SlotRule.Void;
            return out;
        }
        uint32 meterOwner;
        if (kind == DisputeKind.ReadingMismatch) {
            (out.verdict, out.slot, meterOwner) = _readingMismatch(ctx, abi.decode(proof, (ReadingMismatchProof)));
            // A malformed leaf needs no slot: it is fraud by itself.
            if (out.slot != type(uint256).max) out.slotRule = SlotRule.MustNotBeVoided;
        } else if (kind == DisputeKind.ForgedReading) {
            out.verdict = _forgedReading(ctx, abi.decode(proof, (ForgedReadingProof)));
        } else if (kind == DisputeKind.BadStep) {
            out.verdict = _badStep(ctx, abi.decode(proof, (StepProof)));
        } else if (kind == DisputeKind.BadFinalState) {
            out.verdict = _badFinalState(ctx, abi.decode(proof, (FinalStateProof)));
        } else if (kind == DisputeKind.BadBalances) {
            out.verdict = _badBalances(ctx, abi.decode(proof, (BalancesProof)));
        } else if (kind == DisputeKind.BadEnergy) {
            out.verdict = _badEnergy(ctx, abi.decode(proof, (EnergyProof)));
        } else if (kind == DisputeKind.BadEntry) {
            out.verdict = _badEntry(ctx, abi.decode(proof, (EntryProof)));
        } else if (kind == DisputeKind.StateEntry) {
            out.verdict = _stateEntry(ctx, abi.decode(proof, (StateEntryProof)));
        } else {
            (out.verdict, out.slot, meterOwner) = _voidedSlot(ctx, abi.decode(proof, (VoidedSlotProof)));
            // A malformed leaf needs no voided slot: it is fraud by itself.
            if (out.slot != type(uint256).max) out.slotRule = SlotRule.MustBeVoided;
        }
        if (out.verdict == Verdict.NoFraud) revert FraudNotProven(kind);
        if (out.verdict == Verdict.OwnerFault) {
            // Only an omission or a voided slot is an owner fault: `meterOwner` owns its meter (opened record).
            out.offenders = SignerBitmap.single(ctx.participantCount, meterOwner);
            out.slashCap = type(uint256).max;
            return out;
        }
        out.offenders = ctx.signers;
        out.slashCap = out.verdict == Verdict.Fraud ? type(uint256).max : 0;
    }

    // ------------------------------------------------------------------ the ten kinds

    /// @dev Two different encodings, both valid for one meter and one interval of ctx.window.
    function _equivocation(DisputeContext calldata ctx, EquivocationProof memory p)
        private
        view
        returns (uint32 meterIndex, uint32 interval, uint32 owner)
    {
        (bool ok, Reading memory a) = ReadingCodec.tryDecode(p.first.encoded);
        if (!ok) revert NotEquivocation();
        meterIndex = a.meterIndex;
        interval = a.interval;
        // A meter past the last is refused by `_meter` (`MeterOutOfRange`), its one check.
        if (ctx.window >= ctx.windowCount || interval / ctx.windowIntervals != ctx.window) revert NotEquivocation();
        if (keccak256(p.first.encoded) == keccak256(p.second.encoded)) revert NotEquivocation();
        Meter memory m = _meter(ctx, p.meter, meterIndex);
        if (!_validFor(ctx, m, meterIndex, interval, p.first) || !_validFor(ctx, m, meterIndex, interval, p.second)) {
            revert NotEquivocation();
        }
        owner = m.owner;
    }

    /// @dev The challenger's reading is valid for (m, t); the committed slot is absent (an omission:
    /// good faith unless the meter's owner signed, then the owner's fault) or holds something that is not a valid reading of
    /// (m, t) (fraud). Returns the slot, which the hub requires not voided.
    function _readingMismatch(DisputeContext calldata ctx, ReadingMismatchProof memory p)
        private
        view
        returns (Verdict, uint256 slot, uint32 owner)
    {
        if (!_provenLeaf(ctx, p.leaf)) return (Verdict.Fraud, type(uint256).max, 0);
        (bool ok, Reading memory r) = ReadingCodec.tryDecode(p.reading.encoded);
        if (!ok || r.meterIndex >= ctx.meterCount || r.interval != p.leaf.interval) {
            revert InvalidChallengerReading();
        }
        Meter memory m = _meter(ctx, p.meter, r.meterIndex);
        owner = m.owner;
        if (!_validFor(ctx, m, r.meterIndex, r.interval, p.reading)) revert InvalidChallengerReading();
        slot = _slotKey(r.meterIndex, r.interval);
        if (p.opening.meterIndex != r.meterIndex) revert InvalidSlotProof(r.meterIndex);
        bytes32 committedLeaf = _openSlot(ctx, p.leaf, p.committed, p.opening);
        if (committedLeaf == WindowCommitment.ABSENT_LEAF) return (_omission(ctx, m, r.meterIndex), slot, owner);
        if (_validFor(ctx, m, r.meterIndex, r.interval, p.committed)) {
            revert CommittedReadingValid(r.meterIndex, r.interval);
        }
        return (Verdict.Fraud, slot, owner);
    }

    /// @dev A committed slot holds a reading that is not valid for its meter and interval.
    function _forgedReading(DisputeContext calldata ctx, ForgedReadingProof memory p) private view returns (Verdict) {
        if (!_provenLeaf(ctx, p.leaf)) return Verdict.Fraud;
        uint32 meterIndex = p.opening.meterIndex;
        if (_openSlot(ctx, p.leaf, p.committed, p.opening) == WindowCommitment.ABSENT_LEAF) {
            revert SlotAbsent(meterIndex);
        }
        return _validFor(ctx, _meter(ctx, p.meter, meterIndex), meterIndex, p.leaf.interval, p.committed)
            ? Verdict.NoFraud
            : Verdict.Fraud;
    }

    /// @dev Recomputes F(S_{t-1}, E_t) from the committed energy vector with the community's market module
    /// (an auction's with the proof's limit prices, which the module checks against the limits hash in force
    /// for the window: its order book's, `ILimitBook.limitsHashAt`) and compares its hash with the committed
    /// stateHash_t. O(N), whatever M: whether E_t sums the readings is BadEnergy's question.
    function _badStep(DisputeContext calldata ctx, StepProof memory p) private view returns (Verdict) {
        if (!_provenLeaf(ctx, p.current)) return Verdict.Fraud;
        uint256 n = ctx.participantCount;
        // S_{t-1} packed (PackedState); S_{-1} is zeros.
        bytes memory prevState;
        if (p.current.position == 0) {
            prevState = new bytes(n * PackedState.STRIDE);
        } else {
            if (uint256(p.previous.position) + 1 != p.current.position) {
                revert PreviousNotAdjacent(p.previous.position, p.current.position);
            }
            if (!_provenLeaf(ctx, p.previous)) return Verdict.Fraud;
            // Bytes of no whole number of participants are no state at all. Every state the packing cannot
            // hold (a field out of its range) is never honest, and the step that first committed one is
            // provable from a packable predecessor (DESIGN.md §5): no proof is lost. The state hash is the
            // state tree's root over the bytes (§4).
            if (p.prevState.length % PackedState.STRIDE != 0) revert MalformedPrevState(p.prevState.length);
            if (PackedState.hashPacked(p.prevState) != p.previous.stateHash) revert PrevStateMismatch();
            // An honest S_{t-1} has one entry per participant: a committed one that does not is fraud.
            if (p.prevState.length != n * PackedState.STRIDE) return Verdict.Fraud;
            prevState = p.prevState;
        }
        if (EnergyVector.hash(p.energy) != p.current.energyHash) revert EnergyHashMismatch();
        // An honest E_t has one entry per participant: a committed one that does not is fraud.
        if (p.energy.length != n * EnergyVector.STRIDE) return Verdict.Fraud;
        // No try/catch: a caught out-of-gas would let a caller starve the call and "prove" fraud. A step
        // that reverts (a cumulative field overflows) follows a wrong S_{t-1}, or an E_t entry no honest sum
        // of readings reaches (below M·2^32 honestly): the bounds checked at open rule both out for honest
        // windows, and the step that produced S_{t-1} (BadStep), or E_t itself (BadEnergy), is the one to
        // dispute.
        MarketParams memory market = _marketAt(ctx, p.current.interval, p.tariff);
        if (market.kind == MarketKind.Auction) {
            // The limits in force for the window (the open's until an order's epoch): the hub checked at open
            // that an auction community's market module is an auction module, which keeps the order book.
            market.limitsHash = ILimitBook(address(ctx.marketStep))
                .limitsHashAt(ctx.hub, ctx.communityId, ctx.window, market.limitsHash);
        }
        // Packed in, the hash out (`IMarketStep.stepHash`); the auction module checks the packed limit prices
        // (PackedLimits) against that hash. A next state without an encoding (a net outside int128) is no
        // committed state's: fraud.
        (bool encodable, bytes32 nextHash) = ctx.marketStep.stepHash(market, prevState, p.energy, p.limits);
        return encodable && nextHash == p.current.stateHash ? Verdict.NoFraud : Verdict.Fraud;
    }

    /// @dev One participant's step judged alone (DESIGN.md §5.4, "One participant's step"): entry j of leaf t
    /// against S_{t−1}[j] (leaf t−1's entry j, zeros at t = 0), entry j−1 (zeros for j = 0) and entry N−1, with
    /// the market in force at the interval. O(log N) data and O(1) market work, whatever N and M.
    function _badEntry(DisputeContext calldata ctx, EntryProof memory p) private view returns (Verdict) {
        if (!_provenLeaf(ctx, p.current)) return Verdict.Fraud;
        uint32 n = ctx.participantCount;
        uint32 j = p.participant;
        if (j >= n) revert ParticipantOutOfRange(j, n);
        bytes32 root = p.current.entriesRoot;
        // Review (entries level): whether a leaf commits entries is the community's market kind, never the
        // claimant's choice (the game decides its path by `entriesRoot != 0`): a zero root in a Totals or Mmr
        // community (a leaf played as an auction's, or one whose successor's OpenEntry nobody can answer), or a
        // root in an auction community, is a leaf no honest node commits: fraud from the leaf alone.
        if (_entriesOffKind(ctx, root)) return Verdict.Fraud;
        _openEntry(root, n, j, p.entry);
        ParticipantState memory prev;
        if (p.current.position > 0) {
            if (uint256(p.previous.position) + 1 != p.current.position) {
                revert PreviousNotAdjacent(p.previous.position, p.current.position);
            }
            if (!_provenLeaf(ctx, p.previous)) return Verdict.Fraud;
            if (_entriesOffKind(ctx, p.previous.entriesRoot)) return Verdict.Fraud;
            _openEntry(p.previous.entriesRoot, n, j, p.previousEntry);
            prev = p.previousEntry.entry.state;
        }
        StepEntry memory before;
        if (j > 0) {
            _openEntry(root, n, j - 1, p.before);
            before = p.before.entry;
        }
        StepEntry memory last = p.entry.entry;
        if (j + 1 < n) {
            _openEntry(root, n, n - 1, p.last);
            last = p.last.entry;
        }
        // The community's market module judges (`IMarketStep.judgeEntry`). No try/catch, as for BadStep: the
        // judge reverts only where F does (a uint64 field past its range, which a wrong S_{t−1}[j] or E_t[j] alone
        // reaches: the step or the energy that produced it is the one to dispute), and an auction community has
        // no entries (`UnsupportedMarketKind`).
        MarketParams memory market = _marketAt(ctx, p.current.interval, p.tariff);
        return ctx.marketStep.judgeEntry(market, n, prev, before, p.entry.entry, last) == EntryFault.None
            ? Verdict.NoFraud
            : Verdict.Fraud;
    }

    /// @dev Whether a leaf's entries root is off the community's market kind: zero in a Totals or Mmr community,
    /// or set in an auction community (no honest node commits either).
    function _entriesOffKind(DisputeContext calldata ctx, bytes32 root) private pure returns (bool) {
        return (ctx.market.kind == MarketKind.Auction) != (root == bytes32(0));
    }

    /// @dev The state tree of leaf t holds at participant j another leaf than entry j's state (DESIGN.md §5.4):
    /// both opened at j by paths of exactly depth(N), compared by the state leaf's hash. O(log N) data.
    function _stateEntry(DisputeContext calldata ctx, StateEntryProof memory p) private pure returns (Verdict) {
        if (!_provenLeaf(ctx, p.leaf)) return Verdict.Fraud;
        uint32 n = ctx.participantCount;
        uint32 j = p.participant;
        if (j >= n) revert ParticipantOutOfRange(j, n);
        _openEntry(p.leaf.entriesRoot, n, j, p.entry);
        // The canonical tree's shape: no inner node of a claimant's tree passes for a participant's leaf.
        if (p.statePath.length != MerkleTree.depth(n)) revert InvalidStateProof(j);
        if (!MerkleTree.verify(p.leaf.stateHash, p.stateLeaf, j, p.statePath)) revert InvalidStateProof(j);
        return p.stateLeaf == PackedState.leaf(p.entry.entry.state) ? Verdict.NoFraud : Verdict.Fraud;
    }

    /// @dev A wrong energy commitment (DESIGN.md §5): a meter leaf whose running sum is not its base plus its
    /// slot's energy (Accumulation), or an E_t entry that is not the participant's last running sum, read from
    /// the packed E_t (Total) or from the participant's step entry (Entry).
    function _badEnergy(DisputeContext calldata ctx, EnergyProof memory p) private pure returns (Verdict) {
        if (!_provenLeaf(ctx, p.leaf)) return Verdict.Fraud;
        MeterLeafOpening memory cur = p.current;
        uint32 k = cur.meterIndex;
        uint256 meterCount = ctx.meterCount;
        if (p.fault == EnergyFault.Accumulation) {
            _openSlot(ctx, p.leaf, p.slot, cur);
            (bool ok, uint64 e, uint64 i) = WindowCommitment.slotEnergy(p.slot);
            // A committed slot that is not a reading at all: an honest claim never holds one.
            if (!ok) return Verdict.Fraud;
            uint256 baseE;
            uint256 baseI;
            if (k > 0 && _meter(ctx, p.previousMeter, k - 1).owner == _meter(ctx, p.meter, k).owner) {
                MeterLeafOpening memory before = p.previous;
                if (before.meterIndex != k - 1) revert InvalidSlotProof(k - 1);
                _openMeter(ctx, p.leaf.readingsRoot, before);
                (baseE, baseI) = (before.accExportWh, before.accImportWh);
            }
            return uint256(cur.accExportWh) == baseE + e && uint256(cur.accImportWh) == baseI + i
                ? Verdict.NoFraud
                : Verdict.Fraud;
        }
        uint256 n = ctx.participantCount;
        uint32 j = p.participant;
        if (j >= n) revert ParticipantOutOfRange(j, ctx.participantCount);
        uint64 exportWh;
        uint64 importWh;
        if (p.fault == EnergyFault.Entry) {
            // E_t[j] as entry j of the step entries holds it.
            _openEntry(p.leaf.entriesRoot, n, j, p.entry);
            (exportWh, importWh) = (p.entry.entry.exportWh, p.entry.entry.importWh);
        } else {
            if (EnergyVector.hash(p.energy) != p.leaf.energyHash) revert EnergyHashMismatch();
            // An honest E_t has one entry per participant: a committed one that does not is fraud.
            if (p.energy.length != n * EnergyVector.STRIDE) return Verdict.Fraud;
            (exportWh, importWh) = EnergyVector.at(p.energy, j);
        }
        if (k > meterCount) revert NotParticipantBoundary(j, k);
        uint256 owner = k < meterCount ? _meter(ctx, p.meter, k).owner : type(uint256).max;
        if (owner == j) {
            // j's last meter: the next one (if any) belongs to a later participant.
            if (k + 1 < meterCount && _meter(ctx, p.nextMeter, k + 1).owner == j) {
                revert NotParticipantBoundary(j, k);
            }
            _openMeter(ctx, p.leaf.readingsRoot, cur);
            return exportWh == cur.accExportWh && importWh == cur.accImportWh ? Verdict.NoFraud : Verdict.Fraud;
        }
        // No meter of j: meter k (if any) belongs to a later participant and meter k−1 (if any) to an earlier one.
        if (owner < j || (k > 0 && _meter(ctx, p.previousMeter, k - 1).owner >= j)) {
            revert NotParticipantBoundary(j, k);
        }
        return exportWh == 0 && importWh == 0 ? Verdict.NoFraud : Verdict.Fraud;
    }

    /// @dev The market parameters in force for `interval` (proven well formed, so < windowCount·W): the
    /// community's, with a time-of-use tariff's prices of the interval's local hour (`Tariff.paramsAt`) once
    /// `tariff` is shown to be the committed one. A flat community ignores `tariff`.
    function _marketAt(DisputeContext calldata ctx, uint32 interval, bytes memory tariff)
        private
        pure
        returns (MarketParams memory)
    {
        bytes32 committed = ctx.market.tariffHash;
        if (committed == bytes32(0)) return ctx.market;
        bytes32 actual = keccak256(tariff);
        if (actual != committed) revert TariffHashMismatch(committed, actual);
        // start + interval·intervalSeconds < 2^64: the hub bounds the schedule at open.
        uint256 startSeconds = uint256(ctx.start) + uint256(interval) * ctx.intervalSeconds;
        return Tariff.paramsAt(ctx.market, abi.decode(tariff, (TouTariff)), startSeconds);
    }

    /// @dev The last leaf's stateHash is not the posted S_W's.
    function _badFinalState(DisputeContext calldata ctx, FinalStateProof memory p) private pure returns (Verdict) {
        if (p.last.position + 1 != ctx.windowIntervals) revert NotLastPosition(p.last.position);
        if (!_provenLeaf(ctx, p.last)) return Verdict.Fraud;
        return p.last.stateHash == ctx.stateHash ? Verdict.NoFraud : Verdict.Fraud;
    }

    /// @dev The claim's balances root is not the reaction (`Balances.react`, the one home of the rule) of
    /// its final state S_W applied to the balances it starts from. Fraud too when S_W is malformed for
    /// the hub (not one entry per participant, a net of −2^127, Σ net ≠ 0): `update` no longer checks
    /// the state, so a claim of such a state is wrong whatever its balances root says.
    function _badBalances(DisputeContext calldata ctx, BalancesProof memory p) private pure returns (Verdict) {
        uint256 n = ctx.participantCount;
        if (p.previous.length != n || Balances.root(p.previous, p.previousTotalClaims) != ctx.previousBalancesRoot) {
            revert BalancesProofMismatch();
        }
        if (p.finalState.length % PackedState.STRIDE != 0) revert StateProofMismatch();
        (int256[] memory nets, bytes32 stateHash, bool minNet, int256 sum) = PackedState.inspect(p.finalState);
        if (stateHash != ctx.stateHash) revert StateProofMismatch();
        if (nets.length != n || minNet || sum != 0) return Verdict.Fraud;
        (Balance[] memory next, uint256 claimsAdded) = Balances.react(p.previous, nets);
        return
            Balances.root(next, p.previousTotalClaims + claimsAdded) == ctx.balancesRoot
                ? Verdict.NoFraud
                : Verdict.Fraud;
    }

    /// @dev A committed slot holds a reading although the hub voided the slot (checked by the hub on the
    /// returned slot): honest nodes fold it as absent. The owner's fault when the meter's owner signed
    /// the claim, a good-faith error otherwise.
    function _voidedSlot(DisputeContext calldata ctx, VoidedSlotProof memory p)
        private
        pure
        returns (Verdict, uint256 slot, uint32 owner)
    {
        if (!_provenLeaf(ctx, p.leaf)) return (Verdict.Fraud, type(uint256).max, 0);
        uint32 meterIndex = p.opening.meterIndex;
        if (_openSlot(ctx, p.leaf, p.committed, p.opening) == WindowCommitment.ABSENT_LEAF) {
            revert SlotAbsent(meterIndex);
        }
        Meter memory m = _meter(ctx, p.meter, meterIndex);
        return (_ownerSigned(ctx, m), _slotKey(meterIndex, p.leaf.interval), m.owner);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev An omission of meter `meterIndex`'s reading: the owner's fault when it signed (`_ownerSigned`).
    /// Otherwise a good-faith error, which only a participant other than the meter's owner may raise
    /// (DESIGN.md §5.5): a reading counts as served to the community only once another participant
    /// holds it, so an owner withholding its own readings cannot reject honest claims with them.
    function _omission(DisputeContext calldata ctx, Meter memory m, uint32 meterIndex) private pure returns (Verdict) {
        Verdict v = _ownerSigned(ctx, m);
        if (v == Verdict.GoodFaithError && (ctx.disputer == 0 || ctx.disputer - 1 == m.owner)) {
            revert UnservedOmission(meterIndex);
        }
        return v;
    }

    /// @dev The owner's fault when the meter's owner signed the claim (it holds its own meter's
    /// readings), a good-faith error otherwise.
    function _ownerSigned(DisputeContext calldata ctx, Meter memory m) private pure returns (Verdict) {
        return SignerBitmap.containsIn(ctx.signers, m.owner) ? Verdict.OwnerFault : Verdict.GoodFaithError;
    }

    /// @dev Reverts unless `opening` is a meter leaf under `leaf.readingsRoot` (`_openMeter`) whose slot is
    /// `committed` (`SlotLeafMismatch`); returns that slot leaf.
    function _openSlot(
        DisputeContext calldata ctx,
        IntervalProof memory leaf,
        SignedReading memory committed,
        MeterLeafOpening memory opening
    ) private pure returns (bytes32 committedLeaf) {
        committedLeaf = WindowCommitment.slotLeaf(committed.encoded, committed.signature);
        if (committedLeaf != opening.slotLeaf) revert SlotLeafMismatch(opening.meterIndex);
        _openMeter(ctx, leaf.readingsRoot, opening);
    }

    /// @dev Reverts unless `opening` names a registered meter (`MeterOutOfRange`) and its meter leaf sits at
    /// that index under `readingsRoot` by a path of exactly depth(M) siblings (`InvalidSlotProof`): the
    /// canonical tree's shape, so no inner node of a claimant's tree passes for a meter leaf.
    function _openMeter(DisputeContext calldata ctx, bytes32 readingsRoot, MeterLeafOpening memory opening)
        private
        pure
    {
        uint32 k = opening.meterIndex;
        if (k >= ctx.meterCount) revert MeterOutOfRange(k, ctx.meterCount);
        bytes32 leaf = WindowCommitment.meterLeaf(opening.slotLeaf, opening.accExportWh, opening.accImportWh);
        if (
            opening.path.length != MerkleTree.depth(ctx.meterCount)
                || !MerkleTree.verify(readingsRoot, leaf, k, opening.path)
        ) revert InvalidSlotProof(k);
    }

    /// @dev Reverts `InvalidEntryProof(index)` unless `o` is entry `index` under `root` by a path of exactly
    /// depth(N) siblings: the canonical entries tree's shape, so no inner node of a claimant's tree passes for
    /// an entry. A net outside int128 reverts `NetOutOfRange` in `StepEntries.leaf` (no leaf holds it); a net of
    /// −2^127 opens (a claimant may commit it) and is judged like any other state.
    function _openEntry(bytes32 root, uint256 n, uint32 index, EntryOpening memory o) private pure {
        if (!StepEntries.opens(root, n, index, o.entry, o.path)) revert InvalidEntryProof(index);
    }

    function _slotKey(uint32 meterIndex, uint32 interval) private pure returns (uint256) {
        return (uint256(interval) << 32) | meterIndex;
    }

    /// @dev Reverts unless `p` is under the claim's windowRoot at its position; returns whether the
    /// leaf is well formed: interval = w·W + position, proven by a path of the tree's depth. A leaf
    /// proven at another height is malformed, fraud by itself (review P2): in an honest tree interval
    /// leaves (WindowCommitment's domain byte) sit at depth(W) only, so only a claimant's own tree,
    /// built to hide a leaf where an inner node belongs, has one.
    function _provenLeaf(DisputeContext calldata ctx, IntervalProof memory p) private pure returns (bool wellFormed) {
        if (p.position >= ctx.windowIntervals) revert PositionOutOfRange(p.position, ctx.windowIntervals);
        bytes32 leaf =
            WindowCommitment.intervalLeaf(p.interval, p.readingsRoot, p.energyHash, p.stateHash, p.entriesRoot);
        if (!MerkleTree.verify(ctx.windowRoot, leaf, p.position, p.proof)) revert InvalidIntervalProof(p.position);
        // w·W + position < windowCount·W < 2^32 (checked at open).
        return uint256(p.interval) == uint256(ctx.window) * ctx.windowIntervals + p.position
            && p.proof.length == MerkleTree.depth(ctx.windowIntervals);
    }

    /// @dev Meter `index`'s registered record, from `r` opened under the community's meterRoot: the one
    /// check of a meter record. Reverts `MeterOutOfRange` past the last meter, `MeterRecordIndexMismatch`
    /// when `r` names another meter, `InvalidMeterRecord` when the record or its path (exactly depth(M)
    /// siblings) does not reach the root.
    function _meter(DisputeContext calldata ctx, MeterRecordOpening memory r, uint32 index)
        private
        pure
        returns (Meter memory m)
    {
        uint256 meterCount = ctx.meterCount;
        if (index >= meterCount) revert MeterOutOfRange(index, meterCount);
        if (r.index != index) revert MeterRecordIndexMismatch(index, r.index);
        bytes32 leaf = MeterRegistry.leaf(index, r.owner, r.scheme, keccak256(r.publicKey));
        if (r.path.length != MerkleTree.depth(meterCount) || !MerkleTree.verify(ctx.meterRoot, leaf, index, r.path)) {
            revert InvalidMeterRecord(index);
        }
        m.publicKey = r.publicKey;
        m.scheme = r.scheme;
        m.owner = r.owner;
    }

    /// @dev Whether `s` is a valid reading of meter `meterIndex` (registered as `m`) for `interval`. A key the
    /// scheme does not accept (`isValidKey`: a small-order Ed25519 key, a P-256 point off the curve; `open`
    /// does not check keys) makes no reading valid: an equivocation or a challenger's reading of its meter is
    /// refused, and a committed reading of it is forged (an honest node never commits one).
    function _validFor(
        DisputeContext calldata ctx,
        Meter memory m,
        uint32 meterIndex,
        uint32 interval,
        SignedReading memory s
    ) private view returns (bool) {
        (bool ok, Reading memory r) = ReadingCodec.tryDecode(s.encoded);
        if (
            !ok || r.chainId != block.chainid || r.hub != ctx.hub || r.communityId != ctx.communityId
                || r.meterIndex != meterIndex || r.interval != interval
        ) {
            return false;
        }
        IMeterScheme scheme = ctx.meterSchemes[m.scheme];
        return scheme.isValidKey(m.publicKey) && scheme.verify(m.publicKey, s.encoded, s.signature);
    }
}
