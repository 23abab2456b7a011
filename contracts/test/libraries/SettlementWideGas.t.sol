// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {Test} from "forge-std/Test.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {SettlementHarness} from "./Settlement.t.sol";

/// @notice The slash that a claimant-lost resolve applies (`Hub.playGame`: each signer pays the claim
/// deposit's size, the forfeited deposit shared out), at N = 1,000 with 1, 500 and 999 offenders: the part of
/// the resolve that grows with N (`snapshots/SettlementWide.json`), per transaction. The slash is paged
/// (`Settlement.SLASH_PAGE` member slots a transaction): the first page runs in the resolve (`_tx01`), the
/// rest in `Hub.continueSlash` transactions (`_tx02`, ...), each measured with storage cold again. The hub's
/// resolve adds the game module's move and the claim's rejection (about 170,000 at N = 256, `Game.json`).
contract SettlementWideGasTest is Test {
    uint256 internal constant N = 1000;
    uint256 internal constant BOND = 1_000_000;
    uint256 internal constant PENALTY = BOND / 10;
    /// @dev What the slash part of one transaction may cost: with the resolve's other work on top (about
    /// 170,000 at N = 256, `DataAvailabilityGameGasMaxTest`) it stays under the 1,000,000 of issue 10.
    uint256 internal constant PAGE_BUDGET = 650_000;

    /// @dev 1,000 members as the hub has them after their joins (a non-zero member slot: `joined`; here a
    /// credit of 1 wei stands in), storage cold again as in a fresh transaction.
    function _members() internal returns (SettlementHarness h) {
        h = new SettlementHarness();
        for (uint256 i = 0; i < N; ++i) {
            h.set(i, 0, 1);
        }
        vm.cool(address(h));
    }

    /// @dev The slash, one transaction at a time, each recorded as `name_txNN`; returns how many it took.
    function _slash(SettlementHarness h, uint256[] memory offenders, string memory name)
        internal
        returns (uint256 txs)
    {
        txs = 1;
        vm.startSnapshotGas("SettlementWide", _txName(name, txs));
        h.slashFirst(N, 0, Settlement.Penalty(offenders, PENALTY, PENALTY, false, BOND), address(0xC0FFEE));
        assertLe(vm.stopSnapshotGas(), PAGE_BUDGET, "first page");
        while (h.phase() != Settlement.SlashPhase.None) {
            vm.cool(address(h));
            ++txs;
            vm.startSnapshotGas("SettlementWide", _txName(name, txs));
            h.continueSlash(N);
            assertLe(vm.stopSnapshotGas(), PAGE_BUDGET, "a continuation");
        }
        vm.snapshotValue("SettlementWide", string.concat(name, "_transactions"), txs);
    }

    function _txName(string memory name, uint256 txs) internal view returns (string memory) {
        return string.concat(name, txs < 10 ? "_tx0" : "_tx", vm.toString(txs));
    }

    function test_Gas_ClaimantLostSlash_1of1000() public {
        SettlementHarness h = _members();
        assertEq(_slash(h, SignerBitmap.single(N, 999), "claimantLost_slash_1of1000"), 1, "one transaction");
        assertEq(h.get(999).bondMissing, PENALTY);
    }

    function test_Gas_ClaimantLostSlash_500of1000() public {
        SettlementHarness h = _members();
        uint256[] memory offenders = new uint256[](4);
        // Every even participant.
        for (uint256 i = 0; i < N; i += 2) {
            offenders[i >> 8] |= uint256(1) << (i & 255);
        }
        uint256 txs = _slash(h, offenders, "claimantLost_slash_500of1000");
        // 500 bonds taken and 500 shares written, 64 slots a transaction.
        assertEq(txs, 16);
        assertEq(h.get(0).bondMissing, PENALTY);
        assertEq(h.get(1).bondMissing, 0);
        // 500 × 100,000 + 100,000, half to the challenger: 25,050,000 / 500 = 50,100 each.
        assertEq(h.get(1).credit, 1 + 50_100);
        assertEq(h.get(0).credit, 1);
        assertEq(h.withdrawable(address(0xC0FFEE)), 25_050_000);
    }

    function test_Gas_ClaimantLostSlash_999of1000() public {
        SettlementHarness h = _members();
        uint256[] memory offenders = SignerBitmap.all(N);
        offenders[3] &= ~(uint256(1) << (999 - 768));
        uint256 txs = _slash(h, offenders, "claimantLost_slash_999of1000");
        // 999 bonds taken, then 1 share written (the fewer side), 64 slots a transaction.
        assertEq(txs, 16);
        assertEq(h.get(0).bondMissing, PENALTY);
        assertEq(h.get(999).bondMissing, 0);
        // 999 × 100,000 + 100,000 extra, half to the challenger, half to member 999.
        assertEq(h.get(999).credit, 1 + 50_000_000);
        assertEq(h.get(0).credit, 1);
    }
}
