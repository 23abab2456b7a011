// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {BLS12381} from "../libraries/BLS12381.sol";
import {SignerBitmap} from "../libraries/SignerBitmap.sol";
import {IBlsCoSignatureScheme} from "../interfaces/IBlsCoSignatureScheme.sol";
import {ICoSignatureScheme} from "../interfaces/ICoSignatureScheme.sol";

/// @title BlsCoSignatureScheme
/// @notice Co-signature module: BLS12-381 aggregate signatures, min-sig (signatures in G1, keys in
/// G2), one pairing check per verification whatever the community size (docs/bls.md).
/// @dev Attacks and the rule that stops each:
/// - rogue key (register pk' = [x]G2 - pk_victim, then sign alone for both): a proof of possession
///   over (key ‖ participant) under a tag distinct from co-signatures, checked at `register`;
/// - cross-community / cross-chain / cross-hub replay: both tags bind chain id, hub and community;
/// - a key copied from another participant: the proof signs the participant's address too;
/// - the point at infinity as a key (verifies anything): rejected at `register`;
/// - a submitter naming wrong keys for the absent (or present) participants: each key must hash to
///   the one registered for its index; bits at or above the participant count are rejected;
/// - keys or signatures outside the prime-order subgroup: the pairing precompile rejects them
///   (every key went through a pairing at `register`, the aggregate signature goes through one here).
/// State is keyed by (msg.sender = hub, communityId): a caller can only touch its own communities.
contract BlsCoSignatureScheme is IBlsCoSignatureScheme {
    /// @notice Most participants per community (`SignerBitmap.MAX_PARTICIPANTS`): at most 4 words of bitmap.
    uint256 public constant MAX_PARTICIPANTS = SignerBitmap.MAX_PARTICIPANTS;
    uint256 internal constant KEY_DATA_SIZE = BLS12381.G2_SIZE + BLS12381.G1_SIZE;

    /// @dev Purpose prefixes of the domain separation tags; twins of `node/src/crypto/bls.ts`. The tag is
    /// prefix ‖ chainid (32 bytes) ‖ hub (20 bytes) ‖ communityId (8 bytes): 121 and 119 bytes.
    bytes internal constant SIGNATURE_DST_PREFIX = "DIVERSITY-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_COSIG_";
    bytes internal constant POP_DST_PREFIX = "DIVERSITY-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";

    struct CommunityKeys {
        /// Keys registered.
        uint32 registered;
        /// One more than the highest registered index: with `registered`, proves 0..n-1 are exactly the keys.
        uint32 top;
        /// Sum of the registered keys: the four 48-byte Fp coordinates of an EIP-2537 G2 point, packed.
        bytes32[6] aggregate;
        /// index -> keccak256 of the key's EIP-2537 encoding (0: none).
        mapping(uint256 => bytes32) keyHash;
    }

    /// hub -> communityId -> keys
    mapping(address => mapping(uint64 => CommunityKeys)) internal _communities;

    // ------------------------------------------------------------------ register

    /// @inheritdoc ICoSignatureScheme
    /// @dev Nothing to keep: a BLS key is registered at join, with its proof of possession.
    function open(uint64, bytes calldata) external pure {}

    /// @inheritdoc ICoSignatureScheme
    /// @dev `keyData` = public key (G2, 256 bytes) ‖ proof of possession (G1, 128 bytes), the proof
    /// being a signature over (public key ‖ participant) under the PoP tag of (chain, hub, community).
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external {
        if (keyData.length != KEY_DATA_SIZE) revert KeyDataLength(keyData.length);
        if (index >= MAX_PARTICIPANTS) revert IndexOutOfRange(index);
        CommunityKeys storage c = _communities[msg.sender][communityId];
        if (c.keyHash[index] != 0) revert AlreadyRegistered(communityId, index);
        bytes memory pk = keyData[:BLS12381.G2_SIZE];
        if (BLS12381.isInfinity(pk)) revert InfinitePublicKey(index);

        // e(pop, -G2) · e(H_pop(pk ‖ participant), pk) = 1; also checks pk and pop are subgroup points.
        bytes memory h =
            BLS12381.hashToG1(abi.encodePacked(pk, participant), _dst(POP_DST_PREFIX, msg.sender, communityId));
        bytes memory input = abi.encodePacked(keyData[BLS12381.G2_SIZE:], BLS12381.NEG_G2, h, pk);
        if (!BLS12381.pairingCheck(input)) revert InvalidProofOfPossession(index);

        c.keyHash[index] = keccak256(pk);
        _storeAggregate(c, BLS12381.g2Add(_loadAggregate(c), pk));
        c.registered += 1;
        // index < MAX_PARTICIPANTS fits 32 bits.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (index >= c.top) c.top = uint32(index + 1);
        emit KeyRegistered(msg.sender, communityId, index, participant, pk);
    }

    /// @inheritdoc ICoSignatureScheme
    /// @dev Always 0: a BLS member registers its key at `join` (the hub records its index there), and
    /// `register` refuses the empty key `openTogether` passes, so no community here is ever opened together.
    function indexOf(uint64, address) external pure returns (uint256) {
        return 0;
    }

    // ------------------------------------------------------------------ verify

    /// @inheritdoc ICoSignatureScheme
    /// @dev `signatures` = bitmap (⌈n/256⌉ words) ‖ aggregate signature (G1, 128 bytes) ‖ the keys
    /// (G2, 256 bytes each, ascending index) of the absent participants when they are fewer than half,
    /// otherwise of the present ones.
    function verify(uint64 communityId, bytes32 digest, uint256 participantCount, bytes calldata signatures)
        external
        view
        returns (uint256[] memory signers)
    {
        signers = _verify(communityId, digest, participantCount, signatures);
    }

    function _verify(uint64 communityId, bytes32 digest, uint256 n, bytes calldata signatures)
        internal
        view
        returns (uint256[] memory signers)
    {
        if (n == 0 || n > MAX_PARTICIPANTS) revert ParticipantCountOutOfRange(n);
        CommunityKeys storage c = _communities[msg.sender][communityId];
        {
            (uint256 registered, uint256 top) = (c.registered, c.top);
            if (registered != n || top != n) revert ParticipantsNotRegistered(n, registered);
        }
        uint256 keysAt;
        uint256 present;
        (signers, keysAt, present) = _readBitmap(n, signatures);
        bytes memory apk = _signersKey(c, signers, n, present, signatures[keysAt:]);
        _checkSignature(communityId, digest, signatures[keysAt - BLS12381.G1_SIZE:keysAt], apk);
    }

    /// @dev e(sig, -G2) · e(H(digest), apk) = 1, else reverts.
    function _checkSignature(uint64 communityId, bytes32 digest, bytes calldata sig, bytes memory apk) private view {
        bytes memory h =
            BLS12381.hashToG1(abi.encodePacked(digest), _dst(SIGNATURE_DST_PREFIX, msg.sender, communityId));
        if (!BLS12381.pairingCheck(abi.encodePacked(sig, BLS12381.NEG_G2, h, apk))) revert InvalidAggregateSignature();
    }

    /// @dev The bitmap words at the head of `signatures`, where the keys start, and how many signed.
    function _readBitmap(uint256 n, bytes calldata signatures)
        private
        pure
        returns (uint256[] memory signers, uint256 keysAt, uint256 present)
    {
        keysAt = SignerBitmap.words(n) * 32 + BLS12381.G1_SIZE;
        if (signatures.length < keysAt) revert SignaturesLength(keysAt, signatures.length);
        (signers, present) = SignerBitmap.read(signatures, n);
        if (present == 0) revert NoSigners();
    }

    /// @dev Aggregate key of the signers: name the fewer keys, so subtract the absent ones from the
    /// stored aggregate when they are fewer than half, otherwise add the present ones (a tie adds:
    /// it skips reading the stored aggregate, measured ~15,000 gas cheaper at 100 keys, docs/bls.md).
    function _signersKey(
        CommunityKeys storage c,
        uint256[] memory signers,
        uint256 n,
        uint256 present,
        bytes calldata keys
    ) private view returns (bytes memory apk) {
        bool subtract = n - present < present;
        uint256 k = subtract ? n - present : present;
        if (keys.length != k * BLS12381.G2_SIZE) {
            uint256 head = signers.length * 32 + BLS12381.G1_SIZE;
            revert SignaturesLength(head + k * BLS12381.G2_SIZE, head + keys.length);
        }
        if (k == 0) return _loadAggregate(c);
        apk = _sumKeys(c, signers, n, subtract, keys);
        if (subtract) {
            BLS12381.g2NegateInPlace(apk);
            apk = BLS12381.g2Add(_loadAggregate(c), apk);
        }
    }

    /// @dev Sum of the keys in `keys`, which belong, in order, to the participants absent from
    /// `bitmap` (subtract) or present in it (add); each must hash to its registered key.
    function _sumKeys(CommunityKeys storage c, uint256[] memory bitmap, uint256 n, bool subtract, bytes calldata keys)
        private
        view
        returns (bytes memory sum)
    {
        // acc ‖ next: G2ADD adds the two in place into acc.
        bytes memory pair = new bytes(2 * BLS12381.G2_SIZE);
        uint256 at;
        uint256 words = bitmap.length;
        for (uint256 w = 0; w < words; ++w) {
            uint256 bits = bitmap[w];
            if (subtract) {
                bits = ~bits & SignerBitmap.mask(n, w);
            }
            while (bits != 0) {
                uint256 index;
                assembly ("memory-safe") {
                    // Lowest set bit: 255 - clz(bits & -bits).
                    index := add(shl(8, w), sub(255, clz(and(bits, sub(0, bits)))))
                }
                bytes32 expected = c.keyHash[index];
                bool ok = true;
                assembly ("memory-safe") {
                    // The first key goes into acc, every later one into next, then acc += next;
                    // only a key that hashes to the registered one reaches the precompile.
                    let dst := add(add(pair, 0x20), mul(gt(at, 0), 0x100))
                    calldatacopy(dst, add(keys.offset, at), 0x100)
                    ok := eq(keccak256(dst, 0x100), expected)
                }
                if (!ok) revert KeyMismatch(index);
                if (at > 0) {
                    assembly ("memory-safe") {
                        ok := staticcall(gas(), 0x0d, add(pair, 0x20), 0x200, add(pair, 0x20), 0x100)
                    }
                    if (!ok) revert BLS12381.PrecompileFailed(BLS12381.G2_ADD);
                }
                at += BLS12381.G2_SIZE;
                bits &= bits - 1;
            }
        }
        sum = new bytes(BLS12381.G2_SIZE);
        assembly ("memory-safe") {
            mcopy(add(sum, 0x20), add(pair, 0x20), 0x100)
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IBlsCoSignatureScheme
    function registeredCount(address hub, uint64 communityId) external view returns (uint256 count, uint256 top) {
        CommunityKeys storage c = _communities[hub][communityId];
        (count, top) = (c.registered, c.top);
    }

    /// @inheritdoc IBlsCoSignatureScheme
    function aggregateKey(address hub, uint64 communityId) external view returns (bytes memory) {
        return _loadAggregate(_communities[hub][communityId]);
    }

    /// @inheritdoc IBlsCoSignatureScheme
    function keyHash(address hub, uint64 communityId, uint256 index) external view returns (bytes32) {
        return _communities[hub][communityId].keyHash[index];
    }

    /// @inheritdoc IBlsCoSignatureScheme
    function signatureDst(address hub, uint64 communityId) external view returns (bytes memory) {
        return _dst(SIGNATURE_DST_PREFIX, hub, communityId);
    }

    /// @inheritdoc IBlsCoSignatureScheme
    function popDst(address hub, uint64 communityId) external view returns (bytes memory) {
        return _dst(POP_DST_PREFIX, hub, communityId);
    }

    // ------------------------------------------------------------------ internals

    function _dst(bytes memory prefix, address hub, uint64 communityId) internal view returns (bytes memory) {
        return abi.encodePacked(prefix, block.chainid, hub, communityId);
    }

    /// @dev The stored aggregate as an EIP-2537 G2 point (each 48-byte coordinate after 16 zero bytes).
    function _loadAggregate(CommunityKeys storage c) internal view returns (bytes memory p) {
        bytes32[6] memory packed = c.aggregate;
        p = new bytes(BLS12381.G2_SIZE);
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                mcopy(add(p, add(0x30, mul(i, 0x40))), add(packed, mul(i, 0x30)), 0x30)
            }
        }
    }

    function _storeAggregate(CommunityKeys storage c, bytes memory p) internal {
        bytes32[6] memory packed;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                mcopy(add(packed, mul(i, 0x30)), add(p, add(0x30, mul(i, 0x40))), 0x30)
            }
        }
        c.aggregate = packed;
    }
}
