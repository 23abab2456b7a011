// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {MarketKind} from "../../src/types/Market.sol";
import {Modules} from "../utils/Modules.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {Balance, CommunityInfo, CommunityStatus, WindowStatus} from "../../src/types/Community.sol";
import {HubHandler} from "./HubHandler.sol";

/// @notice Money, claim and window invariants of the hub under random valid call sequences (every
/// entry point, claims and BadBalances disputes included).
contract HubInvariantTest is Modules {
    Hub internal hub;
    CommunityToken internal token;
    HubHandler internal handler;

    function setUp() public {
        vm.warp(1_000_000);
        hub = _newHub();
        token = new CommunityToken("Community", "CT", address(this));
        handler = new HubHandler(hub, token, _modules(MarketKind.Mmr), book);
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            token.mint(a, 1e30);
            vm.prank(a);
            token.approve(address(hub), type(uint256).max);
        }
        handler.openFirst();
        targetContract(address(handler));
        // Not an action: the first community is opened in setUp.
        bytes4[] memory skip = new bytes4[](1);
        skip[0] = HubHandler.openFirst.selector;
        excludeSelector(FuzzSelector(address(handler), skip));
    }

    function afterInvariant() external view {
        console.log("updates", handler.ghostUpdates(), "pending", handler.ghostPending());
        console.log("closes", handler.ghostCloses(), "claims", handler.ghostClaimCalls());
        console.log("shares", handler.ghostShares(), "bad balances slashed", handler.ghostBadBalancesSlashed());
        console.log("bond top-ups", handler.ghostTopUps(), "unjoined refused", handler.ghostUnjoinedRefused());
        console.log("claim attacks refused", handler.ghostClaimAttacks(), "claimAlls", handler.ghostClaimAlls());
        console.log("claimRanges", handler.ghostClaimRanges());
        console.log("opened together", handler.ghostTogether(), "module registrations", handler.ghostRegistrations());
    }

    /// Each community reports the modules it was opened with, whatever sets were registered since (its set is
    /// written once: `registerModules`, a later `open`, never rewrite it).
    function invariant_ModulesFixed() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            assertEq(keccak256(abi.encode(hub.community(id).modules)), handler.ghostModulesHash(id), "modules");
        }
    }

    /// Σ held (per community) + Σ withdrawable == the hub's token balance; and each community's held is
    /// exactly what came in, less what moved to withdrawable and what its claims paid out.
    function invariant_HeldPlusWithdrawableIsBalance() public view {
        uint256 sum;
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            uint256 held = hub.community(id).held;
            sum += held;
            assertEq(held + handler.ghostOut(id) + handler.ghostPaid(id), handler.ghostIn(id), "per-community books");
        }
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            sum += hub.withdrawable(token, handler.actors(i));
        }
        assertEq(token.balanceOf(address(hub)), sum);
    }

    /// A member claims at most once; a community never pays out more than came in for it.
    function invariant_ClaimOnceAndNoOverpay() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            for (uint256 i = 0; i < handler.actorCount(); ++i) {
                assertLe(handler.ghostClaims(id, i), 1);
            }
            assertLe(handler.ghostPaid(id), handler.ghostIn(id) - handler.ghostOut(id));
        }
    }

    /// After every joined member of a closed community claimed and no claim holder has more to take:
    /// Σ paid + dust == Σ in − Σ out to withdrawable, with dust < the number of claim holders.
    function invariant_AllClaimedLeavesOnlyDust() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            CommunityInfo memory info = hub.community(id);
            if (info.status != CommunityStatus.Closed) continue;
            uint256 holders;
            bool done = true;
            for (uint256 i = 0; i < handler.actorCount() && done; ++i) {
                (,, bool settled, uint256 taken,) = hub.member(id, i);
                if (handler.joinedOf(id) & (1 << i) == 0) continue;
                if (!settled) done = false;
                (Balance memory leaf, uint256 total,) = book.claimArgs(hub, id, i);
                if (leaf.claim == 0) continue;
                ++holders;
                if (uint256(info.repaidPool) * leaf.claim / total > taken) done = false;
            }
            if (!done) continue;
            uint256 dust = info.held;
            assertEq(handler.ghostPaid(id) + dust, handler.ghostIn(id) - handler.ghostOut(id));
            assertLe(dust, holders == 0 ? 0 : holders - 1, "dust < number of claim holders");
        }
    }

    /// Each member's root position (escrow − debt + claim in the last final balances root) moves by
    /// exactly the nets of the final windows, each applied once; Σ debt = Σ claim = totalClaims.
    function invariant_RootPositionsAndNoWindowAppliedTwice() public view {
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            for (uint32 w = 0; w < 3; ++w) {
                assertLe(handler.ghostFinalCount(id, w), 1);
            }
            if (hub.community(id).finalizedWindows == 0) continue;
            (Balance[] memory leaves, uint256 total) = book.leaves(book.finalRoot(hub, id));
            uint256 debt;
            uint256 claims;
            for (uint256 i = 0; i < handler.actorCount(); ++i) {
                Balance memory b = leaves[i];
                assertEq(int256(b.escrow) - int256(b.debt) + int256(b.claim), handler.ghostPosition(id, i));
                debt += b.debt;
                claims += b.claim;
            }
            assertEq(debt, claims);
            assertEq(claims, total);
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
