// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {Balance, CommunityInfo} from "../../src/types/Community.sol";
import {ParticipantState} from "../../src/types/Market.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {MerkleLevels} from "./MerkleLevels.sol";

/// @notice The tests' one home for balances roots (DESIGN.md §5.6): it keeps every balances set it was
/// shown or computed, by root, so a test (or an invariant handler) can build the balancesRoot of an
/// update from what is final on chain, and the leaf and proof of a member's `join` or `claim`. Twin of
/// what a node does (node/src/window/balances.ts); the rule itself is `Balances` (never copied here).
/// @dev A deployed helper (not a base contract) so the fixtures and the handlers share it. Compute
/// arguments before a `vm.prank`: a call to this contract would consume the prank.
contract BalanceBook {
    mapping(bytes32 root => Balance[]) internal _leaves;
    mapping(bytes32 root => uint256) internal _totalClaims;
    mapping(bytes32 root => bool) public known;
    /// The tree levels of the roots `cacheLevels` was asked for: a member's proof read from them, O(log N).
    mapping(bytes32 root => bytes32[][]) internal _levels;

    /// @notice Records `leaves` with `totalClaims`; returns their root.
    function record(Balance[] memory all, uint256 totalClaims) public returns (bytes32 root) {
        root = Balances.root(all, totalClaims);
        if (known[root]) return root;
        known[root] = true;
        _totalClaims[root] = totalClaims;
        for (uint256 i = 0; i < all.length; ++i) {
            _leaves[root].push(all[i]);
        }
    }

    /// @notice Records the genesis balances of `participants` with `escrow` (what `Hub.open` commits to).
    function recordGenesis(address[] memory participants, uint256 escrow) external returns (bytes32) {
        return record(Balances.genesis(participants, escrow), 0);
    }

    /// @notice The balances recorded under `root`.
    function leaves(bytes32 root) public view returns (Balance[] memory, uint256 totalClaims) {
        require(known[root], "BalanceBook: unknown root");
        return (_leaves[root], _totalClaims[root]);
    }

    /// @notice The balances a claim of window `w` starts from: window w−1's root on chain (`rootAfter`; the
    /// genesis root for w = 0).
    function previousRoot(IHub hub, uint64 id, uint32 w) public view returns (bytes32) {
        return w == 0 ? hub.community(id).genesisBalancesRoot : rootAfter(hub, id, w - 1);
    }

    /// @notice The balances root after window `w` as the hub keeps it: its record's while it is a pending claim
    /// (and once that claim finalized), else the community's final root while `w` is the last final window
    /// (the hub keeps no other root of a window final at once, s16: it is in the window's event); 0 otherwise.
    function rootAfter(IHub hub, uint64 id, uint32 w) public view returns (bytes32) {
        bytes32 recorded = hub.windowRecord(id, w).balancesRoot;
        if (recorded != 0) return recorded;
        CommunityInfo memory info = hub.community(id);
        return info.finalizedWindows == w + 1 ? hub.finalBalancesRoot(id) : bytes32(0);
    }

    /// @notice The honest balancesRoot of window `w` whose final state has `nets`: `Balances.react` of the
    /// balances it starts from; records the result.
    /// A window whose predecessor has no balances on chain yet (a test of an update that must revert
    /// before its balances matter) gets a root no proof can match.
    function next(IHub hub, uint64 id, uint32 w, int256[] memory nets) public returns (bytes32) {
        bytes32 previous = previousRoot(hub, id, w);
        if (!known[previous]) return keccak256(abi.encode("BalanceBook: no previous balances", id, w, nets));
        (Balance[] memory prev, uint256 total) = leaves(previous);
        (Balance[] memory after_, uint256 added) = Balances.react(prev, nets);
        return record(after_, total + added);
    }

    /// @notice The honest balancesRoot of window `w` whose final state is `state`, as `next` computes it,
    /// without recording the balances (a claim whose balances no test pays out: a large community's gas
    /// tests, where recording N leaves per claim would cost more than the claim).
    function nextRootOf(IHub hub, uint64 id, uint32 w, ParticipantState[] memory state)
        external
        view
        returns (bytes32)
    {
        (Balance[] memory prev, uint256 total) = leaves(previousRoot(hub, id, w));
        (Balance[] memory after_, uint256 added) = Balances.react(prev, netsOf(state));
        return Balances.root(after_, total + added);
    }

    /// @notice `next` of a final state.
    function nextOf(IHub hub, uint64 id, uint32 w, ParticipantState[] memory state) external returns (bytes32) {
        return next(hub, id, w, netsOf(state));
    }

    /// @notice The balances members are paid from after close: the last final window's (the genesis
    /// root of an aborted community).
    function finalRoot(IHub hub, uint64 id) public view returns (bytes32) {
        CommunityInfo memory info = hub.community(id);
        return info.finalizedWindows == 0 ? info.genesisBalancesRoot : hub.finalBalancesRoot(id);
    }

    /// @notice Member `index`'s leaf, the total of claims and the proof under `root` (read from the cached
    /// levels when `cacheLevels` built them).
    function leafOf(bytes32 root, uint256 index)
        public
        view
        returns (Balance memory leaf, uint256 totalClaims, bytes32[] memory proof)
    {
        require(known[root], "BalanceBook: unknown root");
        leaf = _leaves[root][index];
        totalClaims = _totalClaims[root];
        bytes32[][] storage levels = _levels[root];
        if (levels.length == 0) {
            (Balance[] memory all,) = leaves(root);
            return (leaf, totalClaims, proofOf(all, index));
        }
        proof = new bytes32[](levels.length - 1);
        for (uint256 h = 0; h < proof.length; ++h) {
            proof[h] = levels[h][(index >> h) ^ 1];
        }
    }

    /// @notice Builds and keeps the levels of `root`'s tree (2^depth − 1 hashes, once): after it every
    /// `leafOf` under `root` reads its proof, where `proofOf` rebuilds the tree per member — N joins of a
    /// large community would cost O(N²) hashes (over a billion test gas at N = 1,000).
    function cacheLevels(bytes32 root) public {
        if (_levels[root].length != 0) return;
        (Balance[] memory all,) = leaves(root);
        bytes32[] memory hashes = new bytes32[](all.length);
        for (uint256 i = 0; i < all.length; ++i) {
            hashes[i] = Balances.leafHash(i, all[i]);
        }
        bytes32[][] memory levels = MerkleLevels.build(hashes);
        for (uint256 h = 0; h < levels.length; ++h) {
            _levels[root].push(levels[h]);
        }
    }

    /// @notice `cacheLevels` of community `id`'s genesis root (before its members join).
    function cacheGenesis(IHub hub, uint64 id) external {
        cacheLevels(hub.community(id).genesisBalancesRoot);
    }

    /// @notice Member `index`'s leaf under the community's genesis root (what `join` proves).
    function genesisProof(IHub hub, uint64 id, uint256 index) external view returns (bytes32[] memory proof) {
        (,, proof) = leafOf(hub.community(id).genesisBalancesRoot, index);
    }

    /// @notice Member `index`'s leaf, total of claims and proof under the final root (what `claim` takes).
    function claimArgs(IHub hub, uint64 id, uint256 index)
        external
        view
        returns (Balance memory, uint256, bytes32[] memory)
    {
        return leafOf(finalRoot(hub, id), index);
    }

    /// @notice The arguments of `claimRange` for the subtree of height `height` holding member `index` of the
    /// community's final balances: its first index, its real leaves (past N none), Σ claim, and the subtree
    /// root's proof (the leaf proof of its first member less the `height` lowest siblings).
    function rangeArgs(IHub hub, uint64 id, uint256 index, uint256 height)
        external
        view
        returns (uint256 first, Balance[] memory part, uint256 total, bytes32[] memory proof)
    {
        Balance[] memory all;
        (all, total) = leaves(finalRoot(hub, id));
        uint256 width = uint256(1) << height;
        first = index - index % width;
        uint256 end = first + width < all.length ? first + width : all.length;
        // A subtree of padding only (first ≥ N) has no real leaf.
        part = new Balance[](end > first ? end - first : 0);
        for (uint256 i = first; i < end; ++i) {
            part[i - first] = all[i];
        }
        bytes32[] memory full = proofOf(all, first);
        proof = new bytes32[](full.length - height);
        for (uint256 d = height; d < full.length; ++d) {
            proof[d - height] = full[d];
        }
    }

    /// @notice The `net` column of a state.
    function netsOf(ParticipantState[] memory state) public pure returns (int256[] memory nets) {
        nets = new int256[](state.length);
        for (uint256 i = 0; i < state.length; ++i) {
            nets[i] = state[i].net;
        }
    }

    /// @notice Siblings of leaf `index`, bottom-up, in the zero-padded tree of depth MerkleTree.depth(N).
    function proofOf(Balance[] memory all, uint256 index) public pure returns (bytes32[] memory proof) {
        uint256 depth = MerkleTree.depth(all.length);
        uint256 width = uint256(1) << depth;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < all.length; ++i) {
            level[i] = Balances.leafHash(i, all[i]);
        }
        proof = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            proof[d] = level[index ^ 1];
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
            index >>= 1;
        }
    }
}
