// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityConfig, Meter} from "../../src/types/Community.sol";
import {
    DisputeKind,
    IntervalProof,
    MeterLeafOpening,
    ReadingMismatchProof,
    SignedReading
} from "../../src/types/Dispute.sol";
import {Market} from "../../src/libraries/Market.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {HubFixture} from "../utils/HubFixture.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Security review of main (docs/review.md), R8: nothing binds a registered meter to its owner.
/// The opener of a community lists a meter whose key IT holds as owned by an honest participant; `join`
/// does not ask the owner to prove the key (and no node command checks the table before joining). The
/// opener then signs a reading of "the victim's" meter that nobody else has, waits for the victim to
/// co-sign the honest claim (which cannot contain it) and has an accomplice raise the omission: "the
/// owner signed", the owner's fault: the victim loses its whole bond, half of it to the accomplice (before
/// R7's fix every signer lost its bond; now the honest co-signer keeps it).
/// Fixed node-side (branch s4-econ): a join is consent to the meter table; the node's join path reads
/// the table on chain and refuses to join one that lists under its index a key that is not one of its
/// meters' (`checkMeterConsent`; node/test/unit/meterConsent.test.ts, node/test/e2e/joinConsent.test.ts),
/// so the victim below never joins and the community never becomes Active. The hub alone still accepts
/// the table: this test shows what a victim that joins anyway exposes itself to. Not built: a meter
/// registration signed by the meter key, checked at open or join.
contract ReviewMeterOwnershipTest is HubFixture {
    uint32 internal constant GW = 4;
    uint256 internal constant NP = 3;
    uint256 internal constant SK = 0xB0B5EC2E7;
    /// nodes[0]: the opener (attacker), owner of nothing; nodes[1]: the victim, "owner" of meter 0.
    uint256 internal constant VICTIM = 1;

    uint64 internal id;
    bytes32[] internal leaves;
    bytes32[] internal readingsRoots;
    bytes32[] internal stateHashes;

    function setUp() public {
        _deploy(NP + 1);
        CommunityConfig memory c = _config(NP);
        (uint256 qx, uint256 qy) = vm.publicKeyP256(SK);
        c.meters[0] = Meter(abi.encodePacked(qx, qy), P256, uint32(VICTIM));
        c.windowIntervals = GW;
        c.windowCount = 1;
        vm.prank(nodes[0]);
        id = _openConfig(c);
        _joinAll(id, NP);
    }

    function test_R8_Medium_OpenerRegistersItsKeyAsVictimsMeterThenSlashesVictim() public {
        // The honest window: nobody received a reading of meter 0 (the victim has no such device).
        MarketParams memory p = hub.community(id).market;
        uint32[] memory owners = new uint32[](NP);
        owners[0] = uint32(VICTIM);
        owners[1] = 1;
        owners[2] = 2;
        (bytes32[] memory absent, bytes memory energy) =
            WindowCommitment.meterLeaves(new SignedReading[](NP), owners, NP);
        ParticipantState[] memory s = Market.emptyState(NP);
        for (uint32 t = 0; t < GW; ++t) {
            s = Market.step(p, s, owners, new MeterEnergy[](NP));
            readingsRoots.push(MerkleTree.root(absent));
            stateHashes.push(StateHash.hash(s));
            leaves.push(
                WindowCommitment.intervalLeaf(t, readingsRoots[t], keccak256(energy), stateHashes[t], bytes32(0))
            );
        }
        bytes32 root = MerkleTree.root(leaves);
        vm.warp(uint256(START) + uint256(GW) * INTERVAL);
        bytes32 digest = _digest(id, 0, root, s);
        _postClaim(
            id,
            0,
            root,
            s,
            _packConcat(
                bytes.concat(
                    abi.encodePacked(uint8(1), _signDigest(keys[1], digest)),
                    abi.encodePacked(uint8(2), _signDigest(keys[2], digest))
                )
            )
        );

        // The opener signs a reading of meter 0 for interval 2 with the key it registered.
        SignedReading memory r;
        r.encoded = ReadingCodec.encode(Reading(uint64(block.chainid), address(hub), id, 0, 2, 5_000, 0));
        (bytes32 rr, bytes32 ss) = vm.signP256(SK, sha256(r.encoded));
        r.signature = abi.encodePacked(rr, ss);
        IntervalProof memory leaf =
            IntervalProof(2, 2, readingsRoots[2], keccak256(energy), stateHashes[2], bytes32(0), _siblings(leaves, 2));
        MeterLeafOpening memory o = MeterLeafOpening(0, WindowCommitment.ABSENT_LEAF, 0, 0, _siblings(absent, 0));
        bytes memory proof = abi.encode(ReadingMismatchProof(r, leaf, SignedReading("", ""), o, _openedRecord(0)));

        _commitAndDispute(nodes[NP], id, 0, root, StateHash.hash(s), DisputeKind.ReadingMismatch, proof);

        assertEq(_bondOf(hub, id, 1), 0, "victim slashed");
        // Since R7's fix the owner's fault slashes the "owner" only: the co-signer keeps its bond.
        assertEq(_bondOf(hub, id, 2), BOND, "its honest co-signer is no longer slashed (R7)");
        assertEq(_bondOf(hub, id, 0), BOND, "the opener risked nothing");
        assertGe(hub.withdrawable(token, nodes[NP]), uint256(BOND) / 2, "accomplice: half of the victim's bond");
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
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
