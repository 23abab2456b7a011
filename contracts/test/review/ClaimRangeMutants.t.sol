// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Balance, ClaimTerms} from "../../src/types/Community.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice Mutation run of `Hub.claimRange` (`Settlement.payRange`): the attacks no other test told apart from a
/// check removed. N = 5 (depth 3), the community of `ClaimRangeAttacks`: member 0 a debtor, 1, 2 and 4 creditors.
contract ClaimRangeMutantsTest is HubFixture {
    uint256 internal constant N = 5;

    function setUp() public {
        _deploy(N);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev As `ClaimRangeAttacksTest._closed`: window 0 makes member 0 a debtor and 1, 2 and 4 creditors; closed.
    function _closed() internal returns (uint64 id) {
        id = _openActive(N);
        int256[] memory nets = new int256[](N);
        (nets[0], nets[1], nets[2], nets[3], nets[4]) = (-7_001, 3_500, 2_500, 0, 1_001);
        _update(id, 0, _state(nets), _everyone(N));
        _update(id, 1, _state(new int256[](N)), _everyone(N));
        _update(id, 2, _state(new int256[](N)), _everyone(N));
        hub.close(id);
    }

    function _worth(uint256 i) internal view returns (uint256) {
        return token.balanceOf(nodes[i]) + hub.withdrawable(IERC20(address(token)), nodes[i]);
    }

    // ------------------------------------------------------------------ attacks

    /// Attack: an empty batch at first = N exactly (height 0: the padding leaf right after the last member, with
    /// its true proof). The hub pads the empty subtree with the tree's own zero leaf, so its root is the tree's and
    /// the claim root matches: only the bound `first < N` (`Settlement._requireRange`, `r.first >=
    /// terms.participantCount`; `>` would let it through to `NothingToClaim`) refuses it, with the error the
    /// interface names for a range that starts at or past N: `InvalidBalanceProof(id, N)`. Nothing moves.
    function test_RevertWhen_RangeEmptyAtN() public {
        uint64 id = _closed();
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        (uint256 f, Balance[] memory none, uint256 total, bytes32[] memory proof) = book.rangeArgs(hub, id, N, 0);
        assertEq(f, N);
        assertEq(none.length, 0);
        assertEq(proof.length, 3, "a leaf's proof: height 0");
        uint256[] memory before = new uint256[](N);
        for (uint256 i = 0; i < N; ++i) {
            before[i] = _worth(i);
        }
        uint256 held = hub.community(id).held;
        uint256 pool = hub.community(id).repaidPool;
        uint256 hubBalance = token.balanceOf(address(hub));

        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N));
        hub.claimRange(id, terms, f, none, total, proof);

        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i), before[i], "nobody paid");
            (,, bool settled,,) = hub.member(id, i);
            assertFalse(settled, "nobody settled");
        }
        assertEq(hub.community(id).held, held, "held unchanged");
        assertEq(hub.community(id).repaidPool, pool, "pool unchanged");
        assertEq(token.balanceOf(address(hub)), hubBalance, "no token left the hub");
    }
}
