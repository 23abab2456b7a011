// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams, ParticipantState, MeterEnergy} from "../types/Market.sol";
import {ProRata} from "./ProRata.sol";

/// @title Market
/// @notice The market step F(S_{t-1}, R_t) -> S_t that folds one interval of a settlement window
/// (DESIGN.md §3), recomputed on chain when a step is disputed.
/// @dev Twin of `node/src/window/market.ts`; the shared vectors in `contracts/test/vectors/market.json`
/// keep both byte-identical. Integer arithmetic only. Bounds that make every cast below safe: a meter
/// reports at most 2^32 - 1 Wh per field, so a participant's interval energy stays below 2^64 for any
/// array that fits in memory; a matched volume is below 2^64 * n, prices are uint128, so a token value
/// is below 2^(64 + 6 + 129) / 2000 < 2^189 for n <= 64 and a share of it times a uint64 weight below
/// 2^253. Cumulative uint64 fields and `net` use checked arithmetic: an overflow reverts with panic
/// 0x11 (the TypeScript twin throws FIELD_OVERFLOW). `share` below is `ProRata.share` (`shareBySum`
/// when Σ w is already known): the one pro-rata rule, in its checked-product form.
library Market {
    /// @notice Thrown when the readings of an interval are not one per meter.
    error MarketReadingsLengthMismatch(uint256 meters, uint256 readings);
    /// @notice Thrown when a meter's owner is not a participant index (owner >= participants).
    error MarketMeterOwnerOutOfRange(uint256 meter, uint256 owner, uint256 participants);
    /// @notice Thrown when a state does not hold one entry per participant.
    error MarketStateLengthMismatch(uint256 expected, uint256 actual);
    /// @notice Thrown when an energy vector does not hold one entry per participant.
    error MarketEnergyLengthMismatch(uint256 participants, uint256 entries);

    /// @dev Value of V Wh at the midpoint price (buy + sell) / 2 per kWh = V * (buy + sell) / 2000.
    uint256 internal constant VALUE_DIVISOR = 2000;
    /// @dev Solidity's panic codes: arithmetic over- or underflow, array index out of bounds.
    uint256 private constant PANIC_OVERFLOW = 0x11;
    uint256 private constant PANIC_OUT_OF_BOUNDS = 0x32;

    /// @notice F(S_{t-1}, R_t) -> S_t: folds one interval into the window state.
    /// @dev Per participant i: e_i = sum of exportWh and m_i = sum of importWh over its present meters
    /// (an absent reading is zero energy whatever its fields hold).
    /// Mmr: p_i = e_i - m_i; s_i = max(p_i, 0), d_i = max(-p_i, 0); S = sum s, D = sum d;
    /// M = min(S, D, cap) (cap = feederCapacityWh, 0 = no limit); sold = share(M, s), bought = share(M, d);
    /// v = value(M); recv = share(v, sold), pay = share(v, bought). exportWh += e_i, importWh += m_i,
    /// p2pSoldWh += sold_i, p2pBoughtWh += bought_i, gridSoldWh += s_i - sold_i,
    /// gridBoughtWh += d_i - bought_i, net += recv_i - pay_i.
    /// Totals: exportWh += e_i, importWh += m_i (cumulative E_i, I_i); the rest is recomputed from the
    /// totals, so S_t is the result if the window ended at t: V = min(sum E, sum I) (no capacity),
    /// p2pSoldWh = share(V, E), p2pBoughtWh = share(V, I), gridSoldWh = E_i - p2pSoldWh_i,
    /// gridBoughtWh = I_i - p2pBoughtWh_i, net = share(value(V), p2pSoldWh) - share(value(V), p2pBoughtWh).
    /// `prev` is not modified.
    /// @param p Market parameters of the community.
    /// @param prev S_{t-1}, one entry per participant (S_0 is all zeros).
    /// @param meterOwner Participant index of each meter.
    /// @param readings This interval's reading of each meter, by meter index.
    /// @return next S_t.
    function step(
        MarketParams memory p,
        ParticipantState[] memory prev,
        uint32[] memory meterOwner,
        MeterEnergy[] memory readings
    ) internal pure returns (ParticipantState[] memory next) {
        (uint256[] memory exported, uint256[] memory imported) = participantEnergy(prev.length, meterOwner, readings);
        return stepEnergy(p, prev, exported, imported);
    }

    /// @notice F(S_{t-1}, E_t) -> S_t from the interval's energy vector (e_i, m_i per participant, what
    /// `participantEnergy` sums from the meters): the core of `step`, and what a step is judged from on
    /// chain (the committed E_t, DESIGN.md §5). `exported` and `imported` are consumed (overwritten).
    /// @param exported e_i, one per participant, each below 2^64.
    /// @param imported m_i, one per participant, each below 2^64.
    function stepEnergy(
        MarketParams memory p,
        ParticipantState[] memory prev,
        uint256[] memory exported,
        uint256[] memory imported
    ) internal pure returns (ParticipantState[] memory next) {
        requireEnergyLength(prev.length, exported, imported);
        next = new ParticipantState[](prev.length);
        _stepInto(p, prev, next, exported, imported);
    }

    /// @notice `stepEnergy` writing S_t over S_{t-1}: `state` is S_{t-1} on entry and S_t on return. What a
    /// market module's `stepHash` runs: no second state in memory, whose cost grows with the square of the
    /// memory used (at N = 1,000 a second state was 256,000 bytes; issue 10, DESIGN.md §5.4). The same rule
    /// as `stepEnergy`: each participant's fields are read before they are written (`addEnergy`, `addFlows`,
    /// `_totals`), so the two agree (`MarketTest.testFuzz_StepInPlaceAgrees`).
    function stepEnergyInPlace(
        MarketParams memory p,
        ParticipantState[] memory state,
        uint256[] memory exported,
        uint256[] memory imported
    ) internal pure {
        requireEnergyLength(state.length, exported, imported);
        _stepInto(p, state, state, exported, imported);
    }

    /// @dev Writes F(prev, E) into `next` (which may be `prev`).
    function _stepInto(
        MarketParams memory p,
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory exported,
        uint256[] memory imported
    ) private pure {
        if (p.kind == MarketKind.Mmr) _mmr(p, prev, next, exported, imported);
        else _totals(p, prev, next, exported, imported);
    }

    /// @notice Reverts with `MarketEnergyLengthMismatch` unless there is one energy pair per participant.
    function requireEnergyLength(uint256 n, uint256[] memory exported, uint256[] memory imported) internal pure {
        if (exported.length != n) revert MarketEnergyLengthMismatch(n, exported.length);
        if (imported.length != n) revert MarketEnergyLengthMismatch(n, imported.length);
    }

    /// @notice Folds several intervals from `start` and returns the last state (tests and tools; the
    /// arbiter recomputes one step).
    function fold(
        MarketParams memory p,
        ParticipantState[] memory start,
        uint32[] memory meterOwner,
        MeterEnergy[][] memory intervals
    ) internal pure returns (ParticipantState[] memory state) {
        state = start;
        for (uint256 t; t < intervals.length; ++t) {
            state = step(p, state, meterOwner, intervals[t]);
        }
    }

    /// @notice S_0: all zeros, one entry per participant.
    function emptyState(uint256 participantCount) internal pure returns (ParticipantState[] memory) {
        return new ParticipantState[](participantCount);
    }

    /// @notice Reverts with `MarketStateLengthMismatch` unless `s` has one entry per participant.
    function requireStateLength(ParticipantState[] memory s, uint256 participantCount) internal pure {
        if (s.length != participantCount) revert MarketStateLengthMismatch(participantCount, s.length);
    }

    /// @notice Token value of `energyWh` at the P2P price, the midpoint (gridBuyPrice + gridSellPrice) / 2
    /// per kWh: floor(energyWh * (gridBuyPrice + gridSellPrice) / 2000).
    /// @dev Rounding down once, on the total, lets the pro-rata shares of it conserve money exactly.
    function value(MarketParams memory p, uint256 energyWh) internal pure returns (uint256) {
        return energyWh * (uint256(p.gridBuyPrice) + uint256(p.gridSellPrice)) / VALUE_DIVISOR;
    }

    /// @notice e_i and m_i: sums of the present readings by owner (n participants); checks lengths and
    /// owners in meter order. The one reading of R_t of every market step (Totals, Mmr, Auction).
    function participantEnergy(uint256 n, uint32[] memory meterOwner, MeterEnergy[] memory readings)
        internal
        pure
        returns (uint256[] memory exported, uint256[] memory imported)
    {
        uint256 meters = meterOwner.length;
        if (readings.length != meters) revert MarketReadingsLengthMismatch(meters, readings.length);
        exported = new uint256[](n);
        imported = new uint256[](n);
        for (uint256 k; k < meters; ++k) {
            uint256 owner = meterOwner[k];
            if (owner >= n) revert MarketMeterOwnerOutOfRange(k, owner, n);
            MeterEnergy memory r = readings[k];
            if (r.present) {
                unchecked {
                    // At most 2^32 - 1 per meter and fewer than 2^224 meters: no overflow.
                    exported[owner] += r.exportWh;
                    imported[owner] += r.importWh;
                }
            }
        }
    }

    /// @dev Mmr: shares this interval's net surplus and deficit and writes `next` from `prev`.
    function _mmr(
        MarketParams memory p,
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory surplus,
        uint256[] memory deficit
    ) private pure {
        uint256 matched;
        uint256[] memory sold;
        uint256[] memory bought;
        {
            (uint256 totalSurplus, uint256 totalDeficit) = addEnergy(prev, next, surplus, deficit);
            matched = totalSurplus < totalDeficit ? totalSurplus : totalDeficit;
            if (p.feederCapacityWh != 0 && p.feederCapacityWh < matched) matched = p.feederCapacityWh;
            sold = ProRata.shareBySum(matched, surplus, totalSurplus);
            bought = ProRata.shareBySum(matched, deficit, totalDeficit);
        }
        uint256 v = value(p, matched);
        addFlows(prev, next, surplus, deficit, sold, bought, matched, v);
    }

    /// @notice The first half of every per-interval market step (Mmr, Auction): writes the cumulative energy
    /// into `next` (exportWh += e_i, importWh += m_i), then turns e/m in place into the surplus
    /// s_i = max(e_i - m_i, 0) and deficit d_i = max(m_i - e_i, 0); returns S = Σ s and D = Σ d.
    /// @param surplus e_i on entry, s_i on return.
    /// @param deficit m_i on entry, d_i on return.
    function addEnergy(
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory surplus,
        uint256[] memory deficit
    ) internal pure returns (uint256 totalSurplus, uint256 totalDeficit) {
        uint256 n = next.length;
        _requireLengths(n, prev.length, surplus.length, deficit.length);
        // In assembly (s15): with `addFlows`, the hot loop of every Mmr and auction step a BadStep recomputes
        // over N participants (the checked Solidity loop cost ~770 gas per participant at N = 1,000). The
        // same arithmetic: a cumulative uint64 field that overflows panics 0x11 (`_panic`, after the loop) as
        // Solidity's checked `+`,
        // the interval energy is cast to uint64 as `uint64(e)` truncates (it is below 2^64: the library's
        // bounds). Every index is below n, which every array holds (`_requireLengths`). `next` may be `prev`
        // (in place): each participant's fields are read before they are written.
        bool overflow;
        assembly ("memory-safe") {
            let m64 := 0xffffffffffffffff
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let o := shl(5, add(i, 1))
                let before := mload(add(prev, o))
                let e := mload(add(surplus, o))
                let m := mload(add(deficit, o))
                let exported := add(and(mload(before), m64), and(e, m64))
                let imported := add(and(mload(add(before, 0x20)), m64), and(m, m64))
                overflow := or(overflow, or(gt(exported, m64), gt(imported, m64)))
                let s := mload(add(next, o))
                mstore(s, exported)
                mstore(add(s, 0x20), imported)
                // e, m < 2^64 and n of them fit in uint256: the totals cannot overflow.
                switch lt(e, m)
                case 0 {
                    mstore(add(surplus, o), sub(e, m))
                    mstore(add(deficit, o), 0)
                    totalSurplus := add(totalSurplus, sub(e, m))
                }
                default {
                    mstore(add(surplus, o), 0)
                    mstore(add(deficit, o), sub(m, e))
                    totalDeficit := add(totalDeficit, sub(m, e))
                }
            }
        }
        if (overflow) _panic(PANIC_OVERFLOW);
    }

    /// @notice The second half of every per-interval market step (Mmr, Auction): given what each
    /// participant sold and bought of its surplus and deficit (Σ sold = Σ bought = `matched`, sold_i <= s_i,
    /// bought_i <= d_i) and the token value `v` of `matched`, adds the flows to `next`: sellers receive
    /// share(v, sold), buyers pay share(v, bought), so both sum to v and money is conserved exactly.
    /// p2pSoldWh += sold_i, p2pBoughtWh += bought_i, gridSoldWh += s_i - sold_i,
    /// gridBoughtWh += d_i - bought_i, net += received_i - paid_i.
    function addFlows(
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory surplus,
        uint256[] memory deficit,
        uint256[] memory sold,
        uint256[] memory bought,
        uint256 matched,
        uint256 v
    ) internal pure {
        // Σ sold = Σ bought = matched: both weight sums are known without another loop.
        uint256[] memory received = ProRata.shareBySum(v, sold, matched);
        uint256[] memory paid = ProRata.shareBySum(v, bought, matched);
        _addTrades(prev, next, surplus, deficit, sold, bought);
        _addNets(prev, next, received, paid);
    }

    /// @dev `addFlows`' energy fields, in assembly (s15), as `addEnergy`: the checked Solidity loop of both
    /// halves cost ~1,700 gas per participant at N = 1,000. The same arithmetic as `before.f + uint64(x)` for
    /// each uint64 field (x truncated to uint64, the sum checked: panic 0x11), and `surplus_i - sold_i`,
    /// `deficit_i - bought_i` checked (panic 0x11; the callers give sold_i <= s_i, bought_i <= d_i). Each
    /// field is read before it is written (`next` may be `prev`).
    function _addTrades(
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory surplus,
        uint256[] memory deficit,
        uint256[] memory sold,
        uint256[] memory bought
    ) private pure {
        uint256 n = next.length;
        _requireLengths(n, prev.length, surplus.length, deficit.length);
        _requireLengths(n, sold.length, bought.length, n);
        bool overflow;
        assembly ("memory-safe") {
            // field f of `to` := field f of `from` + uint64(x); whether the sum passed uint64.
            function addU64(from, to, f, x) -> over {
                let m64 := 0xffffffffffffffff
                let r := add(and(mload(add(from, f)), m64), and(x, m64))
                over := gt(r, m64)
                mstore(add(to, f), r)
            }
            for { let o := 0x20 } lt(o, shl(5, add(n, 1))) { o := add(o, 0x20) } {
                let x := mload(add(sold, o))
                let y := mload(add(bought, o))
                let su := mload(add(surplus, o))
                let de := mload(add(deficit, o))
                let before := mload(add(prev, o))
                let s := mload(add(next, o))
                overflow := or(overflow, or(lt(su, x), lt(de, y)))
                overflow := or(overflow, or(addU64(before, s, 0x40, x), addU64(before, s, 0x60, y)))
                overflow := or(overflow, or(addU64(before, s, 0x80, sub(su, x)), addU64(before, s, 0xa0, sub(de, y))))
            }
        }
        if (overflow) _panic(PANIC_OVERFLOW);
    }

    /// @dev `addFlows`' net: `before.net + (int256(received_i) - int256(paid_i))`, both int256 operations
    /// checked (panic 0x11), in assembly as `_addTrades`.
    function _addNets(
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory received,
        uint256[] memory paid
    ) private pure {
        uint256 n = next.length;
        _requireLengths(n, prev.length, received.length, paid.length);
        bool overflow;
        assembly ("memory-safe") {
            for { let o := 0x20 } lt(o, shl(5, add(n, 1))) { o := add(o, 0x20) } {
                let r := mload(add(received, o))
                let p := mload(add(paid, o))
                let d := sub(r, p)
                let net := mload(add(mload(add(prev, o)), 0xc0))
                let sum := add(net, d)
                overflow := or(
                    overflow,
                    or(
                        or(and(sgt(p, 0), sgt(d, r)), and(slt(p, 0), slt(d, r))),
                        or(and(sgt(d, 0), slt(sum, net)), and(slt(d, 0), sgt(sum, net)))
                    )
                )
                mstore(add(mload(add(next, o)), 0xc0), sum)
            }
        }
        if (overflow) _panic(PANIC_OVERFLOW);
    }

    /// @dev Panics 0x32 (array index out of bounds, what the checked loops did) unless the three lengths are
    /// `n`: the assembly loops above index every array up to n.
    function _requireLengths(uint256 n, uint256 a, uint256 b, uint256 c) private pure {
        if (a != n || b != n || c != n) _panic(PANIC_OUT_OF_BOUNDS);
    }

    /// @dev Reverts `Panic(code)`, what Solidity's checked arithmetic (0x11) and index checks (0x32) revert:
    /// the assembly loops above note a failure and revert after the loop (a pure step: the revert undoes the
    /// writes), with the same data as the checked loops did.
    function _panic(uint256 code) private pure {
        assembly ("memory-safe") {
            mstore(0x00, shl(224, 0x4e487b71)) // Panic(uint256)
            mstore(0x04, code)
            revert(0x00, 0x24)
        }
    }

    /// @dev Totals: adds the interval's energy, then recomputes the window's matching from the totals.
    function _totals(
        MarketParams memory p,
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory exported,
        uint256[] memory imported
    ) private pure {
        uint256 n = next.length;
        uint256 totalExport;
        uint256 totalImport;
        for (uint256 i; i < n; ++i) {
            ParticipantState memory before = prev[i];
            ParticipantState memory s = next[i];
            uint64 exportWh = before.exportWh + uint64(exported[i]);
            uint64 importWh = before.importWh + uint64(imported[i]);
            s.exportWh = exportWh;
            s.importWh = importWh;
            // From here on the arrays hold the cumulative E_i and I_i, the weights of the shares.
            exported[i] = exportWh;
            imported[i] = importWh;
            unchecked {
                totalExport += exportWh;
                totalImport += importWh;
            }
        }
        uint256 matched = totalExport < totalImport ? totalExport : totalImport;
        uint256[] memory sold = ProRata.shareBySum(matched, exported, totalExport);
        uint256[] memory bought = ProRata.shareBySum(matched, imported, totalImport);
        uint256 v = value(p, matched);
        uint256[] memory received = ProRata.shareBySum(v, sold, matched);
        uint256[] memory paid = ProRata.shareBySum(v, bought, matched);
        for (uint256 i; i < n; ++i) {
            ParticipantState memory s = next[i];
            uint64 soldWh = uint64(sold[i]);
            uint64 boughtWh = uint64(bought[i]);
            s.p2pSoldWh = soldWh;
            s.p2pBoughtWh = boughtWh;
            unchecked {
                // sold_i <= E_i and bought_i <= I_i (matched <= each total): no underflow, casts exact.
                s.gridSoldWh = s.exportWh - soldWh;
                s.gridBoughtWh = s.importWh - boughtWh;
            }
            s.net = int256(received[i]) - int256(paid[i]);
        }
    }
}
