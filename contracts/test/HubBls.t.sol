// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {words1} from "./utils/Words.sol";
import {Hub} from "../src/Hub.sol";
import {BLS12381} from "../src/libraries/BLS12381.sol";
import {IBlsCoSignatureScheme} from "../src/interfaces/IBlsCoSignatureScheme.sol";
import {ICoSignatureScheme} from "../src/interfaces/ICoSignatureScheme.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {CommunityConfig, WindowRecord, WindowStatus} from "../src/types/Community.sol";
import {ParticipantState, StateHash} from "../src/types/Market.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {transactionGas} from "./utils/TxGas.sol";

/// @notice Keys, proofs of possession and co-signature blobs of the BLS module for a hub community,
/// made on chain with the EIP-2537 precompiles. The module is reached through its interface only
/// (this unit imports Hub.sol, compiled for size; the module must run as deployed: Modules.sol).
abstract contract HubBlsFixture is HubFixture {
    /// @dev Order of the BLS12-381 prime subgroups.
    uint256 internal constant R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;

    function _bls() internal view returns (IBlsCoSignatureScheme) {
        return IBlsCoSignatureScheme(address(blsModule));
    }

    function _blsConfig(uint256 n) internal view returns (CommunityConfig memory c) {
        c = _config(n);
        c.modules.coSignature = blsModule;
    }

    /// @dev BLS secret key of participant i (any nonzero scalar; the node derives its own by KeyGen).
    function _blsSk(uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("bls node", i))) % (R - 1) + 1;
    }

    function _g1() internal pure returns (bytes memory g) {
        g = BLS12381.NEG_G1;
        BLS12381.g1NegateInPlace(g);
    }

    function _g2() internal pure returns (bytes memory g) {
        g = BLS12381.NEG_G2;
        BLS12381.g2NegateInPlace(g);
    }

    function _blsPk(uint256 sk) internal view returns (bytes memory) {
        return BLS12381.g2Mul(_g2(), sk);
    }

    /// @dev pk ‖ PoP: [sk]H_pop(pk ‖ participant) under the PoP tag of (chain, hub, community).
    function _keyData(uint256 sk, bytes memory pk, address participant, uint64 id)
        internal
        view
        returns (bytes memory)
    {
        bytes memory h = BLS12381.hashToG1(abi.encodePacked(pk, participant), _bls().popDst(address(hub), id));
        return abi.encodePacked(pk, BLS12381.g1Mul(h, sk));
    }

    /// @dev Opens a BLS community of n and has every participant join with its key and PoP.
    function _openBls(uint256 n) internal returns (uint64 id) {
        id = _openConfig(_blsConfig(n));
        for (uint256 i = 0; i < n; ++i) {
            uint256 sk = _blsSk(i);
            // Key data first: its external view call would consume the prank.
            bytes memory kd = _keyData(sk, _blsPk(sk), nodes[i], id);
            _joinWith(id, i, kd);
        }
    }

    /// @dev The co-signature blob of signer set `bitmap` (n ≤ 256) over the window result, with the
    /// aggregate made from the secret keys in `skOf` (the honest ones unless a test swaps one), naming
    /// the absent keys when fewer than half are absent, else the present ones (the module's rule).
    function _blsBlob(uint64 id, uint32 w, ParticipantState[] memory state, uint256 bitmap, uint256 n)
        internal
        returns (bytes memory)
    {
        return _blsBlobWith(id, w, state, bitmap, bitmap, n);
    }

    /// @dev As `_blsBlob`, but the aggregate is made by the set `signedBy`, whatever `bitmap` claims.
    function _blsBlobWith(
        uint64 id,
        uint32 w,
        ParticipantState[] memory state,
        uint256 bitmap,
        uint256 signedBy,
        uint256 n
    ) internal returns (bytes memory blob) {
        return _blsBlobWords(id, w, state, words1(bitmap), words1(signedBy), n);
    }

    /// @dev As `_blsBlobWith` for a community of any size: the signer sets as ⌈n/256⌉ bitmap words.
    function _blsBlobWords(
        uint64 id,
        uint32 w,
        ParticipantState[] memory state,
        uint256[] memory bitmap,
        uint256[] memory signedBy,
        uint256 n
    ) internal returns (bytes memory blob) {
        uint256 skSum;
        uint256 present;
        for (uint256 i = 0; i < n; ++i) {
            if (_bit(signedBy, i)) skSum = addmod(skSum, _blsSk(i), R);
            if (_bit(bitmap, i)) ++present;
        }
        bytes32 digest = _digest(id, w, _root(w), state);
        bytes memory h = BLS12381.hashToG1(abi.encodePacked(digest), _bls().signatureDst(address(hub), id));
        bool subtract = n - present < present;
        bytes memory keys;
        for (uint256 i = 0; i < n; ++i) {
            if (_bit(bitmap, i) != subtract) keys = bytes.concat(keys, _blsPk(_blsSk(i)));
        }
        blob = abi.encodePacked(bitmap, BLS12381.g1Mul(h, skSum), keys);
    }

    function _bit(uint256[] memory words, uint256 i) internal pure returns (bool) {
        return (words[i >> 8] >> (i & 255)) & 1 == 1;
    }

    function _cool() internal {
        vm.cool(address(hub));
        vm.cool(address(token));
        vm.cool(address(blsModule));
        vm.cool(address(ecdsaModule));
    }

    /// @dev `from` sends `data` to a cold hub (its token and co-signature modules cold too); returns the
    /// call frame's own gas (`vm.lastCallGas`). A gasleft() difference around the call would add this
    /// test's memory expansion for the call's arguments, which grows with what the test built before it
    /// (about 0.6 M gas for the 64 KB of a 1,000-member ECDSA update).
    function _callCold(address from, bytes memory data) internal returns (uint256) {
        _cool();
        vm.prank(from);
        (bool ok,) = address(hub).call(data);
        assertTrue(ok, "call");
        return vm.lastCallGas().gasTotalUsed;
    }
}

/// @notice The hub with a BLS co-signature community: join with a proof of possession, the fast path
/// with one aggregate signature, a partial claim with a signer bitmap, and the attacks the module's
/// checks stop, seen through the hub (docs/bls.md).
contract HubBlsTest is HubBlsFixture {
    uint256 internal constant N = 4;

    function setUp() public {
        _deploy(N);
    }

    function test_Bls_JoinRegistersKeysAndActivates() public {
        uint64 id = _openBls(N);
        assertEq(uint8(hub.community(id).status), 2, "active");
        (uint256 count, uint256 top) = _bls().registeredCount(address(hub), id);
        assertEq(count, N);
        assertEq(top, N);
        assertEq(_bls().keyHash(address(hub), id, 2), keccak256(_blsPk(_blsSk(2))));
    }

    function test_Bls_FastPathUpdateFinalizes() public {
        uint64 id = _openBls(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes32 bRoot1 = _balancesRoot(id, 0, s);
        bytes memory blob = _blsBlob(id, 0, s, 0xF, N);
        vm.expectEmit(address(hub));
        emit IHub.WindowFinalized(id, 0, _root(0), StateHash.hash(s), bRoot1, words1(0xF));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot1, ConfigBuilder.finalStateOf(s, blob), blob);
        WindowRecord memory rec = hub.windowRecord(id, 0);
        assertEq(uint8(rec.status), uint8(WindowStatus.Final));
        assertEq(rec.signers, 0xF);
        assertEq(_leafAt(id, 0, 0).escrow, ESCROW - 300);
        assertEq(_leafAt(id, 0, 1).escrow, ESCROW + 300);
    }

    function test_Bls_PartialClaimWithBitmapThenFinalize() public {
        uint64 id = _openBls(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes32 bRoot2 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot2);
        // Participant 2 offline: 3 of 4 sign, its key is named and subtracted from the aggregate key.
        hub.update(
            id,
            0,
            _root(0),
            StateHash.hash(s),
            bRoot2,
            ConfigBuilder.finalStateOf(s, _blsBlob(id, 0, s, 0xB, N)),
            _blsBlob(id, 0, s, 0xB, N)
        );
        WindowRecord memory rec = hub.windowRecord(id, 0);
        assertEq(uint8(rec.status), uint8(WindowStatus.Pending));
        assertEq(rec.signers, 0xB);
        assertEq(rec.balancesRoot, bRoot2);
        assertEq(hub.community(id).finalizedWindows, 0, "nothing final while pending");
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(_leafAt(id, 0, 0).escrow, ESCROW - 300);
    }

    function test_Bls_OneSignerClaimNamesThePresentKey() public {
        uint64 id = _openBls(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes32 bRoot3 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot3);
        hub.update(
            id,
            0,
            _root(0),
            StateHash.hash(s),
            bRoot3,
            ConfigBuilder.finalStateOf(s, _blsBlob(id, 0, s, 0x4, N)),
            _blsBlob(id, 0, s, 0x4, N)
        );
        assertEq(hub.windowRecord(id, 0).signers, 0x4);
        bytes32 bRoot4 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot4);
        // The full aggregate then replaces the pending claim at once.
        hub.update(
            id,
            0,
            _root(0),
            StateHash.hash(s),
            bRoot4,
            ConfigBuilder.finalStateOf(s, _blsBlob(id, 0, s, 0xF, N)),
            _blsBlob(id, 0, s, 0xF, N)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
    }

    /// Attack: join with a key whose proof of possession was made for another participant (copying a key).
    function test_RevertWhen_Bls_JoinWithForeignProof() public {
        uint64 id = _openConfig(_blsConfig(N));
        uint256 sk = _blsSk(0);
        bytes memory kd = _keyData(sk, _blsPk(sk), nodes[0], id);
        bytes32[] memory proof1 = book.genesisProof(hub, id, 1);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 1));
        hub.join(id, 1, proof1, kd);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.KeyDataLength.selector, 0));
        hub.join(id, 1, proof1, "");
        // Nothing was recorded: the honest owner of the key can still join.
        _joinWith(id, 0, kd);
        assertEq(hub.community(id).joinedCount, 1);
    }

    /// Attack: rogue key pk' = [x]G2 - pk_0 (then [x]H(m) alone would verify for participants 0 and 1).
    /// Without the secret of pk' the best proof the attacker can make is [x]H_pop(pk' ‖ attacker): refused.
    function test_RevertWhen_Bls_RogueKeyJoins() public {
        uint64 id = _openConfig(_blsConfig(2));
        uint256 sk0 = _blsSk(0);
        bytes memory kd0 = _keyData(sk0, _blsPk(sk0), nodes[0], id);
        _joinWith(id, 0, kd0);
        uint256 x = 12345;
        bytes memory negPk0 = _blsPk(sk0);
        BLS12381.g2NegateInPlace(negPk0);
        bytes memory rogue = BLS12381.g2Add(_blsPk(x), negPk0);
        bytes memory kd = _keyData(x, rogue, nodes[1], id);
        bytes32[] memory proof1 = book.genesisProof(hub, id, 1);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 1));
        hub.join(id, 1, proof1, kd);
    }

    /// Attack: a bitmap claiming a participant whose share is not in the aggregate.
    function test_RevertWhen_Bls_AggregateMissesAClaimedSigner() public {
        uint64 id = _openBls(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes memory blob = _blsBlobWith(id, 0, s, 0xF, 0x7, N);
        bytes32 bRoot5 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot5);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot5, ConfigBuilder.finalStateOf(s, blob), blob);
    }

    /// Attack: the aggregate of another result (here another state) replayed for this one.
    function test_RevertWhen_Bls_AggregateOfAnotherResult() public {
        uint64 id = _openBls(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes memory blob = _blsBlob(id, 0, _transferState(N, 301), 0xF, N);
        bytes32 bRoot6 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot6);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot6, ConfigBuilder.finalStateOf(s, blob), blob);
    }

    /// ECDSA signatures are no co-signature in a BLS community.
    function test_RevertWhen_Bls_EcdsaSignaturesGiven() public {
        uint64 id = _openBls(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes memory sigs = _pack(_sign(id, 0, _root(0), s, _everyone(N)));
        bytes32 bRoot7 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot7);
        vm.expectRevert();
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot7, ConfigBuilder.finalStateOf(s, sigs), sigs);
    }
}

/// @notice Named gas snapshots (group "HubBls", `snapshots/HubBls.json`) of a fast-path update (every
/// participant signs, every `net` non-zero) through the hub with the BLS module beside the ECDSA
/// signer set, at N = 10, 100 and 256 (the hub's signer bitmap is one uint256: N ≤ 256), and the
/// last BLS join. Execution gas of the call frame (`_callCold`) and `*_txGas` (21,000 + calldata, EIP-7623
/// floor) as in HubGasTest.
/// Check: `forge test --match-contract HubBlsGasTest --gas-snapshot-check=true`.
contract HubBlsGasTest is HubBlsFixture {
    uint256 internal constant TX_GAS_CAP = 16_777_216;

    function setUp() public {
        _deploy(256);
    }

    function _record(string memory name, uint256 n, bytes memory data, uint256 used) internal returns (uint256 txGas) {
        string memory key = string.concat(name, "_N", vm.toString(n));
        txGas = transactionGas(data, used);
        vm.snapshotValue("HubBls", key, used);
        vm.snapshotValue("HubBls", string.concat(key, "_txGas"), txGas);
        assertLt(txGas, TX_GAS_CAP);
    }

    function _measure(uint256 n) internal {
        ParticipantState[] memory s = _alternatingState(n, 100);
        uint256 blsTx = _measureBls(n, s);
        uint256 ecdsaTx = _measureEcdsa(n, s);
        // At N = 10 ten ecrecovers (~40 k) undercut one pairing and a hash to G1 (~143 k): ECDSA is
        // cheaper for small communities, BLS from somewhere between 10 and 100 (docs/bls.md).
        if (n >= 100) assertLt(blsTx, ecdsaTx, "BLS cheaper from N = 100");
        else assertGt(blsTx, ecdsaTx, "ECDSA cheaper at N = 10");
    }

    /// @dev The last BLS join (PoP pairing, activation), then the fast path with one aggregate.
    function _measureBls(uint256 n, ParticipantState[] memory s) internal returns (uint256) {
        uint64 id = _openConfig(_blsConfig(n));
        for (uint256 i = 1; i < n; ++i) {
            uint256 sk = _blsSk(i);
            // Key data first: its external view call would consume the prank.
            _joinWith(id, i, _keyData(sk, _blsPk(sk), nodes[i], id));
        }
        bytes memory kd = _keyData(_blsSk(0), _blsPk(_blsSk(0)), nodes[0], id);
        bytes memory data = abi.encodeCall(hub.join, (id, 0, book.genesisProof(hub, id, 0), kd));
        _record("bls_join_last", n, data, _callCold(nodes[0], data));

        return _measureBlsUpdate(id, n, s);
    }

    function _measureBlsUpdate(uint64 id, uint256 n, ParticipantState[] memory s) internal returns (uint256) {
        vm.warp(_windowEnd(0));
        bytes memory blob = _blsBlob(id, 0, s, n == 256 ? type(uint256).max : (uint256(1) << n) - 1, n);
        bytes memory data = abi.encodeCall(
            hub.update,
            (id, 0, _root(0), StateHash.hash(s), book.nextOf(hub, id, 0, s), ConfigBuilder.finalStateOf(s, blob), blob)
        );
        uint256 used = _callCold(address(this), data);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        return _record("bls_update_fastPath", n, data, used);
    }

    /// @dev The ECDSA signer set's fast path, same N, same state.
    function _measureEcdsa(uint256 n, ParticipantState[] memory s) internal returns (uint256) {
        uint64 id = _openActive(n);
        if (block.timestamp < _windowEnd(0)) vm.warp(_windowEnd(0));
        bytes memory sigs = _pack(_sign(id, 0, _root(0), s, _everyone(n)));
        bytes memory data = abi.encodeCall(
            hub.update,
            (id, 0, _root(0), StateHash.hash(s), book.nextOf(hub, id, 0, s), ConfigBuilder.finalStateOf(s, sigs), sigs)
        );
        uint256 used = _callCold(address(this), data);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        return _record("ecdsa_update_fastPath", n, data, used);
    }

    function test_Gas_N10() public {
        _measure(10);
    }

    function test_Gas_N100() public {
        _measure(100);
    }

    function test_Gas_N256() public {
        _measure(256);
    }
}

/// @notice The hub's updates at N = 1,000 (four bitmap words; `SignerBitmap.MAX_PARTICIPANTS` = 1,024),
/// the community opened and joined through `Hub.open` and `Hub.join` (the genesis tree built once,
/// `BalanceBook.cacheGenesis`): the BLS fast path, issue 11's goal ≤ 250,000 transaction gas flat in N
/// (`snapshots/HubBls.json`), and the ECDSA signer set's pending update signed by the first and the last
/// participant and its fast path signed by all 1,000 (`snapshots/HubWide.json`).
/// Check: `forge test --match-contract HubWideScaleGasTest`.
contract HubWideScaleGasTest is HubBlsFixture {
    uint256 internal constant NW = 1000;

    function setUp() public {
        _deploy(NW);
    }

    function test_Gas_BlsFastPath_N1000() public {
        uint64 id = _openConfig(_blsConfig(NW));
        book.cacheGenesis(hub, id);
        for (uint256 i = 0; i < NW; ++i) {
            uint256 sk = _blsSk(i);
            // Key data first: its external view call would consume the prank.
            _joinWith(id, i, _keyData(sk, _blsPk(sk), nodes[i], id));
        }
        ParticipantState[] memory s = _alternatingState(NW, 100);
        vm.warp(_windowEnd(0));
        uint256[] memory all = _signerWords(_everyone(NW), NW);
        bytes memory blob = _blsBlobWords(id, 0, s, all, all, NW);
        bytes memory data = abi.encodeCall(
            hub.update,
            (id, 0, _root(0), StateHash.hash(s), book.nextOf(hub, id, 0, s), ConfigBuilder.finalStateOf(s, blob), blob)
        );
        uint256 used = _callCold(address(this), data);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "fast path final");
        uint256 txGas = transactionGas(data, used);
        vm.snapshotValue("HubBls", "bls_update_fastPath_N1000", used);
        vm.snapshotValue("HubBls", "bls_update_fastPath_N1000_txGas", txGas);
        assertLe(txGas, 250_000, "issue 11: BLS fast path <= 250,000 tx gas");
    }

    /// A pending claim signed by participants 0 and 999 (four words, two signatures, S packed: 64 KB), then,
    /// once it is final, window 1's fast path signed by all 1,000 (1,000 ecrecovers).
    function test_Gas_EcdsaPendingAndFastPath_N1000() public {
        uint64 id = _openActive(NW);
        ParticipantState[] memory s = _transferState(NW, 5);
        vm.warp(_windowEnd(0));
        bytes32 bRoot = _balancesRoot(id, 0, s);
        uint256[] memory who = new uint256[](2);
        (who[0], who[1]) = (0, NW - 1);
        bytes memory sig = _wideBlob(
            _resultDigest(address(hub), id, 0, _root(0), StateHash.hash(s), bRoot), who, _signerWords(who, NW)
        );
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot);
        bytes memory data = abi.encodeCall(
            hub.update, (id, 0, _root(0), StateHash.hash(s), bRoot, ConfigBuilder.finalStateOf(s, sig), sig)
        );
        uint256 used = _callCold(address(this), data);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
        vm.snapshotValue("HubWide", "ecdsa_update_pending_2of1000", used);
        vm.snapshotValue("HubWide", "ecdsa_update_pending_2of1000_txGas", transactionGas(data, used));
        vm.warp(_windowEnd(0) + CHALLENGE);
        hub.finalize(id);

        ParticipantState[] memory s1 = _alternatingState(NW, 100);
        vm.warp(_windowEnd(1));
        bytes32 bRoot1 = _balancesRoot(id, 1, s1);
        uint256[] memory everyone = _everyone(NW);
        sig = _wideBlob(
            _resultDigest(address(hub), id, 1, _root(1), StateHash.hash(s1), bRoot1),
            everyone,
            _signerWords(everyone, NW)
        );
        data = abi.encodeCall(
            hub.update, (id, 1, _root(1), StateHash.hash(s1), bRoot1, ConfigBuilder.finalStateOf(s1, sig), sig)
        );
        used = _callCold(address(this), data);
        assertEq(uint8(hub.windowRecord(id, 1).status), uint8(WindowStatus.Final), "fast path final");
        uint256 txGas = transactionGas(data, used);
        vm.snapshotValue("HubWide", "ecdsa_update_fastPath_N1000", used);
        vm.snapshotValue("HubWide", "ecdsa_update_fastPath_N1000_txGas", txGas);
        assertLt(txGas, 16_777_216, "under the EIP-7825 transaction gas cap");
    }
}
