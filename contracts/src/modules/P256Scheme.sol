// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {IMeterScheme} from "../interfaces/IMeterScheme.sol";

/// @title P256Scheme
/// @notice Meter scheme: 64-byte uncompressed P-256 public keys (x ‖ y), 64-byte r ‖ s ECDSA signatures
/// over sha256(reading bytes). Verified through the EIP-7951 precompile at 0x100 where the chain has it,
/// and in Solidity (OpenZeppelin `P256.verify`) where it does not: on a chain without the precompile an
/// honest reading still verifies, so it can never be counted as forged.
/// @dev Like node:crypto, both s and N - s are accepted (OpenZeppelin only takes the low one: the high
/// one is folded down first). Which of the two a meter produced is not a fraud question: the reading's
/// identity is its encoding, and the commitment binds the exact signature bytes.
contract P256Scheme is IMeterScheme {
    /// @inheritdoc IMeterScheme
    function isValidKey(bytes calldata publicKey) external pure returns (bool) {
        return publicKey.length == 64 && P256.isValidPublicKey(bytes32(publicKey[0:32]), bytes32(publicKey[32:64]));
    }

    /// @inheritdoc IMeterScheme
    function verify(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool)
    {
        if (publicKey.length != 64 || signature.length != 64) return false;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        if (uint256(s) > P256.N / 2 && uint256(s) < P256.N) s = bytes32(P256.N - uint256(s));
        return P256.verify(sha256(message), r, s, bytes32(publicKey[0:32]), bytes32(publicKey[32:64]));
    }
}
