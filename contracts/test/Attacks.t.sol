// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, ParticipantState, StateHash} from "../src/types/Market.sol";
import {CommunityConfig, Meter, RejectedClaim, WindowStatus} from "../src/types/Community.sol";
import {
    DisputeKind,
    EnergyProof,
    EquivocationProof,
    FinalStateProof,
    ForgedReadingProof,
    IntervalProof,
    MeterLeafOpening,
    ReadingMismatchProof,
    SignedReading,
    StepProof,
    VoidedSlotProof
} from "../src/types/Dispute.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {Reading, ReadingCodec} from "../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../src/libraries/WindowCommitment.sol";
import {ConfigBuilder, Schedule} from "./utils/ConfigBuilder.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";

/// @notice The attacks of issue 9, each performed against the hub and shown to fail. Each was
/// reproduced against the previous hub (before this file existed) and succeeded there.
contract AttacksTest is DisputeFixture {
    address internal copyCat = makeAddr("copy-cat");

    function setUp() public {
        _setUpCommunity(ED25519);
    }

    // ------------------------------------------------------------------ helpers

    function _wrongFinal(Commit memory h) internal pure returns (ParticipantState[] memory posted) {
        posted = abi.decode(abi.encode(h.states[W - 1]), (ParticipantState[]));
        posted[0].net += 7;
        posted[1].net -= 7;
    }

    function _finalProof(Commit memory c) internal pure returns (bytes memory) {
        return abi.encode(FinalStateProof(_intervalProof(c, W - 1)));
    }

    function _mismatchProof(Commit memory c, uint256 m, uint256 t) internal view returns (bytes memory) {
        return abi.encode(
            ReadingMismatchProof(
                _signed(m, t), _intervalProof(c, t), _committed(c, m, t), _opening(c, m, t), _record(m)
            )
        );
    }

    function _bonds() internal view returns (uint256 sum) {
        for (uint256 i = 0; i < N; ++i) {
            sum += _bondOf(hub, id, i);
        }
    }

    // ------------------------------------------------------------------ 1. ambiguous slot leaf

    /// Moving one byte from the signature to the encoding kept the leaf (keccak(0x00 ‖ enc ‖ sig)) and
    /// made an honest slot look forged. Length prefixes give the re-split bytes another leaf.
    function test_Attack1_ResplitSlotCannotForgeHonestSlot() public {
        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(0, 3));
        (bytes memory enc, bytes memory sig) = _slot(4, 50);
        bytes memory shiftedEnc = bytes.concat(enc, bytes1(sig[0]));
        bytes memory shiftedSig = new bytes(63);
        for (uint256 i = 0; i < 63; ++i) {
            shiftedSig[i] = sig[i + 1];
        }
        assertEq(bytes.concat(shiftedEnc, shiftedSig), bytes.concat(enc, sig), "same bytes, other boundary");
        assertTrue(WindowCommitment.readingLeaf(shiftedEnc, shiftedSig) != WindowCommitment.readingLeaf(enc, sig));
        bytes memory proof = abi.encode(
            ForgedReadingProof(
                _intervalProof(h, 50), SignedReading(shiftedEnc, shiftedSig), _opening(h, 4, 50), _record(4)
            )
        );
        uint256 bonds = _bonds();
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotLeafMismatch.selector, 4), DisputeKind.ForgedReading, proof
        );
        // The same re-split in an energy proof is not meter 4's committed slot either.
        EnergyProof memory p;
        p.leaf = _intervalProof(h, 50);
        p.slot = SignedReading(shiftedEnc, shiftedSig);
        p.current = _opening(h, 4, 50);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotLeafMismatch.selector, 4), DisputeKind.BadEnergy, abi.encode(p)
        );
        assertEq(_bonds(), bonds, "nobody slashed");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "honest claim kept");
    }

    /// Every leaf kind has its own domain byte: an absent slot is not the hash of any reading leaf
    /// preimage, and an inner node is never a leaf.
    function test_Attack1_LeafDomainsDistinct() public pure {
        assertEq(WindowCommitment.ABSENT_LEAF, keccak256(hex"03"));
        assertTrue(WindowCommitment.readingLeaf("", "") != WindowCommitment.ABSENT_LEAF);
        assertEq(WindowCommitment.slotLeaf("", ""), WindowCommitment.ABSENT_LEAF);
        bytes32 a = keccak256("a");
        assertTrue(MerkleTree.hashPair(a, a) != WindowCommitment.intervalLeaf(0, a, a, a, bytes32(0)));
        assertTrue(WindowCommitment.meterLeaf(a, 0, 0) != WindowCommitment.readingLeaf(abi.encodePacked(a), ""));
    }

    // ------------------------------------------------------------------ 2. fast-path downgrade

    /// Anyone who sees a fully signed update can post a subset of its signatures first: the window
    /// becomes pending. The fully signed result still lands and is final at once.
    function test_Attack2_SubsetFrontRunDoesNotBlockFullySignedResult() public {
        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(0, 1)); // the front-runner's subset
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
        _claim(0, h.root, h.states[W - 1], _signers(0, N));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(hub.windowRecord(id, 0).signers, 2 ** N - 1);
        // The same claim was not rejected: nothing recorded.
        assertEq(hub.rejectedClaim(id, _claimHash(0, h.root, StateHash.hash(h.states[W - 1]))).deadline, 0);
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }

    /// A different pending claim is replaced by the fully signed one, without slashing; it stays
    /// disputable for fraud until its deadline, and can never be posted again.
    function test_Attack2_FullySignedResultReplacesOtherPendingClaim() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claim(0, h.root, posted, _signers(0, 3));
        bytes32 bad = _claimHash(0, h.root, StateHash.hash(posted));
        bytes32 goodBalances = _balancesRoot(id, 0, h.states[W - 1]);
        bytes32 good = hub.claimHash(0, h.root, StateHash.hash(h.states[W - 1]), goodBalances);
        vm.expectEmit(address(hub));
        emit IHub.ClaimSuperseded(id, 0, bad, good);
        _claimWith(0, h.root, StateHash.hash(h.states[W - 1]), goodBalances, _signers(0, N));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        RejectedClaim memory r = hub.rejectedClaim(id, bad);
        assertEq(r.signers, 7);
        assertFalse(r.slashed);
        // Still slashable for its fraud, by naming it.
        _commit(challenger, id, 0, DisputeKind.BadFinalState, _finalProof(h));
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(
            id,
            0,
            h.root,
            StateHash.hash(posted),
            _claimedBalances(0, h.root, StateHash.hash(posted)),
            DisputeKind.BadFinalState,
            _finalProof(h)
        );
        assertTrue(hub.rejectedClaim(id, bad).slashed);
        assertEq(_bondOf(hub, id, 0), 0);
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }

    /// A partial result never displaces a pending claim.
    function test_RevertWhen_PartialResultOverPendingClaim() public {
        Commit memory h = _honest();
        _claim(0, h.root, _wrongFinal(h), _signers(0, 3));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowPending.selector, id, 0));
        this.claimExternal(h.root, h.states[W - 1], _signers(3, N));
    }

    function claimExternal(bytes32 root, ParticipantState[] memory s, uint256[] memory who) external {
        _claim(0, root, s, who);
    }

    // ------------------------------------------------------------------ 3. replay of a rejected claim

    function test_Attack3_RejectedClaimCannotBeReposted() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claim(0, h.root, posted, _signers(0, 3));
        _disputeReverts("", DisputeKind.BadFinalState, _finalProof(h));
        bytes32 claim = _claimHash(0, h.root, StateHash.hash(posted));
        assertTrue(hub.rejectedClaim(id, claim).slashed);
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimWasRejected.selector, id, claim));
        this.claimExternal(h.root, posted, _signers(0, 3));
        // Not even fully signed.
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimWasRejected.selector, id, claim));
        this.claimExternal(h.root, posted, _signers(0, N));
    }

    function test_Attack3_GoodFaithRejectionCannotBeReplayed() public {
        // A good-faith omission is raised by a participant other than the meter's owner (DESIGN.md §5.5).
        challenger = nodes[7];
        Commit memory c = _honestInputs();
        (c.enc[11][5], c.sig[11][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        _disputeReverts("", DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11));
        bytes32 claim = _claimHash(0, c.root, StateHash.hash(c.states[W - 1]));
        assertFalse(hub.rejectedClaim(id, claim).slashed);
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimWasRejected.selector, id, claim));
        this.claimExternal(c.root, c.states[W - 1], _signers(0, 3));
    }

    // ------------------------------------------------------------------ 4. escaping by disputing yourself

    /// The fraudulent claimant leaves out a reading on purpose and front-runs the fraud proof with its
    /// own omission dispute (which slashes nobody). The rejected claim stays disputable for fraud.
    function test_Attack4_SelfOmissionDisputeDoesNotShieldFraud() public {
        Commit memory c = _honestInputs();
        (c.enc[11][5], c.sig[11][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        ParticipantState[] memory posted = _wrongFinal(c);
        _claim(0, c.root, posted, _signers(0, 3));
        // The claimant (participant 0) disputes its own omission: a good-faith rejection.
        _disputeOn(nodes[0], id, 0, DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None));
        assertEq(_bondOf(hub, id, 0), BOND, "no slash yet");
        // The honest challenger's fraud proof still lands, against the rejected claim.
        _commit(challenger, id, 0, DisputeKind.BadFinalState, _finalProof(c));
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(
            id,
            0,
            c.root,
            StateHash.hash(posted),
            _claimedBalances(0, c.root, StateHash.hash(posted)),
            DisputeKind.BadFinalState,
            _finalProof(c)
        );
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "signers slashed");
        }
        assertGt(hub.withdrawable(token, challenger), 0);
        assertEq(token.balanceOf(address(hub)), _liabilities());
        // At most once.
        _commit(challenger, id, 0, DisputeKind.BadFinalState, _finalProof(c));
        vm.roll(block.number + 1);
        bytes32 claim = _claimHash(0, c.root, StateHash.hash(posted));
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimAlreadySlashed.selector, id, claim));
        vm.prank(challenger);
        hub.dispute(
            id,
            0,
            c.root,
            StateHash.hash(posted),
            _claimedBalances(0, c.root, StateHash.hash(posted)),
            DisputeKind.BadFinalState,
            _finalProof(c)
        );
    }

    /// An accomplice re-disputes the rejected claim with a second good-faith proof, hoping the hub records
    /// it as dealt with ("slashed", with nobody slashed) so that the honest fraud proof then reverts
    /// `ClaimAlreadySlashed` and the signers keep their bonds. Against a rejected claim only a fraud
    /// verdict applies.
    function test_Attack4_GoodFaithRedisputeCannotShieldFraud() public {
        Commit memory c = _honestInputs();
        (c.enc[11][5], c.sig[11][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        ParticipantState[] memory posted = _wrongFinal(c);
        bytes32 stateHash = StateHash.hash(posted);
        _claim(0, c.root, posted, _signers(0, 3));
        bytes32 claim = _claimHash(0, c.root, stateHash);
        // The claimant rejects its own claim in good faith (meter 5 is not a signer's) ...
        _disputeOn(nodes[0], id, 0, DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11), "");
        // ... and a second signer raises the same omission against the rejected claim.
        bytes memory again = _mismatchProof(c, 5, 11);
        _commit(nodes[1], id, 0, DisputeKind.ReadingMismatch, again);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, 0, claim));
        vm.prank(nodes[1]);
        hub.dispute(
            id, 0, c.root, stateHash, _claimedBalances(0, c.root, stateHash), DisputeKind.ReadingMismatch, again
        );
        assertFalse(hub.rejectedClaim(id, claim).slashed);
        // The honest fraud proof still slashes every signer.
        _commit(challenger, id, 0, DisputeKind.BadFinalState, _finalProof(c));
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(
            id, 0, c.root, stateHash, _claimedBalances(0, c.root, stateHash), DisputeKind.BadFinalState, _finalProof(c)
        );
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "signers slashed");
        }
        assertTrue(hub.rejectedClaim(id, claim).slashed);
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }

    /// ... but not after the claim's original deadline.
    function test_RevertWhen_RejectedClaimDisputedAfterDeadline() public {
        Commit memory c = _honestInputs();
        (c.enc[11][5], c.sig[11][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        ParticipantState[] memory posted = _wrongFinal(c);
        _claim(0, c.root, posted, _signers(0, 3));
        _disputeOn(nodes[0], id, 0, DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11), "");
        vm.warp(block.timestamp + CHALLENGE);
        bytes32 claim = _claimHash(0, c.root, StateHash.hash(posted));
        _disputeClaimReverts(
            abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, 0, claim),
            c.root,
            StateHash.hash(posted),
            DisputeKind.BadFinalState,
            _finalProof(c)
        );
    }

    /// Leaving out a reading of a signer's own meter is the owner's fault (it always has the reading):
    /// the owner loses its whole bond; for the other signers it is a good-faith error (review R7).
    function test_Attack4_OmittingOwnMeterReadingSlashesOwnerOnly() public {
        Commit memory c = _honestInputs();
        (c.enc[11][2], c.sig[11][2]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        _disputeReverts("", DisputeKind.ReadingMismatch, _mismatchProof(c, 2, 11));
        assertEq(_bondOf(hub, id, 2), 0, "the owner is slashed");
        assertEq(_bondOf(hub, id, 0), BOND, "a co-signer is not");
        assertEq(_bondOf(hub, id, 1), BOND, "a co-signer is not");
        bytes32 claim = _claimHash(0, c.root, StateHash.hash(c.states[W - 1]));
        assertFalse(hub.rejectedClaim(id, claim).slashed, "still slashable for fraud");
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }

    /// An owner-fault dispute does not shield a fraud either: the owner front-runs the fraud proof with
    /// its own omission (losing its bond), and the fraud proof still slashes every signer.
    function test_Attack4_OwnerFaultDisputeDoesNotShieldFraud() public {
        Commit memory c = _honestInputs();
        (c.enc[11][2], c.sig[11][2]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        ParticipantState[] memory posted = _wrongFinal(c);
        _claim(0, c.root, posted, _signers(0, 3));
        _disputeOn(nodes[2], id, 0, DisputeKind.ReadingMismatch, _mismatchProof(c, 2, 11), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None));
        assertEq(_bondOf(hub, id, 0), BOND, "only the owner so far");
        assertEq(_bondOf(hub, id, 2), 0, "only the owner so far");
        assertEq(hub.withdrawable(token, nodes[2]), 0, "the owner earns nothing from its own fault");
        _commit(challenger, id, 0, DisputeKind.BadFinalState, _finalProof(c));
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(
            id,
            0,
            c.root,
            StateHash.hash(posted),
            _claimedBalances(0, c.root, StateHash.hash(posted)),
            DisputeKind.BadFinalState,
            _finalProof(c)
        );
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "signers slashed");
        }
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }

    /// A signer that proves its own claim wrong is slashed like the others and earns nothing: its
    /// challenger share goes to the participants who did not sign.
    function test_Attack4_SignerDisputingOwnClaimEarnsNothing() public {
        Commit memory h = _honest();
        _claim(0, h.root, _wrongFinal(h), _signers(0, 3));
        _disputeOn(nodes[0], id, 0, DisputeKind.BadFinalState, _finalProof(h), "");
        assertEq(hub.withdrawable(token, nodes[0]), 0, "no reward");
        uint256 total = 3 * uint256(BOND);
        for (uint256 i = 0; i < N; ++i) {
            (uint256 bond, uint256 credit,,,) = hub.member(id, i);
            if (i < 3) {
                assertEq(bond, 0);
                assertEq(credit, 0);
            } else {
                assertGe(credit, total / 7);
            }
        }
        assertEq(token.balanceOf(address(hub)), _liabilities(), "all of the slash stays with the others");
    }

    // ------------------------------------------------------------------ 5. copy-cat front-running

    function test_Attack5_CopyCatOfRevealGetsNothing() public {
        Commit memory h = _honest();
        ParticipantState[] memory posted = _wrongFinal(h);
        _claim(0, h.root, posted, _signers(0, 3));
        bytes memory proof = _finalProof(h);
        bytes32 sh = StateHash.hash(posted);
        _commit(challenger, id, 0, DisputeKind.BadFinalState, proof);
        // Revealing in the commitment's own block is refused.
        bytes32 c = keccak256(abi.encode(challenger, id, uint32(0), DisputeKind.BadFinalState, keccak256(proof)));
        vm.expectRevert(abi.encodeWithSelector(IHub.DisputeNotCommitted.selector, c));
        vm.prank(challenger);
        hub.dispute(id, 0, h.root, sh, _claimedBalances(0, h.root, sh), DisputeKind.BadFinalState, proof);
        vm.roll(block.number + 1);
        // The copy-cat sees the reveal in the mempool and sends the same calldata first.
        bytes32 cc = keccak256(abi.encode(copyCat, id, uint32(0), DisputeKind.BadFinalState, keccak256(proof)));
        vm.expectRevert(abi.encodeWithSelector(IHub.DisputeNotCommitted.selector, cc));
        vm.prank(copyCat);
        hub.dispute(id, 0, h.root, sh, _claimedBalances(0, h.root, sh), DisputeKind.BadFinalState, proof);
        // Committing in the reveal's block is too late too.
        _commit(copyCat, id, 0, DisputeKind.BadFinalState, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.DisputeNotCommitted.selector, cc));
        vm.prank(copyCat);
        hub.dispute(id, 0, h.root, sh, _claimedBalances(0, h.root, sh), DisputeKind.BadFinalState, proof);
        vm.prank(challenger);
        hub.dispute(id, 0, h.root, sh, _claimedBalances(0, h.root, sh), DisputeKind.BadFinalState, proof);
        assertEq(hub.withdrawable(token, copyCat), 0);
        assertGt(hub.withdrawable(token, challenger), 0);
    }

    function test_Attack5_CopyCatOfEquivocationGetsNothing() public {
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        vm.warp(uint256(START) + W * INTERVAL);
        _commit(challenger, id, 0, DisputeKind.Equivocation, proof);
        vm.roll(block.number + 1);
        bytes32 cc = keccak256(abi.encode(copyCat, id, uint32(0), DisputeKind.Equivocation, keccak256(proof)));
        vm.expectRevert(abi.encodeWithSelector(IHub.DisputeNotCommitted.selector, cc));
        vm.prank(copyCat);
        hub.dispute(id, 0, 0, 0, 0, DisputeKind.Equivocation, proof);
        vm.prank(challenger);
        hub.dispute(id, 0, 0, 0, 0, DisputeKind.Equivocation, proof);
        assertGt(hub.withdrawable(token, challenger), 0);
        assertEq(hub.withdrawable(token, copyCat), 0);
    }

    /// Committing again never moves a commitment to a later block (no griefing of the revealer).
    function test_Attack5_RecommitKeepsEarliestBlock() public {
        bytes32 c = keccak256("commitment");
        hub.commitDispute(c);
        uint256 at = block.number;
        vm.roll(block.number + 5);
        vm.prank(copyCat);
        hub.commitDispute(c);
        assertEq(hub.disputeCommitments(c), at);
    }

    // ------------------------------------------------------------------ 6. P-256 without the precompile

    /// On a chain without the EIP-7951 precompile (Prague rules here), an honest P-256 reading still
    /// verifies (OpenZeppelin's Solidity fallback) and a forged-reading dispute against it fails.
    /// forge-config: default.evm_version = "prague"
    function test_Attack6_P256HonestReadingNotForgedWithoutPrecompile() public {
        uint256 sk = 0x5ec0de;
        (uint256 qx, uint256 qy) = vm.publicKeyP256(sk);
        bytes memory key = abi.encodePacked(qx, qy);
        uint64 id2 = _openConfig(_p256Config(key));
        for (uint256 i = 0; i < N; ++i) {
            _join(id2, i);
        }
        bytes memory enc = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 0, 3, 1234, 0));
        (bytes32 r, bytes32 s) = vm.signP256(sk, sha256(enc));
        bytes memory sig = abi.encodePacked(r, s);
        // The precompile is absent: a call to 0x100 returns nothing, even for a valid input.
        (, bytes memory ret) = address(0x100).staticcall(abi.encode(sha256(enc), r, s, qx, qy));
        assertEq(ret.length, 0, "no precompile");
        assertTrue(p256Module.verify(key, enc, sig), "fallback verifies");
        assertFalse(p256Module.verify(key, bytes.concat(enc, hex"00"), sig), "fallback rejects other bytes");
        _forgedDisputeFails(id2, enc, sig);
    }

    /// @dev Claims window 0 of `cid` with `enc`/`sig` in meter 0's slot of interval 3 (other slots absent),
    /// and shows a forged-reading dispute against that slot fails.
    function _forgedDisputeFails(uint64 cid, bytes memory enc, bytes memory sig) internal {
        bytes32[] memory slots = new bytes32[](M);
        for (uint256 m = 0; m < M; ++m) {
            slots[m] = WindowCommitment.ABSENT_LEAF;
        }
        slots[0] = WindowCommitment.readingLeaf(enc, sig);
        // Running sums are not what this dispute is about: zeros everywhere.
        bytes32[] memory meterLeaves = new bytes32[](M);
        for (uint256 m = 0; m < M; ++m) {
            meterLeaves[m] = WindowCommitment.meterLeaf(slots[m], 0, 0);
        }
        bytes32 readingsRoot = MerkleTree.root(meterLeaves);
        bytes32[] memory leaves = new bytes32[](W);
        for (uint256 t = 0; t < W; ++t) {
            leaves[t] = WindowCommitment.intervalLeaf(uint32(t), readingsRoot, bytes32(0), bytes32(0), bytes32(0));
        }
        bytes32 root = MerkleTree.root(leaves);
        ParticipantState[] memory zero = new ParticipantState[](N);
        _claimIn(cid, root, zero);
        IntervalProof memory leaf =
            IntervalProof(3, 3, readingsRoot, bytes32(0), bytes32(0), bytes32(0), _proof(leaves, 3));
        bytes memory proof = abi.encode(
            ForgedReadingProof(
                leaf,
                SignedReading(enc, sig),
                MeterLeafOpening(0, slots[0], 0, 0, _proof(meterLeaves, 0)),
                _lastRecord(0)
            )
        );
        _commit(challenger, cid, 0, DisputeKind.ForgedReading, proof);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.ForgedReading));
        vm.prank(challenger);
        hub.dispute(
            cid,
            0,
            root,
            StateHash.hash(zero),
            _claimedBalances(0, root, StateHash.hash(zero)),
            DisputeKind.ForgedReading,
            proof
        );
    }

    function _p256Config(bytes memory key) internal view returns (CommunityConfig memory c) {
        c = ConfigBuilder.build(
            nodes,
            ConfigBuilder.meters(publicKeys, ED25519),
            Schedule(INTERVAL, W, START, 1, CHALLENGE),
            hub.community(id).market,
            token,
            BOND,
            0,
            _modules(MarketKind.Mmr)
        );
        c.meters[0] = Meter(key, P256, 0);
    }

    function _claimIn(uint64 cid, bytes32 root, ParticipantState[] memory s) internal {
        vm.warp(uint256(START) + W * INTERVAL);
        bytes32 bRoot1 = _balancesRoot(cid, 0, s);
        _noteClaim(0, root, StateHash.hash(s), bRoot1);
        bytes32 digest = _resultDigest(HUB, cid, 0, root, StateHash.hash(s), bRoot1);
        (bytes32 r, bytes32 vs) = vm.signCompact(keys[1], digest);
        bytes memory sig1 = abi.encodePacked(uint256(1 << 1), r, vs);
        hub.update(cid, 0, root, StateHash.hash(s), bRoot1, ConfigBuilder.finalStateOf(s, sig1), sig1);
    }

    // ------------------------------------------------------------------ 7. equivocated slots and bounds

    /// Honest nodes fold an equivocated slot as absent. A claim posted after the slot was voided, signed
    /// by the meter's owner, that kept one of its two readings is the owner's fault: the owner loses its
    /// whole bond, its co-signers nothing (review R7). (A void recorded after a claim does not apply to
    /// it: review R4, `VoidGrief.t.sol`.)
    function test_Attack7_OwnerKeepingEquivocatedReadingSlashesOwnerOnly() public {
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (equivocating.encoded, equivocating.signature);
        c = _fold(c, 0);
        bytes memory vproof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval),
                _committed(c, eqMeter, eqInterval),
                _opening(c, eqMeter, eqInterval),
                _record(eqMeter)
            )
        );
        vm.warp(uint256(START) + W * INTERVAL);
        _disputeReverts(
            "",
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)))
        );
        vm.warp(block.timestamp + 1);
        // The equivocation took 10 % of the owner's bond: it tops it up to co-sign (review R6).
        vm.prank(nodes[3]);
        hub.topUpBond(id);
        // Signed by participants 2, 3, 4: 3 owns meter eqMeter.
        assertEq(eqMeter, 3);
        _claim(0, c.root, c.states[W - 1], _signers(2, 5));
        (bytes32 root, bytes32 stateHash,) = _pendingClaim(id, 0);
        _commit(challenger, id, 0, DisputeKind.VoidedSlot, vproof);
        vm.roll(block.number + 1);
        vm.cool(address(hub));
        vm.cool(address(verifierModule));
        vm.prank(challenger);
        uint256 g = gasleft();
        hub.dispute(id, 0, root, stateHash, _claimedBalances(0, root, stateHash), DisputeKind.VoidedSlot, vproof);
        vm.snapshotValue("Attacks", "voidedSlot_N10_W96", g - gasleft());
        assertEq(_bondOf(hub, id, 3), 0, "the owner is slashed");
        assertEq(_bondOf(hub, id, 2), BOND, "a co-signer is not");
        assertEq(_bondOf(hub, id, 4), BOND, "a co-signer is not");
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }

    /// Signers that do not own the meter kept the reading (voided before the claim) in good faith:
    /// rejected, nobody slashed.
    function test_Attack7_OthersKeepingEquivocatedReadingIsGoodFaith() public {
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (equivocating.encoded, equivocating.signature);
        c = _fold(c, 0);
        vm.warp(uint256(START) + W * INTERVAL);
        _disputeReverts(
            "",
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)))
        );
        vm.warp(block.timestamp + 1);
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        uint256 bonds = _bonds();
        bytes memory vproof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval),
                _committed(c, eqMeter, eqInterval),
                _opening(c, eqMeter, eqInterval),
                _record(eqMeter)
            )
        );
        _disputeReverts("", DisputeKind.VoidedSlot, vproof);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "rejected");
        assertEq(_bonds(), bonds, "nobody slashed");
    }

    /// An honest claim folds the voided slot as absent: a voided-slot proof against it does not apply.
    function test_RevertWhen_VoidedSlotProofOnAbsentSlot() public {
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(2, 5));
        _disputeReverts(
            "",
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)))
        );
        bytes memory vproof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval),
                _committed(c, eqMeter, eqInterval),
                _opening(c, eqMeter, eqInterval),
                _record(eqMeter)
            )
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotAbsent.selector, eqMeter), DisputeKind.VoidedSlot, vproof
        );
        vproof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval),
                _committed(c, 0, eqInterval),
                _atIndex(_opening(c, 0, eqInterval), uint32(M)),
                _record(0)
            )
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MeterOutOfRange.selector, M, M), DisputeKind.VoidedSlot, vproof
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "honest claim kept");
    }

    function test_RevertWhen_VoidedSlotCommittedNotProven() public {
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(2, 5));
        _disputeReverts(
            "",
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)))
        );
        // The claimant did leave the slot absent; the challenger pretends it holds a reading.
        bytes memory vproof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval), equivocating, _opening(c, eqMeter, eqInterval), _record(eqMeter)
            )
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.SlotLeafMismatch.selector, eqMeter), DisputeKind.VoidedSlot, vproof
        );
    }

    function test_Attack7_RevertWhen_IntervalNumbersWouldWrap() public {
        CommunityConfig memory c = _p256Config(_p256Generator());
        c.windowIntervals = 2 ** 16;
        c.windowCount = 2 ** 16;
        c.intervalSeconds = 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyIntervals.selector, uint256(2) ** 32));
        hub.open(OpenCodec.encode(c));
        c.windowCount = 2 ** 16 - 1;
        hub.open(OpenCodec.encode(c));
    }

    function test_Attack7_RevertWhen_HonestNetCouldOverflow() public {
        CommunityConfig memory c = _p256Config(_p256Generator());
        // W · M · (2^32 − 1) Wh at these prices is worth more than int128 can hold.
        c.market.gridBuyPrice = type(uint128).max / 4;
        c.market.gridSellPrice = 0;
        uint256 maxEnergy = uint256(W) * M * type(uint32).max;
        vm.expectRevert(
            abi.encodeWithSelector(IHub.ValueBoundOverflow.selector, maxEnergy * (type(uint128).max / 4) / 2000)
        );
        hub.open(OpenCodec.encode(c));
        // Energy: W · M · (2^32 − 1) must fit the uint64 cumulative fields.
        c.market.gridBuyPrice = 250;
        c.windowIntervals = 2 ** 31;
        c.windowCount = 1;
        c.intervalSeconds = 1;
        vm.expectRevert(
            abi.encodeWithSelector(IHub.EnergyBoundOverflow.selector, uint256(2) ** 31 * M * type(uint32).max)
        );
        hub.open(OpenCodec.encode(c));
    }

    function _p256Generator() internal pure returns (bytes memory) {
        return hex"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    }
}
