// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ICoSignatureScheme} from "../interfaces/ICoSignatureScheme.sol";

/// @title EcdsaSignerSet
/// @notice Co-signature scheme: each participant signs the EIP-712 digest with its node's secp256k1 key
/// (the participant address itself); `signatures` is the concatenation of 65-byte r ‖ s ‖ v signatures
/// in any order. Cost grows with the number of signers (one ecrecover each).
contract EcdsaSignerSet is ICoSignatureScheme {
    /// @notice Length of one signature.
    uint256 public constant SIGNATURE_LENGTH = 65;

    /// @dev hub → community → participant address → index + 1 (0 = not registered).
    mapping(address hub => mapping(uint64 communityId => mapping(address participant => uint256))) internal
        _indexPlusOne;

    /// @inheritdoc ICoSignatureScheme
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external {
        if (keyData.length != 0) revert InvalidKeyData(communityId, index);
        mapping(address => uint256) storage idx = _indexPlusOne[msg.sender][communityId];
        if (idx[participant] != 0) revert AlreadyRegistered(communityId, index);
        idx[participant] = index + 1;
    }

    /// @inheritdoc ICoSignatureScheme
    function verify(uint64 communityId, bytes32 digest, uint256 participantCount, bytes calldata signatures)
        external
        view
        returns (uint256 signers)
    {
        uint256 length = signatures.length;
        if (length == 0) revert NoSignatures();
        if (length % SIGNATURE_LENGTH != 0) revert MalformedSignatures(length);
        mapping(address => uint256) storage idx = _indexPlusOne[msg.sender][communityId];
        uint256 count = length / SIGNATURE_LENGTH;
        for (uint256 i = 0; i < count; ++i) {
            bytes calldata sig = signatures[i * SIGNATURE_LENGTH:(i + 1) * SIGNATURE_LENGTH];
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, sig);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            uint256 signerIndexPlusOne = idx[signer];
            if (signerIndexPlusOne == 0 || signerIndexPlusOne > participantCount) revert SignerNotParticipant(signer);
            // Bit (index) of the participant: the literal 1 is meant to be shifted.
            // forge-lint: disable-next-line(incorrect-shift)
            uint256 bit = 1 << (signerIndexPlusOne - 1);
            if (signers & bit != 0) revert DuplicateSigner(signer);
            signers |= bit;
        }
    }

    /// @notice Index + 1 of `participant` in community `communityId` of `hub` (0 = not registered).
    function indexPlusOne(address hub, uint64 communityId, address participant) external view returns (uint256) {
        return _indexPlusOne[hub][communityId][participant];
    }
}
