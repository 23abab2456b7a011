// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {CommunityInfo, CommunityStatus, OpenConfig} from "../src/types/Community.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";
import {HubFixture} from "./utils/HubFixture.sol";

/// @notice `Hub.openTogetherWithPermits` (DESIGN.md §5.6, "Opening together"): the participants of a community
/// opened together allow their deposits with EIP-2612 permits in the opening transaction, with no `approve`
/// transaction of their own. Each test is an attack on the rule that the deposit's `transferFrom` is the one
/// check (a permit front-run, for another value, by another key, malformed) or checks what the permits replace.
contract HubPermitsTest is HubFixture {
    uint256 internal constant N = 3;

    function setUp() public {
        _deploy(N + 1);
    }

    function _packed() internal view returns (OpenConfig memory) {
        return OpenCodec.encode(_config(N));
    }

    function _each(OpenConfig memory c) internal pure returns (uint256) {
        return uint256(c.bond) + c.escrow;
    }

    /// No participant approved the hub: the permits alone allow the deposits, each used whole (no allowance
    /// left behind) and each nonce spent once. Fuzzed over the deadline, so that signatures of both y parities
    /// (EIP-2098's top bit of vs) are among the permits.
    function test_Fuzz_OpenTogetherWithPermits_NoApprovalNeeded(uint32 later) public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 + later;
        bytes memory permits = _permits(c, deadline);
        uint256 before = token.balanceOf(nodes[1]);
        uint64 id = hub.openTogetherWithPermits(c, deadline, _consents(c, deadline), permits);
        CommunityInfo memory info = hub.community(id);
        assertEq(uint256(info.status), uint256(CommunityStatus.Active));
        assertEq(info.held, _each(c) * N);
        assertEq(token.balanceOf(nodes[1]), before - _each(c));
        assertEq(token.balanceOf(address(hub)), _each(c) * N);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(token.allowance(nodes[i], address(hub)), 0);
            assertEq(token.nonces(nodes[i]), 1);
        }
    }

    /// Attack: a watcher copies a permit out of the pending opening and sends it to the token first, so that
    /// the hub's own `permit` call reverts (nonce spent). The opening must still go through: the front-run
    /// permit set the same allowance.
    function test_OpenTogetherWithPermits_FrontRunPermitStillOpens() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory permits = _permits(c, deadline);
        bytes32 r;
        bytes32 vs;
        assembly ("memory-safe") {
            r := mload(add(permits, 0x60))
            vs := mload(add(permits, 0x80))
        }
        vm.prank(address(0xBAD));
        token.permit(
            nodes[1],
            address(hub),
            _each(c),
            deadline,
            uint8(uint256(vs >> 255)) + 27,
            r,
            vs & bytes32(type(uint256).max >> 1)
        );
        assertEq(token.nonces(nodes[1]), 1);
        uint64 id = hub.openTogetherWithPermits(c, deadline, _consents(c, deadline), permits);
        assertEq(uint256(hub.community(id).status), uint256(CommunityStatus.Active));
        assertEq(token.allowance(nodes[1], address(hub)), 0);
    }

    /// Attack: an opener pulls more than a participant allowed (its permit is for one token less than the
    /// deposit). The permit does not match, sets nothing, and the deposit's `transferFrom` fails.
    function test_RevertWhen_PermitForLessThanTheDeposit() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory permits = _permits(c, deadline);
        _put(permits, 2, _permit(2, _each(c) - 1, deadline));
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, _each(c))
        );
        hub.openTogetherWithPermits(c, deadline, _consents(c, deadline), permits);
    }

    /// Attack: a participant's deposit allowed by somebody else's signature (the opener's own key).
    function test_RevertWhen_PermitBySomeoneElse() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory permits = _permits(c, deadline);
        // keys[N] signs what nodes[0]'s permit should say.
        (keys[0], keys[N]) = (keys[N], keys[0]);
        bytes memory forged = _permit(0, _each(c), deadline);
        (keys[0], keys[N]) = (keys[N], keys[0]);
        _put(permits, 0, forged);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, _each(c))
        );
        hub.openTogetherWithPermits(c, deadline, _consents(c, deadline), permits);
    }

    /// 64 zero bytes: that participant approved the hub beforehand, the others give permits.
    function test_OpenTogetherWithPermits_ZeroEntryUsesAnApproval() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory permits = _permits(c, deadline);
        vm.prank(nodes[1]);
        token.approve(address(hub), _each(c));
        _put(permits, 1, new bytes(64));
        uint64 id = hub.openTogetherWithPermits(c, deadline, _consents(c, deadline), permits);
        assertEq(uint256(hub.community(id).status), uint256(CommunityStatus.Active));
        assertEq(token.nonces(nodes[1]), 0);
        assertEq(token.nonces(nodes[2]), 1);
        // Without the approval, the same zero entry has nothing to pull with.
        c.windowCount += 1;
        permits = _permits(c, deadline);
        _put(permits, 1, new bytes(64));
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, _each(c))
        );
        hub.openTogetherWithPermits(c, deadline, _consents(c, deadline), permits);
    }

    /// A permit list that is not one entry per participant: refused before any token is touched.
    function test_RevertWhen_PermitsMalformed() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory permits = _permits(c, deadline);
        bytes memory consents = _consents(c, deadline);
        bytes memory short = new bytes(N * 64 - 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedPermits.selector, N * 64 - 1));
        hub.openTogetherWithPermits(c, deadline, consents, short);
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedPermits.selector, N * 64 + 64));
        hub.openTogetherWithPermits(c, deadline, consents, bytes.concat(permits, new bytes(64)));
        // An empty list is `openTogether`: the approvals (revoked here) are what it pulls with.
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, _each(c))
        );
        hub.openTogetherWithPermits(c, deadline, consents, "");
    }

    /// The consents are checked first, as for `openTogether`: permits do not stand in for a consent.
    function test_RevertWhen_PermitsWithoutConsent() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory permits = _permits(c, deadline);
        bytes memory consents = _consents(c, deadline);
        for (uint256 k = 0; k < 64; ++k) {
            consents[64 + k] = 0;
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 1));
        hub.openTogetherWithPermits(c, deadline, consents, permits);
    }
}
