// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {Balance, CommunityConfig, Meter, OpenConfig, WindowRecord, WindowStatus} from "../../src/types/Community.sol";
import {
    DisputeKind,
    EnergyFault,
    EnergyProof,
    EntryOpening,
    EntryProof,
    IntervalProof,
    MeterLeafOpening,
    MeterRecordOpening,
    SignedReading,
    StateEntryProof,
    StepProof
} from "../../src/types/Dispute.sol";
import {MeterRecords} from "./MeterRecords.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {PackedLimits} from "../../src/libraries/PackedLimits.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {Auction} from "../../src/libraries/Auction.sol";
import {Market} from "../../src/libraries/Market.sol";
import {StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {Tariff, TouTariff} from "../../src/libraries/Tariff.sol";
import {AuctionParams, LimitPrices, LimitsHash} from "../../src/types/Auction.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {ConfigBuilder, Schedule} from "./ConfigBuilder.sol";
import {Modules} from "./Modules.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";
import {transactionGas} from "./TxGas.sol";

/// @notice A community of N = 10 participants with one Ed25519 meter each and one-day windows
/// (W = 96), its signed readings for window 0 from `vectors/dispute.json` (TypeScript signs them),
/// and a Solidity twin of the node's commitment builder (node/src/window/{fold,commitment}.ts) so
/// tests can build honest claims and tamper with them.
abstract contract DisputeFixture is Modules {
    /// Readings in dispute.json are bound to this hub address (chain 31337, community 1).
    address internal constant HUB = 0xd15b0000000000000000000000000000000000A1;
    uint64 internal constant START = 1_000_000;
    uint32 internal constant INTERVAL = 900;
    uint32 internal constant W = 96;
    uint256 internal constant N = 10;
    uint256 internal constant M = 10;
    /// The per-transaction gas cap (EIP-7825): every proof must fit one transaction.
    uint256 internal constant TX_GAS_CAP = 16_777_216;
    uint32 internal constant CHALLENGE = 1 days;
    uint128 internal constant BOND = 1_000_000;
    uint128 internal constant ESCROW = 1_000_000_000;

    Hub internal hub;
    CommunityToken internal token;
    uint256[] internal keys;
    address[] internal nodes;
    address internal challenger = makeAddr("challenger");
    uint64 internal id;

    bytes[] internal publicKeys;
    bool[] internal present;
    uint256[] internal exportWh;
    uint256[] internal importWh;
    bytes[] internal signatures;
    SignedReading internal equivocating;
    uint32 internal eqMeter;
    uint32 internal eqInterval;
    /// The auction community's standing limit prices (empty for Totals and Mmr).
    LimitPrices[] internal limits;
    /// The community's time-of-use tariff, when `hasTariff` (`_setUpTouCommunity`).
    TouTariff internal tariff;
    bool internal hasTariff;
    /// Owner of each meter (grouped by owner, DESIGN.md §4): meter m → participant m unless a test sets
    /// `ownersOverride` before `_setUpCommunity`.
    uint32[] internal meterOwners;
    uint32[] internal ownersOverride;
    /// The meters as registered at open (what the open transaction's calldata lists).
    Meter[] internal registered;
    /// The meters of the community `_openConfig` opened last.
    Meter[] internal lastOpened;
    /// Whether `_commit` gives each interval leaf the entries root the node gives it (DESIGN.md §4: the
    /// `StepEntries` root of the claimed step in a Totals or Mmr community, zero in an auction). Off, every
    /// leaf's entries root is zero (no dispute reads it yet); on for the replays of TypeScript's windows.
    bool internal nodeEntriesRoots;

    /// @dev One window's data as a claimant commits it. `states[t]` is the state committed at leaf t.
    struct Commit {
        bytes[][] enc;
        bytes[][] sig;
        bytes32[][] slotLeaves;
        /// Running sums per (t, m) (meter m → owner m here) and the meter leaves over them.
        uint64[][] accE;
        uint64[][] accI;
        bytes32[][] meterLeaves;
        /// E_t packed (`EnergyVector`) and its hash.
        bytes[] energies;
        bytes32[] readingsRoots;
        ParticipantState[][] states;
        /// Per interval, the leaf's entries root (empty: all zero; `nodeEntriesRoots`).
        bytes32[] entriesRoots;
        bytes32[] leaves;
        bytes32 root;
    }

    function _setUpCommunity(uint8 scheme) internal {
        _setUpCommunity(scheme, MarketKind.Mmr);
    }

    /// @dev The community with market `kind`; an auction's participant i bids 120 + 15·i and asks 60 + 12·i
    /// per kWh (some bids below some asks, so the merit order and the grid caps both bind).
    function _setUpCommunity(uint8 scheme, MarketKind kind) internal {
        _setUpCommunity(scheme, MarketParams(kind, 250, 50, 0, bytes32(0), bytes32(0)));
    }

    /// @dev The community with market `kind` under time-of-use tariff `t`: committed by its hash, with its
    /// ceilings as the flat prices (what an honest node checks before it joins).
    function _setUpTouCommunity(uint8 scheme, MarketKind kind, TouTariff memory t) internal {
        tariff = t;
        hasTariff = true;
        (uint128 maxBuy, uint128 maxSell) = Tariff.ceilings(t);
        _setUpCommunity(scheme, MarketParams(kind, maxBuy, maxSell, 0, bytes32(0), Tariff.hash(t)));
    }

    /// @dev A tariff whose every hour differs, weekday from weekend, at UTC+1: W = 96 intervals of 15 min
    /// from START (1970-01-12 13:46:40 UTC, a Monday) cover 24 local hours (TypeScript's `DISPUTE_TARIFF`).
    function _touTariff() internal pure returns (TouTariff memory t) {
        t.utcOffsetMinutes = 60;
        for (uint256 h; h < 24; ++h) {
            // forge-lint: disable-start(unsafe-typecast)
            t.weekdayBuy[h] = uint128(130 + 10 * (h % 12));
            t.weekdaySell[h] = uint128(40 + 8 * (h % 9));
            t.weekendBuy[h] = uint128(260 - 5 * h);
            t.weekendSell[h] = uint128(30 + h);
            // forge-lint: disable-end(unsafe-typecast)
        }
    }

    /// @dev The community with `market` (an auction's limits hash filled in here).
    function _setUpCommunity(uint8 scheme, MarketParams memory market) internal {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        publicKeys = vm.parseJsonBytesArray(json, ".publicKeys");
        present = vm.parseJsonBoolArray(json, ".present");
        exportWh = vm.parseJsonUintArray(json, ".exportWh");
        importWh = vm.parseJsonUintArray(json, ".importWh");
        signatures = vm.parseJsonBytesArray(json, ".signatures");
        equivocating.encoded = vm.parseJsonBytes(json, ".equivocation.encoded");
        equivocating.signature = vm.parseJsonBytes(json, ".equivocation.signature");
        eqMeter = uint32(vm.parseJsonUint(json, ".equivocation.meter"));
        eqInterval = uint32(vm.parseJsonUint(json, ".equivocation.interval"));

        delete meterOwners;
        for (uint256 m = 0; m < M; ++m) {
            // forge-lint: disable-next-line(unsafe-typecast)
            meterOwners.push(ownersOverride.length == M ? ownersOverride[m] : uint32(m));
        }
        _deployModules();
        // The readings are bound to HUB: run the hub's (linked) creation code there, like deployCodeTo.
        vm.etch(HUB, abi.encodePacked(type(Hub).creationCode, abi.encode(_allowList())));
        (bool ok, bytes memory runtime) = HUB.call("");
        require(ok, "hub constructor");
        vm.etch(HUB, runtime);
        hub = Hub(HUB);
        token = new CommunityToken("Community", "CT", address(this));
        // The test itself posts claims: it pays their claim deposits (review R9).
        token.mint(address(this), 1e30);
        token.approve(HUB, type(uint256).max);
        for (uint256 i = 0; i < N; ++i) {
            uint256 pk = uint256(keccak256(abi.encode("dispute-node", i)));
            keys.push(pk);
            nodes.push(vm.addr(pk));
            token.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            token.approve(HUB, type(uint256).max);
        }
        vm.warp(START);
        if (market.kind == MarketKind.Auction) {
            for (uint256 i = 0; i < N; ++i) {
                limits.push(LimitPrices(uint128(120 + 15 * i), uint128(60 + 12 * i)));
            }
            market.limitsHash = LimitsHash.hash(limits);
        }
        book.recordGenesis(nodes, ESCROW);
        Meter[] memory ms = _withOwners(ConfigBuilder.meters(publicKeys, scheme));
        delete registered;
        for (uint256 m = 0; m < ms.length; ++m) {
            registered.push(ms[m]);
        }
        CommunityConfig memory config = ConfigBuilder.build(
            nodes, ms, Schedule(INTERVAL, W, START, 2, CHALLENGE), market, token, BOND, ESCROW, _modules(market.kind)
        );
        if (openTogether) {
            id = _openTogetherAt(OpenCodec.encode(config));
            return;
        }
        id = hub.open(OpenCodec.encode(config));
        for (uint256 i = 0; i < N; ++i) {
            _join(id, i);
        }
    }

    /// @dev Set before `_setUpCommunity`: the community opens together (`Hub.openTogether`, every node's consent,
    /// no join) instead of `open` and N joins; same hub address and id, so the vectors' readings hold.
    bool internal openTogether;

    function _openTogetherAt(OpenConfig memory packed) internal returns (uint64) {
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = _consentDigest(HUB, packed, deadline);
        bytes memory consents;
        for (uint256 i = 0; i < N; ++i) {
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], digest);
            consents = bytes.concat(consents, r, vs);
        }
        return hub.openTogether(packed, deadline, consents);
    }

    function _withOwners(Meter[] memory ms) internal view returns (Meter[] memory) {
        for (uint256 m = 0; m < ms.length; ++m) {
            ms[m].owner = meterOwners[m];
        }
        return ms;
    }

    /// @dev Opens `config` and records its genesis balances (`book`) for the joins and claims.
    function _openConfig(CommunityConfig memory config) internal returns (uint64) {
        book.recordGenesis(config.participants, config.escrow);
        delete lastOpened;
        for (uint256 k = 0; k < config.meters.length; ++k) {
            lastOpened.push(config.meters[k]);
        }
        return hub.open(OpenCodec.encode(config));
    }

    /// @dev Participant i joins community `cid` with its genesis proof (ECDSA: no key data).
    function _join(uint64 cid, uint256 i) internal {
        bytes32[] memory proof = book.genesisProof(hub, cid, i);
        vm.prank(nodes[i]);
        hub.join(cid, i, proof, "");
    }

    /// @dev The honest balancesRoot of window `w` of `cid` with final state `state` (from what is final).
    function _balancesRoot(uint64 cid, uint32 w, ParticipantState[] memory state) internal returns (bytes32) {
        return book.nextOf(hub, cid, w, state);
    }

    // ------------------------------------------------------------------ readings

    function _reading(uint256 m, uint256 t, uint256 e, uint256 i) internal view returns (bytes memory) {
        return ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id, uint32(m), uint32(t), uint32(e), uint32(i)));
    }

    /// @dev The honest slot (m, t) of window 0: the signed reading, or empty bytes when absent.
    function _slot(uint256 m, uint256 t) internal view returns (bytes memory enc, bytes memory sig) {
        uint256 k = t * M + m;
        if (!present[k]) return ("", "");
        return (_reading(m, t, exportWh[k], importWh[k]), signatures[k]);
    }

    function _signed(uint256 m, uint256 t) internal view returns (SignedReading memory s) {
        (s.encoded, s.signature) = _slot(m, t);
    }

    // ------------------------------------------------------------------ commitment builder

    /// @dev The honest readings of window 0, not yet folded.
    function _honestInputs() internal view returns (Commit memory c) {
        c.enc = new bytes[][](W);
        c.sig = new bytes[][](W);
        for (uint256 t = 0; t < W; ++t) {
            c.enc[t] = new bytes[](M);
            c.sig[t] = new bytes[](M);
            for (uint256 m = 0; m < M; ++m) {
                (c.enc[t][m], c.sig[t][m]) = _slot(m, t);
            }
        }
    }

    /// @dev Folds F from S_0 = zeros over `c.enc` from position `from` on (earlier states kept), then
    /// commits: slot leaves, readings roots, interval leaves, window root.
    function _fold(Commit memory c, uint256 from) internal view returns (Commit memory) {
        if (c.states.length == 0) c.states = new ParticipantState[][](W);
        MarketParams memory p = hub.community(id).market;
        uint32[] memory owners = meterOwners;
        ParticipantState[] memory s = from == 0 ? Market.emptyState(N) : c.states[from - 1];
        LimitPrices[] memory l = limits;
        for (uint256 t = from; t < W; ++t) {
            // The prices in force for interval t (window 0: interval t starts at START + t·INTERVAL).
            if (hasTariff) p = Tariff.paramsAt(hub.community(id).market, tariff, uint256(START) + t * INTERVAL);
            s = p.kind == MarketKind.Auction
                ? Auction.step(
                    AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh), s, owners, _energy(c, t), l
                )
                : Market.step(p, s, owners, _energy(c, t));
            c.states[t] = s;
        }
        return _commit(c);
    }

    function _energy(Commit memory c, uint256 t) internal pure returns (MeterEnergy[] memory r) {
        r = new MeterEnergy[](M);
        for (uint256 m = 0; m < M; ++m) {
            bytes memory e = c.enc[t][m];
            if (e.length == 0) continue;
            uint32 ex;
            uint32 im;
            assembly {
                ex := shr(224, mload(add(e, 94)))
                im := shr(224, mload(add(e, 98)))
            }
            r[m] = MeterEnergy(true, ex, im);
        }
    }

    /// @dev Commits `c` (slots, states) as the node does (DESIGN.md §4): slot leaves, running sums over
    /// `meterOwners` (a slot that does not decode counts as zero energy), meter leaves, readings roots, E_t,
    /// interval leaves, window root. Tests that tamper with the sums or E_t set them after this and call
    /// `_recommit`.
    function _commit(Commit memory c) internal view returns (Commit memory) {
        uint32[] memory owners = meterOwners;
        c.slotLeaves = new bytes32[][](W);
        c.accE = new uint64[][](W);
        c.accI = new uint64[][](W);
        c.energies = new bytes[](W);
        for (uint256 t = 0; t < W; ++t) {
            c.slotLeaves[t] = new bytes32[](M);
            c.accE[t] = new uint64[](M);
            c.accI[t] = new uint64[](M);
            uint256[] memory ex = new uint256[](N);
            uint256[] memory im = new uint256[](N);
            for (uint256 m = 0; m < M; ++m) {
                c.slotLeaves[t][m] = WindowCommitment.slotLeaf(c.enc[t][m], c.sig[t][m]);
                (, uint64 e, uint64 i) = WindowCommitment.slotEnergy(SignedReading(c.enc[t][m], c.sig[t][m]));
                if (m > 0 && owners[m - 1] == owners[m]) {
                    e += c.accE[t][m - 1];
                    i += c.accI[t][m - 1];
                }
                c.accE[t][m] = e;
                c.accI[t][m] = i;
                ex[owners[m]] = e;
                im[owners[m]] = i;
            }
            c.energies[t] = EnergyVector.pack(ex, im);
        }
        c.entriesRoots = nodeEntriesRoots ? _entriesRoots(c) : new bytes32[](0);
        return _recommit(c);
    }

    /// @dev Leaf t's entries root in `c` (zero unless `nodeEntriesRoots` filled them).
    function _entriesRoot(Commit memory c, uint256 t) internal pure returns (bytes32) {
        return t < c.entriesRoots.length ? c.entriesRoots[t] : bytes32(0);
    }

    /// @dev The entries root of each committed step as the node computes it: the `StepEntries` entries of
    /// (S_{t−1}, E_t) as committed (S_{−1} = zeros), each entry's state the committed S_t[j]; zero in an
    /// auction community (no one-participant step).
    function _entriesRoots(Commit memory c) internal view returns (bytes32[] memory roots) {
        roots = new bytes32[](W);
        if (hub.community(id).market.kind == MarketKind.Auction) return roots;
        for (uint256 t = 0; t < W; ++t) {
            roots[t] = StepEntries.root(_entries(c, t));
        }
    }

    /// @dev The market in force at position t of window 0 (the tariff's hour when `hasTariff`).
    function _marketAt(uint256 t) internal view returns (MarketParams memory p) {
        p = hub.community(id).market;
        if (hasTariff) p = Tariff.paramsAt(p, tariff, uint256(START) + t * INTERVAL);
    }

    /// @dev Step t's entries as the node commits them: `StepEntries.entries` of (S_{t−1}, E_t) as committed
    /// (S_{−1} = zeros), each entry's state the committed S_t[j].
    function _entries(Commit memory c, uint256 t) internal view returns (StepEntry[] memory es) {
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(c.energies[t]);
        es = StepEntries.entries(_marketAt(t), t == 0 ? Market.emptyState(N) : c.states[t - 1], ex, im);
        for (uint256 j = 0; j < N; ++j) {
            es[j].state = c.states[t][j];
        }
    }

    /// @dev Entry j of `es` with its canonical path.
    function _entryOpening(StepEntry[] memory es, uint256 j) internal pure virtual returns (EntryOpening memory o) {
        bytes32[] memory leaves = new bytes32[](es.length);
        for (uint256 i = 0; i < es.length; ++i) {
            leaves[i] = StepEntries.leaf(es[i]);
        }
        o.entry = es[j];
        o.path = _proof(leaves, j);
    }

    /// @dev A BadEntry proof of participant j's step at position t of `c`, its entries as `_entries` gives
    /// them (a test that commits other entries builds the proof from those with `_entryProofOf`).
    function _entryProof(Commit memory c, uint256 t, uint32 j) internal view returns (EntryProof memory) {
        return _entryProofOf(c, t, j, _entries(c, t), t > 0 ? _entries(c, t - 1) : new StepEntry[](0));
    }

    /// @dev A BadEntry proof of participant j at position t from step t's entries `es` and step t−1's `prevEs`
    /// (as committed under the two leaves' entries roots).
    function _entryProofOf(Commit memory c, uint256 t, uint32 j, StepEntry[] memory es, StepEntry[] memory prevEs)
        internal
        view
        returns (EntryProof memory p)
    {
        p.participant = j;
        p.current = _intervalProof(c, t);
        p.entry = _entryOpening(es, j);
        if (j > 0) p.before = _entryOpening(es, j - 1);
        if (j + 1 < N) p.last = _entryOpening(es, N - 1);
        if (t > 0) {
            p.previous = _intervalProof(c, t - 1);
            p.previousEntry = _entryOpening(prevEs, j);
        }
        if (hasTariff) p.tariff = abi.encode(tariff);
    }

    /// @dev Participant j's leaf in the state tree of `s` (`PackedState.leaf`) and its canonical path.
    function _stateOpening(ParticipantState[] memory s, uint256 j)
        internal
        pure
        returns (bytes32 leaf, bytes32[] memory path)
    {
        bytes32[] memory leaves = new bytes32[](s.length);
        for (uint256 i = 0; i < s.length; ++i) {
            leaves[i] = PackedState.leaf(s[i]);
        }
        (leaf, path) = (leaves[j], _proof(leaves, j));
    }

    /// @dev A StateEntry proof of participant j at position t of `c`: leaf t, entry j of `es` (the entries leaf t
    /// commits) and the committed S_t[j]'s leaf with its path.
    function _stateEntryProof(Commit memory c, uint256 t, uint32 j, StepEntry[] memory es)
        internal
        pure
        returns (StateEntryProof memory p)
    {
        p.participant = j;
        p.leaf = _intervalProof(c, t);
        p.entry = _entryOpening(es, j);
        (p.stateLeaf, p.statePath) = _stateOpening(c.states[t], j);
    }

    /// @dev Rebuilds the meter leaves, roots and leaves from `c`'s slot leaves, sums, energies and states.
    function _recommit(Commit memory c) internal pure returns (Commit memory) {
        c.meterLeaves = new bytes32[][](W);
        c.readingsRoots = new bytes32[](W);
        c.leaves = new bytes32[](W);
        for (uint256 t = 0; t < W; ++t) {
            c.meterLeaves[t] = new bytes32[](M);
            for (uint256 m = 0; m < M; ++m) {
                c.meterLeaves[t][m] = WindowCommitment.meterLeaf(c.slotLeaves[t][m], c.accE[t][m], c.accI[t][m]);
            }
            c.readingsRoots[t] = MerkleTree.root(c.meterLeaves[t]);
            c.leaves[t] = WindowCommitment.intervalLeaf(
                uint32(t), c.readingsRoots[t], keccak256(c.energies[t]), StateHash.hash(c.states[t]), _entriesRoot(c, t)
            );
        }
        c.root = MerkleTree.root(c.leaves);
        return c;
    }

    /// @dev A claimant inflating meter m's running sum at interval t by `wh` exported (and every later sum of
    /// the same owner, its E_t entry, and the states folded from that E_t on): every commitment agrees with
    /// the inflated sum except meter m's own accumulation.
    function _inflate(Commit memory c, uint256 t, uint256 m, uint64 wh) internal view returns (Commit memory) {
        uint32 owner = meterOwners[m];
        for (uint256 k = m; k < M && meterOwners[k] == owner; ++k) {
            c.accE[t][k] += wh;
        }
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(c.energies[t]);
        ex[owner] += wh;
        c.energies[t] = EnergyVector.pack(ex, im);
        _foldEnergies(c, t);
        return _recommit(c);
    }

    /// @dev Refolds the states from position `from` on from the committed energy vectors (`c.energies`).
    function _foldEnergies(Commit memory c, uint256 from) internal view {
        MarketParams memory p = hub.community(id).market;
        ParticipantState[] memory s = from == 0 ? Market.emptyState(N) : c.states[from - 1];
        for (uint256 t = from; t < W; ++t) {
            if (hasTariff) p = Tariff.paramsAt(hub.community(id).market, tariff, uint256(START) + t * INTERVAL);
            (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(c.energies[t]);
            s = p.kind == MarketKind.Auction
                ? Auction.stepEnergy(
                    AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh), s, ex, im, limits
                )
                : Market.stepEnergy(p, s, ex, im);
            c.states[t] = s;
        }
    }

    /// @dev Meter m's leaf of interval t, opened under its readings root (a canonical depth(M) path).
    function _opening(Commit memory c, uint256 m, uint256 t) internal pure returns (MeterLeafOpening memory o) {
        o.meterIndex = uint32(m);
        o.slotLeaf = c.slotLeaves[t][m];
        o.accExportWh = c.accE[t][m];
        o.accImportWh = c.accI[t][m];
        o.path = _proof(c.meterLeaves[t], m);
    }

    /// @dev Meter m's record as registered, opened under the community's meter root (a depth(M) path).
    function _record(uint256 m) internal view returns (MeterRecordOpening memory) {
        return MeterRecords.opening(registered, m);
    }

    /// @dev Meter m's record of the community `_openConfig` opened last.
    function _lastRecord(uint256 m) internal view returns (MeterRecordOpening memory) {
        return MeterRecords.opening(lastOpened, m);
    }

    function _honest() internal view returns (Commit memory) {
        return _fold(_honestInputs(), 0);
    }

    /// @dev Siblings of `index` bottom-up in the zero-padded tree over `leaves` (MerkleTree.root's shape).
    function _proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = MerkleTree.depth(leaves.length);
        uint256 width = uint256(1) << depth;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = leaves[i];
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

    /// @dev `o` renamed to meter index `k` (its path unchanged): an opening that proves nothing at `k`.
    function _atIndex(MeterLeafOpening memory o, uint32 k) internal pure returns (MeterLeafOpening memory) {
        o.meterIndex = k;
        return o;
    }

    /// @dev A BadEnergy Accumulation proof of meter m at interval t of `c` (with meter m−1's leaf).
    function _accumulationProof(Commit memory c, uint256 m, uint256 t) internal view returns (bytes memory) {
        EnergyProof memory p;
        p.fault = EnergyFault.Accumulation;
        p.leaf = _intervalProof(c, t);
        p.slot = _committed(c, m, t);
        p.current = _opening(c, m, t);
        p.meter = _record(m);
        if (m > 0) {
            p.previous = _opening(c, m - 1, t);
            p.previousMeter = _record(m - 1);
        }
        return abi.encode(p);
    }

    /// @dev A BadEnergy Total proof of participant j at interval t of `c`, at meter index k.
    function _totalProof(Commit memory c, uint32 j, uint256 k, uint256 t) internal view returns (bytes memory) {
        EnergyProof memory p;
        p.fault = EnergyFault.Total;
        p.leaf = _intervalProof(c, t);
        p.participant = j;
        p.energy = c.energies[t];
        if (k < M) {
            p.current = _opening(c, k, t);
            p.meter = _record(k);
        } else {
            p.current.meterIndex = uint32(k);
        }
        if (k > 0 && k <= M) p.previousMeter = _record(k - 1);
        if (k + 1 < M) p.nextMeter = _record(k + 1);
        return abi.encode(p);
    }

    function _intervalProof(Commit memory c, uint256 t) internal pure returns (IntervalProof memory p) {
        p.position = uint32(t);
        p.interval = uint32(t);
        p.readingsRoot = c.readingsRoots[t];
        p.energyHash = keccak256(c.energies[t]);
        p.stateHash = StateHash.hash(c.states[t]);
        p.entriesRoot = _entriesRoot(c, t);
        p.proof = _proof(c.leaves, t);
    }

    function _committed(Commit memory c, uint256 m, uint256 t) internal pure returns (SignedReading memory s) {
        s.encoded = c.enc[t][m];
        s.signature = c.sig[t][m];
    }

    function _stepProof(Commit memory c, uint256 t) internal view returns (StepProof memory p) {
        if (t > 0) {
            p.previous = _intervalProof(c, t - 1);
            p.prevState = PackedState.pack(c.states[t - 1]);
        }
        p.current = _intervalProof(c, t);
        p.energy = c.energies[t];
        p.limits = PackedLimits.pack(limits);
        if (hasTariff) p.tariff = abi.encode(tariff);
    }

    // ------------------------------------------------------------------ claims and money

    /// @dev The honest fold with step `t` moving `amount` tokens from participant 1 to participant 0, the
    /// later steps folded on honestly from the wrong state.
    function _wrongAt(uint256 t, int256 amount) internal view returns (Commit memory c) {
        c = _fold(_honestInputs(), 0);
        c.states[t][0].net += amount;
        c.states[t][1].net -= amount;
        c = _fold(c, t + 1);
    }

    /// @dev Claims `c` for window 0, signed by participants 0, 1, 2 (pending).
    function _claimBy012(Commit memory c) internal {
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending));
    }

    function _signers(uint256 from, uint256 to) internal pure returns (uint256[] memory who) {
        who = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) {
            who[i - from] = i;
        }
    }

    /// @dev Submits `c` with final state `finalState` for window `w`, signed by participants `who`, with
    /// the honest balancesRoot of `finalState` (from what is final on chain).
    function _claim(uint32 w, bytes32 root, ParticipantState[] memory finalState, uint256[] memory who) internal {
        _claimWith(w, root, _recordState(finalState), book.nextOf(hub, id, w, finalState), who);
    }

    /// stateHash → the packed state `_recordState` saw: what a partial claim of that stateHash posts
    /// (review 3, B1).
    mapping(bytes32 => bytes) internal packedStates;

    /// @dev Remembers `state` packed under its hash (what a partial claim of that stateHash posts); returns it.
    function _recordState(ParticipantState[] memory state) internal returns (bytes32 stateHash) {
        stateHash = StateHash.hash(state);
        packedStates[stateHash] = ConfigBuilder.finalState(state, false);
    }

    /// @dev Submits the claim (w, root, stateHash, balancesRoot) signed by participants `who`; a partial
    /// claim carries the packed state recorded under `stateHash` (none recorded: empty, which `update`
    /// refuses).
    function _claimWith(uint32 w, bytes32 root, bytes32 stateHash, bytes32 balancesRoot, uint256[] memory who)
        internal
    {
        uint256 end = uint256(START) + (uint256(w) + 1) * W * INTERVAL;
        if (block.timestamp < end) vm.warp(end);
        _noteClaim(w, root, stateHash, balancesRoot);
        bytes32 digest = _resultDigest(HUB, id, w, root, stateHash, balancesRoot);
        bytes[] memory sigs = new bytes[](who.length);
        for (uint256 i = 0; i < who.length; ++i) {
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[who[i]], digest);
            // forge-lint: disable-next-line(unsafe-typecast)
            sigs[i] = abi.encodePacked(uint8(who[i]), r, vs);
        }
        bytes memory finalState = who.length == N ? bytes("") : packedStates[stateHash];
        hub.update(id, w, root, stateHash, balancesRoot, finalState, _pack(sigs));
    }

    // ------------------------------------------------------------------ disputes (commit, then reveal)

    /// @dev `who` commits to the dispute now; it can be revealed from the next block.
    function _commit(address who, uint64 cid, uint32 w, DisputeKind kind, bytes memory proof) internal {
        vm.prank(who);
        hub.commitDispute(keccak256(abi.encode(who, cid, w, kind, keccak256(proof))));
    }

    /// @dev The pending claim of window `w` (zeros when none): what a dispute names.
    function _pendingClaim(uint64 cid, uint32 w)
        internal
        view
        returns (bytes32 root, bytes32 stateHash, bytes32 balancesRoot)
    {
        WindowRecord memory r = hub.windowRecord(cid, w);
        if (r.status == WindowStatus.Pending) return (r.windowRoot, r.stateHash, r.balancesRoot);
    }

    /// @dev The challenger commits, a block passes, and it reveals against window 0's pending claim
    /// (or, for an equivocation, no claim); `err` non-empty: the reveal must revert with it.
    function _disputeReverts(bytes memory err, DisputeKind kind, bytes memory proof) internal {
        _disputeOn(challenger, id, 0, kind, proof, err);
    }

    /// @dev Like `_disputeReverts`, naming the claim (window 0, root, stateHash) explicitly.
    function _disputeClaimReverts(
        bytes memory err,
        bytes32 root,
        bytes32 stateHash,
        DisputeKind kind,
        bytes memory proof
    ) internal {
        bytes32 balancesRoot = _claimedBalances(0, root, stateHash);
        _commit(challenger, id, 0, kind, proof);
        vm.roll(block.number + 1);
        vm.expectRevert(err);
        vm.prank(challenger);
        hub.dispute(id, 0, root, stateHash, balancesRoot, kind, proof);
    }

    function _disputeOn(address who, uint64 cid, uint32 w, DisputeKind kind, bytes memory proof, bytes memory err)
        internal
    {
        (bytes32 root, bytes32 stateHash, bytes32 balancesRoot) =
            kind == DisputeKind.Equivocation ? (bytes32(0), bytes32(0), bytes32(0)) : _pendingClaim(cid, w);
        _commit(who, cid, w, kind, proof);
        vm.roll(block.number + 1);
        if (err.length > 0) vm.expectRevert(err);
        vm.prank(who);
        hub.dispute(cid, w, root, stateHash, balancesRoot, kind, proof);
    }

    /// @dev Reveals `proof` against the pending claim; it must be proven fraud: claim gone, signers 0..2
    /// slashed, money conserved. `gasName` non-empty: the reveal's gas into snapshots/Dispute.json.
    function _proven(DisputeKind kind, bytes memory proof, string memory gasName) internal {
        _dispute(kind, proof, gasName);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "signer slashed");
        }
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// @dev The challenger commits, a block passes, and it reveals `proof` against window 0's pending claim (an
    /// equivocation: no claim), as a transaction would: the calldata encoded before the call and the hub and its
    /// modules cold. `gasName` non-empty: the reveal's execution gas and its transaction's gas (EIP-7623 floor)
    /// into snapshots/Dispute.json, the latter below the per-transaction cap.
    function _dispute(DisputeKind kind, bytes memory proof, string memory gasName) internal {
        _disputeIn("Dispute", kind, proof, gasName);
    }

    /// @dev `_dispute`, its figures recorded in snapshots/`group`.json (with the calldata's size in bytes).
    function _disputeIn(string memory group, DisputeKind kind, bytes memory proof, string memory gasName) internal {
        (bytes32 root, bytes32 stateHash, bytes32 balancesRoot) =
            kind == DisputeKind.Equivocation ? (bytes32(0), bytes32(0), bytes32(0)) : _pendingClaim(id, 0);
        bytes memory data = abi.encodeCall(hub.dispute, (id, 0, root, stateHash, balancesRoot, kind, proof));
        _commit(challenger, id, 0, kind, proof);
        vm.roll(block.number + 1);
        vm.cool(address(hub));
        vm.cool(address(verifierModule));
        vm.cool(address(ed25519Module));
        vm.cool(address(mmrModule));
        vm.cool(address(auctionModule));
        vm.prank(challenger);
        (bool ok, bytes memory ret) = address(hub).call(data);
        // The call frame's own gas: not the test's memory expansion around it (a transaction starts empty).
        uint256 used = vm.lastCallGas().gasTotalUsed;
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        if (bytes(gasName).length > 0) {
            uint256 txGas = transactionGas(data, used);
            vm.snapshotValue(group, gasName, used);
            vm.snapshotValue(group, string.concat(gasName, "_txGas"), txGas);
            vm.snapshotValue(group, string.concat(gasName, "_calldataBytes"), data.length);
            assertLt(txGas, TX_GAS_CAP);
        }
    }

    /// @dev The claim hash of the claim (w, root, stateHash) the fixture posted (with its balancesRoot).
    function _claimHash(uint32 w, bytes32 root, bytes32 stateHash) internal view returns (bytes32) {
        return hub.claimHash(w, root, stateHash, _claimedBalances(w, root, stateHash));
    }

    /// @dev A partial claim's deposit, forfeited (shared out like a slash) when it is rejected (review R9).
    function _claimDeposit() internal view returns (uint256) {
        return uint256(BOND) * hub.CLAIM_DEPOSIT_BPS() / 10_000;
    }

    /// @dev Token units the hub owes: the root's escrow (N · ESCROW: the reaction only moves it between
    /// members), Σ on-chain bond and credit of the community, the withdrawable balances of everyone here,
    /// and the deposits `_depositsHeld` counts.
    function _liabilities() internal view returns (uint256 sum) {
        sum = N * uint256(ESCROW);
        for (uint256 i = 0; i < N; ++i) {
            (uint256 bond, uint256 credit,,,) = hub.member(id, i);
            sum += bond + credit + hub.withdrawable(token, nodes[i]);
        }
        bool participant;
        for (uint256 i = 0; i < N; ++i) {
            if (nodes[i] == challenger) participant = true;
        }
        if (!participant) sum += hub.withdrawable(token, challenger);
        sum += _depositsHeld(hub, token, id);
    }
}
