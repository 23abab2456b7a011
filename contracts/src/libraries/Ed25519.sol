// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Sha512} from "./Sha512.sol";

/// @title Ed25519
/// @notice Ed25519 (RFC 8032 PureEdDSA) signature verification, to check meter signatures on chain.
/// @dev Accepts exactly what node:crypto (OpenSSL 3) accepts, which is what every node runs; the
/// shared vectors in `contracts/test/vectors/ed25519.json` label each case with the answers of
/// node:crypto and tweetnacl and Ed25519.t.sol replays them all. The verification is:
///
/// 1. S must be canonical (S < L), else reject. tweetnacl skips this check and accepts S + L.
/// 2. A is decoded as OpenSSL decodes it: y is read modulo p (y ≥ p is accepted), x is the square
///    root with the parity of the sign bit, and x = 0 with the sign bit set is accepted. Points not
///    on the curve are rejected. All keys that a strict RFC 8032 decoder refuses but this one
///    accepts have small order (y = p and y = p + 1 encode points of order 4 and 1, x = 0 means the
///    point has order 1 or 2); use `isStrictPublicKey` to refuse such keys at registration.
/// 3. k = SHA-512(R || A || M) mod L, then the cofactorless check encode([S]B - [k]A) == R
///    byte for byte, as OpenSSL and tweetnacl do. R is never decoded: the canonical encoding of
///    the computed point never equals a non-canonical R (y ≥ p, or x = 0 with the sign bit set)
///    nor an R off the curve, so those are rejected. Cofactorless: a torsion component in R or A
///    that [k] does not cancel makes the check fail (node:crypto and tweetnacl agree).
///
/// Arithmetic: field elements mod p = 2^255 - 19 with mulmod/addmod, points in extended twisted
/// Edwards coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z (Hisil-Wong-Carter-Dawson 2008,
/// a = -1; the addition formula is complete on edwards25519). [S]B - [k]A is one interleaved
/// (Straus/Shamir) 4-bit fixed-window double-scalar multiplication: 256 doublings and at most
/// 64 + 64 additions (one per non-zero nibble of each scalar), with [1..15]B as constants and
/// [1..15](-A) computed per call (14 additions). The MODEXP precompile does the one square root
/// (decoding A) and the one inversion (encoding the result).
///
/// Gas (`forge test --match-test test_GasVerifyReading -vv`): about 178,600 for a 70-byte
/// reading, of which SHA-512 over R || A || M (134 bytes, 2 blocks) is about 66,000, the
/// double-scalar multiplication with its table and the final inversion about 94,000, decoding A
/// (one MODEXP) about 5,300. Each further 128 bytes of message add about 30,500 (SHA-512).
/// Code: about 8.8 kB of runtime bytecode in the contract that uses it (internal functions).
library Ed25519 {
    /// @notice Thrown when the MODEXP precompile (0x05) call fails (only when out of gas).
    error Ed25519ModExpFailed();

    /// @dev Field prime p = 2^255 - 19.
    uint256 internal constant P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed;
    /// @dev Order of the base point, L = 2^252 + 27742317777372353535851937790883648493.
    uint256 internal constant L = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed;
    /// @dev Curve constant d = -121665/121666 mod p.
    uint256 private constant D = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3;
    /// @dev 2d mod p.
    uint256 private constant D2 = 0x2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159;
    /// @dev sqrt(-1) mod p = 2^((p-1)/4).
    uint256 private constant SQRT_M1 = 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0;
    /// @dev 2^256 mod L, to reduce the 512-bit hash.
    uint256 private constant TWO_256_MOD_L = 0x0ffffffffffffffffffffffffffffffec6ef5bf4737dcf70d6ec31748d98951d;
    /// @dev (p - 5) / 8, the exponent of the square root candidate (RFC 8032 §5.1.3).
    uint256 private constant P_MINUS_5_DIV_8 = 0x0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd;
    /// @dev p - 2, the exponent of the inverse (Fermat).
    uint256 private constant P_MINUS_2 = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeb;
    /// @dev Mask of the 255 bits of y in a (byte-reversed) point encoding.
    uint256 private constant Y_MASK = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    /// @dev [i]B for i = 1..15 as (y - x, y + x, 2d·x·y) mod p, 3 big-endian words each (the
    /// "affine Niels" form of a point with Z = 1). Generated and checked by
    /// `ed25519BaseTableHex()` in node/src/vectors/ed25519.ts (a mocha test compares).
    bytes private constant BASE_TABLE = hex"44fd2f9298f81267a5c18434688f8a09fd399f05d140beb39d103905d740913e07cf9d3a33d4ba65270b4898643d42c2cf932dc6fb8c0e192fbc93c6f58c3b856f117b689f0c65a85a1b7dcbdd43598c26d9e823ccaac49eabc91205877aaa68"
        hex"6bb595a669c92555e09e236bb16e37aa8f2b810c4e60acf68a99a56042b4d5a8590c063fa87d2e2e5aa69a65e1d607029f469d967a0ff5b59224e7fc933c71d7701af5b13ea50b73500fa0840b3d6a3136c16bdd5d9acf7843faa8b3a59b7a5f"
        hex"2ab91587555bda628131f31a214bd6bd3bd353fde5c1ba7d56611fe8a4fcd2657a164e1b9a80f8f4c11b50029f016732025a8430e8864b8aaf25b0a84cee97305a2826af12b9b4c6d170e5458cf2db4c589423221c35da6214ae933f0dd0d889"
        hex"27933f4c7445a49ac3e8e3cd06a05073327e89715660faa995fe050a056818bf680e910321e58727ca348d3dfb0a92656765c6f47dfd2538287351b98efc099f7f9d0cbf63553e2b5ddbdcf9102b44946e9e39457b5cc1725a13fbe9c476ff09"
        hex"154a7e73eb1b55f3e33cf11cb864a087d50014d14b2729b77f9182c3a447d6ba2945ccf146e206ebdd1beb0c5abfec448d5048c3c75eed02a212bc4408a5bb3343aabe696b3bb69ab41b670b1bbda72d270e0807d0bdd1fcbcbbdbf1812a8285"
        hex"38b64c41ae417884bb085ce7204553b9575be28427d22739499806b67b7d8ca451e57bb6a2cc38bd8065b668da59a7369b27158900c8af883a0ceeeb7715713110b8e91a9f0d61e353e4a24b083bc144be70e00341a1bb0185ac326702ea4b71"
        hex"1d6edd5d2e5317e09dea764f92192c3a6ca021533bba23a7ba6f2c9aaa3221b1461bea69283c927e71b2528228542e497470353ab39dc0d26b1a5cd0944ea3bf7a9fbb1c6a0f90a7529c41ba5877adf3b3035f47053ea49af1836dc801b8b3a2"
        hex"3a9024a1320e01c32c2741ac6e3c23fb963d7680e1b558f9e2a75dedf39234d90915e76061bce52fb1339c665ed9c3236cb30377e288702c59b7596604dd3e8f26907c5c2ecc4e95636412190eb62a32b8a371788bcca7d7e7c1f5d9c9a2911a"
        hex"49c05a51fadc9c8f96cbc608e75eb04498a081b6f520419bf36e217e039d806434b9ed338add7f59ceb233c9c686f5b5a6509e6f51bc46c59b2e678aa6a8632f73c172021b008b06aaf6fc2993d4cf16e2ff83e8a719d22f06b4e8bf9045af1b"
        hex"0353832c4950b70284739745f5dc395804f8183665a9f02f75f3558e227081dd43ac7628aae591ed0d5503639b55464645f534d41617e057ff1d93d2b360748e0ec62af470bf4ce7ff169f0f6731b5091d0c1ccbd3f06340d03d2ae403d0f8d8"
        hex"18ab598029d5c77fa3a075556a8deb953ed6b36977088381315f5b02498643484275aae2546d8faf113e847117703406e5d9fecf02302e272fbf00848a802ade3dc65522b53df94844311199b51a8622031eb4a13282e4a4d82b2cc5fd6089e9"
        hex"7956ece28a6022ed884dfb6e56d5dbdd23b2bf90ccb25b24856f8375b53d54b9078aafde8d3cdd5845ecdd2e701a6f9388de3dd7d834d1a9e2358042a71e753937c6a5151c83d0c6ffcb589af4976461f66cda23a24e180beea594d87f944553"
        hex"0267882d176024a79d12b232aaad5968aefcebc99b776f6b506f013b327fbf93234fd7eec346f241537a0e12fb07ba07bf84b39ab5bcdedbbf70c222a2007f6d497ba6fdaa097863a2ef37f891a7e5332437e6b1df8dd4715360a119732ea378"
        hex"2df0ea2c5b3c80d2112e56f16eec47a9ce69b20fdb7ca331dfdb8a44d41712806eaf60b2464d16301a474c042881bdd580277fc057efa98726f870ec3f213df224bf7e3cd8ba9c939c1fdf703ecb1baaf02397eda2a9bf5496a1c5877a1e1b82"
        hex"43b5cd4218d05ebf7508300807b25192d3829ba42a9910d6040bcd86468ccf0b61e22917f12de72b2dbdbdfac1f2d4d08648c28d189c246d24cecc0313cfeaa0511d61210ae4d842032e5a7d93d64270eb38af4e373fdeee5d9a762f9bd0b516";

    /// @notice Verifies an Ed25519 signature (R, S) by `publicKey` over `message`.
    /// @dev Never reverts on bad input: any invalid key, signature or encoding gives false.
    /// @param publicKey The 32-byte public key A, as encoded by RFC 8032 (little-endian y, sign of x in the top bit).
    /// @param r The first 32 bytes of the signature (the encoding of R).
    /// @param s The last 32 bytes of the signature (S, little-endian).
    /// @param message The signed message.
    /// @return True when the signature is valid, with exactly node:crypto's answer.
    function verify(bytes32 publicKey, bytes32 r, bytes32 s, bytes memory message) internal view returns (bool) {
        uint256 sc = _reverse(uint256(s));
        if (sc >= L) return false;
        (bool onCurve, uint256 ax, uint256 ay) = _decode(_reverse(uint256(publicKey)));
        if (!onCurve) return false;
        (bytes32 h0, bytes32 h1) = Sha512.hash(bytes.concat(r, publicKey, message));
        // The digest is a 512-bit little-endian integer: h0 holds its low 256 bits byte-reversed.
        uint256 k = addmod(mulmod(_reverse(uint256(h1)), TWO_256_MOD_L, L), _reverse(uint256(h0)), L);
        // [S]B + [k](-A), with -A = (-x, y).
        return _doubleScalarMulEncoded(sc, k, ax == 0 ? 0 : P - ax, ay) == _reverse(uint256(r));
    }

    /// @notice Verifies a meter's signature over an encoded reading (`ReadingCodec.encode`).
    /// @param publicKey The meter's Ed25519 public key.
    /// @param encodedReading The signed bytes (the canonical reading encoding).
    /// @param signature64 R || S, 64 bytes; any other length gives false.
    function verifyReading(bytes32 publicKey, bytes memory encodedReading, bytes memory signature64)
        internal
        view
        returns (bool)
    {
        if (signature64.length != 64) return false;
        bytes32 r;
        bytes32 s;
        assembly ("memory-safe") {
            r := mload(add(signature64, 0x20))
            s := mload(add(signature64, 0x40))
        }
        return verify(publicKey, r, s, encodedReading);
    }

    /// @notice Whether `publicKey` is a key a meter can be registered with: a canonical encoding
    /// (y < p, no sign bit on x = 0) of a curve point that is not of small order.
    /// @dev `verify` accepts signatures under the 8 small-order points (and their non-canonical
    /// encodings) for messages with k ≡ 0 mod their order, as node:crypto does: anybody can make
    /// those, so registering such a key must be refused. Mixed-order keys ([a]B + T, T ≠ O of
    /// small order) pass this check; a signer holding one only loses signatures, never gains any.
    function isStrictPublicKey(bytes32 publicKey) internal view returns (bool) {
        uint256 v = _reverse(uint256(publicKey));
        uint256 y = v & Y_MASK;
        if (y >= P) return false;
        (bool onCurve, uint256 x,) = _decode(v);
        if (!onCurve || (x == 0 && v >> 255 == 1)) return false;
        // [8]A is the identity iff A has small order; the identity is the only point of [8]E with X = 0.
        uint256 X;
        assembly ("memory-safe") {
            let z := 1
            X := x
            for { let i := 0 } lt(i, 3) { i := add(i, 1) } {
                // dbl-2008-hwcd, a = -1 (see ladder in _doubleScalarMulEncoded)
                let a := mulmod(X, X, P)
                let b := mulmod(y, y, P)
                let c := mulmod(z, z, P)
                c := add(c, c)
                let h := addmod(a, b, P)
                let e := addmod(X, y, P)
                e := addmod(h, sub(P, mulmod(e, e, P)), P)
                let g := addmod(a, sub(P, b), P)
                let f := addmod(c, g, P)
                X := mulmod(e, f, P)
                y := mulmod(g, h, P)
                z := mulmod(f, g, P)
            }
        }
        return X != 0;
    }

    /// @dev Decodes a byte-reversed point encoding like OpenSSL's `ge_frombytes_vartime`:
    /// y = v mod 2^255 reduced mod p, x from RFC 8032 §5.1.3 with the parity of bit 255.
    /// @return onCurve False when x² = (y² - 1)/(d·y² + 1) has no root.
    function _decode(uint256 v) private view returns (bool onCurve, uint256 x, uint256 y) {
        y = v & Y_MASK;
        if (y >= P) y -= P;
        uint256 yy = mulmod(y, y, P);
        uint256 u = addmod(yy, P - 1, P);
        uint256 w = addmod(mulmod(D, yy, P), 1, P);
        // x = u·v³·(u·v⁷)^((p-5)/8)
        uint256 w3 = mulmod(mulmod(w, w, P), w, P);
        uint256 w7 = mulmod(mulmod(w3, w3, P), w, P);
        x = mulmod(mulmod(u, w3, P), _expmod(mulmod(u, w7, P), P_MINUS_5_DIV_8), P);
        uint256 wxx = mulmod(w, mulmod(x, x, P), P);
        if (wxx != u) {
            // u ≠ 0 here (u = 0 gives x = 0 and wxx = 0 = u).
            if (wxx != P - u) return (false, 0, 0);
            x = mulmod(x, SQRT_M1, P);
        }
        if (x & 1 != v >> 255) x = x == 0 ? 0 : P - x;
        onCurve = true;
    }

    /// @dev Canonical encoding (byte-reversed) of [s]B + [k]Q, Q = (qx, qy) a curve point.
    function _doubleScalarMulEncoded(uint256 s, uint256 k, uint256 qx, uint256 qy)
        private
        view
        returns (uint256 encoded)
    {
        bytes memory baseTable = BASE_TABLE;
        uint256 X;
        uint256 Y;
        uint256 Z;
        assembly ("memory-safe") {
            // Fills entries 1..15 of the 128-byte-per-entry table at tq with [i](px, py) in the
            // cached form (Y - X, Y + X, 2d·T, 2Z) that the additions in ladder() consume:
            // [i]Q = [i - 1]Q + Q with add-2008-hwcd-3 (a = -1, 8 multiplications; Q has Z = 1).
            function fillTable(tq, px, py) {
                let p := P // see ladder()
                let e1 := add(tq, 0x80)
                let t := mulmod(px, py, p)
                mstore(e1, addmod(py, sub(p, px), p))
                mstore(add(e1, 0x20), addmod(py, px, p))
                mstore(add(e1, 0x40), mulmod(t, D2, p))
                mstore(add(e1, 0x60), 2)
                let x := px
                let y := py
                let z := 1
                for { let e := add(tq, 0x100) } lt(e, add(tq, 0x800)) { e := add(e, 0x80) } {
                    {
                        let a := mulmod(add(y, sub(p, x)), mload(e1), p)
                        let b := mulmod(add(y, x), mload(add(e1, 0x20)), p)
                        let c := mulmod(t, mload(add(e1, 0x40)), p)
                        let d := add(z, z) // D = Z1·2Z2, Z2 = 1
                        let f := addmod(d, sub(p, c), p) // F = D - C
                        d := addmod(d, c, p) // G = D + C
                        c := add(b, sub(p, a)) // E = B - A
                        b := add(b, a) // H = B + A
                        x := mulmod(c, f, p)
                        y := mulmod(d, b, p)
                        z := mulmod(f, d, p)
                        t := mulmod(c, b, p)
                    }
                    mstore(e, addmod(y, sub(p, x), p))
                    mstore(add(e, 0x20), addmod(y, x, p))
                    mstore(add(e, 0x40), mulmod(t, D2, p))
                    mstore(add(e, 0x60), addmod(z, z, p))
                }
            }

            // Straus: one pass over the 64 nibbles of both scalars, most significant first; computes
            // [sb]B + [kq]Q. tq: [i]Q cached, 128 bytes per entry; tb: [i]B affine, 96 bytes per
            // entry (entry 0 unused). Everything is inlined (a Yul function call costs about a third
            // of a doubling) and temporaries are reused to stay within 16 stack slots.
            // Doubling is dbl-2008-hwcd for a = -1 with negated intermediates, whose signs cancel
            // in every product: g = -G = X² - Y², a = -H = X² + Y², b = -E = X² + Y² - (X + Y)²,
            // f = -F = 2Z² + X² - Y²; X3 = E·F, Y3 = G·H, Z3 = F·G, and T3 = E·H only on the 4th
            // doubling, the one an addition may follow.
            function ladder(sb, kq, tq, tb) -> x, y, z {
                // p on the stack: the optimizer turns the literal into PUSH1 0x13 PUSH1 1 PUSH1 0xff
                // SHL SUB (15 gas) at every use; DUP costs 3.
                let p := P
                y := 1
                z := 1
                let t
                for { let i := 256 } i {} {
                    i := sub(i, 4)
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        let g := add(a, sub(p, b))
                        a := add(a, b)
                        b := add(x, y)
                        b := addmod(a, sub(p, mulmod(b, b, p)), p)
                        let f := addmod(mulmod(z, add(z, z), p), g, p)
                        x := mulmod(b, f, p)
                        y := mulmod(g, a, p)
                        z := mulmod(f, g, p)
                    }
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        let g := add(a, sub(p, b))
                        a := add(a, b)
                        b := add(x, y)
                        b := addmod(a, sub(p, mulmod(b, b, p)), p)
                        let f := addmod(mulmod(z, add(z, z), p), g, p)
                        x := mulmod(b, f, p)
                        y := mulmod(g, a, p)
                        z := mulmod(f, g, p)
                    }
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        let g := add(a, sub(p, b))
                        a := add(a, b)
                        b := add(x, y)
                        b := addmod(a, sub(p, mulmod(b, b, p)), p)
                        let f := addmod(mulmod(z, add(z, z), p), g, p)
                        x := mulmod(b, f, p)
                        y := mulmod(g, a, p)
                        z := mulmod(f, g, p)
                    }
                    {
                        let a := mulmod(x, x, p)
                        let b := mulmod(y, y, p)
                        let g := add(a, sub(p, b))
                        a := add(a, b)
                        b := add(x, y)
                        b := addmod(a, sub(p, mulmod(b, b, p)), p)
                        let f := addmod(mulmod(z, add(z, z), p), g, p)
                        x := mulmod(b, f, p)
                        y := mulmod(g, a, p)
                        z := mulmod(f, g, p)
                        t := mulmod(b, a, p)
                    }
                    let n := and(shr(i, kq), 0xf)
                    if n {
                        // add-2008-hwcd-3 with [n]Q cached as (Y - X, Y + X, 2d·T, 2Z)
                        n := add(tq, shl(7, n))
                        let a := mulmod(add(y, sub(p, x)), mload(n), p)
                        let b := mulmod(add(y, x), mload(add(n, 0x20)), p)
                        let c := mulmod(t, mload(add(n, 0x40)), p)
                        n := mulmod(z, mload(add(n, 0x60)), p) // D
                        let e := add(b, sub(p, a)) // E = B - A
                        b := add(b, a) // H = B + A
                        a := add(n, sub(p, c)) // F = D - C
                        n := add(n, c) // G = D + C
                        x := mulmod(e, a, p)
                        y := mulmod(n, b, p)
                        z := mulmod(a, n, p)
                        t := mulmod(e, b, p)
                    }
                    n := and(shr(i, sb), 0xf)
                    if n {
                        // Same with [n]B affine as (y - x, y + x, 2d·x·y): 2Z = 2, so D = 2·Z1.
                        // T3 is not needed: a doubling comes next.
                        n := add(tb, mul(n, 0x60))
                        let a := mulmod(add(y, sub(p, x)), mload(n), p)
                        let b := mulmod(add(y, x), mload(add(n, 0x20)), p)
                        let c := mulmod(t, mload(add(n, 0x40)), p)
                        n := addmod(z, z, p) // D
                        let e := add(b, sub(p, a)) // E
                        b := add(b, a) // H
                        a := add(n, sub(p, c)) // F
                        n := add(n, c) // G
                        x := mulmod(e, a, p)
                        y := mulmod(n, b, p)
                        z := mulmod(a, n, p)
                    }
                }
            }

            let tq := mload(0x40)
            fillTable(tq, qx, qy)
            // baseTable data starts at +0x20; entry n (1-based) at +0x20 + (n - 1)·0x60.
            X, Y, Z := ladder(s, k, tq, sub(add(baseTable, 0x20), 0x60))
        }
        // Affine: one inversion (Z ≠ 0: the formulas are complete).
        uint256 zi = _expmod(Z, P_MINUS_2);
        uint256 xa = mulmod(X, zi, P);
        encoded = mulmod(Y, zi, P) | ((xa & 1) << 255);
    }

    /// @dev b^e mod p through the MODEXP precompile (EIP-198).
    function _expmod(uint256 b, uint256 e) private view returns (uint256 result) {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x20)
            mstore(add(m, 0x20), 0x20)
            mstore(add(m, 0x40), 0x20)
            mstore(add(m, 0x60), b)
            mstore(add(m, 0x80), e)
            mstore(add(m, 0xa0), P)
            ok := staticcall(gas(), 0x05, m, 0xc0, m, 0x20)
            result := mload(m)
        }
        if (!ok) revert Ed25519ModExpFailed();
    }

    /// @dev Reverses the byte order of a word: RFC 8032 encodes integers little-endian.
    function _reverse(uint256 v) private pure returns (uint256 r) {
        r = ((v & 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00) >> 8)
            | ((v & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff) << 8);
        r = ((r & 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000) >> 16)
            | ((r & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff) << 16);
        r = ((r & 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000) >> 32)
            | ((r & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff) << 32);
        r = ((r & 0xffffffffffffffff0000000000000000ffffffffffffffff0000000000000000) >> 64)
            | ((r & 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff) << 64);
        r = (r >> 128) | (r << 128);
    }
}
