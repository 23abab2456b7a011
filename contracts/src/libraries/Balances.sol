// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Balance, ClaimTerms} from "../types/Community.sol";
import {MerkleTree} from "./MerkleTree.sol";
import {ProRata} from "./ProRata.sol";

/// @title Balances
/// @notice The balances root (DESIGN.md §5.6): each window's result commits to every participant's
/// position after the window's reaction, so `update` posts one root instead of writing N accounts and
/// members are paid by a Merkle proof at close. Twin: `node/src/window/balances.ts` (vectors
/// `balances.json`).
/// @dev The reaction (the one home of the rule). A debtor (net < 0) pays from its escrow; what escrow
/// cannot pay becomes its `debt` at once (the bond is a stake held on chain and is never drawn by the
/// reaction). Creditors (net > 0) are paid in full when nothing was short, otherwise they share what
/// was collected pro rata to their net (`ProRata.split`) and each creditor's shortfall becomes its
/// `claim`. Σ net must be 0, so Σ escrow is conserved and Σ debt added == Σ claim added.
/// The tree: leaf i = keccak256(abi.encode(i, participant, escrow, debt, claim)) at position i of a
/// `MerkleTree` of depth `MerkleTree.depth(N)` (padded with zeros); the balances root is
/// keccak256(abi.encode(treeRoot, totalClaims)), totalClaims = Σ claim (what creditors are owed).
library Balances {
    /// @notice `react` was given nets that do not sum to zero (no honest fold produces them).
    error Unbalanced();
    /// @notice `react` was given `nets` of another length than `previous`.
    error LengthMismatch(uint256 balances, uint256 nets);

    /// @notice The leaf of participant `index`.
    function leafHash(uint256 index, Balance memory b) internal pure returns (bytes32) {
        return keccak256(abi.encode(index, b.participant, b.escrow, b.debt, b.claim));
    }

    /// @notice The balances root of `leaves` (in participant order) with `totalClaims` = Σ claim.
    function root(Balance[] memory leaves, uint256 totalClaims) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            hashes[i] = leafHash(i, leaves[i]);
        }
        return commit(MerkleTree.root(hashes), totalClaims);
    }

    /// @notice The balances root of a tree root and its total of claims.
    function commit(bytes32 treeRoot, uint256 totalClaims) internal pure returns (bytes32) {
        return keccak256(abi.encode(treeRoot, totalClaims));
    }

    /// @notice True when `leaf` is participant `index`'s balance under `balancesRoot`, a tree of
    /// `participantCount` leaves whose claims total `totalClaims`. The proof must have the canonical
    /// depth: a leaf cannot be proven at another height of the tree (review P2's lesson).
    function verify(
        bytes32 balancesRoot,
        uint256 participantCount,
        uint256 index,
        Balance memory leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) internal pure returns (bool) {
        // `provenRoot(…) == balancesRoot`, spelled out: through `provenRoot` (its early 0 and the check of it)
        // the auction's `postOrder` cost ~500 gas more (s12).
        if (index >= participantCount || !MerkleTree.isDepth(proof.length, participantCount)) {
            return false;
        }
        return commit(MerkleTree.computeRoot(leafHash(index, leaf), index, proof), totalClaims) == balancesRoot;
    }

    /// @notice The balances root `proof` leads to from `leaf` at `index` in a tree of `participantCount`
    /// leaves whose claims total `totalClaims`; 0 (never a root: a keccak256 output) when index ≥ N or the
    /// proof has not the canonical depth of N.
    function provenRoot(
        uint256 participantCount,
        uint256 index,
        Balance memory leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) internal pure returns (bytes32) {
        if (index >= participantCount || !MerkleTree.isDepth(proof.length, participantCount)) {
            return 0;
        }
        return commit(MerkleTree.computeRoot(leafHash(index, leaf), index, proof), totalClaims);
    }

    /// @notice A closed community's claim root (`Hub.close`): its final balances root with the claim terms
    /// (`ClaimTerms`: token, N, bond, creditPerMember, aborted), = keccak256(abi.encode(balancesRoot, terms)). Fixed-length
    /// fields: two different (root, terms) never give the same preimage. A claim whose terms or leaf differ
    /// from what `close` committed fails (`Hub.claim`).
    function claimRoot(
        bytes32 balancesRoot,
        address token,
        uint256 participantCount,
        uint256 bond,
        uint256 creditPerMember,
        bool aborted
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(balancesRoot, token, participantCount, bond, creditPerMember, aborted));
    }

    /// @notice `claimRoot` of `balancesRoot` with the terms a claimer passes (`Hub.claim`, `claimAll`).
    function claimRootOf(bytes32 balancesRoot, ClaimTerms calldata t) internal pure returns (bytes32) {
        return claimRoot(balancesRoot, address(t.token), t.participantCount, t.bond, t.creditPerMember, t.aborted);
    }

    /// @notice Everyone's balance before window 0: the configured escrow, no debt, no claim.
    function genesis(address[] memory participants, uint256 escrow) internal pure returns (Balance[] memory leaves) {
        uint256 n = participants.length;
        leaves = new Balance[](n);
        for (uint256 i = 0; i < n; ++i) {
            leaves[i] = Balance({participant: participants[i], escrow: escrow, debt: 0, claim: 0});
        }
    }

    /// @notice The balances after a window whose final state has `nets`, and the claims it added.
    function react(Balance[] memory previous, int256[] memory nets)
        internal
        pure
        returns (Balance[] memory next, uint256 claimsAdded)
    {
        uint256 n = previous.length;
        if (nets.length != n) revert LengthMismatch(n, nets.length);
        next = new Balance[](n);
        uint256 owed;
        uint256 collected;
        int256 sum;
        for (uint256 i = 0; i < n; ++i) {
            Balance memory b = previous[i];
            Balance memory a = Balance({participant: b.participant, escrow: b.escrow, debt: b.debt, claim: b.claim});
            next[i] = a;
            int256 net = nets[i];
            sum += net;
            if (net > 0) {
                // forge-lint: disable-next-line(unsafe-typecast)
                owed += uint256(net);
            } else if (net < 0) {
                // net > type(int256).min: callers decode nets from int128 fields.
                // forge-lint: disable-next-line(unsafe-typecast)
                uint256 pay = uint256(-net);
                if (pay > a.escrow) {
                    a.debt += pay - a.escrow;
                    pay = a.escrow;
                }
                a.escrow -= pay;
                collected += pay;
            }
        }
        if (sum != 0) revert Unbalanced();
        if (collected == owed) {
            for (uint256 i = 0; i < n; ++i) {
                // forge-lint: disable-next-line(unsafe-typecast)
                if (nets[i] > 0) next[i].escrow += uint256(nets[i]);
            }
            return (next, 0);
        }
        uint256[] memory weights = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            if (nets[i] > 0) weights[i] = uint256(nets[i]);
        }
        uint256[] memory paid = ProRata.split(collected, weights, owed);
        for (uint256 i = 0; i < n; ++i) {
            if (weights[i] == 0) continue;
            next[i].escrow += paid[i];
            uint256 short = weights[i] - paid[i];
            next[i].claim += short;
            claimsAdded += short;
        }
        // Σ net = 0, so owed = Σ due and claimsAdded = owed − collected = Σ debt added.
    }
}
