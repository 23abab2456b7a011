// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {ParticipantState, StateHash} from "../src/types/Market.sol";
import {Balance, WindowStatus} from "../src/types/Community.sol";
import {BalancesProof, DisputeKind} from "../src/types/Dispute.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice Kind BadBalances (spec s5, DESIGN.md §5.6): `update` no longer sees the final state, so a
/// claim's balances root is checked by dispute. Attack: a claim with an honest windowRoot and stateHash
/// whose balances root gives its first signer everyone's escrow; one honest disputer proves it wrong from
/// the previous balances and the packed final state, and the signers lose their whole bonds.
contract BadBalancesTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    /// @dev The honest balances of window `w` with final state `s`, then participant `thief` holding
    /// everyone's escrow (recorded in the book); returns that root.
    function _stolenRoot(uint32 w, ParticipantState[] memory s, uint256 thief) internal returns (bytes32) {
        (Balance[] memory b, uint256 total) = book.leaves(_balancesRoot(id, w, s));
        for (uint256 i = 0; i < N; ++i) {
            if (i == thief) continue;
            b[thief].escrow += b[i].escrow;
            b[i].escrow = 0;
        }
        return book.record(b, total);
    }

    /// @dev The proof: window w's previous balances and the packed final state.
    function _proofFor(uint32 w, ParticipantState[] memory s) internal view returns (bytes memory) {
        (Balance[] memory prev, uint256 total) = book.leaves(book.previousRoot(hub, id, w));
        return abi.encode(BalancesProof(prev, total, PackedState.pack(s)));
    }

    function _assertSignersSlashed012() internal view {
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        uint256 total = 3 * uint256(BOND) + _claimDeposit();
        uint256 each = total / 2 / 7;
        for (uint256 i = 0; i < N; ++i) {
            (uint256 bond, uint256 credit,,,) = hub.member(id, i);
            assertEq(bond, i < 3 ? 0 : BOND, i < 3 ? "signer slashed (whole bond)" : "non-signer keeps bond");
            assertEq(credit, i < 3 ? 0 : each, "non-signers compensated");
        }
        assertEq(hub.withdrawable(token, challenger), total - 7 * each, "challenger reward");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    function test_BadBalances_StealingRootIsRejectedAndSlashed() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        bytes32 bad = _stolenRoot(0, s, 0);
        _claimWith(0, h.root, _recordState(s), bad, _signers(0, 3));
        bytes32 claim = hub.claimHash(0, h.root, StateHash.hash(s), bad);
        _disputeOn(challenger, id, 0, DisputeKind.BadBalances, _proofFor(0, s), "");
        _assertSignersSlashed012();
        assertTrue(hub.rejectedClaim(id, claim).slashed);
        // The honest result of the same window (same windowRoot and state) then goes through.
        _claim(0, h.root, s, _signers(3, 10));
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
    }

    /// The previous balances of window 1 are window 0's final balances (not the genesis).
    function test_BadBalances_SecondWindowStartsFromFinalBalances() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        _claim(0, h.root, s, _signers(0, N));
        bytes32 bad = _stolenRoot(1, s, 4);
        _claimWith(1, h.root, _recordState(s), bad, _signers(4, 6));
        // The genesis balances do not prove window 1's claim.
        (Balance[] memory g, uint256 gt) = book.leaves(hub.community(id).genesisBalancesRoot);
        _disputeOn(
            challenger,
            id,
            1,
            DisputeKind.BadBalances,
            abi.encode(BalancesProof(g, gt, PackedState.pack(s))),
            abi.encodeWithSelector(IDisputeVerifier.BalancesProofMismatch.selector)
        );
        _disputeOn(challenger, id, 1, DisputeKind.BadBalances, _proofFor(1, s), "");
        assertEq(uint8(hub.windowRecord(id, 1).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 4), 0);
        assertEq(_bondOf(hub, id, 5), 0);
        assertEq(_bondOf(hub, id, 6), BOND);
    }

    /// Attack (s16, one final-root slot): a stealing claim of window 1, superseded by the fully signed result of
    /// window 1 before anyone disputes it, stays disputable for fraud until its deadline; by then the hub's final
    /// balances root is window 1's, not the window 0 balances the claim started from. The claim's record keeps
    /// that start (`RejectedClaim.previousBalancesRoot`), so the BadBalances proof still lands and slashes its
    /// signers; without it the proof would be checked against window 1's balances (or none) and fail.
    function test_BadBalances_SupersededClaimStillProvableAfterLaterWindowsFinal() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        _claim(0, h.root, s, _signers(0, N));
        bytes32 start = hub.finalBalancesRoot(id);
        bytes memory proof = _proofFor(1, s);
        bytes32 bad = _stolenRoot(1, s, 4);
        bytes32 stateHash = _recordState(s);
        _claimWith(1, h.root, stateHash, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(1, h.root, stateHash, bad);
        _claim(1, h.root, s, _signers(0, N));
        assertEq(hub.community(id).finalizedWindows, 2, "every window final");
        assertTrue(hub.finalBalancesRoot(id) != start, "the hub's final root moved on");
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, start, "the claim keeps its start");

        _commit(challenger, id, 1, DisputeKind.BadBalances, proof);
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(id, 1, h.root, stateHash, bad, DisputeKind.BadBalances, proof);
        assertTrue(hub.rejectedClaim(id, claim).slashed, "slashed for fraud");
        assertEq(_bondOf(hub, id, 4), 0);
        assertEq(_bondOf(hub, id, 5), 0);
        assertEq(_bondOf(hub, id, 6), BOND);
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    function test_RevertWhen_BadBalancesAgainstHonestClaim() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        _claim(0, h.root, s, _signers(0, 3));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadBalances),
            DisputeKind.BadBalances,
            _proofFor(0, s)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim survives");
    }

    /// Attack on the disputer's side: malformed previous balances (another escrow, another length, another
    /// total) cannot prove anything.
    function test_RevertWhen_BadBalancesPreviousMismatch() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        _claimWith(0, h.root, _recordState(s), _stolenRoot(0, s, 0), _signers(0, 3));
        (Balance[] memory prev, uint256 total) = book.leaves(hub.community(id).genesisBalancesRoot);
        bytes memory err = abi.encodeWithSelector(IDisputeVerifier.BalancesProofMismatch.selector);
        prev[3].escrow += 1;
        _disputeReverts(err, DisputeKind.BadBalances, abi.encode(BalancesProof(prev, total, PackedState.pack(s))));
        prev[3].escrow -= 1;
        _disputeReverts(err, DisputeKind.BadBalances, abi.encode(BalancesProof(prev, total + 1, PackedState.pack(s))));
        Balance[] memory shorter = new Balance[](N - 1);
        for (uint256 i = 0; i < N - 1; ++i) {
            shorter[i] = prev[i];
        }
        _disputeReverts(err, DisputeKind.BadBalances, abi.encode(BalancesProof(shorter, total, PackedState.pack(s))));
    }

    /// The packed state must be the claim's: another state, or bytes that are no state, prove nothing.
    function test_RevertWhen_BadBalancesStateMismatch() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        _claimWith(0, h.root, _recordState(s), _stolenRoot(0, s, 0), _signers(0, 3));
        (Balance[] memory prev, uint256 total) = book.leaves(hub.community(id).genesisBalancesRoot);
        bytes memory err = abi.encodeWithSelector(IDisputeVerifier.StateProofMismatch.selector);
        ParticipantState[] memory other = h.states[W - 2];
        _disputeReverts(err, DisputeKind.BadBalances, abi.encode(BalancesProof(prev, total, PackedState.pack(other))));
        _disputeReverts(
            err,
            DisputeKind.BadBalances,
            abi.encode(BalancesProof(prev, total, bytes.concat(PackedState.pack(s), hex"00")))
        );
    }

    /// A state that hashes right but that no honest fold produces (Σ net ≠ 0; a net of −2^127; one
    /// entry short) can no longer be posted: a partial claim carries its packed state and `update`
    /// decodes it (review 3 B1, `Settlement.requireFinalState`), so the claim is refused before it is
    /// pending. (`DisputeVerifier._badBalances` still treats such a state as fraud by itself.)
    function test_RevertWhen_PartialClaimUnbalancedState() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = abi.decode(abi.encode(h.states[W - 1]), (ParticipantState[]));
        s[0].net += 1;
        bytes32 sh = _recordState(s);
        vm.expectRevert(abi.encodeWithSelector(IHub.UnbalancedState.selector, int256(1)));
        _claimWith(0, h.root, sh, keccak256("anything"), _signers(0, 3));
    }

    function test_RevertWhen_PartialClaimMinNet() public {
        Commit memory h = _honest();
        bytes memory packed = PackedState.pack(h.states[W - 1]);
        // Participant 1's net packed as −2^127.
        packed[64 + 48] = 0x80;
        for (uint256 k = 64 + 49; k < 128; ++k) {
            packed[k] = 0;
        }
        (, bytes32 sh,,) = this.inspect(packed);
        packedStates[sh] = packed;
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, uint256(1)));
        _claimWith(0, h.root, sh, keccak256("anything"), _signers(0, 3));
    }

    function test_RevertWhen_PartialClaimWrongParticipantCount() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = new ParticipantState[](N - 1);
        for (uint256 i = 0; i < N - 1; ++i) {
            s[i] = h.states[W - 1][i];
        }
        s[N - 2].net = 0;
        int256 sum;
        for (uint256 i = 0; i < N - 1; ++i) {
            sum += s[i].net;
        }
        s[N - 2].net = -sum;
        bytes32 sh = _recordState(s);
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, N * 64, (N - 1) * 64));
        _claimWith(0, h.root, sh, keccak256("anything"), _signers(0, 3));
    }

    /// @dev PackedState.inspect of memory bytes, for the test to hash a hand-made blob.
    function inspect(bytes memory packed) external pure returns (int256[] memory, bytes32, bool, int256) {
        return PackedState.inspect(packed);
    }

    /// Without the rule: an honest fold of the stolen claim's state pays nobody but the thief; the hub
    /// would pay it at close from everyone's money. With it, the claim never finalizes.
    function test_BadBalances_ClaimNeverFinalizesOnceDisputed() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        _claimWith(0, h.root, _recordState(s), _stolenRoot(0, s, 0), _signers(0, 3));
        _disputeOn(challenger, id, 0, DisputeKind.BadBalances, _proofFor(0, s), "");
        vm.warp(block.timestamp + CHALLENGE);
        vm.expectRevert(abi.encodeWithSelector(IHub.NoPendingWindow.selector, id));
        hub.finalize(id);
    }
}
// forge-lint: disable-end(unsafe-typecast)
