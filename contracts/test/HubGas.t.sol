// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hub} from "../src/Hub.sol";
import {MarketKind, ParticipantState, StateHash} from "../src/types/Market.sol";
import {Balance, CommunityConfig, Meter, OpenConfig} from "../src/types/Community.sol";
import {MeterRegistry} from "../src/libraries/MeterRegistry.sol";
import {MeterRecords} from "./utils/MeterRecords.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {calldataTokens, transactionGas} from "./utils/TxGas.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";
import {claimTermsOf} from "./utils/ClaimTermsOf.sol";

/// @notice Named gas snapshots (group "Hub", written to `snapshots/Hub.json`) of open, join, update
/// (fast path: every participant signs, every `net` non-zero), close and claim.
/// Each measured call is a transaction of its own (the tests run isolated, `_call`): `*_txGas` is what its
/// sender pays (21,000 + calldata + execution, recorded with vm.snapshotValue), the plain figure its execution
/// gas (that less 21,000 and the calldata). A transaction must stay under the Osaka per-transaction cap of 16,777,216 (EIP-7825). `openJoin_perParticipant_N*`
/// is (open + every join) in transaction gas, divided by N; `openTogether_perParticipant_N*` the one transaction
/// of `openTogether` divided by N (issue 11's goal for either: ≤ 60,000).
/// Check: `forge test --match-contract HubGasTest --gas-snapshot-check=true`.
contract HubGasTest is HubFixture {
    uint256 internal constant TX_GAS_CAP = 16_777_216;

    function setUp() public {
        _deploy(256);
    }

    function _n(uint256 n) internal pure returns (string memory) {
        return string.concat("_N", vm.toString(n));
    }

    /// @dev Sends `data` to the hub as `from` and returns what that transaction cost: every test here runs
    /// isolated (inline config `isolate = true`), so each call from the test is a transaction of its own, the
    /// hub its warm `to` and every other account (token, modules, linked libraries) and every slot cold, as on
    /// chain. `txGas` is its gasUsed (`vm.lastCallGas`: 21,000 + calldata + execution); `execution` is that
    /// less 21,000 and the calldata (checked: the EIP-7623 floor does not apply, and no refund). Before s12 the
    /// figures other than the claims were taken with `vm.cool`, which cools storage but not accounts: each
    /// account a call reached was counted 2,500 gas too low. Reverts bubble up.
    function _call(address from, bytes memory data) internal returns (uint256 execution, uint256 txGas) {
        vm.prank(from);
        (bool ok, bytes memory ret) = address(hub).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        txGas = uint256(vm.lastCallGas().gasTotalUsed);
        assertEq(vm.lastCallGas().gasRefunded, 0);
        execution = txGas - 21_000 - 4 * calldataTokens(data);
        assertEq(transactionGas(data, execution), txGas);
    }

    /// @dev Opens and fills a community of n (ECDSA), recording open, every join, and their sum per
    /// participant in transaction gas.
    function _measureOpenJoin(uint256 n) internal returns (uint64 id) {
        CommunityConfig memory c = _config(n);
        book.recordGenesis(c.participants, c.escrow);
        bytes memory data = abi.encodeCall(hub.open, (OpenCodec.encode(c)));
        (uint256 used, uint256 total) = _call(address(this), data);
        id = hub.communityCount();
        vm.snapshotValue("Hub", string.concat("open", _n(n)), used);
        vm.snapshotValue("Hub", string.concat("open", _n(n), "_txGas"), total);
        for (uint256 i = 0; i < n; ++i) {
            data = abi.encodeCall(hub.join, (id, i, book.genesisProof(hub, id, i), ""));
            uint256 txGas;
            (used, txGas) = _call(nodes[i], data);
            total += txGas;
            // The last join also activates the community.
            if (i + 1 == n) vm.snapshotValue("Hub", string.concat("join_last", _n(n)), used);
        }
        vm.snapshotValue("Hub", string.concat("openJoin_perParticipant", _n(n), "_txGas"), total / n);
    }

    /// @dev Opens a community of n (ECDSA) together (`openTogether`: every consent checked, every deposit pulled,
    /// Active at once), recording that one transaction and its share per participant. The consents are signed
    /// before (off chain); each participant approved the hub once (`_deploy`), as for `join`.
    function _measureOpenTogether(uint256 n) internal returns (uint64 id) {
        CommunityConfig memory c = _config(n);
        book.recordGenesis(c.participants, c.escrow);
        OpenConfig memory packed = OpenCodec.encode(c);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory data = abi.encodeCall(hub.openTogether, (packed, deadline, _consents(packed, deadline)));
        (uint256 used, uint256 total) = _call(address(this), data);
        id = hub.communityCount();
        vm.snapshotValue("Hub", string.concat("openTogether", _n(n)), used);
        vm.snapshotValue("Hub", string.concat("openTogether", _n(n), "_txGas"), total);
        vm.snapshotValue("Hub", string.concat("openTogether_perParticipant", _n(n), "_txGas"), total / n);
        assertLt(total, TX_GAS_CAP);
    }

    /// @dev `openTogetherWithPermits` of a community of n (ECDSA) whose participants approved nothing: each
    /// deposit allowed by its EIP-2612 permit in the same transaction, in place of an `approve` transaction of
    /// its own (46,341 gas each in the simulator). `*_txGas` is the transaction's gas (`vm.lastCallGas`),
    /// `*_refund` the refund it reports (EIP-3529: each permit's allowance, set and used up in the transaction);
    /// what a sender pays net of the refund is measured on anvil by the simulator (`docs/simulator.md`).
    function _measureOpenTogetherPermits(uint256 n) internal {
        CommunityConfig memory c = _config(n);
        book.recordGenesis(c.participants, c.escrow);
        OpenConfig memory packed = OpenCodec.encode(c);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory data = abi.encodeCall(
            hub.openTogetherWithPermits, (packed, deadline, _consents(packed, deadline), _permits(packed, deadline))
        );
        (bool ok,) = address(hub).call(data);
        assertTrue(ok);
        uint256 txGas = uint256(vm.lastCallGas().gasTotalUsed);
        assertLt(txGas, TX_GAS_CAP);
        string memory key = string.concat("openTogetherPermits", _n(n));
        vm.snapshotValue("Hub", string.concat(key, "_txGas"), txGas);
        vm.snapshotValue("Hub", string.concat(key, "_refund"), uint256(int256(vm.lastCallGas().gasRefunded)));
        vm.snapshotValue("Hub", string.concat(key, "_perParticipant_txGas"), txGas / n);
    }

    /// @dev `registerModules` of the standard ECDSA set on a hub that has none yet: what a hub's deployer pays once
    /// per set (and the first `open` naming an unregistered set pays on top of the `open_*` figures).
    /// forge-config: default.isolate = true
    function test_Gas_RegisterModules() public {
        Hub fresh = new Hub(_allowList());
        bytes memory data = abi.encodeCall(fresh.registerModules, (_modules(MarketKind.Totals), MarketKind.Totals));
        (bool ok,) = address(fresh).call(data);
        assertTrue(ok);
        vm.snapshotValue("Hub", "registerModules_txGas", uint256(vm.lastCallGas().gasTotalUsed));
    }

    /// forge-config: default.isolate = true
    function test_Gas_OpenTogetherPermits() public {
        _measureOpenTogetherPermits(10);
        _measureOpenTogetherPermits(50);
        // The bound of the project's tools (`OPEN_TOGETHER_MAX_PARTICIPANTS`, node/src/chain/openTogether.ts).
        _measureOpenTogetherPermits(200);
    }

    /// forge-config: default.isolate = true
    function test_Gas_OpenTogether() public {
        _measureOpenTogether(2);
        _measureOpenTogether(10);
        _measureOpenTogether(50);
        _measureOpenTogether(256);
    }

    /// @dev One fully signed update of window `w`, measured as a transaction (arguments built before: only the
    /// hub's work is counted), recorded under `key`.
    function _measureFastPath(uint64 id, uint256 n, uint32 w, ParticipantState[] memory s, string memory key) internal {
        vm.warp(_windowEnd(w));
        bytes[] memory sigs = _sign(id, w, _root(w), s, _everyone(n));
        bytes memory data = abi.encodeCall(
            hub.update,
            (
                id,
                w,
                _root(w),
                StateHash.hash(s),
                _balancesRoot(id, w, s),
                ConfigBuilder.finalState(s, sigs.length == s.length),
                _pack(sigs)
            )
        );
        (uint256 used, uint256 txGas) = _call(address(this), data);
        vm.snapshotValue("Hub", key, used);
        vm.snapshotValue("Hub", string.concat(key, "_txGas"), txGas);
        assertLt(txGas, TX_GAS_CAP);
    }

    function _measureUpdateAndClose(uint64 id, uint256 n) internal {
        ParticipantState[] memory s = _alternatingState(n, 100);
        // Window 0 writes the community's final balances root fresh; every later window overwrites it (s16).
        _measureFastPath(id, n, 0, s, string.concat("update_fastPath", _n(n)));
        _measureFastPath(id, n, 1, s, string.concat("update_fastPath_laterWindow", _n(n)));

        for (uint32 w = 2; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(n));
        }
        (uint256 used,) = _call(address(this), abi.encodeCall(hub.close, (id)));
        vm.snapshotValue("Hub", string.concat("close", _n(n)), used);
    }

    /// `open` at the hub's largest community: N = 256 participants and M = MAX_METERS = 1,024 Ed25519 meters
    /// (grouped by owner, four each). The hub stores the meter root and count only; the list stays in the
    /// calldata, packed (`OpenCodec`: 36 bytes per Ed25519 meter, 192 in the ABI's `Meter[]` before s11).
    /// forge-config: default.isolate = true
    function test_Gas_OpenMaxMeters() public {
        CommunityConfig memory c = _config(256);
        uint256 m = MeterRegistry.MAX_METERS;
        c.meters = new Meter[](m);
        for (uint256 k = 0; k < m; ++k) {
            c.meters[k] = Meter(_meterKey(k), ED25519, uint32(k * 256 / m));
        }
        bytes memory data = abi.encodeCall(hub.open, (OpenCodec.encode(c)));
        (uint256 used, uint256 total) = _call(address(this), data);
        vm.snapshotValue("Hub", "open_N256_M1024", used);
        vm.snapshotValue("Hub", "open_N256_M1024_txGas", total);
        vm.snapshotValue("Hub", "open_N256_M1024_bytes", data.length);
        assertLt(total, TX_GAS_CAP);
        assertEq(hub.meterRoot(hub.communityCount()), MeterRecords.root(c.meters));
    }

    /// forge-config: default.isolate = true
    function test_Gas_N2() public {
        _measureUpdateAndClose(_measureOpenJoin(2), 2);
    }

    /// forge-config: default.isolate = true
    function test_Gas_N10() public {
        _measureUpdateAndClose(_measureOpenJoin(10), 10);
    }

    /// forge-config: default.isolate = true
    function test_Gas_N50() public {
        _measureUpdateAndClose(_measureOpenJoin(50), 50);
    }

    /// forge-config: default.isolate = true
    function test_Gas_N256() public {
        _measureUpdateAndClose(_measureOpenJoin(256), 256);
    }

    /// forge-config: default.isolate = true
    function test_Gas_PendingAndFinalize_N10() public {
        uint64 id = _openActive(10);
        ParticipantState[] memory s = _alternatingState(10, 100);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _only(3));
        bytes memory data = abi.encodeCall(
            hub.update,
            (
                id,
                0,
                _root(0),
                StateHash.hash(s),
                _balancesRoot(id, 0, s),
                ConfigBuilder.finalState(s, sigs.length == s.length),
                _pack(sigs)
            )
        );
        (uint256 used,) = _call(address(this), data);
        vm.snapshotValue("Hub", "update_pending_N10", used);
        vm.warp(block.timestamp + CHALLENGE);
        (used,) = _call(address(this), abi.encodeCall(hub.finalize, (id)));
        vm.snapshotValue("Hub", "finalize_N10", used);
    }

    /// @dev Claims of a closed community of n where participant 0 owes more than its escrow to the
    /// others (a debtor with debt, creditors with claims, in the root): each measured as its own
    /// transaction. Each claim writes the member's own slot (settled, and a creditor's claimTaken: `Member`)
    /// and the community's held/pool slot, both non-zero already: no fresh slot. The recipients hold tokens
    /// already; `claim_creditorFresh` is a creditor whose token balance is zero (the transfer writes a fresh
    /// slot in the token: 17,100 gas more).
    /// Measured as real transactions (`_call`): the token and the linked `Settlement` library are cold accounts.
    function _measureClaims(uint256 n) internal {
        uint64 id = _closedWithDebtor(n);
        _claimGas(id, n, 0, "claim_debtor");
        _claimGas(id, n, 1, "claim_creditor");
        _claimGas(id, n, 2, "claim_creditor2");
        // A creditor that holds no tokens when it claims.
        vm.startPrank(nodes[3]);
        token.transfer(address(this), token.balanceOf(nodes[3]));
        vm.stopPrank();
        _claimGas(id, n, 3, "claim_creditorFresh");
    }

    /// @dev A closed community of n where participant 0 owes twice its escrow to the others: a debtor with
    /// debt, creditors with claims, in the final root.
    function _closedWithDebtor(uint256 n) internal returns (uint64 id) {
        id = _openActive(n);
        int256[] memory nets = new int256[](n);
        int256 due = int256(uint256(ESCROW)) * 2;
        nets[0] = -due;
        for (uint256 i = 1; i < n; ++i) {
            nets[i] = due / int256(n - 1);
        }
        nets[n - 1] += due - (due / int256(n - 1)) * int256(n - 1);
        _update(id, 0, _state(nets), _everyone(n));
        for (uint32 w = 1; w < WINDOWS; ++w) {
            _update(id, w, _transferState(n, 0), _everyone(n));
        }
        hub.close(id);
    }

    function _claimGas(uint64 id, uint256 n, uint256 i, string memory name) internal {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        bytes memory data = abi.encodeCall(hub.claim, (id, claimTermsOf(address(hub), id), i, leaf, total, proof));
        (uint256 execution, uint256 txGas) = _call(address(0xC1A1), data);
        vm.snapshotValue("Hub", string.concat(name, _n(n)), execution);
        vm.snapshotValue("Hub", string.concat(name, _n(n), "_txGas"), txGas);
    }

    /// @dev `claimAll` of the same community as `_measureClaims` (a debtor, creditors, every recipient
    /// holding tokens already), one transaction paying all n; `claimAll_perMember` is its transaction gas / n
    /// (issue 11's claim goal is ≤ 60,000 per member).
    function _measureClaimAll(uint256 n) internal {
        uint64 id = _closedWithDebtor(n);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        bytes memory data = abi.encodeCall(hub.claimAll, (id, claimTermsOf(address(hub), id), all, total));
        (uint256 execution, uint256 txGas) = _call(address(0xC1A1), data);
        assertLt(txGas, TX_GAS_CAP);
        vm.snapshotValue("Hub", string.concat("claimAll", _n(n)), execution);
        vm.snapshotValue("Hub", string.concat("claimAll", _n(n), "_txGas"), txGas);
        vm.snapshotValue("Hub", string.concat("claimAll_perMember", _n(n), "_txGas"), txGas / n);
    }

    /// @dev A closed community of n, opened together or joined one by one, whose windows each moved 100 back and
    /// forth (`_alternatingState`): no debt, no claim holder, every claim its member's own funds (the common
    /// case, the simulator's year). A member of a community opened together has no slot of its own: its claim
    /// marks its bit (`Settlement.isSettled`: the first in a word of 256 writes the word fresh), where a joined
    /// member's claim rewrites its slot.
    function _closedPlain(uint256 n, bool together) internal returns (uint64 id) {
        id = together ? _openTogether(n) : _openActive(n);
        ParticipantState[] memory s = _alternatingState(n, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(n));
        }
        hub.close(id);
    }

    /// @dev The first two claims of `_closedPlain(n, together)`, each its own transaction
    /// (`claimTogether_first`/`_second`, `claimJoined_first`/`_second`).
    function _measurePlainClaims(uint256 n, bool together) internal {
        uint64 id = _closedPlain(n, together);
        string memory kind = together ? "claimTogether" : "claimJoined";
        _claimGas(id, n, 0, string.concat(kind, "_first"));
        _claimGas(id, n, 1, string.concat(kind, "_second"));
    }

    /// @dev `claimAll` of `_closedPlain(n, together)` (`claimAllTogether`, `claimAllJoined`).
    function _measurePlainClaimAll(uint256 n, bool together) internal {
        uint64 id = _closedPlain(n, together);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        bytes memory data = abi.encodeCall(hub.claimAll, (id, claimTermsOf(address(hub), id), all, total));
        // The batch pays the community's last token out: its pool slot and the hub's token balance go to zero,
        // refunded (EIP-3529) after the gas below, which is before the refund.
        vm.prank(address(0xC1A1));
        (bool ok,) = address(hub).call(data);
        assertTrue(ok);
        uint256 txGas = uint256(vm.lastCallGas().gasTotalUsed);
        assertLt(txGas, TX_GAS_CAP);
        string memory key = string.concat(together ? "claimAllTogether" : "claimAllJoined", _n(n));
        vm.snapshotValue("Hub", string.concat(key, "_txGas"), txGas);
        vm.snapshotValue("Hub", string.concat(key, "_refund"), uint256(int256(vm.lastCallGas().gasRefunded)));
        vm.snapshotValue("Hub", string.concat(key, "_perMember_txGas"), txGas / n);
    }

    /// @dev `claimRange` of `_closedPlain(n, true)` in batches of 2^height members, each a transaction
    /// (`claimRange_N<n>_h<height>_first` / `_last`, and the first's per member).
    function _measurePlainClaimRanges(uint256 n, uint256 height) internal {
        uint64 id = _closedPlain(n, true);
        uint256 width = uint256(1) << height;
        for (uint256 first = 0; first < n; first += width) {
            (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) =
                book.rangeArgs(hub, id, first, height);
            bytes memory data =
                abi.encodeCall(hub.claimRange, (id, claimTermsOf(address(hub), id), f, part, total, proof));
            vm.prank(address(0xC1A1));
            (bool ok,) = address(hub).call(data);
            assertTrue(ok);
            uint256 txGas = uint256(vm.lastCallGas().gasTotalUsed);
            assertLt(txGas, TX_GAS_CAP);
            if (first != 0 && first + width < n) continue;
            string memory key =
                string.concat("claimRange", _n(n), "_h", vm.toString(height), first == 0 ? "_first" : "_last");
            vm.snapshotValue("Hub", string.concat(key, "_txGas"), txGas);
            vm.snapshotValue("Hub", string.concat(key, "_perMember_txGas"), txGas / part.length);
        }
    }

    /// A community of 256 opened together, paid in two batches of 128 (`claimRange`, each with a proof of one
    /// sibling): per member about what `claimAll` costs, where one `claim` each costs ~68,600. (The fixture's
    /// signers stop at 256; a batch of 256 in a larger tree is the same work and one more sibling per level.)
    /// forge-config: default.isolate = true
    function test_Gas_PlainClaimRanges_N256() public {
        _measurePlainClaimRanges(256, 7);
    }

    /// forge-config: default.isolate = true
    function test_Gas_PlainClaims_N10() public {
        _measurePlainClaims(10, true);
        _measurePlainClaims(10, false);
    }

    /// forge-config: default.isolate = true
    function test_Gas_PlainClaimAll_N10() public {
        _measurePlainClaimAll(10, true);
        _measurePlainClaimAll(10, false);
    }

    /// forge-config: default.isolate = true
    function test_Gas_PlainClaimAll_N256() public {
        _measurePlainClaimAll(256, true);
        _measurePlainClaimAll(256, false);
    }

    /// forge-config: default.isolate = true
    function test_Gas_ClaimAll_N10() public {
        _measureClaimAll(10);
    }

    /// forge-config: default.isolate = true
    function test_Gas_ClaimAll_N256() public {
        _measureClaimAll(256);
    }

    /// forge-config: default.isolate = true
    function test_Gas_Claims_N10() public {
        _measureClaims(10);
    }

    /// forge-config: default.isolate = true
    function test_Gas_Claims_N256() public {
        _measureClaims(256);
    }
}
