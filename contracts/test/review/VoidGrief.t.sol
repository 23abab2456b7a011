// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityConfig, Meter, WindowStatus} from "../../src/types/Community.sol";
import {
    DisputeKind,
    EquivocationProof,
    IntervalProof,
    MeterLeafOpening,
    SignedReading,
    VoidedSlotProof
} from "../../src/types/Dispute.sol";
import {Market} from "../../src/libraries/Market.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {HubFixture} from "../utils/HubFixture.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Security review of main (docs/review.md), R4: a meter owner delays every window's finality by
/// up to W × (its meters) challenge periods, for free once its bond is gone, by equivocating on a
/// slot AFTER an honest claim kept its (then only) reading, and rejecting that claim with VoidedSlot.
contract ReviewVoidGriefTest is HubFixture {
    uint32 internal constant GW = 16;
    uint256 internal constant NP = 4;
    /// The attacker: participant 3, owner of meter 0 (a P-256 meter whose key it holds).
    uint256 internal constant OWNER = 3;
    uint256 internal constant METER_SK = 0xA11CE5EC2E7;
    uint256 internal constant MP = 4;

    uint64 internal id;
    address internal attacker;
    bool[GW] internal voided;

    bytes32[][] internal meterLeaves;
    bytes32[] internal energyHashes;
    bytes32[] internal readingsRoots;
    bytes32[] internal stateHashes;
    bytes32[] internal leaves;
    ParticipantState[] internal finalState;
    bytes32 internal root;
    /// The readings the honest nodes received, signed once (P-256 signing is randomized).
    SignedReading[GW] internal firstReadings;

    function setUp() public {
        _deploy(NP);
        attacker = nodes[OWNER];
        CommunityConfig memory c = _config(NP);
        (uint256 qx, uint256 qy) = vm.publicKeyP256(METER_SK);
        c.meters[0] = Meter(abi.encodePacked(qx, qy), P256, uint32(OWNER));
        // Meters grouped by owner (DESIGN.md §4): the attacker owns all four; only meter 0 reports.
        for (uint256 m = 1; m < MP; ++m) {
            c.meters[m].owner = uint32(OWNER);
        }
        c.windowIntervals = GW;
        c.windowCount = 1;
        id = _openConfig(c);
        _joinAll(id, NP);
        for (uint32 t = 0; t < GW; ++t) {
            firstReadings[t] = _reading(t, 100 + t);
        }
    }

    // ------------------------------------------------------------------ readings and commitment

    function _reading(uint32 t, uint32 exportWh) internal view returns (SignedReading memory s) {
        s.encoded = ReadingCodec.encode(Reading(uint64(block.chainid), address(hub), id, 0, t, exportWh, uint32(0)));
        (bytes32 r, bytes32 sv) = vm.signP256(METER_SK, sha256(s.encoded));
        s.signature = abi.encodePacked(r, sv);
    }

    /// @dev The reading the honest nodes received for (meter 0, t).
    function _first(uint32 t) internal view returns (SignedReading memory) {
        return firstReadings[t];
    }

    /// @dev The honest commitment of window 0: meter 0's first reading in every slot not voided on chain
    /// (honest nodes fold a voided slot as absent), every other meter silent; F folded from zeros.
    function _honestCommit() internal {
        delete meterLeaves;
        delete energyHashes;
        delete readingsRoots;
        delete stateHashes;
        delete leaves;
        MarketParams memory p = hub.community(id).market;
        uint32[] memory owners = new uint32[](MP);
        for (uint256 m = 0; m < MP; ++m) {
            owners[m] = uint32(OWNER);
        }
        ParticipantState[] memory s = Market.emptyState(NP);
        for (uint32 t = 0; t < GW; ++t) {
            SignedReading[] memory slots = new SignedReading[](MP);
            MeterEnergy[] memory e = new MeterEnergy[](MP);
            if (!voided[t]) {
                slots[0] = _first(t);
                e[0] = MeterEnergy(true, 100 + t, 0);
            }
            s = Market.step(p, s, owners, e);
            (bytes32[] memory ml, bytes memory energy) = WindowCommitment.meterLeaves(slots, owners, NP);
            meterLeaves.push(ml);
            energyHashes.push(keccak256(energy));
            readingsRoots.push(MerkleTree.root(ml));
            stateHashes.push(StateHash.hash(s));
            leaves.push(WindowCommitment.intervalLeaf(t, readingsRoots[t], energyHashes[t], stateHashes[t], bytes32(0)));
        }
        delete finalState;
        for (uint256 i = 0; i < NP; ++i) {
            finalState.push(s[i]);
        }
        root = MerkleTree.root(leaves);
    }

    function _siblings(bytes32[] memory level0, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = MerkleTree.depth(level0.length);
        uint256 width = uint256(1) << depth;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < level0.length; ++i) {
            level[i] = level0[i];
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

    /// @dev Participants 0..2 (everyone but the attacker) sign and post the honest commitment.
    function _postHonest() internal {
        _honestCommit();
        bytes memory sigs;
        for (uint256 i = 0; i < NP; ++i) {
            if (i == OWNER) continue;
            // forge-lint: disable-next-line(unsafe-typecast)
            sigs =
                bytes.concat(sigs, abi.encodePacked(uint8(i), _signDigest(keys[i], _digest(id, 0, root, finalState))));
        }
        _postClaim(id, 0, root, finalState, _packConcat(sigs));
    }

    function _commitNow(DisputeKind kind, bytes memory proof) internal {
        vm.prank(attacker);
        hub.commitDispute(keccak256(abi.encode(attacker, id, uint32(0), kind, keccak256(proof))));
    }

    function _equivocationProof(uint32 t) internal view returns (bytes memory) {
        return abi.encode(EquivocationProof(_first(t), _reading(t, 999), _openedRecord(0)));
    }

    function _voidedSlotProof(uint32 t) internal view returns (bytes memory) {
        IntervalProof memory leaf =
            IntervalProof(t, t, readingsRoots[t], energyHashes[t], stateHashes[t], bytes32(0), _siblings(leaves, t));
        SignedReading memory r = _first(t);
        MeterLeafOpening memory o = MeterLeafOpening(
            0, WindowCommitment.slotLeaf(r.encoded, r.signature), 100 + t, 0, _siblings(meterLeaves[t], 0)
        );
        return abi.encode(VoidedSlotProof(leaf, r, o, _openedRecord(0)));
    }

    function _hubHoldsExactly() internal view {
        uint256 sum;
        for (uint256 i = 0; i < NP; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            sum += uint256(hub.community(id).escrow) + aBond + aCredit + hub.withdrawable(token, nodes[i]);
        }
        assertEq(token.balanceOf(address(hub)), sum + _depositsHeld(hub, token, id), "money conserved");
    }

    // ------------------------------------------------------------------ R4

    /// R4 (fixed). The attack: a meter owner whose bond is spent equivocates for free, and each time an
    /// honest claim of the window is about to finalize it signs a second reading for a slot the claim
    /// kept, reports its own equivocation and rejects the claim with VoidedSlot: W × (its meters)
    /// challenge periods of delay per window. Now (1) a void applies only to claims submitted after it
    /// (the hub records when each slot was voided): the late VoidedSlot reverts `SlotNotVoided` and the
    /// honest claim finalizes one challenge period after it was posted; (2) an equivocation costs its
    /// fixed 10 % of the configured bond, from the escrow once the bond is spent: never free.
    function test_R4_LateVoidCannotRejectHonestClaimAndEquivocationIsNeverFree() public {
        vm.warp(uint256(START) + uint256(GW) * INTERVAL);
        // Drain: 10 self-reported equivocations on slots 0..9 take the whole 1,000 bond (to the others).
        for (uint32 t = 0; t < 10; ++t) {
            bytes memory proof = _equivocationProof(t);
            _commitNow(DisputeKind.Equivocation, proof);
            vm.roll(block.number + 1);
            vm.prank(attacker);
            hub.dispute(id, 0, bytes32(0), bytes32(0), 0, DisputeKind.Equivocation, proof);
            voided[t] = true;
        }
        assertEq(_bondOf(hub, id, OWNER), 0, "bond spent");
        // Once the bond is spent an equivocation takes its fixed cost from the owner's on-chain credit
        // (the root escrow cannot be taken on chain, DESIGN.md §5.6): here a deposit it made.
        vm.prank(nodes[OWNER]);
        hub.deposit(id, BOND);
        uint256 escrowBefore = _creditOf(hub, id, OWNER);

        // The honest claim keeps slots 10..15; the attacker tries to reject it at the last second.
        _postHonest();
        uint256 posted = block.timestamp;
        vm.warp(posted + CHALLENGE - 2);
        bytes memory eq = _equivocationProof(10);
        bytes memory vs = _voidedSlotProof(10);
        _commitNow(DisputeKind.Equivocation, eq);
        _commitNow(DisputeKind.VoidedSlot, vs);
        vm.roll(block.number + 1);
        vm.warp(posted + CHALLENGE - 1);
        vm.startPrank(attacker);
        hub.dispute(id, 0, bytes32(0), bytes32(0), 0, DisputeKind.Equivocation, eq);
        assertEq(_creditOf(hub, id, OWNER), escrowBefore - BOND / 10, "the equivocation cost 10 %, from credit");
        assertTrue(hub.isVoided(id, 0, 10), "the slot is voided for later claims");
        vm.expectRevert(abi.encodeWithSelector(IHub.SlotNotVoided.selector, uint32(0), uint32(10)));
        hub.dispute(
            id,
            0,
            root,
            StateHash.hash(finalState),
            _claimedBalances(0, root, StateHash.hash(finalState)),
            DisputeKind.VoidedSlot,
            vs
        );
        vm.stopPrank();

        // The honest claim finalizes one challenge period after it was posted.
        vm.warp(posted + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "honest claim final");
        for (uint256 i = 0; i < NP; ++i) {
            if (i != OWNER) assertEq(_bondOf(hub, id, i), BOND, "honest signers not slashed");
        }
        _hubHoldsExactly();
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
