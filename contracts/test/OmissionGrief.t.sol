// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {DisputeKind, ReadingMismatchProof} from "../src/types/Dispute.sol";
import {WindowStatus} from "../src/types/Community.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";

/// @notice Attack 4 of issue 10 (free griefing by withholding) now fails: an omission by a claim the
/// meter's owner did not sign rejects the claim only when raised by a participant other than the owner
/// (DESIGN.md §5.5: a reading counts as served once another participant holds it).
contract OmissionGriefTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    function _mismatchProof(Commit memory c, uint256 m, uint256 t) internal view returns (bytes memory) {
        return abi.encode(
            ReadingMismatchProof(
                _signed(m, t), _intervalProof(c, t), _committed(c, m, t), _opening(c, m, t), _record(m)
            )
        );
    }

    /// @dev An honest claim of participants 0..2 that lacks meter 5's reading at interval 11 because
    /// its owner (participant 5) never served it.
    function _claimWithout5() internal returns (Commit memory c) {
        c = _honestInputs();
        (c.enc[11][5], c.sig[11][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
    }

    /// The owner withholds its reading, then raises the omission against the honest claim: refused,
    /// for every one of its W readings; the honest claim finalizes.
    function test_Attack4_OwnerCannotRejectWithItsOwnWithheldReading() public {
        Commit memory c = _claimWithout5();
        bytes memory err = abi.encodeWithSelector(IDisputeVerifier.UnservedOmission.selector, uint32(5));
        _disputeOn(nodes[5], id, 0, DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11), err);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
    }

    /// Handing the reading to an address outside the community does not help: only participants are
    /// witnesses of what was served to the community.
    function test_Attack4_OutsiderCannotRaiseUnservedOmission() public {
        Commit memory c = _claimWithout5();
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.UnservedOmission.selector, uint32(5)),
            DisputeKind.ReadingMismatch,
            _mismatchProof(c, 5, 11)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
    }

    /// A reading another participant holds (it was served) still rejects a claim that left it out.
    function test_OmissionOfServedReadingRaisedByAnotherParticipant() public {
        Commit memory c = _claimWithout5();
        _disputeOn(nodes[7], id, 0, DisputeKind.ReadingMismatch, _mismatchProof(c, 5, 11), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "rejected");
        assertEq(_bondOf(hub, id, 0), BOND, "in good faith: nobody slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities());
    }
}
