// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Balance} from "../../src/types/Community.sol";
import {Balances} from "../../src/libraries/Balances.sol";

/// @dev Exposes `Balances.verify` (calldata arguments) and `react`'s reverts (need an external call).
contract BalancesVectorsHarness {
    function verify(
        bytes32 balancesRoot,
        uint256 participantCount,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return Balances.verify(balancesRoot, participantCount, index, leaf, totalClaims, proof);
    }

    function react(Balance[] memory previous, int256[] memory nets)
        external
        pure
        returns (Balance[] memory next, uint256 claimsAdded)
    {
        return Balances.react(previous, nets);
    }
}

/// @notice The `Balances` library against TypeScript's `balances.ts` (vectors/balances.json, written by
/// `npm run vectors`): genesis, the reaction, the leaf hashes, the root and every leaf's proof at the
/// canonical depth, bit for bit.
contract BalancesVectorsTest is Test {
    BalancesVectorsHarness internal harness = new BalancesVectorsHarness();
    string internal json;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/balances.json"));
    }

    function _leaves(string memory key, address[] memory participants) internal view returns (Balance[] memory b) {
        uint256[] memory escrow = vm.parseJsonUintArray(json, string.concat(key, ".escrow"));
        uint256[] memory debt = vm.parseJsonUintArray(json, string.concat(key, ".debt"));
        uint256[] memory claim = vm.parseJsonUintArray(json, string.concat(key, ".claim"));
        b = new Balance[](participants.length);
        for (uint256 i = 0; i < participants.length; ++i) {
            b[i] = Balance({participant: participants[i], escrow: escrow[i], debt: debt[i], claim: claim[i]});
        }
    }

    function _assertLeaves(Balance[] memory got, Balance[] memory want, string memory name) internal pure {
        assertEq(got.length, want.length, name);
        for (uint256 i = 0; i < got.length; ++i) {
            assertEq(got[i].participant, want[i].participant, name);
            assertEq(got[i].escrow, want[i].escrow, string.concat(name, ": escrow"));
            assertEq(got[i].debt, want[i].debt, string.concat(name, ": debt"));
            assertEq(got[i].claim, want[i].claim, string.concat(name, ": claim"));
        }
    }

    /// @dev Every leaf's hash, and its proof verifies at its index, and not at another depth or index.
    function _assertTree(string memory key, Balance[] memory leaves, uint256 totalClaims, bytes32 root) internal view {
        string memory name = vm.parseJsonString(json, string.concat(key, ".name"));
        bytes32[] memory hashes = vm.parseJsonBytes32Array(json, string.concat(key, ".leafHashes"));
        assertEq(hashes.length, leaves.length, name);
        uint256 n = leaves.length;
        for (uint256 i = 0; i < n; ++i) {
            assertEq(Balances.leafHash(i, leaves[i]), hashes[i], string.concat(name, ": leaf hash"));
            bytes32[] memory proof = vm.parseJsonBytes32Array(json, string.concat(key, ".proofs[", vm.toString(i), "]"));
            assertTrue(harness.verify(root, n, i, leaves[i], totalClaims, proof), string.concat(name, ": proof"));
            assertFalse(harness.verify(root, n, i, leaves[i], totalClaims + 1, proof), string.concat(name, ": total"));
            if (n > 1) {
                uint256 other = (i + 1) % n;
                assertFalse(
                    harness.verify(root, n, other, leaves[i], totalClaims, proof), string.concat(name, ": index")
                );
            }
            // The same leaf claimed in a tree twice as wide (a longer proof) is refused.
            bytes32[] memory longer = new bytes32[](proof.length + 1);
            for (uint256 k = 0; k < proof.length; ++k) {
                longer[k] = proof[k];
            }
            assertFalse(harness.verify(root, n, i, leaves[i], totalClaims, longer), string.concat(name, ": depth"));
        }
    }

    function test_Genesis() public view {
        uint256 count = vm.parseJsonUint(json, ".genesisCount");
        assertGt(count, 0);
        for (uint256 g = 0; g < count; ++g) {
            string memory key = string.concat(".genesis[", vm.toString(g), "]");
            address[] memory participants = vm.parseJsonAddressArray(json, string.concat(key, ".participants"));
            uint256 escrow = vm.parseJsonUint(json, string.concat(key, ".escrow"));
            Balance[] memory leaves = Balances.genesis(participants, escrow);
            bytes32 root = vm.parseJsonBytes32(json, string.concat(key, ".root"));
            assertEq(Balances.root(leaves, 0), root, vm.parseJsonString(json, string.concat(key, ".name")));
            _assertTree(key, leaves, 0, root);
        }
    }

    function test_React() public view {
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 0);
        bytes32 chained;
        for (uint256 c = 0; c < count; ++c) {
            string memory key = string.concat(".cases[", vm.toString(c), "]");
            string memory name = vm.parseJsonString(json, string.concat(key, ".name"));
            address[] memory participants = vm.parseJsonAddressArray(json, string.concat(key, ".participants"));
            Balance[] memory previous = _leaves(string.concat(key, ".previous"), participants);
            uint256 previousTotal = vm.parseJsonUint(json, string.concat(key, ".previousTotalClaims"));
            bytes32 previousRoot = vm.parseJsonBytes32(json, string.concat(key, ".previousRoot"));
            assertEq(Balances.root(previous, previousTotal), previousRoot, string.concat(name, ": previous root"));
            // A chain continues from the root of the case before it.
            if (vm.parseJsonUint(json, string.concat(key, ".chainStep")) > 0) {
                assertEq(previousRoot, chained, string.concat(name, ": chained"));
            }

            int256[] memory nets = vm.parseJsonIntArray(json, string.concat(key, ".nets"));
            (Balance[] memory next, uint256 claimsAdded) = Balances.react(previous, nets);
            _assertLeaves(next, _leaves(string.concat(key, ".next"), participants), name);
            assertEq(claimsAdded, vm.parseJsonUint(json, string.concat(key, ".claimsAdded")), name);
            uint256 total = vm.parseJsonUint(json, string.concat(key, ".totalClaims"));
            assertEq(total, previousTotal + claimsAdded, name);
            bytes32 root = vm.parseJsonBytes32(json, string.concat(key, ".root"));
            assertEq(Balances.root(next, total), root, string.concat(name, ": root"));
            _assertTree(key, next, total, root);
            chained = root;
        }
    }

    function test_RevertWhen_Reverts() public {
        uint256 count = vm.parseJsonUint(json, ".revertCount");
        assertGt(count, 0);
        for (uint256 c = 0; c < count; ++c) {
            string memory key = string.concat(".reverts[", vm.toString(c), "]");
            address[] memory participants = vm.parseJsonAddressArray(json, string.concat(key, ".participants"));
            Balance[] memory previous = _leaves(string.concat(key, ".previous"), participants);
            int256[] memory nets = vm.parseJsonIntArray(json, string.concat(key, ".nets"));
            bytes32 error = keccak256(bytes(vm.parseJsonString(json, string.concat(key, ".error"))));
            if (error == keccak256("Unbalanced")) {
                vm.expectRevert(Balances.Unbalanced.selector);
            } else {
                assertEq(error, keccak256("LengthMismatch"));
                vm.expectRevert(abi.encodeWithSelector(Balances.LengthMismatch.selector, previous.length, nets.length));
            }
            harness.react(previous, nets);
        }
    }
}
