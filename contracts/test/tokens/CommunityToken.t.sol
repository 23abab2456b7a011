// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";

contract CommunityTokenTest is Test {
    CommunityToken internal token;

    function setUp() public {
        token = new CommunityToken("Community", "CT", address(this));
    }

    function test_Mint_ByOwner() public {
        token.mint(address(0xBEEF), 42);
        assertEq(token.balanceOf(address(0xBEEF)), 42);
        assertEq(token.totalSupply(), 42);
        assertEq(token.name(), "Community");
        assertEq(token.symbol(), "CT");
        assertEq(token.decimals(), 18);
    }

    function test_RevertWhen_MintByNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBEEF)));
        vm.prank(address(0xBEEF));
        token.mint(address(0xBEEF), 1);
    }
}
