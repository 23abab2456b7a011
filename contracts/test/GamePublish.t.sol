// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {IDataAvailabilityGame} from "../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../src/types/Market.sol";
import {CommunityConfig, Meter, WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, ForgedReadingProof, IntervalProof, SignedReading, StepProof} from "../src/types/Dispute.sol";
import {GameAction, GameMove, PublishedStep} from "../src/types/Game.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {MeterTable} from "../src/libraries/MeterTable.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {WindowCommitment} from "../src/libraries/WindowCommitment.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @dev What a watcher gets from an opened game: the move of the `Publish` transaction (its calldata),
/// checked against the event's hash, and the opened leaf's path (the children revealed on the way).
library Published {
    /// @notice S_{t-1} as BadStep takes it, from its packed form (PackedState's layout).
    function unpack(bytes memory packed) internal pure returns (ParticipantState[] memory s) {
        uint256 n = packed.length / PackedState.STRIDE;
        s = new ParticipantState[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 a;
            uint256 b;
            assembly {
                a := mload(add(packed, add(32, mul(i, 64))))
                b := mload(add(packed, add(64, mul(i, 64))))
            }
            s[i] = ParticipantState(
                uint64(a >> 192),
                uint64(a >> 128),
                uint64(a >> 64),
                uint64(a),
                uint64(b >> 192),
                uint64(b >> 128),
                int256(int128(uint128(b)))
            );
        }
    }
}

/// @notice The game's last claimant move (review R1): the claimant side publishes the opened step's
/// data (M slots, leaf t-1, S_{t-1}) in calldata; with it a challenger builds the ordinary fraud proofs
/// against a claim whose step is wrong, and they are accepted while the game holds the claim open, even
/// after the claim's challenge period. Real commitments of a one-day window (N = M = 10, W = 96, Ed25519
/// readings signed in TypeScript).
contract GamePublishTest is DisputeFixture {
    bytes32 internal claim;
    uint256 internal gameBond;

    function setUp() public {
        _setUpCommunity(ED25519);
        token.mint(challenger, 1e30);
        vm.prank(challenger);
        token.approve(address(hub), type(uint256).max);
        gameBond = uint256(BOND) * GAME_BOND_BPS / 10_000;
    }

    // ------------------------------------------------------------------ helpers

    function _node(bytes32[] memory lv, uint8 height, uint256 index) internal pure returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(lv.length);
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

    function _mv(GameAction action) internal view returns (GameMove memory m) {
        m.action = action;
        m.claim = claim;
        m.challenger = challenger;
    }

    function _play(address who, bytes memory move) internal {
        vm.prank(who);
        hub.playGame(id, 0, move);
    }

    /// @dev Claims `c` signed by 0, 1, 2; the challenger opens a game one second before the claim's
    /// challenge period ends, so that the game outlives it.
    function _claimAndChallengeLate(Commit memory c) internal {
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        claim = _claimHash(0, c.root, StateHash.hash(c.states[W - 1]));
        vm.warp(uint256(hub.windowRecord(id, 0).submittedAt) + CHALLENGE - 1);
        _play(challenger, abi.encode(_mv(GameAction.Challenge)));
    }

    /// @dev The claimant side (participant 1) answers every reveal down to leaf `t` and its preimage.
    function _bisectAndReveal(Commit memory c, uint32 t) internal {
        for (uint8 h = uint8(MerkleTree.depth(W)); h > 0; --h) {
            GameMove memory r = _mv(GameAction.Reveal);
            r.left = _node(c.leaves, h - 1, 2 * uint256(t >> h));
            r.right = _node(c.leaves, h - 1, 2 * uint256(t >> h) + 1);
            _play(nodes[1], abi.encode(r));
            GameMove memory p = _mv(GameAction.Pick);
            p.side = uint8((t >> (h - 1)) & 1);
            _play(challenger, abi.encode(p));
        }
        GameMove memory leaf = _mv(GameAction.Reveal);
        leaf.interval = t;
        leaf.readingsRoot = c.readingsRoots[t];
        leaf.stateHash = StateHash.hash(c.states[t]);
        _play(nodes[1], abi.encode(leaf));
    }

    /// @dev The claimant side publishes step `t` from its commitment; returns the move (the calldata a
    /// watcher reads back from the transaction), checked against the event's hash.
    function _publish(Commit memory c, uint32 t) internal returns (bytes memory move) {
        GameMove memory m = _mv(GameAction.Publish);
        m.interval = t;
        m.readingsRoot = c.readingsRoots[t];
        m.stateHash = StateHash.hash(c.states[t]);
        PublishedStep memory d;
        d.slots = new SignedReading[](M);
        for (uint256 k = 0; k < M; ++k) {
            d.slots[k] = _committed(c, k, t);
        }
        if (t > 0) {
            d.previous = _intervalProof(c, t - 1);
            d.prevState = PackedState.pack(c.states[t - 1]);
        }
        move = abi.encode(m, d);
        vm.recordLogs();
        _play(nodes[1], move);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IDataAvailabilityGame.StepPublished.selector;
        bool seen;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != topic) continue;
            (uint32 position,, bytes32 dataHash,) = abi.decode(logs[i].data, (uint32, uint32, bytes32, uint64));
            assertEq(position, t);
            assertEq(dataHash, keccak256(move), "the event names the calldata");
            seen = true;
        }
        assertTrue(seen, "StepPublished emitted");
    }

    /// @dev BadStep of the opened leaf t built from the published move alone and the opened leaf's path.
    function _stepProofFromPublished(Commit memory c, bytes memory move) internal view returns (bytes memory) {
        (GameMove memory m, PublishedStep memory d) = abi.decode(move, (GameMove, PublishedStep));
        uint32 t = m.interval;
        StepProof memory p;
        if (t > 0) {
            p.previous = d.previous;
            p.prevState = Published.unpack(d.prevState);
        }
        // The path: the children the claimant side revealed on the way down (its tree's nodes).
        p.current = IntervalProof(t, m.interval, m.readingsRoot, m.stateHash, _proof(c.leaves, t));
        p.slots = d.slots;
        p.padding = new bytes32[]((uint256(1) << MerkleTree.depth(d.slots.length)) - d.slots.length);
        p.limits = limits;
        return abi.encode(p);
    }

    function _assertSignersSlashed() internal view {
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "signer slashed");
        }
        for (uint256 i = 3; i < N; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            assertEq(aBond, BOND, "victim keeps its bond");
            assertGe(aCredit, 0, "victim whole");
        }
    }

    /// @dev The game's claim is gone: the next move (anyone's) ends it void and returns the bond.
    function _endVoid() internal {
        uint256 before = hub.withdrawable(token, challenger);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        assertEq(hub.withdrawable(token, challenger), before + gameBond, "bond back");
        assertEq(gameModule.openGames(address(hub), id), 0);
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    // ------------------------------------------------------------------ tests

    /// An honest claimant publishes its step and keeps its claim: no proof goes through with the
    /// published data, the challenger's last deadline passes, its bond goes to the signers, the claim
    /// finalizes.
    function test_HonestClaimantPublishesAndKeepsClaim() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        bytes memory move = _publish(c, 50);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, move)
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
    /// folded: the step is right for what is committed, so only the slot is wrong. The challenger proves
    /// it with the published slot and a slot proof over the published slots.
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
        (GameMove memory m, PublishedStep memory d) = abi.decode(move, (GameMove, PublishedStep));
        bytes32[] memory slotLeaves = new bytes32[](M);
        for (uint256 k = 0; k < M; ++k) {
            slotLeaves[k] = WindowCommitment.slotLeaf(d.slots[k].encoded, d.slots[k].signature);
        }
        ForgedReadingProof memory f = ForgedReadingProof(
            IntervalProof(50, m.interval, m.readingsRoot, m.stateHash, _proof(c.leaves, 50)),
            4,
            d.slots[4],
            _proof(slotLeaves, 4)
        );
        _disputeReverts("", DisputeKind.ForgedReading, abi.encode(f));
        _assertSignersSlashed();
        _endVoid();
    }
}

/// @notice The publish move at the hub's largest meter table (M = MeterTable.MAX_METERS = 341) and
/// participant count (N = 256), W = 96: execution gas into `snapshots/Game.json`, calldata size and
/// the whole transaction's gas (EIP-7623 floor) against the 2^24 cap of EIP-7825 and the 128 KiB
/// transaction size clients relay. Every slot is a 70-byte encoding and a 64-byte signature (Ed25519,
/// P-256): the module only hashes them.
contract GamePublishGasTest is HubFixture {
    uint256 internal constant NMAX = 256;
    uint256 internal constant MMAX = 341;
    uint32 internal constant GW = 96;

    uint64 internal cid;
    bytes32[] internal lv;
    bytes32 internal rr;
    bytes32[2] internal sh;

    function test_Gas_PublishAtLargestCommunity() public {
        _deploy(NMAX + 1);
        assertEq(MeterTable.MAX_METERS, MMAX);
        CommunityConfig memory c = _config(NMAX);
        c.meters = new Meter[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            c.meters[m] = Meter(_meterKey(m), ED25519, uint32(m % NMAX));
        }
        c.windowIntervals = GW;
        c.windowCount = 1;
        c.market = MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0));
        c.modules = _modules(MarketKind.Mmr);
        cid = _openConfig(c);
        _joinAll(cid, NMAX);

        SignedReading[] memory slots = new SignedReading[](MMAX);
        for (uint256 m = 0; m < MMAX; ++m) {
            slots[m] = SignedReading(
                abi.encodePacked(keccak256(abi.encode("e", m)), keccak256(abi.encode("f", m)), bytes6(0x010203040506)),
                abi.encodePacked(keccak256(abi.encode("r", m)), keccak256(abi.encode("s", m)))
            );
        }
        rr = WindowCommitment.readingsRootOf(slots, new bytes32[](0));
        ParticipantState[] memory s0 = _alternatingState(NMAX, 1_000_000_007);
        ParticipantState[] memory s1 = _alternatingState(NMAX, 2_000_000_011);
        sh[0] = StateHash.hash(s0);
        sh[1] = StateHash.hash(s1);
        for (uint32 p = 0; p < GW; ++p) {
            lv.push(WindowCommitment.intervalLeaf(p, rr, sh[p % 2]));
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
        mv.stateHash = sh[1];
        vm.prank(nodes[1]);
        hub.playGame(cid, 0, abi.encode(mv));

        mv.action = GameAction.Publish;
        PublishedStep memory d;
        d.slots = slots;
        bytes32[] memory proof = new bytes32[](MerkleTree.depth(GW));
        for (uint8 h = 0; h < proof.length; ++h) {
            proof[h] = _node(h, (uint256(0) >> h) ^ 1);
        }
        d.previous = IntervalProof(0, 0, rr, sh[0], proof);
        d.prevState = PackedState.pack(s0);
        bytes memory data = abi.encodeCall(hub.playGame, (cid, 0, abi.encode(mv, d)));
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.prank(nodes[1]);
        (bool ok,) = address(hub).call(data);
        // The call frame's own gas (a gasleft() difference here would add this test's memory expansion).
        uint256 used = vm.lastCallGas().gasTotalUsed;
        assertTrue(ok, "published");
        bytes32 gid = gameModule.gameId(cid, claim, ch);
        assertEq(uint8(gameModule.game(address(hub), gid).phase), uint8(IDataAvailabilityGame.Phase.Opened));
        uint256 txGas = _txGas(data, used);
        emit log_named_uint("publish calldata bytes", data.length);
        emit log_named_uint("publish execution gas", used);
        emit log_named_uint("publish transaction gas", txGas);
        vm.snapshotValue("Game", "publish_M341_N256_W96", used);
        vm.snapshotValue("Game", "publish_M341_N256_W96_txGas", txGas);
        vm.snapshotValue("Game", "publish_M341_N256_W96_bytes", data.length);
        assertLt(data.length, 131_072, "under the 128 KiB transaction size clients relay");
        assertLt(txGas, 16_777_216, "under the EIP-7825 transaction gas cap");
    }

    /// @dev Gas of a transaction carrying `data` whose execution took `execution` (EIP-7623 floor).
    function _txGas(bytes memory data, uint256 execution) internal pure returns (uint256) {
        uint256 tokens;
        for (uint256 i = 0; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
        uint256 standard = 21_000 + 4 * tokens + execution;
        uint256 floor = 21_000 + 10 * tokens;
        return standard > floor ? standard : floor;
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
