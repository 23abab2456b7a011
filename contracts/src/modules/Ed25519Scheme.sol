// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMeterScheme} from "../interfaces/IMeterScheme.sol";
import {Ed25519} from "../libraries/Ed25519.sol";

/// @title Ed25519Scheme
/// @notice Meter scheme: 32-byte Ed25519 public keys, 64-byte R ‖ S signatures over the reading bytes
/// (RFC 8032, cofactorless, strict: S < L, canonical A and R, no small-order key).
contract Ed25519Scheme is IMeterScheme {
    /// @inheritdoc IMeterScheme
    function isValidKey(bytes calldata publicKey) external view returns (bool) {
        // forge-lint: disable-next-line(unsafe-typecast) length checked to be 32 first
        return publicKey.length == 32 && Ed25519.isStrictPublicKey(bytes32(publicKey));
    }

    /// @inheritdoc IMeterScheme
    function verify(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool)
    {
        if (publicKey.length != 32 || signature.length != 64) return false;
        // forge-lint: disable-next-line(unsafe-typecast) length checked to be 32 above
        return Ed25519.verifyReading(bytes32(publicKey), message, signature);
    }
}
