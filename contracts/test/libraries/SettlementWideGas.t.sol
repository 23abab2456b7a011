// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {Test} from "forge-std/Test.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {SettlementHarness} from "./Settlement.t.sol";

/// @notice The slash that a claimant-lost resolve applies (`Hub.playGame`: each signer pays the claim
/// deposit's size, the forfeited deposit shared out), at N = 1,000 with 1 and 999 offenders: the part of
/// the resolve that grows with N (`snapshots/SettlementWide.json`). The hub's resolve adds the game
/// module's move and the claim's rejection (about 60,000 at N = 10, `Game.json`).
contract SettlementWideGasTest is Test {
    uint256 internal constant N = 1000;
    uint256 internal constant BOND = 1_000_000;
    uint256 internal constant PENALTY = BOND / 10;

    /// @dev 1,000 members as the hub has them after their joins (a non-zero member slot: `joined`; here a
    /// credit of 1 wei stands in), storage cold again as in a fresh transaction.
    function _members() internal returns (SettlementHarness h) {
        h = new SettlementHarness();
        for (uint256 i = 0; i < N; ++i) {
            h.set(i, 0, 1);
        }
        vm.cool(address(h));
    }

    function _slash(SettlementHarness h, uint256[] memory offenders, string memory name) internal {
        vm.startSnapshotGas("SettlementWide", name);
        h.slash(N, 0, Settlement.Penalty(offenders, PENALTY, PENALTY, false, BOND), address(0xC0FFEE));
        vm.stopSnapshotGas();
    }

    function test_Gas_ClaimantLostSlash_1of1000() public {
        SettlementHarness h = _members();
        _slash(h, SignerBitmap.single(N, 999), "claimantLost_slash_1of1000");
        assertEq(h.get(999).bondMissing, PENALTY);
    }

    function test_Gas_ClaimantLostSlash_999of1000() public {
        SettlementHarness h = _members();
        uint256[] memory offenders = SignerBitmap.all(N);
        offenders[3] &= ~(uint256(1) << (999 - 768));
        _slash(h, offenders, "claimantLost_slash_999of1000");
        assertEq(h.get(0).bondMissing, PENALTY);
        assertEq(h.get(999).bondMissing, 0);
        // 999 × 100,000 + 100,000 extra, half to the challenger, half to member 999.
        assertEq(h.get(999).credit, 1 + 50_000_000);
    }
}
