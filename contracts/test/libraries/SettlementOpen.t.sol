// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {MeterRegistry} from "../../src/libraries/MeterRegistry.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {Meter} from "../../src/types/Community.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";

/// @dev Calls `Settlement.meterRoot` with its list in calldata, as `Hub.open` does.
contract MeterRootCaller {
    function meterRoot(Meter[] calldata list, uint256 participantCount, uint256 schemeCount)
        external
        view
        returns (bytes32 root)
    {
        uint256 count;
        (root, count) = this.meterRootPacked(OpenCodec.encodeMeters(list), participantCount, schemeCount);
        assertCount(count, list.length);
    }

    function meterRootPacked(bytes calldata list, uint256 participantCount, uint256 schemeCount)
        external
        pure
        returns (bytes32, uint256)
    {
        return Settlement.meterRoot(list, participantCount, schemeCount);
    }

    function assertCount(uint256 count, uint256 expected) internal pure {
        require(count == expected, "meter count");
    }

    function registryRoot(Meter[] calldata list) external pure returns (bytes32) {
        return MeterRegistry.root(list);
    }
}

/// @notice `Hub.open`'s meter-list checks (`Settlement.meterRoot`), each attack on the list refused by name,
/// each bound accepted at its edge. `HubTest` performs the same attacks through `open`; these call the
/// library alone, so a mutation run over the checks rebuilds the library and this file only
/// (`MUTATE_PRUNE`, docs/disputes.md).
contract SettlementOpenTest is Test {
    MeterRootCaller internal caller = new MeterRootCaller();

    /// @dev `count` Ed25519-sized meters, owners 0, 0, 1, 1, ... (grouped), scheme 0.
    function _meters(uint256 count) internal pure returns (Meter[] memory list) {
        list = new Meter[](count);
        for (uint256 j = 0; j < count; ++j) {
            // forge-lint: disable-next-line(unsafe-typecast)
            list[j] = Meter(abi.encodePacked(bytes32(j + 1)), 0, uint32(j / 2));
        }
    }

    function test_MeterRoot_IsTheRegistryRootOfAValidList() public view {
        Meter[] memory list = _meters(6);
        assertEq(caller.meterRoot(list, 3, 1), caller.registryRoot(list));
    }

    /// Attack: a community with no meter (nothing to fold; every window trivially "honest").
    function test_RevertWhen_NoMeters() public {
        vm.expectRevert(IHub.NoMeters.selector);
        caller.meterRoot(new Meter[](0), 3, 1);
    }

    /// Attack: more meters than a proof can open in one transaction (issue 10's bound).
    function test_RevertWhen_TooManyMeters() public {
        uint256 max = MeterRegistry.MAX_METERS;
        Meter[] memory list = _meters(max + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyMeters.selector, max + 1, max));
        caller.meterRoot(list, max, 1);
        // The bound itself opens.
        Meter[] memory full = _meters(max);
        assertEq(caller.meterRoot(full, max / 2, 1), caller.registryRoot(full));
    }

    /// Attack: a meter owned by nobody (its energy credited to no participant, or to an index out of the state).
    function test_RevertWhen_MeterOwnerOutOfRange() public {
        Meter[] memory list = _meters(6);
        list[5].owner = 3;
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterOwnerOutOfRange.selector, 5, uint32(3)));
        caller.meterRoot(list, 3, 1);
        list[5].owner = 2;
        caller.meterRoot(list, 3, 1);
    }

    /// Attack: one owner's meters split into two ranges (its last running sum would not be its energy, §4).
    function test_RevertWhen_MetersNotGroupedByOwner() public {
        Meter[] memory list = _meters(6);
        list[3].owner = 0;
        vm.expectRevert(abi.encodeWithSelector(IHub.MetersNotGroupedByOwner.selector, 3));
        caller.meterRoot(list, 3, 1);
    }

    /// Attack: a meter of a scheme the community did not name (no verifier for its signatures).
    function test_RevertWhen_MeterSchemeOutOfRange() public {
        Meter[] memory list = _meters(4);
        list[2].scheme = 2;
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterSchemeOutOfRange.selector, 2, uint8(2)));
        caller.meterRoot(list, 2, 2);
        list[2].scheme = 1;
        caller.meterRoot(list, 2, 2);
    }

    /// Attack: a key longer than any scheme's (a record no proof can carry within its bounds).
    function test_RevertWhen_InvalidMeterKey() public {
        Meter[] memory list = _meters(4);
        list[1].publicKey = new bytes(MeterRegistry.MAX_KEY_LENGTH + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidMeterKey.selector, 1));
        caller.meterRoot(list, 2, 1);
        list[1].publicKey = new bytes(MeterRegistry.MAX_KEY_LENGTH);
        caller.meterRoot(list, 2, 1);
    }
}
