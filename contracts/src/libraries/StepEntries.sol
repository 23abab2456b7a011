// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams, ParticipantState} from "../types/Market.sol";
import {Market} from "./Market.sol";
import {MerkleTree} from "./MerkleTree.sol";
import {PackedState} from "./PackedState.sol";

/// @notice Running sums over participants 0..j of one side of an interval's market (sellers or buyers), for
/// the pro-rata rule of `ProRata.share` applied twice: the energy Q matched over the side's weights w, then
/// its value v over the shares q (DESIGN.md §3, "Pro rata, one rule").
struct SidePrefix {
    /// Σ w_i: the side's weights (Mmr: the interval's surplus or deficit; Totals: cumulative export or import).
    uint256 weight;
    /// #{i : w_i > 0}: who may get a remainder unit of Q.
    uint256 positive;
    /// Σ floor(Q · w_i / W) (0 when W = 0), W = Σ w over all N.
    uint256 floors;
    /// #{i : q_i > 0}: who may get a remainder unit of v.
    uint256 filled;
    /// Σ floor(v · q_i / Q) (0 when Q = 0).
    uint256 valueFloors;
}

/// @notice Participant j's entry of one interval's step: what F gave it and the running sums that let its
/// step be judged alone (`StepEntries.judge`).
struct StepEntry {
    /// S_t[j].
    ParticipantState state;
    /// E_t[j]: the Wh exported and imported by j's meters in the interval.
    uint64 exportWh;
    uint64 importWh;
    SidePrefix sell;
    SidePrefix buy;
}

/// @notice What `StepEntries.judge` finds wrong with an entry (None: nothing). Sell* and Buy* name the running
/// sum of that side that is not its predecessor's plus participant j's own term; `*Excess`: the committed
/// sums hand participant j more of Q than its weight (only wrong sums do: an earlier entry or the totals).
enum EntryFault {
    None,
    /// The last entry's totals are not those of any honest interval: W above N · (2^64 − 1), Σ floors above
    /// Q or Σ value floors above v.
    Totals,
    SellWeight,
    SellPositive,
    SellFloors,
    SellExcess,
    SellFilled,
    SellValueFloors,
    BuyWeight,
    BuyPositive,
    BuyFloors,
    BuyExcess,
    BuyFilled,
    BuyValueFloors,
    /// S_t[j] is not F's state for participant j.
    State
}

/// @title StepEntries
/// @notice One participant's market step judged alone, for Totals and Mmr (twin of
/// `node/src/window/entries.ts`; DESIGN.md §5.4, "One participant's step"; vectors
/// `contracts/test/vectors/stepEntries.json`).
/// @dev F gives participant j its shares q_j = floor(Q·w_j/W) + [w_j > 0 and fewer than r = Q − Σ floors
/// earlier positive weights] of the matched energy Q, and its money floor(v·q_j/Q) + [q_j > 0 and fewer than
/// r' = v − Σ value floors earlier positive shares]: j's step depends on every participant only through the
/// totals (W, Σ floors, Σ value floors) and the counts before j. Entry j carries those as running sums, so
/// entry j is judged from S_{t−1}[j], entry j−1 (zeros for j = 0) and the last entry N−1 (its sums are the
/// totals): O(1) work. Sound: if every entry passes `judge`, the running sums are the true ones by induction
/// on j (the weight and positive sums depend on nothing else; then the totals are true, so the floors,
/// shares and their sums are), so every S_t[j] is F's. Complete: the honest entries pass every `judge`
/// (`StepEntriesTest.testFuzz_HonestEntriesPass`). Every fault `judge` names holds for no honest entry, and
/// it never reverts on wrong sums (only where F itself does: a uint64 field overflow, panic 0x11; where F's
/// v · q_j overflows, no entry is F's and the judge names the value floors).
/// The leaf: keccak256(0x06 ‖ S_t[j] packed (64 bytes, `PackedState`) ‖ uint64 exportWh ‖ uint64 importWh ‖
/// sell's five uint256 ‖ buy's five uint256), 401 bytes; the entries tree is the canonical zero-padded Merkle
/// tree over the N leaves (`MerkleTree`). Wired in part: the interval leaf commits to the step's entries root
/// (`WindowCommitment.intervalLeaf`), but no dispute kind judges one yet (DESIGN.md §5.4).
library StepEntries {
    /// @notice The market has no one-participant step (the auction's merit order is not a prefix sum).
    error UnsupportedMarketKind(MarketKind kind);

    /// @dev The leaf's domain byte (§4: 0x00–0x04 are the window commitment's, 0x05 the meter registry's).
    uint8 internal constant ENTRY_DOMAIN = 0x06;
    /// @dev A side's weight is below 2^64 per participant (Mmr: ≤ the interval's export or import; Totals: a
    /// uint64 cumulative field).
    uint256 private constant WEIGHT_MAX = type(uint64).max;

    /// @dev The interval's matched energy Q and its value v, read from the last entry.
    struct Totals {
        uint256 matched;
        uint256 value;
    }

    /// @dev Participant j's side: its weight w, its share q of Q and its money.
    struct Share {
        uint256 weight;
        uint256 q;
        uint256 money;
    }

    /// @notice The leaf of `e`; reverts `NetOutOfRange` for a net outside int128 (no leaf holds it: its low 128
    /// bits would be a second preimage). A net of −2^127 has a leaf (review s18, EntryProofAttacks): the leaf
    /// holds 16 bytes of net and a claimant may commit 0x80…00 there. `packStrict` (the state hash's rule)
    /// refused it, so such an entry could not be opened, nor, at N−1, any interval's `last`: every BadEntry of
    /// the interval reverted and wrong running sums behind it escaped. F never gives −2^127 (the bounds at
    /// open), so the judge names it `State`.
    function leaf(StepEntry memory e) internal pure returns (bytes32) {
        ParticipantState[] memory one = new ParticipantState[](1);
        one[0] = e.state;
        return keccak256(
            abi.encodePacked(
                bytes1(ENTRY_DOMAIN), PackedState.pack(one), e.exportWh, e.importWh, _sums(e.sell), _sums(e.buy)
            )
        );
    }

    /// @dev A side's five sums, in order.
    function _sums(SidePrefix memory s) private pure returns (bytes memory) {
        return abi.encodePacked(s.weight, s.positive, s.floors, s.filled, s.valueFloors);
    }

    /// @notice The entries of one step: S_t = F(S_{t−1}, E_t) (`Market.stepEnergy`, the one F) with the running
    /// sums. Tests, tools and vector replays; the chain judges one entry.
    function entries(
        MarketParams memory p,
        ParticipantState[] memory prev,
        uint256[] memory exported,
        uint256[] memory imported
    ) internal pure returns (StepEntry[] memory out) {
        _requireSupported(p.kind);
        uint256 n = prev.length;
        uint256[] memory sellW = new uint256[](n);
        uint256[] memory buyW = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (sellW[i], buyW[i]) = _weights(p.kind, prev[i], exported[i], imported[i]);
        }
        ParticipantState[] memory next = Market.stepEnergy(p, prev, _copy(exported), _copy(imported));
        (uint256 sellTotal, uint256 buyTotal) = (_sum(sellW), _sum(buyW));
        uint256 matched = _matched(p, sellTotal, buyTotal);
        uint256 v = Market.value(p, matched);
        out = new StepEntry[](n);
        for (uint256 i; i < n; ++i) {
            out[i].state = next[i];
            // E_t entries are below 2^64 (the market step takes them so).
            // forge-lint: disable-next-line(unsafe-typecast)
            (out[i].exportWh, out[i].importWh) = (uint64(exported[i]), uint64(imported[i]));
        }
        _fillSide(out, sellW, sellTotal, matched, v, true);
        _fillSide(out, buyW, buyTotal, matched, v, false);
    }

    /// @notice Whether `e` is entry `index` of a tree of `n` entries with root `root`, by `path` of exactly depth(n)
    /// siblings: the canonical tree's shape, so no inner node of a claimant's tree passes for an entry. The one
    /// check of an entry opening (the dispute verifier's and the game's). Reverts `NetOutOfRange` as `leaf`.
    function opens(bytes32 root_, uint256 n, uint256 index, StepEntry memory e, bytes32[] memory path)
        internal
        pure
        returns (bool)
    {
        return path.length == MerkleTree.depth(n) && MerkleTree.verify(root_, leaf(e), index, path);
    }

    /// @notice The entries tree's root (canonical, zero-padded).
    function root(StepEntry[] memory es) internal pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[](es.length);
        for (uint256 i; i < es.length; ++i) {
            leaves[i] = leaf(es[i]);
        }
        return MerkleTree.root(leaves);
    }

    /// @notice Judges entry j of a step of N = `n` participants: `prev` is S_{t−1}[j] (zeros at a window's
    /// first interval), `before` entry j−1 (all zeros for j = 0), `last` entry N−1 (`entry` itself for
    /// j = N−1). The caller proves each under its root; this only recomputes. Returns the first fault found
    /// (totals, then sell's sums, buy's, then the state), None when the entry is F's.
    function judge(
        MarketParams memory p,
        uint256 n,
        ParticipantState memory prev,
        StepEntry memory before,
        StepEntry memory entry,
        StepEntry memory last
    ) internal pure returns (EntryFault) {
        _requireSupported(p.kind);
        (bool sane, Totals memory t) = _totals(p, n, last);
        if (!sane) return EntryFault.Totals;
        (uint256 sellW, uint256 buyW) = _weights(p.kind, prev, entry.exportWh, entry.importWh);
        (EntryFault fault, Share memory sold) = _side(before.sell, entry.sell, sellW, t, last.sell, 0);
        if (fault != EntryFault.None) return fault;
        Share memory bought;
        (fault, bought) = _side(before.buy, entry.buy, buyW, t, last.buy, 6);
        if (fault != EntryFault.None) return fault;
        return _sameState(_state(p.kind, prev, entry, sold, bought), entry.state) ? EntryFault.None : EntryFault.State;
    }

    /// @dev The totals of the last entry, and whether an honest interval could have them.
    function _totals(MarketParams memory p, uint256 n, StepEntry memory last)
        private
        pure
        returns (bool sane, Totals memory t)
    {
        // Bounds F keeps (each weight below 2^64): they keep Q · w and Q's value below 2^256 (not v · q, which
        // wrong totals can lift above F's own: `_side` checks it apart).
        if (last.sell.weight > n * WEIGHT_MAX || last.buy.weight > n * WEIGHT_MAX) return (false, t);
        t.matched = _matched(p, last.sell.weight, last.buy.weight);
        t.value = Market.value(p, t.matched);
        // Σ floors ≤ Q and Σ value floors ≤ v in every honest interval (each floor loses less than one unit).
        sane = last.sell.floors <= t.matched && last.buy.floors <= t.matched && last.sell.valueFloors <= t.value
            && last.buy.valueFloors <= t.value;
    }

    /// @dev One side of entry j: checks its five sums against `before`'s plus j's terms, the remainders from
    /// the side's totals in `last` (sane: `_totals`). `base` is 0 for sell, 6 for buy (the offset of its faults).
    function _side(
        SidePrefix memory before,
        SidePrefix memory entry,
        uint256 w,
        Totals memory t,
        SidePrefix memory last,
        uint8 base
    ) private pure returns (EntryFault, Share memory s) {
        s.weight = w;
        if (!_adds(before.weight, entry.weight, w)) return (_fault(base, 0), s);
        if (!_adds(before.positive, entry.positive, w > 0 ? 1 : 0)) return (_fault(base, 1), s);
        // Q ≤ N · 2^64 and w < 2^64: no overflow.
        uint256 floor_ = _floor(t.matched, w, last.weight);
        if (!_adds(before.floors, entry.floors, floor_)) return (_fault(base, 2), s);
        s.q = floor_;
        if (w > 0 && before.positive < t.matched - last.floors) ++s.q;
        // Q ≤ W, so floor(Q·w/W) ≤ w and an honest remainder never lifts q above w.
        if (s.q > w) return (_fault(base, 3), s);
        if (!_adds(before.filled, entry.filled, s.q > 0 ? 1 : 0)) return (_fault(base, 4), s);
        // v · q above 2^256: F's own product (its true v, q) overflows, or the totals are wrong and lift v (Q up
        // to N · 2^64, not F's min(S, D)) or q where F's does not (review-entries, EntryJudgeAttacks). Either
        // way no honest entry holds j's term: a fault, not a revert (a revert would leave a wrong claim with
        // fake totals unprovable: every seller's judge reverting before its one wrong sum is reached).
        if (s.q != 0 && t.value > type(uint256).max / s.q) return (_fault(base, 5), s);
        uint256 valueFloor = _floor(t.value, s.q, t.matched);
        if (!_adds(before.valueFloors, entry.valueFloors, valueFloor)) return (_fault(base, 5), s);
        s.money = valueFloor;
        if (s.q > 0 && before.filled < t.value - last.valueFloors) ++s.money;
        return (EntryFault.None, s);
    }

    /// @dev The fault `offset` (0 weight … 5 value floors) of the side at `base`.
    function _fault(uint8 base, uint8 offset) private pure returns (EntryFault) {
        return EntryFault(uint8(EntryFault.SellWeight) + base + offset);
    }

    /// @dev Whether `next` = `prev` + `term`, without overflow (wrong sums must not make the judge revert).
    function _adds(uint256 prev, uint256 next, uint256 term) private pure returns (bool) {
        return next >= prev && next - prev == term;
    }

    /// @dev j's weights on each side: Mmr the interval's surplus and deficit, Totals the cumulative export and
    /// import (S_t's, checked like the full step: panic 0x11 above uint64).
    function _weights(MarketKind kind, ParticipantState memory prev, uint256 e, uint256 m)
        private
        pure
        returns (uint256 sellW, uint256 buyW)
    {
        if (kind == MarketKind.Mmr) return (e > m ? e - m : 0, m > e ? m - e : 0);
        return (_u64(prev.exportWh + e), _u64(prev.importWh + m));
    }

    /// @dev S_t[j] from S_{t−1}[j], E_t[j] and j's two sides, as `Market` writes it.
    function _state(
        MarketKind kind,
        ParticipantState memory prev,
        StepEntry memory entry,
        Share memory sold,
        Share memory bought
    ) private pure returns (ParticipantState memory s) {
        s.exportWh = _u64(uint256(prev.exportWh) + entry.exportWh);
        s.importWh = _u64(uint256(prev.importWh) + entry.importWh);
        // Money is below 2^204 (v < N · 2^64 · 2^129): the casts to int256 are exact.
        // forge-lint: disable-next-line(unsafe-typecast)
        int256 flow = int256(sold.money) - int256(bought.money);
        if (kind == MarketKind.Mmr) {
            s.p2pSoldWh = _u64(prev.p2pSoldWh + sold.q);
            s.p2pBoughtWh = _u64(prev.p2pBoughtWh + bought.q);
            s.gridSoldWh = _u64(prev.gridSoldWh + (sold.weight - sold.q));
            s.gridBoughtWh = _u64(prev.gridBoughtWh + (bought.weight - bought.q));
            s.net = prev.net + flow;
        } else {
            s.p2pSoldWh = _u64(sold.q);
            s.p2pBoughtWh = _u64(bought.q);
            s.gridSoldWh = _u64(sold.weight - sold.q);
            s.gridBoughtWh = _u64(bought.weight - bought.q);
            s.net = flow;
        }
    }

    /// @dev A uint64 field: panic 0x11 above it, as the full step's checked `+=` on a uint64.
    function _u64(uint256 x) private pure returns (uint64) {
        if (x > type(uint64).max) {
            assembly ("memory-safe") {
                mstore(0x00, shl(224, 0x4e487b71))
                mstore(0x04, 0x11)
                revert(0x00, 0x24)
            }
        }
        // Checked just above.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(x);
    }

    function _sameState(ParticipantState memory a, ParticipantState memory b) private pure returns (bool) {
        return a.exportWh == b.exportWh && a.importWh == b.importWh && a.p2pSoldWh == b.p2pSoldWh
            && a.p2pBoughtWh == b.p2pBoughtWh && a.gridSoldWh == b.gridSoldWh && a.gridBoughtWh == b.gridBoughtWh
            && a.net == b.net;
    }

    /// @dev Q: min(W_sell, W_buy), capped by the feeder for Mmr (Totals nets the window: no cap).
    function _matched(MarketParams memory p, uint256 sellTotal, uint256 buyTotal) private pure returns (uint256 q) {
        q = sellTotal < buyTotal ? sellTotal : buyTotal;
        if (p.kind == MarketKind.Mmr && p.feederCapacityWh != 0 && p.feederCapacityWh < q) q = p.feederCapacityWh;
    }

    /// @dev Fills one side's running sums into `out`: the rule `_side` judges, over all N at once.
    function _fillSide(StepEntry[] memory out, uint256[] memory w, uint256 total, uint256 matched, uint256 v, bool sell)
        private
        pure
    {
        uint256 n = w.length;
        uint256 rest = matched;
        for (uint256 i; i < n; ++i) {
            rest -= _floor(matched, w[i], total);
        }
        SidePrefix memory acc;
        for (uint256 i; i < n; ++i) {
            uint256 floor_ = _floor(matched, w[i], total);
            uint256 q = floor_;
            // acc.positive counts the positive weights before i.
            if (w[i] > 0 && acc.positive < rest) ++q;
            acc.weight += w[i];
            if (w[i] > 0) ++acc.positive;
            acc.floors += floor_;
            if (q > 0) ++acc.filled;
            acc.valueFloors += _floor(v, q, matched);
            SidePrefix memory s = sell ? out[i].sell : out[i].buy;
            (s.weight, s.positive, s.floors, s.filled, s.valueFloors) =
            (acc.weight, acc.positive, acc.floors, acc.filled, acc.valueFloors);
        }
    }

    /// @dev floor(amount · w / total), 0 when total = 0 (checked product, as the full step's share).
    function _floor(uint256 amount, uint256 w, uint256 total) private pure returns (uint256) {
        return total == 0 ? 0 : amount * w / total;
    }

    function _sum(uint256[] memory xs) private pure returns (uint256 s) {
        for (uint256 i; i < xs.length; ++i) {
            s += xs[i];
        }
    }

    function _copy(uint256[] memory xs) private pure returns (uint256[] memory ys) {
        ys = new uint256[](xs.length);
        for (uint256 i; i < xs.length; ++i) {
            ys[i] = xs[i];
        }
    }

    function _requireSupported(MarketKind kind) private pure {
        if (kind != MarketKind.Totals && kind != MarketKind.Mmr) revert UnsupportedMarketKind(kind);
    }
}
