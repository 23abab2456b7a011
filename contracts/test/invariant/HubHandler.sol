// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PackedState} from "../../src/libraries/PackedState.sol";
import {Hub} from "../../src/Hub.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {IMeterScheme} from "../../src/interfaces/IMeterScheme.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {
    Balance,
    ClaimTerms,
    CommunityConfig,
    CommunityModules,
    CommunityStatus,
    WindowRecord,
    WindowStatus
} from "../../src/types/Community.sol";
import {BalancesProof, DisputeKind} from "../../src/types/Dispute.sol";
import {ConfigBuilder, Schedule} from "../utils/ConfigBuilder.sol";
import {BalanceBook} from "../utils/BalanceBook.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Drives one hub through communities of 4 participants with bounded, always-valid calls
/// (fail_on_revert): joins with genesis proofs, deposits, fast-path and pending updates with honest
/// balances roots, top-ups, finalizations, claims whose balances root gives the submitter everyone's
/// escrow (disputed at once with BadBalances by an honest participant), closes and aborts, claims and
/// claim shares by anyone, withdrawals. Ghosts, per community: what came in, what moved to withdrawable,
/// what claims paid out, each member's claims, and each member's root position (genesis escrow + the
/// nets of the windows the hub reports final, each counted once).
contract HubHandler is HandlerBase {
    uint256 internal constant N = 4;
    uint32 internal constant INTERVAL = 900;
    uint32 internal constant W = 4;
    uint32 internal constant WINDOWS = 3;
    uint32 internal constant CHALLENGE = 3600;
    uint128 internal constant BOND = 1_000;
    uint128 internal constant ESCROW = 5_000;
    /// Bitmap of all N participants.
    uint256 internal constant ALL = 2 ** N - 1;

    Hub public immutable hub;
    CommunityToken public immutable token;
    uint256[] internal keys;
    /// Communities opened together (every other one).
    uint256 public ghostTogether;
    address[] public actors;
    uint64[] public ids;

    /// Per community and member: genesis escrow + nets of the windows applied (the root position).
    mapping(uint64 => mapping(uint256 => int256)) public ghostPosition;
    /// Nets submitted for each window (the claim that becomes final).
    mapping(uint64 => mapping(uint32 => int256[])) internal ghostNets;
    /// Windows whose nets are already folded into ghostPosition.
    mapping(uint64 => uint32) public ghostApplied;
    /// Number of times a window turned Final, per community and window.
    mapping(uint64 => mapping(uint32 => uint256)) public ghostFinalCount;
    /// Tokens that came in for a community, moved from it to withdrawable balances, paid out by claims.
    mapping(uint64 => uint256) public ghostIn;
    mapping(uint64 => uint256) public ghostOut;
    mapping(uint64 => uint256) public ghostPaid;
    /// Successful `claim`s per community and member.
    mapping(uint64 => mapping(uint256 => uint256)) public ghostClaims;
    /// Successful `claimAll`s.
    uint256 public ghostClaimAlls;
    /// Successful `claimRange`s.
    uint256 public ghostClaimRanges;

    /// Effective calls, to see what a campaign exercised.
    uint256 public calls;
    uint256 public ghostUpdates;
    uint256 public ghostPending;
    uint256 public ghostCloses;
    uint256 public ghostTopUps;
    uint256 public ghostClaimCalls;
    uint256 public ghostShares;
    uint256 public ghostBadBalancesSlashed;
    uint256 public ghostUnjoinedRefused;
    uint256 public ghostSlashContinues;
    uint256 public ghostClaimAttacks;

    CommunityModules internal modules;
    /// The modules each community was opened with (`_openNew`): the hub must report them for good.
    mapping(uint64 => bytes32) public ghostModulesHash;
    /// Module sets registered by the `registerModules` action (new or not).
    uint256 public ghostRegistrations;

    constructor(Hub hub_, CommunityToken token_, CommunityModules memory modules_, BalanceBook book_) {
        modules = modules_;
        hub = hub_;
        token = token_;
        book = book_;
        for (uint256 i = 0; i < N; ++i) {
            keys.push(uint256(keccak256(abi.encode("actor", i))));
            actors.push(vm.addr(keys[i]));
        }
    }

    /// @dev Opens the first community (together: its members' deposits are pulled at once), once the actors
    /// hold tokens and approved the hub (`HubInvariantTest.setUp`).
    function openFirst() external {
        require(ids.length == 0, "opened");
        _openNew();
    }

    function actorCount() external pure returns (uint256) {
        return N;
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function current() public view returns (uint64) {
        return ids[ids.length - 1];
    }

    // ------------------------------------------------------------------ actions

    function join(uint256 seed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Opening) return;
        uint256 joined = joinedOf[id];
        // Joins 1..N of the missing participants, so communities get going within a few calls.
        uint256 count = 1 + (seed >> 8) % N;
        for (uint256 k = 0; k < N && count > 0; ++k) {
            uint256 i = (seed % N + k) % N;
            if (joined & (2 ** i) != 0) continue;
            _joinAs(id, i, actors[i], "");
            ghostIn[id] += uint256(BOND) + ESCROW;
            --count;
        }
        _done(id);
    }

    /// A module set registered by anyone at any time (`Hub.registerModules`): the standard set or its one-scheme
    /// variant (`_moduleVariant`). Registering must never change an open community's modules, nor the set a later
    /// open names (`HubInvariantTest.invariant_ModulesFixed`).
    function registerModules(bool variant) external {
        hub.registerModules(variant ? _moduleVariant() : modules, MarketKind.Mmr);
        ++ghostRegistrations;
        ++calls;
    }

    /// @dev The handler's modules with its Ed25519 meter scheme only (its meters are all scheme 0): another set.
    function _moduleVariant() internal view returns (CommunityModules memory m) {
        m = modules;
        m.meterSchemes = new IMeterScheme[](1);
        m.meterSchemes[0] = modules.meterSchemes[0];
    }

    function deposit(uint256 seed, uint256 amount) external {
        uint64 id = current();
        uint256 i = seed % N;
        if (hub.community(id).status == CommunityStatus.Closed) return;
        if (joinedOf[id] & (2 ** i) == 0) return;
        amount = bound(amount, 1, 5_000);
        vm.prank(actors[i]);
        hub.deposit(id, amount);
        ghostIn[id] += amount;
        _done(id);
    }

    function submit(uint256 netSeed, uint256 signerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint256 w0 = _wsum();
        uint32 w = _finalizeDuePending(id);
        if (w >= WINDOWS) return _doneOut(id, w0);
        (ParticipantState[] memory s, int256[] memory nets) = _state(netSeed);
        bytes32 root = keccak256(abi.encode(netSeed));
        bytes32 bRoot = _balancesRoot(id, w, s);
        // Half the time everyone signs (fast path), otherwise a random non-empty subset (pending) of
        // the participants whose bond is whole (only they count for a partial claim, review R6: the
        // node's submitter leaves the others out the same way).
        uint256 mask = signerSeed % 2 == 0 ? ALL : bound(signerSeed >> 1, 1, ALL);
        if (mask != ALL) mask &= _wholeBonds(id);
        if (mask == 0) return _doneOut(id, w0);
        bytes memory sigs = _sign(id, w, root, StateHash.hash(s), bRoot, mask);
        // A participant posts (and pays the claim deposit of a partial claim, review R9).
        vm.prank(actors[signerSeed % N]);
        hub.update(id, w, root, StateHash.hash(s), bRoot, ConfigBuilder.finalStateOf(s, sigs), sigs);
        ghostNets[id][w] = nets;
        ++ghostUpdates;
        if (mask != ALL) {
            ++ghostPending;
            ghostIn[id] += _claimDeposit();
        }
        _doneOut(id, w0);
    }

    /// Attack: a partial claim whose state and windowRoot are honest but whose balances root gives its
    /// first signer everyone's escrow. One honest participant disputes it (BadBalances): rejected, its
    /// signers lose their whole bonds.
    function stealByBalances(uint256 netSeed, uint256 signerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint256 w0 = _wsum();
        uint32 w = _finalizeDuePending(id);
        if (w >= WINDOWS) return _doneOut(id, w0);
        uint256 mask = bound(signerSeed, 1, ALL - 1) & _wholeBonds(id);
        if (mask == 0) return _doneOut(id, w0);
        (ParticipantState[] memory s,) = _state(netSeed);
        bytes32 root = keccak256(abi.encode("steal", netSeed));
        bytes32 bad = _postStolen(id, w, root, s, mask);
        // Nothing to steal (the others' escrow is already 0): not an attack, nothing posted.
        if (bad == bytes32(0)) return _doneOut(id, w0);
        ghostIn[id] += _claimDeposit();
        // An honest non-signer disputes it.
        _disputeBalances(id, w, root, s, bad, actors[_lowestBit(ALL & ~mask)]);
        ++ghostBadBalancesSlashed;
        _doneOut(id, w0);
    }

    /// @dev Posts (w, root, hash(s)) with the honest balances but the first signer's escrow holding
    /// everyone's, signed by `mask`; returns that balances root.
    function _postStolen(uint64 id, uint32 w, bytes32 root, ParticipantState[] memory s, uint256 mask)
        internal
        returns (bytes32 bad)
    {
        (Balance[] memory stolen, uint256 total) = book.leaves(_balancesRoot(id, w, s));
        uint256 thief = _lowestBit(mask);
        for (uint256 i = 0; i < N; ++i) {
            if (i == thief) continue;
            stolen[thief].escrow += stolen[i].escrow;
            stolen[i].escrow = 0;
        }
        bad = book.record(stolen, total);
        if (bad == _balancesRoot(id, w, s)) return bytes32(0);
        bytes memory sigs = _sign(id, w, root, StateHash.hash(s), bad, mask);
        vm.prank(actors[thief]);
        hub.update(id, w, root, StateHash.hash(s), bad, ConfigBuilder.finalStateOf(s, sigs), sigs);
    }

    /// @dev `disputer` commits, a block passes, and it proves the claim's balances wrong.
    function _disputeBalances(
        uint64 id,
        uint32 w,
        bytes32 root,
        ParticipantState[] memory s,
        bytes32 bad,
        address disputer
    ) internal {
        (Balance[] memory prev, uint256 prevTotal) = book.leaves(book.previousRoot(hub, id, w));
        bytes memory proof = abi.encode(BalancesProof(prev, prevTotal, PackedState.pack(s)));
        vm.prank(disputer);
        hub.commitDispute(keccak256(abi.encode(disputer, id, w, DisputeKind.BadBalances, keccak256(proof))));
        vm.roll(block.number + 1);
        vm.prank(disputer);
        hub.dispute(id, w, root, StateHash.hash(s), bad, DisputeKind.BadBalances, proof);
    }

    /// @dev A participant whose bond was slashed tops it up (review R6).
    function topUpBond(uint256 seed) external {
        uint64 id = current();
        if (hub.community(id).status == CommunityStatus.Closed) return;
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (seed % N + k) % N;
            if (joinedOf[id] & (2 ** i) == 0) continue;
            uint256 bond = _bondOf(hub, id, i);
            if (bond == BOND) continue;
            vm.prank(actors[i]);
            hub.topUpBond(id);
            ghostIn[id] += uint256(BOND) - bond;
            ++ghostTopUps;
            break;
        }
        _done(id);
    }

    /// @dev Anyone goes on with a pending slash (`continueSlash`). At N = 4 every slash fits its first page
    /// (`Settlement.SLASH_PAGE`), so none is ever pending here: the call must change nothing and revert
    /// `NoSlashPending` (`SlashHandler` drives pending slashes at the library, with pages of 1 to 4 slots).
    function continueSlash(uint256 seed) external {
        uint64 id = current();
        vm.prank(actors[seed % actors.length]);
        try hub.continueSlash(id) {
            revert("a slash was pending at N = 4");
        } catch (bytes memory e) {
            require(bytes4(e) == IHub.NoSlashPending.selector, "NoSlashPending");
        }
        ++ghostSlashContinues;
        _done(id);
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 3 hours));
        ++calls;
    }

    function finalize() external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status != WindowStatus.Pending || block.timestamp < uint256(rec.submittedAt) + CHALLENGE) return;
        uint256 w0 = _wsum();
        hub.finalize(id);
        _doneOut(id, w0);
    }

    function close(uint256 seed) external {
        uint64 id = current();
        CommunityStatus status = hub.community(id).status;
        uint256 w0 = _wsum();
        address by = actors[seed % N];
        if (status == CommunityStatus.Opening) {
            // Abort only now and then, so most communities run; by a member that joined.
            if (seed % 64 != 0) return;
            uint256 joined = joinedOf[id];
            if (joined == 0) return;
            by = actors[_lowestBit(joined)];
        } else {
            uint32 fw = hub.community(id).finalizedWindows;
            if (fw < WINDOWS - 1) return;
            if (fw == WINDOWS - 1) {
                WindowRecord memory rec = hub.windowRecord(id, fw);
                if (rec.status != WindowStatus.Pending) return;
                uint256 due = uint256(rec.submittedAt) + CHALLENGE;
                if (block.timestamp < due) vm.warp(due);
            }
        }
        _closeWaiting(id, by);
        ++ghostCloses;
        _doneOut(id, w0);
        _openNew();
    }

    /// Anyone claims for a member of a closed community (once each); a member that never joined an
    /// aborted community is refused.
    function claim(uint256 idSeed, uint256 seed, uint256 callerSeed) external {
        uint64 id = ids[idSeed % ids.length];
        if (hub.community(id).status != CommunityStatus.Closed) return;
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (seed % N + k) % N;
            (,, bool settled,,) = hub.member(id, i);
            if (settled) continue;
            (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            address caller = callerSeed % 2 == 0 ? actors[i] : actors[callerSeed % N];
            if (joinedOf[id] & (2 ** i) == 0) {
                vm.prank(caller);
                try hub.claim(id, claimTermsOf(address(hub), id), i, leaf, total, proof) {}
                catch {
                    ++ghostUnjoinedRefused;
                }
                continue;
            }
            uint256 before = token.balanceOf(leaf.participant);
            vm.prank(caller);
            hub.claim(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
            ghostPaid[id] += token.balanceOf(leaf.participant) - before;
            ++ghostClaims[id][i];
            ++ghostClaimCalls;
            break;
        }
        ++calls;
    }

    /// Anyone pays every member of a closed community in one call (`claimAll`): each joined member not paid
    /// yet gets what `claim` pays, each paid claim holder what `claimShare` would; `NothingToClaim` when nobody
    /// is owed anything (asserted, with the members it pays counted as claims).
    function claimAll(uint256 idSeed, uint256 callerSeed) external {
        uint64 id = ids[idSeed % ids.length];
        if (hub.community(id).status != CommunityStatus.Closed) return;
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        uint256[] memory before = new uint256[](N);
        bool[] memory pays = new bool[](N);
        bool any;
        uint256 pool = hub.community(id).repaidPool;
        for (uint256 i = 0; i < N; ++i) {
            before[i] = token.balanceOf(all[i].participant);
            (,, bool settled, uint256 taken,) = hub.member(id, i);
            pays[i] = !settled && joinedOf[id] & (2 ** i) != 0;
            // A share is owed from the pool as it stands (the first pass may only grow it).
            any = any || pays[i] || (settled && all[i].claim != 0 && pool * all[i].claim / total > taken);
        }
        vm.prank(actors[callerSeed % N]);
        if (!any) {
            (bool ok, bytes memory ret) =
                address(hub).call(abi.encodeCall(hub.claimAll, (id, claimTermsOf(address(hub), id), all, total)));
            require(!ok, "claimAll paid nobody and did not revert");
            require(
                keccak256(ret) == keccak256(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N)),
                "not NothingToClaim"
            );
            ++calls;
            return;
        }
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
        for (uint256 i = 0; i < N; ++i) {
            ghostPaid[id] += token.balanceOf(all[i].participant) - before[i];
            if (pays[i]) ++ghostClaims[id][i];
        }
        // Once mined, nobody is owed anything more: every joined member settled, every share taken.
        uint256 poolAfter = hub.community(id).repaidPool;
        for (uint256 i = 0; i < N; ++i) {
            (,, bool settled, uint256 taken,) = hub.member(id, i);
            require(settled || joinedOf[id] & (2 ** i) == 0, "claimAll left a joined member unpaid");
            require(all[i].claim == 0 || poolAfter * all[i].claim / total <= taken, "claimAll left a share");
        }
        ++ghostClaimAlls;
        ++calls;
    }

    /// One `claimRange` batch as the handler sends it: its arguments and what it must pay.
    struct RangeCall {
        uint64 id;
        uint256 first;
        Balance[] part;
        uint256 total;
        bytes32[] proof;
        uint256[] before;
        bool[] pays;
        bool any;
    }

    /// Anyone pays one aligned subtree of a closed community's members (`claimRange`: 1, 2 or all 4 of them):
    /// each joined member of it not paid yet gets what `claim` pays, each paid claim holder of it what
    /// `claimShare` would; `NothingToClaim(id, first)` when nobody in it is owed anything (asserted).
    function claimRange(uint256 idSeed, uint256 callerSeed, uint256 shapeSeed) external {
        RangeCall memory r;
        r.id = ids[idSeed % ids.length];
        if (hub.community(r.id).status != CommunityStatus.Closed) return;
        (r.first, r.part, r.total, r.proof) = book.rangeArgs(hub, r.id, shapeSeed % N, (shapeSeed / N) % 3);
        _rangeExpectations(r);
        bytes memory call =
            abi.encodeCall(hub.claimRange, (r.id, claimTermsOf(address(hub), r.id), r.first, r.part, r.total, r.proof));
        vm.prank(actors[callerSeed % N]);
        (bool ok, bytes memory ret) = address(hub).call(call);
        if (!r.any) {
            require(!ok, "claimRange paid nobody and did not revert");
            require(
                keccak256(ret) == keccak256(abi.encodeWithSelector(IHub.NothingToClaim.selector, r.id, r.first)),
                "not NothingToClaim"
            );
            ++calls;
            return;
        }
        require(ok, "claimRange of a checked range reverted");
        _rangeRecord(r);
        ++ghostClaimRanges;
        ++calls;
    }

    /// @dev Before the batch: each member's balance, whether the batch must pay it, whether it pays anyone.
    function _rangeExpectations(RangeCall memory r) internal view {
        uint256 k = r.part.length;
        r.before = new uint256[](k);
        r.pays = new bool[](k);
        uint256 pool = hub.community(r.id).repaidPool;
        for (uint256 j = 0; j < k; ++j) {
            r.before[j] = token.balanceOf(r.part[j].participant);
            (,, bool settled, uint256 taken,) = hub.member(r.id, r.first + j);
            r.pays[j] = !settled && joinedOf[r.id] & (2 ** (r.first + j)) != 0;
            r.any = r.any || r.pays[j] || (settled && r.part[j].claim != 0 && pool * r.part[j].claim / r.total > taken);
        }
    }

    /// @dev After the batch: what it paid is counted, and no joined member of it is left unpaid.
    function _rangeRecord(RangeCall memory r) internal {
        for (uint256 j = 0; j < r.part.length; ++j) {
            ghostPaid[r.id] += token.balanceOf(r.part[j].participant) - r.before[j];
            if (r.pays[j]) ++ghostClaims[r.id][r.first + j];
            (,, bool settled,,) = hub.member(r.id, r.first + j);
            require(settled || joinedOf[r.id] & (2 ** (r.first + j)) == 0, "claimRange left a joined member unpaid");
        }
    }

    /// A paid-out claim holder takes what the repaid pool grew since (anyone may call it).
    function claimShare(uint256 idSeed, uint256 seed) external {
        uint64 id = ids[idSeed % ids.length];
        if (hub.community(id).status != CommunityStatus.Closed) return;
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (seed % N + k) % N;
            (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            (,, bool settled, uint256 taken,) = hub.member(id, i);
            if (!settled || leaf.claim == 0) continue;
            if (uint256(hub.community(id).repaidPool) * leaf.claim / total <= taken) continue;
            uint256 before = token.balanceOf(leaf.participant);
            hub.claimShare(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
            ghostPaid[id] += token.balanceOf(leaf.participant) - before;
            ++ghostShares;
            break;
        }
        ++calls;
    }

    /// Attack (review s13), among the valid calls, by anyone: on a closed community, a claim with terms one off
    /// the committed ones (bond, creditPerMember — not 0 after a BadBalances slash —, N, token), a second claim
    /// of a member paid out, a share with nothing due. Each reverts with its exact error and moves nothing.
    function attackClaim(uint256 idSeed, uint256 seed, uint256 kind) external {
        uint64 id = ids[idSeed % ids.length];
        if (hub.community(id).status != CommunityStatus.Closed) return;
        (bytes memory data, bytes memory want) = _claimAttack(id, seed % N, kind % 6);
        if (data.length == 0) return;
        uint256 held = hub.community(id).held;
        uint256 balance = token.balanceOf(address(hub));
        vm.prank(actors[(seed >> 8) % N]);
        (bool ok, bytes memory ret) = address(hub).call(data);
        require(!ok && keccak256(ret) == keccak256(want), "a claim attack went through or failed otherwise");
        require(hub.community(id).held == held && token.balanceOf(address(hub)) == balance, "money moved");
        ++ghostClaimAttacks;
        ++calls;
    }

    /// @dev Attack `kind` on member `i` of closed community `id`: its calldata and the exact revert it must
    /// meet; no calldata when the state offers no such attack (a second claim of a member not paid out, a share
    /// of a member with something due).
    function _claimAttack(uint64 id, uint256 i, uint256 kind) internal view returns (bytes memory, bytes memory) {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        (,, bool settled, uint256 taken,) = hub.member(id, i);
        if (kind < 4) {
            if (kind == 0) t.bond += 1;
            else if (kind == 1) t.creditPerMember += 1;
            else if (kind == 2) t.participantCount += 1;
            else t.token = IERC20(address(uint160(address(t.token)) ^ 1));
            return (
                abi.encodeCall(hub.claim, (id, t, i, leaf, total, proof)),
                abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, i)
            );
        }
        if (kind == 4) {
            if (!settled) return ("", "");
            return (
                abi.encodeCall(hub.claim, (id, t, i, leaf, total, proof)),
                abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, i)
            );
        }
        // Something due is not an attack (`claimShare` takes it).
        if (settled && total != 0 && uint256(hub.community(id).repaidPool) * leaf.claim / total > taken) {
            return ("", "");
        }
        return (
            abi.encodeCall(hub.claimShare, (id, t, i, leaf, total, proof)),
            abi.encodeWithSelector(IHub.NothingToClaim.selector, id, i)
        );
    }

    function withdraw(uint256 seed) external {
        address a = actors[seed % N];
        if (hub.withdrawable(token, a) == 0) return;
        vm.prank(a);
        hub.withdraw(token);
        ++calls;
    }

    // ------------------------------------------------------------------ helpers

    function _hub() internal view override returns (Hub) {
        return hub;
    }

    function _claimDeposit() internal view returns (uint256) {
        return uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
    }

    /// @dev Finalizes a pending window first (its challenge period made to pass); the next window.
    function _finalizeDuePending(uint64 id) internal returns (uint32 w) {
        w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status == WindowStatus.Pending) {
            uint256 due = uint256(rec.submittedAt) + CHALLENGE;
            if (block.timestamp < due) vm.warp(due);
            hub.finalize(id);
            _done(id);
            ++w;
        }
        if (w >= WINDOWS) return w;
        uint256 end = uint256(hub.community(id).start) + (uint256(w) + 1) * W * INTERVAL;
        if (block.timestamp < end) vm.warp(end);
    }

    /// @dev A balanced state: nets in ±8,000 (debts and claims happen: escrow is 5,000).
    function _state(uint256 netSeed) internal pure returns (ParticipantState[] memory s, int256[] memory nets) {
        nets = new int256[](N);
        s = new ParticipantState[](N);
        int256 sum;
        for (uint256 i = 0; i < N; ++i) {
            nets[i] = i + 1 < N ? int256(bound(uint256(keccak256(abi.encode(netSeed, i))), 0, 16_000)) - 8_000 : -sum;
            sum += nets[i];
            s[i].net = nets[i];
            s[i].exportWh = uint64(netSeed % 1_000);
        }
    }

    function _sign(uint64 id, uint32 w, bytes32 root, bytes32 stateHash, bytes32 bRoot, uint256 mask)
        internal
        view
        returns (bytes memory sigs)
    {
        bytes32 digest = _resultDigest(id, w, root, stateHash, bRoot);
        sigs = abi.encodePacked(mask);
        for (uint256 i = 0; i < N; ++i) {
            if (mask & (2 ** i) == 0) continue;
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], digest);
            sigs = bytes.concat(sigs, r, vs);
        }
    }

    /// @dev Valid Ed25519 keys (RFC 8032 §7.1 tests 1–3): the hub refuses keys off the curve or of small order.
    function _meterKey(uint256 i) internal pure returns (bytes memory) {
        if (i % 3 == 0) return hex"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        if (i % 3 == 1) return hex"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
        return hex"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";
    }

    function _openNew() internal {
        bytes[] memory meterKeys = new bytes[](N);
        for (uint256 i = 0; i < N; ++i) {
            meterKeys[i] = _meterKey(i);
        }
        CommunityConfig memory c = ConfigBuilder.build(
            actors,
            ConfigBuilder.meters(meterKeys, 0),
            Schedule(INTERVAL, W, uint64(block.timestamp), WINDOWS, CHALLENGE),
            MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0)),
            token,
            BOND,
            ESCROW,
            // Every third community names the one-scheme set: registered by the first of them to open, unless the
            // `registerModules` action did before.
            ids.length % 3 == 2 ? _moduleVariant() : modules
        );
        // Every other community, the first included, is opened together (`openTogether`: no join, no member
        // slot), the others joined one by one: every action and invariant runs over both kinds of membership.
        bool together = ids.length % 2 == 0;
        uint64 id = together ? _openTogetherRecorded(c, keys) : _openRecorded(c);
        ids.push(id);
        ghostModulesHash[id] = keccak256(abi.encode(c.modules));
        if (together) {
            ghostIn[id] += N * (uint256(BOND) + ESCROW);
            ++ghostTogether;
        }
        for (uint256 i = 0; i < N; ++i) {
            ghostPosition[id][i] = int256(uint256(ESCROW));
        }
    }

    /// @dev Bitmap of the participants of `id` whose bond is whole.
    function _wholeBonds(uint64 id) internal view returns (uint256 mask) {
        for (uint256 i = 0; i < N; ++i) {
            if (_bondOf(hub, id, i) == BOND) mask |= 2 ** i;
        }
    }

    /// @dev Σ withdrawable of everyone the handler moves money to (the actors).
    function _wsum() internal view returns (uint256 sum) {
        for (uint256 i = 0; i < N; ++i) {
            sum += hub.withdrawable(token, actors[i]);
        }
    }

    /// @dev `_done`, counting what moved from the community to withdrawable balances since `w0`.
    function _doneOut(uint64 id, uint256 w0) internal {
        ghostOut[id] += _wsum() - w0;
        _done(id);
    }

    /// @dev Folds newly final windows into the ghost positions, once each.
    function _done(uint64 id) internal {
        ++calls;
        uint32 finalized = hub.community(id).finalizedWindows;
        while (ghostApplied[id] < finalized) {
            uint32 w = ghostApplied[id];
            int256[] storage nets = ghostNets[id][w];
            for (uint256 i = 0; i < N; ++i) {
                ghostPosition[id][i] += nets[i];
            }
            ++ghostFinalCount[id][w];
            ++ghostApplied[id];
        }
    }

    function _lowestBit(uint256 x) internal pure returns (uint256 i) {
        while (x & 1 == 0) {
            x >>= 1;
            ++i;
        }
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
