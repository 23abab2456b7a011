// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "./IHub.sol";
import {LimitOrder, LimitPrices} from "../types/Auction.sol";

/// @title ILimitBook
/// @notice The order book of an auction community's standing limit prices (DESIGN.md §3, "Standing limit
/// prices"), kept by the community's auction market module and keyed by (hub, communityId): the limits
/// hash in force for window w is the one of the last epoch with fromWindow ≤ w, else the open's
/// `MarketParams.limitsHash`. The dispute verifier asks it for the hash of the disputed window; the hub
/// knows nothing of it. Moves no money.
interface ILimitBook {
    /// @notice Thrown when the community's market module is not this book (its orders would never be read).
    error NotCommunityBook(address hub, uint64 communityId);
    /// @notice Thrown when the community is closed: no window is left to fold.
    error BookClosed(uint64 communityId);
    /// @notice Thrown when the order names no participant of the community.
    error ParticipantOutOfRange(uint32 participant, uint256 participantCount);
    /// @notice Thrown when the signature does not recover to the account listed at the order's index
    /// (shown by its genesis balances leaf): an outsider or another member cannot change a member's prices.
    error NotParticipantSigner(uint32 participant, address signer);
    /// @notice Thrown when the nonce is not above the participant's last posted one (a replayed or older order).
    error StaleNonce(uint64 nonce, uint64 last);
    /// @notice Thrown when the order's window has begun by the hub's clock (`firstOpen` = the first window
    /// that has not): it could change a window already folded or being folded, and turn an honest pending
    /// claim into a "wrong" one.
    error OrderWindowStarted(uint32 fromWindow, uint256 firstOpen);
    /// @notice Thrown when the order's window is more than `MAX_LEAD_WINDOWS` after the first window that has
    /// not begun: epochs only grow, so a far-future order would freeze every other member's prices until then.
    error OrderTooFarAhead(uint32 fromWindow, uint256 latestAllowed);
    /// @notice Thrown when the order's window is before the latest epoch's (epochs are kept in window order).
    error OrderBeforeLatestEpoch(uint32 fromWindow, uint32 latestFromWindow);
    /// @notice Thrown when the order's window is not a window of the community.
    error OrderWindowOutOfRange(uint32 fromWindow, uint32 windowCount);
    /// @notice Thrown when the limits given as the current ones are not one pair per participant hashing to
    /// the latest hash (`expected`; the open's before any order) or to the open's.
    error StaleLimits(bytes32 expected, bytes32 actual);

    /// @notice An order was posted: `limits` (one pair per participant, the full new array, so a node or an
    /// auditor rebuilds every epoch from the chain alone) hash to `limitsHash`, in force from `fromWindow`.
    event LimitOrderPosted(
        address indexed hub,
        uint64 indexed communityId,
        uint32 indexed participant,
        uint32 fromWindow,
        uint64 nonce,
        bytes32 limitsHash,
        LimitPrices[] limits
    );

    /// @notice Most windows an order may take effect after the first window that has not begun.
    function MAX_LEAD_WINDOWS() external view returns (uint32);

    /// @notice Posts `order`, signed (EIP-712, the hub's domain) by participant `order.participant`, whose
    /// genesis balances leaf (account, escrow, 0, 0) is proven by `genesisProof` under the hub's genesis
    /// balances root. Anyone may relay it. The signature covers the participant's own pair only: `current`
    /// is unsigned, either the limits of the latest epoch (the cheaper relay) or the open's (those hashing
    /// to the community's `MarketParams.limitsHash`), over which the book puts back every member's last
    /// posted pair. No order makes the open's limits stale, so no member's order can keep another's from
    /// landing (review 4, L1); both give the same new limits: the latest with the order's pair replaced.
    /// @return limitsHash The hash of the new limits, in force from `order.fromWindow`.
    function postOrder(
        IHub hub,
        LimitOrder calldata order,
        bytes calldata signature,
        bytes32[] calldata genesisProof,
        LimitPrices[] calldata current
    ) external returns (bytes32 limitsHash);

    /// @notice The limits hash in force for `window` of (hub, communityId): the last epoch's with
    /// fromWindow ≤ window, else `openHash` (the community's `MarketParams.limitsHash`).
    function limitsHashAt(address hub, uint64 communityId, uint32 window, bytes32 openHash)
        external
        view
        returns (bytes32);

    /// @notice The latest epoch (fromWindow, hash) and the number of epochs; (0, 0, 0) before any order.
    function latestEpoch(address hub, uint64 communityId)
        external
        view
        returns (uint32 fromWindow, bytes32 limitsHash, uint256 epochCount);

    /// @notice The last nonce posted for `participant` (0 before any order).
    function nonceOf(address hub, uint64 communityId, uint32 participant) external view returns (uint64);
}
