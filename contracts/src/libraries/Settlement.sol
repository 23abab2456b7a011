// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../interfaces/IHub.sol";
import {Member} from "../types/Community.sol";
import {MarketKind, MarketParams} from "../types/Market.sol";
import {Balances} from "./Balances.sol";
import {PackedState} from "./PackedState.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title Settlement
/// @notice The hub's on-chain money moves between members of one community: slashes (from the on-chain
/// bond, an equivocation's rest from the on-chain credit), a lost game bond's split, the whole-bond check
/// of a partial claim's signers. An external (linked) library: it keeps the hub under EIP-170.
/// @dev The reaction (escrow, debt, claim) is not here: it lives in the balances root (`Balances`,
/// DESIGN.md §5.6) and never touches the bond, which is a stake only. What a member receives on chain
/// during the run goes to its `credit`, paid at close (`Hub.claim`). Every function here moves money
/// between members' `bondMissing`/`credit` and the `withdrawable` balances only: the tokens stay in the
/// hub, and Σ taken == Σ shared out (money is conserved exactly).
library Settlement {
    using SafeCast for uint256;
    using SafeCast for int256;

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
        /// Take what the bond lacks of `cap` from the on-chain credit, and fine what the credit lacks too
        /// (an equivocation's fixed cost, review R4 and review 3 B2; the root escrow cannot be taken on
        /// chain, so the fine is taken from it at claim).
        bool orCredit;
        /// The community's configured bond: a member's bond is bond − bondMissing.
        uint256 bond;
    }

    /// @notice The claim deposit (and timeout penalty) of a community whose configured bond is `bond`.
    function claimDeposit(uint256 bond) internal pure returns (uint256) {
        return bond * CLAIM_DEPOSIT_BPS / 10_000;
    }

    /// @notice The genesis balances root of a participant list (`Balances.genesis`, totalClaims 0), after
    /// checking the list: no zero address (`ZeroParticipant`), no address twice (`DuplicateParticipant`,
    /// found with an open-addressing table in memory: O(N), no storage). Here and not in the hub: it
    /// keeps the hub under EIP-170.
    function genesisRoot(address[] calldata participants, uint256 escrow) public pure returns (bytes32) {
        uint256 n = participants.length;
        uint256 size = 2;
        while (size < 2 * n) size <<= 1;
        address[] memory table = new address[](size);
        for (uint256 i = 0; i < n; ++i) {
            address p = participants[i];
            if (p == address(0)) revert IHub.ZeroParticipant(i);
            // The opener chooses the list: colliding addresses only make its own `open` dearer.
            uint256 at = uint256(keccak256(abi.encode(p))) & (size - 1);
            while (table[at] != address(0)) {
                if (table[at] == p) revert IHub.DuplicateParticipant(p);
                at = (at + 1) & (size - 1);
            }
            table[at] = p;
        }
        return Balances.root(Balances.genesis(participants, escrow), 0);
    }

    /// @notice `Hub.open`'s schedule checks (DESIGN.md §5.2): no zero interval length, window length, window
    /// count, challenge period or token, buy >= sell, and every honest window can be posted — interval
    /// numbers never wrap (`TooManyIntervals`), the schedule's end fits uint64 (`ScheduleOverflow`), a
    /// participant's window energy fits the uint64 state fields (`EnergyBoundOverflow`) and its |net| fits
    /// int128 (`ValueBoundOverflow`). Here and not in the hub: it keeps the hub under EIP-170.
    function validateSchedule(
        uint32 intervalSeconds,
        uint32 windowIntervals,
        uint32 windowCount,
        uint32 challengePeriod,
        uint64 start,
        address token,
        uint256 meterCount,
        MarketParams calldata m
    ) public pure {
        if (intervalSeconds == 0) revert IHub.ZeroIntervalSeconds();
        if (windowIntervals == 0) revert IHub.ZeroWindowIntervals();
        if (windowCount == 0) revert IHub.ZeroWindowCount();
        if (challengePeriod == 0) revert IHub.ZeroChallengePeriod();
        if (token == address(0)) revert IHub.ZeroToken();
        if (m.gridBuyPrice < m.gridSellPrice) revert IHub.InvalidPrices(m.gridBuyPrice, m.gridSellPrice);
        uint256 intervals = uint256(windowCount) * windowIntervals;
        // Interval numbers (uint32 in readings and leaves) never wrap.
        if (intervals > type(uint32).max) revert IHub.TooManyIntervals(intervals);
        uint256 end = uint256(start) + intervals * intervalSeconds;
        if (end > type(uint64).max) revert IHub.ScheduleOverflow();
        // Every honest state can be posted: a participant's window energy is at most W·M·(2^32 − 1) Wh
        // (uint64 fields), and |net| at most its value at the P2P price (int128 in pending storage): the
        // midpoint (buy + sell) / 2, or for the auction a midpoint of two prices at most buy (bids are capped).
        uint256 maxEnergy = uint256(windowIntervals) * meterCount * type(uint32).max;
        if (maxEnergy > type(uint64).max) revert IHub.EnergyBoundOverflow(maxEnergy);
        uint256 maxValue = maxEnergy
            * (uint256(m.gridBuyPrice) + (m.kind == MarketKind.Auction ? m.gridBuyPrice : m.gridSellPrice)) / 2000;
        if (maxValue > uint256(uint128(type(int128).max))) revert IHub.ValueBoundOverflow(maxValue);
    }

    /// @notice Checks a partial claim's final state (review 3, B1): `finalState` must decode as the packed
    /// state of `n` participants (`PackedState.decode`: length, no net of −2^127, Σ net = 0) that hashes
    /// to `stateHash` (`StateHashMismatch`). Here and not in the hub: it keeps the hub under EIP-170.
    function requireFinalState(bytes calldata finalState, uint256 n, bytes32 stateHash) public pure {
        (, bytes32 actual) = PackedState.decode(finalState, n);
        if (actual != stateHash) revert IHub.StateHashMismatch(stateHash, actual);
    }

    /// @notice Member `index`'s funds at close (`Hub.claim`): `escrow` (its leaf's) + its bond (of the
    /// configured `bond`) + its credit, less its fine, taken first (min(fine, funds), `FineCollected`,
    /// review 3 B2): the fine stays in the hub, paid to nobody. Here and not in the hub: EIP-170.
    function funds(
        mapping(uint256 => Member) storage members,
        uint256 index,
        uint256 escrow,
        uint256 bond,
        uint64 communityId
    ) public returns (uint256 total) {
        Member memory m = members[index];
        (uint256 positive, uint256 fine) = split(m.credit);
        total = escrow + (bond - m.bondMissing) + positive;
        if (fine > 0) {
            if (fine > total) fine = total;
            total -= fine;
            emit IHub.FineCollected(communityId, index, fine);
        }
    }

    /// @notice Adds `amount` to member `m`'s credit (a `deposit`): it pays the member's fine first, if
    /// any (the credit is negative then). Here and not in the hub: EIP-170.
    function addCredit(Member storage m, uint256 amount) public {
        _addCredit(m, amount);
    }

    /// @notice A member's signed credit (an int128) as (credit, fine): its positive and its negative part
    /// (`Member`).
    function split(int256 signedCredit) internal pure returns (uint256 positive, uint256 negative) {
        // `signedCredit` is an int128 (`Member.credit`): both casts are of a value in [0, 2^127], exact.
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast)
            if (signedCredit > 0) positive = uint256(signedCredit);
            // forge-lint: disable-next-line(unsafe-typecast)
            else negative = uint256(-signedCredit);
        }
    }

    /// @dev m.credit += amount (SafeCast: reverts beyond int128).
    function _addCredit(Member storage m, uint256 amount) private {
        m.credit = (int256(m.credit) + amount.toInt256()).toInt128();
    }

    /// @notice Reverts `BondNotWhole` unless every participant in `signers` holds its whole bond
    /// (`bondMissing` 0; review R6: a signer of a partial claim must have its whole bond at stake).
    function requireWholeBonds(mapping(uint256 => Member) storage members, uint256 signers, uint64 communityId)
        public
        view
    {
        for (uint256 i = 0; signers >> i != 0; ++i) {
            if ((signers >> i) & 1 != 0 && members[i].bondMissing != 0) revert IHub.BondNotWhole(communityId, i);
        }
    }

    /// @notice Splits `amount` equally into the credit of the participants in bitmap `who` (non-empty, of
    /// `n`); the division's remainder to the first of them (a lost challenge bond, DESIGN.md §5.4).
    function credit(mapping(uint256 => Member) storage members, uint256 who, uint256 n, uint256 amount) external {
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            if (who & (uint256(1) << i) != 0) ++count;
        }
        uint256 each = amount / count;
        uint256 rest = amount - each * count;
        for (uint256 i = 0; i < n; ++i) {
            if (who & (uint256(1) << i) == 0) continue;
            _addCredit(members[i], each + rest);
            rest = 0;
        }
    }

    /// @notice Takes up to `p.cap` from the on-chain bond (`p.orCredit`: then the credit, then a fine) of each
    /// participant in `p.offenders` (of `n`) and adds `p.extra`; `CHALLENGER_SHARE_BPS` of the total goes
    /// to `challenger`'s `withdrawable` balance, the rest in equal parts to the credit of the other
    /// participants, the division's remainder to the challenger. A challenger that is itself an offender
    /// (`challengerIndexPlusOne`: its index + 1, 0 for an outsider) gets nothing: its share goes to the
    /// others too (it can neither escape nor profit by disputing its own claim), the remainder to the
    /// first of them; with nobody else left, nothing is taken (and `p.extra` is 0 then). Returns what
    /// went to `withdrawable` (the hub takes it off the community's `held`).
    function slash(
        mapping(uint256 => Member) storage members,
        mapping(address => uint256) storage withdrawable,
        uint256 n,
        uint256 challengerIndexPlusOne,
        Penalty memory p,
        address challenger,
        uint64 communityId
    ) public returns (uint256 reward) {
        uint256 offenders = p.offenders;
        bool selfDispute = challengerIndexPlusOne != 0 && offenders & (uint256(1) << (challengerIndexPlusOne - 1)) != 0;
        uint256 all = n == 256 ? type(uint256).max : (uint256(1) << n) - 1;
        uint256 recipients = n - _popcount(offenders & all);
        if (recipients == 0 && selfDispute) return 0;
        uint256 total = _take(members, p, n) + p.extra;
        uint256 each =
            recipients == 0 ? 0 : (selfDispute ? total : total * (10_000 - CHALLENGER_SHARE_BPS) / 10_000) / recipients;
        // The division's remainder: to the challenger, or for a self-dispute to the first recipient.
        uint256 rest = total - each * recipients;
        emit IHub.Slashed(communityId, challenger, total, selfDispute ? 0 : rest);
        if (!selfDispute) {
            withdrawable[challenger] += rest;
            reward = rest;
            rest = 0;
        }
        _share(members, offenders, n, each, rest);
    }

    /// @dev Adds `each` to the credit of every participant not in `offenders` (of `n`), and `rest` to
    /// the first of them.
    function _share(
        mapping(uint256 => Member) storage members,
        uint256 offenders,
        uint256 n,
        uint256 each,
        uint256 rest
    ) private {
        for (uint256 i = 0; i < n && (each > 0 || rest > 0); ++i) {
            if (offenders & (uint256(1) << i) != 0) continue;
            _addCredit(members[i], each + rest);
            rest = 0;
        }
    }

    /// @dev Takes up to `p.cap` from the bond of each offender, then (`p.orCredit`) what the bond lacked
    /// from its positive credit, and fines what neither could pay (a negative credit); returns the total
    /// taken (the fine is not shared out: it is collected later and kept by the hub).
    function _take(mapping(uint256 => Member) storage members, Penalty memory p, uint256 n)
        private
        returns (uint256 total)
    {
        uint256 offenders = p.offenders;
        uint256 cap = p.cap;
        for (uint256 i = 0; i < n; ++i) {
            if (offenders & (uint256(1) << i) == 0) continue;
            Member storage m = members[i];
            uint256 missing = m.bondMissing;
            uint256 bond = p.bond - missing;
            uint256 take = bond < cap ? bond : cap;
            // missing + take <= the configured uint128 bond.
            // forge-lint: disable-next-line(unsafe-typecast)
            m.bondMissing = uint128(missing + take);
            if (p.orCredit && take < cap) {
                uint256 rest = cap - take;
                int256 signedCredit = m.credit;
                // What the positive credit holds is taken (and shared out); the rest is fined: the credit
                // goes below zero, paid by what the member receives later or from its funds at claim
                // (review 3, B2).
                // forge-lint: disable-next-line(unsafe-typecast)
                uint256 held = signedCredit > 0 ? uint256(signedCredit) : 0;
                take += rest < held ? rest : held;
                m.credit = (signedCredit - rest.toInt256()).toInt128();
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
}
