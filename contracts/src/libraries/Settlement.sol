// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../interfaces/IHub.sol";
import {ParticipantAccount} from "../types/Community.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ProRata} from "./ProRata.sol";

/// @title Settlement
/// @notice Applies a window's reaction: moves escrowed tokens between participants by `net`; passes
/// repaid debt on to the creditors. An external (linked) library: it keeps the hub under EIP-170.
/// @dev The debt rule. A debtor (net < 0) pays from its escrow, then from its bond; what is still
/// unpaid becomes its `debt`. Creditors (net > 0) share only what was actually collected: in full
/// when nobody was short, otherwise pro rata to their net (ProRata: floor, then one unit each to
/// the first creditors by index), and each creditor's shortfall becomes its `claim`. So
/// Σ credited == Σ collected (money is conserved exactly) and Σ debt added == Σ claim added.
/// Nobody's shortfall ever reverts the window.
library Settlement {
    using SafeCast for uint256;

    /// @notice Share of a slashed amount that goes to the challenger, in basis points (`Hub.CHALLENGER_SHARE_BPS`).
    uint256 internal constant CHALLENGER_SHARE_BPS = 5_000;
    /// @notice Claim deposit, in basis points of the community's configured bond (`Hub.CLAIM_DEPOSIT_BPS`):
    /// also the bounded penalty of each signer of a claim lost by a missed move deadline (DESIGN.md §5.4).
    uint256 internal constant CLAIM_DEPOSIT_BPS = 1_000;

    /// @notice What a slash takes and shares out (`slash`).
    struct Penalty {
        /// Bitmap of the participants who pay.
        uint256 offenders;
        /// Most taken from each offender.
        uint256 cap;
        /// Tokens already held by the hub outside every balance, shared out with what is taken (a forfeited
        /// claim deposit). Only with a non-offender to receive it (a partial claim always has a non-signer).
        uint256 extra;
        /// Take what the bond lacks of `cap` from the escrow (an equivocation's fixed cost, review R4).
        bool orEscrow;
    }

    /// @notice The claim deposit (and timeout penalty) of a community whose configured bond is `bond`.
    function claimDeposit(uint256 bond) internal pure returns (uint256) {
        return bond * CLAIM_DEPOSIT_BPS / 10_000;
    }

    /// @notice Reverts `BondNotWhole` unless every participant in `signers` holds at least `bond` (review
    /// R6: a signer of a partial claim must have its whole bond at stake).
    function requireWholeBonds(
        mapping(uint256 => ParticipantAccount) storage accounts,
        uint256 signers,
        uint256 bond,
        uint64 communityId
    ) public view {
        for (uint256 i = 0; signers >> i != 0; ++i) {
            if ((signers >> i) & 1 != 0 && accounts[i].bond < bond) revert IHub.BondNotWhole(communityId, i);
        }
    }

    /// @notice Applies `nets` (Σ = 0, |net| < 2^127) to `accounts`; returns the debt added.
    function settle(
        mapping(uint256 => ParticipantAccount) storage accounts,
        int256[] memory nets,
        uint64 communityId,
        uint32 window
    ) public returns (uint256 shortfall) {
        uint256 n = nets.length;
        uint256 owed;
        uint256 collected;
        for (uint256 i = 0; i < n; ++i) {
            int256 net = nets[i];
            // |net| < 2^127 (checked by the hub), so both casts are exact.
            // forge-lint: disable-next-item(unsafe-typecast)
            if (net > 0) owed += uint256(net);
            else if (net < 0) collected += _collect(accounts[i], uint256(-net), communityId, window, i);
        }
        if (collected == owed) {
            for (uint256 i = 0; i < n; ++i) {
                if (nets[i] > 0) accounts[i].escrow += uint128(uint256(nets[i]));
            }
            return 0;
        }
        shortfall = owed - collected;
        uint256[] memory weights = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            if (nets[i] > 0) weights[i] = uint256(nets[i]);
        }
        uint256[] memory paid = ProRata.split(collected, weights, owed);
        for (uint256 i = 0; i < n; ++i) {
            if (weights[i] == 0) continue;
            ParticipantAccount storage a = accounts[i];
            a.escrow += uint128(paid[i]);
            uint256 short = weights[i] - paid[i];
            if (short > 0) {
                // short <= net < 2^127.
                // forge-lint: disable-next-line(unsafe-typecast)
                a.claim += uint128(short);
                emit IHub.ClaimRecorded(communityId, window, i, short);
            }
        }
    }

    /// @notice Passes `amount` of repaid debt (<= `totalClaims` = Σ claim) to the participants with
    /// claims, pro rata to their claims (ProRata): into their escrow while the community runs, into
    /// their withdrawable balance once it is closed.
    function payClaims(
        mapping(uint256 => ParticipantAccount) storage accounts,
        address[] storage participants,
        mapping(address => uint256) storage withdrawable,
        uint256 amount,
        uint256 totalClaims,
        bool closed,
        uint64 communityId
    ) public {
        uint256 n = participants.length;
        uint256[] memory claims = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            claims[i] = accounts[i].claim;
        }
        uint256[] memory shares = ProRata.split(amount, claims, totalClaims);
        for (uint256 i = 0; i < n; ++i) {
            uint256 share = shares[i];
            if (share == 0) continue;
            ParticipantAccount storage a = accounts[i];
            // A share never exceeds its claim (ProRata with amount <= Σ claims).
            // forge-lint: disable-next-line(unsafe-typecast)
            a.claim -= uint128(share);
            if (closed) withdrawable[participants[i]] += share;
            // A share never exceeds its uint128 claim.
            // forge-lint: disable-next-line(unsafe-typecast)
            else a.escrow += uint128(share);
            emit IHub.ClaimPaid(communityId, i, share);
        }
    }

    /// @notice At close: moves every participant's escrow and bond to its `withdrawable` balance, first
    /// repaying its own debt from them; returns the total repaid (for the hub to pass on to the claims).
    function refund(
        mapping(uint256 => ParticipantAccount) storage accounts,
        address[] storage participants,
        mapping(address => uint256) storage withdrawable,
        uint64 communityId
    ) public returns (uint256 repaid) {
        uint256 n = participants.length;
        for (uint256 i = 0; i < n; ++i) {
            ParticipantAccount storage a = accounts[i];
            uint256 amount = uint256(a.escrow) + a.bond;
            if (amount == 0) continue;
            a.escrow = 0;
            a.bond = 0;
            address p = participants[i];
            uint256 debt = a.debt;
            if (debt > 0) {
                uint256 pay = debt < amount ? debt : amount;
                // Below the uint128 debt it is subtracted from.
                // forge-lint: disable-next-line(unsafe-typecast)
                a.debt = uint128(debt - pay);
                amount -= pay;
                repaid += pay;
                emit IHub.DebtRepaid(communityId, p, p, pay);
            }
            if (amount > 0) {
                withdrawable[p] += amount;
                emit IHub.Refunded(communityId, p, amount);
            }
        }
    }

    /// @notice Splits `amount` equally into the escrow of the participants in bitmap `who` (non-empty, of
    /// `n`); the division's remainder to the first of them (a lost challenge bond, DESIGN.md §5.4).
    function credit(mapping(uint256 => ParticipantAccount) storage accounts, uint256 who, uint256 n, uint256 amount)
        external
    {
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            if (who & (uint256(1) << i) != 0) ++count;
        }
        uint256 each = amount / count;
        uint256 rest = amount - each * count;
        for (uint256 i = 0; i < n; ++i) {
            if (who & (uint256(1) << i) == 0) continue;
            ParticipantAccount storage a = accounts[i];
            // Escrow is bounded by the token's supply held by the hub.
            // forge-lint: disable-next-line(unsafe-typecast)
            a.escrow = uint128(uint256(a.escrow) + each + rest);
            rest = 0;
        }
    }

    /// @notice Takes up to `p.cap` from the bond (`p.orEscrow`: then the escrow) of each participant in
    /// `p.offenders` (of `n`) and adds `p.extra`; `CHALLENGER_SHARE_BPS` of the total goes to
    /// `challenger`'s `withdrawable` balance, the rest in equal parts to the escrow of the other
    /// participants, the division's remainder to the challenger. A challenger that is itself an offender
    /// (`challengerIndexPlusOne`: its index + 1, 0 for an outsider) gets nothing: its share goes to the
    /// others too (it can neither escape nor profit by disputing its own claim), the remainder to the
    /// first of them; with nobody else left, nothing is taken (and `p.extra` is 0 then). Bonds, escrow
    /// and withdrawable balances all stay in the hub: money is conserved.
    function slash(
        mapping(uint256 => ParticipantAccount) storage accounts,
        mapping(address => uint256) storage withdrawable,
        uint256 n,
        uint256 challengerIndexPlusOne,
        Penalty memory p,
        address challenger,
        uint64 communityId
    ) public {
        uint256 offenders = p.offenders;
        bool selfDispute = challengerIndexPlusOne != 0 && offenders & (uint256(1) << (challengerIndexPlusOne - 1)) != 0;
        uint256 all = n == 256 ? type(uint256).max : (uint256(1) << n) - 1;
        uint256 recipients = n - _popcount(offenders & all);
        if (recipients == 0 && selfDispute) return;
        uint256 total = _take(accounts, p, n) + p.extra;
        uint256 each =
            recipients == 0 ? 0 : (selfDispute ? total : total * (10_000 - CHALLENGER_SHARE_BPS) / 10_000) / recipients;
        // The division's remainder: to the challenger, or for a self-dispute to the first recipient.
        uint256 rest = total - each * recipients;
        emit IHub.Slashed(communityId, challenger, total, selfDispute ? 0 : rest);
        if (!selfDispute) {
            withdrawable[challenger] += rest;
            rest = 0;
        }
        for (uint256 i = 0; i < n && (each > 0 || rest > 0); ++i) {
            if (offenders & (uint256(1) << i) != 0) continue;
            ParticipantAccount storage a = accounts[i];
            a.escrow = (uint256(a.escrow) + each + rest).toUint128();
            rest = 0;
        }
    }

    /// @dev Takes up to `p.cap` from the bond of each offender, then (`p.orEscrow`) what the bond lacked
    /// from its escrow; returns the total taken.
    function _take(mapping(uint256 => ParticipantAccount) storage accounts, Penalty memory p, uint256 n)
        private
        returns (uint256 total)
    {
        uint256 offenders = p.offenders;
        uint256 cap = p.cap;
        for (uint256 i = 0; i < n; ++i) {
            if (offenders & (uint256(1) << i) == 0) continue;
            ParticipantAccount storage a = accounts[i];
            uint256 bond = a.bond;
            uint256 take = bond < cap ? bond : cap;
            // Below the uint128 bond it is subtracted from.
            // forge-lint: disable-next-line(unsafe-typecast)
            a.bond = uint128(bond - take);
            if (p.orEscrow && take < cap) {
                uint256 escrow = a.escrow;
                uint256 more = cap - take < escrow ? cap - take : escrow;
                // Below the uint128 escrow it is subtracted from.
                // forge-lint: disable-next-line(unsafe-typecast)
                a.escrow = uint128(escrow - more);
                take += more;
            }
            total += take;
        }
    }

    /// @dev Bits set in `x`.
    function _popcount(uint256 x) private pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1;
            ++count;
        }
    }

    /// @dev Takes `due` from escrow, then bond; records the rest as debt. Returns what was taken.
    function _collect(ParticipantAccount storage a, uint256 due, uint64 communityId, uint32 window, uint256 index)
        private
        returns (uint256 paid)
    {
        uint256 escrow = a.escrow;
        if (due <= escrow) {
            // Below the uint128 escrow it is subtracted from.
            // forge-lint: disable-next-line(unsafe-typecast)
            a.escrow = uint128(escrow - due);
            return due;
        }
        uint256 rest = due - escrow;
        uint256 bond = a.bond;
        uint256 fromBond = rest < bond ? rest : bond;
        a.escrow = 0;
        if (fromBond > 0) {
            // Below the uint128 bond it is subtracted from.
            // forge-lint: disable-next-line(unsafe-typecast)
            a.bond = uint128(bond - fromBond);
            emit IHub.BondDrawn(communityId, window, index, fromBond);
        }
        uint256 unpaid = rest - fromBond;
        if (unpaid > 0) {
            // unpaid <= due < 2^127.
            // forge-lint: disable-next-line(unsafe-typecast)
            a.debt += uint128(unpaid);
            emit IHub.DebtRecorded(communityId, window, index, unpaid);
        }
        return escrow + fromBond;
    }
}
