// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDataAvailabilityGame} from "../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../src/types/Market.sol";
import {CommunityConfig, Meter, WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, IntervalProof, MeterLeafOpening, SignedReading} from "../src/types/Dispute.sol";
import {GameAction, GameMove, MeterReveal, PublishedStep} from "../src/types/Game.sol";
import {MeterRegistry} from "../src/libraries/MeterRegistry.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {Reading, ReadingCodec} from "../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../src/libraries/WindowCommitment.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {transactionGas} from "./utils/TxGas.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

import {GamePlay} from "./utils/GamePlay.sol";

/// @notice The game's last claimant moves (review R1, issue 10): the claimant side publishes the opened
/// step's data (E_t, leaf t-1, S_{t-1}) in calldata, then answers the meter level down to one meter leaf
/// and opens it (`OpenMeter`: its slot, its running sums, meter k−1's leaf); with that data alone a
/// challenger builds the ordinary fraud proofs (BadStep, BadEnergy, ForgedReading) against a claim whose
/// step, sums or slot is wrong, and they are accepted while the game holds the claim open, even after the
/// claim's challenge period. Real commitments of a one-day window (N = M = 10, W = 96, Ed25519 readings
/// signed in TypeScript).
contract GamePublishTest is GamePlay {
    // ------------------------------------------------------------------ tests

    /// An honest claimant publishes its step, answers the meter level down to a meter and opens it, and
    /// keeps its claim: no proof goes through with the game's data (BadStep, BadEnergy of both faults,
    /// ForgedReading), the challenger's last deadline passes, its bond goes to the signers, the claim
    /// finalizes.
    function test_HonestClaimantAnswersToAMeterAndKeepsClaim() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        bytes memory move = _publish(c, 50);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, move)
        );
        bytes32[] memory path = _bisectMeters(c, 50, 4);
        bytes memory open = _openMeter(c, 50, 4);
        (bytes memory accumulation, bytes memory total, bytes memory forged) = _meterProofs(c, move, open, 4, path);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
            DisputeKind.BadEnergy,
            accumulation
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
            DisputeKind.BadEnergy,
            total
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.ForgedReading),
            DisputeKind.ForgedReading,
            forged
        );
        bytes32 gid = gameModule.gameId(id, claim, challenger);
        vm.warp(gameModule.game(address(hub), gid).deadline + 1);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "honest claim final");
        assertEq(_bondOf(hub, id, 0), BOND, "no signer slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// A wrong step at t = 50 over well-formed, openable data: the claimant side answers every move
    /// and publishes; the challenger builds BadStep from the published calldata, after the claim's
    /// challenge period (the open game holds the claim): accepted, the signers slashed; the game then
    /// ends void.
    function test_PublishedDataProvesBadStep() public {
        Commit memory c = _honest();
        c.states[50][0].exportWh += 1;
        c = _commit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        bytes memory move = _publish(c, 50);
        // Past the claim's challenge period (within the challenger's last deadline): finalize waits.
        vm.warp(block.timestamp + MOVE_DEADLINE / 2);
        assertGt(block.timestamp, uint256(hub.windowRecord(id, 0).submittedAt) + CHALLENGE);
        vm.expectRevert(abi.encodeWithSelector(IHub.GameInProgress.selector, id, uint32(0)));
        hub.finalize(id);
        _disputeReverts("", DisputeKind.BadStep, _stepProofFromPublished(c, move));
        _assertSignersSlashed();
        _endVoid();
    }

    /// The same at t = 0 (S_{-1} = zeros, nothing else published).
    function test_PublishedDataProvesBadStepAtPositionZero() public {
        Commit memory c = _honest();
        c.states[0][3].importWh += 1;
        c = _commit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 0);
        bytes memory move = _publish(c, 0);
        _disputeReverts("", DisputeKind.BadStep, _stepProofFromPublished(c, move));
        _assertSignersSlashed();
        _endVoid();
    }

    /// A forged reading (meter 4's energy changed under its genuine signature) committed at t = 50 and
    /// folded: the step and the sums are right for what is committed, so only the slot is wrong. The
    /// challenger bisects the readings tree to meter 4 and proves it with the opened slot and its path.
    function test_PublishedDataProvesForgedReading() public {
        Commit memory c = _honestInputs();
        c.enc[50][4] = _reading(4, 50, exportWh[50 * M + 4] + 500, importWh[50 * M + 4]);
        c = _fold(c, 0);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        bytes memory move = _publish(c, 50);
        // BadStep does not prove it (the fold is right for the committed slots).
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, move)
        );
        bytes32[] memory path = _bisectMeters(c, 50, 4);
        bytes memory open = _openMeter(c, 50, 4);
        (bytes memory accumulation,, bytes memory forged) = _meterProofs(c, move, open, 4, path);
        // Nor does BadEnergy (the sums add up the committed slot's energy).
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
            DisputeKind.BadEnergy,
            accumulation
        );
        _disputeReverts("", DisputeKind.ForgedReading, forged);
        _assertSignersSlashed();
        _endVoid();
    }

    /// A wrong running sum (meter 4's sum at t = 50 one kWh over its slot's energy), with E_t and every
    /// later state consistent with it: neither BadStep nor BadEnergy's total fault proves it. The
    /// challenger bisects the readings tree to the leftmost meter leaf that differs from its own (meter 4)
    /// and proves BadEnergy's accumulation fault from the game's data alone.
    function test_WrongRunningSumFoundThroughGameProvenBadEnergy() public {
        Commit memory h = _honest();
        Commit memory c = _inflate(_honest(), 50, 4, 1000);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        bytes memory move = _publish(c, 50);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, move)
        );
        // The challenger's pick: the leftmost meter leaf that differs from its own tree.
        uint32 k;
        while (c.meterLeaves[50][k] == h.meterLeaves[50][k]) ++k;
        assertEq(k, 4);
        bytes32[] memory path = _bisectMeters(c, 50, k);
        bytes memory open = _openMeter(c, 50, k);
        (bytes memory accumulation, bytes memory total,) = _meterProofs(c, move, open, k, path);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
            DisputeKind.BadEnergy,
            total
        );
        _disputeReverts("", DisputeKind.BadEnergy, accumulation);
        _assertSignersSlashed();
        _endVoid();
    }
}

/// @notice The publish move and the meter level's moves at the hub's largest meter table
/// (M = MeterRegistry.MAX_METERS = 1,024, grouped by owner) and participant count (N = 256), W = 96: execution
/// gas into `snapshots/Game.json`, calldata size and the whole transaction's gas (EIP-7623 floor) against
/// the 2^24 cap of EIP-7825 and the 128 KiB transaction size clients relay. Every slot is a 70-byte
/// encoding and a 64-byte signature (Ed25519, P-256): the module only hashes them.
contract GamePublishGasTest is HubFixture {
    uint256 internal constant NMAX = 256;
    uint256 internal constant MMAX = 1024;
    uint32 internal constant GW = 96;

    uint64 internal cid;
    bytes32[] internal lv;
    bytes32[] internal ml;
    bytes32 internal rr;
    bytes32 internal eh;
    bytes32[2] internal sh;

    function test_Gas_PublishAtLargestCommunity() public {
        _deploy(NMAX + 1);
        assertEq(MeterRegistry.MAX_METERS, MMAX);
        CommunityConfig memory c = _config(NMAX);
        c.meters = new Meter[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            c.meters[m] = Meter(_meterKey(m), ED25519, uint32(m * NMAX / MMAX));
        }
        c.windowIntervals = GW;
        c.windowCount = 1;
        c.market = MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0));
        c.modules = _modules(MarketKind.Mmr);
        cid = _openConfig(c);
        _joinAll(cid, NMAX);

        (SignedReading[] memory slots, bytes memory energy) = _interval1();
        ParticipantState[] memory s0 = _alternatingState(NMAX, 1_000_000_007);
        ParticipantState[] memory s1 = _alternatingState(NMAX, 2_000_000_011);
        sh[0] = StateHash.hash(s0);
        sh[1] = StateHash.hash(s1);
        for (uint32 p = 0; p < GW; ++p) {
            lv.push(WindowCommitment.intervalLeaf(p, rr, eh, sh[p % 2], bytes32(0)));
        }
        bytes32 root = MerkleTree.root(lv);
        vm.warp(uint256(START) + uint256(GW) * INTERVAL);
        bytes memory co = _packConcat(abi.encodePacked(uint8(0), _signDigest(keys[0], _digest(cid, 0, root, s1))));
        bytes32 bRoot1 = _balancesRoot(cid, 0, s1);
        hub.update(cid, 0, root, sh[1], bRoot1, ConfigBuilder.finalStateOf(s1, co), co);
        bytes32 claim = hub.claimHash(0, root, sh[1], bRoot1);
        address ch = nodes[NMAX];
        GameMove memory mv;
        mv.claim = claim;
        mv.challenger = ch;
        mv.action = GameAction.Challenge;
        vm.prank(ch);
        hub.playGame(cid, 0, abi.encode(mv));
        // Down to leaf 1.
        for (uint8 h = uint8(MerkleTree.depth(GW)); h > 0; --h) {
            mv.action = GameAction.Reveal;
            mv.left = _node(h - 1, 2 * uint256(1 >> h));
            mv.right = _node(h - 1, 2 * uint256(1 >> h) + 1);
            vm.prank(nodes[1]);
            hub.playGame(cid, 0, abi.encode(mv));
            mv.action = GameAction.Pick;
            mv.side = uint8((1 >> (h - 1)) & 1);
            vm.prank(ch);
            hub.playGame(cid, 0, abi.encode(mv));
        }
        mv.action = GameAction.Reveal;
        mv.interval = 1;
        mv.readingsRoot = rr;
        mv.energyHash = eh;
        mv.stateHash = sh[1];
        vm.prank(nodes[1]);
        hub.playGame(cid, 0, abi.encode(mv));

        _publishAndMeasure(mv, energy, s0, ch);
        _meterLevel(mv, slots, ch);
    }

    /// @dev The measured `Publish` of leaf 1 (E_t, leaf 0 with its path, S_0 packed).
    function _publishAndMeasure(GameMove memory mv, bytes memory energy, ParticipantState[] memory s0, address ch)
        internal
    {
        mv.action = GameAction.Publish;
        PublishedStep memory d;
        d.energy = energy;
        bytes32[] memory proof = new bytes32[](MerkleTree.depth(GW));
        for (uint8 h = 0; h < proof.length; ++h) {
            proof[h] = _node(h, (uint256(0) >> h) ^ 1);
        }
        d.previous = IntervalProof(0, 0, rr, eh, sh[0], bytes32(0), proof);
        d.prevState = PackedState.pack(s0);
        bytes memory data = abi.encodeCall(hub.playGame, (cid, 0, abi.encode(mv, d)));
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.prank(nodes[1]);
        (bool ok,) = address(hub).call(data);
        // The call frame's own gas (a gasleft() difference here would add this test's memory expansion).
        uint256 used = vm.lastCallGas().gasTotalUsed;
        assertTrue(ok, "published");
        bytes32 gid = gameModule.gameId(cid, mv.claim, ch);
        assertEq(uint8(gameModule.game(address(hub), gid).phase), uint8(IDataAvailabilityGame.Phase.Reveal));
        assertEq(gameModule.game(address(hub), gid).height, MerkleTree.depth(MMAX));
        uint256 txGas = transactionGas(data, used);
        emit log_named_uint("publish calldata bytes", data.length);
        emit log_named_uint("publish execution gas", used);
        emit log_named_uint("publish transaction gas", txGas);
        vm.snapshotValue("Game", "publish_M1024_N256_W96", used);
        vm.snapshotValue("Game", "publish_M1024_N256_W96_txGas", txGas);
        vm.snapshotValue("Game", "publish_M1024_N256_W96_bytes", data.length);
        assertLt(data.length, 131_072, "under the 128 KiB transaction size clients relay");
        assertLt(txGas, 16_777_216, "under the EIP-7825 transaction gas cap");
    }

    /// @dev Interval 1's slots (decodable readings, any signature: the game only hashes them), its meter
    /// leaves, readingsRoot and E_t (every interval of the window commits to the same).
    function _interval1() internal returns (SignedReading[] memory slots, bytes memory energy) {
        slots = new SignedReading[](MMAX);
        uint32[] memory owners = new uint32[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            owners[m] = uint32(m * NMAX / MMAX);
            slots[m] = SignedReading(
                ReadingCodec.encode(
                    Reading(uint64(block.chainid), address(hub), cid, uint32(m), 1, uint32(1000 + m), uint32(7 * m))
                ),
                abi.encodePacked(keccak256(abi.encode("r", m)), keccak256(abi.encode("s", m)))
            );
        }
        (ml, energy) = WindowCommitment.meterLeaves(slots, owners, NMAX);
        rr = MerkleTree.root(ml);
        eh = keccak256(energy);
    }

    /// @dev The meter level of the largest tree (depth 9), down to the last meter, M − 1 = 340: the first
    /// reveal and pick measured, then the opening (its slot, sums and meter 339's leaf with its path).
    function _meterLevel(GameMove memory mv, SignedReading[] memory slots, address ch) internal {
        uint32 k = uint32(MMAX - 1);
        uint8 depth = uint8(MerkleTree.depth(MMAX));
        for (uint8 h = depth; h > 0; --h) {
            mv.action = GameAction.Reveal;
            mv.left = _meterNode(h - 1, 2 * uint256(k >> h));
            mv.right = _meterNode(h - 1, 2 * uint256(k >> h) + 1);
            uint256 used = _call(nodes[1], abi.encode(mv));
            if (h == depth) vm.snapshotValue("Game", "revealMeterChildren_M1024_N256_W96", used);
            mv.action = GameAction.Pick;
            mv.side = uint8((k >> (h - 1)) & 1);
            used = _call(ch, abi.encode(mv));
            if (h == depth) vm.snapshotValue("Game", "pickMeter_M1024_N256_W96", used);
        }
        mv.action = GameAction.OpenMeter;
        MeterReveal memory r;
        r.slot = slots[k];
        (r.accExportWh, r.accImportWh) = _acc(slots, k);
        (uint64 e, uint64 i) = _acc(slots, k - 1);
        bytes32[] memory path = new bytes32[](depth);
        for (uint8 h = 0; h < depth; ++h) {
            path[h] = _meterNode(h, ((k - 1) >> h) ^ 1);
        }
        r.previous = MeterLeafOpening(
            k - 1, WindowCommitment.slotLeaf(slots[k - 1].encoded, slots[k - 1].signature), e, i, path
        );
        bytes memory data = abi.encode(mv, r);
        uint256 usedOpen = _call(nodes[1], data);
        vm.snapshotValue("Game", "openMeter_M1024_N256_W96", usedOpen);
        vm.snapshotValue("Game", "openMeter_M1024_N256_W96_bytes", data.length);
        assertLe(usedOpen, 1_000_000);
    }

    /// @dev Meter k's running sums (owner(m) = floor(m·N/M)).
    function _acc(SignedReading[] memory slots, uint256 k) internal pure returns (uint64 e, uint64 i) {
        for (uint256 m = 0; m <= k; ++m) {
            if (m > 0 && m * NMAX / MMAX != (m - 1) * NMAX / MMAX) (e, i) = (0, 0);
            (, uint64 de, uint64 di) = WindowCommitment.slotEnergy(slots[m]);
            e += de;
            i += di;
        }
    }

    function _call(address who, bytes memory move) internal returns (uint256) {
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.prank(who);
        hub.playGame(cid, 0, move);
        return vm.lastCallGas().gasTotalUsed;
    }

    function _meterNode(uint8 height, uint256 index) internal view returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(MMAX);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 x = 0; x < ml.length; ++x) {
            level[x] = ml[x];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 x = 0; x < width; ++x) {
                level[x] = MerkleTree.hashPair(level[2 * x], level[2 * x + 1]);
            }
        }
        return level[index];
    }

    function _node(uint8 height, uint256 index) internal view returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(GW);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < lv.length; ++i) {
            level[i] = lv[i];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
