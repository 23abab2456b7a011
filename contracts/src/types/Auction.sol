// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @notice What the auction step needs besides the state and the readings: the grid prices in force for
/// the interval (a time-of-use tariff changes them from one interval to the next) and the feeder.
/// @dev Prices in payment-token base units per kWh, as `MarketParams`.
struct AuctionParams {
    /// Tariff at which the community buys from the grid in this interval: the cap of every bid.
    uint128 gridBuyPrice;
    /// Tariff at which the grid buys the community's export in this interval: the floor of every ask.
    uint128 gridSellPrice;
    /// Energy the feeder can carry between households in one interval (Wh); 0 = no limit.
    uint64 feederCapacityWh;
}

/// @notice A participant's standing limit prices (token units per kWh), set at join and changed by a
/// signed order that takes effect from a later window. Twin of `LimitPrices` in `node/src/window/state.ts`.
struct LimitPrices {
    /// The most it pays per kWh for its metered deficit.
    uint128 bidPrice;
    /// The least it accepts per kWh for its metered surplus.
    uint128 askPrice;
}

/// @notice The outcome of one interval's auction, beside the new state (for tests, tools and events).
struct AuctionClearing {
    /// Matched volume Q (Wh) = sum of sold = sum of bought.
    uint256 matchedWh;
    /// Price of the last bid level and of the last ask level that received any volume (0 if Q = 0).
    uint256 marginalBid;
    uint256 marginalAsk;
    /// floor(Q * (marginalBid + marginalAsk) / 2000): the token value paid by buyers to sellers.
    uint256 value;
}

/// @title LimitsHash
/// @notice limitsHash(L) = keccak256(abi.encode(LimitPrices[])): the commitment to an auction community's
/// standing limit prices that a hub keeps in place of the prices (one slot instead of N), the prices
/// themselves travelling in calldata and checked against it. Twin of `limitsHash` in
/// `node/src/window/state.ts`; the shared vectors (`limitsHash` of each case in `vectors/auction.json`) tie them.
library LimitsHash {
    function hash(LimitPrices[] memory limits) internal pure returns (bytes32) {
        return keccak256(abi.encode(limits));
    }
}

/// @notice A participant's signed change of its standing limit prices, in force from window `fromWindow` on
/// (DESIGN.md §3, "Standing limit prices"). EIP-712 typed data under the hub's domain ("DIVERSITY Hub", "1",
/// chain id, hub address): signed by the participant's account, relayed by anyone (`ILimitBook.postOrder`).
/// Twin of `LimitOrder` in `node/src/window/limits.ts`; the shared vectors (`vectors/limitOrders.json`) tie
/// the digest.
struct LimitOrder {
    uint64 communityId;
    /// The participant's index in the community's list.
    uint32 participant;
    /// The first window folded with the new prices.
    uint32 fromWindow;
    uint128 bidPrice;
    uint128 askPrice;
    /// Strictly increasing per participant: an older order cannot be replayed.
    uint64 nonce;
}

/// @title LimitOrderHash
/// @notice The EIP-712 digest of a `LimitOrder` under a hub's domain: the one home of the encoding on chain.
library LimitOrderHash {
    bytes32 internal constant TYPEHASH = keccak256(
        "LimitOrder(uint64 communityId,uint32 participant,uint32 fromWindow,uint128 bidPrice,uint128 askPrice,uint64 nonce)"
    );
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    /// @dev The hub's EIP-712 name and version (`Hub`'s `EIP712("DIVERSITY Hub", "1")`).
    bytes32 internal constant HUB_NAME_HASH = keccak256("DIVERSITY Hub");
    bytes32 internal constant HUB_VERSION_HASH = keccak256("1");

    /// @notice The digest a participant signs for `order` on `hub` of this chain.
    function digest(address hub, LimitOrder memory order) internal view returns (bytes32) {
        bytes32 domain = keccak256(abi.encode(DOMAIN_TYPEHASH, HUB_NAME_HASH, HUB_VERSION_HASH, block.chainid, hub));
        bytes32 structHash = keccak256(
            abi.encode(
                TYPEHASH,
                order.communityId,
                order.participant,
                order.fromWindow,
                order.bidPrice,
                order.askPrice,
                order.nonce
            )
        );
        return MessageHashUtils.toTypedDataHash(domain, structHash);
    }
}
