// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {SignerBitmap} from "../src/libraries/SignerBitmap.sol";
import {ParticipantState, StateHash} from "../src/types/Market.sol";
import {WindowRecord, WindowStatus} from "../src/types/Community.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {HubFixture} from "./utils/HubFixture.sol";

/// @notice A community of 300 (ECDSA, two bitmap words; N = 1,000: `HubWideScaleGasTest`) through the hub: a pending claim signed by
/// participants in the first and the last word keeps one word (the hash of the words, which are stored
/// under it), emits its words, and finalizes with them; a bitmap that sets bit 300 is refused.
contract HubWideTest is HubFixture {
    uint256 internal constant NW = 300;

    function setUp() public {
        _deploy(NW);
    }

    function test_Wide_PendingClaimOf300_RecordsHashEmitsWordsFinalizes() public {
        uint64 id = _openActive(NW);
        ParticipantState[] memory s = _transferState(NW, 5);
        vm.warp(_windowEnd(0));
        bytes32 bRoot = _balancesRoot(id, 0, s);
        bytes32 digest = _resultDigest(address(hub), id, 0, _root(0), StateHash.hash(s), bRoot);
        uint256[] memory who = new uint256[](2);
        (who[0], who[1]) = (0, 299);
        uint256[] memory words = new uint256[](2);
        words[0] = 1;
        words[1] = uint256(1) << (299 - 256);
        bytes memory sig = _wideBlob(digest, who, words);

        // Attack: bit 300 (bit 44 of word 1) set, with a signature for it.
        uint256[] memory beyond = new uint256[](2);
        (beyond[0], beyond[1]) = (1, words[1] | (uint256(1) << 44));
        bytes memory bad = bytes.concat(abi.encodePacked(beyond), _signDigest(keys[0], digest));
        bad = bytes.concat(bad, _signDigest(keys[299], digest), _signDigest(keys[298], digest));
        vm.expectRevert(abi.encodeWithSelector(SignerBitmap.SignerOutOfRange.selector, NW));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot, ConfigBuilder.finalStateOf(s, bad), bad);

        _noteClaim(0, _root(0), StateHash.hash(s), bRoot);
        vm.expectEmit(address(hub));
        emit IHub.WindowClaimed(
            id, 0, address(this), _root(0), StateHash.hash(s), bRoot, words, _windowEnd(0) + CHALLENGE
        );
        bytes memory finalState = ConfigBuilder.finalStateOf(s, sig);
        vm.startSnapshotGas("HubWide", "ecdsa_update_pending_2of300");
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot, finalState, sig);
        vm.stopSnapshotGas();

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Pending));
        assertEq(r.signers, uint256(keccak256(abi.encodePacked(words))), "a wide set's record keeps its hash");

        vm.warp(_windowEnd(0) + CHALLENGE);
        vm.expectEmit(address(hub));
        emit IHub.WindowFinalized(id, 0, _root(0), StateHash.hash(s), bRoot, words);
        hub.finalize(id);
    }
}
