// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ParticipantState} from "../../src/types/Market.sol";
import {SidePrefix, StepEntry} from "../../src/libraries/StepEntries.sol";

// Test code: the vector files' numbers are in range of their fields.
// forge-lint: disable-start(unsafe-typecast)

/// @notice A step entry as the vector files write it (`flattenEntry` in node/src/vectors/stepEntries.ts): 19
/// numbers, the state's seven fields, E_t[j]'s two, then sell's and buy's five running sums each.
library FlatEntry {
    function state(int256[] memory x) internal pure returns (ParticipantState memory s) {
        s.exportWh = uint64(uint256(x[0]));
        s.importWh = uint64(uint256(x[1]));
        s.p2pSoldWh = uint64(uint256(x[2]));
        s.p2pBoughtWh = uint64(uint256(x[3]));
        s.gridSoldWh = uint64(uint256(x[4]));
        s.gridBoughtWh = uint64(uint256(x[5]));
        s.net = x[6];
    }

    function entry(int256[] memory x) internal pure returns (StepEntry memory e) {
        e.state = state(x);
        e.exportWh = uint64(uint256(x[7]));
        e.importWh = uint64(uint256(x[8]));
        e.sell = SidePrefix(uint256(x[9]), uint256(x[10]), uint256(x[11]), uint256(x[12]), uint256(x[13]));
        e.buy = SidePrefix(uint256(x[14]), uint256(x[15]), uint256(x[16]), uint256(x[17]), uint256(x[18]));
    }
}
// forge-lint: disable-end(unsafe-typecast)
