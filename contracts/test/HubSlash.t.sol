// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {words1} from "./utils/Words.sol";
import {Hub} from "../src/Hub.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {ParticipantState, StateHash} from "../src/types/Market.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {Settlement} from "../src/libraries/Settlement.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {Balance, ClaimTerms} from "../src/types/Community.sol";
import {claimTermsOf} from "./utils/ClaimTermsOf.sol";

/// @dev Exposes the slashing split to fuzzing.
contract HubSlashHarness is Hub {
    constructor(address[] memory modules) Hub(modules) {}

    function slash(uint64 communityId, uint256 offenders, uint256 cap, address challenger) external {
        _slash(
            _communities[communityId],
            communityId,
            Settlement.Penalty(words1(offenders), cap, 0, false, _communities[communityId].bond),
            challenger
        );
    }

    /// @dev A slash of a wide offender set (its first page: the rest waits for `continueSlash`).
    function slashSet(uint64 communityId, uint256[] memory offenders, uint256 cap, address challenger) external {
        _slash(
            _communities[communityId],
            communityId,
            Settlement.Penalty(offenders, cap, 0, false, _communities[communityId].bond),
            challenger
        );
    }

    function slashPhase(uint64 communityId) external view returns (Settlement.SlashPhase) {
        return _communities[communityId].pendingSlash.phase;
    }
}

/// @notice The slashing split conserves money exactly and never touches anyone but the offenders' bonds
/// (the shares go to the others' on-chain credit; the community's `held` loses only the reward).
contract HubSlashTest is HubFixture {
    uint256 internal constant N = 8;
    HubSlashHarness internal harness;

    function setUp() public {
        _deploy(N);
        harness = new HubSlashHarness(_allowList());
        hub = harness;
        for (uint256 i = 0; i < N; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(hub), type(uint256).max);
        }
    }

    function testFuzz_SlashConservesMoney(uint256 offenders, uint256 cap, uint256 challengerSeed) public {
        uint64 id = _openActive(N);
        offenders = bound(offenders, 0, (uint256(1) << N) - 1);
        cap = bound(cap, 0, uint256(BOND) * 2);
        // The challenger is an outsider or one of the participants (even an offender).
        address challenger = challengerSeed % 3 == 0 ? nodes[challengerSeed % N] : makeAddr("outsider");

        harness.slash(id, offenders, cap, challenger);

        (bool self, uint256 take, uint256 each, uint256 rest) = _expected(offenders, cap, challengerSeed);
        // The root's escrow (N · ESCROW) is not on chain: it is never slashed.
        uint256 sum = N * uint256(ESCROW);
        bool first = true;
        for (uint256 i = 0; i < N; ++i) {
            (uint256 bond, uint256 credit,,,) = hub.member(id, i);
            if (offenders & (uint256(1) << i) != 0) {
                assertEq(bond, BOND - take);
                assertEq(credit, 0);
            } else {
                assertEq(bond, BOND);
                assertEq(credit, each + (self && first ? rest : 0));
                first = false;
            }
            sum += bond + credit + hub.withdrawable(token, nodes[i]);
        }
        if (self) {
            assertEq(hub.withdrawable(token, challenger), 0, "no reward for slashing yourself");
            assertEq(hub.community(id).held, token.balanceOf(address(hub)), "nothing left the community");
        } else {
            assertEq(hub.withdrawable(token, challenger), rest);
            if (challenger != nodes[challengerSeed % N]) sum += rest;
            assertEq(hub.community(id).held + rest, token.balanceOf(address(hub)), "only the reward left");
        }
        assertEq(sum, token.balanceOf(address(hub)), "hub balance = root escrow + bonds + credit + withdrawable");
    }

    /// Attack (review s13): claim in a community a slash left with creditPerMember > 0 (the one claim term that
    /// is not configured) with the terms from before the slash. `close` commits the slashed accumulator, so the
    /// stale terms fail like a wrong leaf; the true terms pay each recipient its share (71 = 500 / 7) and the
    /// offender its escrow only (its bond went in the slash, its debit cancels the accumulator), and the hub
    /// keeps nothing: Σ paid + the challenger's reward = Σ in.
    function test_RevertWhen_ClaimWithTermsFromBeforeTheSlash() public {
        uint64 id = _openActive(N);
        ClaimTerms memory stale = claimTermsOf(address(hub), id);
        address outsider = makeAddr("outsider");
        // One offender, seven recipients (more than the offenders: the equal part goes to the accumulator).
        harness.slash(id, 1, BOND, outsider);
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        assertEq(terms.creditPerMember, 71, "500 / 7 to every member, 503 to the challenger");
        assertEq(stale.creditPerMember, 0);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, _transferState(N, 0), _everyone(N));
        }
        hub.close(id);
        assertEq(hub.community(id).creditPerMember, terms.creditPerMember, "the view reports the committed term");
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, stale, 1, leaf, total, proof);
        uint256 paid;
        for (uint256 i = 0; i < N; ++i) {
            (leaf, total, proof) = book.claimArgs(hub, id, i);
            uint256 before = token.balanceOf(nodes[i]);
            hub.claim(id, terms, i, leaf, total, proof);
            uint256 got = token.balanceOf(nodes[i]) - before;
            assertEq(got, i == 0 ? uint256(ESCROW) : uint256(ESCROW) + BOND + 71);
            paid += got;
        }
        assertEq(paid + hub.withdrawable(token, outsider), N * (uint256(ESCROW) + BOND));
        assertEq(hub.community(id).held, 0);
    }

    /// @dev The split `_slash` must produce. A participant disputing a claim it signed (an offender)
    /// earns nothing: all goes to the others (the remainder to the first of them).
    function _expected(uint256 offenders, uint256 cap, uint256 challengerSeed)
        internal
        pure
        returns (bool self, uint256 take, uint256 each, uint256 rest)
    {
        self = challengerSeed % 3 == 0 && offenders & (uint256(1) << (challengerSeed % N)) != 0;
        uint256 count = 0;
        for (uint256 i = 0; i < N; ++i) {
            if (offenders & (uint256(1) << i) != 0) count++;
        }
        uint256 recipients = N - count;
        take = (self && recipients == 0) ? 0 : (cap < BOND ? cap : BOND);
        uint256 total = take * count;
        each = recipients == 0 ? 0 : (self ? total : total / 2) / recipients;
        rest = total - each * recipients;
        if (!self) assert(rest >= total / 2);
    }
}

/// @notice The paged slash at the hub (DESIGN.md §5.3): a slash of more than `Settlement.SLASH_PAGE` offenders
/// leaves the rest pending, anyone finishes it with `continueSlash`, and while it is pending nothing that
/// would read an offender's bond or credit wrong goes through. Each guard is attacked here.
contract HubPagedSlashTest is HubFixture {
    uint256 internal constant N = 130;
    /// @dev Participants 0..119 offend: 120 bonds, the first `PAGE` (64) in the triggering transaction.
    uint256 internal constant OFFENDERS = 120;
    uint256 internal constant PAGE = Settlement.SLASH_PAGE;
    HubSlashHarness internal harness;
    address internal challenger;
    uint64 internal id;

    function setUp() public {
        _deploy(N);
        harness = new HubSlashHarness(_allowList());
        hub = harness;
        for (uint256 i = 0; i < N; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(hub), type(uint256).max);
        }
        challenger = makeAddr("challenger");
        id = _openActive(N);
    }

    function _offenders() internal pure returns (uint256[] memory set) {
        set = new uint256[](1);
        set[0] = (uint256(1) << OFFENDERS) - 1;
    }

    /// @dev Hub balance = root escrow + every bond and credit + the challenger's withdrawable (+ what a pending
    /// slash has taken and not shared yet, `inFlight`).
    /// @dev `continueSlash` by anyone until the slash is done; returns how many calls it took.
    function _finish() internal returns (uint256 calls) {
        while (harness.slashPhase(id) != Settlement.SlashPhase.None) {
            vm.prank(makeAddr("anyone"));
            hub.continueSlash(id);
            ++calls;
        }
    }

    function _assertConserved(uint256 inFlight) internal view {
        uint256 sum = N * uint256(ESCROW) + hub.withdrawable(token, challenger) + inFlight;
        for (uint256 i = 0; i < N; ++i) {
            (uint256 bond, uint256 credit,,,) = hub.member(id, i);
            sum += bond + credit;
        }
        assertEq(sum, token.balanceOf(address(hub)), "money conserved");
        assertEq(hub.community(id).held + hub.withdrawable(token, challenger), token.balanceOf(address(hub)));
    }

    function test_PagedSlash_FinishesInContinueSlash() public {
        harness.slashSet(id, _offenders(), BOND, challenger);
        assertEq(uint8(harness.slashPhase(id)), uint8(Settlement.SlashPhase.Take), "pending after 64 bonds");
        (uint256 bondLast,,,,) = hub.member(id, PAGE - 1);
        (uint256 bondNext,,,,) = hub.member(id, PAGE);
        assertEq(bondLast, 0, "taken in the first page");
        assertEq(bondNext, BOND, "not yet");
        _assertConserved(PAGE * BOND);
        // Anyone goes on: 56 bonds and 8 shares, then 2 shares (the 10 recipients are fewer than the 120
        // offenders: they are written, not the accumulator).
        vm.prank(makeAddr("anyone"));
        vm.expectEmit(address(hub));
        emit IHub.Slashed(id, challenger, OFFENDERS * BOND, OFFENDERS * BOND / 2);
        hub.continueSlash(id);
        assertEq(uint8(harness.slashPhase(id)), uint8(Settlement.SlashPhase.CreditRecipients), "8 of 10 shares");
        assertEq(_finish(), 1);
        (uint256 bond, uint256 credit,,,) = hub.member(id, 125);
        assertEq(bond, BOND);
        assertEq(credit, OFFENDERS * BOND / 2 / (N - OFFENDERS));
        _assertConserved(0);
    }

    function test_RevertWhen_ContinueSlashWithoutOne() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.NoSlashPending.selector, id));
        hub.continueSlash(id);
    }

    /// Attack: close while the slash is pending, so that the offenders not slashed yet are paid out whole.
    function test_RevertWhen_CloseBeforeSlashDone() public {
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, _alternatingState(N, 7), _everyone(N));
        }
        harness.slashSet(id, _offenders(), BOND, challenger);
        vm.expectRevert(abi.encodeWithSelector(IHub.SlashPending.selector, id));
        hub.close(id);
        _finish();
        hub.close(id);
        assertEq(uint8(hub.community(id).status), 3, "closed once the slash is done");
    }

    /// Attack: a second slash while one is pending would take bonds the first has not (or read credits it
    /// has not written yet); it waits.
    function test_RevertWhen_SlashWhileSlashPending() public {
        harness.slashSet(id, _offenders(), BOND, challenger);
        vm.expectRevert(abi.encodeWithSelector(IHub.SlashPending.selector, id));
        harness.slash(id, 1 << 125, BOND, challenger);
        // Still pending while the shares are written (a second slash would read credits not written yet).
        hub.continueSlash(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.SlashPending.selector, id));
        harness.slash(id, 1 << 125, BOND, challenger);
        _finish();
        harness.slash(id, 1 << 125, BOND, challenger);
    }

    /// Attack (review R6): an offender whose bond the pending slash has not taken yet looks whole, and signs
    /// a partial claim with nothing at stake. The claim waits; once the bond is taken it is refused.
    function test_RevertWhen_PartialClaimWhileBondsTaken() public {
        harness.slashSet(id, _offenders(), BOND, challenger);
        ParticipantState[] memory s = _alternatingState(N, 7);
        vm.warp(_windowEnd(0));
        bytes memory sig = _pack(_sign(id, 0, _root(0), s, _only(110)));
        bytes32 balancesRoot = _balancesRoot(id, 0, s);
        bytes memory finalState = ConfigBuilder.finalStateOf(s, sig);
        vm.expectRevert(abi.encodeWithSelector(IHub.SlashPending.selector, id));
        hub.update(id, 0, _root(0), StateHash.hash(s), balancesRoot, finalState, sig);
        _finish();
        vm.expectRevert(abi.encodeWithSelector(IHub.BondNotWhole.selector, id, 110));
        hub.update(id, 0, _root(0), StateHash.hash(s), balancesRoot, finalState, sig);
    }

    /// Deposits and top-ups mid-slash (an offender already slashed, one not yet, a recipient) need no guard:
    /// they add to one member only, and the slash takes each bond as it finds it; money stays conserved.
    function test_TopUpAndDepositMidSlash() public {
        harness.slashSet(id, _offenders(), BOND, challenger);
        vm.prank(nodes[5]);
        hub.topUpBond(id);
        vm.prank(nodes[110]);
        vm.expectRevert(abi.encodeWithSelector(IHub.BondAlreadyWhole.selector, id, nodes[110]));
        hub.topUpBond(id);
        vm.prank(nodes[110]);
        hub.deposit(id, 33);
        vm.prank(nodes[127]);
        hub.deposit(id, 44);
        _assertConserved(PAGE * BOND);
        _finish();
        (uint256 bond5,,,,) = hub.member(id, 5);
        (uint256 bond110, uint256 credit110,,,) = hub.member(id, 110);
        (, uint256 credit127,,,) = hub.member(id, 127);
        assertEq(bond5, BOND, "topped up after its take");
        assertEq(bond110, 0);
        assertEq(credit110, 33);
        assertEq(credit127, 44 + OFFENDERS * BOND / 2 / (N - OFFENDERS));
        _assertConserved(0);
    }
}
