// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CommunityConfig, CommunityModules, Meter} from "../../src/types/Community.sol";
import {MarketParams, ParticipantState} from "../../src/types/Market.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";

/// @notice When a test community runs: interval length, W, start, window count, challenge period.
struct Schedule {
    uint32 intervalSeconds;
    uint32 windowIntervals;
    uint64 start;
    uint32 windowCount;
    uint32 challengePeriod;
}

/// @notice The one `CommunityConfig` builder of the tests (fixtures, attack tests, invariant handlers):
/// a new field of the config is filled here once.
library ConfigBuilder {
    /// @notice One meter per key, all of meter scheme `scheme`; meter k belongs to participant k.
    function meters(bytes[] memory keys, uint8 scheme) internal pure returns (Meter[] memory ms) {
        ms = new Meter[](keys.length);
        for (uint256 k = 0; k < keys.length; ++k) {
            // k < keys.length, far below 2^32 in any test.
            // forge-lint: disable-next-line(unsafe-typecast)
            ms[k] = Meter(keys[k], scheme, uint32(k));
        }
    }

    /// @notice The config of a community of `participants` and `ms`, on `schedule`, with `market`,
    /// paying in `token`, with a bond and an escrow per participant and the given modules.
    function build(
        address[] memory participants,
        Meter[] memory ms,
        Schedule memory schedule,
        MarketParams memory market,
        IERC20 token,
        uint128 bond,
        uint128 escrow,
        CommunityModules memory modules
    ) internal pure returns (CommunityConfig memory c) {
        c.participants = participants;
        c.meters = ms;
        c.intervalSeconds = schedule.intervalSeconds;
        c.windowIntervals = schedule.windowIntervals;
        c.start = schedule.start;
        c.windowCount = schedule.windowCount;
        c.market = market;
        c.token = token;
        c.bond = bond;
        c.escrow = escrow;
        c.challengePeriod = schedule.challengePeriod;
        c.modules = modules;
    }

    /// @notice The `finalState` argument of `Hub.update` (review 3, B1): empty for a result signed by
    /// every participant (`full`), the packed state for a partial claim. The one place the tests build it.
    function finalState(ParticipantState[] memory state, bool full) internal pure returns (bytes memory) {
        return full ? bytes("") : PackedState.pack(state);
    }

    /// @notice `finalState` for a result whose co-signature blob is `coSignature`: both schemes open it
    /// with the signer bitmap (⌈n/256⌉ words, `SignerBitmap`), so full = every bit of the state's
    /// participants set in every word.
    function finalStateOf(ParticipantState[] memory state, bytes memory coSignature)
        internal
        pure
        returns (bytes memory)
    {
        uint256 n = state.length;
        uint256 words = (n + 255) / 256;
        bool full = coSignature.length >= 32 * words;
        for (uint256 w = 0; full && w < words; ++w) {
            uint256 left = n - 256 * w;
            uint256 all = left >= 256 ? type(uint256).max : (uint256(1) << left) - 1;
            uint256 word;
            assembly ("memory-safe") {
                word := mload(add(coSignature, add(0x20, shl(5, w))))
            }
            full = word == all;
        }
        return finalState(state, full);
    }
}
