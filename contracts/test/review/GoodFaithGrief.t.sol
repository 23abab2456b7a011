// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {DisputeKind, ReadingMismatchProof} from "../../src/types/Dispute.sol";
import {WindowStatus} from "../../src/types/Community.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

/// @notice Security review of main (docs/review.md), R9: a good-faith error costs its signers nothing, and
/// there are 2^(W·M) of them. A signer posts, alone, a claim that leaves out ANOTHER participant's
/// reading (an omission by a non-owner: good faith). A participant must dispute it (outsiders may not
/// raise it: UnservedOmission), unpaid, in two blocks; the moment it is rejected the attacker posts the
/// next one, leaving out another reading, ahead of the honest update (WindowPending). Each round costs the
/// attacker gas only; the window and `close` stay locked for as long as it pays gas.
/// Rule that stops it: any rejected claim (good faith included) costs its submitter a deposit, paid to
/// the disputer; or a signer of a claim rejected for a window may not sign another partial claim of
/// that window before the honest claim had its turn.
contract ReviewGoodFaithGriefTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    function test_R9_High_FreeGoodFaithClaimsLockWindow() public {
        address honestDisputer = nodes[7];
        for (uint256 round = 0; round < 4; ++round) {
            // Participant 0 leaves out one reading of meter 5 (owner: participant 5) per round.
            Commit memory c = _honestInputs();
            uint256 t = 10 + round;
            require(c.enc[t][5].length > 0, "fixture: reading present");
            (c.enc[t][5], c.sig[t][5]) = (bytes(""), bytes(""));
            c = _fold(c, 0);
            _claim(0, c.root, c.states[W - 1], _signers(0, 1));
            // The honest claim cannot get in while it is pending.
            Commit memory h = _honest();
            bytes32 digest = _resultDigest(HUB, id, 0, h.root, keccak256(abi.encode(h.states[W - 1])));
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[1], digest);
            vm.expectRevert(abi.encodeWithSelector(IHub.WindowPending.selector, id, uint32(0)));
            hub.update(id, 0, h.root, _packed(h.states[W - 1]), _packConcat(abi.encodePacked(uint8(1), r, vs)));
            // A participant rejects it, unpaid.
            bytes memory proof = abi.encode(
                ReadingMismatchProof(
                    _signed(5, t), _intervalProof(c, t), _committed(c, 5, t), _proof(c.slotLeaves[t], 5)
                )
            );
            _disputeOn(honestDisputer, id, 0, DisputeKind.ReadingMismatch, proof, "");
            assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "rejected in good faith");
        }
        assertEq(hub.account(id, 0).bond, BOND, "the attacker lost nothing");
        assertEq(hub.account(id, 0).escrow, ESCROW);
        assertEq(hub.withdrawable(token, honestDisputer), 0, "the disputer earned nothing");
    }
}
