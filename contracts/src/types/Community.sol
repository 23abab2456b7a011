// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MarketParams} from "./Market.sol";

/// @notice Signature scheme of a meter's public key.
enum KeyScheme {
    /// 32-byte Ed25519 public key.
    Ed25519,
    /// 64-byte uncompressed P-256 public key (x ‖ y), verified through the EIP-7951 precompile.
    P256
}

/// @notice A registered meter: its public key, the scheme of the key, and the participant owning it.
struct Meter {
    bytes publicKey;
    KeyScheme scheme;
    /// Index into the community's participant list.
    uint32 owner;
}

/// @notice Everything `Hub.open` registers for a community (DESIGN.md §5).
struct CommunityConfig {
    /// Node addresses, one per participant; the index is the participant's id in the window state.
    address[] participants;
    Meter[] meters;
    /// Length of one interval in seconds (DESIGN.md default 900).
    uint32 intervalSeconds;
    /// W: intervals per window.
    uint32 windowIntervals;
    /// Timestamp at which interval 0 starts.
    uint64 start;
    /// Number of windows; the community can close after the last one is final.
    uint32 windowCount;
    MarketParams market;
    /// ERC-20 in which bonds, escrow and the reaction are paid (no fee-on-transfer or rebasing tokens).
    IERC20 token;
    /// Bond each participant deposits at join (token units).
    uint128 bond;
    /// Escrow each participant deposits at join (token units).
    uint128 escrow;
    /// Seconds a result signed by some but not all participants stays pending.
    uint32 challengePeriod;
}

/// @notice Lifecycle of a community.
enum CommunityStatus {
    /// No community under this id.
    None,
    /// Opened; waiting for every participant to join.
    Opening,
    /// Everyone joined; windows can be updated.
    Active,
    /// Closed (after the last window, or aborted before becoming Active); deposits returned.
    Closed
}

/// @notice Lifecycle of one window's result.
enum WindowStatus {
    None,
    /// Signed by some but not all participants; final once the challenge period has passed.
    Pending,
    /// Applied: the reaction moved the escrowed tokens.
    Final
}

/// @notice What the hub stores for one window's result.
struct WindowRecord {
    bytes32 windowRoot;
    /// StateHash.hash(S_W) of the final state the reaction pays out.
    bytes32 stateHash;
    /// Bit i set = participant i signed.
    uint256 signers;
    /// Block timestamp of the accepted update.
    uint64 submittedAt;
    WindowStatus status;
}

/// @notice One participant's money in a community (token units).
struct ParticipantAccount {
    /// Escrow: pays (and receives) the reaction; topped up with `deposit`.
    uint128 escrow;
    /// Bond: pays what escrow cannot; slashable by disputes (later work).
    uint128 bond;
    /// What the participant still owes after escrow and bond ran dry; repaid with `repayDebt`.
    uint128 debt;
    /// What the participant was owed but not paid because debtors were short; paid by repayments.
    uint128 claim;
}

/// @notice Read-only summary of a community for off-chain nodes.
struct CommunityInfo {
    CommunityStatus status;
    IERC20 token;
    uint64 start;
    uint32 intervalSeconds;
    uint32 windowIntervals;
    uint32 windowCount;
    uint32 challengePeriod;
    uint128 bond;
    uint128 escrow;
    MarketParams market;
    uint32 participantCount;
    uint32 meterCount;
    /// Bit i set = participant i has joined.
    uint256 joined;
    /// Windows final so far; also the next window to be updated.
    uint32 finalizedWindows;
    /// Sum of all participants' debt (always equals the sum of all claims).
    uint256 totalDebt;
}
