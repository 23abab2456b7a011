// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {Balance, ClaimTerms} from "../../src/types/Community.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @dev What an etched recipient does when the hook token pays it.
interface IReceiveHook {
    function onTokens(address from, uint256 amount) external;
}

/// @notice A community token with a recipient hook (ERC-777 style, for the addresses marked `hooked`) and a
/// blacklist (USDC style: transfers from or to a blacklisted address revert).
contract HookToken is CommunityToken {
    mapping(address => bool) public hooked;
    mapping(address => bool) public blacklisted;

    constructor(address owner_) CommunityToken("Hook", "HK", owner_) {}

    function setHooked(address a, bool on) external {
        hooked[a] = on;
    }

    function setBlacklisted(address a, bool on) external {
        blacklisted[a] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(!blacklisted[from] && !blacklisted[to], "blacklisted");
        super._update(from, to, value);
        if (hooked[to]) IReceiveHook(to).onTokens(from, value);
    }
}

/// @notice Code etched at a member's address (after close: its co-signatures are ECDSA, made before).
contract Receiver is IReceiveHook {
    /// 0 accept; 1 reenter `target` with `data`, bubble its revert; 2 reenter, swallow and record the error;
    /// 3 burn every gas unit given; 4 refuse (revert).
    uint8 public mode;
    address public target;
    bytes public data;
    bytes4 public caught;
    uint256 public received;

    function arm(uint8 mode_, address target_, bytes calldata data_) external {
        mode = mode_;
        target = target_;
        data = data_;
    }

    function onTokens(address, uint256 amount) external {
        received += amount;
        uint8 m = mode;
        if (m == 1) {
            (bool ok, bytes memory ret) = target.call(data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        } else if (m == 2) {
            (bool ok, bytes memory ret) = target.call(data);
            caught = ok ? bytes4(0xffffffff) : ret.length >= 4 ? bytes4(ret) : bytes4(0);
        } else if (m == 3) {
            assembly {
                invalid()
            }
        } else if (m == 4) {
            revert("refused");
        }
    }
}

/// @notice Review of `Hub.claimAll` (`Settlement.payAll`): one attack per test, each refused (or, for the
/// gas-burning recipient, the batch's known limit shown with the single claims that still work).
contract ClaimAllAttacksTest is HubFixture {
    uint256 internal constant N = 3;
    /// EIP-7825's transaction gas cap (Osaka).
    uint256 internal constant TX_GAS_CAP = 16_777_216;

    function setUp() public {
        _deploy(5);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A community of `n` (nodes 0..n−1): window 0 settles `nets`, windows 1 and 2 nothing; closed.
    function _closeN(uint256 n, int256[] memory nets) internal returns (uint64 id) {
        id = _openActive(n);
        _runAndClose(id, n, nets);
    }

    function _runAndClose(uint64 id, uint256 n, int256[] memory nets) internal {
        _update(id, 0, _state(nets), _everyone(n));
        _update(id, 1, _state(new int256[](n)), _everyone(n));
        _update(id, 2, _state(new int256[](n)), _everyone(n));
        hub.close(id);
    }

    function _nets3(int256 a, int256 b, int256 c) internal pure returns (int256[] memory nets) {
        nets = new int256[](3);
        (nets[0], nets[1], nets[2]) = (a, b, c);
    }

    /// @dev Debtor 0 owes 7,001 with 5,000 of escrow; creditors 1 and 2 (claims 1,000 and 1,001).
    function _short() internal pure returns (int256[] memory) {
        return _nets3(-7_001, 3_500, 3_501);
    }

    /// @dev Creditors first (0 and 1), the debtor last (2): the first pass pays the creditors from an empty pool.
    function _shortDebtorLast() internal pure returns (int256[] memory) {
        return _nets3(3_500, 3_501, -7_001);
    }

    function _args(uint64 id) internal view returns (ClaimTerms memory terms, Balance[] memory all, uint256 total) {
        (all, total) = book.leaves(book.finalRoot(hub, id));
        terms = claimTermsOf(address(hub), id);
    }

    function _payAll(uint64 id) internal {
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        hub.claimAll(id, terms, all, total);
    }

    /// @dev Each member's gain, the community's held and repaid pool after `claim` for everyone in index order
    /// then every owed `claimShare` (the state is restored after).
    function _oneByOne(uint64 id, uint256 n) internal returns (uint256[] memory gain, uint256 held, uint256 repaid) {
        uint256 snap = vm.snapshotState();
        uint256[] memory before = _worths(n);
        for (uint256 i = 0; i < n; ++i) {
            _claimMember(id, i);
        }
        for (uint256 i = 0; i < n; ++i) {
            _shareIfOwed(id, i);
        }
        gain = _gainsSince(before);
        held = hub.community(id).held;
        repaid = hub.community(id).repaidPool;
        vm.revertToState(snap);
    }

    /// @dev `claimShare` of member i when the repaid pool owes it more than it took.
    function _shareIfOwed(uint64 id, uint256 i) internal {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        (,,, uint256 taken,) = hub.member(id, i);
        if (total != 0 && hub.community(id).repaidPool * leaf.claim / total > taken) {
            hub.claimShare(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
        }
    }

    /// @dev The batch pays exactly the one-by-one amounts and leaves the same held / repaid pool.
    function _assertBatchEqualsSingles(uint64 id, uint256 n) internal {
        (uint256[] memory gain, uint256 held, uint256 repaid) = _oneByOne(id, n);
        uint256[] memory before = _worths(n);
        _payAll(id);
        for (uint256 i = 0; i < n; ++i) {
            assertEq(_worth(i) - before[i], gain[i], "batch pays what the single claims pay");
        }
        assertEq(hub.community(id).held, held, "held as by single claims");
        assertEq(hub.community(id).repaidPool, repaid, "repaid pool as by single claims");
        _assertNothingLeft(id, n);
    }

    /// @dev Nothing more to take: a second batch, every claim and every share are refused.
    function _assertNothingLeft(uint64 id, uint256 n) internal {
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, n));
        hub.claimAll(id, terms, all, total);
        for (uint256 i = 0; i < n; ++i) {
            (Balance memory leaf,, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, i));
            hub.claim(id, terms, i, leaf, total, proof);
            vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, i));
            hub.claimShare(id, terms, i, leaf, total, proof);
        }
    }

    /// @dev The hub holds exactly this community's `held` plus what waits in `withdrawable` (one community
    /// with money in the hub, the test contract the only other holder).
    function _assertConserved(uint64 id, uint256 n) internal view {
        uint256 waiting = hub.withdrawable(IERC20(address(token)), address(this));
        for (uint256 i = 0; i < n; ++i) {
            waiting += hub.withdrawable(IERC20(address(token)), nodes[i]);
        }
        assertEq(token.balanceOf(address(hub)), hub.community(id).held + waiting, "held + withdrawable = balance");
    }

    /// @dev The hook token as the community's token (for communities opened after), everyone funded.
    function _useHookToken() internal returns (HookToken t) {
        t = new HookToken(address(this));
        token = CommunityToken(address(t));
        t.mint(address(this), 1e30);
        t.approve(address(hub), type(uint256).max);
        for (uint256 i = 0; i < nodes.length; ++i) {
            t.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            t.approve(address(hub), type(uint256).max);
        }
    }

    /// @dev Member i's address becomes a `Receiver` the hook token calls.
    function _etchReceiver(HookToken t, uint256 i, uint8 mode, bytes memory data) internal returns (Receiver r) {
        vm.etch(nodes[i], type(Receiver).runtimeCode);
        r = Receiver(nodes[i]);
        r.arm(mode, address(hub), data);
        t.setHooked(nodes[i], true);
    }

    // ------------------------------------------------------------------ double payment

    /// Attack: pay everyone twice (batch after batch, singles after the batch). Refused: `NothingToClaim(id, N)`,
    /// `AlreadyClaimed`, `NothingToClaim(id, i)`; the batch paid exactly the single claims' amounts.
    function test_RevertWhen_PaidTwice() public {
        uint64 id = _closeN(N, _short());
        _assertBatchEqualsSingles(id, N);
        _assertConserved(id, N);
    }

    /// Attack: creditors indexed before the debtor (the first pass pays them from an empty pool, the second
    /// tops them up): nobody is paid more than by single claims, dust stays held, the pool is fully shared.
    function test_DebtorLast_NoOverpayment() public {
        uint64 id = _closeN(N, _shortDebtorLast());
        _assertBatchEqualsSingles(id, N);
        (, Balance[] memory all, uint256 total) = _args(id);
        uint256 pool = hub.community(id).repaidPool;
        uint256 shared;
        for (uint256 i = 0; i < N; ++i) {
            (,,, uint256 taken,) = hub.member(id, i);
            assertEq(taken, pool * all[i].claim / total, "each claim holder took its whole share");
            shared += taken;
        }
        assertLe(shared, pool, "no more shared than repaid");
        assertLe(pool - shared, N, "at most one unit of dust per holder");
        _assertConserved(id, N);
    }

    /// Attack: front-run the batch with single claims and shares so that every member is settled but shares
    /// are still owed: the batch only tops up (second pass) and does not revert; then nothing is left.
    function test_FrontRunAllClaims_BatchOnlyShares() public {
        uint64 id = _closeN(N, _shortDebtorLast());
        (uint256[] memory gain,,) = _oneByOne(id, N);
        uint256[] memory before = _worths(N);
        for (uint256 i = 0; i < N; ++i) {
            _claimMember(id, i);
        }
        assertGt(hub.community(id).repaidPool, 0);
        vm.recordLogs();
        _payAll(id);
        assertEq(vm.getRecordedLogs().length, 2 + 2, "two ClaimShared, two token Transfers, no Claimed");
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], gain[i]);
        }
        _assertNothingLeft(id, N);
    }

    /// Attack: front-run with a claimShare of one member after the claims: the batch skips it (its share is
    /// taken) and pays the other's; never twice.
    function test_FrontRunOneShare_Skipped() public {
        uint64 id = _closeN(N, _shortDebtorLast());
        (uint256[] memory gain,,) = _oneByOne(id, N);
        uint256[] memory before = _worths(N);
        for (uint256 i = 0; i < N; ++i) {
            _claimMember(id, i);
        }
        (ClaimTerms memory terms,, uint256 total) = _args(id);
        (Balance memory leaf,, bytes32[] memory proof) = book.claimArgs(hub, id, 0);
        hub.claimShare(id, terms, 0, leaf, total, proof);
        _payAll(id);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], gain[i]);
        }
        _assertNothingLeft(id, N);
    }

    // ------------------------------------------------------------------ forged leaves and terms

    /// Attack: two leaves swapped (same multiset of balances, other positions): the leaf hash binds the index.
    function test_RevertWhen_LeavesSwapped() public {
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        (all[1], all[2]) = (all[2], all[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N));
        hub.claimAll(id, terms, all, total);
    }

    /// Attack: member 1's leaf copied into slot 2 (pay 1 twice): refused.
    function test_RevertWhen_LeafDuplicated() public {
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        all[2] = all[1];
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N));
        hub.claimAll(id, terms, all, total);
    }

    /// Attack: a bigger claim with totalClaims raised to match, a smaller debt, another payee: refused.
    function test_RevertWhen_LeafInflatedConsistently() public {
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        bytes memory refused = abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N);
        all[1].claim += 1_000;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total + 1_000);
        all[1].claim -= 1_000;
        all[0].debt = 0;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
        (, all,) = _args(id);
        all[1].participant = address(0xBAD);
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
    }

    /// Attack: pad the 3 leaves to the tree's width 4 with a zero leaf, with N = 3 (length check) and with
    /// N = 4 in the terms (the claim root binds N, and the padding leaf is bytes32(0), not the hash of a zero
    /// balance): refused both ways.
    function test_RevertWhen_PaddedWithZeroLeaf() public {
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        Balance[] memory padded = new Balance[](4);
        for (uint256 i = 0; i < N; ++i) {
            padded[i] = all[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N));
        hub.claimAll(id, terms, padded, total);
        terms.participantCount = 4;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 4));
        hub.claimAll(id, terms, padded, total);
        terms.participantCount = 2;
        Balance[] memory cut = new Balance[](2);
        (cut[0], cut[1]) = (all[0], all[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 2));
        hub.claimAll(id, terms, cut, total);
    }

    /// Attack: other terms — another token (the withdrawable map the hub passes is keyed by it), another
    /// creditPerMember, another N: refused by the claim root.
    function test_RevertWhen_OtherTerms() public {
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        bytes memory refused = abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N);
        CommunityToken other = new CommunityToken("Other", "OT", address(this));
        terms.token = IERC20(address(other));
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
        terms = claimTermsOf(address(hub), id);
        terms.creditPerMember += 1;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
        terms = claimTermsOf(address(hub), id);
        terms.bond = 0;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
    }

    /// Attack: dirty high bits in calldata (terms.participantCount, a leaf's participant): the ABI decoder
    /// refuses them before anything is paid.
    function test_RevertWhen_DirtyCalldata() public {
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        bytes memory good = abi.encodeCall(hub.claimAll, (id, terms, all, total));
        // id @4, terms @36 (token, N @68, bond, creditPerMember), leaves offset @164, total @196.
        bytes memory bad = bytes.concat(good);
        bad[68] = 0x01;
        (bool ok,) = address(hub).call(bad);
        assertFalse(ok, "dirty participantCount");
        bad = bytes.concat(good);
        uint256 at = 4 + uint256(bytes32(_slice(good, 164))) + 32;
        bad[at] = 0x01;
        (ok,) = address(hub).call(bad);
        assertFalse(ok, "dirty participant");
        (,, bool settled,,) = hub.member(id, 1);
        assertFalse(settled);
        (ok,) = address(hub).call(good);
        assertTrue(ok);
    }

    function _slice(bytes memory b, uint256 at) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(b, 32), at))
        }
    }

    /// Fuzz attack: any one field of any one leaf changed by any non-zero amount: refused.
    function test_Fuzz_RevertWhen_AnyLeafFieldChanged(uint8 index, uint8 field, uint128 delta) public {
        vm.assume(delta != 0);
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        Balance memory b = all[index % N];
        uint256 f = field % 5;
        if (f == 0) b.participant = address(uint160(b.participant) ^ uint160(uint256(delta)));
        else if (f == 1) b.escrow += delta;
        else if (f == 2) b.debt += delta;
        else if (f == 3) b.claim += delta;
        else total += delta;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N));
        hub.claimAll(id, terms, all, total);
    }

    /// Attack: another closed community's leaves and terms (a different final root): refused; the
    /// communities' money stays apart.
    function test_RevertWhen_OtherCommunitysLeaves() public {
        uint64 a = _openActive(N);
        uint64 b = _openActive(N);
        _runAndClose(a, N, _short());
        _runAndClose(b, N, _nets3(100, -100, 0));
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(a);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, b, N));
        hub.claimAll(b, terms, all, total);
        uint256 heldB = hub.community(b).held;
        hub.claimAll(a, terms, all, total);
        assertEq(hub.community(b).held, heldB, "a's batch took nothing of b");
        _payAll(b);
        (ClaimTerms memory tb, Balance[] memory lb, uint256 totb) = _args(b);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, b, N));
        hub.claimAll(b, tb, lb, totb);
    }

    // ------------------------------------------------------------------ tree shapes

    /// N = 1 (a tree of depth 0: the root is the leaf), N = 4 (a power of two: no padding), N = 5 (padded
    /// to 8): the batch pays what single claims pay; a leaf short or extra is refused.
    function test_TreeShapes_OneFourFive() public {
        uint64 one = _closeN(1, new int256[](1));
        uint64 four = _openActive(4);
        uint64 five = _openActive(5);
        int256[] memory nets4 = new int256[](4);
        (nets4[0], nets4[3]) = (-6_000, 6_000);
        _runAndClose(four, 4, nets4);
        int256[] memory nets5 = new int256[](5);
        (nets5[1], nets5[2], nets5[4]) = (-7_000, 3_000, 4_000);
        _runAndClose(five, 5, nets5);
        uint64[3] memory ids = [one, four, five];
        uint256[3] memory ns = [uint256(1), 4, 5];
        for (uint256 k = 0; k < 3; ++k) {
            (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(ids[k]);
            Balance[] memory longer = new Balance[](ns[k] + 1);
            for (uint256 i = 0; i < ns[k]; ++i) {
                longer[i] = all[i];
            }
            vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, ids[k], ns[k]));
            hub.claimAll(ids[k], terms, longer, total);
            terms.participantCount += 1;
            vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, ids[k], ns[k] + 1));
            hub.claimAll(ids[k], terms, longer, total);
        }
        // The three communities' money is apart: compare each to its own single claims in turn.
        _assertBatchEqualsSingles(one, 1);
        _assertBatchEqualsSingles(four, 4);
        _assertBatchEqualsSingles(five, 5);
    }

    // ------------------------------------------------------------------ status

    /// Attack: an unknown id (0, one past the last, the largest), an Opening and an Active community:
    /// `CommunityNotClosed`, whatever the leaves (the genesis ones).
    function test_RevertWhen_UnknownOrNotClosed() public {
        uint64 opening = _open(N);
        uint64 active = _openActive(N);
        (Balance[] memory all, uint256 total) = book.leaves(hub.community(active).genesisBalancesRoot);
        ClaimTerms memory terms = claimTermsOf(address(hub), active);
        uint64[5] memory ids = [uint64(0), active + 1, type(uint64).max, opening, active];
        for (uint256 k = 0; k < ids.length; ++k) {
            vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotClosed.selector, ids[k]));
            hub.claimAll(ids[k], terms, all, total);
        }
    }

    /// Attack: an aborted community (only member 1 joined): the genesis leaves pay member 1 only; the others,
    /// who put nothing in, stay unpaid (no escrow taken from member 1's money), and cannot join later.
    function test_Aborted_PaysOnlyTheJoined() public {
        uint64 id = _open(N);
        book.cacheGenesis(hub, id);
        _join(id, 1);
        vm.prank(nodes[1]);
        hub.close(id);
        uint256[] memory before = _worths(N);
        _payAll(id);
        assertEq(_worth(0), before[0]);
        assertEq(_worth(1) - before[1], BOND + ESCROW);
        assertEq(_worth(2), before[2]);
        assertEq(hub.community(id).held, 0, "nothing left, nothing short");
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N));
        hub.claimAll(id, terms, all, total);
        (Balance memory leaf,, bytes32[] memory proof) = book.claimArgs(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[0]));
        hub.claim(id, terms, 0, leaf, total, proof);
        bytes32[] memory gp = book.genesisProof(hub, id, 0);
        vm.prank(nodes[0]);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotOpening.selector, id));
        hub.join(id, 0, gp, "");
        _assertConserved(id, N);
    }

    // ------------------------------------------------------------------ hostile token and recipients

    /// Attack: a blacklisted member (its transfers revert): the batch does not revert, the others are paid,
    /// its payout waits in `withdrawable` (taken once it is cleared), exactly what single claims pay.
    function test_BlacklistedMemberDoesNotBlockTheBatch() public {
        HookToken t = _useHookToken();
        uint64 id = _closeN(N, _shortDebtorLast());
        (uint256[] memory gain,,) = _oneByOne(id, N);
        t.setBlacklisted(nodes[1], true);
        uint256[] memory before = _worths(N);
        uint256 bal1 = token.balanceOf(nodes[1]);
        _payAll(id);
        assertEq(token.balanceOf(nodes[1]), bal1, "nothing transferred to the blacklisted");
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], gain[i]);
        }
        _assertConserved(id, N);
        vm.prank(nodes[1]);
        vm.expectRevert();
        hub.withdraw(IERC20(address(t)));
        t.setBlacklisted(nodes[1], false);
        vm.prank(nodes[1]);
        hub.withdraw(IERC20(address(t)));
        assertEq(token.balanceOf(nodes[1]) - bal1, gain[1]);
        _assertNothingLeft(id, N);
    }

    /// Attack: a member's receive hook reenters claimAll, claim (another member), claimShare and withdraw
    /// during the batch, swallowing the error: each reentry is refused by the guard
    /// (`ReentrancyGuardReentrantCall`), the member is paid once.
    function test_RevertWhen_ReenterFromHook() public {
        HookToken t = _useHookToken();
        uint64 id = _closeN(N, _shortDebtorLast());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        (Balance memory leaf2,, bytes32[] memory proof2) = book.claimArgs(hub, id, 2);
        bytes[4] memory calls = [
            abi.encodeCall(hub.claimAll, (id, terms, all, total)),
            abi.encodeCall(hub.claim, (id, terms, 2, leaf2, total, proof2)),
            abi.encodeCall(hub.claimShare, (id, terms, 2, leaf2, total, proof2)),
            abi.encodeCall(hub.withdraw, (IERC20(address(t))))
        ];
        (uint256[] memory gain,,) = _oneByOne(id, N);
        for (uint256 k = 0; k < calls.length; ++k) {
            uint256 snap = vm.snapshotState();
            Receiver r = _etchReceiver(t, 0, 2, calls[k]);
            uint256[] memory before = _worths(N);
            _payAll(id);
            assertEq(r.caught(), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector, "reentry refused");
            for (uint256 i = 0; i < N; ++i) {
                assertEq(_worth(i) - before[i], gain[i], "paid once");
            }
            assertEq(r.received(), gain[0], "the hook saw its one payout (and its top-up)");
            _assertConserved(id, N);
            vm.revertToState(snap);
        }
    }

    /// Attack: the hook reenters and bubbles the guard's revert (or simply refuses): the transfer fails, the
    /// payout waits in `withdrawable`, the batch goes on.
    function test_RefusingHookDoesNotBlockTheBatch() public {
        HookToken t = _useHookToken();
        uint64 id = _closeN(N, _short());
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        (uint256[] memory gain,,) = _oneByOne(id, N);
        _etchReceiver(t, 1, 1, abi.encodeCall(hub.claimAll, (id, terms, all, total)));
        _etchReceiver(t, 2, 4, "");
        uint256[] memory before = _worths(N);
        _payAll(id);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], gain[i]);
        }
        assertEq(hub.withdrawable(IERC20(address(t)), nodes[1]), gain[1], "waits for member 1");
        assertEq(hub.withdrawable(IERC20(address(t)), nodes[2]), gain[2], "waits for member 2");
        _assertConserved(id, N);
    }

    /// Limit (not a loss of funds): with a token that calls its recipients (ERC-777 style), members whose hook
    /// burns all the gas it is given each take 63/64 of what is left; three of them make the batch run out of
    /// gas under the transaction gas cap (16,777,216), whatever it is sent with up to the cap. Everyone is
    /// still paid by single claims (the burners' payouts wait in `withdrawable`). With the community's plain
    /// ERC-20 (no recipient calls) no member can do this.
    function test_Limit_GasBurningHooksBlockOnlyTheBatch() public {
        HookToken t = _useHookToken();
        uint64 id = _closeN(5, new int256[](5));
        _etchReceiver(t, 0, 3, "");
        _etchReceiver(t, 2, 3, "");
        _etchReceiver(t, 4, 3, "");
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        (bool ok,) = address(hub).call{gas: TX_GAS_CAP}(abi.encodeCall(hub.claimAll, (id, terms, all, total)));
        assertFalse(ok, "the batch runs out of gas");
        (,, bool settled,,) = hub.member(id, 1);
        assertFalse(settled, "reverted as a whole");
        uint256[] memory before = _worths(5);
        for (uint256 i = 0; i < 5; ++i) {
            (Balance memory leaf,, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            (ok,) = address(hub).call{gas: TX_GAS_CAP}(abi.encodeCall(hub.claim, (id, terms, i, leaf, total, proof)));
            assertTrue(ok, "each single claim fits");
            assertEq(_worth(i) - before[i], BOND + ESCROW);
        }
        assertEq(hub.withdrawable(IERC20(address(t)), nodes[0]), BOND + ESCROW, "a burner's payout waits");
        assertEq(token.balanceOf(nodes[1]) - before[1], BOND + ESCROW, "an honest member is paid directly");
        _assertConserved(id, 5);
    }

    /// One burner only: the batch still completes under the cap (it pays the honest members), at the price
    /// of the burner's 63/64.
    function test_Limit_OneGasBurnerBatchStillCompletes() public {
        HookToken t = _useHookToken();
        uint64 id = _closeN(5, new int256[](5));
        _etchReceiver(t, 0, 3, "");
        (ClaimTerms memory terms, Balance[] memory all, uint256 total) = _args(id);
        uint256[] memory before = _worths(5);
        (bool ok,) = address(hub).call{gas: TX_GAS_CAP}(abi.encodeCall(hub.claimAll, (id, terms, all, total)));
        assertTrue(ok);
        for (uint256 i = 0; i < 5; ++i) {
            assertEq(_worth(i) - before[i], BOND + ESCROW);
        }
        _assertConserved(id, 5);
    }
}
