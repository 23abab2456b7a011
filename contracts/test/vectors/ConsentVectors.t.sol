// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {HubSetup} from "../../src/HubSetup.sol";
import {OpenConfig} from "../../src/types/Community.sol";

/// @notice A participant's consent to a community opened together, against TypeScript (`vectors/consent.json`,
/// written by `node/src/vectors/consent.ts` with `openConsentDigest` and `signOpenConsent`): the config's
/// `abi.encode` and hash, the EIP-712 digest `HubSetup.consentDigest` computes under each vector's hub and chain,
/// and the 64-byte consent recovering to its signer.
contract ConsentVectorsTest is Test {
    function test_ConsentDigestMatchesTypeScript() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/consent.json"));
        uint256 cases = vm.parseJsonUint(json, ".count");
        assertEq(cases, 3);
        address code = address(new HubSetup());
        for (uint256 i = 0; i < cases; ++i) {
            _check(json, string.concat(".cases[", vm.toString(i), "]"), code);
        }
    }

    function _check(string memory json, string memory at, address code) internal {
        address hub = vm.parseJsonAddress(json, string.concat(at, ".hub"));
        // The digest is bound to the hub's address and chain: the setup's code answers there, as through the
        // hub's delegatecall.
        vm.etch(hub, code.code);
        vm.chainId(vm.parseJsonUint(json, string.concat(at, ".chainId")));
        bytes memory encoded = vm.parseJsonBytes(json, string.concat(at, ".encodedConfig"));
        assertEq(keccak256(encoded), vm.parseJsonBytes32(json, string.concat(at, ".configHash")));
        OpenConfig memory config = abi.decode(encoded, (OpenConfig));
        assertEq(abi.encode(config), encoded, "abi.encode of the decoded config");
        bytes32 digest = HubSetup(hub).consentDigest(config, vm.parseJsonUint(json, string.concat(at, ".deadline")));
        assertEq(digest, vm.parseJsonBytes32(json, string.concat(at, ".digest")));
        bytes memory consent = vm.parseJsonBytes(json, string.concat(at, ".consent"));
        assertEq(consent.length, 64);
        bytes32 r;
        bytes32 vs;
        assembly {
            r := mload(add(consent, 0x20))
            vs := mload(add(consent, 0x40))
        }
        assertEq(ECDSA.recover(digest, r, vs), vm.parseJsonAddress(json, string.concat(at, ".signer")));
    }
}
