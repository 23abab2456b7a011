// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {DisputeKind, EquivocationProof, ReadingMismatchProof, VoidedSlotProof} from "../../src/types/Dispute.sol";
import {WindowStatus} from "../../src/types/Community.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

/// @notice Regression tests of review R7 (docs/review.md). Before the fix, "the meter's owner signed"
/// turned an omission or a kept equivocated reading into FRAUD, which slashed EVERY signer of the
/// claim: a meter owner and an accomplice (any address) slashed the honest co-signers of an honest
/// claim at will, and profited. Rule now (DisputeVerifier, `Verdict.OwnerFault`): an owner-caused fault
/// slashes the owner only; for the other signers the claim is a good-faith error. Same set-ups as the
/// review's attacks; the assertions are inverted: the honest co-signers keep their bonds, and the owner
/// and its accomplice lose together more than they take.
contract ReviewOwnerSlashTest is DisputeFixture {
    /// Participant 3 owns meter 3 (eqMeter); participants 0..8 sign; 9 does not.
    uint256 internal constant OWNER = 3;

    function setUp() public {
        _setUpCommunity(ED25519);
        assertEq(eqMeter, OWNER);
    }

    function _assertOnlyOwnerSlashed() internal view {
        for (uint256 i = 0; i < N; ++i) {
            if (i == OWNER) assertEq(_bondOf(hub, id, i), 0, "the owner lost its whole bond");
            else assertEq(_bondOf(hub, id, i), BOND, "every other participant keeps its bond");
        }
        // The accomplice (an outsider) takes at most half of the owner's bond and half of the forfeited
        // claim deposit (review R9): the pair loses money. (+ the divisions' remainders, below the number
        // of recipients each time).
        assertLe(
            hub.withdrawable(token, challenger),
            (uint256(BOND) + _claimDeposit()) / 2 + 2 * N,
            "accomplice takes ~half a bond"
        );
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// R7a + R4 (fixed). The owner serves its reading r1 for (meter 3, t = 40), every node (the owner
    /// too) signs the honest claim that holds r1. Afterwards the owner signs a second reading for the same
    /// slot; its accomplice reports the equivocation (slot voided, owner -10 % bond) and then VoidedSlot
    /// against the honest claim. The void was recorded after the claim was submitted: it does not apply
    /// to it (`SlotNotVoided`), the honest claim stays pending and finalizes, and the owner paid 10 %.
    function test_R7_R4_OwnerEquivocatingAfterSigningCannotRejectHonestClaim() public {
        Commit memory c = _honest();
        _claim(0, c.root, c.states[W - 1], _signers(0, N - 1));
        // After the claim is posted: the second reading, reported by the accomplice.
        _disputeReverts(
            "",
            DisputeKind.Equivocation,
            abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)))
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim still pending");
        bytes memory proof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval),
                _committed(c, eqMeter, eqInterval),
                _opening(c, eqMeter, eqInterval),
                _record(eqMeter)
            )
        );
        _disputeReverts(
            abi.encodeWithSelector(IHub.SlotNotVoided.selector, eqMeter, eqInterval), DisputeKind.VoidedSlot, proof
        );
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "the honest claim is final");
        uint256 equivocationCost = uint256(BOND) / 10;
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_bondOf(hub, id, i), i == OWNER ? BOND - equivocationCost : BOND, "only the owner paid");
        }
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// R7b. The owner withholds its own reading (meter 3, t = 40) from everybody, signs the claim the
    /// honest nodes build without it, and hands the reading to its accomplice, who raises the omission:
    /// the owner's fault, so the owner alone is slashed; the 8 others never saw the reading.
    function test_R7_OwnerWithholdingOwnReadingSlashesOwnerOnly() public {
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(0, N - 1));
        bytes memory proof = abi.encode(
            ReadingMismatchProof(
                _signed(eqMeter, eqInterval),
                _intervalProof(c, eqInterval),
                _committed(c, eqMeter, eqInterval),
                _opening(c, eqMeter, eqInterval),
                _record(eqMeter)
            )
        );
        _disputeReverts("", DisputeKind.ReadingMismatch, proof);
        _assertOnlyOwnerSlashed();
        (uint256 ownerBond, uint256 ownerCredit,,,) = hub.member(id, OWNER);
        assertEq(ownerCredit, 0, "the owner's escrow is not touched");
    }
}
