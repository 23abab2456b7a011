// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ParticipantState, StateHash} from "../../src/types/Market.sol";

/// @notice How the market and auction vectors give a state's hash: `tryStateHash` of
/// `node/src/window/state.ts`, the zero hash for a state whose net has no packed encoding (prices beyond
/// the hub's bounds at open). The replays compare it with `StateHash.tryHash` here, once.
library StateHashVectors {
    /// @notice Whether `StateHash.tryHash(state)` is what the vector gives: encodable iff the hash is not
    /// zero, and then that hash.
    function matches(ParticipantState[] memory state, bytes32 expected) internal pure returns (bool) {
        (bool ok, bytes32 h) = StateHash.tryHash(state);
        return ok ? h == expected : expected == bytes32(0);
    }
}
