// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {MarketKind} from "../../src/types/Market.sol";
import {Modules} from "../utils/Modules.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {CommunityInfo, CommunityStatus, ParticipantAccount, WindowStatus} from "../../src/types/Community.sol";
import {HubHandler} from "./HubHandler.sol";

/// @notice Money and window invariants of the hub under random valid call sequences.
contract HubInvariantTest is Modules {
    Hub internal hub;
    CommunityToken internal token;
    HubHandler internal handler;

    function setUp() public {
        vm.warp(1_000_000);
        hub = _newHub();
        token = new CommunityToken("Community", "CT", address(this));
        handler = new HubHandler(hub, token, _modules(MarketKind.Mmr));
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            token.mint(a, 1e30);
            vm.prank(a);
            token.approve(address(hub), type(uint256).max);
        }
        targetContract(address(handler));
    }

    function afterInvariant() external view {
        console.log("updates", handler.ghostUpdates(), "pending", handler.ghostPending());
        console.log("closes", handler.ghostCloses(), "repays", handler.ghostRepays());
        console.log("bond top-ups", handler.ghostTopUps());
    }

    /// The hub holds exactly Σ escrow + Σ bond (all communities) + one claim deposit per pending window
    /// + Σ withdrawable; nothing else.
    function invariant_TokenBalanceEqualsLiabilities() public view {
        uint256 owed;
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            CommunityInfo memory info = hub.community(id);
            if (hub.windowRecord(id, info.finalizedWindows).status == WindowStatus.Pending) {
                owed += uint256(info.bond) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
            }
            for (uint256 i = 0; i < handler.actorCount(); ++i) {
                ParticipantAccount memory a = hub.account(id, i);
                owed += uint256(a.escrow) + a.bond;
            }
        }
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            owed += hub.withdrawable(token, handler.actors(i));
        }
        assertEq(token.balanceOf(address(hub)), owed);
    }

    /// escrow + bond − debt + claim moves by exactly the nets of the final windows, each applied once.
    function invariant_NoWindowAppliedTwice() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            for (uint32 w = 0; w < 3; ++w) {
                assertLe(handler.ghostFinalCount(id, w), 1);
            }
            if (hub.community(id).status == CommunityStatus.Closed) continue;
            for (uint256 i = 0; i < handler.actorCount(); ++i) {
                ParticipantAccount memory a = hub.account(id, i);
                int256 position =
                    int256(uint256(a.escrow) + a.bond) - int256(uint256(a.debt)) + int256(uint256(a.claim));
                assertEq(position, handler.ghostPosition(id, i));
            }
        }
    }

    /// Σ debt = Σ claim = totalDebt in every community.
    function invariant_DebtEqualsClaims() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            uint256 debt;
            uint256 claims;
            for (uint256 i = 0; i < handler.actorCount(); ++i) {
                ParticipantAccount memory a = hub.account(id, i);
                debt += a.debt;
                claims += a.claim;
            }
            assertEq(debt, claims);
            assertEq(debt, hub.community(id).totalDebt);
        }
    }

    /// Windows below `finalizedWindows` are Final, the next one at most Pending, later ones untouched.
    function invariant_WindowsFinalInOrder() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            uint32 finalized = hub.community(id).finalizedWindows;
            assertEq(handler.ghostApplied(id), finalized);
            for (uint32 w = 0; w < 3; ++w) {
                WindowStatus s = hub.windowRecord(id, w).status;
                if (w < finalized) assertEq(uint8(s), uint8(WindowStatus.Final));
                else if (w > finalized) assertEq(uint8(s), uint8(WindowStatus.None));
                else assertTrue(s != WindowStatus.Final);
            }
        }
    }
}
