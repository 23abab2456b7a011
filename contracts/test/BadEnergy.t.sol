// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, ParticipantState} from "../src/types/Market.sol";
import {CommunityConfig, WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, EnergyProof} from "../src/types/Dispute.sol";
import {EnergyVector} from "../src/libraries/EnergyVector.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {ConfigBuilder, Schedule} from "./utils/ConfigBuilder.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice The meter level of the commitment (issue 10, DESIGN.md §4, §5): a step is judged from the
/// committed energy vector E_t, and E_t from one meter leaf's running sum. Each test performs an attack
/// on those commitments and sees it proven (`BadEnergy`, `BadStep`), an honest claim survive the same
/// proof (`FraudNotProven`), or a malformed proof refused with its named error. Real readings of a
/// one-day window (N = M = 10, W = 96, Ed25519 readings signed in TypeScript). `BadEnergyTest`: one meter
/// per participant (meter m → m); `BadEnergyGroupedTest`: meters grouped by owner 0, 0, 1, 1, 1, 3, 3, 5,
/// 5, 5 (participants 2, 4, 6..9 have none). Gas at N = M = 10 in snapshots/Dispute.json.
abstract contract BadEnergyBase is DisputeFixture {
    /// @dev The honest window with E_t[j] at interval t exported `wh` more, and every state folded on from
    /// that E_t (the step is right for the committed E_t; only E_t[j] is wrong).
    function _wrongEntry(Commit memory c, uint256 t, uint32 j, uint64 wh) internal view returns (Commit memory) {
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(c.energies[t]);
        ex[j] += wh;
        c.energies[t] = EnergyVector.pack(ex, im);
        _foldEnergies(c, t);
        return _recommit(c);
    }

    function _claimBy012(Commit memory c, ParticipantState[] memory finalState) internal {
        _claim(0, c.root, finalState, _signers(0, 3));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
    }

    function _notProven(bytes memory proof) internal {
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
            DisputeKind.BadEnergy,
            proof
        );
    }

    function _honestClaim() internal returns (Commit memory h) {
        h = _honest();
        _claimBy012(h, h.states[W - 1]);
    }
}

contract BadEnergyTest is BadEnergyBase {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    /// A wrong running sum: meter 4's sum at t = 50 is 1 kWh over its slot's energy, and E_t and every
    /// later state agree with it (BadStep and the total fault prove nothing). The accumulation fault
    /// proves it from meter 4's leaf alone.
    function test_Accumulation_WrongRunningSumProven() public {
        Commit memory c = _inflate(_honest(), 50, 4, 1000);
        _claimBy012(c, c.states[W - 1]);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            abi.encode(_stepProof(c, 50))
        );
        _notProven(_totalProof(c, 4, 4, 50));
        _proven(DisputeKind.BadEnergy, _accumulationProof(c, 4, 50), "badEnergy_accumulation_N10_W96");
    }

    /// A wrong E_t entry of a participant with a meter: E_t[3] at t = 50 is 1 kWh over meter 3's sum,
    /// the states folded from it (BadStep proves nothing). The total fault proves it.
    function test_Total_WrongEntryOfParticipantWithMeterProven() public {
        Commit memory c = _wrongEntry(_honest(), 50, 3, 1000);
        _claimBy012(c, c.states[W - 1]);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            abi.encode(_stepProof(c, 50))
        );
        _notProven(_accumulationProof(c, 3, 50));
        _proven(DisputeKind.BadEnergy, _totalProof(c, 3, 3, 50), "badEnergy_total_N10_W96");
    }

    /// A committed E_t that is not one entry per participant is fraud by itself (BadStep and BadEnergy).
    function test_EnergyOfWrongLengthIsFraud() public {
        Commit memory c = _honest();
        c.energies[20] = bytes.concat(c.energies[20], new bytes(16));
        c = _recommit(c);
        _claimBy012(c, c.states[W - 1]);
        uint256 snap = vm.snapshotState();
        _proven(DisputeKind.BadStep, abi.encode(_stepProof(c, 20)), "");
        vm.revertToState(snap);
        _proven(DisputeKind.BadEnergy, _totalProof(c, 0, 0, 20), "");
    }

    /// The honest claim survives every energy proof, at every meter of an interval and at the first and
    /// last interval.
    function test_RevertWhen_HonestClaimSurvivesEnergyProofs() public {
        Commit memory h = _honestClaim();
        for (uint256 k = 0; k < M; k += 3) {
            _notProven(_accumulationProof(h, k, 50));
            _notProven(_totalProof(h, uint32(k), k, 50));
        }
        _notProven(_accumulationProof(h, 9, 0));
        _notProven(_totalProof(h, 9, 9, W - 1));
    }

    /// Named refusals: an energy vector that is not the committed one, a slot that is not the leaf's, a
    /// path of the wrong depth (shorter: an inner node; longer: past the root), an opening of another
    /// meter, a participant out of range, a meter index that is not the participant's boundary.
    function test_RevertWhen_EnergyProofMalformed() public {
        Commit memory h = _honestClaim();
        EnergyProof memory p = abi.decode(_totalProof(h, 3, 3, 50), (EnergyProof));
        p.energy[0] = 0x01;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.EnergyHashMismatch.selector), DisputeKind.BadEnergy, abi.encode(p)
        );
        p = abi.decode(_accumulationProof(h, 3, 50), (EnergyProof));
        p.slot = _committed(h, 4, 50);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotLeafMismatch.selector, 3), DisputeKind.BadEnergy, abi.encode(p)
        );
        // An inner node at height 1 passed off as meter 1's leaf (its path one sibling short).
        p = abi.decode(_accumulationProof(h, 3, 50), (EnergyProof));
        bytes32[] memory shorter = new bytes32[](p.current.path.length - 1);
        for (uint256 i = 0; i < shorter.length; ++i) {
            shorter[i] = p.current.path[i + 1];
        }
        p.current.path = shorter;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidSlotProof.selector, 3), DisputeKind.BadEnergy, abi.encode(p)
        );
        p = abi.decode(_accumulationProof(h, 3, 50), (EnergyProof));
        bytes32[] memory longer = new bytes32[](p.current.path.length + 1);
        for (uint256 i = 0; i < p.current.path.length; ++i) {
            longer[i] = p.current.path[i];
        }
        p.current.path = longer;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidSlotProof.selector, 3), DisputeKind.BadEnergy, abi.encode(p)
        );
        p = abi.decode(_accumulationProof(h, 3, 50), (EnergyProof));
        p.current.meterIndex = uint32(M);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MeterOutOfRange.selector, M, M),
            DisputeKind.BadEnergy,
            abi.encode(p)
        );
        p = abi.decode(_totalProof(h, 3, 3, 50), (EnergyProof));
        p.participant = uint32(N);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.ParticipantOutOfRange.selector, uint32(N), uint32(N)),
            DisputeKind.BadEnergy,
            abi.encode(p)
        );
        // Participant 3's leaf is meter 3, not meter 4 (owned by 4) nor 2 (owned by 2), nor past the end.
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(3), uint32(2)),
            DisputeKind.BadEnergy,
            _totalProof(h, 3, 2, 50)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(3), uint32(4)),
            DisputeKind.BadEnergy,
            _totalProof(h, 3, 4, 50)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(3), uint32(M + 1)),
            DisputeKind.BadEnergy,
            _totalProof(h, 3, M + 1, 50)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "honest claim kept");
    }

    /// Meters must be listed grouped by owner: a participant's running sum ends at its last meter only
    /// if its meters are one range (else E_t could not be checked from one leaf).
    function test_RevertWhen_MetersNotGroupedByOwner() public {
        CommunityConfig memory c = _openableConfig();
        (c.meters[3].owner, c.meters[4].owner) = (4, 3);
        vm.expectRevert(abi.encodeWithSelector(IHub.MetersNotGroupedByOwner.selector, 4));
        hub.open(OpenCodec.encode(c));
        c = _openableConfig();
        c.meters[9].owner = 0;
        vm.expectRevert(abi.encodeWithSelector(IHub.MetersNotGroupedByOwner.selector, 9));
        hub.open(OpenCodec.encode(c));
        // Several meters per owner and owners without meters are fine.
        c = _openableConfig();
        uint32[10] memory owners = [uint32(0), 0, 1, 1, 1, 3, 3, 5, 5, 5];
        for (uint256 k = 0; k < M; ++k) {
            c.meters[k].owner = owners[k];
        }
        hub.open(OpenCodec.encode(c));
    }

    /// @dev The fixture's community config again (another community of the same hub).
    function _openableConfig() internal view returns (CommunityConfig memory) {
        return ConfigBuilder.build(
            nodes,
            ConfigBuilder.meters(publicKeys, ED25519),
            Schedule(INTERVAL, W, START, 2, CHALLENGE),
            hub.community(id).market,
            token,
            BOND,
            ESCROW,
            _modules(MarketKind.Mmr)
        );
    }
}

/// @notice The same proofs over a community whose meters are grouped by owner, several per owner, some
/// participants without meters.
contract BadEnergyGroupedTest is BadEnergyBase {
    function setUp() public {
        uint32[10] memory owners = [uint32(0), 0, 1, 1, 1, 3, 3, 5, 5, 5];
        for (uint256 k = 0; k < M; ++k) {
            ownersOverride.push(owners[k]);
        }
        _setUpCommunity(ED25519);
    }

    /// A wrong running sum in the middle of a participant's range (meter 3, second of participant 1's
    /// three meters), carried on consistently to its last meter and E_t: proven at meter 3 from meter 2's
    /// leaf (its base).
    function test_Accumulation_WrongSumMidRangeProven() public {
        Commit memory c = _inflate(_honest(), 60, 3, 250);
        _claimBy012(c, c.states[W - 1]);
        _notProven(_accumulationProof(c, 4, 60));
        _notProven(_totalProof(c, 1, 4, 60));
        // Meter 3's leaf with a base that is not meter 2's leaf is refused.
        EnergyProof memory p = abi.decode(_accumulationProof(c, 3, 60), (EnergyProof));
        p.previous = _opening(c, 1, 60);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidSlotProof.selector, 2), DisputeKind.BadEnergy, abi.encode(p)
        );
        _proven(DisputeKind.BadEnergy, _accumulationProof(c, 3, 60), "");
    }

    /// A wrong E_t entry of a participant without meters (participant 2: 500 Wh exported from nowhere,
    /// folded on): proven at the index where its meters would start (5).
    function test_Total_WrongEntryOfParticipantWithoutMeterProven() public {
        Commit memory c = _wrongEntry(_honest(), 50, 2, 500);
        _claimBy012(c, c.states[W - 1]);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            abi.encode(_stepProof(c, 50))
        );
        // Not at 4 (participant 1's) nor 6 (participant 3's second meter).
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(2), uint32(4)),
            DisputeKind.BadEnergy,
            _totalProof(c, 2, 4, 50)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(2), uint32(6)),
            DisputeKind.BadEnergy,
            _totalProof(c, 2, 6, 50)
        );
        _proven(DisputeKind.BadEnergy, _totalProof(c, 2, 5, 50), "");
    }

    /// The node's meterless path, replayed (issue 10, review 5 M1): node/src/vectors/dispute.ts builds, on this
    /// very layout, a claim whose E_t entry of participant 2 (no meter) at t = 50 exports 500 Wh from nowhere
    /// (later states folded from it) under a readings tree with junk at padding index 12, and the proof a node
    /// builds from the game's published step alone (`proofFromOpenedStep`, no readings tree of its own, no
    /// meter opened). Its honest root is this fixture's; the claim is proven fraud with the node's bytes.
    function test_Total_MeterlessEntryFromPublishedStepAloneReplayed() public {
        nodeEntriesRoots = true; // the node's leaves: an Mmr community's carry its entries roots
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        uint256[] memory owners = vm.parseJsonUintArray(json, ".meterless.owners");
        for (uint256 k = 0; k < M; ++k) {
            assertEq(owners[k], ownersOverride[k], "the vector's layout is this fixture's");
        }
        assertEq(vm.parseJsonBytes32(json, ".meterless.honestWindowRoot"), _honest().root, "TS fold = Solidity's");
        assertEq(vm.parseJsonUint(json, ".meterless.participant"), 2);
        ParticipantState[] memory posted =
            abi.decode(vm.parseJsonBytes(json, ".meterless.finalState"), (ParticipantState[]));
        _claim(0, vm.parseJsonBytes32(json, ".meterless.windowRoot"), posted, _signers(0, 3));
        bytes memory proof = vm.parseJsonBytes(json, ".meterless.proof");
        EnergyProof memory p = abi.decode(proof, (EnergyProof));
        assertEq(p.current.meterIndex, 5, "where participant 2's meters would start");
        assertEq(p.current.path.length, 0, "no opening: E_t alone");
        _proven(DisputeKind.BadEnergy, proof, "");
    }

    /// The last participants have no meter: their boundary is M.
    function test_Total_WrongEntryOfLastParticipantProvenAtM() public {
        Commit memory c = _wrongEntry(_honest(), 7, 9, 1);
        _claimBy012(c, c.states[W - 1]);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(9), uint32(9)),
            DisputeKind.BadEnergy,
            _totalProof(c, 9, 9, 7)
        );
        _proven(DisputeKind.BadEnergy, _totalProof(c, 9, M, 7), "");
    }

    /// The honest grouped claim survives every energy proof: each meter's accumulation, each
    /// participant's total (at its last meter, or where its meters would start).
    function test_RevertWhen_HonestGroupedClaimSurvives() public {
        Commit memory h = _honestClaim();
        for (uint256 k = 0; k < M; ++k) {
            _notProven(_accumulationProof(h, k, 33));
        }
        uint8[10] memory boundary = [1, 4, 5, 6, 7, 9, 10, 10, 10, 10];
        for (uint32 j = 0; j < N; ++j) {
            _notProven(_totalProof(h, j, boundary[j], 33));
        }
        // Participant 3's first meter (5) is not its last (6); participant 0's boundary is not 0.
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(3), uint32(5)),
            DisputeKind.BadEnergy,
            _totalProof(h, 3, 5, 33)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.NotParticipantBoundary.selector, uint32(0), uint32(0)),
            DisputeKind.BadEnergy,
            _totalProof(h, 0, 0, 33)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "honest claim kept");
        assertEq(uint8(MerkleTree.depth(M)), 4);
    }
}
// forge-lint: disable-end(unsafe-typecast)
