// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PackedState} from "../../src/libraries/PackedState.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Hub} from "../../src/Hub.sol";
import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {CommunityConfig, CommunityModules, Meter, WindowStatus} from "../../src/types/Community.sol";
import {EntryReveal, GameAction, GameMove, MeterReveal, PublishedStep} from "../../src/types/Game.sol";
import {StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {EntryOpening, IntervalProof, MeterLeafOpening, SignedReading} from "../../src/types/Dispute.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {BalanceBook} from "../utils/BalanceBook.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {ConfigBuilder} from "../utils/ConfigBuilder.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Plays the data-availability game (DESIGN.md §5.4) against a hub with random moves and
/// timeouts: claims whose data is held (honest: every other window's leaves commit step entries, so the game
/// goes through the entries level, s19), withheld (a random root), or R1-style (well-formed
/// leaves over readings roots and states nobody can open: the claimant side answers every reveal, can
/// publish step 0 only (its E_t is true, S_{-1} needs no preimage) and then cannot answer the meter
/// level), signed by 1..N-1 of 4 participants with M = 3 meters (owners 0, 0, 2: four readings-tree
/// leaves, one of them padding); challenges by outsiders and participants; reveals, picks (random
/// sides, at every level), publications, entry and meter openings (garbage ones too), concessions, resolutions
/// and time jumps. Two honest parties always move in time before any jump: the honest claimant side
/// answers every game against an honest claim (publishing the step's data, opening the meter picked),
/// and an honest watcher challenges every other claim (as late as it safely can) and plays its game to
/// the end.
contract GameHandler is HandlerBase {
    uint256 internal constant N = 4;
    uint256 internal constant M = 3;
    uint32 internal constant INTERVAL = 900;
    uint32 internal constant W = 12;
    uint32 internal constant WINDOWS = 40;
    uint32 internal constant CHALLENGE = 4 hours;
    uint128 internal constant BOND = 1_000_000;
    uint128 internal constant ESCROW = 1_000_000_000;

    Hub public immutable hub;
    CommunityToken public immutable token;
    IDataAvailabilityGame public immutable game;
    uint64 public id;
    uint256[] internal keys;
    address[] public actors;
    address[] public challengers;
    address public watcher;

    /// The pending claim (if any) and its data.
    bytes32 public claim;
    uint32 public claimWindow;
    bool public claimHonest;
    /// The claim's leaves are well formed over unopenable contents (review R1): its claimant answers reveals.
    bool public claimR1;
    bytes32[] internal leaves;
    /// Per position of an honest claim: its readingsRoot (M = 3 absent slots) and packed S_t; every
    /// interval's meter leaves and E_t (zeros).
    bytes32[] internal readingsRoots;
    bytes32[] internal meterLeaves;
    bytes internal energy;
    bytes32[] internal stateHashes;
    bytes[] internal packedStates;
    /// The honest claim's leaves commit step entries (its game plays the entries level) and their roots.
    bool public claimEntries;
    bytes32[] internal entriesRoots;

    /// Open games (all against `gamesClaim`, the last claim posted): their challengers.
    address[] internal gameChallengers;
    bytes32 public gamesClaim;

    uint256 public ghostHonestRejected;
    uint256 public ghostWithheldFinal;
    uint256 public ghostOpenBonds;
    uint256 public ghostGames;
    uint256 public ghostClaimantLost;
    uint256 public ghostChallengerLost;
    uint256 public ghostVoid;
    /// Entries opened at the entries level (the honest claimant's `OpenEntry`, or a garbage one that passed).
    uint256 public ghostEntriesOpened;

    constructor(Hub hub_, CommunityToken token_, CommunityModules memory modules, BalanceBook book_) {
        book = book_;
        hub = hub_;
        token = token_;
        game = modules.game;
        for (uint256 i = 0; i < N; ++i) {
            keys.push(uint256(keccak256(abi.encode("game-actor", i))));
            actors.push(vm.addr(keys[i]));
        }
        watcher = makeAddr("watcher");
        challengers.push(makeAddr("griefer-1"));
        challengers.push(makeAddr("griefer-2"));
        challengers.push(actors[0]);
        challengers.push(actors[3]);
        CommunityConfig memory c;
        c.participants = actors;
        c.meters = new Meter[](M);
        for (uint256 k = 0; k < M; ++k) {
            c.meters[k] = Meter(hex"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", 0, _owner(k));
        }
        c.intervalSeconds = INTERVAL;
        c.windowIntervals = W;
        c.start = uint64(block.timestamp);
        c.windowCount = WINDOWS;
        c.market = MarketParams(MarketKind.Totals, 250, 50, 0, bytes32(0), bytes32(0));
        c.token = token_;
        c.bond = BOND;
        c.escrow = ESCROW;
        c.challengePeriod = CHALLENGE;
        c.modules = modules;
        book.recordGenesis(c.participants, c.escrow);
        id = hub_.open(OpenCodec.encode(c));
    }

    /// Every account that can hold tokens in the hub, once each (participants, griefers, watcher).
    function allActors() external view returns (address[] memory all) {
        all = new address[](N + 3);
        for (uint256 i = 0; i < N; ++i) {
            all[i] = actors[i];
        }
        all[N] = challengers[0];
        all[N + 1] = challengers[1];
        all[N + 2] = watcher;
    }

    function init() external {
        for (uint256 i = 0; i < N; ++i) {
            _joinAs(id, i, actors[i], "");
        }
    }

    // ------------------------------------------------------------------ helpers

    function _pendingWindow() internal view returns (bool pending, uint32 w) {
        w = hub.community(id).finalizedWindows;
        pending = w < WINDOWS && hub.windowRecord(id, w).status == WindowStatus.Pending;
    }

    function _node(uint8 height, uint256 index) internal view returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(W);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = leaves[i];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }

    /// @dev Meters grouped by owner: 0, 0, 2 (participants 1 and 3 have none).
    function _owner(uint256 k) internal pure returns (uint32) {
        return k < 2 ? 0 : 2;
    }

    function _meterNode(uint8 height, uint256 index) internal view returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(M);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < meterLeaves.length; ++i) {
            level[i] = meterLeaves[i];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }

    /// @dev The claimed S_p of an honest claim: participant 2 paid p + 1 by participant 3.
    function _states(uint256 p) internal pure returns (ParticipantState[] memory st) {
        st = new ParticipantState[](N);
        st[2].net = int256(p + 1);
        st[3].net = -int256(p + 1);
    }

    /// @dev Step p's entries as the honest claim commits them: each participant's claimed state, zero energy
    /// and zero running sums (every E_t is zero).
    function _entries(uint256 p) internal pure returns (StepEntry[] memory es) {
        es = new StepEntry[](N);
        ParticipantState[] memory st = _states(p);
        for (uint256 j = 0; j < N; ++j) {
            es[j].state = st[j];
        }
    }

    /// @dev Entry j of step p with its path under the step's entries root.
    function _entryOpening(uint256 p, uint256 j) internal pure returns (EntryOpening memory o) {
        StepEntry[] memory es = _entries(p);
        bytes32[] memory lv = new bytes32[](N);
        for (uint256 i = 0; i < N; ++i) {
            lv[i] = StepEntries.leaf(es[i]);
        }
        o.entry = es[j];
        o.path = new bytes32[](MerkleTree.depth(N));
        for (uint8 h = 0; h < o.path.length; ++h) {
            o.path[h] = _subtree(lv, h, (j >> h) ^ 1);
        }
    }

    /// @dev The node (`height`, `index`) of the zero-padded tree over `lv`.
    function _subtree(bytes32[] memory lv, uint8 height, uint256 index) internal pure returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(lv.length);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < lv.length; ++i) {
            level[i] = lv[i];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }

    /// @dev The claimant side's answer at the entries level of step p: both trees' children of (`height`,
    /// `index`), or at height 0 `OpenEntry` of participant `index`.
    function _entriesAnswer(address challenger, uint32 p, uint8 height, uint32 index)
        internal
        view
        returns (bytes memory)
    {
        StepEntry[] memory es = _entries(p);
        bytes32[] memory el = new bytes32[](N);
        bytes32[] memory sl = new bytes32[](N);
        for (uint256 i = 0; i < N; ++i) {
            el[i] = StepEntries.leaf(es[i]);
            sl[i] = PackedState.leaf(es[i].state);
        }
        if (height > 0) {
            GameMove memory m = _move(GameAction.Reveal, challenger);
            (m.left, m.right) =
            (_subtree(el, height - 1, 2 * uint256(index)), _subtree(el, height - 1, 2 * uint256(index) + 1));
            (m.stateLeft, m.stateRight) =
            (_subtree(sl, height - 1, 2 * uint256(index)), _subtree(sl, height - 1, 2 * uint256(index) + 1));
            return abi.encode(m);
        }
        EntryReveal memory r;
        r.entry = es[index];
        if (index > 0) r.before = _entryOpening(p, index - 1);
        if (p > 0) r.previousEntry = _entryOpening(p - 1, index);
        return abi.encode(_move(GameAction.OpenEntry, challenger), r);
    }

    /// @dev The claimant side's `OpenMeter` of meter k (absent slot, zero sums, meter k−1's leaf).
    function _openMeterMove(address challenger, uint32 k) internal view returns (bytes memory) {
        MeterReveal memory r;
        if (k > 0) {
            bytes32[] memory path = new bytes32[](MerkleTree.depth(M));
            for (uint8 h = 0; h < path.length; ++h) {
                path[h] = _meterNode(h, (uint256(k - 1) >> h) ^ 1);
            }
            r.previous = MeterLeafOpening(k - 1, WindowCommitment.ABSENT_LEAF, 0, 0, path);
        }
        return abi.encode(_move(GameAction.OpenMeter, challenger), r);
    }

    function _move(GameAction action, address challenger) internal view returns (GameMove memory m) {
        m.action = action;
        m.claim = action == GameAction.Challenge ? claim : gamesClaim;
        m.challenger = challenger;
    }

    /// @dev The claimant side's `Publish` of leaf `position` from the claim's data (E_t, leaf position-1
    /// with its path, S_{position-1} packed).
    function _publishMove(address challenger, uint32 position) internal view returns (bytes memory) {
        GameMove memory m = _move(GameAction.Publish, challenger);
        m.interval = claimWindow * W + position;
        m.readingsRoot = readingsRoots[position];
        m.energyHash = keccak256(energy);
        m.stateHash = stateHashes[position];
        m.entriesRoot = claimEntries ? entriesRoots[position] : bytes32(0);
        PublishedStep memory d;
        d.energy = energy;
        if (position > 0) {
            uint32 q = position - 1;
            bytes32[] memory proof = new bytes32[](MerkleTree.depth(W));
            for (uint8 h = 0; h < proof.length; ++h) {
                proof[h] = _node(h, (uint256(q) >> h) ^ 1);
            }
            d.previous = IntervalProof(
                q,
                claimWindow * W + q,
                readingsRoots[q],
                keccak256(energy),
                stateHashes[q],
                claimEntries ? entriesRoots[q] : bytes32(0),
                proof
            );
            if (!claimEntries) d.prevState = packedStates[q];
        }
        if (claimEntries) d.last = _entryOpening(position, N - 1);
        return abi.encode(m, d);
    }

    /// @dev Plays `m` as `who`; applies the ghost accounting of the outcome; false if it reverted.
    function _play(address who, GameMove memory m) internal returns (bool ok) {
        return _play(who, abi.encode(m), false);
    }

    /// @dev `_play` of raw move bytes (a GameMove head, followed by a `PublishedStep`, `EntryReveal` or
    /// `MeterReveal` for `Publish`, `OpenEntry` and `OpenMeter`).
    function _play(address who, bytes memory move, bool) internal returns (bool ok) {
        // The static GameMove head: abi.decode reads its thirteen words and ignores what follows.
        GameMove memory m = abi.decode(move, (GameMove));
        IDataAvailabilityGame.Game memory before = game.game(address(hub), game.gameId(id, m.claim, m.challenger));
        bool wasPending = hub.windowRecord(id, claimWindow).status == WindowStatus.Pending;
        vm.prank(who);
        try hub.playGame(id, claimWindow, move) {
            ok = true;
        } catch {
            return false;
        }
        IDataAvailabilityGame.Game memory afterwards = game.game(address(hub), game.gameId(id, m.claim, m.challenger));
        if (m.action == GameAction.OpenEntry) ++ghostEntriesOpened;
        if (m.action == GameAction.Challenge) {
            ghostOpenBonds += afterwards.bond;
            ++ghostGames;
            gameChallengers.push(who);
        } else if (afterwards.phase == IDataAvailabilityGame.Phase.None) {
            ghostOpenBonds -= before.bond;
            _forget(m.challenger);
            bool nowPending = hub.windowRecord(id, claimWindow).status == WindowStatus.Pending;
            if (wasPending && !nowPending) {
                ++ghostClaimantLost;
                if (claimHonest) ++ghostHonestRejected;
                claim = bytes32(0);
            } else if (m.claim != claim || !wasPending) {
                ++ghostVoid;
            } else {
                ++ghostChallengerLost;
            }
        }
    }

    function _hasGame(address challenger) internal view returns (bool) {
        for (uint256 i = 0; i < gameChallengers.length; ++i) {
            if (gameChallengers[i] == challenger) return true;
        }
        return false;
    }

    function _forget(address challenger) internal {
        for (uint256 i = 0; i < gameChallengers.length; ++i) {
            if (gameChallengers[i] == challenger) {
                gameChallengers[i] = gameChallengers[gameChallengers.length - 1];
                gameChallengers.pop();
                return;
            }
        }
    }

    /// @dev The honest parties move wherever it is their turn: the claimant side answers games against
    /// honest claims; the watcher picks (left) and resolves its game against a withheld claim.
    function _honestMoves() internal {
        // The watcher challenges a withheld claim as late as it safely can (the next jump may pass the
        // claim's deadline), so games outlive challenge periods.
        if (!claimHonest && claim != bytes32(0) && !_hasGame(watcher)) {
            uint256 deadline = uint256(hub.windowRecord(id, claimWindow).submittedAt) + CHALLENGE;
            if (block.timestamp < deadline && block.timestamp + 2 hours >= deadline) {
                _play(watcher, _move(GameAction.Challenge, watcher));
            }
        }
        // Both honest parties move at once wherever it is their turn, until neither can: a whole game
        // may be played out between two jumps.
        for (uint256 round = 0; round < 64 && _honestRound(); ++round) {}
    }

    /// @dev One move in every game where an honest party is to move; whether any was made.
    function _honestRound() internal returns (bool moved) {
        for (uint256 k = gameChallengers.length; k > 0; --k) {
            if (k > gameChallengers.length) continue;
            address ch = gameChallengers[k - 1];
            IDataAvailabilityGame.Game memory g = game.game(address(hub), game.gameId(id, gamesClaim, ch));
            if (g.phase == IDataAvailabilityGame.Phase.None) continue;
            if (block.timestamp > g.deadline) {
                moved = _play(actors[1], _move(GameAction.Resolve, ch)) || moved;
            } else if (
                claimHonest && g.phase == IDataAvailabilityGame.Phase.Reveal
                    && g.level == IDataAvailabilityGame.Level.Entries
            ) {
                moved = _play(actors[2], _entriesAnswer(ch, g.position, g.height, g.index), true) || moved;
            } else if ((claimHonest || claimR1) && g.phase == IDataAvailabilityGame.Phase.Reveal) {
                bool meterLevel = g.level == IDataAvailabilityGame.Level.Meter;
                if (meterLevel && g.height == 0) {
                    moved = _play(actors[2], _openMeterMove(ch, g.index), true) || moved;
                    continue;
                }
                GameMove memory m = _move(GameAction.Reveal, ch);
                if (meterLevel) {
                    // The R1 claimant answers from the honest readings tree: its readingsRoot has no preimage.
                    m.left = _meterNode(g.height - 1, 2 * uint256(g.index));
                    m.right = _meterNode(g.height - 1, 2 * uint256(g.index) + 1);
                } else if (g.height > 0) {
                    m.left = _node(g.height - 1, 2 * uint256(g.index));
                    m.right = _node(g.height - 1, 2 * uint256(g.index) + 1);
                } else {
                    m.interval = claimWindow * W + g.index;
                    m.readingsRoot = readingsRoots[g.index];
                    m.energyHash = keccak256(energy);
                    m.stateHash = stateHashes[g.index];
                    m.entriesRoot = claimEntries ? entriesRoots[g.index] : bytes32(0);
                }
                moved = _play(actors[2], m) || moved;
            } else if ((claimHonest || claimR1) && g.phase == IDataAvailabilityGame.Phase.Publish) {
                // The R1 claimant publishes what it has (the true E_t, a zero state): refused but at step 0.
                moved = _play(actors[2], _publishMove(ch, g.index), true) || moved;
            } else if (!claimHonest && ch == watcher && g.phase == IDataAvailabilityGame.Phase.Pick) {
                moved = _play(watcher, _move(GameAction.Pick, ch)) || moved;
            }
        }
    }

    // ------------------------------------------------------------------ moves

    /// Posts a claim for the next window signed by 1..N-1: `kind` % 3 = 0 withheld (a random root),
    /// 1 honest (openable data), 2 R1-style (well-formed leaves over unopenable contents).
    function post(uint8 kind, uint256 signerMask) external {
        (bool pending, uint32 w) = _pendingWindow();
        if (pending || w >= WINDOWS) return;
        uint256 end = uint256(hub.community(id).start) + (uint256(w) + 1) * W * INTERVAL;
        if (block.timestamp < end) vm.warp(end);
        signerMask = bound(signerMask, 1, 2 ** N - 2);
        kind %= 3;
        delete leaves;
        delete readingsRoots;
        delete stateHashes;
        delete packedStates;
        delete entriesRoots;
        // Every other honest claim commits step entries: its games play the entries level.
        bool withEntries = kind % 3 == 1 && w % 2 == 0;
        bytes32 root;
        if (kind == 0) {
            root = keccak256(abi.encode("withheld", w, block.timestamp));
        } else {
            uint32[] memory owners = new uint32[](M);
            for (uint256 k = 0; k < M; ++k) {
                owners[k] = _owner(k);
            }
            (meterLeaves, energy) = WindowCommitment.meterLeaves(new SignedReading[](M), owners, N);
            bytes32 rr = MerkleTree.root(meterLeaves);
            for (uint32 p = 0; p < W; ++p) {
                ParticipantState[] memory st = _states(p);
                bytes32 sh = StateHash.hash(st);
                entriesRoots.push(withEntries ? StepEntries.root(_entries(p)) : bytes32(0));
                if (kind == 2) {
                    rr = keccak256(abi.encode("no preimage: readings", w, p));
                    sh = keccak256(abi.encode("no preimage: state", w, p));
                }
                readingsRoots.push(rr);
                stateHashes.push(sh);
                packedStates.push(PackedState.pack(st));
                leaves.push(WindowCommitment.intervalLeaf(w * W + p, rr, keccak256(energy), sh, entriesRoots[p]));
            }
            root = MerkleTree.root(leaves);
        }
        bool honest = kind == 1;
        ParticipantState[] memory s = new ParticipantState[](N);
        s[0].net = -int256(uint256(signerMask));
        s[1].net = int256(uint256(signerMask));
        bytes32 bRoot1 = _balancesRoot(id, w, s);
        bytes32 digest = _resultDigest(id, w, root, StateHash.hash(s), bRoot1);
        bytes memory sigs = abi.encodePacked(uint256(signerMask));
        for (uint256 i = 0; i < N; ++i) {
            if (signerMask & (1 << i) == 0) continue;
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], digest);
            sigs = bytes.concat(sigs, r, vs);
        }
        // Games left against the previous claim end void (anyone may end them).
        while (gameChallengers.length > 0) {
            if (!_play(challengers[1], _move(GameAction.Resolve, gameChallengers[gameChallengers.length - 1]))) {
                break;
            }
        }
        if (gameChallengers.length > 0) return;
        // A signer short of bond (a timeout penalty) tops it up first: only whole bonds count (review R6).
        uint256 submitter = N;
        for (uint256 i = 0; i < N; ++i) {
            if (signerMask & (1 << i) == 0) continue;
            if (submitter == N) submitter = i;
            if (_bondOf(hub, id, i) == BOND) continue;
            vm.prank(actors[i]);
            hub.topUpBond(id);
        }
        // Its lowest signer posts it and pays the claim deposit (review R9).
        vm.prank(actors[submitter]);
        try hub.update(id, w, root, StateHash.hash(s), bRoot1, ConfigBuilder.finalStateOf(s, sigs), sigs) {
            claim = hub.claimHash(w, root, StateHash.hash(s), bRoot1);
            gamesClaim = claim;
            claimWindow = w;
            claimHonest = honest;
            claimR1 = kind == 2;
            claimEntries = withEntries;
        } catch {}
    }

    function challenge(uint256 who) external {
        if (claim == bytes32(0)) return;
        address ch = challengers[bound(who, 0, challengers.length - 1)];
        _play(ch, _move(GameAction.Challenge, ch));
    }

    /// A random (possibly wrong) reveal by anyone: it must fail unless it is the true answer.
    function revealGarbage(uint256 which, bytes32 left, bytes32 right) external {
        if (gameChallengers.length == 0) return;
        address ch = gameChallengers[bound(which, 0, gameChallengers.length - 1)];
        GameMove memory m = _move(GameAction.Reveal, ch);
        m.left = left;
        m.right = right;
        _play(challengers[0], m);
    }

    /// A random publication by anyone: a random energy vector and state, or the true data of another leaf;
    /// it must fail unless it is the true step's data.
    function publishGarbage(uint256 which, bytes32 seed, bool otherLeaf) external {
        if (gameChallengers.length == 0 || leaves.length == 0) return;
        address ch = gameChallengers[bound(which, 0, gameChallengers.length - 1)];
        IDataAvailabilityGame.Game memory g = game.game(address(hub), game.gameId(id, gamesClaim, ch));
        if (otherLeaf) {
            _play(challengers[0], _publishMove(ch, uint32(uint256(seed) % W)), true);
            return;
        }
        bytes memory move = _publishMove(ch, g.index);
        (GameMove memory m, PublishedStep memory d) = abi.decode(move, (GameMove, PublishedStep));
        d.energy = abi.encodePacked(seed, seed);
        d.prevState = abi.encodePacked(seed, seed);
        _play(challengers[0], abi.encode(m, d), true);
    }

    /// A random meter opening by anyone: a random slot and sums, or the true opening of another meter; it
    /// must fail unless it is the true opening of the meter the game reached.
    function openMeterGarbage(uint256 which, bytes32 seed, bool otherMeter) external {
        if (gameChallengers.length == 0 || leaves.length == 0) return;
        address ch = gameChallengers[bound(which, 0, gameChallengers.length - 1)];
        if (otherMeter) {
            _play(challengers[0], _openMeterMove(ch, uint32(uint256(seed) % M)), true);
            return;
        }
        MeterReveal memory r;
        r.slot = SignedReading(abi.encodePacked(seed), "");
        r.accExportWh = uint64(uint256(seed));
        _play(challengers[0], abi.encode(_move(GameAction.OpenMeter, ch), r), true);
    }

    /// A random entry opening by anyone: a random entry, or the true opening of another participant; it must
    /// fail unless it is the true opening of the entry the game reached.
    function openEntryGarbage(uint256 which, bytes32 seed, bool otherEntry) external {
        if (gameChallengers.length == 0 || leaves.length == 0 || !claimEntries) return;
        address ch = gameChallengers[bound(which, 0, gameChallengers.length - 1)];
        IDataAvailabilityGame.Game memory g = game.game(address(hub), game.gameId(id, gamesClaim, ch));
        if (otherEntry) {
            _play(challengers[0], _entriesAnswer(ch, g.position, 0, uint32(uint256(seed) % N)), true);
            return;
        }
        EntryReveal memory r;
        r.entry.state.net = int256(uint256(uint64(uint256(seed))));
        r.entry.sell.weight = uint256(seed) >> 192;
        _play(challengers[0], abi.encode(_move(GameAction.OpenEntry, ch), r), true);
    }

    function pick(uint256 which, uint8 side) external {
        if (gameChallengers.length == 0) return;
        address ch = gameChallengers[bound(which, 0, gameChallengers.length - 1)];
        GameMove memory m = _move(GameAction.Pick, ch);
        m.side = side % 2;
        _play(ch, m);
    }

    function resolve(uint256 which, bool byChallenger) external {
        if (gameChallengers.length == 0) return;
        address ch = gameChallengers[bound(which, 0, gameChallengers.length - 1)];
        _play(byChallenger ? ch : challengers[1], _move(GameAction.Resolve, ch));
    }

    /// Time passes; the honest parties have moved first wherever it was their turn (only this move
    /// advances time, so they always move before their deadlines). Late parties are resolved at the
    /// next jump: in between, anything (a finalize) may be tried against a game whose deadline passed.
    function warp(uint256 secs) external {
        _honestMoves();
        vm.warp(block.timestamp + bound(secs, 1, 2 hours));
    }

    function finalize() external {
        (bool pending, uint32 w) = _pendingWindow();
        if (!pending) return;
        bool withheld = !claimHonest && claim != bytes32(0);
        try hub.finalize(id) {
            if (withheld) ++ghostWithheldFinal;
            claim = bytes32(0);
        } catch {}
        w;
    }

    function withdraw(uint256 who) external {
        address[] memory all = this.allActors();
        address a = all[bound(who, 0, all.length - 1)];
        if (hub.withdrawable(token, a) == 0) return;
        vm.prank(a);
        hub.withdraw(token);
    }

    function _hub() internal view override returns (Hub) {
        return hub;
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
