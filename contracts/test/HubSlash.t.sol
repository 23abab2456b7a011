// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hub} from "../src/Hub.sol";
import {IFraudProofVerifier} from "../src/interfaces/IFraudProofVerifier.sol";
import {ParticipantAccount} from "../src/types/Community.sol";
import {HubFixture} from "./utils/HubFixture.sol";

/// @dev Exposes the slashing split to fuzzing.
contract HubSlashHarness is Hub {
    constructor(IFraudProofVerifier v) Hub(v) {}

    function slash(uint64 communityId, uint256 offenders, uint256 cap, address challenger) external {
        _slash(_communities[communityId], communityId, offenders, cap, challenger);
    }
}

/// @notice The slashing split conserves money exactly and never touches anyone but the offenders' bonds.
contract HubSlashTest is HubFixture {
    uint256 internal constant N = 8;
    HubSlashHarness internal harness;

    function setUp() public {
        _deploy(N);
        harness = new HubSlashHarness(hub.verifier());
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

        uint256 take = cap < BOND ? cap : BOND;
        uint256 count = 0;
        for (uint256 i = 0; i < N; ++i) {
            if (offenders & (uint256(1) << i) != 0) count++;
        }
        uint256 total = take * count;
        uint256 recipients = N - count;
        uint256 each = recipients == 0 ? 0 : total / 2 / recipients;
        uint256 sum;
        for (uint256 i = 0; i < N; ++i) {
            ParticipantAccount memory a = hub.account(id, i);
            if (offenders & (uint256(1) << i) != 0) {
                assertEq(a.bond, BOND - take);
                assertEq(a.escrow, ESCROW);
            } else {
                assertEq(a.bond, BOND);
                assertEq(a.escrow, ESCROW + each);
            }
            sum += uint256(a.escrow) + a.bond + hub.withdrawable(token, nodes[i]);
        }
        uint256 reward = total - each * recipients;
        assertGe(reward, total / 2);
        if (hub.withdrawable(token, challenger) > 0 && challenger != nodes[challengerSeed % N]) {
            sum += hub.withdrawable(token, challenger);
        }
        assertEq(hub.withdrawable(token, challenger), reward);
        assertEq(sum, token.balanceOf(address(hub)), "hub balance = escrow + bonds + withdrawable");
    }
}
