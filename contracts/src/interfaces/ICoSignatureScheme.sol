// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface ICoSignatureScheme {
    /// Called by the hub when participant `index` (address `participant`) joins community
    /// `communityId` of hub msg.sender; `keyData` is scheme-specific (ECDSA: empty; BLS: pubkey ‖
    /// proof of possession). Module state is keyed by (msg.sender, communityId).
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external;
    /// Bitmap of the participants whose co-signature over `digest` is in `signatures`
    /// (ECDSA: signatures; BLS: bitmap + aggregate); reverts on an invalid one.
    function verify(uint64 communityId, bytes32 digest, uint256 participantCount, bytes calldata signatures)
        external view returns (uint256 signers);
}
