// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FlatEntry} from "../utils/FlatEntry.sol";
import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {EntryFault, SidePrefix, StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {MarketKind, MarketParams, ParticipantState} from "../../src/types/Market.sol";
import {MerkleLevels} from "../utils/MerkleLevels.sol";
import {transactionGas} from "../utils/TxGas.sol";

/// @notice What a dispute over one participant's step will check, as one call (the gas test's frame): entry j
/// of step t−1 (S_{t−1}[j]) under `prevRoot`, entries j−1, j and N−1 of step t under `root`, each by a path of
/// depth(N), then `StepEntries.judge`. Not wired into the hub yet (DESIGN.md §5.4).
contract EntryJudge {
    error BadOpening(uint256 index);

    struct Opened {
        StepEntry entry;
        bytes32[] path;
    }

    function judgeOpened(
        MarketParams calldata p,
        uint256 n,
        uint256 j,
        bytes32 prevRoot,
        bytes32 root,
        Opened calldata prev,
        Opened calldata before,
        Opened calldata entry,
        Opened calldata last
    ) external pure returns (EntryFault) {
        _open(prevRoot, prev, j, n);
        StepEntry memory b;
        if (j > 0) b = _open(root, before, j - 1, n);
        StepEntry memory e = _open(root, entry, j, n);
        StepEntry memory l = j == n - 1 ? e : _open(root, last, n - 1, n);
        return StepEntries.judge(p, n, prev.entry.state, b, e, l);
    }

    function _open(bytes32 root_, Opened calldata o, uint256 index, uint256 n)
        private
        pure
        returns (StepEntry memory e)
    {
        e = o.entry;
        if (!MerkleTree.isDepth(o.path.length, n) || !MerkleTree.verify(root_, StepEntries.leaf(e), index, o.path)) {
            revert BadOpening(index);
        }
    }
}

contract StepEntriesHarness {
    function entries(
        MarketParams memory p,
        ParticipantState[] memory prev,
        uint256[] memory exported,
        uint256[] memory imported
    ) external pure returns (StepEntry[] memory) {
        return StepEntries.entries(p, prev, exported, imported);
    }

    function judge(
        MarketParams memory p,
        uint256 n,
        ParticipantState memory prev,
        StepEntry memory before,
        StepEntry memory entry,
        StepEntry memory last
    ) external pure returns (EntryFault) {
        return StepEntries.judge(p, n, prev, before, entry, last);
    }
}

contract StepEntriesTest is Test {
    StepEntriesHarness internal h;

    /// @dev The vector file's columns, read once per test (`node/src/vectors/stepEntries.ts`).
    struct Vectors {
        uint256 count;
        uint256[] kind;
        uint256[] gridBuyPrice;
        uint256[] gridSellPrice;
        uint256[] feederCapacityWh;
        uint256[] participants;
        int256[] prev;
        uint256[] energy;
        int256[] entries;
        bytes32[] leaves;
        bytes32[] roots;
    }

    function setUp() public {
        h = new StepEntriesHarness();
    }

    function _read() internal view returns (string memory json, Vectors memory v) {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/stepEntries.json"));
        v.count = vm.parseJsonUint(json, ".count");
        v.kind = vm.parseJsonUintArray(json, ".kind");
        v.gridBuyPrice = vm.parseJsonUintArray(json, ".gridBuyPrice");
        v.gridSellPrice = vm.parseJsonUintArray(json, ".gridSellPrice");
        v.feederCapacityWh = vm.parseJsonUintArray(json, ".feederCapacityWh");
        v.participants = vm.parseJsonUintArray(json, ".participants");
        v.prev = vm.parseJsonIntArray(json, ".prev");
        v.energy = vm.parseJsonUintArray(json, ".energy");
        v.entries = vm.parseJsonIntArray(json, ".entries");
        v.leaves = vm.parseJsonBytes32Array(json, ".leaves");
        v.roots = vm.parseJsonBytes32Array(json, ".roots");
    }

    function _paramsOf(Vectors memory v, uint256 c) internal pure returns (MarketParams memory p) {
        p.kind = MarketKind(v.kind[c]);
        p.gridBuyPrice = uint128(v.gridBuyPrice[c]);
        p.gridSellPrice = uint128(v.gridSellPrice[c]);
        p.feederCapacityWh = uint64(v.feederCapacityWh[c]);
    }

    /// @dev Where case c's participants start in the per-participant columns.
    function _firstOf(Vectors memory v, uint256 c) internal pure returns (uint256 first) {
        for (uint256 i; i < c; ++i) {
            first += v.participants[i];
        }
    }

    // ------------------------------------------------------------------ vectors

    /// @notice Solidity's entries, leaves and root of every case are TypeScript's, and every honest entry is
    /// judged None.
    function test_Vectors_EntriesLeavesRootAndHonestJudgements() public view {
        (, Vectors memory v) = _read();
        assertGt(v.count, 20);
        for (uint256 c; c < v.count; ++c) {
            _replayCase(v, c);
        }
    }

    function _replayCase(Vectors memory v, uint256 c) internal pure {
        MarketParams memory p = _paramsOf(v, c);
        uint256 n = v.participants[c];
        uint256 first = _firstOf(v, c);
        ParticipantState[] memory prev = new ParticipantState[](n);
        uint256[] memory exported = new uint256[](n);
        uint256[] memory imported = new uint256[](n);
        for (uint256 j; j < n; ++j) {
            prev[j] = _state(_slice(v.prev, (first + j) * 7, 7));
            (exported[j], imported[j]) = (v.energy[(first + j) * 2], v.energy[(first + j) * 2 + 1]);
        }
        StepEntry[] memory es = StepEntries.entries(p, prev, exported, imported);
        for (uint256 j; j < n; ++j) {
            StepEntry memory expected = _entry(_slice(v.entries, (first + j) * 19, 19));
            assertEq(keccak256(abi.encode(es[j])), keccak256(abi.encode(expected)), "entry");
            assertEq(StepEntries.leaf(es[j]), v.leaves[first + j], "leaf");
        }
        _assertHonestPass(p, prev, es);
        assertEq(StepEntries.root(es), v.roots[c], "root");
    }

    /// @dev Every entry of `es` (the step after `prev`) is judged None.
    function _assertHonestPass(MarketParams memory p, ParticipantState[] memory prev, StepEntry[] memory es)
        internal
        pure
    {
        uint256 n = es.length;
        for (uint256 j; j < n; ++j) {
            StepEntry memory before;
            if (j > 0) before = es[j - 1];
            assertEq(uint8(StepEntries.judge(p, n, prev[j], before, es[j], es[n - 1])), 0, "honest entry");
        }
    }

    /// @dev The judgement rows' columns.
    struct Rows {
        uint256[] caseIndex;
        uint256[] participant;
        uint256[] fault;
        string[] mutation;
        int256[] before;
        int256[] entry;
        int256[] last;
    }

    /// @notice Every mutated entry of the vectors gets the fault the TypeScript judge gives it, and the rows
    /// reach every fault.
    function test_Vectors_Judgements() public view {
        (string memory json, Vectors memory v) = _read();
        uint256 count = vm.parseJsonUint(json, ".judgementCount");
        assertGt(count, 200);
        Rows memory r;
        r.caseIndex = vm.parseJsonUintArray(json, ".judgements.caseIndex");
        r.participant = vm.parseJsonUintArray(json, ".judgements.participant");
        r.fault = vm.parseJsonUintArray(json, ".judgements.fault");
        r.mutation = vm.parseJsonStringArray(json, ".judgements.mutation");
        r.before = vm.parseJsonIntArray(json, ".judgements.before");
        r.entry = vm.parseJsonIntArray(json, ".judgements.entry");
        r.last = vm.parseJsonIntArray(json, ".judgements.last");
        bool[15] memory seen;
        for (uint256 k; k < count; ++k) {
            uint256 c = r.caseIndex[k];
            ParticipantState memory prev = _state(_slice(v.prev, (_firstOf(v, c) + r.participant[k]) * 7, 7));
            EntryFault fault = StepEntries.judge(
                _paramsOf(v, c),
                v.participants[c],
                prev,
                _entry(_slice(r.before, k * 19, 19)),
                _entry(_slice(r.entry, k * 19, 19)),
                _entry(_slice(r.last, k * 19, 19))
            );
            assertEq(uint8(fault), r.fault[k], r.mutation[k]);
            seen[r.fault[k]] = true;
        }
        for (uint256 f; f < 15; ++f) {
            assertTrue(seen[f], "every fault is exercised");
        }
    }

    function _slice(int256[] memory xs, uint256 from, uint256 len) internal pure returns (int256[] memory out) {
        out = new int256[](len);
        for (uint256 i; i < len; ++i) {
            out[i] = xs[from + i];
        }
    }

    // ------------------------------------------------------------------ properties

    /// @notice Complete: every entry of an honest step (after an honest first step) is judged None.
    function testFuzz_HonestEntriesPass(uint256 seed, bool mmr, uint8 size, uint64 cap) public pure {
        (MarketParams memory p, ParticipantState[] memory prev, StepEntry[] memory es) = _honest(seed, mmr, size, cap);
        _assertHonestPass(p, prev, es);
    }

    /// @notice Sound: change one number of one committed entry and some entry of the step is judged faulty,
    /// without a revert.
    function testFuzz_OneChangedNumberIsCaught(uint256 seed, bool mmr, uint8 size, uint64 cap, uint256 at, int128 delta)
        public
        pure
    {
        vm.assume(delta != 0);
        (MarketParams memory p, ParticipantState[] memory prev, StepEntry[] memory es) = _honest(seed, mmr, size, cap);
        uint256 victim = uint256(keccak256(abi.encode(seed, "victim"))) % es.length;
        int256[] memory flat = _flat(es[victim]);
        uint256 field = bound(at, 0, 18);
        int256 changed = flat[field] + delta;
        if (field == 6) vm.assume(changed > type(int128).min && changed <= type(int128).max);
        else vm.assume(changed >= 0 && (field > 8 || changed <= int256(uint256(type(uint64).max))));
        flat[field] = changed;
        es[victim] = _entry(flat);
        assertTrue(_anyFault(p, prev, es), "a changed entry is caught");
    }

    /// @dev Whether some entry of `es` is judged faulty.
    function _anyFault(MarketParams memory p, ParticipantState[] memory prev, StepEntry[] memory es)
        internal
        pure
        returns (bool)
    {
        uint256 n = es.length;
        for (uint256 j; j < n; ++j) {
            StepEntry memory before;
            if (j > 0) before = es[j - 1];
            if (StepEntries.judge(p, n, prev[j], before, es[j], es[n - 1]) != EntryFault.None) return true;
        }
        return false;
    }

    /// @notice The judge takes the full step's own bound: a uint64 field overflowing reverts (panic 0x11) in
    /// both, so no state is "right" or "wrong" there.
    function test_RevertWhen_CumulativeExportOverflows() public {
        MarketParams memory p = MarketParams(MarketKind.Totals, 100, 50, 0, 0, 0);
        ParticipantState memory prev;
        prev.exportWh = type(uint64).max;
        StepEntry memory e;
        e.exportWh = 1;
        vm.expectRevert(stdError.arithmeticError);
        h.judge(p, 1, prev, e, e, e);
    }

    function test_RevertWhen_Auction() public {
        MarketParams memory p = MarketParams(MarketKind.Auction, 100, 50, 0, 0, 0);
        StepEntry memory e;
        ParticipantState memory prev;
        vm.expectRevert(abi.encodeWithSelector(StepEntries.UnsupportedMarketKind.selector, MarketKind.Auction));
        h.judge(p, 1, prev, e, e, e);
        vm.expectRevert(abi.encodeWithSelector(StepEntries.UnsupportedMarketKind.selector, MarketKind.Auction));
        h.entries(p, new ParticipantState[](1), new uint256[](1), new uint256[](1));
    }

    /// @notice A net outside int128 has no leaf (it would be a second preimage of its low 128 bits); −2^127 has
    /// one (its bytes 0x80…00 are a claimant's to commit: review s18, EntryProofAttacks).
    function test_RevertWhen_LeafOfUnpackableNet() public {
        StepEntry memory e;
        e.state.net = int256(type(int128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 0));
        this.leafOf(e);
        e.state.net = int256(type(int128).min) - 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 0));
        this.leafOf(e);
        e.state.net = type(int128).min;
        assertNotEq(this.leafOf(e), bytes32(0));
        // The TypeScript twin gives an entry with a net of -2^127 the same leaf (vectors `minNetEntry`, review s18).
        (string memory json,) = _read();
        StepEntry memory m = _entry(vm.parseJsonIntArray(json, ".minNetEntry"));
        assertEq(m.state.net, type(int128).min);
        assertEq(StepEntries.leaf(m), vm.parseJsonBytes32(json, ".minNetLeaf"));
    }

    function leafOf(StepEntry memory e) external pure returns (bytes32) {
        return StepEntries.leaf(e);
    }

    // ------------------------------------------------------------------ gas

    /// @notice One participant's step judged at N = 1,000 (Mmr and Totals) and N = 10: four openings of
    /// depth(N) and the judgement, as one transaction (`snapshots/StepEntries.json`).
    function test_Gas_JudgeOpened() public {
        EntryJudge judge = new EntryJudge();
        _gas(judge, true, 10, "judgeOpened_mmr_N10");
        _gas(judge, true, 1000, "judgeOpened_mmr_N1000");
        _gas(judge, false, 1000, "judgeOpened_totals_N1000");
    }

    /// @dev Two honest steps of `n` participants: entries of step t−1 and of step t.
    struct TwoSteps {
        MarketParams p;
        uint256 n;
        StepEntry[] first;
        StepEntry[] second;
    }

    function _gas(EntryJudge judge, bool mmr, uint256 n, string memory name) internal {
        TwoSteps memory c;
        c.p = MarketParams(mmr ? MarketKind.Mmr : MarketKind.Totals, 250, 100, 0, 0, 0);
        c.n = n;
        (uint256[] memory e0, uint256[] memory m0) = _energy(uint256(keccak256(abi.encode(n, 0))), n, 5_000);
        c.first = StepEntries.entries(c.p, new ParticipantState[](n), e0, m0);
        ParticipantState[] memory prev = new ParticipantState[](n);
        for (uint256 i; i < n; ++i) {
            prev[i] = c.first[i].state;
        }
        (uint256[] memory e1, uint256[] memory m1) = _energy(uint256(keccak256(abi.encode(n, 1))), n, 5_000);
        c.second = StepEntries.entries(c.p, prev, e1, m1);

        bytes memory data = _judgeCall(c, n / 2);
        (bool ok, bytes memory ret) = address(judge).call(data);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        assertTrue(ok);
        assertEq(abi.decode(ret, (uint8)), uint8(EntryFault.None), "honest entry");
        vm.snapshotValue("StepEntries", name, used);
        vm.snapshotValue("StepEntries", string.concat(name, "_txGas"), transactionGas(data, used));
        assertLt(transactionGas(data, used), 1_000_000);

        // The same call over a wrong entry (one unit of net moved) is judged State.
        c.second[n / 2].state.net += 1;
        (ok, ret) = address(judge).call(_judgeCall(c, n / 2));
        assertTrue(ok);
        assertEq(abi.decode(ret, (uint8)), uint8(EntryFault.State), "wrong entry");
    }

    /// @dev `EntryJudge.judgeOpened` of entry j of `c`'s second step, with every opening.
    function _judgeCall(TwoSteps memory c, uint256 j) internal pure returns (bytes memory) {
        bytes32[][] memory prevLevels = MerkleLevels.build(_leaves(c.first));
        bytes32[][] memory levels = MerkleLevels.build(_leaves(c.second));
        uint256 last = c.n - 1;
        return abi.encodeCall(
            EntryJudge.judgeOpened,
            (
                c.p,
                c.n,
                j,
                MerkleLevels.root(prevLevels),
                MerkleLevels.root(levels),
                EntryJudge.Opened(c.first[j], MerkleLevels.siblings(prevLevels, j)),
                EntryJudge.Opened(c.second[j - 1], MerkleLevels.siblings(levels, j - 1)),
                EntryJudge.Opened(c.second[j], MerkleLevels.siblings(levels, j)),
                EntryJudge.Opened(c.second[last], MerkleLevels.siblings(levels, last))
            )
        );
    }

    // ------------------------------------------------------------------ helpers

    function _honest(uint256 seed, bool mmr, uint8 size, uint64 cap)
        internal
        pure
        returns (MarketParams memory p, ParticipantState[] memory prev, StepEntry[] memory es)
    {
        uint256 n = bound(size, 1, 24);
        p = MarketParams(
            mmr ? MarketKind.Mmr : MarketKind.Totals,
            uint128(bound(seed >> 128, 0, 1e12)),
            uint128(bound(seed >> 64, 0, 1e12)),
            uint64(bound(cap, 0, 1e10)),
            0,
            0
        );
        uint256 scale = [uint256(4), 1_000, 1 << 32][seed % 3];
        (uint256[] memory e0, uint256[] memory m0) = _energy(seed, n, scale);
        StepEntry[] memory first = StepEntries.entries(p, new ParticipantState[](n), e0, m0);
        prev = new ParticipantState[](n);
        for (uint256 i; i < n; ++i) {
            prev[i] = first[i].state;
        }
        (uint256[] memory e1, uint256[] memory m1) = _energy(uint256(keccak256(abi.encode(seed))), n, scale);
        es = StepEntries.entries(p, prev, e1, m1);
    }

    /// @dev Random interval energies below `scale`, about a third of them zero.
    function _energy(uint256 seed, uint256 n, uint256 scale)
        internal
        pure
        returns (uint256[] memory e, uint256[] memory m)
    {
        e = new uint256[](n);
        m = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            e[i] = r % 3 == 0 ? 0 : (r >> 8) % scale;
            m[i] = (r >> 4) % 3 == 0 ? 0 : (r >> 80) % scale;
        }
    }

    function _leaves(StepEntry[] memory es) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](es.length);
        for (uint256 i; i < es.length; ++i) {
            leaves[i] = StepEntries.leaf(es[i]);
        }
    }

    function _state(int256[] memory x) internal pure returns (ParticipantState memory) {
        return FlatEntry.state(x);
    }

    function _entry(int256[] memory x) internal pure returns (StepEntry memory) {
        return FlatEntry.entry(x);
    }

    function _flat(StepEntry memory e) internal pure returns (int256[] memory x) {
        x = new int256[](19);
        ParticipantState memory s = e.state;
        (x[0], x[1], x[2], x[3], x[4], x[5], x[6]) =
        (
            int256(uint256(s.exportWh)),
            int256(uint256(s.importWh)),
            int256(uint256(s.p2pSoldWh)),
            int256(uint256(s.p2pBoughtWh)),
            int256(uint256(s.gridSoldWh)),
            int256(uint256(s.gridBoughtWh)),
            s.net
        );
        (x[7], x[8]) = (int256(uint256(e.exportWh)), int256(uint256(e.importWh)));
        SidePrefix memory a = e.sell;
        SidePrefix memory b = e.buy;
        (x[9], x[10], x[11], x[12], x[13]) =
        (int256(a.weight), int256(a.positive), int256(a.floors), int256(a.filled), int256(a.valueFloors));
        (x[14], x[15], x[16], x[17], x[18]) =
        (int256(b.weight), int256(b.positive), int256(b.floors), int256(b.filled), int256(b.valueFloors));
    }
}
