// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {DisputeKind, StepProof} from "../../src/types/Dispute.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

/// @notice Review 6 (round s16), through the real hub on the dispute fixture's community (N = M = 10, W = 96,
/// Mmr): a BadStep proof is `bytes` the verifier ABI-decodes into memory before the market module reads its
/// packed parts from the calldata of a second call. Cut short, or with a length word claiming bytes that belong
/// to the next field, it is refused: nothing is read as zero padding, and the wrong claim is then proven by
/// the same proof whole.
contract StepProofAttacksTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    /// @dev Commits `proof`, then reveals it against window 0's pending claim; returns the call's outcome.
    function _try(bytes memory proof) internal returns (bool ok, bytes memory ret) {
        (bytes32 root, bytes32 stateHash, bytes32 balancesRoot) = _pendingClaim(id, 0);
        _commit(challenger, id, 0, DisputeKind.BadStep, proof);
        vm.roll(block.number + 1);
        vm.prank(challenger);
        (ok, ret) = address(hub)
            .call(abi.encodeCall(hub.dispute, (id, 0, root, stateHash, balancesRoot, DisputeKind.BadStep, proof)));
    }

    function _cut(bytes memory b, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) {
            out[i] = b[i];
        }
    }

    /// Attack: a wrong claim (step 60 moves 1,000 tokens) disputed with its BadStep proof cut by its last word
    /// (the empty tariff's length), by one byte, and by one byte of the energy once the energy is made the last
    /// field; and with the energy's length word raised by one entry (16 bytes of the next field). Each is
    /// refused (the ABI decoder's empty revert data, or `EnergyHashMismatch`); the whole proof then rejects the
    /// claim and slashes its signers.
    function test_RevertWhen_StepProofCutShort_Attack() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        StepProof memory p = _stepProof(c, 60);
        bytes memory proof = abi.encode(p);
        bytes[] memory bad = new bytes[](4);
        bad[0] = _cut(proof, proof.length - 32);
        bad[1] = _cut(proof, proof.length - 1);
        // The energy last: its offset word (the 4th head word of the struct, after the tuple's offset word)
        // pointed at a copy of its tail appended at the end, cut by one byte.
        bytes memory energyTail = abi.encodePacked(p.energy.length, p.energy);
        bytes memory moved = bytes.concat(proof, energyTail);
        _setWord(moved, 32 + 3 * 32, proof.length - 32);
        bad[2] = _cut(moved, moved.length - 1);
        // The energy's length word + 16: the decoder takes 16 bytes of the next field (limits' length word).
        bytes memory longer = bytes.concat(proof);
        uint256 energyAt = 32 + _word(proof, 32 + 3 * 32);
        assertEq(_word(longer, energyAt), p.energy.length);
        _setWord(longer, energyAt, p.energy.length + 16);
        bad[3] = longer;
        for (uint256 k; k < bad.length; ++k) {
            (bool ok, bytes memory ret) = _try(bad[k]);
            assertFalse(ok, "refused");
            if (k < 3) assertEq(ret.length, 0, "the ABI decoder's revert");
            else assertEq(ret, abi.encodeWithSelector(IDisputeVerifier.EnergyHashMismatch.selector));
        }
        // The moved encoding whole is the same proof (the verifier decodes what the offsets name): it proves.
        (bool proven,) = _try(moved);
        assertTrue(proven, "the whole proof, energy moved last");
        _assertRejectedAndRecoversAfterBadStep();
    }

    function _word(bytes memory b, uint256 at) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(b, 0x20), at))
        }
    }

    function _setWord(bytes memory b, uint256 at, uint256 w) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(b, 0x20), at), w)
        }
    }

    /// @dev The claim is gone and its three signers slashed (as `DisputeTest._assertRejectedAndRecovers`).
    function _assertRejectedAndRecoversAfterBadStep() internal view {
        assertEq(uint8(hub.windowRecord(id, 0).status), 0, "claim rejected");
        for (uint256 i = 0; i < 3; ++i) {
            (uint256 aBond,,,,) = hub.member(id, i);
            assertEq(aBond, 0, "signer slashed");
        }
    }
}
