// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IHub} from "../interfaces/IHub.sol";

/// @title SignerSet
/// @notice Recovers the participants that signed a digest, as a bitmap over participant indices.
library SignerSet {
    /// @notice Bitmap of the participants whose signatures over `digest` are in `signatures`.
    /// @dev Reverts on a malformed signature, a signer that is not a participant, or a signer seen
    /// twice. `indexPlusOne` maps a participant address to its index + 1 (0 = not a participant).
    function recover(bytes32 digest, bytes[] calldata signatures, mapping(address => uint256) storage indexPlusOne)
        internal
        view
        returns (uint256 signers)
    {
        uint256 count = signatures.length;
        if (count == 0) revert IHub.NoSignatures();
        for (uint256 i = 0; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert IHub.InvalidSignature(i);
            uint256 idx = indexPlusOne[signer];
            if (idx == 0) revert IHub.SignerNotParticipant(signer);
            // Bit (index) of the participant: the literal 1 is meant to be shifted.
            // forge-lint: disable-next-line(incorrect-shift)
            uint256 bit = 1 << (idx - 1);
            if (signers & bit != 0) revert IHub.DuplicateSigner(signer);
            signers |= bit;
        }
    }

    /// @notice Bitmap with bits 0..n-1 set: every one of `n` (<= 256) participants.
    function all(uint256 n) internal pure returns (uint256) {
        return n == 256 ? type(uint256).max : (uint256(1) << n) - 1;
    }
}
