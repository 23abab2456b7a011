// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICoSignatureScheme
/// @notice How the participants of a community co-sign a window result (ECDSA signer set now; BLS
/// aggregate later): a module fixed at hub deployment, named by a community in
/// `CommunityModules.coSignature`. Its state is keyed by (hub = msg.sender, communityId), so one
/// module serves many hubs and communities and no hub can touch another's keys.
interface ICoSignatureScheme {
    /// @notice Thrown when `register` is called twice for one (hub, community, index).
    error AlreadyRegistered(uint64 communityId, uint256 index);
    /// @notice Thrown when `keyData` is not what the scheme expects (ECDSA: empty).
    error InvalidKeyData(uint64 communityId, uint256 index);
    /// @notice Thrown when `signatures` carries no signature.
    error NoSignatures();
    /// @notice Thrown when `signatures` is not a whole number of signatures of the scheme.
    error MalformedSignatures(uint256 length);
    /// @notice Thrown when a signature is invalid (ECDSA: malformed, high s, or not recoverable).
    error InvalidSignature(uint256 signatureIndex);
    /// @notice Thrown when a signature is by someone not registered in the community.
    error SignerNotParticipant(address signer);
    /// @notice Thrown when one participant's signature appears twice.
    error DuplicateSigner(address signer);

    /// @notice Called by the hub once, when community `communityId` of hub msg.sender opens, with its participant
    /// list (`OpenConfig.participants`: 20 bytes per participant in index order, checked by the hub: non-zero,
    /// distinct, at most 1,024). A scheme whose keys are the participants' addresses (ECDSA) keeps the list here
    /// and needs nothing at join; others ignore it.
    function open(uint64 communityId, bytes calldata participants) external;

    /// @notice Called by the hub when participant `index` (address `participant`) joins community
    /// `communityId` of hub msg.sender; `keyData` is scheme-specific (ECDSA: empty; BLS: pubkey ‖
    /// proof of possession). Module state is keyed by (msg.sender, communityId).
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external;

    /// @notice Participant `participant`'s index + 1 in community `communityId` of the calling hub, 0 if it is not
    /// one. The hub asks only for a community opened together (`Hub.openTogether`), where it records no index.
    /// A scheme that never holds such a community (its members register keys at `join`) returns 0.
    function indexOf(uint64 communityId, address participant) external view returns (uint256 indexPlusOne);

    /// @notice Bitmap of the participants whose co-signature over `digest` is in `signatures`, as
    /// ⌈participantCount/256⌉ words (`SignerBitmap`: participant i is bit i % 256 of word i / 256, no bit
    /// at or beyond participantCount), at the head of `signatures` (ECDSA: then the 64-byte EIP-2098
    /// signatures in index order; BLS: then the aggregate and the named keys); reverts on an invalid one.
    function verify(uint64 communityId, bytes32 digest, uint256 participantCount, bytes calldata signatures)
        external
        view
        returns (uint256[] memory signers);
}
