// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";
import {RejectedClaim, WindowStatus} from "../../src/types/Community.sol";
import {
    DisputeKind,
    EntryOpening,
    IntervalProof,
    ReadingMismatchProof,
    SignedReading,
    StepProof
} from "../../src/types/Dispute.sol";
import {GameAction, GameMove, PublishedStep} from "../../src/types/Game.sol";
import {Market} from "../../src/libraries/Market.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {PackedLimits} from "../../src/libraries/PackedLimits.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Review 2 (docs/review.md, "Review 2: the Publish move"): attacks on the game's `Publish`
/// move (review R1's fix, 063b0ec). Each test performs an attack. P1, P2 and P3 are fixed (branch
/// s4-pfix): their tests keep the attack's set-up and assert that it fails (`_Fixed_` in the name);
/// P4 was fixed in the node (these on-chain tests model the moves only); P7 is open: its test still
/// passes while the attack works. The rules are named in each comment and in docs/review.md. Real commitments of a one-day
/// window (N = M = 10, W = 96: a window tree of 128 leaves, positions 96..127 zero padding; Ed25519
/// readings signed in TypeScript), challenge period P = 1 day, move deadline D = 1 hour.
contract ReviewPublishAttacksTest is DisputeFixture {
    /// depth(W): the window tree's height.
    uint8 internal constant DEPTH = 7;

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

    /// @dev Every level of the claimant's window tree over `leaves` (level 0: 2^DEPTH leaves, zero padded);
    /// when `fake` is non-zero, the node at height 1, index `fakeIndex` is replaced by it before the
    /// levels above are hashed (a non-canonical tree: an interval leaf where an inner node belongs).
    function _levels(bytes32[] memory leaves, uint256 fakeIndex, bytes32 fake)
        internal
        pure
        returns (bytes32[][] memory lv)
    {
        lv = new bytes32[][](DEPTH + 1);
        uint256 width = uint256(1) << DEPTH;
        lv[0] = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            lv[0][i] = leaves[i];
        }
        for (uint8 h = 1; h <= DEPTH; ++h) {
            width >>= 1;
            lv[h] = new bytes32[](width);
            for (uint256 i = 0; i < width; ++i) {
                lv[h][i] = MerkleTree.hashPair(lv[h - 1][2 * i], lv[h - 1][2 * i + 1]);
            }
            if (h == 1 && fake != bytes32(0)) lv[1][fakeIndex] = fake;
        }
    }

    /// @dev The path of position `t` in `lv` (siblings bottom-up): what the game's reveals give.
    function _path(bytes32[][] memory lv, uint256 t) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](DEPTH);
        for (uint8 h = 0; h < DEPTH; ++h) {
            p[h] = lv[h][(t >> h) ^ 1];
        }
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

    function _gid() internal view returns (bytes32) {
        return gameModule.gameId(id, claim, challenger);
    }

    function _game() internal view returns (IDataAvailabilityGame.Game memory) {
        return gameModule.game(address(hub), _gid());
    }

    /// @dev Claims (root, S_W) signed by `who`, then the challenger opens a game at `challengeAt`
    /// seconds after the claim was posted.
    function _claimAndChallenge(bytes32 root, ParticipantState[] memory fin, uint256[] memory who, uint256 at)
        internal
    {
        _claim(0, root, fin, who);
        claim = _claimHash(0, root, StateHash.hash(fin));
        vm.warp(uint256(hub.windowRecord(id, 0).submittedAt) + at);
        _play(challenger, abi.encode(_mv(GameAction.Challenge)));
    }

    /// @dev `claimant` answers every reveal from `lv` down to position `t` (the challenger picking toward
    /// t), then reveals the leaf's preimage. With `late`, each claimant move comes at its deadline.
    function _bisectAndReveal(
        bytes32[][] memory lv,
        uint32 t,
        bytes32 rr,
        bytes32 eh,
        bytes32 sh,
        address claimant,
        bool late
    ) internal {
        for (uint8 h = DEPTH; h > 0; --h) {
            if (late) vm.warp(_game().deadline);
            GameMove memory r = _mv(GameAction.Reveal);
            r.left = lv[h - 1][2 * uint256(t >> h)];
            r.right = lv[h - 1][2 * uint256(t >> h) + 1];
            _play(claimant, abi.encode(r));
            GameMove memory p = _mv(GameAction.Pick);
            p.side = uint8((t >> (h - 1)) & 1);
            _play(challenger, abi.encode(p));
        }
        if (late) vm.warp(_game().deadline);
        GameMove memory leaf = _mv(GameAction.Reveal);
        leaf.interval = t;
        leaf.readingsRoot = rr;
        leaf.energyHash = eh;
        leaf.stateHash = sh;
        _play(claimant, abi.encode(leaf));
    }

    function _publishMove(uint32 t, bytes32 rr, bytes32 eh, bytes32 sh) internal view returns (GameMove memory m) {
        m = _mv(GameAction.Publish);
        m.interval = t;
        m.readingsRoot = rr;
        m.energyHash = eh;
        m.stateHash = sh;
    }

    /// @dev E_t's hash in `c`.
    function _eh(Commit memory c, uint256 t) internal pure returns (bytes32) {
        return keccak256(c.energies[t]);
    }

    function _copy(ParticipantState[] memory s) internal pure returns (ParticipantState[] memory out) {
        out = new ParticipantState[](s.length);
        for (uint256 i = 0; i < s.length; ++i) {
            ParticipantState memory p = s[i];
            out[i] = ParticipantState(
                p.exportWh, p.importWh, p.p2pSoldWh, p.p2pBoughtWh, p.gridSoldWh, p.gridBoughtWh, p.net
            );
        }
    }

    /// @dev A watcher's reading of a published move: the standard ABI decoding of the calldata `move`.
    function decodePublished(bytes memory move) external pure returns (GameMove memory, PublishedStep memory) {
        return abi.decode(move, (GameMove, PublishedStep));
    }

    // ------------------------------------------------------------------ P1

    /// P1 (high), fixed: the attack below now fails: the rejected claim stays disputable while a game
    /// of the community is open, and the challenger's BadStep slashes the three signers. The attack:
    /// a proven fraud went unpunished when the game outlived the claim's challenge period:
    /// the open game keeps the claim pending, but a rejected claim is disputable for fraud only until
    /// its ORIGINAL deadline. The thief (participant 0, a signer) builds its claim with a wrong step at
    /// t = 50 AND one omitted reading (meter 7's at t = 10; meter 7's owner did not sign). Challenged,
    /// it answers every move at its deadline, so the step is published after P; the moment the
    /// challenger could prove BadStep, the thief rejects its own claim IN GOOD FAITH (the omission:
    /// nobody slashed). The challenger's BadStep now reverts `ClaimNotDisputable`; every signer keeps
    /// its whole bond; the game ends void; the challenger earns nothing. (A fully signed honest result
    /// posted after P, which the thief can assemble from the gossiped co-signatures, has the same
    /// effect.) Fix: while a game holds a claim, extend its dispute deadline: a claim rejected or
    /// superseded while a game of it is open stays disputable for fraud until that game ends plus one
    /// move deadline (record `max(submittedAt + P, game end + D)`), or forbid good-faith rejections of a
    /// claim under an opened game before the game's last deadline.
    function test_P1_Fixed_SelfRejectionAfterChallengePeriodDoesNotEscapeSlash() public {
        uint32 omitT = 10;
        uint32 omitM = 7;
        assertTrue(present[omitT * M + omitM], "meter 7 has a reading at t = 10");
        Commit memory c = _honestInputs();
        c.enc[omitT][omitM] = "";
        c.sig[omitT][omitM] = "";
        c = _fold(c, 0);
        c.states[50][0].exportWh += 1;
        c = _commit(c);
        bytes32[][] memory lv = _levels(c.leaves, 0, bytes32(0));
        assertEq(lv[DEPTH][0], c.root);

        // Challenged 6 hours before P ends; the thief answers each of its 9 moves at its deadline.
        _claimAndChallenge(c.root, c.states[W - 1], _signers(0, 3), CHALLENGE - 6 hours);
        bytes32 sh50 = StateHash.hash(c.states[50]);
        _bisectAndReveal(lv, 50, c.readingsRoots[50], _eh(c, 50), sh50, nodes[0], true);
        vm.warp(_game().deadline);
        PublishedStep memory d;
        d.energy = c.energies[50];
        d.previous = _intervalProof(c, 49);
        d.prevState = PackedState.pack(c.states[49]);
        bytes memory move = abi.encode(_publishMove(50, c.readingsRoots[50], _eh(c, 50), sh50), d);
        _play(nodes[0], move);
        uint64 claimDeadline = hub.windowRecord(id, 0).submittedAt + CHALLENGE;
        assertGt(block.timestamp, claimDeadline, "the step is published after the claim's challenge period");

        // The challenger's BadStep from the published step (would slash all three signers now).
        StepProof memory p;
        p.previous = d.previous;
        p.prevState = d.prevState;
        p.current = IntervalProof(50, 50, c.readingsRoots[50], _eh(c, 50), sh50, bytes32(0), _path(lv, 50));
        p.energy = d.energy;
        p.limits = PackedLimits.pack(limits);
        bytes memory stepProof = abi.encode(p);

        // The thief goes first: its own omission, a good-faith error (owner 7 did not sign).
        ReadingMismatchProof memory o = ReadingMismatchProof(
            _signed(omitM, omitT),
            _intervalProof(c, omitT),
            SignedReading("", ""),
            _opening(c, omitM, omitT),
            _record(omitM)
        );
        _disputeOn(nodes[0], id, 0, DisputeKind.ReadingMismatch, abi.encode(o), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        RejectedClaim memory r = hub.rejectedClaim(id, claim);
        assertFalse(r.slashed, "rejected in good faith");
        assertLe(r.deadline, block.timestamp, "its original deadline is already over");

        // The fraud proof still lands: while a game of the community is open, the rejected claim stays
        // disputable for fraud (the fix); the three signers are slashed, the challenger paid.
        (bytes32 root, bytes32 sh) = (c.root, StateHash.hash(c.states[W - 1]));
        _commit(challenger, id, 0, DisputeKind.BadStep, stepProof);
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(id, 0, root, sh, _claimedBalances(0, root, sh), DisputeKind.BadStep, stepProof);
        assertTrue(hub.rejectedClaim(id, claim).slashed, "slashed after all");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "the thief's side slashed");
        }
        // The game ends void: the challenger gets its bond back on top of the fraud's reward.
        _play(challenger, abi.encode(_mv(GameAction.Resolve)));
        assertGe(hub.withdrawable(token, challenger), gameBond + 3 * uint256(BOND) / 2, "bond back and reward");
        assertEq(gameModule.openGames(address(hub), id), 0);
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// P1, second way, fixed: the Void move extends the superseded claim's dispute deadline to one move
    /// deadline D after it (checked at D: refused), and the data-holding challenger's BadStep slashes.
    /// The attack: the game need not even reach the publication. Challenged 6 hours
    /// before P ends, the thief answers the reveals at their deadlines; once P is over it posts the
    /// fully signed HONEST result (the co-signatures are gossiped; it adds its own): its wrong claim is
    /// superseded, recorded rejected without slashing and with its original, passed deadline; the game
    /// ends void before anything was published. The step is never opened, and even the data-holding
    /// challenger's own BadStep (its S_49 and slots, the claim's revealed nodes) is refused. So a
    /// longer dispute deadline alone does not fix P1: a game must survive its claim's good-faith
    /// rejection or replacement, and end only when the claimant side opens the step or times out.
    function test_P1_Fixed_SupersedingAfterChallengePeriodDoesNotEscapeSlash() public {
        Commit memory honest = _honest();
        Commit memory c = _honest();
        c.states[50][0].exportWh += 1;
        c = _commit(c);
        bytes32[][] memory lv = _levels(c.leaves, 0, bytes32(0));
        _claimAndChallenge(c.root, c.states[W - 1], _signers(0, 3), CHALLENGE - 6 hours);
        for (uint8 h = DEPTH; h > 0; --h) {
            vm.warp(_game().deadline);
            GameMove memory r = _mv(GameAction.Reveal);
            r.left = lv[h - 1][2 * uint256(50 >> h)];
            r.right = lv[h - 1][2 * uint256(50 >> h) + 1];
            _play(nodes[0], abi.encode(r));
            if (block.timestamp > uint256(hub.windowRecord(id, 0).submittedAt) + CHALLENGE) break;
            GameMove memory p = _mv(GameAction.Pick);
            p.side = uint8((50 >> (h - 1)) & 1);
            _play(challenger, abi.encode(p));
        }
        assertGt(block.timestamp, uint256(hub.windowRecord(id, 0).submittedAt) + CHALLENGE, "past P");
        assertTrue(_game().phase != IDataAvailabilityGame.Phase.Opened, "nothing published yet");

        // The thief posts the honest result with every signature: the wrong claim is superseded.
        _claim(0, honest.root, honest.states[W - 1], _signers(0, N));
        RejectedClaim memory r0 = hub.rejectedClaim(id, claim);
        assertFalse(r0.slashed);
        assertLe(r0.deadline, block.timestamp, "original deadline over");
        _play(challenger, abi.encode(_mv(GameAction.Resolve)));
        assertEq(hub.withdrawable(token, challenger), gameBond, "void: bond back");

        // The data-holding challenger's own BadStep at 50 (its S_49 and slots, the claim's nodes).
        StepProof memory sp = _stepProof(c, 50);
        sp.current.proof = _path(lv, 50);
        sp.previous = IntervalProof(
            49,
            49,
            honest.readingsRoots[49],
            _eh(honest, 49),
            StateHash.hash(honest.states[49]),
            bytes32(0),
            _path(lv, 49)
        );
        sp.prevState = PackedState.pack(honest.states[49]);
        // The voided game kept the superseded claim disputable one move deadline D past its end (the fix).
        assertEq(hub.rejectedClaim(id, claim).deadline, block.timestamp + 1 hours, "until the game's end + D");
        uint256 snap = vm.snapshotState();
        vm.warp(block.timestamp + 1 hours);
        _disputeClaimReverts(
            abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, uint32(0), claim),
            c.root,
            StateHash.hash(c.states[W - 1]),
            DisputeKind.BadStep,
            abi.encode(sp)
        );
        vm.revertToState(snap);
        bytes memory proof = abi.encode(sp);
        _commit(challenger, id, 0, DisputeKind.BadStep, proof);
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(
            id,
            0,
            c.root,
            StateHash.hash(c.states[W - 1]),
            _claimedBalances(0, c.root, StateHash.hash(c.states[W - 1])),
            DisputeKind.BadStep,
            proof
        );
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "the wrong claim's signers slashed");
        }
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    // ------------------------------------------------------------------ P2

    /// P2 (medium), fixed: the fake "leaf 49" below is refused (`PreviousLeafMismatch`), the thief cannot
    /// publish and loses the game, slashed. The attack: the published leaf t-1 needed not be the
    /// canonical one: `_publish` (and the verifier's
    /// `_provenLeaf`) accept an IntervalProof of ANY length. The thief builds a tree whose node at
    /// height 1, index 49 (canonical positions 98, 99: zero padding, which no challenger may pick) is an
    /// interval leaf "49" with a state S'_49 of its choice: its net moved by X from participant 1 to
    /// itself. Leaf 50 and every later leaf fold on from F(S'_49, R_50); leaves 0..49 are honest. So
    /// the only wrong step of the canonical chain is 50, and it is the leaf a data-holding node picks
    /// (the leftmost departure). The thief publishes step 50 with the fake "leaf 49" (a 6-sibling
    /// proof): accepted; BadStep built from the published calldata proves nothing (`FraudNotProven`).
    /// An auditor relying on the published step loses its bond and the claim finalizes, X stolen. The
    /// canonical leaf 49 proves the fraud (shown, then undone), but not from the published data.
    /// Fix: `_publish` requires `previous.proof.length == depth(W)`; the verifier treats a leaf proven
    /// with a path of another length as malformed (fraud by itself: an honest tree never has one).
    function test_P2_Fixed_FakeDepthPreviousLeafCannotBePublished() public {
        (Commit memory c, ParticipantState[] memory fake,) = _fakeClaim(1_000);
        bytes32[][] memory lv = _levels(
            c.leaves,
            49,
            WindowCommitment.intervalLeaf(49, c.readingsRoots[49], _eh(c, 49), StateHash.hash(fake), bytes32(0))
        );

        _claimAndChallenge(lv[DEPTH][0], c.states[W - 1], _signers(0, 1), 1 hours);
        _bisectAndReveal(lv, 50, c.readingsRoots[50], _eh(c, 50), StateHash.hash(c.states[50]), nodes[0], false);

        PublishedStep memory d;
        d.energy = c.energies[50];
        d.previous = _fakePrevious(c, lv, fake);
        d.prevState = PackedState.pack(fake);
        bytes memory move =
            abi.encode(_publishMove(50, c.readingsRoots[50], _eh(c, 50), StateHash.hash(c.states[50])), d);
        // "Leaf 49" proven at height 1 through 6 siblings is refused (the fix: the canonical path only).
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.PreviousLeafMismatch.selector, uint32(49)));
        _play(nodes[0], move);

        // The thief has no canonical leaf 49 that hashes to its S'_49: it cannot publish, and loses.
        vm.warp(_game().deadline + 1);
        _play(challenger, abi.encode(_mv(GameAction.Resolve)));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(
            _bondOf(hub, id, 0),
            uint256(BOND) - uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000,
            "thief pays the timeout penalty (R5)"
        );
        assertGt(hub.withdrawable(token, challenger), gameBond, "the challenger paid");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// P2, the verifier's side: a leaf proven with a path shorter than depth(W) is malformed, a fraud
    /// by itself (an honest tree has interval leaves at depth(W) only). BadStep of the canonical leaf
    /// 50 with the fake "leaf 49" as its previous leaf slashes the thief, with no other data.
    function test_P2_Fixed_FakeDepthLeafIsFraudByItself() public {
        (Commit memory c, ParticipantState[] memory fake,) = _fakeClaim(1_000);
        bytes32[][] memory lv = _levels(
            c.leaves,
            49,
            WindowCommitment.intervalLeaf(49, c.readingsRoots[49], _eh(c, 49), StateHash.hash(fake), bytes32(0))
        );
        _claimAndChallenge(lv[DEPTH][0], c.states[W - 1], _signers(0, 1), 1 hours);
        StepProof memory p;
        p.previous = _fakePrevious(c, lv, fake);
        p.prevState = PackedState.pack(fake);
        p.current = IntervalProof(
            50, 50, c.readingsRoots[50], _eh(c, 50), StateHash.hash(c.states[50]), bytes32(0), _path(lv, 50)
        );
        p.energy = c.energies[50];
        p.limits = PackedLimits.pack(limits);
        _disputeReverts("", DisputeKind.BadStep, abi.encode(p));
        assertEq(_bondOf(hub, id, 0), 0, "thief slashed");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
    }

    /// @dev The fake "leaf 49" at height 1, with its 6-sibling path.
    function _fakePrevious(Commit memory c, bytes32[][] memory lv, ParticipantState[] memory fake)
        internal
        pure
        returns (IntervalProof memory)
    {
        bytes32[] memory fakePath = new bytes32[](DEPTH - 1);
        for (uint8 h = 1; h < DEPTH; ++h) {
            fakePath[h - 1] = lv[h][(49 >> (h - 1)) ^ 1];
        }
        return IntervalProof(49, 49, c.readingsRoots[49], _eh(c, 49), StateHash.hash(fake), bytes32(0), fakePath);
    }

    /// @dev The honest window with S'_49 = S_49 but `stolen` of net moved from participant 1 to 0, and
    /// every leaf from 50 on folded from F(S'_49, R_50); leaves 0..49 honest.
    function _fakeClaim(int256 stolen)
        internal
        view
        returns (Commit memory c, ParticipantState[] memory fake, ParticipantState[] memory honest49)
    {
        c = _honest();
        honest49 = _copy(c.states[49]);
        ParticipantState[] memory honestFinal = _copy(c.states[W - 1]);
        fake = _copy(c.states[49]);
        fake[0].net += stolen;
        fake[1].net -= stolen;
        uint32[] memory owners = new uint32[](M);
        for (uint256 m = 0; m < M; ++m) {
            owners[m] = uint32(m);
        }
        c.states[50] = Market.step(hub.community(id).market, fake, owners, _energy(c, 50));
        c = _fold(c, 51);
        assertEq(c.states[W - 1][0].net, honestFinal[0].net + stolen, "the claim moves X to the thief");
        assertEq(c.states[W - 1][1].net, honestFinal[1].net - stolen, "from participant 1");
    }

    /// @dev BadStep of the opened leaf built from the published move alone and the revealed path.
    function _stepProofFromMove(bytes32[][] memory lv, bytes memory move) internal view returns (StepProof memory p) {
        (GameMove memory pm, PublishedStep memory pd) = this.decodePublished(move);
        p.previous = pd.previous;
        p.prevState = pd.prevState;
        p.current =
            IntervalProof(50, pm.interval, pm.readingsRoot, pm.energyHash, pm.stateHash, pm.entriesRoot, _path(lv, 50));
        p.energy = pd.energy;
        p.limits = PackedLimits.pack(limits);
    }

    // ------------------------------------------------------------------ P3

    /// @dev A `Publish` of leaf 50 whose step's `previous` offset points before the step's head.
    function _negativeOffsetMove(Commit memory c, bytes32 sh50) internal view returns (bytes memory move) {
        // move = GameMove ‖ offset X ‖ P (leaf 49's encoding) ‖ step head (-|P|, 128, 128 + |B|, 128 + |B| + |E|)
        // ‖ B ‖ E ‖ L (an empty `last`).
        bytes memory prevEnc = _tail(abi.encode(_intervalProof(c, 49)));
        bytes memory tails =
            bytes.concat(_tail(abi.encode(PackedState.pack(c.states[49]))), _tail(abi.encode(c.energies[50])));
        uint256 stateLength = _tail(abi.encode(PackedState.pack(c.states[49]))).length;
        EntryOpening memory noEntry;
        tails = bytes.concat(tails, _tail(abi.encode(noEntry)));
        bytes memory head = abi.encode(
            type(uint256).max - prevEnc.length + 1,
            uint256(128),
            128 + stateLength,
            128 + stateLength + _tail(abi.encode(c.energies[50])).length
        );
        move = bytes.concat(
            abi.encode(_publishMove(50, c.readingsRoots[50], _eh(c, 50), sh50)),
            abi.encode(14 * 32 + prevEnc.length),
            prevEnc,
            head,
            tails
        );
    }

    /// P3 (medium), fixed: the non-canonical encoding below reverts `MalformedPublish`; unpublished, the
    /// claim loses its game and its signers are slashed. The attack: the module read the
    /// `PublishedStep` in place with Solidity's calldata accessors,
    /// which bound a tail offset by a SIGNED comparison only: a negative offset is accepted. The
    /// thief publishes its step with its first field (then `slots`, since issue 10 `previous`) placed
    /// before the step's head (offset -|P|): the module accepted it, but every standard ABI decoder of
    /// `move` (Solidity's `abi.decode`, ethers' AbiCoder: an offset above 2^64, or above
    /// MAX_SAFE_INTEGER, is an error) rejects the very calldata the `StepPublished` event names. A
    /// watcher that decodes the published move cannot build its proofs; its deadline passes and the
    /// forged reading (meter 4's export +500 Wh under its genuine signature) is settled. Fix: decode the step strictly —
    /// `abi.decode(move, (GameMove, PublishedStep))` into memory (bounds-checked against `move`), or
    /// check that every tail offset of the step is below 2^64 and inside `move`, or require the
    /// canonical encoding (`keccak256(abi.encode(m, d)) == keccak256(move)`).
    function test_P3_Fixed_NonCanonicalPublishEncodingRefused() public {
        Commit memory c = _honestInputs();
        c.enc[50][4] = _reading(4, 50, exportWh[50 * M + 4] + 500, importWh[50 * M + 4]);
        c = _fold(c, 0);
        bytes32[][] memory lv = _levels(c.leaves, 0, bytes32(0));
        _claimAndChallenge(c.root, c.states[W - 1], _signers(0, 3), 1 hours);
        bytes32 sh50 = StateHash.hash(c.states[50]);
        _bisectAndReveal(lv, 50, c.readingsRoots[50], _eh(c, 50), sh50, nodes[0], false);

        bytes memory move = _negativeOffsetMove(c, sh50);
        // The watcher's decoding of such calldata would fail: the module refuses it (the fix).
        vm.expectRevert();
        this.decodePublished(move);
        vm.expectRevert(IDataAvailabilityGame.MalformedPublish.selector);
        _play(nodes[0], move);
        // A negative offset one level down (leaf 49's path inside `previous`) is refused by the strict
        // decoding (the ABI decoder's bare revert), where the calldata accessors read it.
        PublishedStep memory d;
        d.energy = c.energies[50];
        d.previous = _intervalProof(c, 49);
        d.prevState = PackedState.pack(c.states[49]);
        bytes memory nested = abi.encode(_publishMove(50, c.readingsRoots[50], _eh(c, 50), sh50), d);
        // GameMove (13 words) ‖ step offset ‖ step head (4 words) ‖ previous: 6 static words ‖ its path's offset.
        assembly {
            mstore(add(nested, add(32, mul(24, 32))), not(31))
        }
        vm.expectRevert(bytes(""));
        _play(nodes[0], nested);

        // Unpublished at the deadline: the claim loses, its signers are slashed, the watcher paid.
        vm.warp(_game().deadline + 1);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "forged claim rejected");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(
                _bondOf(hub, id, i),
                uint256(BOND) - uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000,
                "signers pay the timeout penalty (R5)"
            );
        }
        assertGt(hub.withdrawable(token, challenger), gameBond, "watcher paid");
    }

    /// @dev `enc` without its first word (the offset of the single dynamic value `abi.encode` wrote).
    function _tail(bytes memory enc) internal pure returns (bytes memory out) {
        out = new bytes(enc.length - 32);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = enc[i + 32];
        }
    }

    // ------------------------------------------------------------------ P7

    /// P7 (low). The thief's accomplice takes the honest challenger's reward. The thief knows its own
    /// fraud proof in advance, so its accomplice (any address outside the claim's signers) commits it
    /// before the step is even published and reveals it in the block after the publication, ahead of
    /// the challenger, who must commit after seeing the data: the claim is slashed, the accomplice
    /// gets the challenger's share (half of 3 bonds), the challenger who opened the game gets its bond
    /// back and nothing more (`ClaimAlreadySlashed`). The fraud costs the thief's side half of what it
    /// should, and nobody is paid for watching. Fix: while a game of the claim is open, a fraud proof's
    /// challenger share goes to the challenger of the game whose opened leaf the proof uses (or in equal
    /// parts to the challengers of the claim's open games), not to the first revealer.
    function test_P7_Low_AccompliceFrontRunsChallengersReward() public {
        Commit memory c = _honest();
        c.states[50][0].exportWh += 1;
        c = _commit(c);
        bytes32[][] memory lv = _levels(c.leaves, 0, bytes32(0));
        address accomplice = makeAddr("accomplice");
        _claimAndChallenge(c.root, c.states[W - 1], _signers(0, 3), 1 hours);
        bytes32 sh50 = StateHash.hash(c.states[50]);
        _bisectAndReveal(lv, 50, c.readingsRoots[50], _eh(c, 50), sh50, nodes[0], false);
        bytes memory proof = abi.encode(_stepProof(c, 50));
        // Committed before the publication: the accomplice knows the thief's data.
        _commit(accomplice, id, 0, DisputeKind.BadStep, proof);
        vm.roll(block.number + 1);
        PublishedStep memory d;
        d.energy = c.energies[50];
        d.previous = _intervalProof(c, 49);
        d.prevState = PackedState.pack(c.states[49]);
        _play(nodes[0], abi.encode(_publishMove(50, c.readingsRoots[50], _eh(c, 50), sh50), d));
        // The challenger commits on seeing the publication; the accomplice reveals in the next block first.
        _commit(challenger, id, 0, DisputeKind.BadStep, proof);
        vm.roll(block.number + 1);
        (bytes32 root, bytes32 sh) = (c.root, StateHash.hash(c.states[W - 1]));
        vm.prank(accomplice);
        hub.dispute(id, 0, root, sh, _claimedBalances(0, root, sh), DisputeKind.BadStep, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimAlreadySlashed.selector, id, claim));
        vm.prank(challenger);
        hub.dispute(id, 0, root, sh, _claimedBalances(0, root, sh), DisputeKind.BadStep, proof);

        assertGe(hub.withdrawable(token, accomplice), 3 * uint256(BOND) / 2, "the accomplice takes half of 3 bonds");
        _play(challenger, abi.encode(_mv(GameAction.Resolve)));
        assertEq(hub.withdrawable(token, challenger), gameBond, "the challenger: its bond back, nothing else");
    }

    // ------------------------------------------------------------------ P4

    /// P4 (critical, integration; fixed). The node did not know the new move: its `GamePhase.Opened = 3`
    /// was the chain's `Phase.Publish`, so a claim's signers' nodes answered every Reveal, published
    /// nothing, and resolved the "late" game against their own claim: the honest signers lost their
    /// whole bond and the honest result was banned for good. Fixed twice: the node publishes the step
    /// from the window it stored at signing (`GameLoop`, `claimantMove`; e2e `game.test.ts`: the honest
    /// claim keeps after exactly one publication), and a missed deadline is no longer proven fraud
    /// (review R5). Modelled with the old node's moves: the signers now pay the bounded timeout penalty
    /// only, and the honest result, fully signed, is postable again.
    function test_P4_Fixed_UnpublishedHonestClaimCostsOnlyThePenaltyAndComesBack() public {
        Commit memory c = _honest();
        bytes32[][] memory lv = _levels(c.leaves, 0, bytes32(0));
        _claimAndChallenge(c.root, c.states[W - 1], _signers(0, 3), 1 hours);
        _bisectAndReveal(lv, 20, c.readingsRoots[20], _eh(c, 20), StateHash.hash(c.states[20]), nodes[1], false);
        assertEq(uint8(_game().phase), uint8(IDataAvailabilityGame.Phase.Publish));
        vm.warp(_game().deadline + 1);
        _play(nodes[1], abi.encode(_mv(GameAction.Resolve)));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(
                _bondOf(hub, id, i),
                uint256(BOND) - uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000,
                "bounded penalty, not the whole bond"
            );
        }
        _claim(0, c.root, c.states[W - 1], _signers(0, N));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "the honest result is final");
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
