// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {SignerSet} from "../../src/libraries/SignerSet.sol";

/// @dev Holds a participant index and exposes the calldata recovery to tests.
contract SignerSetHarness {
    mapping(address => uint256) internal indexPlusOne;

    constructor(address[] memory ps) {
        for (uint256 i = 0; i < ps.length; ++i) {
            indexPlusOne[ps[i]] = i + 1;
        }
    }

    function recover(bytes32 digest, bytes[] calldata sigs) external view returns (uint256) {
        return SignerSet.recover(digest, sigs, indexPlusOne);
    }
}

contract SignerSetTest is Test {
    SignerSetHarness internal harness;
    uint256[] internal keys;
    bytes32 internal constant DIGEST = keccak256("digest");

    function setUp() public {
        address[] memory ps = new address[](4);
        for (uint256 i = 0; i < 4; ++i) {
            keys.push(uint256(keccak256(abi.encode("signer", i))));
            ps[i] = vm.addr(keys[i]);
        }
        harness = new SignerSetHarness(ps);
    }

    function _sig(uint256 i) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], DIGEST);
        return abi.encodePacked(r, s, v);
    }

    function test_Recover_BitmapOfSigners() public view {
        bytes[] memory sigs = new bytes[](2);
        (sigs[0], sigs[1]) = (_sig(3), _sig(1));
        assertEq(harness.recover(DIGEST, sigs), 0x0a);
    }

    function test_RevertWhen_RecoverHighS() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], DIGEST);
        // The malleable twin (n - s, flipped v) recovers the same key; OpenZeppelin rejects it.
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidSignature.selector, 0));
        harness.recover(DIGEST, sigs);
    }

    function test_All() public pure {
        assertEq(SignerSet.all(1), 1);
        assertEq(SignerSet.all(3), 7);
        assertEq(SignerSet.all(256), type(uint256).max);
    }
}
