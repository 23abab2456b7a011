// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ICoSignatureScheme} from "../../src/interfaces/ICoSignatureScheme.sol";
import {EcdsaSignerSet} from "../../src/modules/EcdsaSignerSet.sol";

/// @notice The ECDSA co-signature module: bitmaps of signers, keys kept per (hub, community).
contract EcdsaSignerSetTest is Test {
    EcdsaSignerSet internal set = new EcdsaSignerSet();
    uint256[] internal keys;
    bytes32 internal constant DIGEST = keccak256("digest");
    address internal hubA = makeAddr("hubA");
    address internal hubB = makeAddr("hubB");

    function setUp() public {
        for (uint256 i = 0; i < 4; ++i) {
            keys.push(uint256(keccak256(abi.encode("signer", i))));
            vm.prank(hubA);
            set.register(1, i, vm.addr(keys[i]), "");
        }
    }

    function _sig(uint256 i) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], DIGEST);
        return abi.encodePacked(r, s, v);
    }

    function test_Verify_BitmapOfSigners() public {
        vm.prank(hubA);
        assertEq(set.verify(1, DIGEST, 4, bytes.concat(_sig(3), _sig(1))), 0x0a);
    }

    function test_RevertWhen_OtherHubOrCommunity() public {
        // Keys registered by hub A for community 1 mean nothing to hub B, or to community 2.
        vm.prank(hubB);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[0])));
        set.verify(1, DIGEST, 4, _sig(0));
        vm.prank(hubA);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[0])));
        set.verify(2, DIGEST, 4, _sig(0));
    }

    function test_RevertWhen_IndexBeyondParticipantCount() public {
        vm.prank(hubA);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[3])));
        set.verify(1, DIGEST, 3, _sig(3));
    }

    function test_RevertWhen_Duplicate() public {
        vm.prank(hubA);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.DuplicateSigner.selector, vm.addr(keys[2])));
        set.verify(1, DIGEST, 4, bytes.concat(_sig(2), _sig(2)));
    }

    function test_RevertWhen_MalformedOrEmpty() public {
        vm.startPrank(hubA);
        vm.expectRevert(ICoSignatureScheme.NoSignatures.selector);
        set.verify(1, DIGEST, 4, "");
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 64));
        set.verify(1, DIGEST, 4, new bytes(64));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 1));
        set.verify(1, DIGEST, 4, bytes.concat(_sig(0), new bytes(65)));
        vm.stopPrank();
    }

    function test_RevertWhen_HighS() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], DIGEST);
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes memory twin = abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.prank(hubA);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 0));
        set.verify(1, DIGEST, 4, twin);
    }

    function test_RevertWhen_RegisterTwiceOrWithKeyData() public {
        vm.startPrank(hubA);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.AlreadyRegistered.selector, 1, 0));
        set.register(1, 0, vm.addr(keys[0]), "");
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidKeyData.selector, 1, 5));
        set.register(1, 5, makeAddr("p5"), hex"01");
        vm.stopPrank();
    }
}
