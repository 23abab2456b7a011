// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {Test} from "forge-std/Test.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {words1} from "../utils/Words.sol";
import {SettlementHarness} from "./Settlement.t.sol";

/// @dev The eager rule the hub used before the accumulator: a slash credits every non-offender's slot, a
/// lost game bond every signer's. Kept here as the reference the O(offenders) rule must reproduce.
contract EagerSettlement {
    struct EagerMember {
        uint256 bondMissing;
        int256 credit;
    }

    mapping(uint256 => EagerMember) public members;
    mapping(address => uint256) public withdrawable;

    function set(uint256 i, uint128 bondMissing, uint128 credited) external {
        members[i] = EagerMember(bondMissing, int256(uint256(credited)));
    }

    function addCredit(uint256 i, uint256 amount) external {
        members[i].credit += int256(amount);
    }

    function credit(uint256[] memory who, uint256 n, uint256 amount) external {
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            if (_has(who, i)) ++count;
        }
        uint256 each = amount / count;
        uint256 rest = amount - each * count;
        for (uint256 i = 0; i < n; ++i) {
            if (!_has(who, i)) continue;
            members[i].credit += int256(each + rest);
            rest = 0;
        }
    }

    function slash(uint256 n, uint256 challengerIndexPlusOne, Settlement.Penalty memory p, address challenger)
        external
        returns (uint256 reward)
    {
        uint256[] memory offenders = p.offenders;
        bool selfDispute = challengerIndexPlusOne != 0 && _has(offenders, challengerIndexPlusOne - 1);
        uint256 recipients = n;
        for (uint256 i = 0; i < n; ++i) {
            if (_has(offenders, i)) --recipients;
        }
        if (recipients == 0 && selfDispute) return 0;
        uint256 total = p.extra;
        for (uint256 i = 0; i < n; ++i) {
            if (!_has(offenders, i)) continue;
            EagerMember storage m = members[i];
            uint256 bond = p.bond - m.bondMissing;
            uint256 take = bond < p.cap ? bond : p.cap;
            m.bondMissing += take;
            if (p.orCredit && take < p.cap) {
                uint256 lacking = p.cap - take;
                uint256 held = m.credit > 0 ? uint256(m.credit) : 0;
                take += lacking < held ? lacking : held;
                m.credit -= int256(lacking);
            }
            total += take;
        }
        uint256 each = recipients == 0
            ? 0
            : (selfDispute ? total : total * (10_000 - Settlement.CHALLENGER_SHARE_BPS) / 10_000) / recipients;
        uint256 rest = total - each * recipients;
        if (!selfDispute) {
            withdrawable[challenger] += rest;
            reward = rest;
            rest = 0;
        }
        for (uint256 i = 0; i < n && (each > 0 || rest > 0); ++i) {
            if (_has(offenders, i)) continue;
            members[i].credit += int256(each + rest);
            rest = 0;
        }
    }

    function funds(uint256 i, uint256 escrow, uint256 bond) external view returns (uint256 total) {
        EagerMember memory m = members[i];
        total = escrow + (bond - m.bondMissing) + (m.credit > 0 ? uint256(m.credit) : 0);
        uint256 fine = m.credit < 0 ? uint256(-m.credit) : 0;
        total -= fine < total ? fine : total;
    }

    /// @dev Bit i of the bitmap, read bit by bit (the reference does not use `SignerBitmap`).
    function _has(uint256[] memory set, uint256 i) private pure returns (bool) {
        return i / 256 < set.length && (set[i / 256] >> (i % 256)) & 1 == 1;
    }
}

/// @notice Differential test of the slashing rule: random sequences of slashes (signer sets, single
/// offenders, self-disputes, equivocations into the credit and fines), lost game bonds and deposits, applied
/// to the eager rule (every member written) and to the accumulator rule (`Settlement`: offenders written,
/// the rest through `creditPerMember`). After every step each member's bond and credit, the challenger's
/// withdrawable balance and the reward agree to the wei, and so does what each member is paid at claim.
contract SettlementDifferentialTest is Test {
    uint256 internal constant BOND = 1_000_003;
    address internal constant CHALLENGER = address(0xC0FFEE);

    /// forge-config: default.fuzz.runs = 128
    function testFuzz_AccumulatorPaysWhatTheEagerRulePaid(uint256 seed, uint16 size, uint8 steps) public {
        // Mostly one word, one run in four wider (up to 1,024 participants, four words).
        uint256 n = size % 4 == 0 ? bound(size, 257, SignerBitmap.MAX_PARTICIPANTS) : bound(size, 1, 256);
        SettlementHarness lazy = new SettlementHarness();
        EagerSettlement eager = new EagerSettlement();
        for (uint256 i = 0; i < n; ++i) {
            uint128 missing = uint128(uint256(keccak256(abi.encode(seed, "missing", i))) % 4 == 0 ? i * 7 : 0);
            lazy.set(i, missing, 0);
            eager.set(i, missing, 0);
        }
        uint256 count = bound(steps, 1, 24);
        for (uint256 k = 0; k < count; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            uint256 kind = r % 4;
            if (kind == 0) {
                uint256[] memory who = _bitmap(r, n);
                uint256 amount = (r >> 64) % 10_000_019;
                lazy.creditWide(who, n, amount);
                eager.credit(who, n, amount);
            } else if (kind == 1) {
                uint256 i = (r >> 16) % n;
                uint256 amount = (r >> 64) % 50_000;
                lazy.addCredit(i, amount);
                eager.addCredit(i, amount);
            } else {
                Settlement.Penalty memory p;
                p.offenders = kind == 2 ? _bitmap(r, n) : SignerBitmap.single(n, (r >> 16) % n);
                // A fraud's cap is the whole bond; an equivocation's a fixed amount (into the credit, then fined).
                p.cap = kind == 2 && (r >> 72) % 3 == 0 ? type(uint256).max : (r >> 80) % (BOND + BOND / 2);
                p.orCredit = kind == 3;
                p.bond = BOND;
                // A forfeited deposit comes with a non-offender to receive it.
                if (SignerBitmap.count(p.offenders) < n) p.extra = (r >> 120) % 100_003;
                // The challenger: an outsider, a non-offender member, or an offender (a self-dispute).
                uint256 challengerPlusOne = (r >> 200) % 3 == 0 ? 0 : 1 + (r >> 208) % n;
                uint256 a = lazy.slash(n, challengerPlusOne, p, CHALLENGER);
                uint256 b = eager.slash(n, challengerPlusOne, p, CHALLENGER);
                assertEq(a, b, "reward");
            }
            _compare(lazy, eager, n);
        }
        for (uint256 i = 0; i < n; ++i) {
            uint256 escrow = uint256(keccak256(abi.encode(seed, "escrow", i))) % 5_000;
            assertEq(lazy.funds(i, escrow, BOND), eager.funds(i, escrow, BOND), "paid at claim");
        }
    }

    /// @notice The paged slash (`Settlement.slash` + `continueSlash`, any page size from 1 slot a call) pays
    /// what the one-loop eager rule pays, to the wei, for random bonds, missing bonds, credits and offender
    /// sets; between its pages, deposits and lost game bonds (additive: they commute with the pending writes)
    /// land on any member, offenders included, and the result is still the eager one with them applied after.
    /// forge-config: default.fuzz.runs = 96
    function testFuzz_PagedSlashEqualsOneLoop(uint256 seed, uint16 size, uint8 steps, uint16 page) public {
        uint256 n = size % 4 == 0 ? bound(size, 257, SignerBitmap.MAX_PARTICIPANTS) : bound(size, 1, 256);
        SettlementHarness lazy = new SettlementHarness();
        EagerSettlement eager = new EagerSettlement();
        lazy.setPage(bound(page, 1, 300));
        for (uint256 i = 0; i < n; ++i) {
            uint256 h = uint256(keccak256(abi.encode(seed, "member", i)));
            uint128 missing = uint128(h % 4 == 0 ? (h >> 8) % BOND : 0);
            uint128 credited = uint128(h % 3 == 0 ? (h >> 40) % 70_000 : 0);
            lazy.set(i, missing, credited);
            eager.set(i, missing, credited);
        }
        uint256 count = bound(steps, 1, 8);
        for (uint256 k = 0; k < count; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, "step", k)));
            Settlement.Penalty memory p;
            p.offenders = r % 4 == 0 ? SignerBitmap.single(n, (r >> 16) % n) : _bitmap(r, n);
            p.orCredit = r % 4 == 0 && (r >> 4) % 2 == 0;
            // A fraud's cap is the whole bond; an equivocation's (`orCredit`) a fixed amount.
            p.cap = !p.orCredit && (r >> 72) % 3 == 0 ? type(uint256).max : (r >> 80) % (BOND + BOND / 2);
            p.bond = BOND;
            if (SignerBitmap.count(p.offenders) < n) p.extra = (r >> 120) % 100_003;
            uint256 challengerPlusOne = (r >> 200) % 3 == 0 ? 0 : 1 + (r >> 208) % n;
            uint256 b = eager.slash(n, challengerPlusOne, p, CHALLENGER);
            uint256 a = lazy.slashFirst(n, challengerPlusOne, p, CHALLENGER);
            // At most 6 moves between the pages of one slash (a lost bond over 1,000 members writes hundreds).
            uint256 moves = 0;
            for (uint256 j = 0; lazy.phase() != Settlement.SlashPhase.None; ++j) {
                uint256 q = uint256(keccak256(abi.encode(r, "between", j)));
                // A bond taken with `orCredit` reads the credit: only additive moves of a plain slash commute.
                if (!p.orCredit && moves < 6 && q % 4 < 2) {
                    _between(lazy, eager, n, q);
                    ++moves;
                }
                a += lazy.continueSlash(n);
            }
            assertEq(a, b, "reward");
            _compare(lazy, eager, n);
        }
        for (uint256 i = 0; i < n; ++i) {
            uint256 escrow = uint256(keccak256(abi.encode(seed, "escrow", i))) % 5_000;
            assertEq(lazy.funds(i, escrow, BOND), eager.funds(i, escrow, BOND), "paid at claim");
        }
    }

    /// @dev A deposit or a lost game bond between two pages of a slash, applied to both rules.
    function _between(SettlementHarness lazy, EagerSettlement eager, uint256 n, uint256 q) internal {
        if (q % 4 == 0) {
            uint256 i = (q >> 16) % n;
            lazy.addCredit(i, (q >> 64) % 50_000);
            eager.addCredit(i, (q >> 64) % 50_000);
        } else {
            uint256[] memory who = _bitmap(q, n);
            lazy.creditWide(who, n, (q >> 64) % 10_000_019);
            eager.credit(who, n, (q >> 64) % 10_000_019);
        }
    }

    /// @dev The remainder rule: a self-dispute's remainder goes to the first non-offender (here member 2,
    /// members 0 and 1 offend), with its equal part; the challenger's otherwise.
    function test_SelfDisputeRemainderToFirstNonOffender() public {
        SettlementHarness h = new SettlementHarness();
        // 2 × 1,000 taken, shared by 3 recipients: 666 each, 2 left.
        h.slash(5, 1, Settlement.Penalty(words1(0x3), 1_000, 0, false, BOND), CHALLENGER);
        assertEq(h.get(2).credit, 668);
        assertEq(h.get(3).credit, 666);
        assertEq(h.get(4).credit, 666);
        assertEq(h.get(0).credit, 0, "an offender receives no share");
        assertEq(h.get(1).credit, 0, "nor does the self-disputing challenger");
        assertEq(h.withdrawable(CHALLENGER), 0);
        // An outsider: half of 2,000 to the 3 others (333 each), 1,000 + 1 to the challenger.
        h.slash(5, 0, Settlement.Penalty(words1(0x3), 1_000, 0, false, BOND), CHALLENGER);
        assertEq(h.withdrawable(CHALLENGER), 1_001);
        assertEq(h.get(2).credit, 668 + 333);
        assertEq(h.get(0).credit, 0);
    }

    /// @dev A lost game bond over most of the members is written to the few who did not sign.
    function test_CreditToMostWritesTheOthers() public {
        SettlementHarness h = new SettlementHarness();
        // 7 of 8 signed: 100 / 7 = 14 each, 2 to the first (member 1).
        h.credit(0xfe, 8, 100);
        assertEq(h.creditPerMember(), 14);
        assertEq(h.get(0).credit, 0);
        assertEq(h.get(1).credit, 16);
        assertEq(h.get(7).credit, 14);
    }

    function _compare(SettlementHarness lazy, EagerSettlement eager, uint256 n) internal view {
        for (uint256 i = 0; i < n; ++i) {
            (uint256 missing, int256 credited) = eager.members(i);
            assertEq(lazy.get(i).bondMissing, missing, "bondMissing");
            assertEq(lazy.get(i).credit, credited, "credit");
        }
        assertEq(lazy.withdrawable(CHALLENGER), eager.withdrawable(CHALLENGER), "withdrawable");
    }

    /// @dev A non-empty bitmap of members of n (⌈n/256⌉ words): one, a few, most or all of them.
    function _bitmap(uint256 r, uint256 n) internal pure returns (uint256[] memory who) {
        uint256 mode = (r >> 8) % 4;
        if (mode == 0) return SignerBitmap.single(n, (r >> 16) % n);
        who = SignerBitmap.all(n);
        if (mode == 1) {
            for (uint256 w = 0; w < who.length; ++w) {
                who[w] &= uint256(keccak256(abi.encode(r, "few", w))) & uint256(keccak256(abi.encode(r, "x", w)));
            }
            if (SignerBitmap.count(who) == 0) who[0] = 1;
        } else if (mode == 2) {
            uint256 i = (r >> 16) % n;
            who[i >> 8] &= ~(uint256(1) << (i & 255));
            if (n == 1) who[0] = 1;
        }
    }
}
