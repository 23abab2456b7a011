// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {Balance, ClaimTerms} from "../../src/types/Community.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";
import {HookToken, Receiver} from "./ClaimAllAttacks.t.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice Review s25 (attacker's view) of `Hub.claimRange` / `Settlement.payRange`. N = 9 (depth 4), two
/// debtors (1 and 5) and six creditors scattered across the subtrees, claims with rounding dust.
contract ClaimRangeReviewTest is HubFixture {
    uint256 internal constant N = 9;
    uint256 internal constant D = 4;

    function setUp() public {
        _deploy(N);
    }

    // ------------------------------------------------------------------ helpers

    function _nets() internal pure returns (int256[] memory nets) {
        nets = new int256[](N);
        (nets[0], nets[1], nets[2], nets[3], nets[4]) = (3_501, -7_001, 2_500, 0, 1_001);
        (nets[5], nets[6], nets[7], nets[8]) = (-6_003, 2_999, 1_000, 2_003);
    }

    /// @dev Opened with joins (every member has a slot) unless `together` was set (no slots: settled bits).
    bool internal together;

    function _closed() internal returns (uint64 id) {
        id = together ? _openTogether(N) : _openActive(N);
        _update(id, 0, _state(_nets()), _everyone(N));
        _update(id, 1, _state(new int256[](N)), _everyone(N));
        _update(id, 2, _state(new int256[](N)), _everyone(N));
        hub.close(id);
    }

    function _all(uint64 id) internal view returns (Balance[] memory all, uint256 total) {
        return book.leaves(book.finalRoot(hub, id));
    }

    /// @dev Every level of the padded tree (level 0: the 2^D leaf hashes).
    function _levels(Balance[] memory all) internal pure returns (bytes32[][] memory lv) {
        lv = new bytes32[][](D + 1);
        lv[0] = new bytes32[](1 << D);
        for (uint256 i = 0; i < all.length; ++i) {
            lv[0][i] = Balances.leafHash(i, all[i]);
        }
        for (uint256 h = 1; h <= D; ++h) {
            lv[h] = new bytes32[](1 << (D - h));
            for (uint256 i = 0; i < lv[h].length; ++i) {
                lv[h][i] = MerkleTree.hashPair(lv[h - 1][2 * i], lv[h - 1][2 * i + 1]);
            }
        }
    }

    /// @dev The true siblings of the subtree of height D − p at position q (mod 2^p).
    function _proof(bytes32[][] memory lv, uint256 p, uint256 q) internal pure returns (bytes32[] memory proof) {
        proof = new bytes32[](p);
        uint256 h = D - p;
        q = p == 0 ? 0 : q % (1 << p);
        for (uint256 k = 0; k < p; ++k) {
            proof[k] = lv[h + k][(q >> k) ^ 1];
        }
    }

    /// @dev `count` leaves from index `first`: the real ones below N, a fabricated balance past it.
    function _slice(Balance[] memory all, uint256 first, uint256 count) internal view returns (Balance[] memory part) {
        part = new Balance[](count);
        for (uint256 i = 0; i < count; ++i) {
            uint256 j = first + i;
            part[i] = j < all.length ? all[j] : Balance(nodes[0], ESCROW, 0, 0);
        }
    }

    function _gainsByClaimAll(uint64 id) internal returns (uint256[] memory gain, uint256 held, uint256 pool) {
        uint256 snap = vm.snapshotState();
        uint256[] memory before = _worths(N);
        (Balance[] memory all, uint256 total) = _all(id);
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
        gain = _gainsSince(before);
        held = hub.community(id).held;
        pool = hub.community(id).repaidPool;
        vm.revertToState(snap);
    }

    function _tryRange(
        uint64 id,
        ClaimTerms memory t,
        uint256 first,
        Balance[] memory part,
        uint256 total,
        bytes32[] memory proof
    ) external {
        require(msg.sender == address(this));
        hub.claimRange(id, t, first, part, total, proof);
    }

    // ------------------------------------------------------------------ 1. fabricated ranges, exhaustively

    /// Attack: every (proof length p, first, count) with the true sibling path of position first / 2^h (mod 2^p),
    /// leaves real below N and fabricated past it; first up to 2^D + width (wrap of the index bits computeRoot
    /// ignores) and first + 2^200 (high bits). Accepted iff first is aligned, below N and count is exactly its real
    /// leaves; every other shape refused with `InvalidBalanceProof(id, first)`.
    struct Ctx {
        uint64 id;
        ClaimTerms t;
        Balance[] all;
        uint256 total;
        bytes32[][] lv;
    }

    function test_Exhaustive_OnlyAlignedExactRangesPass() public {
        Ctx memory c;
        c.id = _closed();
        c.t = claimTermsOf(address(hub), c.id);
        (c.all, c.total) = _all(c.id);
        c.lv = _levels(c.all);
        uint256 accepted;
        uint256 tried;
        for (uint256 p = 0; p <= D; ++p) {
            uint256 width = 1 << (D - p);
            for (uint256 k = 0; k < (1 << D) + width + 2; ++k) {
                // The last two `first`s: an aligned real one pushed up by 2^200 (only the index's high bits differ).
                uint256 first = k < (1 << D) + width ? k : (k - (1 << D) - width) * width + (1 << 200);
                for (uint256 count = 1; count <= width; ++count) {
                    if (_shape(c, p, first, count)) ++accepted;
                    ++tried;
                }
            }
        }
        // Honest shapes: p = 0: 1; p = 1: 2; p = 2: 3; p = 3: 5; p = 4: 9.
        assertEq(accepted, 20);
        emit log_named_uint("shapes tried", tried);
    }

    /// @dev One shape: sent, state restored; whether it was paid (asserted to be iff it is honest).
    function _shape(Ctx memory c, uint256 p, uint256 first, uint256 count) internal returns (bool paid) {
        uint256 width = 1 << (D - p);
        bytes32[] memory proof = _proof(c.lv, p, first / width);
        Balance[] memory part = _slice(c.all, first, count);
        bool should = first % width == 0 && first < N && count == (N - first < width ? N - first : width);
        uint256 snap = vm.snapshotState();
        try this._tryRange(c.id, c.t, first, part, c.total, proof) {
            assertTrue(should, "a fabricated range was paid");
            paid = true;
        } catch (bytes memory err) {
            assertFalse(should, "an honest range was refused");
            assertEq(err, abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, c.id, first));
        }
        vm.revertToState(snap);
    }

    /// Attack: the honest batch with another N in the terms: one of the same depth (16) and one a level shallower
    /// (8, the proof one sibling shorter so the heights line up). Refused: the claim root binds N.
    function test_RevertWhen_RangeWithOtherN() public {
        uint64 id = _closed();
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = book.rangeArgs(hub, id, 0, 3);
        t.participantCount = 16;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, f));
        hub.claimRange(id, t, f, part, total, proof);
        t.participantCount = 8;
        bytes32[] memory shorter = new bytes32[](0);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, f));
        hub.claimRange(id, t, f, part, total, shorter);
    }

    /// Informational: a `first` near 2^256 with two leaves overflows `first + i` in `_requireRange`: a Panic(0x11),
    /// not the `InvalidBalanceProof` the interface names. Nothing is paid either way.
    /// Attack: a first index near 2^256, where first + i would overflow. Refused before any hashing: a range starts
    /// below N (`InvalidBalanceProof(id, first)`; before the check, an arithmetic panic).
    function test_RevertWhen_HugeFirst() public {
        uint64 id = _closed();
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        (Balance[] memory all, uint256 total) = _all(id);
        Balance[] memory two = _slice(all, 0, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, type(uint256).max));
        hub.claimRange(id, t, type(uint256).max, two, total, new bytes32[](3));
    }

    // ------------------------------------------------------------------ 2. order games with the repaid pool

    /// Attack: any sequence of batches (random heights and positions, repeats, creditors before their debtors),
    /// single claims and shares, then one `claimAll`: each member ends with exactly what one `claimAll` pays,
    /// the same held and repaid pool; at every step nobody took more of the pool than exists, and the hub's balance
    /// is held + withdrawable.
    function testFuzz_AnyBatchOrder_EqualsClaimAll(uint256 seed) public {
        _anyOrder(seed);
    }

    /// The same in a community opened together: members settled by their bit, their share pass writes the slot.
    function testFuzz_AnyBatchOrder_Together_EqualsClaimAll(uint256 seed) public {
        together = true;
        _anyOrder(seed);
    }

    function _anyOrder(uint256 seed) internal {
        uint64 id = _closed();
        (uint256[] memory expected, uint256 heldAfter, uint256 poolAfter) = _gainsByClaimAll(id);
        uint256[] memory before = _worths(N);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        (Balance[] memory all, uint256 total) = _all(id);
        for (uint256 step = 0; step < 6; ++step) {
            _step(id, t, total, uint256(keccak256(abi.encode(seed, step))));
            _assertSound(id, all, total);
        }
        try hub.claimAll(id, t, all, total) {} catch {}
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i], "as by claimAll");
        }
        assertEq(hub.community(id).held, heldAfter);
        assertEq(hub.community(id).repaidPool, poolAfter);
        _assertSound(id, all, total);
    }

    /// @dev One random move: a batch (any height holding `index`), a single claim, or a share.
    function _step(uint64 id, ClaimTerms memory t, uint256 total, uint256 r) internal {
        uint256 index = r % N;
        uint256 kind = (r >> 8) % 4;
        if (kind < 2) {
            (uint256 f, Balance[] memory part,, bytes32[] memory proof) =
                book.rangeArgs(hub, id, index, (r >> 16) % (D + 1));
            try this._tryRange(id, t, f, part, total, proof) {}
            catch (bytes memory err) {
                assertEq(err, abi.encodeWithSelector(IHub.NothingToClaim.selector, id, f));
            }
        } else if (kind == 2) {
            (,, bool settled,,) = hub.member(id, index);
            if (!settled) _claimMember(id, index);
        } else {
            (Balance memory leaf,, bytes32[] memory proof) = book.claimArgs(hub, id, index);
            (,, bool settled, uint256 taken,) = hub.member(id, index);
            if (settled && hub.community(id).repaidPool * leaf.claim / total > taken) {
                hub.claimShare(id, t, index, leaf, total, proof);
            }
        }
    }

    function _assertSound(uint64 id, Balance[] memory all, uint256 total) internal view {
        uint256 pool = hub.community(id).repaidPool;
        uint256 taken;
        uint256 waiting = hub.withdrawable(IERC20(address(token)), address(this));
        for (uint256 i = 0; i < N; ++i) {
            (,,, uint256 tk,) = hub.member(id, i);
            assertLe(tk, pool * all[i].claim / total, "took more than its share");
            taken += tk;
            waiting += hub.withdrawable(IERC20(address(token)), nodes[i]);
        }
        assertLe(taken, pool, "more shared than repaid");
        assertEq(token.balanceOf(address(hub)), hub.community(id).held + waiting, "conservation");
    }

    // ------------------------------------------------------------------ 3. aborted community

    /// Attack: an aborted community (3 of 5 joined): a batch of never-joined members only pays nobody
    /// (`NothingToClaim`), a batch with them pays the joined only, and the never-joined stay unpaid (`NotJoined`).
    function test_Aborted_RangeSkipsNeverJoined() public {
        uint64 id = _open(5);
        book.cacheGenesis(hub, id);
        for (uint256 i = 0; i < 3; ++i) {
            _join(id, i);
        }
        vm.prank(nodes[0]);
        hub.close(id);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        assertTrue(t.aborted);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = book.rangeArgs(hub, id, 4, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, 4));
        hub.claimRange(id, t, f, part, total, proof);
        uint256 w3 = _worth(3);
        (f, part, total, proof) = book.rangeArgs(hub, id, 0, 2);
        hub.claimRange(id, t, f, part, total, proof);
        assertEq(_worth(3), w3, "never joined: unpaid");
        (,, bool settled,,) = hub.member(id, 3);
        assertFalse(settled);
        (Balance memory leaf,, bytes32[] memory p3) = book.claimArgs(hub, id, 3);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[3]));
        hub.claim(id, t, 3, leaf, total, p3);
    }

    // ------------------------------------------------------------------ 4. re-entry through the token

    /// @dev The hook token as the community's token (for communities opened after), everyone funded.
    function _useHookToken() internal returns (HookToken ht) {
        ht = new HookToken(address(this));
        token = CommunityToken(address(ht));
        ht.mint(address(this), 1e30);
        ht.approve(address(hub), type(uint256).max);
        for (uint256 i = 0; i < N; ++i) {
            ht.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            ht.approve(address(hub), type(uint256).max);
        }
    }

    /// Attack: creditors 2 and 4 are contracts the hook token calls on payment; inside, 2 re-enters `claimRange`
    /// (its own batch again) and 4 `claimShare` of itself; both are refused by the guard (recorded, swallowed),
    /// and the batch pays each member exactly what `claimAll` pays.
    function test_Reentry_FromRangePayout_Refused() public {
        HookToken ht = _useHookToken();
        uint64 id = _closed();
        (uint256[] memory expected,,) = _gainsByClaimAll(id);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = book.rangeArgs(hub, id, 0, 3);
        (Balance memory leaf4,, bytes32[] memory p4) = book.claimArgs(hub, id, 4);
        uint256[] memory before = _worths(N);
        vm.etch(nodes[2], type(Receiver).runtimeCode);
        Receiver(nodes[2]).arm(2, address(hub), abi.encodeCall(hub.claimRange, (id, t, f, part, total, proof)));
        ht.setHooked(nodes[2], true);
        vm.etch(nodes[4], type(Receiver).runtimeCode);
        Receiver(nodes[4]).arm(2, address(hub), abi.encodeCall(hub.claimShare, (id, t, 4, leaf4, total, p4)));
        ht.setHooked(nodes[4], true);
        hub.claimRange(id, t, f, part, total, proof);
        (Balance[] memory all,) = _all(id);
        (f, part, total, proof) = book.rangeArgs(hub, id, 8, 3);
        hub.claimRange(id, t, f, part, total, proof);
        // Batch [0, 8) holds both debtors (1 and 5); batch [8, 9) is creditor 8 alone.
        try hub.claimAll(id, t, all, total) {} catch {}
        bytes4 guard = ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector;
        assertEq(Receiver(nodes[2]).caught(), guard);
        assertEq(Receiver(nodes[4]).caught(), guard);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i], "as by claimAll");
        }
    }

    // ------------------------------------------------------------------ 5. gas-burning recipients (known limit)

    /// Limit (as `claimAll`'s, ClaimAllAttacks): with a hook token, two members whose receive hook burns all the gas
    /// it is given sink any batch holding both under the EIP-7825 cap; the batches split around them (height 1 here:
    /// one burner each) still pay everyone, the burners' payouts waiting in `withdrawable`.
    function test_Limit_TwoBurnersSinkTheirBatchOnly() public {
        HookToken ht = _useHookToken();
        uint64 id = _closed();
        (uint256[] memory expected,,) = _gainsByClaimAll(id);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        for (uint256 i = 0; i < 4; i += 2) {
            vm.etch(nodes[i], type(Receiver).runtimeCode);
            Receiver(nodes[i]).arm(3, address(0), "");
            ht.setHooked(nodes[i], true);
        }
        uint256[] memory before = _worths(N);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = book.rangeArgs(hub, id, 0, 3);
        (bool ok,) = address(hub).call{gas: 16_777_216}(abi.encodeCall(hub.claimRange, (id, t, f, part, total, proof)));
        assertFalse(ok, "the batch holding both burners runs out of gas");
        for (uint256 first = 0; first < N; first += 2) {
            (f, part, total, proof) = book.rangeArgs(hub, id, first, 1);
            (ok,) = address(hub).call{gas: 16_777_216}(abi.encodeCall(hub.claimRange, (id, t, f, part, total, proof)));
            assertTrue(ok, "a batch with one burner fits");
        }
        // Creditors 0 and 2 were paid before debtor 5: their shares' rest by a second round of their batches.
        for (uint256 first = 0; first < 4; first += 2) {
            (f, part, total, proof) = book.rangeArgs(hub, id, first, 1);
            (ok,) = address(hub).call{gas: 16_777_216}(abi.encodeCall(hub.claimRange, (id, t, f, part, total, proof)));
        }
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i], "as by claimAll");
        }
    }
}
