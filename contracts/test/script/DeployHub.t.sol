// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
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

    function test_Deploy_UsesGivenToken() public {
        (, address token) = new DeployHub().deploy(address(0xBEEF), address(0xA11CE));
        assertEq(token, address(0xBEEF));
    }
}
