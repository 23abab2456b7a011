// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityConfig, Meter, WindowStatus} from "../../src/types/Community.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {
    DisputeKind,
    EnergyFault,
    EnergyProof,
    IntervalProof,
    MeterLeafOpening,
    SignedReading,
    StepProof
} from "../../src/types/Dispute.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {Market} from "../../src/libraries/Market.sol";
import {MeterRegistry} from "../../src/libraries/MeterRegistry.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {ConfigBuilder} from "../utils/ConfigBuilder.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Security review of main (docs/review.md): the largest community the hub accepts
/// (N = MAX_PARTICIPANTS = 256, M = MeterRegistry.MAX_METERS = 1,024, meters grouped by owner: four
/// each) can still be disputed. A bad step at t = 1 (all 1,024 slots present, S_{t-1} and E_t with 256
/// entries, the Mmr market), a wrong running sum and a wrong E_t entry are each proven in one
/// transaction under the 16,777,216-gas cap of EIP-7825 (gas in snapshots/Dispute.json). Since the
/// meter level (issue 10) a step proof is O(N) and an energy proof O(N + log M): neither reads the slots.
contract ReviewBoundsTest is HubFixture {
    uint256 internal constant NMAX = 256;
    uint256 internal constant MMAX = 1024;

    /// What `_build` makes wrong at t = 1.
    enum Fault {
        None,
        Step,
        Accumulation,
        Total
    }

    /// Meter whose running sum is wrong (Accumulation): the second of participant 50's four meters (200..203),
    /// so its base is meter 200's sum; participant whose E_t entry is wrong (Total): 198, owner of meters
    /// 792..795 (owner(m) = floor(m·256/1024)); the record of its next meter (796) shows 795 is its last.
    uint256 internal constant BAD_METER = 201;
    uint32 internal constant BAD_PARTICIPANT = 198;

    struct Built {
        uint64 id;
        SignedReading[] slots1;
        bytes32[] ml1;
        bytes energy1;
        bytes32[2] eh;
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
        Built memory b = _build(Fault.Step);
        StepProof memory p;
        p.previous = _leaf(b, 0);
        p.prevState = PackedState.pack(b.s1);
        p.current = _leaf(b, 1);
        p.energy = b.energy1;
        _dispute(b, DisputeKind.BadStep, abi.encode(p), "badStep_N256_M1024");
    }

    function test_BadEnergyAccumulationAtLargestCommunityFitsOneTransaction() public {
        Built memory b = _build(Fault.Accumulation);
        EnergyProof memory p;
        p.fault = EnergyFault.Accumulation;
        p.leaf = _leaf(b, 1);
        p.slot = b.slots1[BAD_METER];
        p.current = _opening(b, BAD_METER);
        p.previous = _opening(b, BAD_METER - 1);
        p.meter = _openedRecord(BAD_METER);
        p.previousMeter = _openedRecord(BAD_METER - 1);
        _dispute(b, DisputeKind.BadEnergy, abi.encode(p), "badEnergy_accumulation_N256_M1024");
    }

    function test_BadEnergyTotalAtLargestCommunityFitsOneTransaction() public {
        Built memory b = _build(Fault.Total);
        EnergyProof memory p;
        p.fault = EnergyFault.Total;
        p.leaf = _leaf(b, 1);
        p.participant = BAD_PARTICIPANT;
        p.current = _opening(b, _lastMeterOf(BAD_PARTICIPANT));
        p.energy = b.energy1;
        p.meter = _openedRecord(_lastMeterOf(BAD_PARTICIPANT));
        p.nextMeter = _openedRecord(_lastMeterOf(BAD_PARTICIPANT) + 1);
        _dispute(b, DisputeKind.BadEnergy, abi.encode(p), "badEnergy_total_N256_M1024");
    }

    /// The honest claim at the largest community survives the same three proofs (`FraudNotProven`).
    function test_RevertWhen_HonestLargestCommunitySurvivesEveryProof() public {
        Built memory b = _build(Fault.None);
        vm.warp(uint256(START) + 2 * INTERVAL);
        _post(b);
        StepProof memory s;
        s.previous = _leaf(b, 0);
        s.prevState = PackedState.pack(b.s1);
        s.current = _leaf(b, 1);
        s.energy = b.energy1;
        _refused(b, DisputeKind.BadStep, abi.encode(s));
        EnergyProof memory p;
        p.fault = EnergyFault.Accumulation;
        p.leaf = _leaf(b, 1);
        p.slot = b.slots1[BAD_METER];
        p.current = _opening(b, BAD_METER);
        p.previous = _opening(b, BAD_METER - 1);
        p.meter = _openedRecord(BAD_METER);
        p.previousMeter = _openedRecord(BAD_METER - 1);
        _refused(b, DisputeKind.BadEnergy, abi.encode(p));
        p.fault = EnergyFault.Total;
        p.participant = BAD_PARTICIPANT;
        p.current = _opening(b, _lastMeterOf(BAD_PARTICIPANT));
        p.energy = b.energy1;
        p.meter = _openedRecord(_lastMeterOf(BAD_PARTICIPANT));
        p.nextMeter = _openedRecord(_lastMeterOf(BAD_PARTICIPANT) + 1);
        _refused(b, DisputeKind.BadEnergy, abi.encode(p));
    }

    function _refused(Built memory b, DisputeKind kind, bytes memory proof) internal {
        address who = nodes[NMAX];
        vm.prank(who);
        hub.commitDispute(keccak256(abi.encode(who, b.id, uint32(0), kind, keccak256(proof))));
        vm.roll(block.number + 1);
        bytes32 sh = StateHash.hash(b.s2);
        vm.expectRevert(abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, kind));
        vm.prank(who);
        hub.dispute(b.id, 0, b.root, sh, _claimedBalances(0, b.root, sh), kind, proof);
    }

    function _leaf(Built memory b, uint32 t) internal pure returns (IntervalProof memory) {
        return
            IntervalProof(t, t, b.rr[t], b.eh[t], StateHash.hash(t == 0 ? b.s1 : b.s2), bytes32(0), _one(b.lv[1 - t]));
    }

    function _opening(Built memory b, uint256 k) internal pure returns (MeterLeafOpening memory o) {
        (uint64 e, uint64 i) = _acc(b.ml1, b.slots1, k);
        o = MeterLeafOpening(uint32(k), _slotLeaf(b.slots1[k]), e, i, _siblings(b.ml1, k));
    }

    /// @dev Meter k's committed running sums, read back from the leaf (`_acc` recomputes the candidates).
    function _acc(bytes32[] memory ml, SignedReading[] memory slots, uint256 k)
        internal
        pure
        returns (uint64 e, uint64 i)
    {
        // The committed sums are the honest ones except at BAD_METER (+1 Wh exported): try both.
        (e, i) = _honestAcc(slots, k);
        if (WindowCommitment.meterLeaf(_slotLeaf(slots[k]), e, i) != ml[k]) e += 1;
    }

    function _honestAcc(SignedReading[] memory slots, uint256 k) internal pure returns (uint64 e, uint64 i) {
        for (uint256 m = 0; m <= k; ++m) {
            if (m > 0 && _owner(m) != _owner(m - 1)) (e, i) = (0, 0);
            (, uint64 de, uint64 di) = WindowCommitment.slotEnergy(slots[m]);
            e += de;
            i += di;
        }
    }

    function _slotLeaf(SignedReading memory s) internal pure returns (bytes32) {
        return WindowCommitment.slotLeaf(s.encoded, s.signature);
    }

    /// @dev Meters grouped by owner over the whole range: floor(m·N/M), one or two meters each.
    function _owner(uint256 m) internal pure returns (uint32) {
        return uint32(m * NMAX / MMAX);
    }

    function _lastMeterOf(uint32 j) internal pure returns (uint256 k) {
        k = MMAX - 1;
        while (_owner(k) != j) --k;
    }

    function _siblings(bytes32[] memory level0, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = MerkleTree.depth(level0.length);
        uint256 width = uint256(1) << depth;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 x = 0; x < level0.length; ++x) {
            level[x] = level0[x];
        }
        proof = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            proof[d] = level[index ^ 1];
            width >>= 1;
            for (uint256 x = 0; x < width; ++x) {
                level[x] = MerkleTree.hashPair(level[2 * x], level[2 * x + 1]);
            }
            index >>= 1;
        }
    }

    function _dispute(Built memory b, DisputeKind kind, bytes memory proof, string memory gasName) internal {
        vm.warp(uint256(START) + 2 * INTERVAL);
        _post(b);
        address who = nodes[NMAX];
        vm.prank(who);
        hub.commitDispute(keccak256(abi.encode(who, b.id, uint32(0), kind, keccak256(proof))));
        vm.roll(block.number + 1);
        bytes memory data = abi.encodeCall(
            hub.dispute,
            (b.id, 0, b.root, StateHash.hash(b.s2), _claimedBalances(0, b.root, StateHash.hash(b.s2)), kind, proof)
        );
        uint256 used = _measure(who, data, b.id, proof.length);
        vm.snapshotValue("Dispute", gasName, used);
        vm.snapshotValue("Dispute", string.concat(gasName, "_bytes"), proof.length);
    }

    function _measure(address who, bytes memory data, uint64 id, uint256 proofLength) internal returns (uint256) {
        uint256 calldataGas = _calldataGas(data);
        vm.prank(who);
        uint256 before = gasleft();
        (bool ok,) = address(hub).call(data);
        uint256 used = before - gasleft();
        assertTrue(ok, "fraud proven");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        emit log_named_uint("proof bytes", proofLength);
        emit log_named_uint("execution gas", used);
        emit log_named_uint("calldata gas (EIP-7623 floor: 10 per token)", calldataGas);
        assertLt(21_000 + used + calldataGas, 16_777_216, "fits the EIP-7825 transaction gas cap");
        return used;
    }

    function _build(Fault fault) internal returns (Built memory b) {
        _deploy(NMAX + 1);
        assertEq(MeterRegistry.MAX_METERS, MMAX);
        CommunityConfig memory c = _config(NMAX);
        c.meters = new Meter[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            c.meters[m] = Meter(_meterKey(m), ED25519, _owner(m));
        }
        c.windowIntervals = 2;
        c.windowCount = 1;
        c.market = MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0));
        c.modules = _modules(MarketKind.Mmr);
        b.id = _openConfig(c);
        _joinAll(b.id, NMAX);

        uint32[] memory owners = new uint32[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            owners[m] = _owner(m);
        }
        MeterEnergy[] memory e0;
        MeterEnergy[] memory e1;
        SignedReading[] memory slots0;
        (slots0, e0) = _interval(b.id, 0);
        (b.slots1, e1) = _interval(b.id, 1);
        b.s1 = Market.step(c.market, Market.emptyState(NMAX), owners, e0);
        b.s2 = Market.step(c.market, b.s1, owners, e1);
        bytes32[] memory ml0;
        bytes memory energy0;
        (ml0, energy0) = WindowCommitment.meterLeaves(slots0, owners, NMAX);
        (b.ml1, b.energy1) = WindowCommitment.meterLeaves(b.slots1, owners, NMAX);
        if (fault == Fault.Step) {
            b.s2[0].exportWh += 1; // the wrong step
        } else if (fault == Fault.Accumulation) {
            // One Wh more exported in a running sum (the E_t entry and the step agree with it: only the
            // sum is wrong).
            (uint64 e, uint64 i) = _honestAcc(b.slots1, BAD_METER);
            b.ml1[BAD_METER] = WindowCommitment.meterLeaf(_slotLeaf(b.slots1[BAD_METER]), e + 1, i);
        } else if (fault == Fault.Total) {
            // One Wh more exported in participant BAD_PARTICIPANT's E_t entry.
            (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(b.energy1);
            ex[BAD_PARTICIPANT] += 1;
            b.energy1 = EnergyVector.pack(ex, im);
        }
        b.rr[0] = MerkleTree.root(ml0);
        b.rr[1] = MerkleTree.root(b.ml1);
        b.eh[0] = keccak256(energy0);
        b.eh[1] = keccak256(b.energy1);
        b.lv = new bytes32[](2);
        b.lv[0] = WindowCommitment.intervalLeaf(0, b.rr[0], b.eh[0], StateHash.hash(b.s1), bytes32(0));
        b.lv[1] = WindowCommitment.intervalLeaf(1, b.rr[1], b.eh[1], StateHash.hash(b.s2), bytes32(0));
        b.root = MerkleTree.root(b.lv);
    }

    /// @dev Every slot of interval `t` holds a decodable reading (neither proof checks signatures).
    function _interval(uint64 id, uint32 t)
        internal
        view
        returns (SignedReading[] memory slots, MeterEnergy[] memory energy)
    {
        slots = new SignedReading[](MMAX);
        energy = new MeterEnergy[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            uint32 ex = m % 2 == 0 ? uint32(1_000 + 7 * m + t) : 0;
            uint32 im = m % 2 == 0 ? 0 : uint32(900 + 5 * m);
            slots[m].encoded =
                ReadingCodec.encode(Reading(uint64(block.chainid), address(hub), id, uint32(m), t, ex, im));
            slots[m].signature = abi.encodePacked(keccak256(abi.encode(m, t)), keccak256(abi.encode(t, m)));
            energy[m] = MeterEnergy(true, ex, im);
        }
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
