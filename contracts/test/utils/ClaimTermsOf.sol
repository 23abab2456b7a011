// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ClaimTerms} from "../../src/types/Community.sol";

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

/// @dev The storage slot of `Hub._communities` (`forge inspect Hub storageLayout`: EIP712's two fallback
/// strings, `communityCount`, `withdrawable`, then the communities).
uint256 constant COMMUNITIES_SLOT = 4;

/// @notice Community `id`'s claim terms (what `Hub.community` reports: token, participantCount, bond,
/// creditPerMember), read from the hub's storage with `vm.load`: a cheatcode, not a call, so a
/// `vm.expectRevert` or `vm.prank` before a claim applies to the claim itself. `HubTest.test_RevertWhen_ClaimWrongTerms`
/// ties it to the view.
function claimTermsOf(address hub, uint64 id) view returns (ClaimTerms memory t) {
    uint256 base = uint256(keccak256(abi.encode(uint256(id), COMMUNITIES_SLOT)));
    // Slot 0: status (8 bits), token (160), finalizedWindows (32), participantCount (32), together (8); slot 2:
    // bond, escrow (128 each); slot 3: creditPerMember (128), disputableUntil (64), joinedCount (32; not written
    // in a community opened together; fewer than N only in a community closed before everyone joined).
    uint256 w0 = uint256(VM.load(hub, bytes32(base)));
    uint256 w2 = uint256(VM.load(hub, bytes32(base + 2)));
    uint256 w3 = uint256(VM.load(hub, bytes32(base + 3)));
    t.token = IERC20(address(uint160(w0 >> 8)));
    t.participantCount = uint32(w0 >> 200);
    t.bond = uint128(w2);
    t.creditPerMember = uint128(w3);
    bool together = uint8(w0 >> 232) != 0;
    t.aborted = !together && uint32(w3 >> 192) < t.participantCount;
}
