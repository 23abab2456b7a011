// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDataAvailabilityGame} from "../src/interfaces/IDataAvailabilityGame.sol";
import {ParticipantState} from "../src/types/Market.sol";
import {CommunityConfig, ParticipantAccount, WindowStatus} from "../src/types/Community.sol";
import {GameAction, GameMove} from "../src/types/Game.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {WindowCommitment} from "../src/libraries/WindowCommitment.sol";
import {HubFixture} from "./utils/HubFixture.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice The data-availability game (DESIGN.md §5.4) at W = 96: attacks 1 and 2 of issue 10 now fail,
/// an honest claimant keeps its claim and takes the challenger's bond, a silent claimant is rejected
/// and slashed, money is conserved exactly at every step; named gas snapshots of every move (group
/// "Game", `snapshots/Game.json`).
contract DataAvailabilityGameTest is HubFixture {
    uint32 internal constant GW = 96;
    uint256 internal constant N = 10;

    uint64 internal id;
    address internal challenger;
    bytes32[] internal leaves;
    uint32[] internal intervals;
    bytes32[] internal readingsRoots;
    bytes32[] internal stateHashes;

    function setUp() public {
        _deploy(N + 1);
        challenger = nodes[N];
        CommunityConfig memory c = _config(N);
        c.windowIntervals = GW;
        id = hub.open(c);
        _joinAll(id, N);
    }

    // ------------------------------------------------------------------ helpers

    function _end(uint32 w) internal pure returns (uint256) {
        return uint256(START) + (uint256(w) + 1) * GW * INTERVAL;
    }

    /// @dev An honest-looking window 0 (leaves well-formed); `garbage` positions hold random bytes instead.
    function _commit(ParticipantState[] memory finalState, uint256 garbage) internal returns (bytes32) {
        delete leaves;
        delete intervals;
        delete readingsRoots;
        delete stateHashes;
        for (uint32 p = 0; p < GW; ++p) {
            bytes32 rr = keccak256(abi.encode("readings", p));
            bytes32 sh = p == GW - 1 ? keccak256(abi.encode(finalState)) : keccak256(abi.encode("state", p));
            intervals.push(p);
            readingsRoots.push(rr);
            stateHashes.push(sh);
            leaves.push(p == garbage ? keccak256(abi.encode("garbage", p)) : WindowCommitment.intervalLeaf(p, rr, sh));
        }
        return MerkleTree.root(leaves);
    }

    function _claim(bytes32 root, ParticipantState[] memory s, uint256[] memory who) internal returns (bytes32) {
        if (block.timestamp < _end(0)) vm.warp(_end(0));
        hub.update(id, 0, root, _packed(s), _pack(_sign(id, 0, root, s, who)));
        return hub.claimHash(0, root, keccak256(abi.encode(s)));
    }

    /// @dev Node (height, index) of the canonical window tree over `leaves`.
    function _node(uint8 height, uint256 index) internal view returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(GW);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = leaves[i];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }

    function _move(GameAction action, bytes32 claim) internal view returns (GameMove memory m) {
        m.action = action;
        m.claim = claim;
        m.challenger = challenger;
    }

    function _play(address who, GameMove memory m) internal {
        vm.prank(who);
        hub.playGame(id, 0, abi.encode(m));
    }

    function _challenge(bytes32 claim) internal {
        _play(challenger, _move(GameAction.Challenge, claim));
    }

    /// @dev The claimant side (anyone: here participant 1, who did not sign) reveals node (height, index).
    function _reveal(bytes32 claim, uint8 height, uint32 index) internal {
        GameMove memory m = _move(GameAction.Reveal, claim);
        if (height > 0) {
            m.left = _node(height - 1, 2 * uint256(index));
            m.right = _node(height - 1, 2 * uint256(index) + 1);
        } else {
            m.interval = intervals[index];
            m.readingsRoot = readingsRoots[index];
            m.stateHash = stateHashes[index];
        }
        _play(nodes[1], m);
    }

    function _pick(bytes32 claim, uint8 side) internal {
        GameMove memory m = _move(GameAction.Pick, claim);
        m.side = side;
        _play(challenger, m);
    }

    /// @dev Bisects from the root towards `position`, the claimant answering every node above the leaf.
    function _bisectTo(bytes32 claim, uint32 position) internal {
        uint8 depth = uint8(MerkleTree.depth(GW));
        for (uint8 h = depth; h > 0; --h) {
            _reveal(claim, h, uint32(position >> h));
            _pick(claim, uint8((position >> (h - 1)) & 1));
        }
    }

    function _resolve(bytes32 claim) internal {
        _play(nodes[2], _move(GameAction.Resolve, claim));
    }

    /// @dev Tokens the hub holds = Σ escrow + Σ bond + Σ withdrawable + open challenge bonds.
    function _assertConserved(uint256 openBonds) internal view {
        uint256 sum = openBonds;
        for (uint256 i = 0; i < N; ++i) {
            ParticipantAccount memory a = hub.account(id, i);
            sum += uint256(a.escrow) + a.bond;
        }
        for (uint256 i = 0; i <= N; ++i) {
            sum += hub.withdrawable(token, nodes[i]);
        }
        sum += _depositsHeld(hub, token, id);
        assertEq(token.balanceOf(address(hub)), sum, "money conserved");
    }

    /// @dev What each signer of a claim lost by a missed deadline pays (Hub.CLAIM_DEPOSIT_BPS of the bond).
    function _penalty() internal view returns (uint256) {
        return uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
    }

    function _gameBond() internal pure returns (uint256) {
        return uint256(BOND) * GAME_BOND_BPS / 10_000;
    }

    /// @dev Participant 0 takes every other participant's escrow and bond (attack 1 of issue 10).
    function _theft() internal pure returns (ParticipantState[] memory) {
        int256[] memory nets = new int256[](N);
        int256 all = int256(uint256(BOND) + ESCROW);
        for (uint256 i = 1; i < N; ++i) {
            nets[i] = -all;
        }
        nets[0] = all * int256(N - 1);
        return _state(nets);
    }

    // ------------------------------------------------------------------ attacks of issue 10

    /// Attack 1: a random windowRoot, signed by its claimant only, taking everything. Nobody can open it:
    /// the claimant side misses its first deadline; the claim is rejected and its signer pays the bounded
    /// timeout penalty (review R5: a missed deadline is not proven fraud; the claim is not banned, but every
    /// new try costs the penalty again).
    function test_Attack1_UnopenableClaimRejectedAndSlashed() public {
        bytes32 root = keccak256("random root nobody can open");
        ParticipantState[] memory s = _theft();
        bytes32 claim = _claim(root, s, _only(0));
        uint256 challengerBefore = token.balanceOf(challenger);
        _challenge(claim);
        _assertConserved(_gameBond());
        // Nobody can answer: no pair of children hashes to a random root.
        GameMove memory m = _move(GameAction.Reveal, claim);
        m.left = keccak256("l");
        m.right = keccak256("r");
        vm.expectRevert(IDataAvailabilityGame.ChildrenMismatch.selector);
        _play(nodes[0], m);
        // The claim cannot finalize while the game is open, even after its challenge period.
        vm.warp(block.timestamp + CHALLENGE + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.GameInProgress.selector, id, uint32(0)));
        hub.finalize(id);
        // After the deadline anyone resolves: the claimant lost.
        _resolve(claim);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim gone");
        assertTrue(hub.rejectedClaim(id, claim).timedOut, "recorded rejected by timeout");
        assertFalse(hub.rejectedClaim(id, claim).slashed, "not proven fraud");
        uint256 penalty = _penalty();
        assertEq(hub.account(id, 0).bond, BOND - penalty, "claimant pays the bounded penalty");
        assertEq(hub.account(id, 0).escrow, ESCROW, "claimant took nothing");
        // Challenger: bond back + half of the penalty and of the forfeited claim deposit (review R9), + the
        // division's remainder.
        uint256 total = 2 * penalty;
        uint256 each = total / 2 / (N - 1);
        assertEq(hub.withdrawable(token, challenger), _gameBond() + total - each * (N - 1));
        assertEq(hub.account(id, 1).escrow, ESCROW + each, "victims compensated");
        vm.prank(challenger);
        hub.withdraw(token);
        assertEq(token.balanceOf(challenger), challengerBefore + total - each * (N - 1));
        _assertConserved(0);
    }

    /// Attack 2: every leaf published except a garbage leaf at W-2 (the last leaf commits to the posted
    /// state). The challenger bisects to W-2; its preimage does not exist; the claimant loses.
    function test_Attack2_GarbageLeafCaughtByBisection() public {
        ParticipantState[] memory s = _theft();
        bytes32 claim = _claim(_commit(s, GW - 2), s, _only(0));
        _challenge(claim);
        _bisectTo(claim, GW - 2);
        // The claimant cannot reveal a preimage of the garbage leaf.
        GameMove memory m = _move(GameAction.Reveal, claim);
        m.interval = GW - 2;
        m.readingsRoot = readingsRoots[GW - 2];
        m.stateHash = stateHashes[GW - 2];
        vm.expectRevert(IDataAvailabilityGame.LeafMismatch.selector);
        _play(nodes[0], m);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _resolve(claim);
        assertTrue(hub.rejectedClaim(id, claim).timedOut);
        assertEq(hub.account(id, 0).bond, BOND - _penalty());
        _assertConserved(0);
    }

    /// An honest claim: the claimant side answers every move, the leaf is opened, the challenger loses
    /// its bond to the signers, and the claim finalizes once the game is over.
    function test_HonestClaimKeptChallengerLosesBond() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, _only(0));
        _challenge(claim);
        _bisectTo(claim, 37);
        _reveal(claim, 0, 37);
        IDataAvailabilityGame.Game memory g = gameModule.game(address(hub), gameModule.gameId(id, claim, challenger));
        assertEq(uint8(g.phase), uint8(IDataAvailabilityGame.Phase.Opened));
        assertEq(g.node, leaves[37], "the opened leaf");
        // The challenger may use the open leaf until its deadline; nobody else can end the game early.
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.DeadlineNotPassed.selector, g.deadline));
        _resolve(claim);
        vm.warp(g.deadline + 1);
        _resolve(claim);
        assertEq(hub.account(id, 0).escrow, ESCROW + _gameBond(), "the signer takes the bond");
        assertEq(hub.withdrawable(token, challenger), 0);
        _assertConserved(0);
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "honest claim final");
    }

    /// The challenger concedes as soon as the leaf is open.
    function test_ChallengerConcedesAfterLeafOpened() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, _only(0));
        _challenge(claim);
        _bisectTo(claim, 95);
        _reveal(claim, 0, 95);
        _play(challenger, _move(GameAction.Resolve, claim));
        assertEq(hub.account(id, 0).escrow, ESCROW + _gameBond());
        _assertConserved(0);
    }

    /// A challenger that misses its pick deadline loses its bond.
    function test_ChallengerMissingDeadlineLoses() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, _only(0));
        _challenge(claim);
        _reveal(claim, 7, 0);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        vm.expectRevert();
        _pick(claim, 0);
        _resolve(claim);
        assertEq(hub.account(id, 0).escrow, ESCROW + _gameBond());
        _assertConserved(0);
    }

    /// A silent claimant of an honest-looking claim loses too: data nobody serves is as good as none.
    function test_SilentClaimantLoses() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        uint256[] memory who = new uint256[](2);
        who[0] = 0;
        who[1] = 3;
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, who);
        _challenge(claim);
        _bisectTo(claim, 5);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _resolve(claim);
        assertEq(hub.account(id, 0).bond, BOND - _penalty());
        assertEq(hub.account(id, 3).bond, BOND - _penalty());
        assertEq(hub.account(id, 1).bond, BOND);
        _assertConserved(0);
    }

    /// A fully signed result replaces the pending claim during a game: the game ends void, bond back.
    function test_GameVoidWhenClaimReplaced() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 root = _commit(s, type(uint256).max);
        bytes32 claim = _claim(keccak256("other"), s, _only(0));
        _challenge(claim);
        hub.update(id, 0, root, _packed(s), _pack(_sign(id, 0, root, s, _everyone(N))));
        _resolve(claim);
        assertEq(hub.withdrawable(token, challenger), _gameBond());
        _assertConserved(0);
    }

    function test_RevertWhen_IllegalMoves() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, _only(0));
        // Not the pending claim.
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.NoPendingClaim.selector, bytes32(uint256(1))));
        _challenge(bytes32(uint256(1)));
        _challenge(claim);
        bytes32 gid = gameModule.gameId(id, claim, challenger);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.GameExists.selector, gid));
        _challenge(claim);
        // The challenger cannot pick before the claimant revealed; nobody else can pick.
        vm.expectRevert(
            abi.encodeWithSelector(IDataAvailabilityGame.WrongPhase.selector, IDataAvailabilityGame.Phase.Reveal)
        );
        _pick(claim, 0);
        _reveal(claim, 7, 0);
        // The claimant side cannot reveal again (and so push the challenger's deadline) before the pick.
        vm.expectRevert(
            abi.encodeWithSelector(IDataAvailabilityGame.WrongPhase.selector, IDataAvailabilityGame.Phase.Pick)
        );
        _reveal(claim, 7, 0);
        GameMove memory m = _move(GameAction.Pick, claim);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.NotYourMove.selector, nodes[0]));
        _play(nodes[0], m);
        // The right child of the root covers positions 64..127: 64..95 are intervals, so it may be picked;
        // one level down, its right child (96..127) is padding only.
        _pick(claim, 1);
        _reveal(claim, 6, 1);
        m.side = 1;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.PaddingSubtree.selector, uint32(96)));
        _play(challenger, m);
        m.side = 2;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.BadSide.selector, uint8(2)));
        _play(challenger, m);
        // A challenge after the challenge period is refused.
        vm.warp(block.timestamp + CHALLENGE);
        vm.prank(nodes[5]);
        vm.expectRevert();
        hub.playGame(id, 0, abi.encode(_move(GameAction.Challenge, claim)));
    }

    /// Ending a game that does not exist must not close another one: the claimant's friend "resolves"
    /// a game of its own against the claim, which would otherwise uncount the honest challenger's game
    /// and let the claim finalize.
    function test_RevertWhen_UnknownGameResolved() public {
        bytes32 claim = _claim(keccak256("withheld"), _theft(), _only(0));
        _challenge(claim);
        GameMove memory m = _move(GameAction.Resolve, claim);
        m.challenger = nodes[0];
        bytes32 gid = gameModule.gameId(id, claim, nodes[0]);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.UnknownGame.selector, gid));
        _play(nodes[0], m);
        assertEq(gameModule.openGames(address(hub), id), 1);
        vm.warp(block.timestamp + CHALLENGE + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.GameInProgress.selector, id, uint32(0)));
        hub.finalize(id);
    }

    /// A move naming another window (where the claim is not pending) cannot end the game void: the
    /// claimant would otherwise free its withheld claim.
    function test_RevertWhen_MoveNamesAnotherWindow() public {
        bytes32 claim = _claim(keccak256("withheld"), _theft(), _only(0));
        _challenge(claim);
        vm.prank(nodes[0]);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.WrongWindow.selector, uint32(1), uint32(0)));
        hub.playGame(id, 1, abi.encode(_move(GameAction.Resolve, claim)));
        assertEq(gameModule.openGames(address(hub), id), 1);
    }

    /// A malformed leaf (interval not w·W + position) is no answer.
    function test_RevertWhen_MalformedLeafRevealed() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, _only(0));
        _challenge(claim);
        _bisectTo(claim, 3);
        GameMove memory m = _move(GameAction.Reveal, claim);
        m.interval = 4;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.MalformedInterval.selector, uint32(4), uint32(3)));
        _play(nodes[1], m);
    }

    // ------------------------------------------------------------------ gas

    function _measure(string memory name, address who, GameMove memory m) internal {
        bytes memory data = abi.encode(m);
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.cool(address(token));
        vm.prank(who);
        uint256 g = gasleft();
        hub.playGame(id, 0, data);
        uint256 used = g - gasleft();
        assertLe(used, 1_000_000, name);
        vm.snapshotValue("Game", string.concat(name, "_N10_W96"), used);
    }

    /// Gas of every move at W = 96, N = M = 10 (a move's cost does not depend on M; only the claimant's
    /// loss, which slashes, and the challenger's loss, which credits the signers, loop over N).
    function test_Gas_EveryMove() public {
        ParticipantState[] memory s = _alternatingState(N, 100);
        bytes32 claim = _claim(_commit(s, type(uint256).max), s, _everyone(N - 1));
        _measure("challenge", challenger, _move(GameAction.Challenge, claim));
        GameMove memory m = _move(GameAction.Reveal, claim);
        m.left = _node(6, 0);
        m.right = _node(6, 1);
        _measure("revealChildren", nodes[1], m);
        m = _move(GameAction.Pick, claim);
        _measure("pick", challenger, m);
        for (uint8 h = 6; h > 0; --h) {
            _reveal(claim, h, 0);
            _pick(claim, 0);
        }
        m = _move(GameAction.Reveal, claim);
        m.interval = 0;
        m.readingsRoot = readingsRoots[0];
        m.stateHash = stateHashes[0];
        _measure("revealLeaf", nodes[1], m);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _measure("resolve_challengerLost", nodes[2], _move(GameAction.Resolve, claim));
        // A fresh game the claimant side abandons: rejected, nine signers pay the timeout penalty.
        _challenge(claim);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _measure("resolve_claimantLost", nodes[2], _move(GameAction.Resolve, claim));
    }
}

// forge-lint: disable-end(block-timestamp, unsafe-typecast)

/// @notice The two outcomes that loop over participants, at the hub's largest community
/// (N = MAX_PARTICIPANTS = 256, one meter each), W = 96: a claim signed by 255 participants is
/// abandoned (255 signers pay the timeout penalty), one signed by 1 is abandoned (1 pays, 255 credited), and a
/// challenger of a claim signed by 255 loses (its bond split over 255 signers).
contract DataAvailabilityGameGasMaxTest is HubFixture {
    uint32 internal constant GW = 96;
    uint256 internal constant NMAX = 256;
    uint64 internal id;

    function setUp() public {
        _deploy(NMAX + 1);
        CommunityConfig memory c = _config(NMAX);
        c.windowIntervals = GW;
        id = hub.open(c);
        _joinAll(id, NMAX);
        vm.warp(uint256(START) + uint256(GW) * INTERVAL);
    }

    function _play(address who, GameAction action, bytes32 claim) internal returns (uint256 used) {
        GameMove memory m;
        m.action = action;
        m.claim = claim;
        m.challenger = nodes[NMAX];
        bytes memory data = abi.encode(m);
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.cool(address(token));
        vm.prank(who);
        uint256 g = gasleft();
        hub.playGame(id, 0, data);
        used = g - gasleft();
    }

    function _claimBy(uint256[] memory who) internal returns (bytes32) {
        ParticipantState[] memory s = _alternatingState(NMAX, 100);
        bytes32 root = keccak256("withheld");
        hub.update(id, 0, root, _packed(s), _pack(_sign(id, 0, root, s, who)));
        return hub.claimHash(0, root, keccak256(abi.encode(s)));
    }

    function test_Gas_ClaimantLost_255Signers() public {
        bytes32 claim = _claimBy(_signers255());
        _play(nodes[NMAX], GameAction.Challenge, claim);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        uint256 used = _play(nodes[1], GameAction.Resolve, claim);
        vm.snapshotValue("Game", "resolve_claimantLost_255of256_W96", used);
        // Over the 1,000,000 target: the hub's slash path (shared with `dispute`) writes every
        // participant's account and deletes the pending nets (DESIGN.md §5.6). Under the tx cap.
        assertLt(used, 16_777_216);
    }

    function test_Gas_ClaimantLost_1Signer() public {
        bytes32 claim = _claimBy(_only(0));
        _play(nodes[NMAX], GameAction.Challenge, claim);
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        uint256 used = _play(nodes[1], GameAction.Resolve, claim);
        vm.snapshotValue("Game", "resolve_claimantLost_1of256_W96", used);
        assertLt(used, 16_777_216);
    }

    /// The challenger loses (it concedes once a leaf is open): its bond is split over 255 signers.
    function test_Gas_ChallengerLost_255Signers() public {
        ParticipantState[] memory s = _alternatingState(NMAX, 100);
        // The canonical tree of 96 well-formed leaves (zero roots and states).
        bytes32[] memory leaves = new bytes32[](GW);
        for (uint256 i = 0; i < GW; ++i) {
            leaves[i] = keccak256(abi.encodePacked(bytes1(0x02), uint32(i), bytes32(0), bytes32(0)));
        }
        bytes32 root = MerkleTree.root(leaves);
        hub.update(id, 0, root, _packed(s), _pack(_sign(id, 0, root, s, _signers255())));
        bytes32 claim = hub.claimHash(0, root, keccak256(abi.encode(s)));
        _play(nodes[NMAX], GameAction.Challenge, claim);
        // The challenger never picks after the first reveal: it loses at its deadline.
        GameMove memory m;
        m.action = GameAction.Reveal;
        m.claim = claim;
        m.challenger = nodes[NMAX];
        m.left = _subtree(leaves, 6, 0);
        m.right = _subtree(leaves, 6, 1);
        vm.prank(nodes[3]);
        hub.playGame(id, 0, abi.encode(m));
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        uint256 used = _play(nodes[1], GameAction.Resolve, claim);
        vm.snapshotValue("Game", "resolve_challengerLost_255of256_W96", used);
        assertLe(used, 1_000_000);
    }

    function _subtree(bytes32[] memory leaves, uint8 height, uint256 index) internal pure returns (bytes32) {
        bytes32[] memory level = new bytes32[](128);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = leaves[i];
        }
        uint256 width = 128;
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }

    function _signers255() internal pure returns (uint256[] memory who) {
        who = new uint256[](NMAX - 1);
        for (uint256 i = 0; i < NMAX - 1; ++i) {
            who[i] = i;
        }
    }
}
