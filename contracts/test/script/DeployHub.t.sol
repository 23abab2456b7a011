// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {DeployHub} from "../../script/DeployHub.s.sol";

contract DeployHubTest is Test {
    function test_Deploy_HubAndToken() public {
        (Hub hub, address token) = new DeployHub().deploy(address(0), address(0xA11CE));
        assertEq(hub.communityCount(), 0);
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = hub.eip712Domain();
        assertEq(name, "DIVERSITY Hub");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifying, address(hub));
        assertEq(CommunityToken(token).owner(), address(0xA11CE));
        assertEq(hub.communityCount(), 0);
    }

    /// The allow-list holds nine modules: the eighth the BLS co-signature scheme, the ninth the auction
    /// market step (communities may choose them).
    function test_Deploy_AllowListsBlsSchemeAndAuction() public {
        vm.recordLogs();
        (Hub hub,) = new DeployHub().deploy(address(0), address(0xA11CE));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        address[] memory enabled = new address[](logs.length);
        uint256 count;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == keccak256("ModuleEnabled(address)")) {
                enabled[count++] = address(uint160(uint256(logs[i].topics[1])));
            }
        }
        assertEq(count, 9);
        (bool isAuction, bytes memory kind) = enabled[8].staticcall(abi.encodeWithSignature("kind()"));
        assertTrue(isAuction);
        assertEq(abi.decode(kind, (uint8)), 2); // MarketKind.Auction
        address bls = enabled[7];
        assertTrue(hub.isModuleEnabled(bls));
        (bool ok, bytes memory ret) = bls.staticcall(abi.encodeWithSignature("popDst(address,uint64)", address(hub), 1));
        assertTrue(ok);
        assertEq(abi.decode(ret, (bytes)).length, 119);
    }

    /// The six standard module sets are registered at deployment (ids 1 to 6), each with its own market kind: a
    /// community opening with one writes none of its slots (`HubModuleSetsTest`).
    function test_Deploy_RegistersStandardModuleSets() public {
        vm.recordLogs();
        (Hub hub,) = new DeployHub().deploy(address(0), address(0xA11CE));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 sets;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == keccak256("ModulesRegistered(uint32,bytes32)"))
            {
                assertEq(uint256(logs[i].topics[1]), ++sets);
            }
        }
        assertEq(sets, 6);
    }

    function test_Deploy_UsesGivenToken() public {
        (, address token) = new DeployHub().deploy(address(0xBEEF), address(0xA11CE));
        assertEq(token, address(0xBEEF));
    }
}
