// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICoSignatureScheme} from "./ICoSignatureScheme.sol";

/// @title IBlsCoSignatureScheme
/// @notice BLS12-381 aggregate co-signatures (min-sig: signatures in G1, public keys in G2) for
/// communities of up to 1,024 participants. Layouts, tags and gas: docs/bls.md.
interface IBlsCoSignatureScheme is ICoSignatureScheme {
    // ------------------------------------------------------------------ events

    /// @notice Emitted when a participant's public key is registered (its proof of possession held).
    /// @param publicKey The G2 key in EIP-2537 encoding (256 bytes): submitters read keys from here.
    event KeyRegistered(
        address indexed hub, uint64 indexed communityId, uint256 index, address participant, bytes publicKey
    );

    // ------------------------------------------------------------------ register errors

    /// @notice Thrown when `keyData` is not public key (256 bytes) ‖ proof of possession (128 bytes).
    error KeyDataLength(uint256 length);
    /// @notice Thrown when a participant index is not below the scheme's limit of 1,024.
    error IndexOutOfRange(uint256 index);
    /// @notice Thrown when the public key is the point at infinity (it would verify anything).
    error InfinitePublicKey(uint256 index);
    /// @notice Thrown when the proof of possession does not verify: the registrant cannot show it
    /// holds the secret key (the rogue-key attack is stopped here).
    error InvalidProofOfPossession(uint256 index);

    // ------------------------------------------------------------------ verify errors

    /// @notice Thrown when the participant count is 0 or above 1,024.
    error ParticipantCountOutOfRange(uint256 participantCount);
    /// @notice Thrown when participants 0..participantCount-1 are not exactly the registered ones.
    error ParticipantsNotRegistered(uint256 participantCount, uint256 registered);
    /// @notice Thrown when `signatures` is not bitmap ‖ aggregate ‖ the keys the bitmap calls for.
    error SignaturesLength(uint256 expected, uint256 actual);
    /// @notice Thrown when the bitmap names no signer.
    error NoSigners();
    /// @notice Thrown when a key in `signatures` is not the one registered for participant `index`.
    error KeyMismatch(uint256 index);
    /// @notice Thrown when the aggregate signature does not verify under the signers' aggregate key.
    error InvalidAggregateSignature();

    // ------------------------------------------------------------------ functions

    /// @notice Keys registered for (hub, community), and one more than the highest index among them.
    function registeredCount(address hub, uint64 communityId) external view returns (uint256 count, uint256 top);

    /// @notice Sum of the registered public keys of (hub, community), EIP-2537 G2 encoding.
    function aggregateKey(address hub, uint64 communityId) external view returns (bytes memory);

    /// @notice keccak256 of participant `index`'s registered key (EIP-2537 encoding), 0 if none.
    function keyHash(address hub, uint64 communityId, uint256 index) external view returns (bytes32);

    /// @notice Domain separation tag of co-signatures for (this chain, hub, community).
    function signatureDst(address hub, uint64 communityId) external view returns (bytes memory);

    /// @notice Domain separation tag of proofs of possession for (this chain, hub, community).
    function popDst(address hub, uint64 communityId) external view returns (bytes memory);
}
