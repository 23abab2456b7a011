// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityConfig, Meter, WindowStatus} from "../../src/types/Community.sol";
import {DisputeKind, IntervalProof, SignedReading, StepProof} from "../../src/types/Dispute.sol";
import {Market} from "../../src/libraries/Market.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {MeterTable} from "../../src/libraries/MeterTable.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {ConfigBuilder} from "../utils/ConfigBuilder.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Security review of main (docs/review.md): the largest community the hub accepts
/// (N = MAX_PARTICIPANTS = 256, M = MeterTable.MAX_METERS = 341) can still be disputed. A bad step at
/// t = 1 (all 341 slots present, S_{t-1} with 256 entries, the Mmr market) is proven in one
/// transaction under the 16,777,216-gas cap of EIP-7825. Checked and ruled out as a finding.
contract ReviewBoundsTest is HubFixture {
    uint256 internal constant NMAX = 256;
    uint256 internal constant MMAX = 341;

    struct Built {
        uint64 id;
        SignedReading[] slots1;
        bytes32[2] rr;
        ParticipantState[] s1;
        ParticipantState[] s2;
        bytes32[] lv;
        bytes32 root;
    }

    /// @dev Participant 0 alone claims (b.root, S = b.s2) with its honest balances root.
    function _post(Built memory b) internal {
        bytes memory co = _packConcat(abi.encodePacked(uint8(0), _signDigest(keys[0], _digest(b.id, 0, b.root, b.s2))));
        bytes32 bRoot = _balancesRoot(b.id, 0, b.s2);
        _noteClaim(0, b.root, StateHash.hash(b.s2), bRoot);
        hub.update(b.id, 0, b.root, StateHash.hash(b.s2), bRoot, ConfigBuilder.finalStateOf(b.s2, co), co);
    }

    function test_BadStepAtLargestCommunityFitsOneTransaction() public {
        Built memory b = _build();
        vm.warp(uint256(START) + 2 * INTERVAL);
        _post(b);

        StepProof memory p;
        p.previous = IntervalProof(0, 0, b.rr[0], StateHash.hash(b.s1), _one(b.lv[1]));
        p.prevState = b.s1;
        p.current = IntervalProof(1, 1, b.rr[1], StateHash.hash(b.s2), _one(b.lv[0]));
        p.slots = b.slots1;
        p.padding = new bytes32[]((uint256(1) << MerkleTree.depth(MMAX)) - MMAX);
        bytes memory proof = abi.encode(p);
        address who = nodes[NMAX];
        vm.prank(who);
        hub.commitDispute(keccak256(abi.encode(who, b.id, uint32(0), DisputeKind.BadStep, keccak256(proof))));
        vm.roll(block.number + 1);
        bytes memory data = abi.encodeCall(
            hub.dispute,
            (
                b.id,
                0,
                b.root,
                StateHash.hash(b.s2),
                _claimedBalances(0, b.root, StateHash.hash(b.s2)),
                DisputeKind.BadStep,
                proof
            )
        );
        _measure(who, data, b.id, proof.length);
    }

    function _measure(address who, bytes memory data, uint64 id, uint256 proofLength) internal {
        uint256 calldataGas = _calldataGas(data);
        vm.prank(who);
        uint256 before = gasleft();
        (bool ok,) = address(hub).call(data);
        uint256 used = before - gasleft();
        assertTrue(ok, "bad step proven");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        emit log_named_uint("proof bytes", proofLength);
        emit log_named_uint("execution gas", used);
        emit log_named_uint("calldata gas (EIP-7623 floor: 10 per token)", calldataGas);
        assertLt(21_000 + used + calldataGas, 16_777_216, "fits the EIP-7825 transaction gas cap");
    }

    function _build() internal returns (Built memory b) {
        _deploy(NMAX + 1);
        assertEq(MeterTable.MAX_METERS, MMAX);
        CommunityConfig memory c = _config(NMAX);
        c.meters = new Meter[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            c.meters[m] = Meter(_meterKey(m), ED25519, uint32(m % NMAX));
        }
        c.windowIntervals = 2;
        c.windowCount = 1;
        c.market = MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0));
        c.modules = _modules(MarketKind.Mmr);
        b.id = _openConfig(c);
        _joinAll(b.id, NMAX);

        uint32[] memory owners = new uint32[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            owners[m] = uint32(m % NMAX);
        }
        MeterEnergy[] memory e0;
        MeterEnergy[] memory e1;
        SignedReading[] memory slots0;
        (slots0, e0, b.rr[0]) = _interval(b.id, 0);
        (b.slots1, e1, b.rr[1]) = _interval(b.id, 1);
        b.s1 = Market.step(c.market, Market.emptyState(NMAX), owners, e0);
        b.s2 = Market.step(c.market, b.s1, owners, e1);
        b.s2[0].exportWh += 1; // the wrong step
        b.lv = new bytes32[](2);
        b.lv[0] = WindowCommitment.intervalLeaf(0, b.rr[0], StateHash.hash(b.s1));
        b.lv[1] = WindowCommitment.intervalLeaf(1, b.rr[1], StateHash.hash(b.s2));
        b.root = MerkleTree.root(b.lv);
    }

    /// @dev Every slot of interval `t` holds a decodable reading (BadStep does not check signatures).
    function _interval(uint64 id, uint32 t)
        internal
        view
        returns (SignedReading[] memory slots, MeterEnergy[] memory energy, bytes32 rr)
    {
        slots = new SignedReading[](MMAX);
        energy = new MeterEnergy[](MMAX);
        bytes32[] memory sl = new bytes32[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            uint32 ex = m % 2 == 0 ? uint32(1_000 + 7 * m + t) : 0;
            uint32 im = m % 2 == 0 ? 0 : uint32(900 + 5 * m);
            slots[m].encoded =
                ReadingCodec.encode(Reading(uint64(block.chainid), address(hub), id, uint32(m), t, ex, im));
            slots[m].signature = abi.encodePacked(keccak256(abi.encode(m, t)), keccak256(abi.encode(t, m)));
            energy[m] = MeterEnergy(true, ex, im);
            sl[m] = WindowCommitment.slotLeaf(slots[m].encoded, slots[m].signature);
        }
        rr = MerkleTree.root(sl);
    }

    function _one(bytes32 x) internal pure returns (bytes32[] memory a) {
        a = new bytes32[](1);
        a[0] = x;
    }

    /// @dev The larger of the standard calldata cost and the EIP-7623 floor (tokens = zeros + 4·non-zeros).
    function _calldataGas(bytes memory data) internal pure returns (uint256) {
        uint256 tokens;
        for (uint256 i = 0; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
        return tokens * 10;
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
