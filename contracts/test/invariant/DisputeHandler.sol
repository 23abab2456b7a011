// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PackedState} from "../../src/libraries/PackedState.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityModules, CommunityStatus, Meter, WindowRecord, WindowStatus} from "../../src/types/Community.sol";
import {
    DisputeKind,
    EntryOpening,
    EntryProof,
    EquivocationProof,
    FinalStateProof,
    ForgedReadingProof,
    MeterRecordOpening,
    IntervalProof,
    MeterLeafOpening,
    ReadingMismatchProof,
    StateEntryProof,
    SignedReading,
    StepProof
} from "../../src/types/Dispute.sol";
import {Market} from "../../src/libraries/Market.sol";
import {StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {ConfigBuilder, Schedule} from "../utils/ConfigBuilder.sol";
import {BalanceBook} from "../utils/BalanceBook.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {MeterRecords} from "../utils/MeterRecords.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Drives a hub through communities of 4 participants with 4 P-256 meters (forge signs their
/// readings), real window commitments, honest and fraudulent claims (wrong final state, forged
/// reading, omitted reading, wrong step: proven by BadStep or by BadEntry; a posted state off its entries: by
/// StateEntry or BadStep), fully signed results over pending claims, commit–reveal
/// disputes with valid and invalid proofs from outsiders and participants, equivocations, slashing,
/// finalization, deposits, withdrawals and closes. Calls that must revert are made with try/catch and
/// counted when they do not.
contract DisputeHandler is HandlerBase {
    uint256 internal constant N = 4;
    uint256 public constant M = 4;
    uint32 internal constant INTERVAL = 900;
    uint32 internal constant W = 4;
    uint32 internal constant WINDOWS = 3;
    uint32 internal constant CHALLENGE = 4 hours;
    uint128 internal constant BOND = 1_000_000;
    uint128 internal constant ESCROW = 1_000_000_000;
    uint256 internal constant ALL = 2 ** N - 1;

    /// Claim kinds the handler posts.
    uint8 internal constant HONEST = 1;
    uint8 internal constant WRONG_FINAL = 2;
    uint8 internal constant FORGED = 3;
    uint8 internal constant OMITTED = 4;
    uint8 internal constant BAD_STEP = 5;
    /// The last leaf's state tree (and the posted S_W) pays participant 0 5 tokens of participant 1's while every
    /// step entry is F's: BadFinalState and BadEntry prove nothing, StateEntry (or BadStep) does.
    uint8 internal constant STATE_OFF = 6;

    Hub public immutable hub;
    CommunityToken public immutable token;
    CommunityModules internal modules;
    uint256[] internal nodeKeys;
    uint256[] internal meterSecrets;
    address[] public actors;
    /// Who may dispute: two outsiders and every participant.
    address[] public challengers;
    uint64[] public ids;

    /// Slots voided on chain, per community and window: bit t·M + m.
    mapping(uint64 => mapping(uint32 => uint256)) internal voidedMask;
    /// The void mask each window's claims were built with (fixed at the window's first claim).
    mapping(uint64 => mapping(uint32 => uint256)) internal claimMask;
    mapping(uint64 => mapping(uint32 => bool)) internal claimMaskSet;
    /// claimHash → kind (0 = unknown), per community.
    mapping(uint64 => mapping(bytes32 => uint8)) public claimKind;
    /// Every honest claim posted: (community, claimHash).
    uint64[] public honestIds;
    bytes32[] public honestClaims;
    /// Every fully signed result accepted: (community, window, claimHash).
    uint64[] public fullIds;
    uint32[] public fullWindows;
    bytes32[] public fullClaims;
    /// The balances root of each fully signed result (the one root the hub stores of it).
    bytes32[] public fullBalancesRoots;

    uint256 public ghostInvalidAccepted;
    uint256 public ghostDisputes;
    uint256 public ghostInvalidRejected;
    uint256 public ghostEquivocations;
    /// Σ fines imposed on equivocating meter owners (what their bond and positive credit could not pay):
    /// money the hub keeps, so the hub holds it on top of what it owes (a fine is the negative part of
    /// `Member.credit`; money the member receives later pays it first).
    uint256 public ghostFines;
    uint256 public ghostReplacements;
    uint256 public ghostFrauds;
    uint256 public ghostCloses;
    uint256 public ghostTopUps;

    /// @dev One window's data as a claimant commits it.
    struct Commit {
        /// w·W: interval numbers are absolute.
        uint32 first;
        bytes[][] enc;
        bytes[][] sig;
        bytes32[][] slotLeaves;
        /// Meter leaves (meter m → owner m: a running sum is its slot's energy) and E_t packed.
        bytes32[][] meterLeaves;
        bytes[] energies;
        bytes32[] readingsRoots;
        ParticipantState[][] states;
        /// Each step's entries as the node commits them (`StepEntries` over the claimed S_{t−1} and E_t, each
        /// entry's state the claimed S_t[j]): what the interval leaf's entriesRoot commits to.
        StepEntry[][] entries;
        bytes32[] leaves;
        bytes32 root;
    }

    constructor(Hub hub_, CommunityToken token_, CommunityModules memory modules_, BalanceBook book_) {
        book = book_;
        hub = hub_;
        token = token_;
        modules = modules_;
        for (uint256 i = 0; i < N; ++i) {
            nodeKeys.push(uint256(keccak256(abi.encode("dispute-actor", i))));
            actors.push(vm.addr(nodeKeys[i]));
            meterSecrets.push(uint256(keccak256(abi.encode("dispute-meter", i))) % 2 ** 200 + 1);
        }
        challengers.push(makeAddr("outsider-1"));
        challengers.push(makeAddr("outsider-2"));
        for (uint256 i = 0; i < N; ++i) {
            challengers.push(actors[i]);
        }
    }

    /// @dev Opens the first community (once; the test calls it after funding the actors).
    function init() external {
        if (ids.length == 0) _openNew();
    }

    function actorCount() external pure returns (uint256) {
        return N;
    }

    function challengerCount() external view returns (uint256) {
        return challengers.length;
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function honestCount() external view returns (uint256) {
        return honestClaims.length;
    }

    function fullCount() external view returns (uint256) {
        return fullClaims.length;
    }

    function current() public view returns (uint64) {
        return ids[ids.length - 1];
    }

    // ------------------------------------------------------------------ actions

    /// Posts a claim for the next window: honest (all or some signers) or one of five frauds (some
    /// signers); over a pending claim, only a fully signed honest result.
    function claim(uint256 kindSeed, uint256 signerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        if (w >= WINDOWS) return;
        uint256 end = uint256(hub.community(id).start) + (uint256(w) + 1) * W * INTERVAL;
        if (block.timestamp < end) vm.warp(end);
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status == WindowStatus.Pending && block.timestamp >= uint256(rec.submittedAt) + CHALLENGE) return;
        bool pending = rec.status == WindowStatus.Pending;
        if (!claimMaskSet[id][w]) {
            claimMask[id][w] = voidedMask[id][w];
            claimMaskSet[id][w] = true;
        }
        uint8 kind = pending ? HONEST : uint8(1 + kindSeed % 6);
        // A forgery or omission needs a reading to tamper with: with every slot of its interval voided
        // or never sent, the "fraud" is the honest claim itself, and is recorded as honest.
        if ((kind == FORGED && !_anyPresent(id, w, 1)) || (kind == OMITTED && !_anyPresent(id, w, 2))) kind = HONEST;
        uint256 mask = (pending || (kind == HONEST && signerSeed % 2 == 0)) ? ALL : bound(signerSeed >> 1, 1, ALL - 1);
        _post(id, w, kind, mask, pending);
    }

    function _post(uint64 id, uint32 w, uint8 kind, uint256 mask, bool pending) internal {
        // Only signers whose bond is whole count for a partial claim (review R6): a signer slashed before
        // (or charged for an equivocation) tops its bond up first.
        if (mask != ALL) _topUp(id, mask & ~_wholeBonds(id));
        (Commit memory c, ParticipantState[] memory posted) = _build(id, w, kind);
        bytes32 bRoot = _balancesRoot(id, w, posted);
        bytes32 h = hub.claimHash(w, c.root, StateHash.hash(posted), bRoot);
        bytes memory sigs = _sign(id, w, c.root, posted, bRoot, mask);
        // Its lowest signer posts it (and pays a partial claim's deposit, review R9).
        address submitter = actors[_lowestBit(mask)];
        if (hub.rejectedClaim(id, h).deadline != 0) {
            // A rejected claim comes back: the hub must refuse it.
            vm.prank(submitter);
            try hub.update(
                id, w, c.root, StateHash.hash(posted), bRoot, ConfigBuilder.finalStateOf(posted, sigs), sigs
            ) {
                ++ghostInvalidAccepted;
            } catch {
                ++ghostInvalidRejected;
            }
            return;
        }
        vm.prank(submitter);
        hub.update(id, w, c.root, StateHash.hash(posted), bRoot, ConfigBuilder.finalStateOf(posted, sigs), sigs);
        claimKind[id][h] = kind;
        if (kind == HONEST) {
            honestIds.push(id);
            honestClaims.push(h);
        } else {
            ++ghostFrauds;
        }
        if (mask == ALL) {
            fullIds.push(id);
            fullWindows.push(w);
            fullClaims.push(h);
            fullBalancesRoots.push(bRoot);
            if (pending) ++ghostReplacements;
        }
    }

    /// A valid proof against the pending claim, if it is a fraud: commit, a block, reveal.
    function disputeValid(uint256 challengerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status != WindowStatus.Pending || block.timestamp >= uint256(rec.submittedAt) + CHALLENGE) return;
        uint8 kind = claimKind[id][hub.claimHash(w, rec.windowRoot, rec.stateHash, rec.balancesRoot)];
        if (kind == HONEST || kind == 0) return;
        (Commit memory c,) = _build(id, w, kind);
        (DisputeKind dk, bytes memory proof) = _proofFor(id, w, kind, c, challengerSeed);
        address who = challengers[challengerSeed % challengers.length];
        if (kind == OMITTED) {
            // A good-faith omission (the owner did not sign) is raised by a participant other than the
            // meter's owner (DESIGN.md §5.5); meter m belongs to participant m.
            (Commit memory honest,) = _build(id, w, HONEST);
            (uint256 m,) = _presentMeter(honest, 2);
            if (rec.signers & (uint256(1) << m) == 0) who = actors[(m + 1 + challengerSeed % (N - 1)) % N];
        }
        _commit(who, id, w, dk, proof);
        vm.prank(who);
        hub.dispute(id, w, rec.windowRoot, rec.stateHash, rec.balancesRoot, dk, proof);
        ++ghostDisputes;
    }

    /// Proofs that prove nothing against the pending claim (honest or not), or are not committed, or
    /// are revealed in the commitment's block: each must revert.
    function disputeInvalid(uint256 seed, uint256 challengerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status != WindowStatus.Pending || block.timestamp >= uint256(rec.submittedAt) + CHALLENGE) return;
        uint8 kind = claimKind[id][hub.claimHash(w, rec.windowRoot, rec.stateHash, rec.balancesRoot)];
        if (kind == 0) return;
        (Commit memory c,) = _build(id, w, kind);
        address who = challengers[challengerSeed % challengers.length];
        DisputeKind dk;
        bytes memory proof;
        uint256 mode = seed % 4;
        if (mode == 0 && kind != WRONG_FINAL) {
            // The last leaf commits to the posted state.
            (dk, proof) = (DisputeKind.BadFinalState, abi.encode(FinalStateProof(_intervalProof(c, W - 1))));
        } else if (mode == 1) {
            // Interval 0 is honest in every claim: no forged reading and no wrong step there.
            (uint256 m, bool found) = _presentMeter(c, 0);
            if (!found) return;
            (dk, proof) =
            (
                DisputeKind.ForgedReading,
                abi.encode(ForgedReadingProof(_intervalProof(c, 0), _committed(c, m, 0), _opening(c, m, 0), _record(m)))
            );
        } else if (mode == 2) {
            // Step 0 is F's in every claim: BadStep, or BadEntry at any participant, proves nothing.
            (dk, proof) = _stepZeroProof(c, seed);
        } else {
            // A valid proof, revealed in its commitment's block (or a copy-cat's, never committed).
            if (kind == HONEST) return;
            (dk, proof) = _proofFor(id, w, kind, c, seed);
            bytes32 commitment = keccak256(abi.encode(who, id, w, dk, keccak256(proof)));
            // A commitment this challenger left in an earlier block (an earlier same-block reveal was
            // refused and kept it) makes this reveal a legitimate dispute, not a copy-cat: skip it.
            uint256 committedAt = hub.disputeCommitments(commitment);
            if (committedAt != 0 && committedAt < block.number) return;
            if (seed % 8 < 4) {
                vm.prank(who);
                hub.commitDispute(commitment);
            }
            _tryDispute(who, id, w, rec, dk, proof);
            return;
        }
        _commit(who, id, w, dk, proof);
        _tryDispute(who, id, w, rec, dk, proof);
    }

    /// Meter m signs a second reading for a slot of a window nobody claimed yet; anyone proves it.
    function equivocate(uint256 seed, uint256 challengerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        if (claimMaskSet[id][w]) ++w;
        if (w >= WINDOWS || claimMaskSet[id][w]) return;
        uint256 m = seed % M;
        uint256 t = (seed >> 8) % W;
        bytes memory proof = _equivocationProof(id, w, t, m, 1 + (seed >> 16) % 50);
        address who = challengers[challengerSeed % challengers.length];
        _commit(who, id, w, DisputeKind.Equivocation, proof);
        bool voided = hub.isVoided(id, uint32(m), uint32(uint256(w) * W + t));
        // Meter m belongs to participant m: the offender, who receives no share of its own slash.
        (,,,, uint256 fineBefore) = hub.member(id, m);
        vm.prank(who);
        try hub.dispute(id, w, 0, 0, 0, DisputeKind.Equivocation, proof) {
            (,,,, uint256 fineAfter) = hub.member(id, m);
            ghostFines += fineAfter - fineBefore;
            if (voided) ++ghostInvalidAccepted;
            voidedMask[id][w] |= uint256(1) << (t * M + m);
            ++ghostEquivocations;
        } catch {
            if (!voided) ++ghostInvalidAccepted; // a fresh equivocation must be accepted
            else ++ghostInvalidRejected;
        }
    }

    function _equivocationProof(uint64 id, uint32 w, uint256 t, uint256 m, uint256 variant)
        internal
        view
        returns (bytes memory)
    {
        (bytes memory a, bytes memory sa) = _reading(id, w, t, m, 0);
        (bytes memory b, bytes memory sb) = _reading(id, w, t, m, variant);
        return abi.encode(EquivocationProof(SignedReading(a, sa), SignedReading(b, sb), _record(m)));
    }

    /// A participant whose bond was slashed (or spent on an equivocation) tops it up (review R6).
    function topUpBond(uint256 seed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (seed % N + k) % N;
            if (_bondOf(hub, id, i) == BOND) continue;
            vm.prank(actors[i]);
            hub.topUpBond(id);
            ++ghostTopUps;
            return;
        }
    }

    function _topUp(uint64 id, uint256 short) internal {
        for (uint256 i = 0; i < N; ++i) {
            if (short & (uint256(1) << i) == 0) continue;
            vm.prank(actors[i]);
            hub.topUpBond(id);
            ++ghostTopUps;
        }
    }

    function _wholeBonds(uint64 id) internal view returns (uint256 mask) {
        for (uint256 i = 0; i < N; ++i) {
            if (_bondOf(hub, id, i) == BOND) mask |= uint256(1) << i;
        }
    }

    function _lowestBit(uint256 mask) internal pure returns (uint256 i) {
        while (mask & (uint256(1) << i) == 0) {
            ++i;
        }
    }

    function finalize() external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status != WindowStatus.Pending || block.timestamp < uint256(rec.submittedAt) + CHALLENGE) return;
        hub.finalize(id);
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 30 minutes));
        vm.roll(block.number + 1);
    }

    function deposit(uint256 seed, uint256 amount) external {
        uint64 id = current();
        if (hub.community(id).status == CommunityStatus.Closed) return;
        amount = bound(amount, 1, 5_000);
        vm.prank(actors[seed % N]);
        hub.deposit(id, amount);
    }

    function withdraw(uint256 seed) external {
        address a = challengers[seed % challengers.length];
        if (hub.withdrawable(token, a) == 0) return;
        vm.prank(a);
        hub.withdraw(token);
    }

    function close(uint256 seed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 fw = hub.community(id).finalizedWindows;
        if (fw < WINDOWS - 1) return;
        if (fw == WINDOWS - 1) {
            WindowRecord memory rec = hub.windowRecord(id, fw);
            if (rec.status != WindowStatus.Pending) return;
            uint256 due = uint256(rec.submittedAt) + CHALLENGE;
            if (block.timestamp < due) vm.warp(due);
        }
        _closeWaiting(id, actors[seed % N]);
        ++ghostCloses;
        _openNew();
    }

    // ------------------------------------------------------------------ claims and proofs

    /// @dev The claim of `kind` for window w: its commitment and the final state it posts.
    function _build(uint64 id, uint32 w, uint8 kind)
        internal
        view
        returns (Commit memory c, ParticipantState[] memory)
    {
        uint256 mask = claimMask[id][w];
        c.first = w * W;
        c.enc = new bytes[][](W);
        c.sig = new bytes[][](W);
        for (uint256 t = 0; t < W; ++t) {
            c.enc[t] = new bytes[](M);
            c.sig[t] = new bytes[](M);
            for (uint256 m = 0; m < M; ++m) {
                // Honest nodes fold voided slots (and the few the meters never sent) as absent.
                if (!_present(id, w, t, m, mask)) continue;
                (c.enc[t][m], c.sig[t][m]) = _reading(id, w, t, m, 0);
            }
        }
        if (kind == FORGED) {
            (uint256 m, bool found) = _presentMeter(c, 1);
            if (found) c.enc[1][m] = _encode(id, w, 1, m, 9_999, 0);
        } else if (kind == OMITTED) {
            (uint256 m, bool found) = _presentMeter(c, 2);
            if (found) (c.enc[2][m], c.sig[2][m]) = (bytes(""), bytes(""));
        }
        _fold(c);
        if (kind == BAD_STEP) {
            c.states[1][0].net += 11;
            c.states[1][1].net -= 11;
            _foldFrom(c, 2);
        }
        _commitTree(c);
        if (kind == STATE_OFF) {
            // A copy: the entries keep F's S_{W−1} (they hold the states by reference).
            c.states[W - 1] = abi.decode(abi.encode(c.states[W - 1]), (ParticipantState[]));
            c.states[W - 1][0].net += 5;
            c.states[W - 1][1].net -= 5;
            c.leaves[W - 1] = _intervalLeaf(c, W - 1);
            c.root = MerkleTree.root(c.leaves);
        }
        ParticipantState[] memory posted = abi.decode(abi.encode(c.states[W - 1]), (ParticipantState[]));
        if (kind == WRONG_FINAL) {
            posted[0].net += 7;
            posted[1].net -= 7;
        }
        return (c, posted);
    }

    /// @dev The valid proof of a fraud of `kind`; a bad step by BadStep ((`seed` >> 8) % 3 = 0) or by BadEntry
    /// at participant 0 or 1 (1, 2).
    function _proofFor(uint64 id, uint32 w, uint8 kind, Commit memory c, uint256 seed)
        internal
        view
        returns (DisputeKind, bytes memory)
    {
        if (kind == WRONG_FINAL) {
            return (DisputeKind.BadFinalState, abi.encode(FinalStateProof(_intervalProof(c, W - 1))));
        }
        if (kind == STATE_OFF) {
            // StateEntry at participant 0 or 1, or BadStep at W−1 (the flat S_{W−1} is not F's either).
            uint256 v = (seed >> 8) % 3;
            if (v == 2) return (DisputeKind.BadStep, abi.encode(_stepProof(c, W - 1)));
            return (DisputeKind.StateEntry, abi.encode(_stateEntryProof(c, W - 1, uint32(v))));
        }
        if (kind == BAD_STEP) {
            // Step 1 moves 11 tokens from participant 1 to participant 0: BadStep over all of S_0 and E_1, or
            // BadEntry at either participant.
            uint256 variant = (seed >> 8) % 3;
            if (variant == 0) return (DisputeKind.BadStep, abi.encode(_stepProof(c, 1)));
            return (DisputeKind.BadEntry, abi.encode(_entryProof(c, 1, uint32(variant - 1))));
        }
        uint256 t = kind == FORGED ? 1 : 2;
        (Commit memory honest,) = _build(id, w, HONEST);
        (uint256 m,) = _presentMeter(honest, t);
        if (kind == FORGED) {
            return (
                DisputeKind.ForgedReading,
                abi.encode(ForgedReadingProof(_intervalProof(c, t), _committed(c, m, t), _opening(c, m, t), _record(m)))
            );
        }
        return (
            DisputeKind.ReadingMismatch,
            abi.encode(
                ReadingMismatchProof(
                    SignedReading(honest.enc[t][m], honest.sig[t][m]),
                    _intervalProof(c, t),
                    _committed(c, m, t),
                    _opening(c, m, t),
                    _record(m)
                )
            )
        );
    }

    function _tryDispute(address who, uint64 id, uint32 w, WindowRecord memory rec, DisputeKind dk, bytes memory proof)
        internal
    {
        vm.prank(who);
        try hub.dispute(id, w, rec.windowRoot, rec.stateHash, rec.balancesRoot, dk, proof) {
            ++ghostInvalidAccepted;
        } catch {
            ++ghostInvalidRejected;
        }
    }

    function _commit(address who, uint64 id, uint32 w, DisputeKind kind, bytes memory proof) internal {
        vm.prank(who);
        hub.commitDispute(keccak256(abi.encode(who, id, w, kind, keccak256(proof))));
        vm.roll(block.number + 1);
    }

    // ------------------------------------------------------------------ readings and commitments

    function _absent(uint64 id, uint32 w, uint256 t, uint256 m) internal pure returns (bool) {
        return uint256(keccak256(abi.encode(id, w, t, m))) % 7 == 0;
    }

    /// @dev Whether a claim of window w built with void mask `mask` holds meter m's reading at t.
    function _present(uint64 id, uint32 w, uint256 t, uint256 m, uint256 mask) internal pure returns (bool) {
        return mask & (uint256(1) << (t * M + m)) == 0 && !_absent(id, w, t, m);
    }

    /// @dev Whether window w's claims hold any reading at t.
    function _anyPresent(uint64 id, uint32 w, uint256 t) internal view returns (bool) {
        for (uint256 m = 0; m < M; ++m) {
            if (_present(id, w, t, m, claimMask[id][w])) return true;
        }
        return false;
    }

    function _encode(uint64 id, uint32 w, uint256 t, uint256 m, uint256 e, uint256 i)
        internal
        view
        returns (bytes memory)
    {
        return ReadingCodec.encode(
            Reading(
                uint64(block.chainid), address(hub), id, uint32(m), uint32(uint256(w) * W + t), uint32(e), uint32(i)
            )
        );
    }

    /// @dev Meter m's reading of slot t of window w (`variant` > 0: a different one, for an equivocation).
    function _reading(uint64 id, uint32 w, uint256 t, uint256 m, uint256 variant)
        internal
        view
        returns (bytes memory enc, bytes memory sig)
    {
        uint256 seed = uint256(keccak256(abi.encode("reading", id, w, t, m)));
        uint256 e = m % 2 == 0 ? seed % 400 : 0;
        uint256 i = (seed >> 16) % 300 + variant;
        enc = _encode(id, w, t, m, e, i);
        (bytes32 r, bytes32 s) = vm.signP256(meterSecrets[m], sha256(enc));
        sig = abi.encodePacked(r, s);
    }

    function _presentMeter(Commit memory c, uint256 t) internal pure returns (uint256, bool) {
        for (uint256 m = 0; m < M; ++m) {
            if (c.enc[t][m].length != 0) return (m, true);
        }
        return (0, false);
    }

    function _fold(Commit memory c) internal pure {
        c.states = new ParticipantState[][](W);
        _foldFrom(c, 0);
    }

    /// @dev The handler's communities' market (what `_openNew` opens them with).
    function _market() internal pure returns (MarketParams memory) {
        return MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0));
    }

    function _foldFrom(Commit memory c, uint256 from) internal pure {
        MarketParams memory p = _market();
        uint32[] memory owners = new uint32[](M);
        for (uint256 m = 0; m < M; ++m) {
            owners[m] = uint32(m);
        }
        ParticipantState[] memory s = from == 0 ? Market.emptyState(N) : c.states[from - 1];
        for (uint256 t = from; t < W; ++t) {
            MeterEnergy[] memory r = new MeterEnergy[](M);
            for (uint256 m = 0; m < M; ++m) {
                bytes memory e = c.enc[t][m];
                if (e.length == 0) continue;
                uint32 ex;
                uint32 im;
                assembly {
                    ex := shr(224, mload(add(e, 94)))
                    im := shr(224, mload(add(e, 98)))
                }
                r[m] = MeterEnergy(true, ex, im);
            }
            s = Market.step(p, s, owners, r);
            c.states[t] = s;
        }
    }

    function _commitTree(Commit memory c) internal pure {
        c.slotLeaves = new bytes32[][](W);
        c.meterLeaves = new bytes32[][](W);
        c.energies = new bytes[](W);
        c.readingsRoots = new bytes32[](W);
        c.entries = new StepEntry[][](W);
        c.leaves = new bytes32[](W);
        for (uint256 t = 0; t < W; ++t) {
            c.slotLeaves[t] = new bytes32[](M);
            c.meterLeaves[t] = new bytes32[](M);
            uint256[] memory ex = new uint256[](N);
            uint256[] memory im = new uint256[](N);
            for (uint256 m = 0; m < M; ++m) {
                c.slotLeaves[t][m] = WindowCommitment.slotLeaf(c.enc[t][m], c.sig[t][m]);
                (, uint64 e, uint64 i) = WindowCommitment.slotEnergy(SignedReading(c.enc[t][m], c.sig[t][m]));
                c.meterLeaves[t][m] = WindowCommitment.meterLeaf(c.slotLeaves[t][m], e, i);
                (ex[m], im[m]) = (e, i);
            }
            c.energies[t] = EnergyVector.pack(ex, im);
            c.readingsRoots[t] = MerkleTree.root(c.meterLeaves[t]);
            c.entries[t] = StepEntries.entries(_market(), t == 0 ? Market.emptyState(N) : c.states[t - 1], ex, im);
            for (uint256 j = 0; j < N; ++j) {
                c.entries[t][j].state = c.states[t][j];
            }
            c.leaves[t] = _intervalLeaf(c, t);
        }
        c.root = MerkleTree.root(c.leaves);
    }

    function _intervalLeaf(Commit memory c, uint256 t) internal pure returns (bytes32) {
        return WindowCommitment.intervalLeaf(
            c.first + uint32(t),
            c.readingsRoots[t],
            keccak256(c.energies[t]),
            StateHash.hash(c.states[t]),
            StepEntries.root(c.entries[t])
        );
    }

    /// @dev A proof against step 0, F's in every claim: BadStep, or BadEntry at a participant `seed` picks, or
    /// StateEntry there ((seed >> 5) odd).
    function _stepZeroProof(Commit memory c, uint256 seed) internal pure returns (DisputeKind, bytes memory) {
        if (seed % 8 < 4) return (DisputeKind.BadStep, abi.encode(_stepProof(c, 0)));
        uint32 j = uint32((seed >> 3) % N);
        if ((seed >> 5) % 2 == 1) return (DisputeKind.StateEntry, abi.encode(_stateEntryProof(c, 0, j)));
        return (DisputeKind.BadEntry, abi.encode(_entryProof(c, 0, j)));
    }

    /// @dev A StateEntry proof of participant j at position t of `c`: the committed S_t[j]'s state leaf and entry j.
    function _stateEntryProof(Commit memory c, uint256 t, uint32 j) internal pure returns (StateEntryProof memory p) {
        p.participant = j;
        p.leaf = _intervalProof(c, t);
        p.entry = _entryOpening(c, t, j);
        bytes32[] memory leaves = new bytes32[](N);
        for (uint256 i = 0; i < N; ++i) {
            leaves[i] = PackedState.leaf(c.states[t][i]);
        }
        (p.stateLeaf, p.statePath) = (leaves[j], _proof(leaves, j));
    }

    /// @dev Entry j of step t of `c` with its canonical path.
    function _entryOpening(Commit memory c, uint256 t, uint256 j) internal pure returns (EntryOpening memory o) {
        bytes32[] memory leaves = new bytes32[](N);
        for (uint256 i = 0; i < N; ++i) {
            leaves[i] = StepEntries.leaf(c.entries[t][i]);
        }
        o.entry = c.entries[t][j];
        o.path = _proof(leaves, j);
    }

    /// @dev A BadEntry proof of participant j's step at position t of `c`.
    function _entryProof(Commit memory c, uint256 t, uint32 j) internal pure returns (EntryProof memory p) {
        p.participant = j;
        p.current = _intervalProof(c, t);
        p.entry = _entryOpening(c, t, j);
        if (j > 0) p.before = _entryOpening(c, t, j - 1);
        if (j + 1 < N) p.last = _entryOpening(c, t, N - 1);
        if (t > 0) {
            p.previous = _intervalProof(c, t - 1);
            p.previousEntry = _entryOpening(c, t - 1, j);
        }
    }

    function _intervalProof(Commit memory c, uint256 t) internal pure returns (IntervalProof memory p) {
        p.position = uint32(t);
        p.interval = c.first + uint32(t);
        p.readingsRoot = c.readingsRoots[t];
        p.energyHash = keccak256(c.energies[t]);
        p.stateHash = StateHash.hash(c.states[t]);
        p.entriesRoot = StepEntries.root(c.entries[t]);
        p.proof = _proof(c.leaves, t);
    }

    function _opening(Commit memory c, uint256 m, uint256 t) internal pure returns (MeterLeafOpening memory o) {
        o.meterIndex = uint32(m);
        o.slotLeaf = c.slotLeaves[t][m];
        (, o.accExportWh, o.accImportWh) = WindowCommitment.slotEnergy(_committed(c, m, t));
        o.path = _proof(c.meterLeaves[t], m);
    }

    function _committed(Commit memory c, uint256 m, uint256 t) internal pure returns (SignedReading memory s) {
        s.encoded = c.enc[t][m];
        s.signature = c.sig[t][m];
    }

    function _stepProof(Commit memory c, uint256 t) internal pure returns (StepProof memory p) {
        if (t > 0) {
            p.previous = _intervalProof(c, t - 1);
            p.prevState = PackedState.pack(c.states[t - 1]);
        }
        p.current = _intervalProof(c, t);
        p.energy = c.energies[t];
    }

    function _proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = MerkleTree.depth(leaves.length);
        uint256 width = uint256(1) << depth;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = leaves[i];
        }
        proof = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            proof[d] = level[index ^ 1];
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
            index >>= 1;
        }
    }

    // ------------------------------------------------------------------ communities and signatures

    /// @dev Every community's meters: M P-256 meters, meter m → participant m.
    function _meters() internal view returns (Meter[] memory) {
        bytes[] memory meterKeys = new bytes[](M);
        for (uint256 m = 0; m < M; ++m) {
            (uint256 qx, uint256 qy) = vm.publicKeyP256(meterSecrets[m]);
            meterKeys[m] = abi.encodePacked(qx, qy);
        }
        return ConfigBuilder.meters(meterKeys, 1);
    }

    /// @dev Meter m's record opened under the meter root (every community registers `_meters()`).
    function _record(uint256 m) internal view returns (MeterRecordOpening memory) {
        return MeterRecords.opening(_meters(), m);
    }

    function _openNew() internal {
        uint64 id = _openRecorded(
            ConfigBuilder.build(
                actors,
                _meters(),
                Schedule(INTERVAL, W, uint64(block.timestamp), WINDOWS, CHALLENGE),
                _market(),
                token,
                BOND,
                ESCROW,
                modules
            )
        );
        ids.push(id);
        for (uint256 i = 0; i < N; ++i) {
            _joinAs(id, i, actors[i], "");
        }
    }

    function _sign(uint64 id, uint32 w, bytes32 root, ParticipantState[] memory s, bytes32 bRoot, uint256 mask)
        internal
        view
        returns (bytes memory sigs)
    {
        bytes32 digest = _resultDigest(id, w, root, StateHash.hash(s), bRoot);
        sigs = abi.encodePacked(mask);
        for (uint256 i = 0; i < N; ++i) {
            if (mask & (2 ** i) == 0) continue;
            (bytes32 r, bytes32 vs) = vm.signCompact(nodeKeys[i], digest);
            sigs = bytes.concat(sigs, r, vs);
        }
    }

    function _hub() internal view override returns (Hub) {
        return hub;
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
