// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind} from "../../src/types/Market.sol";
import {CommunityInfo, WindowStatus} from "../../src/types/Community.sol";
import {Modules} from "../utils/Modules.sol";
import {GameHandler} from "./GameHandler.sol";

/// @notice Invariants of the data-availability game under random moves and timeouts (GameHandler):
/// money conserved exactly (challenge bonds included); an honest claim is never rejected while its
/// claimant side answers (and publishes) in time; a withheld claim, or an R1-style one (every reveal
/// answered, no step publishable), never finalizes while an honest watcher plays.
contract GameInvariantTest is Modules {
    Hub internal hub;
    CommunityToken internal token;
    GameHandler internal handler;

    function setUp() public {
        vm.warp(1_000_000);
        hub = _newHub();
        token = new CommunityToken("Community", "CT", address(this));
        handler = new GameHandler(hub, token, _modules(MarketKind.Totals), book);
        address[] memory all = handler.allActors();
        for (uint256 i = 0; i < all.length; ++i) {
            token.mint(all[i], 1e30);
            vm.prank(all[i]);
            token.approve(address(hub), type(uint256).max);
        }
        handler.init();
        targetContract(address(handler));
        bytes4[] memory moves = new bytes4[](11);
        moves[0] = GameHandler.post.selector;
        moves[1] = GameHandler.challenge.selector;
        moves[2] = GameHandler.revealGarbage.selector;
        moves[3] = GameHandler.pick.selector;
        moves[4] = GameHandler.resolve.selector;
        moves[5] = GameHandler.warp.selector;
        moves[6] = GameHandler.finalize.selector;
        moves[7] = GameHandler.withdraw.selector;
        moves[8] = GameHandler.publishGarbage.selector;
        moves[9] = GameHandler.openMeterGarbage.selector;
        moves[10] = GameHandler.openEntryGarbage.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: moves}));
    }

    function afterInvariant() external view {
        console.log("games", handler.ghostGames(), "claimant lost", handler.ghostClaimantLost());
        console.log("challenger lost", handler.ghostChallengerLost(), "void", handler.ghostVoid());
        console.log("entries opened", handler.ghostEntriesOpened());
    }

    function invariant_MoneyConserved() public view {
        uint256 sum = handler.ghostOpenBonds();
        uint64 id = handler.id();
        for (uint256 i = 0; i < 4; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            sum += uint256(hub.community(id).escrow) + aBond + aCredit;
        }
        // The pending claim's deposit (review R9).
        CommunityInfo memory info = hub.community(id);
        if (hub.windowRecord(id, info.finalizedWindows).status == WindowStatus.Pending) {
            sum += uint256(info.bond) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
        }
        address[] memory all = handler.allActors();
        for (uint256 i = 0; i < all.length; ++i) {
            sum += hub.withdrawable(token, all[i]);
        }
        assertEq(token.balanceOf(address(hub)), sum);
    }

    function invariant_HonestClaimNeverRejected() public view {
        assertEq(handler.ghostHonestRejected(), 0);
    }

    function invariant_WithheldClaimNeverFinal() public view {
        assertEq(handler.ghostWithheldFinal(), 0);
    }

    /// The handler's moves work: a withheld claim loses to the watcher, an honest one survives a challenge.
    function test_HandlerPlaysBothSides() public {
        handler.post(0, 1);
        for (uint256 i = 0; i < 12; ++i) {
            handler.finalize();
            handler.warp(2 hours);
        }
        assertEq(handler.ghostClaimantLost(), 1);
        // R1-style: the watcher plays down to a leaf, which its claimant reveals but cannot publish.
        handler.post(2, 1);
        for (uint256 i = 0; i < 20; ++i) {
            handler.finalize();
            handler.warp(2 hours);
        }
        assertEq(handler.ghostClaimantLost(), 2);
        assertEq(handler.ghostWithheldFinal(), 0);
        handler.post(1, 3);
        handler.challenge(0);
        for (uint256 i = 0; i < 12; ++i) {
            handler.warp(2 hours);
        }
        assertEq(handler.ghostChallengerLost(), 1);
        handler.finalize();
        assertEq(handler.ghostHonestRejected(), 0);
        invariant_MoneyConserved();
    }

    /// An honest claim whose leaves commit step entries (window 0): a griefer's game goes down the window tree,
    /// through the entries level (both trees revealed, entry opened by the honest claimant) and the meter level;
    /// the griefer loses its bond and the claim stays.
    function test_HandlerPlaysTheEntriesLevel() public {
        handler.post(1, 3);
        handler.challenge(0);
        for (uint256 i = 0; i < 40; ++i) {
            handler.warp(1);
            handler.pick(0, uint8(i % 2));
        }
        assertEq(handler.ghostEntriesOpened(), 1, "the entries level was played");
        for (uint256 i = 0; i < 4; ++i) {
            handler.warp(2 hours);
        }
        assertEq(handler.ghostChallengerLost(), 1);
        assertEq(handler.ghostHonestRejected(), 0);
        invariant_MoneyConserved();
    }
}
