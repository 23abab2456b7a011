// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {StateHash} from "../../src/types/Market.sol";
import {RejectedClaim, WindowStatus} from "../../src/types/Community.sol";
import {DisputeKind, EnergyFault, EnergyProof, MeterLeafOpening} from "../../src/types/Dispute.sol";
import {GameAction, GameMove, MeterReveal} from "../../src/types/Game.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {GamePlay} from "../utils/GamePlay.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Review 5 (docs/review.md): an attacker's review of the meter level (issue 10). Each test
/// performs one attack on the meter leaves' running sums, the energy vector E_t, the proofs that open them
/// and the game's meter level, on the fixture's real one-day window (N = M = 10, W = 96, Ed25519
/// readings signed in TypeScript; M = 10 pads the readings tree to 16 leaves). An attack that still works
/// is a passing test named `test_M<n>_<Severity>_*` asserting its success; one that fails is
/// `test_M<n>_Fixed_*`, `test_M<n>_RuledOut_*` or `test_RevertWhen_*`.
contract ReviewMeterLevelAttacksTest is GamePlay {
    uint32 internal constant T = 50;
    /// @dev The victim of the wrong E_t entry: participant 3, whose only (and so last) meter is meter 3.
    uint32 internal constant J = 3;

    // ------------------------------------------------------------------ helpers

    function _claimAndChallenge(Commit memory c) internal {
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        claim = _claimHash(0, c.root, StateHash.hash(c.states[W - 1]));
        _play(challenger, abi.encode(_mv(GameAction.Challenge)));
    }

    /// @dev `c` with a non-canonical readings tree at interval t: padding leaf `at` (≥ M) is `junk` instead
    /// of zero. Every meter leaf, E_t and state is unchanged; readingsRoot_t, leaf t and the root move.
    function _padded(Commit memory c, uint256 t, uint256 at, bytes32 junk) internal pure returns (Commit memory) {
        uint256 width = uint256(1) << MerkleTree.depth(M);
        bytes32[] memory lv = new bytes32[](width);
        for (uint256 k = 0; k < M; ++k) {
            lv[k] = c.meterLeaves[t][k];
        }
        lv[at] = junk;
        c.meterLeaves[t] = lv;
        c.readingsRoots[t] = MerkleTree.root(lv);
        c.leaves[t] = WindowCommitment.intervalLeaf(
            uint32(t), c.readingsRoots[t], keccak256(c.energies[t]), StateHash.hash(c.states[t]), bytes32(0)
        );
        c.root = MerkleTree.root(c.leaves);
        return c;
    }

    /// @dev The honest window with E_t[j] exported `wh` more at t and every later state folded from it.
    function _wrongEntry(Commit memory c, uint256 t, uint32 j, uint64 wh) internal view returns (Commit memory) {
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(c.energies[t]);
        ex[j] += wh;
        c.energies[t] = EnergyVector.pack(ex, im);
        _foldEnergies(c, t);
        return _recommit(c);
    }

    /// @dev The claimant side reveals the children of `c`'s readings tree at the game's node (height h,
    /// index i); returns them.
    function _revealMeters(Commit memory c, uint8 h, uint256 i) internal returns (bytes32 left, bytes32 right) {
        GameMove memory r = _mv(GameAction.Reveal);
        (left, right) = (_node(c.meterLeaves[T], h - 1, 2 * i), _node(c.meterLeaves[T], h - 1, 2 * i + 1));
        (r.left, r.right) = (left, right);
        _play(nodes[1], abi.encode(r));
    }

    function _pick(uint8 side) internal {
        GameMove memory p = _mv(GameAction.Pick);
        p.side = side;
        _play(challenger, abi.encode(p));
    }

    // ------------------------------------------------------------------ M1

    /// M1 (high, node strategy / spec §5; fixed in the node, and on chain by M2's fix): a readings tree with
    /// non-canonical padding hid a wrong E_t entry from the honest node's own data and from the spec's
    /// challenger rule. The thieves commit E_t[3] at t = 50 with 1 MWh exported from nowhere (every later
    /// state folded from it, so BadStep proves nothing) and a junk leaf at padding index 10 of the readings
    /// tree (M = 10: leaves 10..15 are padding). Every meter leaf is honest (no Accumulation fault, no slot
    /// fault). Review 2's "a claimant whose tree has other padding cannot publish" no longer holds: `Publish`
    /// no longer rebuilds the readings tree.
    /// - The honest node's BadEnergy Total from its own tree: its meter-3 path is not a path under the
    ///   claimant's readingsRoot (`InvalidSlotProof(3)`); no proof without a game.
    /// - In the game, the spec §5 challenger ("the LEFTMOST meter leaf that differs from its own tree")
    ///   follows the differing node down: right at height 4 ([8,16)), left at 3 ([8,12)), then the only
    ///   differing child is [10,12), padding only. Before M2's fix the pick was refused (`PaddingSubtree(10)`):
    ///   the challenger timed out and the theft finalized. Now the revealed [10,12) is not the empty subtree
    ///   of height 1, so the pick ends the game `ClaimantFaulted`: claim rejected and banned, signers slashed.
    /// - The chain was sound before too: a challenger that picks towards participant 3's LAST meter (meter 3,
    ///   whatever the node hashes say) gets meter 3 opened with its path under the claimant's root and proves
    ///   BadEnergy Total from the game's calldata (the node's fix, `energyTarget`).
    function test_M1_Fixed_PaddedReadingsTreeNoLongerHidesWrongEnergy() public {
        Commit memory h = _honest();
        Commit memory c = _padded(_wrongEntry(_honest(), T, J, 1_000_000), T, 10, keccak256("junk"));
        // Every meter leaf of the claim is the honest one: only padding and E_t differ.
        for (uint256 k = 0; k < M; ++k) {
            assertEq(c.meterLeaves[T][k], h.meterLeaves[T][k]);
        }
        _claimAndChallenge(c);

        // The honest node's own tree proves nothing: its path is not under the claimant's readingsRoot.
        EnergyProof memory own;
        own.fault = EnergyFault.Total;
        own.leaf = _intervalProof(c, T);
        own.participant = J;
        own.energy = c.energies[T];
        own.current = _opening(h, J, T);
        own.meter = _record(J);
        own.nextMeter = _record(J + 1);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidSlotProof.selector, J),
            DisputeKind.BadEnergy,
            abi.encode(own)
        );

        _bisectAndReveal(c, T);
        bytes memory move = _publish(c, T);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, move)
        );
        uint256 snap = vm.snapshotState();

        // (a) The spec's challenger: at each level, the leftmost child that differs from its own tree. It
        // reaches the junk over [10,12) and wins there.
        uint8 depth = uint8(MerkleTree.depth(M));
        uint256 i;
        uint256 before = hub.withdrawable(token, challenger);
        for (uint8 height = depth; height > 0; --height) {
            (bytes32 left,) = _revealMeters(c, height, i);
            uint8 side = left != _node(h.meterLeaves[T], height - 1, 2 * i) ? 0 : 1;
            i = 2 * i + side;
            _pick(side);
            if ((i << (height - 1)) >= M) {
                assertEq(height, 2, "at [8,12): its right child [10,12) is junk padding");
                break;
            }
        }
        _assertClaimFaulted(before);

        // (b) The same game with a challenger that targets participant 3's last meter: proven.
        // (b) The same game with a challenger that targets participant 3's last meter: proven.
        vm.revertToState(snap);
        bytes32[] memory path = new bytes32[](depth);
        for (uint8 height = depth; height > 0; --height) {
            (bytes32 left, bytes32 right) = _revealMeters(c, height, J >> height);
            uint8 side = uint8((J >> (height - 1)) & 1);
            _pick(side);
            path[height - 1] = side == 0 ? right : left;
        }
        MeterReveal memory r;
        r.slot = _committed(c, J, T);
        (r.accExportWh, r.accImportWh) = (c.accE[T][J], c.accI[T][J]);
        r.previous = _opening(c, J - 1, T);
        _play(nodes[1], abi.encode(_mv(GameAction.OpenMeter), r));
        EnergyProof memory p = own;
        p.current = MeterLeafOpening(
            J, WindowCommitment.slotLeaf(r.slot.encoded, r.slot.signature), r.accExportWh, r.accImportWh, path
        );
        _disputeReverts("", DisputeKind.BadEnergy, abi.encode(p));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
    }

    // ------------------------------------------------------------------ M2

    /// M2 (low, fixed): junk padding over a correct result was a bond trap. Signers 0..2 claim the honest
    /// result (every meter leaf, E_t and state honest) with a junk leaf at padding index 10 of readings tree
    /// 50: their window root differs from every honest node's. An honest node that challenged was led down to
    /// leaf 50 and, at the meter level, to the padding-only child [10,12), where the pick was refused
    /// (`PaddingSubtree(10)`); no proof existed (BadStep `FraudNotProven`: the step is right), it timed out
    /// and its game bond went to the signers. Now a subtree of padding only must be the empty subtree of its
    /// height (`MerkleTree.emptyRoot`): the revealed [10,12) is not, so the pick ends the game
    /// `ClaimantFaulted` — the junk claim rejected and banned, its signers slashed as for any proven fault,
    /// the challenger's bond back with the challenger's share. An empty padding subtree is still refused
    /// (`PaddingSubtree(12)` at [12,16)).
    function test_M2_Fixed_JunkPaddingInReadingsTreeLosesAtThePick() public {
        Commit memory h = _honest();
        Commit memory c = _padded(_honest(), T, 10, keccak256("junk"));
        assertTrue(c.root != h.root, "not the honest root");
        _claimAndChallenge(c);
        uint256 before = hub.withdrawable(token, challenger);
        _bisectAndReveal(c, T);
        bytes memory move = _publish(c, T);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, move)
        );
        // Following the differing nodes: right at [0,16), left at [8,16), right at [8,12): junk padding.
        _revealMeters(c, 4, 0);
        _pick(1);
        (, bytes32 right) = _revealMeters(c, 3, 1);
        assertEq(right, MerkleTree.emptyRoot(2), "[12,16) is canonical padding");
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.PaddingSubtree.selector, uint32(12)));
        hub.playGame(id, 0, abi.encode(_pickMove(1)));
        _pick(0);
        _revealMeters(c, 2, 2);
        _measurePick("pickJunkPadding_meter_M10_N10_W96", 1, true, 1, 5);
        _assertClaimFaulted(before);
    }

    /// M2 at the window level (the trap since review 1): the honest result of every interval under a window
    /// tree with a junk leaf at padding position 100 (W = 96: positions 96..127 are padding). The challenger
    /// goes right at the root ([64,128) differs), and right again into [96,128), padding only and not empty:
    /// the game ends `ClaimantFaulted` at that pick, nothing of the window opened.
    function test_M2_Fixed_JunkPaddingInWindowTreeLosesAtThePick() public {
        Commit memory h = _honest();
        Commit memory c = _honest();
        uint256 width = uint256(1) << MerkleTree.depth(W);
        bytes32[] memory lv = new bytes32[](width);
        for (uint256 t = 0; t < W; ++t) {
            lv[t] = c.leaves[t];
        }
        lv[100] = keccak256("junk");
        c.leaves = lv;
        c.root = MerkleTree.root(lv);
        assertTrue(c.root != h.root, "not the honest root");
        _claimAndChallenge(c);
        uint256 before = hub.withdrawable(token, challenger);
        uint8 depth = uint8(MerkleTree.depth(W));
        (bytes32 left,) = _revealWindow(c, depth, 0);
        assertEq(left, _node(h.leaves, depth - 1, 0), "[0,64) is the honest one");
        _pick(1);
        (, bytes32 right) = _revealWindow(c, depth - 1, 1);
        assertTrue(right != MerkleTree.emptyRoot(depth - 2), "[96,128) is junk");
        _measurePick("pickJunkPadding_window_N10_W96", 1, false, depth - 2, 3);
        _assertClaimFaulted(before);
    }

    /// @dev The claimant side reveals the children of `c`'s window tree at the game's node (height h, index i).
    function _revealWindow(Commit memory c, uint8 h, uint256 i) internal returns (bytes32 left, bytes32 right) {
        GameMove memory r = _mv(GameAction.Reveal);
        (left, right) = (_node(c.leaves, h - 1, 2 * i), _node(c.leaves, h - 1, 2 * i + 1));
        (r.left, r.right) = (left, right);
        _play(nodes[1], abi.encode(r));
    }

    /// @dev The challenger's pick into junk padding, measured cold (execution gas of `Hub.playGame`: the
    /// judgement and the hub's slash of the signers), with the event that names the subtree.
    function _measurePick(string memory name, uint8 side, bool meterLevel, uint8 height, uint32 index) internal {
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.cool(address(token));
        bytes memory data = abi.encode(_pickMove(side));
        bytes32 gid = gameModule.gameId(id, claim, challenger);
        bytes32 node = side == 0 ? gameModule.game(address(hub), gid).left : gameModule.game(address(hub), gid).right;
        vm.expectEmit(address(gameModule));
        emit IDataAvailabilityGame.PaddingNotEmpty(address(hub), gid, meterLevel, height, index, node);
        vm.prank(challenger);
        uint256 g = gasleft();
        hub.playGame(id, 0, data);
        uint256 used = g - gasleft();
        assertLe(used, 1_000_000, name);
        vm.snapshotValue("Game", name, used);
    }

    /// @dev The game ended `ClaimantFaulted`: no game open, the claim rejected and banned (slashed, not timed
    /// out), signers 0..2 slashed of their whole bonds, the challenger's bond back with more than half of what
    /// was taken, money conserved.
    function _assertClaimFaulted(uint256 before) internal view {
        assertEq(gameModule.openGames(address(hub), id), 0, "game over");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        RejectedClaim memory r = hub.rejectedClaim(id, claim);
        assertTrue(r.slashed, "banned: a proven fault");
        assertFalse(r.timedOut, "not a timeout");
        for (uint256 k = 0; k < 3; ++k) {
            assertEq(_bondOf(hub, id, k), 0, "signer slashed of its whole bond");
        }
        uint256 taken = 3 * uint256(BOND) + _claimDeposit();
        assertGe(hub.withdrawable(token, challenger), before + gameBond + taken / 2, "bond back, challenger's share");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    function _pickMove(uint8 side) internal view returns (GameMove memory p) {
        p = _mv(GameAction.Pick);
        p.side = side;
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
