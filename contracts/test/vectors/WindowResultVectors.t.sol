// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {WindowResult} from "../../src/libraries/WindowResult.sol";

/// @notice What a node co-signs and how it names a claim, against TypeScript (`vectors/update.json`,
/// `.windowResults`, written by `node/src/vectors/update.ts` with `windowResultDigest` and `claimHash`):
/// the EIP-712 digest of `WindowResult` (window root, state hash, balances root) under the hub's domain
/// at each vector's chain id, and `Hub.claimHash` (4 fields).
contract WindowResultVectorsTest is Test {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    function test_DigestAndClaimHashMatchTypeScript() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/update.json"));
        address at = vm.parseJsonAddress(json, ".windowResults[0].hub");
        // The vectors are bound to this address: run the hub's (linked) creation code there.
        vm.etch(at, abi.encodePacked(type(Hub).creationCode, abi.encode(new address[](0))));
        (bool ok, bytes memory runtime) = at.call("");
        require(ok, "hub constructor");
        vm.etch(at, runtime);
        Hub hub = Hub(at);
        uint256 cases = 0;
        while (vm.keyExistsJson(json, string.concat(".windowResults[", vm.toString(cases), "]"))) ++cases;
        assertEq(cases, 3, "three cases");
        for (uint256 i = 0; i < cases; ++i) {
            _check(hub, json, string.concat(".windowResults[", vm.toString(i), "]"));
        }
    }

    struct Case {
        uint64 communityId;
        uint32 window;
        bytes32 windowRoot;
        bytes32 stateHash;
        bytes32 balancesRoot;
    }

    function _check(Hub hub, string memory json, string memory p) private {
        vm.chainId(vm.parseJsonUint(json, string.concat(p, ".chainId")));
        Case memory c = Case({
            // forge-lint: disable-next-line(unsafe-typecast)
            communityId: uint64(vm.parseJsonUint(json, string.concat(p, ".communityId"))),
            // forge-lint: disable-next-line(unsafe-typecast)
            window: uint32(vm.parseJsonUint(json, string.concat(p, ".window"))),
            windowRoot: vm.parseJsonBytes32(json, string.concat(p, ".windowRoot")),
            stateHash: vm.parseJsonBytes32(json, string.concat(p, ".stateHash")),
            balancesRoot: vm.parseJsonBytes32(json, string.concat(p, ".balancesRoot"))
        });
        assertEq(_digest(hub, c), vm.parseJsonBytes32(json, string.concat(p, ".digest")), string.concat("digest ", p));
        assertEq(
            hub.claimHash(c.window, c.windowRoot, c.stateHash, c.balancesRoot),
            vm.parseJsonBytes32(json, string.concat(p, ".claimHash")),
            string.concat("claimHash ", p)
        );
    }

    /// @dev EIP-712: the hub's domain (as `eip712Domain` reports it at this chain id) and the struct hash.
    function _digest(Hub hub, Case memory c) private view returns (bytes32) {
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) = hub.eip712Domain();
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), chainId, verifyingContract)
        );
        return keccak256(
            abi.encodePacked(
                "\x19\x01",
                domain,
                WindowResult.structHash(c.communityId, c.window, c.windowRoot, c.stateHash, c.balancesRoot)
            )
        );
    }
}
