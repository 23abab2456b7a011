// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityConfig, WindowStatus} from "../../src/types/Community.sol";
import {DisputeKind, FinalStateProof, IntervalProof, SignedReading, StepProof} from "../../src/types/Dispute.sol";
import {GameAction, GameMove, PublishedStep} from "../../src/types/Game.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {ConfigBuilder} from "../utils/ConfigBuilder.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Security review of main (docs/review.md): attacks on the data-availability game and on the
/// hub's handling of it. Each test PERFORMS an attack and asserts that it works on main today; the
/// rule that would stop it is named in the test's comment and in docs/review.md.
contract ReviewGameAttacksTest is HubFixture {
    /// W of community A: a window tree of depth 3 (any W shows the same; the issue's 96 only adds moves).
    uint32 internal constant GW = 8;
    /// Participants of community A (and of the attacker's community B in R2).
    uint256 internal constant NA = 4;

    uint64 internal id;
    address internal challenger;
    address internal attacker;

    bytes32[] internal leaves;
    bytes32[] internal readingsRoots;
    bytes32[] internal energyHashes;
    bytes32[] internal stateHashes;

    function setUp() public {
        // nodes[0..NA-1]: community A; nodes[NA]: an honest challenger; nodes[NA+1..2NA]: the attacker's
        // own addresses (community B of R2).
        _deploy(2 * NA + 1);
        challenger = nodes[NA];
        attacker = nodes[0];
        id = _openConfig(_cfg(0, BOND, ESCROW, CHALLENGE));
        _joinRange(id, 0);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A one-window community of NA participants nodes[from..from+NA-1], W = GW.
    function _cfg(uint256 from, uint128 bond, uint128 escrow, uint32 period)
        internal
        view
        returns (CommunityConfig memory c)
    {
        c = _config(NA);
        for (uint256 i = 0; i < NA; ++i) {
            c.participants[i] = nodes[from + i];
        }
        c.windowIntervals = GW;
        c.windowCount = 1;
        c.bond = bond;
        c.escrow = escrow;
        c.challengePeriod = period;
    }

    /// @dev nodes[from + i] joins `cid` as its participant i.
    function _joinRange(uint64 cid, uint256 from) internal {
        for (uint256 i = 0; i < NA; ++i) {
            bytes32[] memory proof = book.genesisProof(hub, cid, i);
            vm.prank(nodes[from + i]);
            hub.join(cid, i, proof, "");
        }
    }

    /// @dev Window 0's tree: every interval leaf WELL FORMED (interval = position) but over a random
    /// readingsRoot, energyHash and stateHash, except the last leaf, whose stateHash is the posted S_W's.
    function _wellFormedTree(ParticipantState[] memory finalState) internal returns (bytes32) {
        delete leaves;
        delete readingsRoots;
        delete energyHashes;
        delete stateHashes;
        for (uint32 p = 0; p < GW; ++p) {
            bytes32 rr = keccak256(abi.encode("no preimage: readings", p));
            bytes32 eh = keccak256(abi.encode("no preimage: energy", p));
            bytes32 sh = p == GW - 1 ? StateHash.hash(finalState) : keccak256(abi.encode("no preimage: state", p));
            readingsRoots.push(rr);
            energyHashes.push(eh);
            stateHashes.push(sh);
            leaves.push(WindowCommitment.intervalLeaf(p, rr, eh, sh, bytes32(0)));
        }
        return MerkleTree.root(leaves);
    }

    /// @dev Node (height, index) of the canonical tree over `leaves`.
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

    /// @dev Siblings of leaf `index` bottom-up.
    function _siblings(uint256 index) internal view returns (bytes32[] memory proof) {
        uint8 depth = uint8(MerkleTree.depth(GW));
        proof = new bytes32[](depth);
        for (uint8 h = 0; h < depth; ++h) {
            proof[h] = _node(h, (index >> h) ^ 1);
        }
    }

    function _intervalProof(uint32 p) internal view returns (IntervalProof memory ip) {
        ip = IntervalProof(p, p, readingsRoots[p], energyHashes[p], stateHashes[p], bytes32(0), _siblings(p));
    }

    function _mv(GameAction action, bytes32 claim, address who) internal pure returns (GameMove memory m) {
        m.action = action;
        m.claim = claim;
        m.challenger = who;
    }

    function _play(uint64 cid, address who, GameMove memory m) internal {
        vm.prank(who);
        hub.playGame(cid, 0, abi.encode(m));
    }

    /// @dev The claimant side answers node (height, index) of `claim`'s game of `gameChallenger`.
    function _reveal(uint64 cid, bytes32 claim, address gameChallenger, address by, uint8 height, uint32 index)
        internal
    {
        GameMove memory m = _mv(GameAction.Reveal, claim, gameChallenger);
        if (height > 0) {
            m.left = _node(height - 1, 2 * uint256(index));
            m.right = _node(height - 1, 2 * uint256(index) + 1);
        } else {
            m.interval = index;
            m.readingsRoot = readingsRoots[index];
            m.energyHash = energyHashes[index];
            m.stateHash = stateHashes[index];
        }
        _play(cid, by, m);
    }

    function _pick(uint64 cid, bytes32 claim, address gameChallenger, uint8 side) internal {
        GameMove memory m = _mv(GameAction.Pick, claim, gameChallenger);
        m.side = side;
        _play(cid, gameChallenger, m);
    }

    /// @dev Plays a whole game down to leaf `position` and opens it; when `late`, every move waits for
    /// the last second of its deadline (a move at exactly the deadline is allowed; Resolve is not).
    function _playDown(uint64 cid, bytes32 claim, address gameChallenger, address claimant, uint32 position, bool late)
        internal
    {
        bytes32 gid = gameModule.gameId(cid, claim, gameChallenger);
        for (uint8 h = uint8(MerkleTree.depth(GW)); h > 0; --h) {
            if (late) vm.warp(gameModule.game(address(hub), gid).deadline);
            _reveal(cid, claim, gameChallenger, claimant, h, uint32(position >> h));
            if (late) vm.warp(gameModule.game(address(hub), gid).deadline);
            _pick(cid, claim, gameChallenger, uint8((position >> (h - 1)) & 1));
        }
        if (late) vm.warp(gameModule.game(address(hub), gid).deadline);
        _reveal(cid, claim, gameChallenger, claimant, 0, position);
    }

    /// @dev Community B's co-signature by its participant 0 (key NA + 1).
    function _coSignB(uint64 b, bytes32 root, ParticipantState[] memory s) internal returns (bytes memory) {
        return _packConcat(abi.encodePacked(uint8(0), _signDigest(keys[NA + 1], _digest(b, 0, root, s))));
    }

    function _sign(uint64 cid, bytes32 root, ParticipantState[] memory s, uint256 signer)
        internal
        returns (bytes memory)
    {
        // forge-lint: disable-next-line(unsafe-typecast)
        return abi.encodePacked(uint8(signer), _signDigest(keys[signer], _digest(cid, 0, root, s)));
    }

    function _commitReveal(bytes32 root, bytes32 stateHash, DisputeKind kind, bytes memory proof, bytes memory err)
        internal
    {
        vm.prank(challenger);
        hub.commitDispute(keccak256(abi.encode(challenger, id, uint32(0), kind, keccak256(proof))));
        vm.roll(block.number + 1);
        vm.expectRevert(err);
        vm.prank(challenger);
        hub.dispute(id, 0, root, stateHash, _claimedBalances(0, root, stateHash), kind, proof);
    }

    /// @dev Participant 0 takes every other participant's escrow and bond.
    function _theft() internal pure returns (ParticipantState[] memory) {
        int256[] memory nets = new int256[](NA);
        int256 all = int256(uint256(BOND) + ESCROW);
        for (uint256 i = 1; i < NA; ++i) {
            nets[i] = -all;
        }
        nets[0] = all * int256(NA - 1);
        return _state(nets);
    }

    function _liabilitiesA() internal view returns (uint256 sum) {
        for (uint256 i = 0; i < NA; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            sum += uint256(hub.community(id).escrow) + aBond + aCredit + hub.withdrawable(token, nodes[i]);
        }
        sum += hub.withdrawable(token, challenger) + _depositsHeld(hub, token, id);
    }

    // ------------------------------------------------------------------ R1 (critical)

    /// R1 (fixed). The game used to stop at ONE interval leaf's preimage (interval, readingsRoot,
    /// stateHash). A claimant that built every leaf well formed but over a readingsRoot and a stateHash
    /// with no known preimage (the last leaf committing to the posted, thieving S_W) answered every move;
    /// no fraud proof could use the opened leaf (BadStep: ReadingsRootMismatch / PrevStateMismatch,
    /// BadFinalState: not proven); the honest challenger lost its bond to the thief, the claim finalized,
    /// and one participant signing alone took every escrow and bond.
    /// Rule now: after the leaf's preimage the claimant side must publish the step's data (`Publish`:
    /// the M slots under readingsRoot, leaf t-1 and S_{t-1} under its stateHash) before its deadline; only
    /// then is the leaf open. Same set-up: the thief answers every reveal, cannot publish, and loses by
    /// timeout: its claim rejected, its bond slashed, the victims whole, the challenger paid.
    function test_R1_WellFormedLeavesOverUnopenableContentsLoseTheGame() public {
        ParticipantState[] memory s = _theft();
        bytes32 root = _wellFormedTree(s);
        bytes32 stateHash = StateHash.hash(s);
        vm.warp(_end());
        _postClaim(id, 0, root, s, _packConcat(_sign(id, root, s, 0)));
        bytes32 claim = _claimHash(0, root, stateHash);

        // An honest challenger plays; the thief answers every reveal, down to the last leaf.
        uint256 gameBond = uint256(BOND) * GAME_BOND_BPS / 10_000;
        vm.prank(challenger);
        hub.playGame(id, 0, abi.encode(_mv(GameAction.Challenge, claim, challenger)));
        _playDown(id, claim, challenger, attacker, GW - 1, false);
        bytes32 gid = gameModule.gameId(id, claim, challenger);
        IDataAvailabilityGame.Game memory g = gameModule.game(address(hub), gid);
        assertEq(uint8(g.phase), uint8(IDataAvailabilityGame.Phase.Publish), "leaf revealed, not open");

        // The thief publishes whatever it can: no E_t hashes to an energyHash without a preimage, and
        // no S_{W-2} to a stateHash without one.
        GameMove memory m = _mv(GameAction.Publish, claim, challenger);
        m.interval = GW - 1;
        m.readingsRoot = readingsRoots[GW - 1];
        m.energyHash = energyHashes[GW - 1];
        m.stateHash = stateHashes[GW - 1];
        PublishedStep memory d;
        d.energy = new bytes(16 * NA);
        d.previous = _intervalProof(GW - 2);
        d.prevState = _packed(_alternatingState(NA, 0));
        vm.prank(attacker);
        vm.expectRevert(IDataAvailabilityGame.EnergyHashMismatch.selector);
        hub.playGame(id, 0, abi.encode(m, d));
        // Nobody can end the game before the deadline (the challenger cannot be made to concede).
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.DeadlineNotPassed.selector, g.deadline));
        _play(id, nodes[2], _mv(GameAction.Resolve, claim, challenger));

        // The thief's deadline passes: it loses the claim, its claim deposit and the timeout penalty
        // (review R5: a missed deadline is not proven fraud, so the penalty is bounded and the claimHash
        // is not banned; re-posting it costs a new deposit and another game each time).
        uint256 balanceBefore = token.balanceOf(address(hub));
        vm.warp(g.deadline + 1);
        _play(id, nodes[2], _mv(GameAction.Resolve, claim, challenger));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertTrue(hub.rejectedClaim(id, claim).timedOut, "recorded as lost by timeout");
        uint256 penalty = uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
        assertEq(_bondOf(hub, id, 0), BOND - penalty, "thief pays the timeout penalty");
        assertEq(_creditOf(hub, id, 0), 0, "thief took nothing");
        for (uint256 i = 1; i < NA; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            assertEq(aBond, BOND, "victim keeps its bond");
            assertGt(aCredit, 0, "victim whole and compensated");
        }
        assertGt(hub.withdrawable(token, challenger), gameBond, "challenger paid beyond its bond");
        assertEq(token.balanceOf(address(hub)), balanceBefore, "nothing left the hub");
        assertEq(token.balanceOf(address(hub)), _liabilitiesA(), "money conserved");
    }

    // ------------------------------------------------------------------ R2 (high)

    /// R2 (fixed). Before, `openGames` was keyed by (hub, claimHash) and claimHash has no community in
    /// it: the attacker opened its own community B (same size, bond 0, escrow 0, challenge period
    /// 2^32 - 1 s), posted in B the very (window, windowRoot, S_W) of A's honest pending claim and
    /// challenged it in B at zero bond, and kept one B game alive for ever: A could neither finalize nor
    /// close. Rule now: open games are counted per (hub, community). Same set-up; B's game no longer
    /// holds A, whose honest claim finalizes when its challenge period ends.
    function test_R2_ForeignCommunityGameDoesNotHoldClaim() public {
        // A's honest claim, signed by 3 of 4 (participant 3 is offline).
        ParticipantState[] memory s = _alternatingState(NA, 100);
        bytes32 root = _wellFormedTree(s);
        vm.warp(_end());
        bytes memory sigs = bytes.concat(_sign(id, root, s, 0), _sign(id, root, s, 1), _sign(id, root, s, 2));
        _postClaim(id, 0, root, s, _packConcat(sigs));
        bytes32 claim = _claimHash(0, root, StateHash.hash(s));

        // The attacker's community B: its own NA addresses, free, never-ending challenge period.
        uint64 b = _openConfig(_cfg(NA + 1, 0, 0, type(uint32).max));
        _joinRange(b, NA + 1);
        bytes memory sig3 = _coSignB(b, root, s);
        bytes32 bRoot3 = _balancesRoot(b, 0, s);
        // B's participant 0 is key NA + 1.
        hub.update(b, 0, root, StateHash.hash(s), bRoot3, ConfigBuilder.finalStateOf(s, sig3), sig3);
        // Since the balances root (it names each member) is part of a claim, B's copy of A's claim no
        // longer even has A's claimHash; the game below is keyed by community anyway.
        bytes32 claimB = hub.claimHash(0, root, StateHash.hash(s), bRoot3);
        assertTrue(claimB != claim, "the balances root binds a claim to its members");

        address sybil = makeAddr("sybil-0");
        vm.prank(sybil);
        hub.playGame(b, 0, abi.encode(_mv(GameAction.Challenge, claimB, sybil)));
        assertEq(gameModule.openGames(address(hub), b), 1, "B's game counts in B");
        assertEq(gameModule.openGames(address(hub), id), 0, "and not in A");

        // A's challenge period ends: A's honest claim finalizes, A closes; B's game is still open.
        vm.warp(block.timestamp + CHALLENGE + 1);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "A's honest claim final");
        hub.close(id);
        assertEq(gameModule.openGames(address(hub), b), 1, "B's game still open");
    }

    // ------------------------------------------------------------------ R3 (medium)

    /// R3 (fixed). Before, a fully signed result replaced the challenged claim of the last window and
    /// anyone closed in the same block: the challenger's bond could never be returned (`playGame` needs
    /// an Active community). Rule now: `close` refuses while a game of the community is open; a game
    /// whose claim is no longer pending ends Void at anyone's next move, returning the bond, and then
    /// `close` goes through. Money is conserved.
    function test_R3_CloseWaitsForOpenGameAndBondIsReturned() public {
        ParticipantState[] memory s = _alternatingState(NA, 100);
        bytes32 root = _wellFormedTree(s);
        vm.warp(_end());
        _postClaim(id, 0, keccak256("a partial claim"), s, _packConcat(_sign(id, keccak256("a partial claim"), s, 0)));
        bytes32 claim = _claimHash(0, keccak256("a partial claim"), StateHash.hash(s));
        uint256 before = token.balanceOf(challenger);
        vm.prank(challenger);
        hub.playGame(id, 0, abi.encode(_mv(GameAction.Challenge, claim, challenger)));

        // Everyone signs the honest result; close in the same block is refused.
        bytes memory all;
        for (uint256 i = 0; i < NA; ++i) {
            all = bytes.concat(all, _sign(id, root, s, i));
        }
        _postClaim(id, 0, root, s, _packConcat(all));
        vm.expectRevert(abi.encodeWithSelector(IHub.GameInProgress.selector, id, uint32(1)));
        hub.close(id);

        // Anyone ends the game (Void: its claim was replaced); the bond is returned; close goes through.
        _play(id, nodes[1], _mv(GameAction.Resolve, claim, challenger));
        assertEq(gameModule.openGames(address(hub), id), 0);
        // The superseded claim stays disputable for fraud until its deadline: close waits for it
        // (review 3, B5), then goes through.
        vm.expectRevert(abi.encodeWithSelector(IHub.ChallengePeriodNotOver.selector, id, uint32(0), _end() + CHALLENGE));
        hub.close(id);
        vm.warp(_end() + CHALLENGE);
        hub.close(id);
        vm.prank(challenger);
        hub.withdraw(token);
        assertEq(token.balanceOf(challenger), before, "bond returned");
        assertEq(token.balanceOf(address(hub)), _liabilitiesA(), "nothing stranded in the hub");
    }

    // ------------------------------------------------------------------ R5 (high), fixed

    /// R5 (fixed). One missed move deadline used to turn an HONEST claim into a slashed and BANNED one
    /// (whole bonds, claimHash refused for ever, `close` locked). Now a claim lost by a timeout is
    /// rejected for now but not banned (`timedOut`), its signers pay the bounded timeout penalty (the
    /// claim deposit's size, Hub.CLAIM_DEPOSIT_BPS of the bond), and the same honest result comes back:
    /// fully signed at once, or partially signed again.
    function test_R5_MissedDeadlineNeitherBansHonestResultNorTakesWholeBonds() public {
        ParticipantState[] memory s = _alternatingState(NA, 100);
        bytes32 root = _wellFormedTree(s);
        vm.warp(_end());
        bytes memory sigs = bytes.concat(_sign(id, root, s, 0), _sign(id, root, s, 1), _sign(id, root, s, 2));
        _postClaim(id, 0, root, s, _packConcat(sigs));
        bytes32 claim = _claimHash(0, root, StateHash.hash(s));

        // An outsider challenges; nobody answers within the hour.
        vm.prank(challenger);
        hub.playGame(id, 0, abi.encode(_mv(GameAction.Challenge, claim, challenger)));
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _play(id, challenger, _mv(GameAction.Resolve, claim, challenger));
        uint256 penalty = uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), BOND - penalty, "a bounded penalty, not the whole bond");
        }
        assertTrue(hub.rejectedClaim(id, claim).timedOut, "rejected by timeout");
        assertFalse(hub.rejectedClaim(id, claim).slashed, "not proven fraud");

        // The correct result is not banned: partially signed again (its signers topped their bonds up,
        // review R6) it is pending again...
        uint256 snap = vm.snapshotState();
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(nodes[i]);
            hub.topUpBond(id);
        }
        _postClaim(id, 0, root, s, _packConcat(sigs));
        assertEq(uint256(hub.windowRecord(id, 0).status), uint256(WindowStatus.Pending), "posted again");
        vm.revertToState(snap);
        // ...and signed by everyone it is final at once; the community can close.
        bytes memory all = bytes.concat(sigs, _sign(id, root, s, 3));
        _postClaim(id, 0, root, s, _packConcat(all));
        assertEq(uint256(hub.windowRecord(id, 0).status), uint256(WindowStatus.Final), "honest result final");
        // The timed-out claim stays disputable for fraud until its deadline: close waits (review 3, B5).
        vm.warp(_end() + CHALLENGE);
        hub.close(id);
        assertEq(token.balanceOf(address(hub)), _liabilitiesA(), "money conserved");
    }

    /// R5 (fixed), the other side: a timeout is not an escape. A claim lost by a missed deadline stays
    /// disputable for fraud until its original deadline; once a fraud proof lands (here BadFinalState:
    /// its last leaf commits to another state than the posted S_W), its signer loses the whole bond and
    /// the claim is banned for good.
    function test_R5_TimedOutClaimProvenFraudLaterIsSlashedAndBanned() public {
        ParticipantState[] memory s = _theft();
        bytes32 root = _wellFormedTree(_alternatingState(NA, 100));
        vm.warp(_end());
        bytes memory sig = _packConcat(_sign(id, root, s, 0));
        bytes32 bRoot9 = _balancesRoot(id, 0, s);
        _noteClaim(0, root, StateHash.hash(s), bRoot9);
        hub.update(id, 0, root, StateHash.hash(s), bRoot9, ConfigBuilder.finalStateOf(s, sig), sig);
        bytes32 stateHash = StateHash.hash(s);
        bytes32 claim = _claimHash(0, root, stateHash);
        vm.prank(challenger);
        hub.playGame(id, 0, abi.encode(_mv(GameAction.Challenge, claim, challenger)));
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _play(id, challenger, _mv(GameAction.Resolve, claim, challenger));
        uint256 penalty = uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
        assertEq(_bondOf(hub, id, 0), BOND - penalty);

        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(GW - 1)));
        vm.prank(challenger);
        hub.commitDispute(keccak256(abi.encode(challenger, id, uint32(0), DisputeKind.BadFinalState, keccak256(proof))));
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(id, 0, root, stateHash, _claimedBalances(0, root, stateHash), DisputeKind.BadFinalState, proof);
        assertEq(_bondOf(hub, id, 0), 0, "whole bond once fraud is proven");
        assertTrue(hub.rejectedClaim(id, claim).slashed);
        assertFalse(hub.rejectedClaim(id, claim).timedOut, "banned now");
        // The same claim again (its balances root is bRoot9's): banned.
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimWasRejected.selector, id, claim));
        hub.update(id, 0, root, stateHash, bRoot9, ConfigBuilder.finalStateOf(s, sig), sig);
        assertEq(token.balanceOf(address(hub)), _liabilitiesA(), "money conserved");
    }

    // ------------------------------------------------------------------ R6 (high), fixed

    /// R6 (fixed). The attack: a signer whose bond is gone keeps co-signing partial random-root claims,
    /// each one holding the window for a move deadline, at no risk. Now only a signer whose bond is
    /// whole counts for a partial claim (`BondNotWhole`), a short signer comes back with `topUpBond`
    /// (pulling what is missing), and every partial claim stakes a claim deposit (review R9): each round
    /// costs the attacker the timeout penalty plus the deposit, and pays the challenger.
    function test_R6_SignerShortOfBondMustTopUpAndEveryRoundCostsIt() public {
        ParticipantState[] memory s = _theft();
        vm.warp(_end());
        uint256 d = uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
        uint256 attackerTokens = token.balanceOf(attacker);
        uint256 challengerTokens = token.balanceOf(challenger);
        for (uint256 round = 0; round < 5; ++round) {
            bytes32 root = keccak256(abi.encode("random root", round));
            bytes memory sig = _packConcat(_sign(id, root, s, 0));
            if (round > 0) {
                // The last timeout took the penalty from its bond: it no longer counts...
                assertEq(_bondOf(hub, id, 0), BOND - d);
                bytes32 bRoot11 = _balancesRoot(id, 0, s);
                _noteClaim(0, root, StateHash.hash(s), bRoot11);
                vm.expectRevert(abi.encodeWithSelector(IHub.BondNotWhole.selector, id, uint256(0)));
                vm.prank(attacker);
                hub.update(id, 0, root, StateHash.hash(s), bRoot11, ConfigBuilder.finalStateOf(s, sig), sig);
                // ...until it tops the bond up.
                vm.prank(attacker);
                hub.topUpBond(id);
                assertEq(_bondOf(hub, id, 0), BOND);
            }
            bytes32 bRoot12 = _balancesRoot(id, 0, s);
            _noteClaim(0, root, StateHash.hash(s), bRoot12);
            vm.prank(attacker);
            hub.update(id, 0, root, StateHash.hash(s), bRoot12, ConfigBuilder.finalStateOf(s, sig), sig);
            bytes32 claim = _claimHash(0, root, StateHash.hash(s));
            vm.prank(challenger);
            hub.playGame(id, 0, abi.encode(_mv(GameAction.Challenge, claim, challenger)));
            vm.warp(block.timestamp + MOVE_DEADLINE + 1);
            _play(id, challenger, _mv(GameAction.Resolve, claim, challenger));
            vm.prank(challenger);
            hub.withdraw(token);
        }
        // Every round: the penalty (topped up again) and the forfeited deposit.
        assertEq(attackerTokens - token.balanceOf(attacker), 5 * d + 4 * d, "5 deposits, 4 top-ups");
        assertEq(_bondOf(hub, id, 0), BOND - d, "the 5th penalty");
        // The challenger: half of 2·d each round (+ the remainder of the split over 3 others).
        uint256 each = 2 * d / 2 / (NA - 1);
        assertEq(token.balanceOf(challenger), challengerTokens + 5 * (2 * d - each * (NA - 1)), "paid each round");
        assertEq(token.balanceOf(address(hub)), _liabilitiesA(), "money conserved");
    }

    /// R6 (fixed), liveness: a co-signer short of bond makes a partial claim revert, so the submitter
    /// leaves it out (the node's filter does, reading bonds from chain) and the rest gets in; a fully
    /// signed result needs no bond check.
    function test_R6_ShortSignerLeftOutPartialClaimStillPostable() public {
        ParticipantState[] memory s = _alternatingState(NA, 100);
        bytes32 root = _wellFormedTree(s);
        vm.warp(_end());
        // Participant 2 pays a timeout penalty on an earlier claim: its bond is short.
        _timeoutClaimSignedBy(2);
        assertLt(_bondOf(hub, id, 2), BOND);

        bytes memory with2 = bytes.concat(_sign(id, root, s, 0), _sign(id, root, s, 1), _sign(id, root, s, 2));
        bytes memory sig13 = _packConcat(with2);
        bytes32 bRoot13 = _balancesRoot(id, 0, s);
        _noteClaim(0, root, StateHash.hash(s), bRoot13);
        vm.expectRevert(abi.encodeWithSelector(IHub.BondNotWhole.selector, id, uint256(2)));
        hub.update(id, 0, root, StateHash.hash(s), bRoot13, ConfigBuilder.finalStateOf(s, sig13), sig13);
        bytes memory without2 = bytes.concat(_sign(id, root, s, 0), _sign(id, root, s, 1));
        uint256 snap = vm.snapshotState();
        _postClaim(id, 0, root, s, _packConcat(without2));
        assertEq(uint256(hub.windowRecord(id, 0).status), uint256(WindowStatus.Pending), "posted without 2");
        vm.revertToState(snap);
        bytes memory sig15 = _packConcat(bytes.concat(with2, _sign(id, root, s, 3)));
        bytes32 bRoot15 = _balancesRoot(id, 0, s);
        _noteClaim(0, root, StateHash.hash(s), bRoot15);
        // Fully signed (no final state): final, short bond or not.
        hub.update(id, 0, root, StateHash.hash(s), bRoot15, "", sig15);
        assertEq(uint256(hub.windowRecord(id, 0).status), uint256(WindowStatus.Final));
    }

    /// @dev A withheld claim signed by `signer` alone, lost by a missed move deadline.
    function _timeoutClaimSignedBy(uint256 signer) internal {
        ParticipantState[] memory other = _theft();
        bytes32 otherRoot = keccak256("withheld");
        _postClaim(id, 0, otherRoot, other, _packConcat(_sign(id, otherRoot, other, signer)));
        bytes32 otherClaim = _claimHash(0, otherRoot, StateHash.hash(other));
        vm.prank(challenger);
        hub.playGame(id, 0, abi.encode(_mv(GameAction.Challenge, otherClaim, challenger)));
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        _play(id, challenger, _mv(GameAction.Resolve, otherClaim, challenger));
    }

    function _end() internal pure returns (uint256) {
        return uint256(START) + uint256(GW) * INTERVAL;
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
