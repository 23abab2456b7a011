// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DisputeKind, ReadingMismatchProof} from "../../src/types/Dispute.sol";
import {WindowStatus} from "../../src/types/Community.sol";
import {StateHash} from "../../src/types/Market.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";
import {ConfigBuilder} from "../utils/ConfigBuilder.sol";

/// @notice Security review of main (docs/review.md), R9 (fixed). The attack: a signer posts, alone, one
/// claim after another, each leaving out ANOTHER participant's reading (an omission by a non-owner: a
/// good-faith error, nobody slashed); a participant must dispute each one, unpaid, while the honest
/// update waits (WindowPending). Now every partial claim stakes a claim deposit (Hub.CLAIM_DEPOSIT_BPS of
/// the bond), forfeited when the claim is rejected for any reason, good faith included, and shared out
/// like a slash: half to the disputer, the rest to the participants who did not sign.
contract ReviewGoodFaithGriefTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    function test_R9_EveryRejectedGoodFaithClaimCostsItsSubmitterTheDeposit() public {
        address attacker = nodes[0];
        address honestDisputer = nodes[7];
        uint256 d = _claimDeposit();
        uint256 attackerTokens = token.balanceOf(attacker);
        for (uint256 round = 0; round < 4; ++round) {
            // Participant 0 leaves out one reading of meter 5 (owner: participant 5) per round.
            Commit memory c = _honestInputs();
            uint256 t = 10 + round;
            require(c.enc[t][5].length > 0, "fixture: reading present");
            (c.enc[t][5], c.sig[t][5]) = (bytes(""), bytes(""));
            c = _fold(c, 0);
            if (block.timestamp < uint256(START) + W * INTERVAL) vm.warp(uint256(START) + W * INTERVAL);
            bytes32 sh = StateHash.hash(c.states[W - 1]);
            bytes32 bRoot1 = _balancesRoot(id, 0, c.states[W - 1]);
            bytes32 digest = _resultDigest(HUB, id, 0, c.root, sh, bRoot1);
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[0], digest);
            bytes memory sig1 = _packConcat(abi.encodePacked(uint8(0), r, vs));
            _noteClaim(0, c.root, sh, bRoot1);
            vm.prank(attacker);
            hub.update(id, 0, c.root, sh, bRoot1, ConfigBuilder.finalStateOf(c.states[W - 1], sig1), sig1);
            // A participant rejects it.
            bytes memory proof = abi.encode(
                ReadingMismatchProof(
                    _signed(5, t), _intervalProof(c, t), _committed(c, 5, t), _opening(c, 5, t), _record(5)
                )
            );
            _disputeOn(honestDisputer, id, 0, DisputeKind.ReadingMismatch, proof, "");
            assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "rejected in good faith");
        }
        assertEq(_bondOf(hub, id, 0), BOND, "good faith: no slash");
        assertEq(attackerTokens - token.balanceOf(attacker), 4 * d, "but each claim cost its deposit");
        // The disputer: half of each deposit (+ the remainder of the split over the 9 non-signers) in its
        // withdrawable balance, and a non-signer's share in its escrow.
        uint256 each = d / 2 / (N - 1);
        assertEq(hub.withdrawable(token, honestDisputer), 4 * (d - each * (N - 1)), "the disputer is paid");
        assertEq(_creditOf(hub, id, 7), 4 * each);
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }
}
