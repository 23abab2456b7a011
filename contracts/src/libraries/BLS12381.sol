// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BLS12381
/// @notice BLS12-381 arithmetic over the EIP-2537 precompiles, and RFC 9380 hash-to-curve
/// (`BLS12381G1_XMD:SHA-256_SSWU_RO_`, `BLS12381G2_XMD:SHA-256_SSWU_RO_`).
/// @dev Encodings are EIP-2537's: an Fp element is 64 bytes big-endian whose first 16 bytes are
/// zero; a G1 point is x ‖ y (128 bytes); a G2 point is x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (256 bytes); the
/// point at infinity is all zeros. The precompiles reject non-canonical coordinates and points off
/// the curve; PAIRING_CHECK (and the MSMs) also reject points outside the prime-order subgroup,
/// while G1ADD / G2ADD do not: callers add only points that a pairing has already accepted.
/// Twin of `node/src/crypto/bls.ts`; `contracts/test/vectors/bls.json` holds the shared vectors.
library BLS12381 {
    /// @notice Thrown when a precompile call fails: a malformed point or field element (EIP-2537
    /// precompiles burn the gas they were given on bad input), or a chain without EIP-2537.
    error PrecompileFailed(address precompile);
    /// @notice Thrown when a domain separation tag is empty or longer than 255 bytes (RFC 9380 §5.3.1).
    error InvalidDst(uint256 length);

    address internal constant MODEXP = address(0x05);
    address internal constant G1_ADD = address(0x0b);
    address internal constant G1_MSM = address(0x0c);
    address internal constant G2_ADD = address(0x0d);
    address internal constant G2_MSM = address(0x0e);
    address internal constant PAIRING_CHECK = address(0x0f);
    address internal constant MAP_FP_TO_G1 = address(0x10);
    address internal constant MAP_FP2_TO_G2 = address(0x11);

    uint256 internal constant G1_SIZE = 128;
    uint256 internal constant G2_SIZE = 256;

    /// @dev The base field modulus p, split as p = P_HI · 2^256 + P_LO (p has 381 bits).
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// @notice -G2, the negated generator of G2: pairs with a G1 signature in a verification.
    bytes internal constant NEG_G2 =
        hex"00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb80000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bcb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed";

    /// @notice -G1, the negated generator of G1: pairs with a G2 signature (min-pk verification).
    bytes internal constant NEG_G1 =
        hex"0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb00000000000000000000000000000000114d1d6855d545a8aa7d76c8cf2e21f267816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca";

    // ------------------------------------------------------------------ hash to curve

    /// @notice RFC 9380 §5.3.1 expand_message_xmd with SHA-256 (the 0x02 precompile).
    /// @param lenInBytes Output length, a multiple of 32 and at most 255 · 32.
    function expandMessageXmd(bytes memory message, bytes memory dst, uint256 lenInBytes)
        internal
        pure
        returns (bytes memory out)
    {
        if (dst.length == 0 || dst.length > 255) revert InvalidDst(dst.length);
        // Only the multiples of 32 that hash_to_field needs; ell = lenInBytes / 32 ≤ 255.
        assert(lenInBytes % 32 == 0 && lenInBytes > 0 && lenInBytes <= 255 * 32);
        bytes memory dstPrime = abi.encodePacked(dst, uint8(dst.length));
        // msg_prime = Z_pad (64 zero bytes) ‖ msg ‖ I2OSP(len_in_bytes, 2) ‖ I2OSP(0, 1) ‖ DST_prime
        // lenInBytes ≤ 255 · 32 fits the two bytes of I2OSP(len_in_bytes, 2).
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(lenInBytes), uint8(0), dstPrime));
        bytes32 bi = sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        out = new bytes(lenInBytes);
        assembly ("memory-safe") {
            mstore(add(out, 0x20), bi)
        }
        uint256 ell = lenInBytes / 32;
        for (uint256 i = 2; i <= ell; ++i) {
            // b_i = H(strxor(b_0, b_(i-1)) ‖ I2OSP(i, 1) ‖ DST_prime); i ≤ 255 fits the byte.
            // forge-lint: disable-next-line(unsafe-typecast)
            bi = sha256(abi.encodePacked(b0 ^ bi, uint8(i), dstPrime));
            assembly ("memory-safe") {
                mstore(add(out, mul(i, 0x20)), bi)
            }
        }
    }

    /// @notice RFC 9380 hash_to_curve to G1 (suite BLS12381G1_XMD:SHA-256_SSWU_RO_ with tag `dst`):
    /// two field elements, each mapped by MAP_FP_TO_G1 (SSWU, 11-isogeny, cofactor clearing), added.
    function hashToG1(bytes memory message, bytes memory dst) internal view returns (bytes memory p) {
        bytes memory u = expandMessageXmd(message, dst, 128);
        p = new bytes(G1_SIZE);
        bool ok = true;
        assembly ("memory-safe") {
            let buf := mload(0x40) // scratch: [0, 0x100) two mapped points, [0x100, ...) modexp frames
            let frame := add(buf, 0x100)
            for { let i := 0 } lt(i, 2) { i := add(i, 1) } {
                let fe, reduced := _reduce(add(add(u, 0x20), mul(i, 0x40)), frame)
                ok := and(ok, reduced)
                ok := and(ok, staticcall(gas(), 0x10, fe, 0x40, add(buf, mul(i, 0x80)), 0x80))
            }
            ok := and(ok, staticcall(gas(), 0x0b, buf, 0x100, add(p, 0x20), 0x80))

            /// Reduces the 64-byte big-endian integer at `src` modulo p with MODEXP (base^1 mod p);
            /// returns a pointer to the 64-byte EIP-2537 field element (inside `frame`).
            function _reduce(src, f) -> fe, success {
                mstore(f, 0x40) // base length
                mstore(add(f, 0x20), 1) // exponent length
                mstore(add(f, 0x40), 0x30) // modulus length
                mcopy(add(f, 0x60), src, 0x40) // base
                mstore8(add(f, 0xa0), 1) // exponent
                mstore(add(f, 0xa1), shl(128, 0x1a0111ea397fe69a4b1ba7b6434bacd7)) // P_HI
                mstore(add(f, 0xb1), 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab) // P_LO
                fe := add(f, 0xe0)
                mstore(fe, 0) // the 16 padding bytes
                success := staticcall(gas(), 0x05, f, 0xd1, add(fe, 0x10), 0x30)
            }
        }
        if (!ok) revert PrecompileFailed(MAP_FP_TO_G1);
    }

    /// @notice RFC 9380 hash_to_curve to G2 (suite BLS12381G2_XMD:SHA-256_SSWU_RO_ with tag `dst`):
    /// two Fp2 elements, each mapped by MAP_FP2_TO_G2 (SSWU, 3-isogeny, cofactor clearing), added.
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (bytes memory p) {
        bytes memory u = expandMessageXmd(message, dst, 256);
        p = new bytes(G2_SIZE);
        bool ok = true;
        assembly ("memory-safe") {
            let buf := mload(0x40) // scratch: [0, 0x200) two mapped points, [0x200, 0x280) an Fp2, then modexp frames
            let fp2 := add(buf, 0x200)
            let frame := add(buf, 0x280)
            for { let i := 0 } lt(i, 2) { i := add(i, 1) } {
                for { let j := 0 } lt(j, 2) { j := add(j, 1) } {
                    // u_i = (e_2i, e_2i+1) = c0 + c1·v
                    let fe, reduced := _reduce(add(add(u, 0x20), add(mul(i, 0x80), mul(j, 0x40))), frame)
                    ok := and(ok, reduced)
                    mcopy(add(fp2, mul(j, 0x40)), fe, 0x40)
                }
                ok := and(ok, staticcall(gas(), 0x11, fp2, 0x80, add(buf, mul(i, 0x100)), 0x100))
            }
            ok := and(ok, staticcall(gas(), 0x0d, buf, 0x200, add(p, 0x20), 0x100))

            function _reduce(src, f) -> fe, success {
                mstore(f, 0x40)
                mstore(add(f, 0x20), 1)
                mstore(add(f, 0x40), 0x30)
                mcopy(add(f, 0x60), src, 0x40)
                mstore8(add(f, 0xa0), 1)
                mstore(add(f, 0xa1), shl(128, 0x1a0111ea397fe69a4b1ba7b6434bacd7))
                mstore(add(f, 0xb1), 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab)
                fe := add(f, 0xe0)
                mstore(fe, 0)
                success := staticcall(gas(), 0x05, f, 0xd1, add(fe, 0x10), 0x30)
            }
        }
        if (!ok) revert PrecompileFailed(MAP_FP2_TO_G2);
    }

    // ------------------------------------------------------------------ group operations

    /// @notice a + b in G1 (on-curve check only: see the library notes).
    function g1Add(bytes memory a, bytes memory b) internal view returns (bytes memory r) {
        r = new bytes(G1_SIZE);
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mcopy(buf, add(a, 0x20), 0x80)
            mcopy(add(buf, 0x80), add(b, 0x20), 0x80)
            ok := staticcall(gas(), 0x0b, buf, 0x100, add(r, 0x20), 0x80)
        }
        if (!ok) revert PrecompileFailed(G1_ADD);
    }

    /// @notice a + b in G2 (on-curve check only: see the library notes).
    function g2Add(bytes memory a, bytes memory b) internal view returns (bytes memory r) {
        r = new bytes(G2_SIZE);
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mcopy(buf, add(a, 0x20), 0x100)
            mcopy(add(buf, 0x100), add(b, 0x20), 0x100)
            ok := staticcall(gas(), 0x0d, buf, 0x200, add(r, 0x20), 0x100)
        }
        if (!ok) revert PrecompileFailed(G2_ADD);
    }

    /// @notice -a in G1, in place: y ↦ p - y (the point at infinity stays itself).
    function g1NegateInPlace(bytes memory a) internal pure {
        _negateFp(a, 0x60);
    }

    /// @notice -a in G2, in place: (y.c0, y.c1) ↦ (p - y.c0, p - y.c1) (zero components stay zero).
    function g2NegateInPlace(bytes memory a) internal pure {
        _negateFp(a, 0xa0);
        _negateFp(a, 0xe0);
    }

    /// @dev The Fp element at byte offset `off - 0x20` of `a`'s content becomes p - v (0 stays 0).
    /// The element must be canonical (v < p): points from the precompiles or from this library are.
    function _negateFp(bytes memory a, uint256 off) private pure {
        assembly ("memory-safe") {
            let ptr := add(a, off)
            let hi := mload(ptr)
            let lo := mload(add(ptr, 0x20))
            if or(hi, lo) {
                let borrow := gt(lo, 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab)
                mstore(add(ptr, 0x20), sub(0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab, lo))
                mstore(ptr, sub(sub(0x1a0111ea397fe69a4b1ba7b6434bacd7, hi), borrow))
            }
        }
    }

    /// @notice [scalar]p in G1 via G1MSM (subgroup-checked); used off the hot path (tests, tools).
    function g1Mul(bytes memory p, uint256 scalar) internal view returns (bytes memory r) {
        r = _msm(G1_MSM, p, scalar, G1_SIZE);
    }

    /// @notice [scalar]p in G2 via G2MSM (subgroup-checked); used off the hot path (tests, tools).
    function g2Mul(bytes memory p, uint256 scalar) internal view returns (bytes memory r) {
        r = _msm(G2_MSM, p, scalar, G2_SIZE);
    }

    function _msm(address precompile, bytes memory p, uint256 scalar, uint256 size)
        private
        view
        returns (bytes memory r)
    {
        (bool ok, bytes memory out) = precompile.staticcall(abi.encodePacked(p, scalar));
        if (!ok || out.length != size) revert PrecompileFailed(precompile);
        r = out;
    }

    /// @notice Whether the product of the pairings of `input` (k pairs of G1 ‖ G2, 384 bytes each)
    /// is the identity. Reverts on a malformed input or a point outside its subgroup.
    function pairingCheck(bytes memory input) internal view returns (bool valid) {
        bool ok;
        uint256 result;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x0f, add(input, 0x20), mload(input), 0x00, 0x20)
            result := mload(0x00)
        }
        if (!ok) revert PrecompileFailed(PAIRING_CHECK);
        valid = result == 1;
    }

    /// @notice Whether every byte of `p` is zero: the point at infinity.
    function isInfinity(bytes memory p) internal pure returns (bool inf) {
        inf = true;
        assembly ("memory-safe") {
            let n := mload(p)
            for { let i := 0 } lt(i, n) { i := add(i, 0x20) } {
                if mload(add(add(p, 0x20), i)) {
                    inf := false
                    break
                }
            }
        }
    }
}
