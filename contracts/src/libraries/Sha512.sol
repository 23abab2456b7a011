// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Sha512
/// @notice SHA-512 (FIPS 180-4) for the EVM, which has no SHA-512 precompile. Ed25519 (RFC 8032)
/// hashes R || A || M with it.
/// @dev Shared vectors (node:crypto digests of messages of 0..1000 bytes crossing the block and
/// padding boundaries) in `contracts/test/vectors/ed25519.json` (`.sha512`).
/// Cost: about 30,500 gas per 128-byte block plus about 5,500 gas per call (test_GasPerBlock).
///
/// Implementation notes, all to save gas:
/// - 64-bit words live in 256-bit EVM words. Additions are not masked until a value is stored
///   as a new working variable: carries only move upwards, so bits above 63 never change the
///   low 64 bits of a sum.
/// - A 64-bit rotation of x is the low 64 bits of (x | x << 64) >> n; the three rotations of a
///   sigma share the one doubled copy and the garbage above bit 63 is left for the final mask.
/// - The message schedule is computed two words at a time, in the two 128-bit lanes of one
///   EVM word (see `schedule`); W and K are kept as 16-byte entries so one mload gives a pair.
/// - The rounds are unrolled by 8 and rename the working variables instead of shifting them.
/// - The working memory (W, K, the state and the padded message) lives past the free memory
///   pointer and is not reserved: nothing else runs while it is in use.
library Sha512 {
    /// @dev The 80 round constants K (FIPS 180-4 §4.2.3), 8 bytes each, big-endian.
    bytes private constant K = hex"428a2f98d728ae227137449123ef65cdb5c0fbcfec4d3b2fe9b5dba58189dbbc3956c25bf348b53859f111f1b605d019923f82a4af194f9bab1c5ed5da6d8118"
        hex"d807aa98a303024212835b0145706fbe243185be4ee4b28c550c7dc3d5ffb4e272be5d74f27b896f80deb1fe3b1696b19bdc06a725c71235c19bf174cf692694"
        hex"e49b69c19ef14ad2efbe4786384f25e30fc19dc68b8cd5b5240ca1cc77ac9c652de92c6f592b02754a7484aa6ea6e4835cb0a9dcbd41fbd476f988da831153b5"
        hex"983e5152ee66dfaba831c66d2db43210b00327c898fb213fbf597fc7beef0ee4c6e00bf33da88fc2d5a79147930aa72506ca6351e003826f142929670a0e6e70"
        hex"27b70a8546d22ffc2e1b21385c26c9264d2c6dfc5ac42aed53380d139d95b3df650a73548baf63de766a0abb3c77b2a881c2c92e47edaee692722c851482353b"
        hex"a2bfe8a14cf10364a81a664bbc423001c24b8b70d0f89791c76c51a30654be30d192e819d6ef5218d69906245565a910f40e35855771202a106aa07032bbd1b8"
        hex"19a4c116b8d2d0c81e376c085141ab532748774cdf8eeb9934b0bcb5e19b48a8391c0cb3c5c95a634ed8aa4ae3418acb5b9cca4f7763e373682e6ff3d6b2b8a3"
        hex"748f82ee5defb2fc78a5636f43172f6084c87814a1f0ab728cc702081a6439ec90befffa23631e28a4506cebde82bde9bef9a3f7b2c67915c67178f2e372532b"
        hex"ca273eceea26619cd186b8c721c0c207eada7dd6cde0eb1ef57d4f7fee6ed17806f067aa72176fba0a637dc5a2c898a6113f9804bef90dae1b710b35131c471b"
        hex"28db77f523047d8432caab7b40c724933c9ebe0a15c9bebc431d67c49c100d4c4cc5d4becb3e42b6597f299cfc657e2a5fcb6fab3ad6faec6c44198c4a475817";

    /// @notice SHA-512 of `data`.
    /// @return hi The first 32 bytes of the digest.
    /// @return lo The last 32 bytes of the digest.
    function hash(bytes memory data) internal pure returns (bytes32 hi, bytes32 lo) {
        bytes memory k = K;
        assembly ("memory-safe") {
            // Message schedule W[0..79] for the current block at w, 16 bytes per entry: the word at
            // w + 16t holds W[t] in its high 128-bit lane and W[t + 1] in its low lane, so one
            // mload gives a pair. W[t] and W[t + 1] only depend on W[..t - 1], so the schedule
            // computes both lanes at once (two words for the price of one): the doubling trick
            // works lane by lane, garbage only lands in the upper 64 bits of a lane and is masked
            // (MM) before any addition can carry it across lanes.
            function schedule(blk, w) {
                for { let j := 0 } lt(j, 0x100) { j := add(j, 0x20) } {
                    let v := shr(128, mload(add(blk, shr(1, j)))) // W[2i] << 64 | W[2i + 1]
                    mstore(
                        add(w, j),
                        or(shl(64, and(v, 0xffffffffffffffff0000000000000000)), and(v, 0xffffffffffffffff))
                    )
                }
                for { let q := add(w, 0x100) } lt(q, add(w, 0x500)) { q := add(q, 0x20) } {
                    // sigma0(W[t-15], W[t-14]) = rotr1 ^ rotr8 ^ shr7
                    let x := mload(sub(q, 0xf0))
                    let xx := or(x, shl(64, x))
                    let s :=
                        and(
                            xor(xor(shr(1, xx), shr(8, xx)), shr(7, x)),
                            0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff
                        )
                    // sigma1(W[t-2], W[t-1]) = rotr19 ^ rotr61 ^ shr6
                    x := mload(sub(q, 0x20))
                    xx := or(x, shl(64, x))
                    s := add(
                        s,
                        and(
                            xor(xor(shr(19, xx), shr(61, xx)), shr(6, x)),
                            0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff
                        )
                    )
                    // (W[t], W[t+1]) = sigma0 + sigma1 + (W[t-16], W[t-15]) + (W[t-7], W[t-6])
                    mstore(
                        q,
                        and(
                            add(s, add(mload(sub(q, 0x100)), mload(sub(q, 0x70)))),
                            0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff
                        )
                    )
                }
            }

            // 80 rounds over W (at w) and K (at w + 0x500), both 16 bytes per entry with the entry
            // in the high lane of the word read there, then adds into the state at st. The low
            // lanes of W + K cannot carry into the high lane (each sum < 2^65).
            // Unrolled by 8 with the working variables renamed each round instead of shifted:
            // a round only writes T1 into d (d + T1) and T1 + T2 into h.
            function rounds(st, w) {
                let a := mload(st)
                let b := mload(add(st, 0x20))
                let c := mload(add(st, 0x40))
                let d := mload(add(st, 0x60))
                let e := mload(add(st, 0x80))
                let f := mload(add(st, 0xa0))
                let g := mload(add(st, 0xc0))
                let h := mload(add(st, 0xe0))
                for { let p := w } lt(p, add(w, 0x500)) { p := add(p, 0x80) } {
                    // T1 = h + Sigma1(e) + Ch(e, f, g) + K[t] + W[t], unmasked, kept in h;
                    // d += T1; h = T1 + Sigma0(a) + Maj(a, b, c).
                    let x
                    // round 8j + 0
                    x := or(e, shl(64, e))
                    h := add(
                        add(h, shr(128, add(mload(p), mload(add(p, 0x500))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(g, and(e, xor(f, g))))
                    )
                    d := and(add(d, h), 0xffffffffffffffff)
                    x := or(a, shl(64, a))
                    h := and(
                        add(h, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(a, b), and(c, or(a, b))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 1
                    x := or(d, shl(64, d))
                    g := add(
                        add(g, shr(128, add(mload(add(p, 0x10)), mload(add(p, 0x510))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(f, and(d, xor(e, f))))
                    )
                    c := and(add(c, g), 0xffffffffffffffff)
                    x := or(h, shl(64, h))
                    g := and(
                        add(g, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(h, a), and(b, or(h, a))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 2
                    x := or(c, shl(64, c))
                    f := add(
                        add(f, shr(128, add(mload(add(p, 0x20)), mload(add(p, 0x520))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(e, and(c, xor(d, e))))
                    )
                    b := and(add(b, f), 0xffffffffffffffff)
                    x := or(g, shl(64, g))
                    f := and(
                        add(f, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(g, h), and(a, or(g, h))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 3
                    x := or(b, shl(64, b))
                    e := add(
                        add(e, shr(128, add(mload(add(p, 0x30)), mload(add(p, 0x530))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(d, and(b, xor(c, d))))
                    )
                    a := and(add(a, e), 0xffffffffffffffff)
                    x := or(f, shl(64, f))
                    e := and(
                        add(e, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(f, g), and(h, or(f, g))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 4
                    x := or(a, shl(64, a))
                    d := add(
                        add(d, shr(128, add(mload(add(p, 0x40)), mload(add(p, 0x540))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(c, and(a, xor(b, c))))
                    )
                    h := and(add(h, d), 0xffffffffffffffff)
                    x := or(e, shl(64, e))
                    d := and(
                        add(d, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(e, f), and(g, or(e, f))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 5
                    x := or(h, shl(64, h))
                    c := add(
                        add(c, shr(128, add(mload(add(p, 0x50)), mload(add(p, 0x550))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(b, and(h, xor(a, b))))
                    )
                    g := and(add(g, c), 0xffffffffffffffff)
                    x := or(d, shl(64, d))
                    c := and(
                        add(c, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(d, e), and(f, or(d, e))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 6
                    x := or(g, shl(64, g))
                    b := add(
                        add(b, shr(128, add(mload(add(p, 0x60)), mload(add(p, 0x560))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(a, and(g, xor(h, a))))
                    )
                    f := and(add(f, b), 0xffffffffffffffff)
                    x := or(c, shl(64, c))
                    b := and(
                        add(b, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(c, d), and(e, or(c, d))))),
                        0xffffffffffffffff
                    )
                    // round 8j + 7
                    x := or(f, shl(64, f))
                    a := add(
                        add(a, shr(128, add(mload(add(p, 0x70)), mload(add(p, 0x570))))),
                        add(xor(xor(shr(14, x), shr(18, x)), shr(41, x)), xor(h, and(f, xor(g, h))))
                    )
                    e := and(add(e, a), 0xffffffffffffffff)
                    x := or(b, shl(64, b))
                    a := and(
                        add(a, add(xor(xor(shr(28, x), shr(34, x)), shr(39, x)), or(and(b, c), and(d, or(b, c))))),
                        0xffffffffffffffff
                    )
                }
                mstore(st, and(add(mload(st), a), 0xffffffffffffffff))
                mstore(add(st, 0x20), and(add(mload(add(st, 0x20)), b), 0xffffffffffffffff))
                mstore(add(st, 0x40), and(add(mload(add(st, 0x40)), c), 0xffffffffffffffff))
                mstore(add(st, 0x60), and(add(mload(add(st, 0x60)), d), 0xffffffffffffffff))
                mstore(add(st, 0x80), and(add(mload(add(st, 0x80)), e), 0xffffffffffffffff))
                mstore(add(st, 0xa0), and(add(mload(add(st, 0xa0)), f), 0xffffffffffffffff))
                mstore(add(st, 0xc0), and(add(mload(add(st, 0xc0)), g), 0xffffffffffffffff))
                mstore(add(st, 0xe0), and(add(mload(add(st, 0xe0)), h), 0xffffffffffffffff))
            }

            // Layout past the free memory pointer: W (80 entries of 16 bytes) | K (same) |
            // state (8 words) | padded message.
            let w := mload(0x40)
            {
                let kw := add(w, 0x500)
                let kp := add(k, 0x20)
                for { let j := 0 } lt(j, 0x500) { j := add(j, 0x20) } {
                    let v := shr(128, mload(add(kp, shr(1, j)))) // K[2i] << 64 | K[2i + 1]
                    mstore(
                        add(kw, j),
                        or(shl(64, and(v, 0xffffffffffffffff0000000000000000)), and(v, 0xffffffffffffffff))
                    )
                }
            }
            let st := add(w, 0xa00)
            mstore(st, 0x6a09e667f3bcc908)
            mstore(add(st, 0x20), 0xbb67ae8584caa73b)
            mstore(add(st, 0x40), 0x3c6ef372fe94f82b)
            mstore(add(st, 0x60), 0xa54ff53a5f1d36f1)
            mstore(add(st, 0x80), 0x510e527fade682d1)
            mstore(add(st, 0xa0), 0x9b05688c2b3e6c1f)
            mstore(add(st, 0xc0), 0x1f83d9abfb41bd6b)
            mstore(add(st, 0xe0), 0x5be0cd19137e2179)

            // Padding: message | 0x80 | zeros | 128-bit big-endian bit length, to a multiple of
            // 128 bytes: ceil((len + 17) / 128) blocks.
            let buf := add(st, 0x100)
            let len := mload(data)
            let end := add(buf, shl(7, shr(7, add(len, 144))))
            // Zero only the last block or two: everything before them is overwritten by the copy.
            for { let q := add(buf, and(len, not(0x7f))) } lt(q, end) { q := add(q, 0x20) } { mstore(q, 0) }
            mcopy(buf, add(data, 0x20), len)
            mstore8(add(buf, len), 0x80)
            // The bit length goes into the last 16 bytes, which are still zero.
            mstore(sub(end, 0x20), or(mload(sub(end, 0x20)), shl(3, len)))

            for {} lt(buf, end) { buf := add(buf, 0x80) } {
                schedule(buf, w)
                rounds(st, w)
            }

            hi := or(
                or(shl(192, mload(st)), shl(128, mload(add(st, 0x20)))),
                or(shl(64, mload(add(st, 0x40))), mload(add(st, 0x60)))
            )
            lo := or(
                or(shl(192, mload(add(st, 0x80))), shl(128, mload(add(st, 0xa0)))),
                or(shl(64, mload(add(st, 0xc0))), mload(add(st, 0xe0)))
            )
        }
    }
}
