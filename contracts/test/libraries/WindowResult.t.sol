// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {WindowResult} from "../../src/libraries/WindowResult.sol";

contract WindowResultTest is Test {
    function test_Typehash_IsTheDocumentedTypeString() public pure {
        assertEq(
            WindowResult.TYPEHASH,
            keccak256(
                bytes(
                    "WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,bytes32 stateHash,bytes32 balancesRoot)"
                )
            )
        );
    }

    function testFuzz_StructHash_IsAbiEncodedFields(
        uint64 id,
        uint32 w,
        bytes32 root,
        bytes32 stateHash,
        bytes32 balancesRoot
    ) public pure {
        assertEq(
            WindowResult.structHash(id, w, root, stateHash, balancesRoot),
            keccak256(abi.encode(WindowResult.TYPEHASH, uint256(id), uint256(w), root, stateHash, balancesRoot))
        );
    }
}
