// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {IHub} from "../interfaces/IHub.sol";
import {SlotRule} from "../types/Dispute.sol";
import {Balance, ClaimTerms, CommunityModules, Member, MemberState, Pool} from "../types/Community.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MarketKind, MarketParams} from "../types/Market.sol";
import {Balances} from "./Balances.sol";
import {MerkleTree} from "./MerkleTree.sol";
import {MeterRegistry} from "./MeterRegistry.sol";
import {OpenCodec} from "./OpenCodec.sol";
import {PackedState} from "./PackedState.sol";
import {SignerBitmap} from "./SignerBitmap.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title Settlement
/// @notice The hub's on-chain money moves between members of one community: slashes (from the on-chain
/// bond, an equivocation's rest from the on-chain credit), a lost game bond's split, the whole-bond check
/// of a partial claim's signers, and the payouts at close (`payClaim`, `payShare`, `payAll`). An external
/// (linked) library: it keeps the hub under EIP-170. Its internal functions (`payClaim` and `settle`, a
/// claim's rule) are compiled into the hub instead, where a library call would cost more than they do.
/// @dev The reaction (escrow, debt, claim) is not here: it lives in the balances root (`Balances`,
/// DESIGN.md §5.6) and never touches the bond, which is a stake only. What a member receives on chain
/// during the run goes to its `credit`, paid at close (`Hub.claim`). During the run every function here
/// moves money between members' `bondMissing`/`credit` and the `withdrawable` balances only: the tokens
/// stay in the hub, and Σ taken == Σ shared out (money is conserved exactly). At close the payouts send
/// tokens out, each taken off the community's `held` first (`unhold`: `CommunityFundsExceeded`).
library Settlement {
    using SafeCast for uint256;
    using SafeCast for int256;
    using SafeERC20 for IERC20;

    /// @notice Share of a slashed amount that goes to the challenger, in basis points (`Hub.CHALLENGER_SHARE_BPS`).
    uint256 internal constant CHALLENGER_SHARE_BPS = 5_000;
    /// @notice Claim deposit, in basis points of the community's configured bond (`Hub.CLAIM_DEPOSIT_BPS`):
    /// also the bounded penalty of each signer of a claim lost by a missed move deadline (DESIGN.md §5.4).
    uint256 internal constant CLAIM_DEPOSIT_BPS = 1_000;

    /// @notice Most member slots one call of the hub's slash writes (`slash`, `continueSlash`): a slash of
    /// more offenders goes on in further calls, so that every transaction of it stays under 1,000,000 gas at
    /// N = 1,000 (DESIGN.md §5.3; `snapshots/SettlementWide.json`).
    uint256 internal constant SLASH_PAGE = 64;

    /// @notice What a slash takes and shares out (`slash`).
    struct Penalty {
        /// Bitmap of the participants who pay (`SignerBitmap`: ⌈n/256⌉ words).
        uint256[] offenders;
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

    /// @notice Where a slash is (`PendingSlash.phase`; DESIGN.md §5.3, paged slash).
    enum SlashPhase {
        /// No slash pending.
        None,
        /// Taking the offenders' bonds, from `cursor` on.
        Take,
        /// Every bond taken; the share-out not started (only inside a call, never stored).
        Shared,
        /// Adding the equal part to each recipient (they are fewer than the offenders), from `cursor` on.
        CreditRecipients,
        /// The equal part is in `creditPerMember`; subtracting it from each offender, from `cursor` on.
        DebitOffenders
    }

    /// @notice A community's slash that did not fit one call (`slash`, `SLASH_PAGE`): finished by
    /// `continueSlash`, page by page. What is taken so far waits in `total` (still held by the hub, in no
    /// member's funds): `close` waits for the slash to finish (`Hub.close`: `SlashPending`), as do another
    /// slash (`slash`) and a partial claim's whole-bond check (`requireWholeBonds`) while bonds are taken.
    struct PendingSlash {
        /// Most taken from each offender (`Penalty.cap`, at most the bond without `orCredit`).
        uint128 cap;
        /// Taken so far (with `Penalty.extra`); once shared out, the total.
        uint128 total;
        /// The community's configured bond.
        uint128 bond;
        /// The equal part of each recipient (share phases).
        uint128 each;
        /// Who receives the reward (paid when the last bond is taken).
        address challenger;
        /// The next participant index to write in the phase's set.
        uint16 cursor;
        SlashPhase phase;
        bool orCredit;
        /// The challenger is an offender: the whole total goes to the others.
        bool selfDispute;
        /// The offenders (`SignerBitmap`, ⌈n/256⌉ words; at most `SignerBitmap.MAX_PARTICIPANTS`).
        uint256[4] offenders;
    }

    /// @dev A slash being applied (`_run`), in memory.
    struct Run {
        uint256[] offenders;
        uint256 n;
        uint256 cap;
        uint256 bond;
        uint256 total;
        uint256 each;
        uint256 cursor;
        SlashPhase phase;
        bool orCredit;
        bool selfDispute;
        address challenger;
        uint64 communityId;
        uint256 creditPerMember;
        uint256 reward;
    }

    /// @notice The claim deposit (and timeout penalty) of a community whose configured bond is `bond`.
    function claimDeposit(uint256 bond) internal pure returns (uint256) {
        return bond * CLAIM_DEPOSIT_BPS / 10_000;
    }

    /// @notice `Hub.open`'s two lists, packed (`OpenCodec`): the participants checked and hashed by
    /// `genesisRoot` and emitted (`ParticipantsListed`), the meters checked and hashed by `meterRoot`. Returns
    /// the genesis balances root, N, the meter root and M. Here and not in the hub: EIP-170.
    function openLists(
        uint64 communityId,
        bytes calldata participants,
        bytes calldata meters,
        uint256 escrow,
        uint256 schemeCount
    ) public returns (bytes32 genesis, uint32 n, bytes32 metersRoot, uint32 m) {
        uint256 count;
        (genesis, count) = genesisRoot(participants, escrow);
        emit IHub.ParticipantsListed(communityId, participants);
        uint256 meterCount;
        (metersRoot, meterCount) = meterRoot(meters, count, schemeCount);
        // At most MAX_PARTICIPANTS and MAX_METERS (checked above).
        // forge-lint: disable-next-line(unsafe-typecast)
        (n, m) = (uint32(count), uint32(meterCount));
    }

    /// @notice The genesis balances root of a packed participant list (`Balances.genesis`, totalClaims 0) and
    /// its count, after checking the list: 1 to `SignerBitmap.MAX_PARTICIPANTS` whole addresses
    /// (`OpenCodec.participantCount`), no zero address (`ZeroParticipant`), no address twice
    /// (`DuplicateParticipant`, found with an open-addressing table in memory: O(N), no storage). Leaf i is
    /// `Balances.leafHash(i, Balance(participant i, escrow, 0, 0))`, hashed here from calldata.
    function genesisRoot(bytes calldata participants, uint256 escrow) public pure returns (bytes32, uint256 n) {
        n = OpenCodec.participantCount(participants);
        uint256 size = 2;
        while (size < 2 * n) size <<= 1;
        address[] memory table = new address[](size);
        bytes32[] memory level = new bytes32[](uint256(1) << MerkleTree.depth(n));
        for (uint256 i = 0; i < n; ++i) {
            address p = OpenCodec.participantAt(participants, i);
            if (p == address(0)) revert IHub.ZeroParticipant(i);
            // The opener chooses the list: colliding addresses only make its own `open` dearer.
            uint256 at;
            bytes32 leaf;
            // keccak256(abi.encode(p)) and `Balances.leafHash(i, Balance(p, escrow, 0, 0))` =
            // keccak256(abi.encode(i, p, escrow, 0, 0)), hashed in scratch memory: no allocation per participant
            // (memory grown by N allocations costs quadratically: review of s11's open).
            assembly ("memory-safe") {
                mstore(0x00, p)
                at := and(keccak256(0x00, 0x20), sub(size, 1))
                let m := mload(0x40)
                mstore(m, i)
                mstore(add(m, 0x20), p)
                mstore(add(m, 0x40), escrow)
                mstore(add(m, 0x60), 0)
                mstore(add(m, 0x80), 0)
                leaf := keccak256(m, 0xa0)
            }
            while (table[at] != address(0)) {
                if (table[at] == p) revert IHub.DuplicateParticipant(p);
                at = (at + 1) & (size - 1);
            }
            table[at] = p;
            level[i] = leaf;
        }
        return (Balances.commit(MerkleTree.rootOfPadded(level), 0), n);
    }

    /// @notice A module set's checks, once per hub and set (`HubSetup._moduleSetOf`): every module must be on the
    /// allow-list `enabled` (`ModuleNotEnabled`), and the market module must compute the market `kind`
    /// (`MarketKindMismatch`); then stores them in `stored`. Here and not in the hub: EIP-170.
    function setModules(
        CommunityModules storage stored,
        CommunityModules calldata mods,
        mapping(address => bool) storage enabled,
        MarketKind kind
    ) public {
        _requireEnabled(enabled, address(mods.verifier));
        _requireEnabled(enabled, address(mods.market));
        _requireEnabled(enabled, address(mods.coSignature));
        _requireEnabled(enabled, address(mods.game));
        uint256 schemes = mods.meterSchemes.length;
        for (uint256 i = 0; i < schemes; ++i) {
            _requireEnabled(enabled, address(mods.meterSchemes[i]));
        }
        if (mods.market.kind() != kind) revert IHub.MarketKindMismatch();
        stored.verifier = mods.verifier;
        stored.market = mods.market;
        stored.coSignature = mods.coSignature;
        stored.meterSchemes = mods.meterSchemes;
        stored.game = mods.game;
    }

    function _requireEnabled(mapping(address => bool) storage enabled, address module) private view {
        if (!enabled[module]) revert IHub.ModuleNotEnabled(module);
    }

    /// @notice `Hub.open`'s meter checks and the root of the meter records (`MeterRegistry.leaf`) of a packed
    /// meter list (`OpenCodec`), and its count: whole records (`MalformedMeters`), at least one meter, at most
    /// `MeterRegistry.MAX_METERS`, each owned by one of `participantCount`, grouped by owner (a participant's
    /// meters are one range, its last running sum its energy, §4), of one of `schemeCount` schemes, with a key
    /// of at most `MeterRegistry.MAX_KEY_LENGTH` bytes. Here and not in the hub: EIP-170.
    /// @dev The length only: whether the key is a usable point (no small-order Ed25519 key, no P-256 point
    /// off the curve) is checked where a key is used, by the verifier (`DisputeVerifier._validFor`: no
    /// reading of a meter whose key is not valid is ever valid), not here for every meter.
    function meterRoot(bytes calldata list, uint256 participantCount, uint256 schemeCount)
        public
        pure
        returns (bytes32, uint256 count)
    {
        bytes32[] memory level;
        {
            // A record is at least its header: at most length / 4 of them, and never more than MAX_METERS.
            uint256 most = list.length / OpenCodec.METER_HEADER;
            if (most > MeterRegistry.MAX_METERS) most = MeterRegistry.MAX_METERS;
            level = new bytes32[](uint256(1) << MerkleTree.depth(most));
        }
        uint256 previousOwner;
        for (uint256 at = 0; at < list.length; ++count) {
            if (count == MeterRegistry.MAX_METERS) revert IHub.TooManyMeters(count + 1, MeterRegistry.MAX_METERS);
            bytes32 leaf;
            uint256 owner;
            (leaf, owner, at) = _meterRecord(list, at, count, participantCount, schemeCount);
            if (owner < previousOwner) revert IHub.MetersNotGroupedByOwner(count);
            level[count] = leaf;
            previousOwner = owner;
        }
        if (count == 0) revert IHub.NoMeters();
        // The tree of `count` leaves: the first 2^depth(count) of `level` (the rest is zero padding).
        uint256 width = uint256(1) << MerkleTree.depth(count);
        assembly ("memory-safe") {
            mstore(level, width)
        }
        return (MerkleTree.rootOfPadded(level), count);
    }

    /// @dev Record `count` of a packed meter list, starting at byte `at`: its leaf, owner and the byte after it,
    /// after the checks of one record (`meterRoot`).
    function _meterRecord(bytes calldata list, uint256 at, uint256 count, uint256 participantCount, uint256 schemeCount)
        private
        pure
        returns (bytes32 leaf, uint256, uint256 next)
    {
        (uint8 scheme, uint16 owner, uint256 keyLength, bytes32 keyHash, uint256 after_) = OpenCodec.meterAt(list, at);
        if (owner >= participantCount) revert IHub.MeterOwnerOutOfRange(count, owner);
        if (scheme >= schemeCount) revert IHub.MeterSchemeOutOfRange(count, scheme);
        if (keyLength > MeterRegistry.MAX_KEY_LENGTH) revert IHub.InvalidMeterKey(count);
        // count < MAX_METERS.
        // forge-lint: disable-next-line(unsafe-typecast)
        leaf = MeterRegistry.leaf(uint32(count), owner, scheme, keyHash);
        next = after_;
        return (leaf, owner, next);
    }

    /// @notice `Hub.open`'s schedule checks (DESIGN.md §5.2): no zero interval length, window length, window
    /// count, challenge period or token, buy >= sell, and every honest window can be posted — interval
    /// numbers never wrap (`TooManyIntervals`), the schedule's end fits uint64 (`ScheduleOverflow`), a
    /// participant's window energy fits the uint64 state fields (`EnergyBoundOverflow`) and its |net| fits
    /// int128 (`ValueBoundOverflow`). Here and not in the hub: it keeps the hub under EIP-170. (An auction
    /// community had a bound of its own below the hub's until s15; its worst-case BadStep now fits at the hub's
    /// 1,024: DESIGN.md §5.4.)
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

    /// @notice Member `m`'s funds at close (`Hub.claim`): `escrow` (its leaf's) + its bond (of the configured
    /// `bond`) + its credit (`creditOf`), less its fine, taken first: `fine` = min(fine, funds) (review 3 B2),
    /// kept by the hub and paid to nobody (`settle` emits `FineCollected`).
    function funds(Member memory m, uint256 escrow, uint256 bond, uint256 creditPerMember)
        internal
        pure
        returns (uint256 total, uint256 fine)
    {
        (uint256 positive, uint256 negative) = split(creditOf(m, creditPerMember));
        total = escrow + (bond - m.bondMissing) + positive;
        fine = negative < total ? negative : total;
        total -= fine;
    }

    /// @notice `Hub.claim`'s settlement of member `m` under the closed community's `terms` (DESIGN.md §5.6):
    /// `NotJoined` for a participant that never joined an aborted community (`ClaimTerms.aborted`; otherwise a
    /// slot-less participant is a member opened together), `AlreadyClaimed` for one paid out (`isSettled`);
    /// funds = leaf escrow + bond + credit less its fine, taken
    /// first (`funds`, `FineCollected`; review 3 B2: before the debt, so a member cannot move its funds out of
    /// the fine's reach by owing them to a claim holder of its own; the fine stays in the hub); repaid =
    /// min(debt, funds) joins the repaid pool `pool` (returned as `newPool`); paid = funds − repaid plus a
    /// claim holder's share of the pool, its own repayment in it (floor(newPool · claim / totalClaims)),
    /// recorded as its claimTaken. One read and one write of the member's slot: `Settled`, claimTaken in
    /// `bondMissing` (`Member`); a member with no slot of its own (opened together) that took no share: its bit
    /// in `settledBits` instead (`isSettled`). `payClaim` takes `paid` off `held` (`CommunityFundsExceeded`) and
    /// pays it.
    function settle(
        uint64 communityId,
        uint256 index,
        Member storage m,
        mapping(uint256 => uint256) storage settledBits,
        Balance calldata leaf,
        uint256 totalClaims,
        ClaimTerms calldata terms,
        uint256 pool
    ) internal returns (uint256 paid, uint256 repaid, uint256 newPool) {
        uint256 total = _fundsAtClaim(communityId, index, m, settledBits, leaf, terms);
        return _repayAndShare(m, settledBits, index, total, leaf, pool, totalClaims);
    }

    /// @notice Whether member `index`, whose slot's state is `state`, was paid out by a claim (DESIGN.md §5.6
    /// "Settled without a slot"): its slot says `Settled`, or its slot says `None` and its bit in `settledBits`
    /// is set. A member of a community opened together has no slot of its own (`Hub.openTogether`): a claim
    /// that leaves it no claimTaken to keep marks its bit (a word per 256 members: 2,900 gas once the word is
    /// written, where a fresh slot costs 20,000) and leaves its slot as it was, never read again. The one home
    /// of the rule.
    function isSettled(MemberState state, mapping(uint256 => uint256) storage settledBits, uint256 index)
        internal
        view
        returns (bool)
    {
        if (state == MemberState.Settled) return true;
        return state == MemberState.None && (settledBits[index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// @notice What a member paid out by a claim took of the repaid pool so far (`claimTaken`): its slot's
    /// `bondMissing` once the slot says `Settled` (`Member`), 0 for one settled by its bit (`isSettled`).
    function claimTaken(Member memory m) internal pure returns (uint256) {
        return m.state == MemberState.Settled ? m.bondMissing : 0;
    }

    /// @dev Marks member `index` settled by its bit (`isSettled`).
    function _setSettledBit(mapping(uint256 => uint256) storage settledBits, uint256 index) private {
        // The bit of `index` in its word: 1 shifted left by its position, as intended.
        // forge-lint: disable-next-line(incorrect-shift)
        settledBits[index >> 8] |= 1 << (index & 0xff);
    }

    /// @notice `Hub._applyDispute`'s slot rule over the community's voided slots `voidedAt_`. `submittedAt`:
    /// when the disputed claim was submitted. A void applies only to claims submitted after it (a claim cannot
    /// have known of a later one, review R4); an omission stays excused by a void of any time (the honest
    /// result folds the voided slot as absent). Here and not in the hub: EIP-170.
    function applySlotRule(
        mapping(uint256 => uint64) storage voidedAt_,
        SlotRule rule,
        uint256 slot,
        uint256 submittedAt
    ) public {
        if (rule == SlotRule.None) return;
        uint256 voidedAt = voidedAt_[slot];
        // Truncations recover (meter, interval) from interval << 32 | meter for the error only.
        // forge-lint: disable-next-item(unsafe-typecast)
        if (rule == SlotRule.MustNotBeVoided) {
            if (voidedAt != 0) revert IHub.SlotVoided(uint32(slot), uint32(slot >> 32));
        } else if (rule == SlotRule.MustBeVoided) {
            // Second-level timestamp drift is irrelevant: a void in the claim's own second does not count.
            // forge-lint: disable-next-line(block-timestamp)
            if (voidedAt == 0 || voidedAt >= submittedAt) revert IHub.SlotNotVoided(uint32(slot), uint32(slot >> 32));
        } else {
            // Each equivocation is slashed once.
            if (voidedAt != 0) revert IHub.SlotAlreadyVoided(uint32(slot), uint32(slot >> 32));
            voidedAt_[slot] = uint64(block.timestamp);
        }
    }

    /// @notice A batch of payouts (`payAll`, `payRange`): the community, its claim root (0: not closed), the
    /// batch's first member index and Σ claim of the final balances.
    struct Range {
        uint64 communityId;
        bytes32 claimRoot;
        uint256 first;
        uint256 totalClaims;
    }

    /// @notice `Hub.claimAll`: pays every member of a closed community that was not paid yet, in one
    /// transaction, from all N leaves of the final balances root (no proofs: the tree is rebuilt from them).
    /// `claimRoot_` is the community's (`CommunityNotClosed` if 0); `leaves` must be exactly N (the terms')
    /// leaves whose balances root, with `terms`, is it (`InvalidBalanceProof(communityId, N)` otherwise).
    /// First pass, in index order: each member not Settled is settled and paid as by `claim` (`payClaim`: the
    /// same `settle`, `Claimed`, `_payOut`); a member that never joined (an aborted community) or was paid already
    /// is skipped, so a claim sent first cannot make the batch revert. Second pass: every paid claim holder
    /// takes what the repaid pool grew since its own claim (`ClaimShared`, as `claimShare`), so once the batch
    /// is mined the whole repaid pool is out. `NothingToClaim(communityId, N)` when neither pass paid anyone.
    /// Gas grows with N (a leaf and a transfer each): a community too large for one transaction pays by
    /// `payRange` batches or by `claim`.
    function payAll(
        uint64 communityId,
        bytes32 claimRoot_,
        mapping(uint256 => Member) storage members,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        ClaimTerms calldata terms,
        Balance[] calldata leaves,
        uint256 totalClaims
    ) public {
        _requireAllLeaves(claimRoot_, terms, leaves, totalClaims, communityId);
        Range memory r = Range(communityId, claimRoot_, 0, totalClaims);
        if (!_payBatch(r, members, settledBits, pool, withdrawable, terms, leaves)) {
            revert IHub.NothingToClaim(communityId, leaves.length);
        }
    }

    /// @notice `Hub.claimRange`: `payAll`'s two passes over the members `r.first`, `r.first` + 1, … of `leaves`,
    /// once they are the real leaves of one subtree of the final balances tree (`_requireRange`).
    /// `NothingToClaim(communityId, first)` when neither pass paid anyone.
    function payRange(
        Range memory r,
        mapping(uint256 => Member) storage members,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        ClaimTerms calldata terms,
        Balance[] calldata leaves,
        bytes32[] calldata proof
    ) public {
        _requireRange(r, terms, leaves, proof);
        if (!_payBatch(r, members, settledBits, pool, withdrawable, terms, leaves)) {
            revert IHub.NothingToClaim(r.communityId, r.first);
        }
    }

    /// @dev `payAll`'s check: the closed community's claim root is that of exactly N `leaves` with `terms`.
    function _requireAllLeaves(
        bytes32 claimRoot_,
        ClaimTerms calldata terms,
        Balance[] calldata leaves,
        uint256 totalClaims,
        uint64 communityId
    ) private pure {
        if (claimRoot_ == 0) revert IHub.CommunityNotClosed(communityId);
        uint256 n = terms.participantCount;
        // No length check of its own: a tree of another number of leaves has another root (its leaves and inner
        // nodes are keccak256 of 160 and 64 bytes: no leaf passes for a node or for the zero padding), and the
        // claim root commits to N (`test_RevertWhen_ClaimAllWrongLeavesOrTerms`: one short, one extra).
        bytes32 balancesRoot = Balances.root(leaves, totalClaims);
        if (Balances.claimRootOf(balancesRoot, terms) != claimRoot_) {
            revert IHub.InvalidBalanceProof(communityId, n);
        }
    }

    /// @dev `payRange`'s check: `leaves` are the real leaves of the subtree of height h = depth(N) −
    /// `proof.length` whose first leaf is `r.first`, and that subtree's root, through `proof`, with `terms`, is
    /// the claim root. The hub pads the subtree past N with zero leaves as the tree does (`MerkleTree`), so a
    /// range short of its real leaves, or one past N, has another root; so has a misaligned one (each leaf hash
    /// names its index: `Balances.leafHash`, at a position of another index), and so has an empty one (its
    /// first leaf is a member's). `InvalidBalanceProof(communityId, first)` for all of these, and first for a
    /// range that starts at or past N (only padding there: an empty one would pass the root), one wider than
    /// 2^h or a proof longer than the depth.
    function _requireRange(
        Range memory r,
        ClaimTerms calldata terms,
        Balance[] calldata leaves,
        bytes32[] calldata proof
    ) private pure {
        if (r.claimRoot == 0) revert IHub.CommunityNotClosed(r.communityId);
        uint256 d = MerkleTree.depth(terms.participantCount);
        uint256 count = leaves.length;
        if (proof.length > d) revert IHub.InvalidBalanceProof(r.communityId, r.first);
        uint256 width = uint256(1) << (d - proof.length);
        // A range starts at a member (below N: its first index cannot overflow) and fits its subtree.
        if (r.first >= terms.participantCount || count > width) {
            revert IHub.InvalidBalanceProof(r.communityId, r.first);
        }
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < count; ++i) {
            level[i] = Balances.leafHash(r.first + i, leaves[i]);
        }
        bytes32 treeRoot = MerkleTree.computeRoot(MerkleTree.rootOfPadded(level), r.first / width, proof);
        if (Balances.claimRootOf(Balances.commit(treeRoot, r.totalClaims), terms) != r.claimRoot) {
            revert IHub.InvalidBalanceProof(r.communityId, r.first);
        }
    }

    /// @dev `payAll`'s and `payRange`'s two passes over the checked `leaves` (member `r.first` + i is leaf i);
    /// whether they paid anyone.
    function _payBatch(
        Range memory r,
        mapping(uint256 => Member) storage members,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        ClaimTerms calldata terms,
        Balance[] calldata leaves
    ) private returns (bool paidAny) {
        paidAny = _claimEach(r, members, settledBits, pool, withdrawable, leaves, terms);
        if (_shareEach(r, members, settledBits, pool, withdrawable, leaves, terms)) paidAny = true;
    }

    /// @dev The first pass: `payClaim` for each member of the batch not paid yet; whether it paid anyone. (The
    /// parameters' order and the locals keep every operand within the stack's reach.)
    function _claimEach(
        Range memory r,
        mapping(uint256 => Member) storage members,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        Balance[] calldata leaves,
        ClaimTerms calldata terms
    ) private returns (bool paidAny) {
        uint256 first = r.first;
        uint256 totalClaims = r.totalClaims;
        for (uint256 i = 0; i < leaves.length; ++i) {
            // Below N ≤ 1,024 (`_requireRange`, `_requireAllLeaves`).
            uint256 index;
            unchecked {
                index = first + i;
            }
            Member storage m = members[index];
            // Paid already, or (aborted) never joined.
            if (_skipAtClaim(m.state, settledBits, index, terms.aborted)) continue;
            payClaim(r.communityId, index, m, settledBits, pool, withdrawable, leaves[i], totalClaims, terms);
            paidAny = true;
        }
    }

    /// @dev The first pass skips member `index` (its slot's state `state`): paid out already (`isSettled`), or a
    /// participant that never joined an aborted community.
    function _skipAtClaim(
        MemberState state,
        mapping(uint256 => uint256) storage settledBits,
        uint256 index,
        bool aborted
    ) private view returns (bool) {
        return (aborted && state == MemberState.None) || isSettled(state, settledBits, index);
    }

    /// @dev The second pass: `payShare` for each paid claim holder of the batch the repaid pool owes more; whether
    /// it paid anyone.
    function _shareEach(
        Range memory r,
        mapping(uint256 => Member) storage members,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        Balance[] calldata leaves,
        ClaimTerms calldata terms
    ) private returns (bool paidAny) {
        uint256 first = r.first;
        uint256 totalClaims = r.totalClaims;
        for (uint256 i = 0; i < leaves.length; ++i) {
            // After the first pass every member is settled but one that never joined, and such a member
            // exists only in an aborted community, paid from the genesis root: no claim holder there (due 0).
            uint256 owedNow = due(pool.repaidPool, leaves[i].claim, totalClaims);
            if (owedNow == 0 || owedNow <= claimTaken(members[first + i])) continue;
            payShare(
                r.communityId,
                first + i,
                members[first + i],
                settledBits,
                pool,
                withdrawable,
                leaves[i],
                totalClaims,
                terms
            );
            paidAny = true;
        }
    }

    /// @notice A claim holder's share of the repaid pool: floor(pool · owed / totalClaims) (0 when nothing is
    /// owed at all). The one home of the rounding rule (`claim`, `claimShare`, `claimAll`; twin `claimPayout`
    /// in `node/src/chain/claims.ts`).
    function due(uint256 pool, uint256 owed, uint256 totalClaims) internal pure returns (uint256) {
        return totalClaims == 0 ? 0 : pool * owed / totalClaims;
    }

    /// @dev `settle` after the funds: repaid = min(debt, funds) into the pool, paid = funds − repaid + the
    /// share of the pool (claimTaken, written with the `Settled` state).
    /// A member with no slot of its own (state `None`: opened together) and no share to keep is marked by its
    /// bit instead (`isSettled`).
    function _repayAndShare(
        Member storage m,
        mapping(uint256 => uint256) storage settledBits,
        uint256 index,
        uint256 total,
        Balance calldata leaf,
        uint256 pool,
        uint256 totalClaims
    ) private returns (uint256 paid, uint256 repaid, uint256 newPool) {
        uint256 debt = leaf.debt;
        repaid = debt < total ? debt : total;
        newPool = pool + repaid;
        uint256 share = due(newPool, leaf.claim, totalClaims);
        paid = total - repaid + share;
        if (share == 0 && m.state == MemberState.None) {
            _setSettledBit(settledBits, index);
            return (paid, repaid, newPool);
        }
        m.bondMissing = share.toUint128();
        m.state = MemberState.Settled;
    }

    /// @dev A member's funds at its claim (`funds`), its fine collected (`FineCollected`); `NotJoined` for a
    /// participant of an aborted community that never joined, `AlreadyClaimed` for one paid out (`isSettled`).
    function _fundsAtClaim(
        uint64 communityId,
        uint256 index,
        Member storage slot,
        mapping(uint256 => uint256) storage settledBits,
        Balance calldata leaf,
        ClaimTerms calldata terms
    ) private returns (uint256 total) {
        Member memory m = slot;
        // Only in an aborted community is a participant without a slot not a member (`ClaimTerms.aborted`).
        if (terms.aborted && m.state == MemberState.None) revert IHub.NotJoined(communityId, leaf.participant);
        if (isSettled(m.state, settledBits, index)) revert IHub.AlreadyClaimed(communityId, index);
        uint256 fine;
        (total, fine) = funds(m, leaf.escrow, terms.bond, terms.creditPerMember);
        if (fine > 0) emit IHub.FineCollected(communityId, index, fine);
    }

    /// @notice What `Hub.member` reports of member `m` (configured bond `bond`): its bond, its credit and its
    /// fine (the positive and negative parts of `creditOf`), and, once paid out by `claim` (`Settled`), 0 for
    /// those three (they went with the claim) and what it took of the repaid pool (`claimTaken`; settled by its
    /// bit, `isSettled`: its slot's leftovers are not read). Member `index` of `settledBits`' community. Here and
    /// not in the hub: EIP-170.
    function memberView(
        Member memory v,
        mapping(uint256 => uint256) storage settledBits,
        uint256 index,
        uint256 bond,
        uint256 creditPerMember
    ) public view returns (uint256, uint256 positive, bool, uint256, uint256 negative) {
        if (isSettled(v.state, settledBits, index)) return (0, 0, true, claimTaken(v), 0);
        (positive, negative) = split(creditOf(v, creditPerMember));
        return (bond - v.bondMissing, positive, false, 0, negative);
    }

    /// @notice `Hub.claimShare`: what a claim holder paid out by `claim` takes of the repaid pool `pool` since,
    /// floor(pool · owed / totalClaims) − claimTaken, recorded as its new claimTaken (`NothingToClaim` if the
    /// member was not paid out yet, or if nothing grew). Here and not in the hub: EIP-170 (a rare call).
    /// A member settled by its bit (`isSettled`) gets its slot written here: `Settled`, its claimTaken.
    function takeShare(
        uint64 communityId,
        uint256 index,
        Member storage m,
        mapping(uint256 => uint256) storage settledBits,
        uint256 pool,
        uint256 owed,
        uint256 totalClaims
    ) public returns (uint256) {
        Member memory v = m;
        if (!isSettled(v.state, settledBits, index)) revert IHub.NothingToClaim(communityId, index);
        uint256 owedNow = due(pool, owed, totalClaims);
        uint256 taken = claimTaken(v);
        if (owedNow <= taken) revert IHub.NothingToClaim(communityId, index);
        m.bondMissing = owedNow.toUint128();
        m.state = MemberState.Settled;
        return owedNow - taken;
    }

    /// @notice `Hub.claim` once the leaf and `terms` are proven (`Hub._closedLeaf`): settles member `m`
    /// (`settle`), grows the pool by what it repaid (a claim holder's own share reads it, it writes nothing),
    /// emits `Claimed` and pays (`_payOut`). `withdrawable` is the hub's for `terms.token`. Internal: compiled
    /// into the hub's `claim` (no library call: −4,222 gas a claim, +1,299 bytes of the hub, s25) and into
    /// `payAll` here, one source.
    function payClaim(
        uint64 communityId,
        uint256 index,
        Member storage m,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        Balance calldata leaf,
        uint256 totalClaims,
        ClaimTerms calldata terms
    ) internal {
        uint256 paid;
        {
            uint256 repaid;
            uint256 newPool;
            (paid, repaid, newPool) =
                settle(communityId, index, m, settledBits, leaf, totalClaims, terms, pool.repaidPool);
            if (repaid != 0) pool.repaidPool = newPool.toUint128();
            emit IHub.Claimed(communityId, index, leaf.participant, paid, repaid);
        }
        _payOut(pool, withdrawable, terms.token, leaf.participant, paid, communityId);
    }

    /// @notice `Hub.claimShare` once the leaf and `terms` are proven: `takeShare`, `ClaimShared`, the payout
    /// (`payClaim`'s arguments: the hub encodes both calls with one routine, EIP-170).
    function payShare(
        uint64 communityId,
        uint256 index,
        Member storage m,
        mapping(uint256 => uint256) storage settledBits,
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        Balance calldata leaf,
        uint256 totalClaims,
        ClaimTerms calldata terms
    ) public {
        uint256 amount = takeShare(communityId, index, m, settledBits, pool.repaidPool, leaf.claim, totalClaims);
        emit IHub.ClaimShared(communityId, index, leaf.participant, amount);
        _payOut(pool, withdrawable, terms.token, leaf.participant, amount, communityId);
    }

    /// @notice Tokens leave the community (`CommunityFundsExceeded` if it holds less: one community's payouts
    /// never take another's money). The one home of the rule: the hub's releases and slash rewards use it too.
    function unhold(Pool storage pool, uint64 communityId, uint256 amount) internal {
        uint256 held = pool.held;
        if (amount > held) revert IHub.CommunityFundsExceeded(communityId, held, amount);
        // Below the uint128 it is subtracted from.
        // forge-lint: disable-next-line(unsafe-typecast)
        pool.held = uint128(held - amount);
    }

    /// @dev Pays `amount` of the community's tokens to `to` (a claim), taken off its `held` first
    /// (`CommunityFundsExceeded`: a root signed by everyone that promises more than came in exhausts its own
    /// community only). Nothing paid (a debtor whose debt took all its funds): no slot or token touched. A
    /// payment the token refuses (a blacklisted recipient, a receive hook that reverts) waits in `to`'s
    /// withdrawable balance instead: the claim still settles, so a debtor cannot keep its repayment out of
    /// the pool by refusing its own payout (review 3, B3).
    function _payOut(
        Pool storage pool,
        mapping(address => uint256) storage withdrawable,
        IERC20 token,
        address to,
        uint256 amount,
        uint64 communityId
    ) private {
        if (amount == 0) return;
        unhold(pool, communityId, amount);
        if (!token.trySafeTransfer(to, amount)) withdrawable[to] += amount;
    }

    /// @notice Member `m`'s signed credit: its stored credit plus what every member received
    /// (`creditPerMember`, the community's accumulator: `slash`, `credit`).
    function creditOf(Member memory m, uint256 creditPerMember) internal pure returns (int256) {
        return int256(m.credit) + creditPerMember.toInt256();
    }

    /// @notice Adds `amount` to member `m`'s credit (`Hub.deposit` by msg.sender, `Deposited`): it pays the
    /// member's fine first, if any (the credit is negative then). Here and not in the hub: EIP-170.
    function addCredit(Member storage m, uint256 amount, uint64 communityId) public {
        _addStored(m, amount.toInt256());
        emit IHub.Deposited(communityId, msg.sender, amount);
    }

    /// @notice `Hub.topUpBond` of member `m` (msg.sender): its bond whole again (`BondAlreadyWhole` if it is),
    /// `BondToppedUp`; returns what the member pays in. Here and not in the hub: EIP-170.
    function topUp(Member storage m, uint64 communityId) public returns (uint256 missing) {
        missing = m.bondMissing;
        if (missing == 0) revert IHub.BondAlreadyWhole(communityId, msg.sender);
        m.bondMissing = 0;
        emit IHub.BondToppedUp(communityId, msg.sender, missing);
    }

    /// @notice A member's signed credit as (credit, fine): its positive and its negative part (`Member`).
    function split(int256 signedCredit) internal pure returns (uint256 positive, uint256 negative) {
        // Both casts are of a value in [0, 2^255], exact.
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast)
            if (signedCredit > 0) positive = uint256(signedCredit);
            // forge-lint: disable-next-line(unsafe-typecast)
            else negative = uint256(-signedCredit);
        }
    }

    /// @dev m.credit += delta (SafeCast: reverts beyond int120).
    function _addStored(Member storage m, int256 delta) private {
        m.credit = (int256(m.credit) + delta).toInt120();
    }

    /// @notice Reverts `BondNotWhole` unless every participant in `signers` holds its whole bond
    /// (`bondMissing` 0; review R6: a signer of a partial claim must have its whole bond at stake), and
    /// `SlashPending` while a pending slash is still taking bonds.
    function requireWholeBonds(
        mapping(uint256 => Member) storage members,
        PendingSlash storage pending,
        uint256[] memory signers,
        uint64 communityId
    ) public view {
        // A bond not taken yet by a pending slash only looks whole (`SlashPending`).
        if (pending.phase == SlashPhase.Take) revert IHub.SlashPending(communityId);
        uint256 k = signers.length;
        for (uint256 w = 0; w < k; ++w) {
            for (uint256 bits = signers[w]; bits != 0; bits &= bits - 1) {
                uint256 i = (w << 8) | SignerBitmap.lowestBit(bits);
                if (members[i].bondMissing != 0) revert IHub.BondNotWhole(communityId, i);
            }
        }
    }

    /// @notice Stores the words of a signer set wider than one word under its `SignerBitmap.ref` (the hash
    /// of the words: content-addressed, so every record of the set shares them) and returns the ref; a
    /// one-word set is its own ref and stores nothing. Here and not in the hub: EIP-170.
    function saveSigners(mapping(uint256 => uint256[4]) storage wide, uint256[] memory set)
        public
        returns (uint256 ref)
    {
        ref = SignerBitmap.ref(set);
        uint256 k = set.length;
        if (k == 1) return ref;
        uint256[4] storage stored = wide[ref];
        for (uint256 w = 0; w < k; ++w) {
            stored[w] = set[w];
        }
    }

    /// @notice The signer set of `n` participants (n > 256) a record keeps as `ref` (`saveSigners`).
    function loadSigners(mapping(uint256 => uint256[4]) storage wide, uint256 ref, uint256 n)
        public
        view
        returns (uint256[] memory set)
    {
        uint256 k = SignerBitmap.words(n);
        set = new uint256[](k);
        uint256[4] storage stored = wide[ref];
        for (uint256 w = 0; w < k; ++w) {
            set[w] = stored[w];
        }
    }

    /// @notice `SignerBitmap.ref` of everyone of `n` (the signers the `windowRecord` view reports for a
    /// result final at once). Here and not in the hub: EIP-170.
    function everyoneRef(uint256 n) public pure returns (uint256) {
        return SignerBitmap.ref(SignerBitmap.all(n));
    }

    /// @notice Splits `amount` equally into the credit of the participants in bitmap `who` (non-empty, of
    /// `n`); the division's remainder to the first of them (a lost challenge bond, DESIGN.md §5.4). Writes
    /// the fewer side: each of `who` when they are at most half of `n`; otherwise adds the equal part to
    /// every member through the accumulator and subtracts it again from each participant not in `who`.
    /// Returns the new `creditPerMember`.
    function credit(
        mapping(uint256 => Member) storage members,
        uint256[] memory who,
        uint256 n,
        uint256 amount,
        uint256 creditPerMember
    ) external returns (uint256) {
        who = _clip(who, n);
        uint256 count = SignerBitmap.count(who);
        uint256 each = amount / count;
        uint256 rest = amount - each * count;
        if (each > 0) {
            if (2 * count <= n) {
                _addEach(members, who, each.toInt256());
            } else {
                creditPerMember += each;
                _addEach(members, _complement(who, n), -each.toInt256());
            }
        }
        if (rest > 0) _addStored(members[_first(who)], rest.toInt256());
        return creditPerMember;
    }

    /// @notice Takes up to `p.cap` from the on-chain bond (`p.orCredit`: then the credit, then a fine) of each
    /// participant in `p.offenders` (of `n`) and adds `p.extra`; `CHALLENGER_SHARE_BPS` of the total goes
    /// to `challenger`'s `withdrawable` balance, the rest in equal parts to the credit of the other
    /// participants, the division's remainder to the challenger. A challenger that is itself an offender
    /// (`challengerIndexPlusOne`: its index + 1, 0 for an outsider) gets nothing: its share goes to the
    /// others too (it can neither escape nor profit by disputing its own claim), the remainder to the
    /// first of them; with nobody else left, nothing is taken (and `p.extra` is 0 then). Returns what
    /// went to `withdrawable` (the hub takes it off the community's `held`) and the new `creditPerMember`.
    /// Paged (DESIGN.md §5.3): one call writes at most `page` member slots (`_run`); a slash that needs more
    /// is kept in `pending` (`PendingSlash`) and anyone finishes it, `page` slots a call (`continueSlash`).
    /// One slash at a time per community (`SlashPending`). No `challenger` (address 0: every slash has one, the
    /// disputer or the game's challenger) stands for `continueSlash` (`Hub.continueSlash`, one call site in
    /// the hub: EIP-170).
    /// @dev O(offenders) storage: each offender is written once when its bond is taken; the equal part is
    /// then written to the fewer side (`_startShare`): to each recipient when they are fewer than the
    /// offenders, else added once to `creditPerMember` (every member) and subtracted from each offender. The
    /// remainder is one write (the challenger's `withdrawable`, or the first non-offender's credit). Every
    /// wei of the total lands in exactly one place: recipients × each + rest = total.
    function slash(
        mapping(uint256 => Member) storage members,
        mapping(address => uint256) storage withdrawable,
        PendingSlash storage pending,
        uint256 n,
        uint256 challengerIndexPlusOne,
        Penalty memory p,
        address challenger,
        uint256 creditPerMember,
        uint64 communityId,
        uint256 page
    ) public returns (uint256, uint256) {
        if (challenger == address(0)) {
            return continueSlash(members, withdrawable, pending, n, creditPerMember, communityId, page);
        }
        if (pending.phase != SlashPhase.None) revert IHub.SlashPending(communityId);
        uint256[] memory offenders = _clip(p.offenders, n);
        bool selfDispute = challengerIndexPlusOne != 0 && SignerBitmap.contains(offenders, challengerIndexPlusOne - 1);
        if (n == SignerBitmap.count(offenders) && selfDispute) return (0, creditPerMember);
        Run memory r;
        r.offenders = offenders;
        r.n = n;
        // Without `orCredit`, min(bond − missing, cap) = min(bond − missing, min(cap, bond)): the cap fits uint128.
        r.cap = p.orCredit || p.cap < p.bond ? p.cap : p.bond;
        r.bond = p.bond;
        r.total = p.extra;
        r.phase = SlashPhase.Take;
        r.orCredit = p.orCredit;
        r.selfDispute = selfDispute;
        r.challenger = challenger;
        r.communityId = communityId;
        r.creditPerMember = creditPerMember;
        _run(members, withdrawable, r, page);
        if (r.phase != SlashPhase.None) _save(pending, r);
        return (r.reward, r.creditPerMember);
    }

    /// @notice Writes the next `page` member slots of the community's pending slash (`slash`): anyone may call
    /// it (`Hub.continueSlash`), each call bounded, until the slash is done (its record deleted then).
    /// `NoSlashPending` without one. Returns what went to the challenger's `withdrawable` in this call (once,
    /// when the last bond is taken) and the new `creditPerMember`.
    function continueSlash(
        mapping(uint256 => Member) storage members,
        mapping(address => uint256) storage withdrawable,
        PendingSlash storage pending,
        uint256 n,
        uint256 creditPerMember,
        uint64 communityId,
        uint256 page
    ) public returns (uint256, uint256) {
        SlashPhase phase = pending.phase;
        if (phase == SlashPhase.None) revert IHub.NoSlashPending(communityId);
        Run memory r;
        uint256 k = SignerBitmap.words(n);
        r.offenders = new uint256[](k);
        for (uint256 w = 0; w < k; ++w) {
            r.offenders[w] = pending.offenders[w];
        }
        r.n = n;
        (r.cap, r.total, r.bond, r.each) = (pending.cap, pending.total, pending.bond, pending.each);
        (r.challenger, r.cursor, r.phase) = (pending.challenger, pending.cursor, phase);
        (r.orCredit, r.selfDispute) = (pending.orCredit, pending.selfDispute);
        r.communityId = communityId;
        r.creditPerMember = creditPerMember;
        _run(members, withdrawable, r, page);
        if (r.phase != SlashPhase.None) _save(pending, r);
        else _clear(pending, k);
        return (r.reward, r.creditPerMember);
    }

    /// @dev One page of slash `r`: takes bonds from the cursor on; once every bond is taken, shares the total
    /// out (`_startShare`) and writes the fewer side with what is left of the page.
    function _run(
        mapping(uint256 => Member) storage members,
        mapping(address => uint256) storage withdrawable,
        Run memory r,
        uint256 page
    ) private {
        if (r.phase == SlashPhase.Take) {
            page = _walk(members, r.offenders, r, page);
            if (r.phase == SlashPhase.Take) return;
            _startShare(members, withdrawable, r);
        }
        if (r.phase == SlashPhase.CreditRecipients) {
            _walk(members, _complement(r.offenders, r.n), r, page);
        } else if (r.phase == SlashPhase.DebitOffenders) {
            _walk(members, r.offenders, r, page);
        }
    }

    /// @dev Applies `r.phase`'s write (take a bond, add or subtract the equal part) to each participant of
    /// `set` from `r.cursor` on, at most `page` of them. Leaves `r.cursor` at the next one when the page is
    /// spent; else moves to the next phase (Take → Shared, the share phases → None) at cursor 0. Returns
    /// what is left of the page.
    function _walk(mapping(uint256 => Member) storage members, uint256[] memory set, Run memory r, uint256 page)
        private
        returns (uint256)
    {
        uint256 from = r.cursor;
        uint256 k = set.length;
        for (uint256 w = from >> 8; w < k; ++w) {
            uint256 bits = set[w];
            // The bits at and above the cursor (from & 255 < 256: no overflow).
            if (w == from >> 8) bits &= ~((uint256(1) << (from & 255)) - 1);
            for (; bits != 0; bits &= bits - 1) {
                uint256 i = (w << 8) | SignerBitmap.lowestBit(bits);
                if (page == 0) {
                    r.cursor = i;
                    return 0;
                }
                --page;
                Member storage m = members[i];
                if (r.phase == SlashPhase.Take) {
                    r.total += _takeOne(m, r);
                } else if (r.phase == SlashPhase.CreditRecipients) {
                    _addStored(m, r.each.toInt256());
                } else {
                    _addStored(m, -r.each.toInt256());
                }
            }
        }
        r.cursor = 0;
        r.phase = r.phase == SlashPhase.Take ? SlashPhase.Shared : SlashPhase.None;
        return page;
    }

    /// @dev Every bond of slash `r` is taken: shares its total out. An equal part to every participant of `n`
    /// not an offender, `CHALLENGER_SHARE_BPS` of it and the division's remainder to the challenger
    /// (`r.reward`, paid here), or for a self-dispute the whole total to the others, the remainder to the
    /// first of them. The equal part is then written to the fewer side, page by page (`_walk`): each
    /// recipient (`CreditRecipients`) when they are fewer than the offenders, else the accumulator once and
    /// each offender (`DebitOffenders`). recipients × each + rest = total: every wei lands once.
    function _startShare(
        mapping(uint256 => Member) storage members,
        mapping(address => uint256) storage withdrawable,
        Run memory r
    ) private {
        uint256 count = SignerBitmap.count(r.offenders);
        uint256 recipients = r.n - count;
        uint256 total = r.total;
        uint256 each;
        if (recipients > 0) {
            each = (r.selfDispute ? total : total * (10_000 - CHALLENGER_SHARE_BPS) / 10_000) / recipients;
        }
        uint256 rest = total - each * recipients;
        if (!r.selfDispute) r.reward = rest;
        else if (rest > 0) _addStored(members[_first(_complement(r.offenders, r.n))], rest.toInt256());
        emit IHub.Slashed(r.communityId, r.challenger, total, r.reward);
        if (r.reward > 0) withdrawable[r.challenger] += r.reward;
        r.each = each;
        if (each == 0) {
            r.phase = SlashPhase.None;
        } else if (recipients < count) {
            r.phase = SlashPhase.CreditRecipients;
        } else {
            r.creditPerMember += each;
            r.phase = SlashPhase.DebitOffenders;
        }
    }

    /// @dev Keeps slash `r`, not done, as the community's pending slash.
    function _save(PendingSlash storage pending, Run memory r) private {
        pending.cap = r.cap.toUint128();
        pending.total = r.total.toUint128();
        pending.bond = r.bond.toUint128();
        pending.each = r.each.toUint128();
        pending.challenger = r.challenger;
        pending.cursor = r.cursor.toUint16();
        pending.phase = r.phase;
        pending.orCredit = r.orCredit;
        pending.selfDispute = r.selfDispute;
        uint256 k = r.offenders.length;
        for (uint256 w = 0; w < k; ++w) {
            pending.offenders[w] = r.offenders[w];
        }
    }

    /// @dev Deletes the community's pending slash, done (its `k` offender words too).
    function _clear(PendingSlash storage pending, uint256 k) private {
        (pending.cap, pending.total, pending.bond, pending.each) = (0, 0, 0, 0);
        (pending.challenger, pending.cursor, pending.phase) = (address(0), 0, SlashPhase.None);
        (pending.orCredit, pending.selfDispute) = (false, false);
        for (uint256 w = 0; w < k; ++w) {
            pending.offenders[w] = 0;
        }
    }

    /// @dev Adds `delta` to the stored credit of every participant in bitmap `who`.
    function _addEach(mapping(uint256 => Member) storage members, uint256[] memory who, int256 delta) private {
        uint256 k = who.length;
        for (uint256 w = 0; w < k; ++w) {
            for (uint256 bits = who[w]; bits != 0; bits &= bits - 1) {
                _addStored(members[(w << 8) | SignerBitmap.lowestBit(bits)], delta);
            }
        }
    }

    /// @dev Takes up to `r.cap` from offender `m`'s bond, then (`r.orCredit`) what the bond lacked from its
    /// positive credit, and fines what neither could pay (a negative credit); returns what it takes (the fine
    /// is not shared out: it is collected later and kept by the hub).
    function _takeOne(Member storage m, Run memory r) private returns (uint256 take) {
        uint256 cap = r.cap;
        uint256 missing = m.bondMissing;
        uint256 bond = r.bond - missing;
        take = bond < cap ? bond : cap;
        // missing + take <= the configured uint128 bond.
        // forge-lint: disable-next-line(unsafe-typecast)
        m.bondMissing = uint128(missing + take);
        if (r.orCredit && take < cap) {
            uint256 rest = cap - take;
            int256 signedCredit = creditOf(m, r.creditPerMember);
            // What the positive credit holds is taken (and shared out); the rest is fined: the credit
            // goes below zero, paid by what the member receives later or from its funds at claim
            // (review 3, B2).
            // forge-lint: disable-next-line(unsafe-typecast)
            uint256 held = signedCredit > 0 ? uint256(signedCredit) : 0;
            take += rest < held ? rest : held;
            _addStored(m, -rest.toInt256());
        }
    }

    /// @dev `set` as a bitmap over `n` participants: ⌈n/256⌉ words (missing ones zero), no bit at or beyond n.
    function _clip(uint256[] memory set, uint256 n) private pure returns (uint256[] memory clipped) {
        uint256 k = SignerBitmap.words(n);
        clipped = new uint256[](k);
        uint256 have = set.length;
        for (uint256 w = 0; w < k && w < have; ++w) {
            clipped[w] = set[w] & SignerBitmap.mask(n, w);
        }
    }

    /// @dev The participants of `n` not in `set` (a bitmap over `n`).
    function _complement(uint256[] memory set, uint256 n) private pure returns (uint256[] memory rest) {
        uint256 k = set.length;
        rest = new uint256[](k);
        for (uint256 w = 0; w < k; ++w) {
            rest[w] = ~set[w] & SignerBitmap.mask(n, w);
        }
    }

    /// @dev The lowest participant in `set` (non-empty).
    function _first(uint256[] memory set) private pure returns (uint256) {
        uint256 w = 0;
        while (set[w] == 0) ++w;
        return (w << 8) | SignerBitmap.lowestBit(set[w]);
    }
}
