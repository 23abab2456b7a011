// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, ParticipantState, StateHash} from "../src/types/Market.sol";
import {CommunityConfig, Meter, WindowRecord, WindowStatus} from "../src/types/Community.sol";
import {
    DisputeKind,
    EquivocationProof,
    FinalStateProof,
    ForgedReadingProof,
    IntervalProof,
    ReadingMismatchProof,
    SignedReading,
    StepProof
} from "../src/types/Dispute.sol";
import {EnergyVector} from "../src/libraries/EnergyVector.sol";
import {Market} from "../src/libraries/Market.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {Reading, ReadingCodec} from "../src/libraries/ReadingCodec.sol";
import {ConfigBuilder, Schedule} from "./utils/ConfigBuilder.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {MeterRecords} from "./utils/MeterRecords.sol";
import {IDisputeVerifierConstants} from "./utils/Modules.sol";
import {transactionGas} from "./utils/TxGas.sol";

/// @notice The five fraud proofs of DESIGN.md §5 against real commitments of a one-day window
/// (N = 10, W = 96, Ed25519 readings signed in TypeScript): each proves a fraudulent claim (claim
/// rejected, signers' bonds slashed, challenger paid, window free for a correct update) and reverts
/// against an honest one; money is conserved. Gas of each kind is written to `snapshots/Dispute.json`.
contract DisputeTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Claims `c` for window 0 signed by participants 0, 1, 2 (pending: not everyone signed).
    function _claimBy012(Commit memory c, ParticipantState[] memory finalState) internal {
        _claim(0, c.root, finalState, _signers(0, 3));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
    }

    /// @dev After a proven fraud by signers 0..2: claim gone, their bonds slashed and shared, money
    /// conserved; then the honest result signed by the others finalizes.
    function _assertRejectedAndRecovers() internal {
        _assertRejectedAndRecovers(true);
    }

    function _assertRejectedAndRecovers(bool slashed) internal {
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None));
        uint256 taken = slashed ? 3 * uint256(BOND) : 0;
        // The forfeited claim deposit is shared out with the slash (review R9), in good faith too.
        uint256 total = taken + _claimDeposit();
        uint256 each = total / 2 / 7;
        for (uint256 i = 0; i < N; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            if (i < 3) {
                assertEq(aBond, BOND - taken / 3, "signer slashed unless in good faith");
                assertEq(aCredit, 0);
            } else {
                assertEq(aBond, BOND, "non-signer keeps bond");
                assertEq(aCredit, each, "non-signer compensated");
            }
        }
        assertEq(hub.withdrawable(token, challenger), total - 7 * each, "challenger reward");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");

        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(3, 10));
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved after settlement");
    }

    /// @dev A copy of the honest S_W with 7 tokens moved from participant 1 to participant 0.
    function _wrongFinal(Commit memory h) internal pure returns (ParticipantState[] memory posted) {
        posted = abi.decode(abi.encode(h.states[W - 1]), (ParticipantState[]));
        posted[0].net += 7;
        posted[1].net -= 7;
    }

    function _honestClaim() internal returns (Commit memory h) {
        h = _honest();
        _claimBy012(h, h.states[W - 1]);
    }

    // ------------------------------------------------------------------ 1. reading mismatch

    function _mismatchProof(Commit memory c, uint256 m, uint256 t) internal view returns (bytes memory) {
        return abi.encode(
            ReadingMismatchProof(
                _signed(m, t), _intervalProof(c, t), _committed(c, m, t), _opening(c, m, t), _record(m)
            )
        );
    }

    function test_ReadingMismatch_OmittedReadingRejectsClaimWithoutSlashing() public {
        // Meter 5 belongs to participant 5, who did not sign the claim; participant 7 holds its reading
        // (a good-faith omission is raised by a participant other than the owner, DESIGN.md §5.5).
        challenger = nodes[7];
        Commit memory c = _honestInputs();
        (c.enc[11][5], c.sig[11][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11), "readingMismatch_omitted_N10_W96");
        // An omission may be made in good faith (the reading withheld from the signers): nobody is slashed.
        _assertRejectedAndRecovers(false);
    }

    function test_ReadingMismatch_ReplacedReadingRejectsClaim() public {
        Commit memory c = _honestInputs();
        // The claimant puts an unsigned reading with other values in the slot.
        c.enc[11][2] = _reading(2, 11, 5000, 0);
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.ReadingMismatch, _mismatchProof(c, 2, 11), "readingMismatch_replaced_N10_W96");
        _assertRejectedAndRecovers();
    }

    function test_RevertWhen_ReadingMismatchAgainstHonestClaim() public {
        Commit memory h = _honestClaim();
        bytes memory proof = _mismatchProof(h, 2, 11);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.CommittedReadingValid.selector, 2, 11),
            DisputeKind.ReadingMismatch,
            proof
        );
    }

    function test_RevertWhen_ReadingMismatchWithForgedChallengerReading() public {
        Commit memory h = _honestClaim();
        ReadingMismatchProof memory p = ReadingMismatchProof(
            SignedReading(_reading(2, 11, 1, 1), signatures[11 * M + 2]),
            _intervalProof(h, 11),
            _committed(h, 2, 11),
            _opening(h, 2, 11),
            _record(2)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidChallengerReading.selector),
            DisputeKind.ReadingMismatch,
            abi.encode(p)
        );
    }

    function test_RevertWhen_ReadingMismatchOnVoidedSlot() public {
        // Honest nodes void an equivocated slot; once it is reported, the omission is not fraud.
        challenger = nodes[7];
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter))),
            ""
        );
        bytes memory proof = _mismatchProof(c, eqMeter, eqInterval);
        _disputeReverts(
            abi.encodeWithSelector(IHub.SlotVoided.selector, eqMeter, eqInterval), DisputeKind.ReadingMismatch, proof
        );
    }

    function test_RevertWhen_ReadingMismatchCommittedIsEquivocation() public {
        // The claimant kept the meter's other signed reading in good faith: not the claimant's fraud.
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (equivocating.encoded, equivocating.signature);
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        bytes memory proof = _mismatchProof(c, eqMeter, eqInterval);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.CommittedReadingValid.selector, eqMeter, eqInterval),
            DisputeKind.ReadingMismatch,
            proof
        );
    }

    /// A reading of another interval cannot stand for the slot of the proven leaf.
    function test_RevertWhen_ReadingMismatchReadingOfOtherInterval() public {
        Commit memory h = _honestClaim();
        assertFalse(present[10 * M + 2]);
        ReadingMismatchProof memory p = ReadingMismatchProof(
            _signed(2, 11), _intervalProof(h, 10), _committed(h, 2, 10), _opening(h, 2, 10), _record(2)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidChallengerReading.selector),
            DisputeKind.ReadingMismatch,
            abi.encode(p)
        );
    }

    /// The committed slot must be proven: an honest slot cannot be passed off as absent.
    function test_RevertWhen_ReadingMismatchCommittedNotProven() public {
        Commit memory h = _honestClaim();
        ReadingMismatchProof memory p = ReadingMismatchProof(
            _signed(2, 11), _intervalProof(h, 11), SignedReading("", ""), _opening(h, 2, 11), _record(2)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotLeafMismatch.selector, 2),
            DisputeKind.ReadingMismatch,
            abi.encode(p)
        );
    }

    // ------------------------------------------------------------------ 2. forged reading

    function _forgedProof(Commit memory c, uint256 m, uint256 t) internal view returns (bytes memory) {
        return abi.encode(ForgedReadingProof(_intervalProof(c, t), _committed(c, m, t), _opening(c, m, t), _record(m)));
    }

    function test_ForgedReading_BadSignatureRejectsClaim() public {
        Commit memory c = _honestInputs();
        c.enc[50][4] = _reading(4, 50, exportWh[50 * M + 4] + 500, importWh[50 * M + 4]);
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.ForgedReading, _forgedProof(c, 4, 50), "forgedReading_N10_W96");
        _assertRejectedAndRecovers();
    }

    function test_ForgedReading_ReplayedFromOtherIntervalRejectsClaim() public {
        // A genuine signature, but over meter 4's reading of interval 49.
        Commit memory c = _honestInputs();
        (c.enc[50][4], c.sig[50][4]) = _slot(4, 49);
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.ForgedReading, _forgedProof(c, 4, 50), "");
        _assertRejectedAndRecovers();
    }

    function test_RevertWhen_ForgedReadingAgainstHonestClaim() public {
        Commit memory h = _honestClaim();
        bytes memory proof = _forgedProof(h, 4, 50);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.ForgedReading),
            DisputeKind.ForgedReading,
            proof
        );
    }

    function test_RevertWhen_ForgedReadingOnAbsentSlot() public {
        Commit memory h = _honestClaim();
        // Slot (2, 10) is absent in the vectors.
        assertFalse(present[10 * M + 2]);
        bytes memory proof = _forgedProof(h, 2, 10);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotAbsent.selector, 2), DisputeKind.ForgedReading, proof
        );
    }

    function test_RevertWhen_LeafPositionOutOfRange() public {
        Commit memory h = _honestClaim();
        IntervalProof memory leaf = _intervalProof(h, 50);
        leaf.position = W;
        bytes memory proof = abi.encode(ForgedReadingProof(leaf, _committed(h, 4, 50), _opening(h, 4, 50), _record(4)));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.PositionOutOfRange.selector, W, W), DisputeKind.ForgedReading, proof
        );
    }

    function test_RevertWhen_ForgedReadingMeterOutOfRange() public {
        Commit memory h = _honestClaim();
        bytes memory proof = abi.encode(
            ForgedReadingProof(
                _intervalProof(h, 50), _committed(h, 4, 50), _atIndex(_opening(h, 4, 50), uint32(M)), _record(4)
            )
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MeterOutOfRange.selector, M, M), DisputeKind.ForgedReading, proof
        );
    }

    // ------------------------------------------------------------------ 3. bad step

    function test_BadStep_RejectsClaim() public {
        Commit memory c = _honestInputs();
        c = _fold(c, 0);
        // Step 60 moves 1,000 tokens from participant 1 to participant 0; later steps fold on honestly.
        c.states[60][0].net += 1000;
        c.states[60][1].net -= 1000;
        c = _fold(c, 61);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.BadStep, abi.encode(_stepProof(c, 60)), "badStep_N10_W96");
        _assertRejectedAndRecovers();
    }

    function test_BadStep_FirstIntervalFromZeroState() public {
        Commit memory c = _honestInputs();
        c = _fold(c, 0);
        c.states[0][2].p2pSoldWh += 1;
        c = _fold(c, 1);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.BadStep, abi.encode(_stepProof(c, 0)), "");
        _assertRejectedAndRecovers();
    }

    /// A committed slot that is not a reading (a 71-byte encoding) is fraud (BadEnergy: its meter leaf
    /// cannot be accumulated), even when the step folds its energy consistently.
    function test_BadEnergy_SlotOfWrongLengthIsFraud() public {
        Commit memory c = _honestInputs();
        c.enc[50][4] = bytes.concat(c.enc[50][4], hex"00");
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.BadEnergy, _accumulationProof(c, 4, 50), "");
        _assertRejectedAndRecovers();
    }

    /// ... and so is one with another domain.
    function test_BadEnergy_SlotOfWrongDomainIsFraud() public {
        Commit memory c = _honestInputs();
        c.enc[50][4][0] = "X";
        c = _fold(c, 0);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.BadEnergy, _accumulationProof(c, 4, 50), "");
        _assertRejectedAndRecovers();
    }

    function test_RevertWhen_BadStepAgainstHonestClaim() public {
        Commit memory h = _honestClaim();
        bytes memory proof = abi.encode(_stepProof(h, 60));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            proof
        );
        proof = abi.encode(_stepProof(h, 0));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            proof
        );
    }

    function test_RevertWhen_BadStepWithWrongPrevState() public {
        Commit memory c = _honestInputs();
        c = _fold(c, 0);
        c.states[60][0].net += 1000;
        c.states[60][1].net -= 1000;
        c = _fold(c, 61);
        _claimBy012(c, c.states[W - 1]);
        StepProof memory p = _stepProof(c, 60);
        // Participant 0's exportWh (bytes 0..7 of the packed S_{t-1}, big-endian) one Wh more.
        p.prevState[7] = bytes1(uint8(p.prevState[7]) ^ 1);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.PrevStateMismatch.selector), DisputeKind.BadStep, abi.encode(p)
        );
        // One participant short: another state, not the committed one.
        p = _stepProof(c, 60);
        p.prevState = PackedState.pack(_truncated(c.states[59], N - 1));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.PrevStateMismatch.selector), DisputeKind.BadStep, abi.encode(p)
        );
    }

    /// Packed S_{t-1} bytes of no whole number of participants encode no state: refused by name, before
    /// any hash (one byte more, one byte less).
    function test_RevertWhen_BadStepPrevStateNotWholeParticipants() public {
        Commit memory c = _honestInputs();
        c = _fold(c, 0);
        c.states[60][0].net += 1000;
        c.states[60][1].net -= 1000;
        c = _fold(c, 61);
        _claimBy012(c, c.states[W - 1]);
        StepProof memory p = _stepProof(c, 60);
        p.prevState = bytes.concat(p.prevState, hex"00");
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MalformedPrevState.selector, N * 64 + 1),
            DisputeKind.BadStep,
            abi.encode(p)
        );
        p = _stepProof(c, 60);
        bytes memory shorter = p.prevState;
        assembly {
            mstore(shorter, sub(mload(shorter), 1))
        }
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MalformedPrevState.selector, N * 64 - 1),
            DisputeKind.BadStep,
            abi.encode(p)
        );
    }

    /// An honest S_{t-1} has N entries: a claim that committed one of N − 1 (or N + 1) at t − 1 is fraud by
    /// that alone, proven with the committed S_{t-1} as it is (packed, its hash the committed one).
    /// A step whose recomputed next state has no encoding is no committed state's (s14: the state hash is
    /// keccak256 of the packed bytes). The claimant commits S_59 with participant j's net near int128's
    /// top, so that F(S_59, E_60) gives j a net past it, and commits as S_60 the packing that wraps j's net
    /// (the low 128 bits): the hash of another, encodable state. Fraud; without `tryHash`'s `encodable`
    /// the wrapped bytes would match and the wrong claim stand.
    function test_BadStep_NextStateWithoutAnEncodingIsFraud() public {
        Commit memory c = _honestInputs();
        c = _fold(c, 0);
        // A participant whose net grows by at least 2 in step 60, and another one to balance S_59.
        uint256 j = type(uint256).max;
        int256 d;
        for (uint256 i = 0; i < N; ++i) {
            d = c.states[60][i].net - c.states[59][i].net;
            if (d >= 2) {
                j = i;
                break;
            }
        }
        assertTrue(j != type(uint256).max, "someone gains in step 60");
        uint256 other = j == 0 ? 1 : 0;
        int256 top = int256(type(int128).max) - d + 2;
        for (uint256 i = 0; i < N; ++i) {
            c.states[59][i].net = 0;
        }
        (c.states[59][j].net, c.states[59][other].net) = (top, -top);
        // F(S_59, E_60), j's net two past int128's top: no encoding.
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(c.energies[60]);
        (ParticipantState[] memory prev,) = PackedState.unpack(PackedState.pack(c.states[59]));
        ParticipantState[] memory next = Market.stepEnergy(hub.community(id).market, prev, ex, im);
        assertEq(next[j].net, int256(type(int128).max) + 2);
        (bool encodable,) = StateHash.tryHash(next);
        assertFalse(encodable);
        // The claimant's S_60: the same state with j's net wrapped to its low 128 bits (-2^127 + 1).
        next[j].net = int256(type(int128).min) + 1;
        c.states[60] = next;
        c = _recommit(c);
        _claimBy012(c, c.states[W - 1]);
        _dispute(DisputeKind.BadStep, abi.encode(_stepProof(c, 60)), "");
        _assertRejectedAndRecovers();
    }

    function test_BadStep_CommittedPrevStateOfFewerEntriesIsFraud() public {
        _prevStateOfLengthIsFraud(N - 1);
    }

    function test_BadStep_CommittedPrevStateOfMoreEntriesIsFraud() public {
        _prevStateOfLengthIsFraud(N + 1);
    }

    function _prevStateOfLengthIsFraud(uint256 entries) internal {
        Commit memory c = _honestInputs();
        c = _fold(c, 0);
        c.states[59] = _truncated(c.states[59], entries);
        c = _recommit(c);
        _claimBy012(c, c.states[W - 1]);
        StepProof memory p = _stepProof(c, 60);
        assertEq(p.prevState.length, entries * 64);
        _dispute(DisputeKind.BadStep, abi.encode(p), "");
        _assertRejectedAndRecovers();
    }

    /// `s`'s first `n` entries (zero entries after its last when n > its length: still balanced).
    function _truncated(ParticipantState[] memory s, uint256 n) internal pure returns (ParticipantState[] memory t) {
        t = new ParticipantState[](n);
        for (uint256 i = 0; i < n && i < s.length; ++i) {
            t[i] = s[i];
        }
    }

    /// A previous leaf that is not at t-1 would let anyone recompute a step from the wrong state.
    function test_RevertWhen_BadStepPreviousNotAdjacent() public {
        Commit memory h = _honestClaim();
        StepProof memory p = _stepProof(h, 60);
        p.previous = _intervalProof(h, 58);
        p.prevState = PackedState.pack(h.states[58]);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.PreviousNotAdjacent.selector, 58, 60),
            DisputeKind.BadStep,
            abi.encode(p)
        );
        // At position 2^32 − 1 the sum is taken in uint256: refused by name, not by an arithmetic panic.
        p.previous.position = type(uint32).max;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.PreviousNotAdjacent.selector, type(uint32).max, 60),
            DisputeKind.BadStep,
            abi.encode(p)
        );
    }

    /// The step is judged from the committed E_t only: an energy vector that is not the committed one
    /// (one entry short, or one Wh more) is refused.
    function test_RevertWhen_BadStepEnergyNotCommitted() public {
        Commit memory h = _honestClaim();
        StepProof memory p = _stepProof(h, 60);
        bytes memory shorter = new bytes(p.energy.length - 16);
        for (uint256 i = 0; i < shorter.length; ++i) {
            shorter[i] = p.energy[i];
        }
        p.energy = shorter;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.EnergyHashMismatch.selector), DisputeKind.BadStep, abi.encode(p)
        );
        p = _stepProof(h, 60);
        p.energy[7] = bytes1(uint8(p.energy[7]) ^ 1);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.EnergyHashMismatch.selector), DisputeKind.BadStep, abi.encode(p)
        );
    }

    // ------------------------------------------------------------------ 4. bad final state

    function test_BadFinalState_RejectsClaim() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claimBy012(h, posted);
        _dispute(
            DisputeKind.BadFinalState, abi.encode(FinalStateProof(_intervalProof(h, W - 1))), "badFinalState_N10_W96"
        );
        _assertRejectedAndRecovers();
    }

    function test_RevertWhen_BadFinalStateAgainstHonestClaim() public {
        Commit memory h = _honestClaim();
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(h, W - 1)));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadFinalState),
            DisputeKind.BadFinalState,
            proof
        );
    }

    function test_RevertWhen_BadFinalStateNotLastLeaf() public {
        Commit memory h = _honestClaim();
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(h, W - 2)));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotLastPosition.selector, W - 2), DisputeKind.BadFinalState, proof
        );
    }

    function test_MalformedLeaf_IsFraud() public {
        // The claimant numbers interval leaves from 1: every proven leaf is malformed.
        Commit memory c = _honest();
        for (uint256 t = 0; t < W; ++t) {
            c.leaves[t] = keccak256(
                abi.encodePacked(
                    bytes1(0x02),
                    uint32(t + 1),
                    c.readingsRoots[t],
                    keccak256(c.energies[t]),
                    StateHash.hash(c.states[t]),
                    bytes32(0)
                )
            );
        }
        c.root = MerkleTree.root(c.leaves);
        _claimBy012(c, c.states[W - 1]);
        IntervalProof memory last = _intervalProof(c, W - 1);
        last.interval = W;
        _dispute(DisputeKind.BadFinalState, abi.encode(FinalStateProof(last)), "");
        _assertRejectedAndRecovers();
    }

    // ------------------------------------------------------------------ 5. equivocation

    function test_Equivocation_VoidsSlotSlashesOwnerKeepsClaim() public {
        _honestClaim();
        _dispute(
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter))),
            "equivocation_N10_W96"
        );
        assertTrue(hub.isVoided(id, eqMeter, eqInterval));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim kept");
        uint256 slash =
            uint256(BOND) * IDisputeVerifierConstants(address(verifierModule)).EQUIVOCATION_SLASH_BPS() / 10_000;
        uint256 each = slash / 2 / (N - 1);
        for (uint256 i = 0; i < N; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            if (i == eqMeter) {
                assertEq(aBond, BOND - slash);
                assertEq(aCredit, 0);
            } else {
                assertEq(aBond, BOND);
                assertEq(aCredit, each);
            }
        }
        assertEq(hub.withdrawable(token, challenger), slash - (N - 1) * each);
        assertEq(token.balanceOf(address(hub)), _liabilities());
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
    }

    function test_RevertWhen_EquivocationReportedTwice() public {
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        vm.warp(uint256(START) + W * INTERVAL);
        _dispute(DisputeKind.Equivocation, proof, "");
        _disputeReverts(
            abi.encodeWithSelector(IHub.SlotAlreadyVoided.selector, eqMeter, eqInterval),
            DisputeKind.Equivocation,
            proof
        );
    }

    function test_RevertWhen_EquivocationSameReadingTwice() public {
        bytes memory proof =
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), _signed(eqMeter, eqInterval), _record(eqMeter)));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector), DisputeKind.Equivocation, proof
        );
    }

    function test_RevertWhen_EquivocationDifferentIntervals() public {
        bytes memory proof = abi.encode(
            EquivocationProof(_signed(eqMeter, eqInterval), _signed(eqMeter, eqInterval + 1), _record(eqMeter))
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector), DisputeKind.Equivocation, proof
        );
    }

    function test_RevertWhen_EquivocationUnsigned() public {
        SignedReading memory fake = SignedReading(equivocating.encoded, signatures[eqInterval * M + eqMeter]);
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), fake, _record(eqMeter)));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector), DisputeKind.Equivocation, proof
        );
    }

    function test_RevertWhen_EquivocationFromOtherCommunity() public {
        // Community 2 has the same meters, but the readings are bound to community 1.
        uint64 id2 = _openConfig(_config());
        for (uint256 i = 0; i < N; ++i) {
            _join(id2, i);
        }
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        _disputeOn(
            challenger,
            id2,
            0,
            DisputeKind.Equivocation,
            proof,
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector)
        );
    }

    function test_RevertWhen_EquivocationNamesOtherWindow() public {
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        _disputeOn(
            challenger,
            id,
            1,
            DisputeKind.Equivocation,
            proof,
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector)
        );
    }

    function test_RevertWhen_EquivocationMeterOutOfRange() public {
        SignedReading memory a = SignedReading(_reading(M, 40, 1, 1), signatures[0]);
        SignedReading memory b = SignedReading(_reading(M, 40, 2, 1), signatures[1]);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MeterOutOfRange.selector, M, M),
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(a, b, _record(0)))
        );
    }

    function test_Equivocation_P256Meter() public {
        // A second community whose meter 0 is a P-256 secure element: forge signs its readings.
        uint256 sk = 0x5ec0de;
        (uint256 qx, uint256 qy) = vm.publicKeyP256(sk);
        CommunityConfig memory cfg = _config();
        cfg.meters[0] = Meter(abi.encodePacked(qx, qy), P256, 0);
        cfg.bond = BOND;
        uint64 id2 = _openConfig(cfg);
        for (uint256 i = 0; i < N; ++i) {
            _join(id2, i);
        }
        bytes memory a = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 0, 7, 100, 0));
        bytes memory b = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 0, 7, 900, 0));
        (bytes32 ra, bytes32 sa) = vm.signP256(sk, sha256(a));
        (bytes32 rb, bytes32 sb) = vm.signP256(sk, sha256(b));
        bytes memory proof = abi.encode(
            EquivocationProof(
                SignedReading(a, abi.encodePacked(ra, sa)),
                SignedReading(b, abi.encodePacked(rb, sb)),
                MeterRecords.opening(cfg.meters, 0)
            )
        );
        _commit(challenger, id2, 0, DisputeKind.Equivocation, proof);
        vm.roll(block.number + 1);
        vm.prank(challenger);
        uint256 g = gasleft();
        hub.dispute(id2, 0, 0, 0, 0, DisputeKind.Equivocation, proof);
        vm.snapshotValue("Dispute", "equivocation_P256_N10", g - gasleft());
        assertTrue(hub.isVoided(id2, 0, 7));
        assertEq(
            _bondOf(hub, id2, 0),
            BOND - uint256(BOND) * IDisputeVerifierConstants(address(verifierModule)).EQUIVOCATION_SLASH_BPS() / 10_000
        );
        // A forged second signature is no equivocation.
        a = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 0, 8, 100, 0));
        b = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 0, 8, 900, 0));
        (ra, sa) = vm.signP256(sk, sha256(a));
        proof = abi.encode(
            EquivocationProof(
                SignedReading(a, abi.encodePacked(ra, sa)),
                SignedReading(b, abi.encodePacked(ra, sa)),
                MeterRecords.opening(cfg.meters, 0)
            )
        );
        _disputeOn(
            challenger,
            id2,
            0,
            DisputeKind.Equivocation,
            proof,
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector)
        );
    }

    // ------------------------------------------------------------------ windows, finality, other claims

    function test_RevertWhen_DisputeAfterChallengePeriod() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claimBy012(h, posted);
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(h, W - 1)));
        vm.warp(block.timestamp + CHALLENGE);
        bytes32 claim = _claimHash(0, h.root, StateHash.hash(posted));
        bytes memory err = abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, 0, claim);
        _disputeReverts(err, DisputeKind.BadFinalState, proof);
        hub.finalize(id);
        _disputeClaimReverts(err, h.root, StateHash.hash(posted), DisputeKind.BadFinalState, proof);
    }

    function test_RevertWhen_DisputeFastPathWindow() public {
        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(0, N));
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(h, W - 1)));
        bytes32 sh = StateHash.hash(h.states[W - 1]);
        _disputeClaimReverts(
            abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, 0, _claimHash(0, h.root, sh)),
            h.root,
            sh,
            DisputeKind.BadFinalState,
            proof
        );
    }

    function test_RevertWhen_DisputeNamesOtherWindow() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claimBy012(h, posted);
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(h, W - 1)));
        _commit(challenger, id, 1, DisputeKind.BadFinalState, proof);
        vm.roll(block.number + 1);
        bytes32 sh = StateHash.hash(posted);
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, 1, _claimHash(1, h.root, sh)));
        vm.prank(challenger);
        hub.dispute(id, 1, h.root, sh, _claimedBalances(1, h.root, sh), DisputeKind.BadFinalState, proof);
    }

    function test_RevertWhen_ProofFromOtherCommitment() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claimBy012(h, posted);
        // A leaf of another commitment (the omission variant) is not under this claim's root.
        Commit memory other = _honestInputs();
        (other.enc[11][2], other.sig[11][2]) = (bytes(""), bytes(""));
        other = _fold(other, 0);
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(other, W - 1)));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidIntervalProof.selector, W - 1),
            DisputeKind.BadFinalState,
            proof
        );
    }

    function test_RevertWhen_DisputeUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, 9));
        hub.dispute(9, 0, 0, 0, 0, DisputeKind.BadFinalState, "");
    }

    // ------------------------------------------------------------------ meter keys at open

    /// `open` no longer checks that a key is a usable point (it cost each meter a call and a MODEXP): a
    /// small-order or off-curve key opens, and no reading of its meter is ever valid (`_validFor` asks the
    /// scheme's `isValidKey`; `MeterRecordAttacksTest.test_RevertWhen_EquivocationUnderSmallOrderKey`).
    function test_OpenAcceptsKeysTheSchemeRefusesAndTheirRootCommitsToThem() public {
        CommunityConfig memory c = _config();
        // The identity point (0, 1): small order, every signature with k ≡ 0 verifies under it.
        c.meters[1].publicKey = hex"0100000000000000000000000000000000000000000000000000000000000000";
        c.meters[2].publicKey = hex"0200000000000000000000000000000000000000000000000000000000000000";
        assertFalse(ed25519Module.isValidKey(c.meters[1].publicKey));
        assertFalse(ed25519Module.isValidKey(c.meters[2].publicKey));
        c.meters[0] = Meter(new bytes(64), P256, 0);
        assertFalse(p256Module.isValidKey(c.meters[0].publicKey));
        uint64 id2 = _openConfig(c);
        assertEq(hub.meterRoot(id2), MeterRecords.root(c.meters));
    }

    function _config() internal view returns (CommunityConfig memory) {
        return ConfigBuilder.build(
            nodes,
            ConfigBuilder.meters(publicKeys, ED25519),
            Schedule(INTERVAL, W, START, 1, CHALLENGE),
            hub.community(id).market,
            token,
            0,
            0,
            _modules(MarketKind.Mmr)
        );
    }

    // ------------------------------------------------------------------ proofs built by the node's TypeScript

    /// @dev node/src/window/disputeProof.ts built these claims and proofs (vectors/dispute.json): the
    /// node's encoders and fold agree with the hub's verifier.
    function test_TypeScriptProofs() public {
        nodeEntriesRoots = true; // the node's leaves: an Mmr community's carry its entries roots
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        assertEq(vm.parseJsonBytes32(json, ".honestWindowRoot"), _honest().root, "TS fold and commitment = Solidity's");
        uint256 count = vm.parseJsonUint(json, ".claimCount");
        assertEq(
            count,
            12,
            "omission, forged, bad step, final state, energy x2, entry x2, entry energy, state entry x2, equivocation"
        );
        for (uint256 i = 0; i < count; ++i) {
            string memory at = string.concat(".claims[", vm.toString(i), "]");
            DisputeKind kind = DisputeKind(vm.parseJsonUint(json, string.concat(at, ".kind")));
            bytes32 root = vm.parseJsonBytes32(json, string.concat(at, ".windowRoot"));
            ParticipantState[] memory posted =
                abi.decode(vm.parseJsonBytes(json, string.concat(at, ".finalState")), (ParticipantState[]));
            bytes memory proof = vm.parseJsonBytes(json, string.concat(at, ".proof"));
            // Signers slashed by the previous proof top their bonds up: only whole bonds count (review R6).
            for (uint256 k = 0; k < 3; ++k) {
                if (_bondOf(hub, id, k) == BOND) continue;
                vm.prank(nodes[k]);
                hub.topUpBond(id);
            }
            _claim(0, root, posted, _signers(0, 3));
            _dispute(kind, proof, "");
            if (kind == DisputeKind.Equivocation) {
                assertTrue(hub.isVoided(id, eqMeter, eqInterval));
                assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
            } else {
                assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), vm.toString(i));
            }
            assertEq(token.balanceOf(address(hub)), _liabilities());
        }
    }

    // ------------------------------------------------------------------ signature gas

    /// The commit transaction every dispute needs first (a new storage slot).
    function test_GasCommitDispute() public {
        bytes32 c = keccak256(abi.encode(challenger, id, uint32(0), DisputeKind.BadFinalState, keccak256("proof")));
        vm.cool(address(hub));
        vm.prank(challenger);
        uint256 g = gasleft();
        hub.commitDispute(c);
        uint256 used = g - gasleft();
        vm.snapshotValue("Dispute", "commitDispute", used);
        vm.snapshotValue("Dispute", "commitDispute_txGas", transactionGas(abi.encodeCall(hub.commitDispute, (c)), used));
        assertEq(hub.disputeCommitments(c), block.number);
    }

    function test_GasVerifyEd25519Reading() public {
        (bytes memory enc, bytes memory sig) = _slot(0, 1);
        uint256 g = gasleft();
        bool ok = ed25519Module.verify(publicKeys[0], enc, sig);
        uint256 used = g - gasleft();
        assertTrue(ok);
        vm.snapshotValue("Dispute", "verifySignature_Ed25519", used);
    }

    function test_GasVerifyP256Reading() public {
        uint256 pk = 0xa11ce;
        (uint256 qx, uint256 qy) = vm.publicKeyP256(pk);
        bytes memory key = abi.encodePacked(qx, qy);
        bytes memory enc = _reading(0, 1, 10, 20);
        (bytes32 r, bytes32 s) = vm.signP256(pk, sha256(enc));
        uint256 g = gasleft();
        bool ok = p256Module.verify(key, enc, abi.encodePacked(r, s));
        uint256 used = g - gasleft();
        assertTrue(ok);
        vm.snapshotValue("Dispute", "verifySignature_P256", used);
        assertTrue(p256Module.isValidKey(key));
        // node:crypto accepts the high-s twin of a signature; so does the arbiter.
        uint256 n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551;
        bytes32 s2 = bytes32(n - uint256(s));
        assertTrue(p256Module.verify(key, enc, abi.encodePacked(r, s2)));
        assertFalse(p256Module.verify(key, _reading(0, 1, 10, 21), abi.encodePacked(r, s)));
        // A signature is exactly r ‖ s: a valid one with a byte appended is not a signature.
        assertFalse(p256Module.verify(key, enc, abi.encodePacked(r, s, uint8(0))));
        assertFalse(p256Module.verify(bytes.concat(key, hex"00"), enc, abi.encodePacked(r, s)));
    }
}
