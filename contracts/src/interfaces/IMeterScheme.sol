// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMeterScheme
/// @notice A meter signature scheme (Ed25519, P-256, ...): a module fixed at hub deployment, named by
/// a community in `CommunityModules.meterSchemes`. Stateless.
interface IMeterScheme {
    /// @notice Whether a meter may be registered with `publicKey` (length, and a usable point: no
    /// small-order Ed25519 key, no P-256 point off the curve).
    function isValidKey(bytes calldata publicKey) external view returns (bool);

    /// @notice Whether `signature` by `publicKey` over the reading bytes `message` verifies.
    /// @dev Never reverts on malformed input: returns false.
    function verify(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool);
}
