// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IHub} from "../interfaces/IHub.sol";
import {ILimitBook} from "../interfaces/ILimitBook.sol";
import {IMarketStep} from "../interfaces/IMarketStep.sol";
import {Auction} from "../libraries/Auction.sol";
import {Balances} from "../libraries/Balances.sol";
import {EnergyVector} from "../libraries/EnergyVector.sol";
import {PackedLimits} from "../libraries/PackedLimits.sol";
import {PackedState} from "../libraries/PackedState.sol";
import {EntryFault, StepEntries, StepEntry} from "../libraries/StepEntries.sol";
import {Balance, CommunityInfo, CommunityStatus} from "../types/Community.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../types/Market.sol";
import {AuctionParams, LimitOrder, LimitOrderHash, LimitPrices, LimitsHash} from "../types/Auction.sol";
import {TariffPublisher} from "./TariffPublisher.sol";

/// @title AuctionMarketStep
/// @notice The auction market step F(S_{t-1}, E_t) -> S_t behind `IMarketStep`, over the `Auction` library,
/// and the order book of the communities that name it (`ILimitBook`). The standing limit prices travel in
/// calldata and must hash to the commitment in force for the stepped window (`MarketParams.limitsHash` as
/// the verifier hands it: the open's, or the book's latest epoch with fromWindow ≤ the window), so a hub
/// keeps one slot per community instead of N price pairs and nothing per order.
/// @dev The prices set at open must be known to every participant before it joins (an honest node does not
/// join a community whose limits hash it cannot open: no step of it could be recomputed on chain).
/// `publishLimits` puts them on chain as an event, content-addressed by their hash; every order's event
/// carries the full new array, so any node or auditor rebuilds the prices of every window from the chain
/// alone. Grid prices are those of the `MarketParams` handed to `step` (the interval's, under a time-of-use
/// tariff: `DisputeVerifier._marketAt`).
/// The book trusts the hub it is given for that hub's own communities only: entries are keyed by the hub's
/// address, and the verifier reads them under the address of the hub that pushed the dispute.
contract AuctionMarketStep is IMarketStep, ILimitBook, TariffPublisher {
    /// @inheritdoc ILimitBook
    uint32 public constant MAX_LEAD_WINDOWS = 2;

    /// @dev One change of the community's limits: the hash of the full array, in force from `fromWindow`.
    struct Epoch {
        bytes32 limitsHash;
        uint32 fromWindow;
    }

    /// @dev The book of one (hub, communityId): epochs in non-decreasing fromWindow (one per window at
    /// most), each participant's last nonce, and each participant's last posted pair (`prices[i]` is set
    /// iff bit i % 256 of `posted[i / 256]` is). Invariant: the latest epoch's array is the open's with
    /// every posted pair in place, so an order relayed over the open's array (which no order changes)
    /// is never stale (review 4, L1).
    struct Book {
        Epoch[] epochs;
        mapping(uint32 participant => uint64) nonces;
        mapping(uint32 participant => LimitPrices) prices;
        mapping(uint256 word => uint256) posted;
    }

    mapping(address hub => mapping(uint64 communityId => Book)) internal _books;

    /// @notice Thrown when the limit prices given do not hash to the committed `limitsHash`: a prover who
    /// swaps a participant's prices could otherwise make a right step look wrong (or a wrong one right).
    error LimitsHashMismatch(bytes32 expected, bytes32 actual);

    /// @notice The preimage of a limits hash: standing limit prices, one pair per participant by index.
    event LimitsPublished(bytes32 indexed limitsHash, LimitPrices[] limits);

    /// @inheritdoc IMarketStep
    function kind() external pure returns (MarketKind) {
        return MarketKind.Auction;
    }

    /// @inheritdoc IMarketStep
    /// @dev Checks `p.kind` (a Totals or Mmr community cannot be folded as an auction), then `limits`
    /// against `p.limitsHash`, then steps (the library checks one pair per participant).
    function step(
        MarketParams calldata p,
        ParticipantState[] calldata prev,
        uint256[] calldata exported,
        uint256[] calldata imported,
        LimitPrices[] calldata limits
    ) external pure returns (ParticipantState[] memory) {
        _check(p, LimitsHash.hash(limits));
        return Auction.stepEnergy(_params(p), prev, exported, imported, limits);
    }

    /// @inheritdoc IMarketStep
    /// @dev `step`'s checks in the same order; the inputs are read from calldata and S_t is written over
    /// S_{t-1}, so that one state is in memory (the worst case at N = 1,000: DESIGN.md §5.4).
    function stepHash(MarketParams calldata p, bytes calldata prevState, bytes calldata energy, bytes calldata limits)
        external
        pure
        returns (bool, bytes32)
    {
        _check(p, PackedLimits.hash(limits));
        ParticipantState[] memory state = PackedState.unpackCalldata(prevState);
        (uint256[] memory exported, uint256[] memory imported) = EnergyVector.decodeCalldata(energy);
        Auction.stepEnergyInPlace(_params(p), state, exported, imported, PackedLimits.unpackCalldata(limits));
        return StateHash.tryHash(state);
    }

    /// @inheritdoc IMarketStep
    /// @dev The merit order is not a prefix sum: an auction has no one-participant step (its BadStep is O(N)).
    function judgeEntry(
        MarketParams calldata,
        uint256,
        ParticipantState calldata,
        StepEntry calldata,
        StepEntry calldata,
        StepEntry calldata
    ) external pure returns (EntryFault) {
        revert StepEntries.UnsupportedMarketKind(MarketKind.Auction);
    }

    /// @dev Refuses another market kind (`WrongMarketKind`) and prices whose hash is not the community's
    /// (`LimitsHashMismatch`): the one home of both entry points' checks.
    function _check(MarketParams calldata p, bytes32 actual) private pure {
        if (p.kind != MarketKind.Auction) {
            revert WrongMarketKind(MarketKind.Auction, p.kind);
        }
        if (actual != p.limitsHash) revert LimitsHashMismatch(p.limitsHash, actual);
    }

    /// @dev The interval's grid prices and feeder capacity, as the auction library takes them.
    function _params(MarketParams calldata p) private pure returns (AuctionParams memory) {
        return AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh);
    }

    /// @notice Emits `limits` under their hash (what an auction community's `MarketParams.limitsHash` names)
    /// for nodes and auditors to read back; anyone may call it, any number of times. Stores nothing.
    function publishLimits(LimitPrices[] calldata limits) external returns (bytes32 limitsHash) {
        limitsHash = LimitsHash.hash(limits);
        emit LimitsPublished(limitsHash, limits);
    }

    // ------------------------------------------------------------------ the order book

    /// @inheritdoc ILimitBook
    /// @dev Cheap checks first, the signature and the leaf proof last. Writes the participant's nonce and
    /// pair and one epoch (or replaces the latest one's hash when the order is for the same window).
    function postOrder(
        IHub hub,
        LimitOrder calldata order,
        bytes calldata signature,
        bytes32[] calldata genesisProof,
        LimitPrices[] calldata current
    ) external returns (bytes32) {
        (CommunityInfo memory info, bool overOpen) = _checkOrder(hub, order, current);
        _checkSigner(address(hub), info, order, signature, genesisProof);
        return _record(address(hub), order, current, overOpen);
    }

    /// @dev Everything but the signature: the community names this book and is not closed, the participant
    /// exists, the window (`_checkWindow`), the nonce, and `current` is one pair per participant hashing to
    /// the latest hash or to the open's (`overOpen`: the posted pairs are put back in `_record`).
    function _checkOrder(IHub hub, LimitOrder calldata order, LimitPrices[] calldata current)
        private
        view
        returns (CommunityInfo memory info, bool overOpen)
    {
        info = hub.community(order.communityId);
        if (address(info.modules.market) != address(this)) revert NotCommunityBook(address(hub), order.communityId);
        if (info.status == CommunityStatus.Closed) revert BookClosed(order.communityId);
        uint256 n = info.participantCount;
        if (order.participant >= n) revert ParticipantOutOfRange(order.participant, n);
        _checkWindow(info, order.fromWindow);
        Book storage book = _books[address(hub)][order.communityId];
        uint64 last = book.nonces[order.participant];
        if (order.nonce <= last) revert StaleNonce(order.nonce, last);
        bytes32 latest = _latestBefore(book, order.fromWindow, info.market.limitsHash);
        bytes32 actual = LimitsHash.hash(current);
        if (current.length != n) revert StaleLimits(latest, actual);
        if (actual == latest) return (info, false);
        if (actual != info.market.limitsHash) revert StaleLimits(latest, actual);
        overOpen = true;
    }

    /// @dev Builds the latest array with the participant's pair replaced (over the open's: every posted
    /// pair put back first), stores the nonce, the pair and the epoch (the latest one's hash replaced when
    /// it is for the same window), emits the full new array.
    function _record(address hub, LimitOrder calldata order, LimitPrices[] calldata current, bool overOpen)
        private
        returns (bytes32 limitsHash)
    {
        Book storage book = _books[hub][order.communityId];
        LimitPrices[] memory next = current;
        if (overOpen) {
            uint256 bits;
            for (uint256 i = 0; i < next.length; ++i) {
                if (i & 255 == 0) bits = book.posted[i >> 8];
                // i < participantCount ≤ 2^32 (`CommunityInfo.participantCount` is a uint32 count).
                // forge-lint: disable-next-line(unsafe-typecast)
                if ((bits >> (i & 255)) & 1 != 0) next[i] = book.prices[uint32(i)];
            }
        }
        LimitPrices memory pair = LimitPrices(order.bidPrice, order.askPrice);
        next[order.participant] = pair;
        limitsHash = LimitsHash.hash(next);
        book.nonces[order.participant] = order.nonce;
        book.prices[order.participant] = pair;
        book.posted[order.participant >> 8] |= uint256(1) << (order.participant & 255);
        uint256 k = book.epochs.length;
        if (k > 0 && book.epochs[k - 1].fromWindow == order.fromWindow) book.epochs[k - 1].limitsHash = limitsHash;
        else book.epochs.push(Epoch(limitsHash, order.fromWindow));
        emit LimitOrderPosted(
            hub, order.communityId, order.participant, order.fromWindow, order.nonce, limitsHash, next
        );
    }

    /// @inheritdoc ILimitBook
    /// @dev Binary search for the last epoch with fromWindow ≤ window. An epoch for window w is written only
    /// before w begins (`_checkWindow`), so the answer for a window under way or past never changes.
    function limitsHashAt(address hub, uint64 communityId, uint32 window, bytes32 openHash)
        external
        view
        returns (bytes32)
    {
        Epoch[] storage epochs = _books[hub][communityId].epochs;
        (uint256 lo, uint256 hi) = (0, epochs.length);
        // Invariant: epochs[0..lo) have fromWindow ≤ window, epochs[hi..) have fromWindow > window.
        while (lo < hi) {
            uint256 mid = (lo + hi) >> 1;
            if (epochs[mid].fromWindow <= window) lo = mid + 1;
            else hi = mid;
        }
        return lo == 0 ? openHash : epochs[lo - 1].limitsHash;
    }

    /// @inheritdoc ILimitBook
    function latestEpoch(address hub, uint64 communityId)
        external
        view
        returns (uint32 fromWindow, bytes32 limitsHash, uint256 epochCount)
    {
        Epoch[] storage epochs = _books[hub][communityId].epochs;
        epochCount = epochs.length;
        if (epochCount > 0) {
            (limitsHash, fromWindow) = (epochs[epochCount - 1].limitsHash, epochs[epochCount - 1].fromWindow);
        }
    }

    /// @inheritdoc ILimitBook
    function nonceOf(address hub, uint64 communityId, uint32 participant) external view returns (uint64) {
        return _books[hub][communityId].nonces[participant];
    }

    /// @dev `fromWindow` is a window of the community that has not begun by the hub's clock (block time),
    /// and at most MAX_LEAD_WINDOWS after the first such window.
    function _checkWindow(CommunityInfo memory info, uint32 fromWindow) private view {
        if (fromWindow >= info.windowCount) revert OrderWindowOutOfRange(fromWindow, info.windowCount);
        uint256 firstOpen;
        // The hub's clock (its windows end by block time): a proposer's skew of seconds moves the boundary of
        // an order's window by as much, never lets it into a window folded or under way by that clock.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= info.start) {
            // intervalSeconds, windowIntervals > 0 (checked at open).
            firstOpen = (block.timestamp - info.start) / (uint256(info.intervalSeconds) * info.windowIntervals) + 1;
        }
        if (fromWindow < firstOpen) revert OrderWindowStarted(fromWindow, firstOpen);
        if (fromWindow > firstOpen + MAX_LEAD_WINDOWS) {
            revert OrderTooFarAhead(fromWindow, firstOpen + MAX_LEAD_WINDOWS);
        }
    }

    /// @dev The latest hash (the open's before any order); reverts when `fromWindow` is before the latest epoch.
    function _latestBefore(Book storage book, uint32 fromWindow, bytes32 openHash) private view returns (bytes32) {
        uint256 k = book.epochs.length;
        if (k == 0) return openHash;
        Epoch storage top = book.epochs[k - 1];
        if (fromWindow < top.fromWindow) revert OrderBeforeLatestEpoch(fromWindow, top.fromWindow);
        return top.limitsHash;
    }

    /// @dev The signature recovers to the account listed at the order's index: its genesis balances leaf
    /// (account, escrow, 0, 0) is under the hub's genesis balances root at that index.
    function _checkSigner(
        address hub,
        CommunityInfo memory info,
        LimitOrder calldata order,
        bytes calldata signature,
        bytes32[] calldata genesisProof
    ) private view {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(LimitOrderHash.digest(hub, order), signature);
        Balance memory leaf = Balance(signer, info.escrow, 0, 0);
        if (
            err != ECDSA.RecoverError.NoError
                || !Balances.verify(
                    info.genesisBalancesRoot, info.participantCount, order.participant, leaf, 0, genesisProof
                )
        ) revert NotParticipantSigner(order.participant, signer);
    }
}
