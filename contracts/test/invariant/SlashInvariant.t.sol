// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {SlashHandler} from "./SlashHandler.sol";

/// @notice Money is conserved to the wei across a paged slash (DESIGN.md §5.3): at every point between its
/// pages, the members' bonds and credits, the challenger's reward and what the pending slash holds in flight
/// add up to what came in (`SlashHandler`).
contract SlashInvariantTest is Test {
    SlashHandler internal handler;

    function setUp() public {
        handler = new SlashHandler();
        targetContract(address(handler));
    }

    function afterInvariant() external view {
        console.log("slashes", handler.ghostSlashes(), "continues", handler.ghostContinues());
        console.log("guarded", handler.ghostGuarded(), "mid-slash moves", handler.ghostMidSlashMoves());
    }

    /// Σ bonds + Σ credits + the reward + in flight == what came in. In flight: while taking, the total taken;
    /// while crediting the recipients, the equal part of each not written yet; while debiting the offenders,
    /// minus the equal part of each not written yet (the accumulator already counts it for them).
    function invariant_PagedSlashConservesMoney() public view {
        uint256 n = handler.N();
        (Settlement.SlashPhase phase, uint256 cursor, uint256 each, uint256 total, uint256 offenders) =
            handler.h().pendingView();
        int256 sum = int256(handler.h().withdrawable(handler.CHALLENGER()));
        for (uint256 i = 0; i < n; ++i) {
            sum += int256(handler.BOND() - handler.h().get(i).bondMissing) + handler.h().get(i).credit;
        }
        uint256 above = ~((uint256(1) << cursor) - 1) & ((uint256(1) << n) - 1);
        if (phase == Settlement.SlashPhase.Take) {
            sum += int256(total);
        } else if (phase == Settlement.SlashPhase.CreditRecipients) {
            sum += int256(each * SignerBitmap.popcount(~offenders & above));
        } else if (phase == Settlement.SlashPhase.DebitOffenders) {
            sum -= int256(each * SignerBitmap.popcount(offenders & above));
        }
        assertEq(sum, int256(handler.ghostIn()));
        assertTrue(phase != Settlement.SlashPhase.Shared, "never stored");
    }
}
