// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {BLS12381} from "../../src/libraries/BLS12381.sol";
import {BlsCoSignatureScheme} from "../../src/modules/BlsCoSignatureScheme.sol";
import {BlsFixture} from "../utils/BlsFixture.sol";
import {BlsMinPkScheme} from "../utils/BlsMinPkScheme.sol";
import {transactionGas} from "../utils/TxGas.sol";

/// @notice Named gas snapshots (group "Bls", `snapshots/Bls.json`) of the BLS co-signature module,
/// min-sig (the module) beside min-pk (`BlsMinPkScheme`, same rules with the groups swapped), at
/// N = 10, 100 and 1,000 participants: `register` of the last participant, and `verifyWide` with
/// every participant signing, one absent, 10 % absent, half absent (the most keys a blob names) and
/// 10 % present (keys added instead of subtracted).
/// Execution gas of the call frame (`vm.lastCallGas`, so the test's own memory does not leak in)
/// with the module's storage cold; `*_txGas` adds 21,000 and the call's calldata (EIP-2028 /
/// EIP-7623 floor) as if it were a transaction of its own: the hub's update adds its own calldata,
/// its work and a cold CALL (2,600) on top.
/// Check: `forge test --match-contract BlsGasTest --gas-snapshot-check=true`.
contract BlsGasTest is BlsFixture {
    address internal constant hub = address(0xb1500);
    bytes32 internal constant digest = keccak256("window result");
    BlsMinPkScheme internal minPk;

    /// Keys of one community, kept in memory (storage would cost more than the test gas limit at N = 1,000).
    struct Keys {
        uint256[] sks;
        bytes[] pks;
        bytes[] minPkKeys;
    }

    function setUp() public {
        scheme = new BlsCoSignatureScheme();
        minPk = new BlsMinPkScheme();
    }

    function _used() internal view returns (uint256) {
        return vm.lastCallGas().gasTotalUsed;
    }

    function _record(string memory name, bytes memory data, uint256 used) internal returns (uint256 txGas) {
        txGas = transactionGas(data, used);
        vm.snapshotValue("Bls", name, used);
        vm.snapshotValue("Bls", string.concat(name, "_txGas"), txGas);
    }

    /// @dev Participants 0..n-1 of community `n` in both schemes; the last registration of each measured.
    function _registerBoth(uint256 n) internal returns (Keys memory k) {
        uint64 cid = uint64(n);
        k.sks = new uint256[](n);
        k.pks = new bytes[](n);
        k.minPkKeys = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 sk = _sk("gas", i);
            k.sks[i] = sk;
            bytes memory kd = _keyData(sk, _participant(i), hub, cid);
            k.pks[i] = _slice(kd, 0, BLS12381.G2_SIZE);
            bytes memory pk1 = BLS12381.g1Mul(_g1(), sk);
            bytes memory h2 = BLS12381.hashToG2(abi.encodePacked(pk1, _participant(i)), minPk.popDst(hub, cid));
            bytes memory kd1 = abi.encodePacked(pk1, BLS12381.g2Mul(h2, sk));
            k.minPkKeys[i] = pk1;
            if (i + 1 < n) {
                vm.startPrank(hub);
                scheme.register(cid, i, _participant(i), kd);
                minPk.register(cid, i, _participant(i), kd1);
                vm.stopPrank();
            } else {
                string memory tag = string.concat("_register_N", vm.toString(n));
                vm.cool(address(scheme));
                vm.prank(hub);
                scheme.register(cid, i, _participant(i), kd);
                _record(
                    string.concat("minSig", tag),
                    abi.encodeCall(scheme.register, (cid, i, _participant(i), kd)),
                    _used()
                );
                vm.cool(address(minPk));
                vm.prank(hub);
                minPk.register(cid, i, _participant(i), kd1);
                _record(
                    string.concat("minPk", tag), abi.encodeCall(minPk.register, (cid, i, _participant(i), kd1)), _used()
                );
            }
        }
    }

    /// @dev Everyone but `absent` participants spread evenly over the indices.
    function _bitmap(uint256 n, uint256 absent) internal pure returns (uint256[] memory bitmap) {
        bitmap = new uint256[]((n + 255) / 256);
        for (uint256 i = 0; i < n; ++i) {
            // forge-lint: disable-next-line(incorrect-shift)
            bitmap[i >> 8] |= 1 << (i & 255);
        }
        for (uint256 j = 0; j < absent; ++j) {
            uint256 i = (j * n) / absent;
            // forge-lint: disable-next-line(incorrect-shift)
            bitmap[i >> 8] &= ~(1 << (i & 255));
        }
    }

    function _minPkBlob(Keys memory k, uint256[] memory bitmap, uint64 cid) internal view returns (bytes memory) {
        (uint256 present, uint256 skSum) = _tally(bitmap, k.sks);
        bytes memory h = BLS12381.hashToG2(abi.encodePacked(digest), minPk.signatureDst(hub, cid));
        uint256 n = k.sks.length;
        bool subtract = n - present < present;
        bytes memory keys = new bytes((subtract ? n - present : present) * BLS12381.G1_SIZE);
        uint256 at;
        for (uint256 i = 0; i < n; ++i) {
            if (_isSet(bitmap, i) != subtract) {
                bytes memory pk = k.minPkKeys[i];
                assembly ("memory-safe") {
                    mcopy(add(add(keys, 0x20), at), add(pk, 0x20), 0x80)
                }
                at += BLS12381.G1_SIZE;
            }
        }
        return abi.encodePacked(bitmap, BLS12381.g2Mul(h, skSum), keys);
    }

    function _measureVerify(Keys memory k, uint256 absent, string memory label) internal returns (uint256 minSigTx) {
        uint256 n = k.sks.length;
        uint256[] memory bitmap = _bitmap(n, absent);
        string memory tag = string.concat("_verify_N", vm.toString(n), "_", label);
        minSigTx = _measureMinSig(k, uint64(n), bitmap, string.concat("minSig", tag));
        _measureMinPk(k, uint64(n), bitmap, string.concat("minPk", tag));
    }

    function _measureMinSig(Keys memory k, uint64 cid, uint256[] memory bitmap, string memory name)
        internal
        returns (uint256)
    {
        uint256 n = k.sks.length;
        bytes memory blob = _blob(bitmap, k.sks, k.pks, digest, hub, cid);
        vm.cool(address(scheme));
        vm.prank(hub);
        uint256[] memory got = scheme.verify(cid, digest, n, blob);
        uint256 used = _used();
        assertEq(got, bitmap);
        return _record(name, abi.encodeCall(scheme.verify, (cid, digest, n, blob)), used);
    }

    function _measureMinPk(Keys memory k, uint64 cid, uint256[] memory bitmap, string memory name)
        internal
        returns (uint256)
    {
        uint256 n = k.sks.length;
        bytes memory blob = _minPkBlob(k, bitmap, cid);
        vm.cool(address(minPk));
        vm.prank(hub);
        uint256[] memory got = minPk.verifyWide(cid, digest, n, blob);
        uint256 used = _used();
        assertEq(got, bitmap);
        return _record(name, abi.encodeCall(minPk.verifyWide, (cid, digest, n, blob)), used);
    }

    function _measure(uint256 n) internal returns (uint256 allSigned) {
        Keys memory k = _registerBoth(n);
        allSigned = _measureVerify(k, 0, "all");
        _measureVerify(k, 1, "absent1");
        _measureVerify(k, n / 10, "absent10pct");
        _measureVerify(k, n / 2, "absentHalf");
        // Most absent: the blob names the present keys and the stored aggregate is not read.
        _measureVerify(k, n - n / 10, "present10pct");
    }

    /// @dev Issue 11's goal for the fast path (everyone signs) is flat in N and well under 250,000.
    function test_GasSnapshots() public {
        uint256 a10 = _measure(10);
        uint256 a100 = _measure(100);
        uint256 a1000 = _measure(1000);
        assertLt(a1000, 250_000);
        // Flat: only the bitmap words and their calldata grow with N.
        assertLt(a1000 - a10, 5_000);
        assertLt(a100, a1000 + 1);
    }
}
