// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind} from "../../src/types/Market.sol";
import {CommunityInfo, WindowRecord, WindowStatus} from "../../src/types/Community.sol";
import {Modules} from "../utils/Modules.sol";
import {DisputeHandler} from "./DisputeHandler.sol";

/// @notice Invariants of the hub under random sequences of honest and fraudulent claims, disputes with
/// valid and invalid proofs, equivocations and slashing (DisputeHandler).
contract DisputeInvariantTest is Modules {
    Hub internal hub;
    CommunityToken internal token;
    DisputeHandler internal handler;

    function setUp() public {
        vm.warp(1_000_000);
        hub = _newHub();
        token = new CommunityToken("Community", "CT", address(this));
        handler = new DisputeHandler(hub, token, _modules(MarketKind.Mmr), book);
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            token.mint(a, 1e30);
            vm.prank(a);
            token.approve(address(hub), type(uint256).max);
        }
        handler.init();
        targetContract(address(handler));
        bytes4[] memory moves = new bytes4[](10);
        moves[0] = DisputeHandler.claim.selector;
        moves[1] = DisputeHandler.disputeValid.selector;
        moves[2] = DisputeHandler.disputeInvalid.selector;
        moves[3] = DisputeHandler.equivocate.selector;
        moves[4] = DisputeHandler.finalize.selector;
        moves[5] = DisputeHandler.warp.selector;
        moves[6] = DisputeHandler.deposit.selector;
        moves[7] = DisputeHandler.withdraw.selector;
        moves[8] = DisputeHandler.close.selector;
        moves[9] = DisputeHandler.topUpBond.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: moves}));
    }

    function afterInvariant() external view {
        console.log("frauds", handler.ghostFrauds(), "disputes", handler.ghostDisputes());
        console.log("invalid refused", handler.ghostInvalidRejected(), "equivocations", handler.ghostEquivocations());
        console.log("replacements", handler.ghostReplacements(), "closes", handler.ghostCloses());
        console.log("bond top-ups", handler.ghostTopUps());
    }

    /// The handler's moves work: each fraud kind is posted, proven and slashed; invalid proofs refused.
    function test_HandlerProvesEveryFraudKind() public {
        for (uint256 k = 1; k <= 5; ++k) {
            handler.claim(k, 3); // kinds WRONG_FINAL, FORGED, OMITTED, BAD_STEP, STATE_OFF; signers 0 and 1
            handler.disputeInvalid(1, 0);
            handler.disputeInvalid(3, 1);
            handler.disputeValid(k);
            assertEq(handler.ghostDisputes(), k);
        }
        assertEq(handler.ghostInvalidAccepted(), 0);
        assertEq(handler.ghostInvalidRejected(), 10);
        handler.claim(0, 0); // honest, fully signed
        invariant_MoneyConserved();
        invariant_HonestClaimNeverRejected();
        invariant_FullySignedNeverDisplaced();
    }

    /// The bad step proven by BadEntry through the handler's own commitments (its leaves carry the node's entries
    /// roots), at participant 1 (entries 0, 1 and 3 opened); BadEntry against the honest step 0 is refused at
    /// every participant. (The same fraud cannot be posted twice: the hub refuses a rejected claim.)
    function test_HandlerProvesBadStepByEntry() public {
        handler.claim(4, 3); // BAD_STEP, signers 0 and 1
        for (uint256 j = 0; j < 4; ++j) {
            handler.disputeInvalid(6 + 8 * j, 0); // mode 2, BadEntry (seed % 8 ≥ 4) at participant j, step 0
        }
        handler.disputeValid(2 << 8); // BadEntry at participant 1 against step 1
        assertEq(handler.ghostDisputes(), 1);
        assertEq(handler.ghostInvalidAccepted(), 0);
        assertEq(handler.ghostInvalidRejected(), 4);
        invariant_MoneyConserved();
        invariant_HonestClaimNeverRejected();
    }

    /// A posted state off the last leaf's entries proven by StateEntry (participant 0's state leaf against its
    /// entry); StateEntry against the honest step 0 is refused at every participant.
    function test_HandlerProvesStateOffByStateEntry() public {
        handler.claim(5, 3); // STATE_OFF, signers 0 and 1
        for (uint256 j = 0; j < 4; ++j) {
            handler.disputeInvalid(38 + 8 * j, 0); // mode 2, StateEntry ((seed >> 5) odd) at participant j, step 0
        }
        handler.disputeValid(0); // StateEntry at participant 0 against the last leaf
        assertEq(handler.ghostDisputes(), 1);
        assertEq(handler.ghostInvalidAccepted(), 0);
        assertEq(handler.ghostInvalidRejected(), 4);
        invariant_MoneyConserved();
        invariant_HonestClaimNeverRejected();
    }

    /// A fraud the handler cannot build is posted as what it is: honest. With every reading of interval
    /// 2 voided (or never sent), an "omitted reading" claim omits nothing and equals the honest claim;
    /// labelled a fraud, the handler's valid-proof move then had no reading to prove an omission with
    /// and reverted `InvalidChallengerReading` (the invariant failure seen after the one-home merge).
    function test_OmissionWithNothingToOmitIsPostedHonest() public {
        _fraudWithNoSlotToTamper(2, 3); // kind OMITTED (1 + 3 % 6) tampers with interval 2
    }

    /// The same for a "forged reading" claim with interval 1 empty (its proof reverted `SlotAbsent`).
    function test_ForgeryWithNothingToForgeIsPostedHonest() public {
        _fraudWithNoSlotToTamper(1, 2); // kind FORGED (1 + 2 % 6) tampers with interval 1
    }

    function _fraudWithNoSlotToTamper(uint256 t, uint256 kindSeed) internal {
        uint256 m = handler.M();
        for (uint256 k = 0; k < m; ++k) {
            handler.equivocate(k + (t << 8), 0); // void meter k's slot at interval t of window 0
        }
        assertEq(handler.ghostEquivocations(), m);
        handler.claim(kindSeed, 3); // signer 0 only (pending)
        assertEq(handler.ghostFrauds(), 0, "nothing to tamper with: an honest claim");
        assertEq(handler.honestCount(), 1);
        handler.disputeValid(0); // no fraud to prove: no dispute, no revert
        handler.disputeInvalid(1, 1); // a forged-reading proof of interval 0 against the honest claim: refused
        assertEq(handler.ghostDisputes(), 0);
        assertEq(handler.ghostInvalidRejected(), 1);
        assertEq(handler.ghostInvalidAccepted(), 0);
        invariant_HonestClaimNeverRejected();
        invariant_MoneyConserved();
    }

    /// Money is conserved exactly: the hub holds Σ root escrow + Σ bond + Σ credit + one claim deposit per
    /// pending window + Σ withdrawable, slashes, deposits and top-ups included; and Σ held (per community)
    /// + Σ withdrawable is the hub's balance.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 200
    function invariant_MoneyConserved() public view {
        uint256 owed;
        uint256 fines;
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            uint64 id = handler.ids(k);
            for (uint256 i = 0; i < handler.actorCount(); ++i) {
                (uint256 aBond, uint256 aCredit,,, uint256 aFine) = hub.member(id, i);
                // The root's escrow (the reaction only moves it between members; nobody claims here).
                owed += uint256(hub.community(id).escrow) + aBond + aCredit;
                fines += aFine;
            }
            CommunityInfo memory info = hub.community(id);
            if (hub.windowRecord(id, info.finalizedWindows).status == WindowStatus.Pending) {
                owed += uint256(info.bond) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
            }
        }
        uint256 withdrawable;
        for (uint256 i = 0; i < handler.challengerCount(); ++i) {
            withdrawable += hub.withdrawable(token, handler.challengers(i));
        }
        owed += withdrawable;
        // Fines still owed are subtracted from what members are owed; every fine ever imposed stays in
        // the hub (paid by money the member received later, or at claim): exact.
        assertEq(token.balanceOf(address(hub)) + fines, owed + handler.ghostFines());
        uint256 held;
        for (uint256 k = 0; k < handler.idCount(); ++k) {
            held += hub.community(handler.ids(k)).held;
        }
        assertEq(held + withdrawable, token.balanceOf(address(hub)), "sum held + sum withdrawable = balance");
    }

    /// An honest claim is never rejected, and no proof that proves nothing is ever accepted.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 200
    function invariant_HonestClaimNeverRejected() public view {
        for (uint256 k = 0; k < handler.honestCount(); ++k) {
            assertEq(hub.rejectedClaim(handler.honestIds(k), handler.honestClaims(k)).deadline, 0);
        }
        assertEq(handler.ghostInvalidAccepted(), 0);
    }

    /// A fully signed result is never displaced: its window stays Final, its record empty (its roots are in its
    /// event only), and while it is the community's last final window the hub's final balances root is exactly
    /// that claim's (the one root the hub stores of it, s16).
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 200
    function invariant_FullySignedNeverDisplaced() public view {
        for (uint256 k = 0; k < handler.fullCount(); ++k) {
            uint32 w = handler.fullWindows(k);
            uint64 cid = handler.fullIds(k);
            WindowRecord memory r = hub.windowRecord(cid, w);
            assertEq(uint8(r.status), uint8(WindowStatus.Final));
            assertEq(r.balancesRoot, bytes32(0), "no stale root of a replaced claim");
            assertEq(r.windowRoot, bytes32(0), "no stale root of a replaced claim");
            assertEq(r.stateHash, bytes32(0), "no stale root of a replaced claim");
            CommunityInfo memory info = hub.community(cid);
            if (info.finalizedWindows == w + 1) assertEq(hub.finalBalancesRoot(cid), handler.fullBalancesRoots(k));
        }
    }
}
