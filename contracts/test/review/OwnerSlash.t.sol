// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DisputeKind, EquivocationProof, ReadingMismatchProof, VoidedSlotProof} from "../../src/types/Dispute.sol";
import {ParticipantAccount, WindowStatus} from "../../src/types/Community.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

/// @notice Security review of main (docs/review.md), R7: "the meter's owner signed" turns an omission
/// or a kept equivocated reading into FRAUD, and fraud slashes EVERY signer of the claim (offenders =
/// ctx.signers), not the owner only. A meter owner and an accomplice (any address) therefore slash the
/// honest co-signers of an honest claim at will, and profit: the accomplice takes half of all the
/// bonds, the owner loses one.
/// Rule that stops it: an owner-caused fault (omission of its own reading, a reading it later
/// equivocated) must slash the owner only; for the other signers the claim is a good-faith error.
contract ReviewOwnerSlashTest is DisputeFixture {
    /// Participant 3 owns meter 3 (eqMeter); participants 0..8 sign; 9 does not.
    uint256 internal constant OWNER = 3;

    function setUp() public {
        _setUpCommunity(ED25519);
        assertEq(eqMeter, OWNER);
    }

    function _assertHonestCoSignersWipedOut() internal view {
        for (uint256 i = 0; i < N - 1; ++i) {
            assertEq(hub.account(id, i).bond, 0, "every signer, honest or not, lost its whole bond");
        }
        assertEq(hub.account(id, N - 1).bond, BOND, "the non-signer keeps its bond");
        // The accomplice (an outsider) takes at least half of the 9 bonds; the owner lost 1 bond.
        assertGt(hub.withdrawable(token, challenger), 4 * uint256(BOND), "accomplice profit > 4 bonds");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// R7a. The owner serves its reading r1 for (meter 3, t = 40), every node (the owner too) signs the
    /// honest claim that holds r1. Afterwards the owner signs a second reading for the same slot; its
    /// accomplice reports the equivocation (slot voided, owner -10 % bond) and then VoidedSlot against
    /// the honest claim: "fraud" because the owner signed, and all 9 signers are slashed.
    function test_R7_Critical_OwnerEquivocatesAfterSigningHonestClaimSlashesAllCoSigners() public {
        Commit memory c = _honest();
        _claim(0, c.root, c.states[W - 1], _signers(0, N - 1));
        // After the claim is posted: the second reading, reported by the accomplice.
        _disputeReverts(
            "", DisputeKind.Equivocation, abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating))
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim still pending");
        bytes memory proof = abi.encode(
            VoidedSlotProof(
                _intervalProof(c, eqInterval),
                eqMeter,
                _committed(c, eqMeter, eqInterval),
                _proof(c.slotLeaves[eqInterval], eqMeter)
            )
        );
        _disputeReverts("", DisputeKind.VoidedSlot, proof);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "honest claim rejected");
        _assertHonestCoSignersWipedOut();
    }

    /// R7b. The owner withholds its own reading (meter 3, t = 40) from everybody, signs the claim the
    /// honest nodes build without it, and hands the reading to its accomplice, who raises the omission:
    /// "fraud" because the owner signed, and all 9 signers are slashed although 8 of them never saw it.
    function test_R7_Critical_OwnerWithholdsOwnReadingSlashesAllCoSigners() public {
        Commit memory c = _honestInputs();
        (c.enc[eqInterval][eqMeter], c.sig[eqInterval][eqMeter]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(0, N - 1));
        bytes memory proof = abi.encode(
            ReadingMismatchProof(
                _signed(eqMeter, eqInterval),
                _intervalProof(c, eqInterval),
                _committed(c, eqMeter, eqInterval),
                _proof(c.slotLeaves[eqInterval], eqMeter)
            )
        );
        _disputeReverts("", DisputeKind.ReadingMismatch, proof);
        _assertHonestCoSignersWipedOut();
        ParticipantAccount memory owner = hub.account(id, OWNER);
        assertEq(owner.bond, 0);
    }
}
