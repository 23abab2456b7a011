// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, ParticipantState} from "../src/types/Market.sol";
import {DisputeKind, EntryProof, FinalStateProof, StateEntryProof} from "../src/types/Dispute.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {StepEntry} from "../src/libraries/StepEntries.sol";
import {WindowCommitment} from "../src/libraries/WindowCommitment.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice A committed state that departs from its entries, proven through `Hub.dispute` (DESIGN.md §5.4; issue
/// 10): `DisputeKind.StateEntry` opens participant j's leaf of the state tree an interval leaf commits and entry
/// j of the same leaf's entries tree, and compares the two. The attack it stops: a claimant keeps every step
/// entry F's (BadEntry proves nothing) and commits beside them a state hash of its choice, which the hub pays
/// out at the last leaf (BadFinalState proves nothing either: the leaf commits what is posted). Only BadStep,
/// O(N), proved it before. Real readings of a one-day window (N = M = 10, W = 96), the leaves carrying the
/// entries roots the node builds. Gas at N = M = 10 in snapshots/Dispute.json (N = M = 1,000: GameWide).
contract StateEntryTest is DisputeFixture {
    function setUp() public {
        nodeEntriesRoots = true;
        _setUpCommunity(ED25519);
    }

    /// @dev The honest claim with S_t's committed state tree moving `amount` from participant `from` to `to`, its
    /// entries (leaves t and t+1: t+1's are built from S_t) the honest ones. Returns it and step t's entries.
    function _flatOff(uint256 t, uint256 from, uint256 to, int256 amount)
        internal
        view
        returns (Commit memory c, StepEntry[] memory es)
    {
        c = _honest();
        es = _entries(c, t);
        // A copy: the entries hold the committed states by reference.
        c.states[t] = abi.decode(abi.encode(c.states[t]), (ParticipantState[]));
        c.states[t][to].net += amount;
        c.states[t][from].net -= amount;
        c = _recommit(c);
    }

    function _notProven(StateEntryProof memory p) internal {
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.StateEntry),
            DisputeKind.StateEntry,
            abi.encode(p)
        );
    }

    function _refused(bytes memory err, StateEntryProof memory p) internal {
        _disputeReverts(err, DisputeKind.StateEntry, abi.encode(p));
    }

    /// The attack in the middle of the window: leaf 40's state tree gives participant 3 300 tokens of
    /// participant 7's while every entry is F's. BadEntry at 3 proves nothing (its entry is F's); StateEntry at
    /// 3 proves it from two openings.
    function test_StateOffItsEntryProven() public {
        (Commit memory c, StepEntry[] memory es) = _flatOff(40, 7, 3, 300);
        _claimBy012(c);
        EntryProof memory e = _entryProofOf(c, 40, 3, es, _entries(_honest(), 39));
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEntry),
            DisputeKind.BadEntry,
            abi.encode(e)
        );
        _proven(DisputeKind.StateEntry, abi.encode(_stateEntryProof(c, 40, 3, es)), "stateEntry_N10_W96");
    }

    /// The theft itself: the last leaf commits, and the claim posts, S_W with participant 0 paid 9 tokens of
    /// participant 1's, every entry F's. BadFinalState proves nothing (the leaf commits the posted state);
    /// StateEntry at 0 or at 1 proves it.
    function test_PostedStateOffTheLastEntriesProven() public {
        (Commit memory c, StepEntry[] memory es) = _flatOff(W - 1, 1, 0, 9);
        _claimBy012(c);
        FinalStateProof memory f;
        f.last = _intervalProof(c, W - 1);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadFinalState),
            DisputeKind.BadFinalState,
            abi.encode(f)
        );
        _proven(DisputeKind.StateEntry, abi.encode(_stateEntryProof(c, W - 1, 1, es)), "");
    }

    /// A state leaf nobody can open (no preimage known): the proof carries the leaf's hash only, so it is proven
    /// all the same.
    function test_UnopenableStateLeafProven() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 20);
        bytes32[] memory leaves = new bytes32[](N);
        for (uint256 j = 0; j < N; ++j) {
            leaves[j] = PackedState.leaf(c.states[20][j]);
        }
        leaves[5] = keccak256("no preimage");
        bytes32 stateRoot = MerkleTree.root(leaves);
        c.leaves[20] = WindowCommitment.intervalLeaf(
            20, c.readingsRoots[20], keccak256(c.energies[20]), stateRoot, c.entriesRoots[20]
        );
        c.root = MerkleTree.root(c.leaves);
        _claimBy012(c);
        StateEntryProof memory p = _stateEntryProof(c, 20, 5, es);
        p.leaf.stateHash = stateRoot;
        p.leaf.proof = _proof(c.leaves, 20);
        (p.stateLeaf, p.statePath) = (leaves[5], _proof(leaves, 5));
        _proven(DisputeKind.StateEntry, abi.encode(p), "");
    }

    /// A malformed interval leaf (interval ≠ w·W + position) is fraud by itself, as for every kind: the state
    /// and the entry agree.
    function test_MalformedLeafProven() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 30);
        c.leaves[30] = WindowCommitment.intervalLeaf(
            31,
            c.readingsRoots[30],
            keccak256(c.energies[30]),
            PackedState.hashPacked(PackedState.pack(c.states[30])),
            c.entriesRoots[30]
        );
        c.root = MerkleTree.root(c.leaves);
        _claimBy012(c);
        StateEntryProof memory p = _stateEntryProof(c, 30, 2, es);
        p.leaf.interval = 31;
        p.leaf.proof = _proof(c.leaves, 30);
        _proven(DisputeKind.StateEntry, abi.encode(p), "");
    }

    /// The honest claim survives StateEntry at every participant of the first, a middle and the last interval.
    function test_RevertWhen_HonestClaimSurvivesEveryParticipant() public {
        Commit memory h = _honest();
        _claimBy012(h);
        uint256[3] memory ts = [uint256(0), 47, W - 1];
        for (uint256 i = 0; i < ts.length; ++i) {
            StepEntry[] memory es = _entries(h, ts[i]);
            for (uint32 j = 0; j < N; ++j) {
                _notProven(_stateEntryProof(h, ts[i], j, es));
            }
        }
    }

    /// An honest claim cannot be made to look wrong with another participant's state leaf, a leaf of the prover's
    /// own, or a path of another length: the state leaf is opened at j by exactly depth(N) siblings.
    function test_RevertWhen_StateLeafNotCommitted() public {
        Commit memory h = _honest();
        _claimBy012(h);
        StepEntry[] memory es = _entries(h, 50);
        StateEntryProof memory p = _stateEntryProof(h, 50, 4, es);
        (p.stateLeaf,) = _stateOpening(h.states[50], 5);
        _refused(abi.encodeWithSelector(IDisputeVerifier.InvalidStateProof.selector, 4), p);
        p = _stateEntryProof(h, 50, 4, es);
        p.stateLeaf = keccak256("the prover's own");
        _refused(abi.encodeWithSelector(IDisputeVerifier.InvalidStateProof.selector, 4), p);
        p = _stateEntryProof(h, 50, 4, es);
        bytes32[] memory shorter = new bytes32[](p.statePath.length - 1);
        for (uint256 i = 0; i < shorter.length; ++i) {
            shorter[i] = p.statePath[i];
        }
        // One level up: the node above leaves 4 and 5, opened at index 2 of a shorter tree.
        p.participant = 2;
        p.entry = _entryOpening(es, 2);
        p.stateLeaf = MerkleTree.hashPair(p.stateLeaf, p.statePath[0]);
        for (uint256 i = 0; i < shorter.length; ++i) {
            shorter[i] = p.statePath[i + 1];
        }
        p.statePath = shorter;
        _refused(abi.encodeWithSelector(IDisputeVerifier.InvalidStateProof.selector, 2), p);
    }

    /// Nor with another entry: the entry is opened at j under the leaf's entries root.
    function test_RevertWhen_EntryNotCommitted() public {
        (Commit memory c, StepEntry[] memory es) = _flatOff(40, 7, 3, 300);
        _claimBy012(c);
        StateEntryProof memory p = _stateEntryProof(c, 40, 3, es);
        p.entry = _entryOpening(es, 2);
        _refused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 3), p);
        p = _stateEntryProof(c, 40, 3, es);
        p.entry.entry.state = c.states[40][3];
        _refused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 3), p);
    }

    /// The participant must be one of the community's (a padding index has neither a state nor an entry).
    function test_RevertWhen_ParticipantOutOfRange() public {
        (Commit memory c, StepEntry[] memory es) = _flatOff(40, 7, 3, 300);
        _claimBy012(c);
        StateEntryProof memory p = _stateEntryProof(c, 40, 3, es);
        p.participant = uint32(N);
        _refused(abi.encodeWithSelector(IDisputeVerifier.ParticipantOutOfRange.selector, N, N), p);
    }

    /// The node's StateEntry encoder (node/src/window/disputeProof.ts, vectors/dispute.json
    /// `.honestStateEntryProofs`) agrees with the verifier: its proofs against the honest claim ((t, j) = (0, 0),
    /// (40, 3), (95, 9)) decode, open and are refused `FraudNotProven`. (The two claims it proves are replayed
    /// by `DisputeTest.test_TypeScriptProofs`.)
    function test_RevertWhen_TypeScriptStateEntryProofsAgainstHonestClaim() public {
        _claimBy012(_honest());
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        bytes[] memory proofs = vm.parseJsonBytesArray(json, ".honestStateEntryProofs");
        assertEq(proofs.length, 3);
        for (uint256 i = 0; i < proofs.length; ++i) {
            _disputeReverts(
                abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.StateEntry),
                DisputeKind.StateEntry,
                proofs[i]
            );
        }
    }
}

/// @notice An auction community commits no entries (its entriesRoot is zero): no entry opens, so StateEntry is
/// refused and its states are proven by BadStep.
contract StateEntryAuctionTest is DisputeFixture {
    function setUp() public {
        nodeEntriesRoots = true;
        _setUpCommunity(ED25519, MarketKind.Auction);
    }

    function test_RevertWhen_AuctionHasNoEntries() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        StepEntry[] memory es = new StepEntry[](N);
        for (uint256 j = 0; j < N; ++j) {
            es[j].state = c.states[60][j];
        }
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 0),
            DisputeKind.StateEntry,
            abi.encode(_stateEntryProof(c, 60, 0, es))
        );
    }
}
// forge-lint: disable-end(unsafe-typecast)
