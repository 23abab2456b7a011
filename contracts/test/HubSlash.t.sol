// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {words1} from "./utils/Words.sol";
import {Hub} from "../src/Hub.sol";
import {Settlement} from "../src/libraries/Settlement.sol";
import {HubFixture} from "./utils/HubFixture.sol";

/// @dev Exposes the slashing split to fuzzing.
contract HubSlashHarness is Hub {
    constructor(address[] memory modules) Hub(modules) {}

    function slash(uint64 communityId, uint256 offenders, uint256 cap, address challenger) external {
        _slash(
            _communities[communityId],
            communityId,
            Settlement.Penalty(words1(offenders), cap, 0, false, _communities[communityId].bond),
            challenger
        );
    }
}

/// @notice The slashing split conserves money exactly and never touches anyone but the offenders' bonds
/// (the shares go to the others' on-chain credit; the community's `held` loses only the reward).
contract HubSlashTest is HubFixture {
    uint256 internal constant N = 8;
    HubSlashHarness internal harness;

    function setUp() public {
        _deploy(N);
        harness = new HubSlashHarness(_allowList());
        hub = harness;
        for (uint256 i = 0; i < N; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(hub), type(uint256).max);
        }
    }

    function testFuzz_SlashConservesMoney(uint256 offenders, uint256 cap, uint256 challengerSeed) public {
        uint64 id = _openActive(N);
        offenders = bound(offenders, 0, (uint256(1) << N) - 1);
        cap = bound(cap, 0, uint256(BOND) * 2);
        // The challenger is an outsider or one of the participants (even an offender).
        address challenger = challengerSeed % 3 == 0 ? nodes[challengerSeed % N] : makeAddr("outsider");

        harness.slash(id, offenders, cap, challenger);

        (bool self, uint256 take, uint256 each, uint256 rest) = _expected(offenders, cap, challengerSeed);
        // The root's escrow (N · ESCROW) is not on chain: it is never slashed.
        uint256 sum = N * uint256(ESCROW);
        bool first = true;
        for (uint256 i = 0; i < N; ++i) {
            (uint256 bond, uint256 credit,,,) = hub.member(id, i);
            if (offenders & (uint256(1) << i) != 0) {
                assertEq(bond, BOND - take);
                assertEq(credit, 0);
            } else {
                assertEq(bond, BOND);
                assertEq(credit, each + (self && first ? rest : 0));
                first = false;
            }
            sum += bond + credit + hub.withdrawable(token, nodes[i]);
        }
        if (self) {
            assertEq(hub.withdrawable(token, challenger), 0, "no reward for slashing yourself");
            assertEq(hub.community(id).held, token.balanceOf(address(hub)), "nothing left the community");
        } else {
            assertEq(hub.withdrawable(token, challenger), rest);
            if (challenger != nodes[challengerSeed % N]) sum += rest;
            assertEq(hub.community(id).held + rest, token.balanceOf(address(hub)), "only the reward left");
        }
        assertEq(sum, token.balanceOf(address(hub)), "hub balance = root escrow + bonds + credit + withdrawable");
    }

    /// @dev The split `_slash` must produce. A participant disputing a claim it signed (an offender)
    /// earns nothing: all goes to the others (the remainder to the first of them).
    function _expected(uint256 offenders, uint256 cap, uint256 challengerSeed)
        internal
        pure
        returns (bool self, uint256 take, uint256 each, uint256 rest)
    {
        self = challengerSeed % 3 == 0 && offenders & (uint256(1) << (challengerSeed % N)) != 0;
        uint256 count = 0;
        for (uint256 i = 0; i < N; ++i) {
            if (offenders & (uint256(1) << i) != 0) count++;
        }
        uint256 recipients = N - count;
        take = (self && recipients == 0) ? 0 : (cap < BOND ? cap : BOND);
        uint256 total = take * count;
        each = recipients == 0 ? 0 : (self ? total : total / 2) / recipients;
        rest = total - each * recipients;
        if (!self) assert(rest >= total / 2);
    }
}
