// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SignerBitmap
/// @notice The one home of the signer-set rules (DESIGN.md §5.1b): a set of participants of a community
/// of `n` is ⌈n/256⌉ words, participant i being bit i % 256 of word i / 256; no bit at or beyond `n`.
/// Used by the co-signature modules (reading a blob's head), the hub (full or partial, its record),
/// `Settlement` (who pays, who receives) and the dispute verifier (an owner's bit). Twin of
/// `node/src/chain/signerBitmap.ts` (vectors in `update.json`).
/// @dev A pending claim's record keeps one word, its `ref`: the bitmap itself for n ≤ 256 (what it
/// cost before sets grew wider), otherwise keccak256 of the words, which are stored once under that
/// hash (`Settlement.saveSigners`: content-addressed, so two records of one set share them).
library SignerBitmap {
    /// @notice Most participants a community can have: four words of bitmap.
    uint256 internal constant MAX_PARTICIPANTS = 1024;
    /// @notice Most words of a bitmap (MAX_PARTICIPANTS / 256): the `uint256[4]` of the hub's stored sets.
    uint256 internal constant MAX_WORDS = 4;

    /// @notice Thrown when a bitmap has `actual` words where ⌈n/256⌉ = `expected` are due.
    error BitmapWords(uint256 expected, uint256 actual);
    /// @notice Thrown when a bitmap sets a bit at or beyond the participant count `n`.
    error SignerOutOfRange(uint256 n);

    /// @notice ⌈n/256⌉: the words of a bitmap over `n` participants.
    function words(uint256 n) internal pure returns (uint256) {
        return (n + 255) >> 8;
    }

    /// @notice Mask of the valid bits of word `w` of a bitmap over `n` participants.
    function mask(uint256 n, uint256 w) internal pure returns (uint256) {
        uint256 rest = n - (w << 8);
        return rest >= 256 ? type(uint256).max : (uint256(1) << rest) - 1;
    }

    /// @notice Everyone of `n`: bits 0..n-1.
    function all(uint256 n) internal pure returns (uint256[] memory set) {
        uint256 k = words(n);
        set = new uint256[](k);
        for (uint256 w = 0; w < k; ++w) {
            set[w] = mask(n, w);
        }
    }

    /// @notice Just participant `i` of `n` (i < n).
    function single(uint256 n, uint256 i) internal pure returns (uint256[] memory set) {
        set = new uint256[](words(n));
        set[i >> 8] = uint256(1) << (i & 255);
    }

    /// @notice Whether `set` holds every participant of `n` (`set` validated for `n`: ⌈n/256⌉ words).
    function isAll(uint256[] memory set, uint256 n) internal pure returns (bool) {
        uint256 k = set.length;
        for (uint256 w = 0; w < k; ++w) {
            if (set[w] != mask(n, w)) return false;
        }
        return true;
    }

    /// @notice Whether participant `i` is in `set` (false beyond its words).
    function contains(uint256[] memory set, uint256 i) internal pure returns (bool) {
        uint256 w = i >> 8;
        return w < set.length && (set[w] >> (i & 255)) & 1 != 0;
    }

    /// @notice `contains` of a set in calldata.
    function containsIn(uint256[] calldata set, uint256 i) internal pure returns (bool) {
        uint256 w = i >> 8;
        return w < set.length && (set[w] >> (i & 255)) & 1 != 0;
    }

    /// @notice Number of participants in `set`.
    function count(uint256[] memory set) internal pure returns (uint256 total) {
        uint256 k = set.length;
        for (uint256 w = 0; w < k; ++w) {
            total += popcount(set[w]);
        }
    }

    /// @notice Reverts unless `set` is a bitmap over `n` participants: ⌈n/256⌉ words (`BitmapWords`), no
    /// bit at or beyond `n` (`SignerOutOfRange`).
    function validate(uint256[] memory set, uint256 n) internal pure {
        uint256 k = words(n);
        if (set.length != k) revert BitmapWords(k, set.length);
        if (k > 0 && set[k - 1] & ~mask(n, k - 1) != 0) revert SignerOutOfRange(n);
    }

    /// @notice The bitmap over `n` participants at the head of a co-signature blob (⌈n/256⌉ words,
    /// validated), and how many it names. The blob must hold the words (the caller checks its length).
    function read(bytes calldata blob, uint256 n) internal pure returns (uint256[] memory set, uint256 signers) {
        uint256 k = words(n);
        set = new uint256[](k);
        for (uint256 w = 0; w < k; ++w) {
            uint256 word;
            assembly ("memory-safe") {
                word := calldataload(add(blob.offset, shl(5, w)))
            }
            set[w] = word;
            signers += popcount(word);
        }
        validate(set, n);
    }

    /// @notice The one word a record keeps of `set`: the bitmap for one word, else keccak256 of the words.
    function ref(uint256[] memory set) internal pure returns (uint256 r) {
        if (set.length == 1) return set[0];
        assembly ("memory-safe") {
            r := keccak256(add(set, 0x20), shl(5, mload(set)))
        }
    }

    /// @notice Index of the lowest set bit of `x` (non-zero): the bits below it, counted. No CLZ (EIP-7939):
    /// the co-signature modules run on chains without it too (the Prague test of `Attacks.t.sol`).
    function lowestBit(uint256 x) internal pure returns (uint256) {
        unchecked {
            return popcount((x & (0 - x)) - 1);
        }
    }

    /// @notice Bits set in `x` (SWAR: 2-, 4-, 8-, then 16-bit lanes summed by one multiplication).
    function popcount(uint256 x) internal pure returns (uint256 bits) {
        unchecked {
            x -= (x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555;
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
                + ((x >> 8) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff);
            bits = (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }
}
