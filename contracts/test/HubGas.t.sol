// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ParticipantState} from "../src/types/Market.sol";
import {CommunityConfig} from "../src/types/Community.sol";
import {HubFixture} from "./utils/HubFixture.sol";

/// @notice Named gas snapshots (group "Hub", written to `snapshots/Hub.json`) of open, join, update
/// (fast path: every participant signs, every `net` non-zero) and close at N = 2, 10, 50.
/// Execution gas of the call (gasleft() around it, recorded with vm.snapshotValue); `*_txGas` adds the intrinsic cost
/// (21,000 + calldata, Prague EIP-7623 floor included) for the whole transaction, which must stay
/// under the Osaka per-transaction cap of 16,777,216 (EIP-7825).
/// Check: `forge test --match-contract HubGasTest --gas-snapshot-check=true`.
contract HubGasTest is HubFixture {
    uint256 internal constant TX_GAS_CAP = 16_777_216;

    function setUp() public {
        _deploy(50);
    }

    /// @dev Intrinsic gas of a transaction carrying `data` (EIP-2028 + EIP-7623 floor).
    function _txGas(bytes memory data, uint256 execution) internal pure returns (uint256) {
        uint256 tokens;
        for (uint256 i = 0; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
        uint256 standard = 21_000 + 4 * tokens + execution;
        uint256 floor = 21_000 + 10 * tokens;
        return standard > floor ? standard : floor;
    }

    /// @dev Forget what this test transaction already touched, so each measured call pays cold access
    /// like a transaction of its own (the call to the hub itself then costs 2,600 more than in a real
    /// transaction, where the hub is the warm `to` address). The co-signature module too: the joins of
    /// the same test wrote the slots its `verify` reads.
    function _cool() internal {
        vm.cool(address(hub));
        vm.cool(address(token));
        vm.cool(address(ecdsaModule));
    }

    function _n(uint256 n) internal pure returns (string memory) {
        return string.concat("_N", vm.toString(n));
    }

    function _measureOpen(uint256 n) internal {
        CommunityConfig memory c = _config(n);
        bytes memory data = abi.encodeCall(hub.open, (c));
        _cool();
        uint256 g = gasleft();
        hub.open(c);
        uint256 used = g - gasleft();
        vm.snapshotValue("Hub", string.concat("open", _n(n)), used);
        vm.snapshotValue("Hub", string.concat("open", _n(n), "_txGas"), _txGas(data, used));
    }

    function _measureJoinAndUpdate(uint256 n) internal {
        uint64 id = _open(n);
        for (uint256 i = 1; i < n; ++i) {
            vm.prank(nodes[i]);
            hub.join(id, "");
        }
        // The last join also activates the community.
        vm.prank(nodes[0]);
        _cool();
        uint256 g = gasleft();
        hub.join(id, "");
        uint256 used = g - gasleft();
        vm.snapshotValue("Hub", string.concat("join_last", _n(n)), used);

        ParticipantState[] memory s = _alternatingState(n, 100);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(n));
        // Arguments built before measuring: only the hub's work is counted.
        (bytes memory packed, bytes memory blob) = (_packed(s), _pack(sigs));
        bytes memory data = abi.encodeCall(hub.update, (id, 0, _root(0), packed, blob));
        _cool();
        g = gasleft();
        hub.update(id, 0, _root(0), packed, blob);
        used = g - gasleft();
        uint256 txGas = _txGas(data, used);
        vm.snapshotValue("Hub", string.concat("update_fastPath", _n(n)), used);
        vm.snapshotValue("Hub", string.concat("update_fastPath", _n(n), "_txGas"), txGas);
        assertLt(txGas, TX_GAS_CAP);

        for (uint32 w = 1; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(n));
        }
        _cool();
        g = gasleft();
        hub.close(id);
        used = g - gasleft();
        vm.snapshotValue("Hub", string.concat("close", _n(n)), used);
    }

    function test_Gas_N2() public {
        _measureOpen(2);
        _measureJoinAndUpdate(2);
    }

    function test_Gas_N10() public {
        _measureOpen(10);
        _measureJoinAndUpdate(10);
    }

    function test_Gas_N50() public {
        _measureOpen(50);
        _measureJoinAndUpdate(50);
    }

    function test_Gas_PendingAndFinalize_N10() public {
        uint64 id = _openActive(10);
        ParticipantState[] memory s = _alternatingState(10, 100);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _only(3));
        (bytes memory packed, bytes memory blob) = (_packed(s), _pack(sigs));
        _cool();
        uint256 g = gasleft();
        hub.update(id, 0, _root(0), packed, blob);
        vm.snapshotValue("Hub", "update_pending_N10", g - gasleft());
        vm.warp(block.timestamp + CHALLENGE);
        _cool();
        g = gasleft();
        hub.finalize(id);
        vm.snapshotValue("Hub", "finalize_N10", g - gasleft());
    }
}
