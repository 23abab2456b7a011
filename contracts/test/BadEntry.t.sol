// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {IMarketStep} from "../src/interfaces/IMarketStep.sol";
import {MarketKind, MarketParams, ParticipantState} from "../src/types/Market.sol";
import {DisputeKind, EnergyFault, EnergyProof, EntryProof} from "../src/types/Dispute.sol";
import {StepEntries, StepEntry} from "../src/libraries/StepEntries.sol";
import {TouTariff} from "../src/libraries/Tariff.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice One participant's step judged alone through `Hub.dispute` (DESIGN.md §5.4, "One participant's step";
/// issue 10): `DisputeKind.BadEntry` opens entry j of leaf t with entries j−1 and N−1, and entry j of leaf t−1,
/// and the market module judges it (`IMarketStep.judgeEntry`). Each test performs an attack on a claim's
/// entries and sees it proven (claim rejected, signers slashed, money conserved), an honest claim survive the
/// same proof (`FraudNotProven`), or a malformed proof refused with its named error. Real readings of a one-day
/// window (N = M = 10, W = 96, Ed25519 readings signed in TypeScript), the leaves carrying the entries roots the
/// node builds (`nodeEntriesRoots`). Gas at N = M = 10 in snapshots/Dispute.json (N = M = 1,000: GameWide).
abstract contract BadEntryBase is DisputeFixture {
    function _claimed(Commit memory c) internal {
        _claimBy012(c);
    }

    function _entryNotProven(EntryProof memory p) internal {
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEntry),
            DisputeKind.BadEntry,
            abi.encode(p)
        );
    }

    function _entryRefused(bytes memory err, EntryProof memory p) internal {
        _disputeReverts(err, DisputeKind.BadEntry, abi.encode(p));
    }

    /// @dev `c` with step t's entries committed as `es` (the states and E_t unchanged).
    function _withEntries(Commit memory c, uint256 t, StepEntry[] memory es) internal pure returns (Commit memory) {
        c.entriesRoots[t] = StepEntries.root(es);
        return _recommit(c);
    }
}

contract BadEntryTest is BadEntryBase {
    function setUp() public {
        nodeEntriesRoots = true;
        _setUpCommunity(ED25519);
    }

    /// The theft of a wrong step: at t = 60 participant 0 gets 1,000 tokens from participant 1, every later step
    /// folded on from it and every entry built as the node builds it. BadEntry at participant 0 proves it from
    /// four entries (O(log N)), as BadStep does from all of S_{t−1} and E_t (O(N)).
    function test_WrongStateProven() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimed(c);
        _proven(DisputeKind.BadEntry, abi.encode(_entryProof(c, 60, 0)), "badEntry_N10_W96");
    }

    /// The same theft proven at the other participant it touches (j = 1: entries 0, 1 and 9 opened).
    function test_WrongStateProvenAtItsOtherParticipant() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimed(c);
        _proven(DisputeKind.BadEntry, abi.encode(_entryProof(c, 60, 1)), "badEntry_middle_N10_W96");
    }

    /// A wrong step at the window's first interval: S_{−1}[j] is zeros by rule (no previous leaf opened).
    function test_WrongFirstStepProvenFromZeroState() public {
        Commit memory c = _wrongAt(0, 500);
        _claimed(c);
        _proven(DisputeKind.BadEntry, abi.encode(_entryProof(c, 0, 1)), "");
    }

    /// The last participant's state wrong (j = N−1: its own entry holds the totals, `last` not read).
    function test_WrongStateOfLastParticipantProven() public {
        Commit memory c = _fold(_honestInputs(), 0);
        c.states[30][N - 1].gridSoldWh += 7;
        c = _fold(c, 31);
        _claimed(c);
        EntryProof memory p = _entryProof(c, 30, uint32(N - 1));
        delete p.last; // not read for j = N−1
        _proven(DisputeKind.BadEntry, abi.encode(p), "");
    }

    /// Right states, wrong running sums: from entry 3 on, the sellers' weight sum is one Wh higher. No honest
    /// node commits such entries; entry 3 is the first whose sum is not its predecessor's plus its own weight.
    function test_WrongRunningSumProven() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 40);
        for (uint256 j = 3; j < N; ++j) {
            es[j].sell.weight += 1;
        }
        c = _withEntries(c, 40, es);
        _claimed(c);
        // Entry 2's sums are right and the totals are wrong: entry 2 judged against them fails on its floors or
        // state, or passes; entry 3 always fails on its weight.
        _proven(DisputeKind.BadEntry, abi.encode(_entryProofOf(c, 40, 3, es, _entries(c, 39))), "");
    }

    /// Fake totals: the last entry's sums claim more matched energy than every honest interval has (Σ weight
    /// above N · 2^64). Whatever participant is judged, the totals are refused.
    function test_FakeTotalsProven() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 40);
        es[N - 1].sell.weight = type(uint256).max;
        c = _withEntries(c, 40, es);
        _claimed(c);
        _proven(DisputeKind.BadEntry, abi.encode(_entryProofOf(c, 40, 4, es, _entries(c, 39))), "");
    }

    /// The honest claim survives BadEntry at every participant of the first, a middle and the last interval.
    function test_RevertWhen_HonestClaimSurvivesEveryEntry() public {
        Commit memory h = _honest();
        _claimed(h);
        uint256[3] memory ts = [uint256(0), 47, W - 1];
        for (uint256 i = 0; i < ts.length; ++i) {
            for (uint32 j = 0; j < N; ++j) {
                _entryNotProven(_entryProof(h, ts[i], j));
            }
        }
    }

    /// An honest claim cannot be made to look wrong with another S_{t−1}[j]: the previous entry is opened under
    /// leaf t−1's entries root, so a prover that swaps in participant j+1's entry (or a forged state) is refused.
    function test_RevertWhen_PreviousEntryNotCommitted() public {
        Commit memory h = _honest();
        _claimed(h);
        EntryProof memory p = _entryProof(h, 50, 2);
        p.previousEntry = _entryOpening(_entries(h, 49), 3);
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 2), p);
        p = _entryProof(h, 50, 2);
        p.previousEntry.entry.state.net += 1;
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 2), p);
    }

    /// Nor with other running sums or totals: entries j−1 and N−1 are opened at their indices.
    function test_RevertWhen_NeighbourEntriesNotCommitted() public {
        Commit memory h = _honest();
        _claimed(h);
        StepEntry[] memory es = _entries(h, 50);
        EntryProof memory p = _entryProof(h, 50, 5);
        p.before = _entryOpening(es, 3);
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 4), p);
        p = _entryProof(h, 50, 5);
        p.last = _entryOpening(es, N - 2);
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, N - 1), p);
        p = _entryProof(h, 50, 5);
        p.entry.entry.state.net -= 1;
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 5), p);
    }

    /// An entry proven by a path of another length than depth(N) is refused: an inner node of a claimant's tree
    /// never passes for an entry (and a canonical one never needs another shape).
    function test_RevertWhen_EntryPathNotCanonicalDepth() public {
        Commit memory h = _honest();
        _claimed(h);
        EntryProof memory p = _entryProof(h, 50, 5);
        bytes32[] memory longer = new bytes32[](p.entry.path.length + 1);
        for (uint256 i = 0; i < p.entry.path.length; ++i) {
            longer[i] = p.entry.path[i];
        }
        p.entry.path = longer;
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 5), p);
    }

    /// The previous leaf must be the one at t−1, and the participant one of the community's.
    function test_RevertWhen_PreviousNotAdjacentOrParticipantOutOfRange() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimed(c);
        EntryProof memory p = _entryProof(c, 60, 0);
        p.previous = _intervalProof(c, 58);
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.PreviousNotAdjacent.selector, 58, 60), p);
        p = _entryProof(c, 60, 0);
        p.participant = uint32(N);
        _entryRefused(abi.encodeWithSelector(IDisputeVerifier.ParticipantOutOfRange.selector, N, N), p);
    }

    /// The node's BadEntry encoder (node/src/window/disputeProof.ts, vectors/dispute.json `.honestEntryProofs`)
    /// agrees with the verifier: its proofs against the honest claim (t = 0 and j = 0; a middle one; the last
    /// participant of the last interval) decode, open and are refused `FraudNotProven`.
    function test_RevertWhen_TypeScriptEntryProofsAgainstHonestClaim() public {
        Commit memory h = _honest();
        _claimed(h);
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        bytes[] memory proofs = vm.parseJsonBytesArray(json, ".honestEntryProofs");
        assertEq(proofs.length, 3);
        for (uint256 i = 0; i < proofs.length; ++i) {
            _disputeReverts(
                abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEntry),
                DisputeKind.BadEntry,
                proofs[i]
            );
        }
    }

    /// The market module judges only its own kind: a Totals module asked to judge at Mmr parameters refuses
    /// (an entry judged by another market's rule would prove nothing about the claim), and the auction module
    /// has no one-participant step at all.
    function test_RevertWhen_ModuleJudgesAnotherKind() public {
        StepEntry[] memory es = _entries(_honest(), 50);
        MarketParams memory mmr = hub.community(id).market;
        ParticipantState memory prev;
        vm.expectRevert(abi.encodeWithSelector(IMarketStep.WrongMarketKind.selector, MarketKind.Totals, MarketKind.Mmr));
        totalsModule.judgeEntry(mmr, N, prev, es[0], es[1], es[N - 1]);
        vm.expectRevert(abi.encodeWithSelector(StepEntries.UnsupportedMarketKind.selector, MarketKind.Auction));
        auctionModule.judgeEntry(mmr, N, prev, es[0], es[1], es[N - 1]);
    }

    /// A right entry whose E_t[j] is not its meter's sum: participant 3's entry at t = 50 exports 1 kWh more
    /// than meter 3 read, its state and every sum F's for that energy, while the flat E_t is right. BadEntry
    /// proves nothing (the step is F's for the entry's energy), BadEnergy Total proves nothing (the flat E_t
    /// is right); BadEnergy Entry proves it from the entry and the meter's leaf.
    function test_EntryEnergyNotTheMeterSumProven() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 50);
        es[3].exportWh += 1000;
        c = _withEntries(c, 50, es);
        _claimed(c);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
            DisputeKind.BadEnergy,
            _totalProof(c, 3, 3, 50)
        );
        _proven(DisputeKind.BadEnergy, _entryEnergyProof(c, es, 3, 50), "badEnergy_entry_N10_W96");
    }

    /// The honest claim survives BadEnergy Entry at every participant; an entry not under the leaf's entries
    /// root is refused.
    function test_RevertWhen_HonestEntryEnergySurvives() public {
        Commit memory h = _honest();
        _claimed(h);
        StepEntry[] memory es = _entries(h, 50);
        for (uint32 j = 0; j < N; ++j) {
            _disputeReverts(
                abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEnergy),
                DisputeKind.BadEnergy,
                _entryEnergyProof(h, es, j, 50)
            );
        }
        es[4].exportWh += 1;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidEntryProof.selector, 4),
            DisputeKind.BadEnergy,
            _entryEnergyProof(h, es, 4, 50)
        );
    }

    /// A BadEnergy Entry proof of participant j (meter j: one meter each) at position t, entry j from `es`.
    function _entryEnergyProof(Commit memory c, StepEntry[] memory es, uint32 j, uint256 t)
        internal
        view
        returns (bytes memory)
    {
        EnergyProof memory p = abi.decode(_totalProof(c, j, j, t), (EnergyProof));
        p.fault = EnergyFault.Entry;
        p.energy = "";
        p.entry = _entryOpening(es, j);
        return abi.encode(p);
    }
}

/// @notice A time-of-use community: entry j is judged at the interval's hourly prices, and the tariff must be
/// the committed one.
contract BadEntryTouTest is BadEntryBase {
    function setUp() public {
        nodeEntriesRoots = true;
        _setUpTouCommunity(ED25519, MarketKind.Mmr, _touTariff());
    }

    function test_WrongStateProvenAtTheHoursPrices() public {
        Commit memory c = _wrongAt(70, 300);
        _claimed(c);
        _proven(DisputeKind.BadEntry, abi.encode(_entryProof(c, 70, 1)), "");
    }

    /// node/src/vectors/dispute.ts folded this community with the tariff and built the BadEntry proof carrying
    /// it (vectors/dispute.json `.touMmr`): the TypeScript fold and entries, and the proof encoder, agree with
    /// the verifier at the hour's prices.
    function test_TypeScriptTouEntryProof() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        assertEq(vm.parseJsonBytes32(json, ".touMmr.honestWindowRoot"), _honest().root, "TS ToU Mmr fold");
        bytes32 root = vm.parseJsonBytes32(json, ".touMmr.badEntry.windowRoot");
        ParticipantState[] memory posted =
            abi.decode(vm.parseJsonBytes(json, ".touMmr.badEntry.finalState"), (ParticipantState[]));
        _claim(0, root, posted, _signers(0, 3));
        _proven(DisputeKind.BadEntry, vm.parseJsonBytes(json, ".touMmr.badEntry.proof"), "");
    }

    function test_RevertWhen_HonestClaimSurvivesAtTheHoursPrices() public {
        Commit memory h = _honest();
        _claimed(h);
        for (uint32 j = 0; j < N; j += 3) {
            _entryNotProven(_entryProof(h, 70, j));
        }
    }

    function test_RevertWhen_TariffNotCommitted() public {
        Commit memory c = _wrongAt(70, 300);
        _claimed(c);
        EntryProof memory p = _entryProof(c, 70, 1);
        TouTariff memory other = tariff;
        other.weekdayBuy[0] += 1;
        p.tariff = abi.encode(other);
        _entryRefused(
            abi.encodeWithSelector(
                IDisputeVerifier.TariffHashMismatch.selector, keccak256(abi.encode(tariff)), keccak256(p.tariff)
            ),
            p
        );
    }
}

/// @notice An auction community has no one-participant step (its merit order is not a prefix sum): BadEntry is
/// refused by its market module; its entries root is zero and its steps are proven by BadStep.
contract BadEntryAuctionTest is BadEntryBase {
    function setUp() public {
        nodeEntriesRoots = true;
        _setUpCommunity(ED25519, MarketKind.Auction);
    }

    function test_AuctionLeafWithEntriesIsFraud() public {
        Commit memory c = _wrongAt(60, 1000);
        assertEq(c.entriesRoots[60], bytes32(0), "an auction leaf commits no entries");
        StepEntry[] memory es = new StepEntry[](N);
        // A claimant that commits entries anyway commits a leaf no honest auction node does (review, entries
        // level: the game would skip S_{t−1} for it): BadEntry names it fraud from the leaf alone.
        c = _withEntries(c, 59, es);
        c = _withEntries(c, 60, es);
        _claimed(c);
        _dispute(DisputeKind.BadEntry, abi.encode(_entryProofOf(c, 60, 0, es, new StepEntry[](N))), "");
    }
}
