// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {SettlementHarness} from "../libraries/Settlement.t.sol";
import {words1} from "../utils/Words.sol";

/// @notice Drives the paged slash (`Settlement.slash`, `continueSlash`) with pages of 1 to 4 member slots
/// over `N` members, so that slashes stay pending across calls, interleaved with everything that may run
/// while one is pending: deposits, lost game bonds, top-ups, and the guarded moves (another slash, the
/// whole-bond check of a partial claim), which must revert `SlashPending` then. Plain slashes only (no
/// `orCredit`: its fines leave the books on purpose, `SettlementDifferentialTest` covers them).
contract SlashHandler is CommonBase, StdCheats, StdUtils {
    uint256 public constant N = 9;
    uint256 public constant BOND = 1_000;
    address public constant CHALLENGER = address(0xC0FFEE);

    SettlementHarness public h;
    /// @notice What came in: the members' bonds at the start, deposits, lost bonds, top-ups, forfeited deposits.
    uint256 public ghostIn = N * BOND;
    uint256 public ghostSlashes;
    uint256 public ghostContinues;
    uint256 public ghostGuarded;
    uint256 public ghostMidSlashMoves;

    constructor() {
        h = new SettlementHarness();
        for (uint256 i = 0; i < N; ++i) {
            h.set(i, 0, 0);
        }
    }

    function _pending() internal view returns (bool) {
        return h.phase() != Settlement.SlashPhase.None;
    }

    function _setPage(uint256 seed) internal {
        h.setPage(1 + seed % 4);
    }

    function slash(uint256 offenders, uint256 cap, uint256 extra, uint256 challengerSeed, uint256 pageSeed) external {
        offenders = bound(offenders, 1, (uint256(1) << N) - 1);
        cap = bound(cap, 0, 2 * BOND);
        bool someoneElse = offenders != (uint256(1) << N) - 1;
        extra = someoneElse ? bound(extra, 0, 10_000) : 0;
        uint256 challengerPlusOne = challengerSeed % 3 == 0 ? 1 + challengerSeed % N : 0;
        Settlement.Penalty memory p = Settlement.Penalty(words1(offenders), cap, extra, false, BOND);
        if (_pending()) {
            try h.slashFirst(N, challengerPlusOne, p, CHALLENGER) {
                revert("a second slash while one is pending");
            } catch (bytes memory e) {
                require(bytes4(e) == IHub.SlashPending.selector, "SlashPending");
            }
            ++ghostGuarded;
            return;
        }
        _setPage(pageSeed);
        h.slashFirst(N, challengerPlusOne, p, CHALLENGER);
        // A self-dispute of everyone takes nothing (and has no extra).
        ghostIn += extra;
        ++ghostSlashes;
    }

    function continueSlash(uint256 pageSeed) external {
        if (!_pending()) {
            try h.continueSlash(N) {
                revert("continued without a slash");
            } catch (bytes memory e) {
                require(bytes4(e) == IHub.NoSlashPending.selector, "NoSlashPending");
            }
            return;
        }
        _setPage(pageSeed);
        h.continueSlash(N);
        ++ghostContinues;
    }

    function deposit(uint256 i, uint256 amount) external {
        amount = bound(amount, 1, 50_000);
        h.addCredit(i % N, amount);
        ghostIn += amount;
        if (_pending()) ++ghostMidSlashMoves;
    }

    function lostGameBond(uint256 who, uint256 amount) external {
        who = bound(who, 1, (uint256(1) << N) - 1);
        amount = bound(amount, 0, 100_000);
        h.creditWide(words1(who), N, amount);
        ghostIn += amount;
        if (_pending()) ++ghostMidSlashMoves;
    }

    function topUpBond(uint256 i) external {
        ghostIn += h.topUp(i % N);
        if (_pending()) ++ghostMidSlashMoves;
    }

    /// A partial claim's whole-bond check: refused while bonds are being taken.
    function partialClaim(uint256 signers) external {
        signers = bound(signers, 1, (uint256(1) << N) - 1);
        if (h.phase() == Settlement.SlashPhase.Take) {
            try h.requireWholeBonds(signers) {
                revert("a partial claim while bonds are taken");
            } catch (bytes memory e) {
                require(bytes4(e) == IHub.SlashPending.selector, "SlashPending");
            }
            ++ghostGuarded;
            return;
        }
        try h.requireWholeBonds(signers) {}
        catch (bytes memory e) {
            require(bytes4(e) == IHub.BondNotWhole.selector, "BondNotWhole");
        }
    }
}
