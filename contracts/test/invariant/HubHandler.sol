// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PackedState} from "../../src/libraries/PackedState.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, ParticipantState} from "../../src/types/Market.sol";
import {
    CommunityConfig,
    CommunityModules,
    CommunityStatus,
    ParticipantAccount,
    WindowRecord,
    WindowStatus
} from "../../src/types/Community.sol";
import {ConfigBuilder, Schedule} from "../utils/ConfigBuilder.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Drives one hub through communities of 4 participants with bounded, always-valid calls
/// (fail_on_revert), keeping ghost positions: what each participant put in plus the nets of the
/// windows the hub reports final, each counted once.
contract HubHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant N = 4;
    uint32 internal constant INTERVAL = 900;
    uint32 internal constant W = 4;
    uint32 internal constant WINDOWS = 3;
    uint32 internal constant CHALLENGE = 3600;
    uint128 internal constant BOND = 1_000;
    uint128 internal constant ESCROW = 5_000;
    /// Bitmap of all N participants.
    uint256 internal constant ALL = 2 ** N - 1;

    Hub public immutable hub;
    CommunityToken public immutable token;
    uint256[] internal keys;
    address[] public actors;
    uint64[] public ids;

    /// Per community and participant: deposits + debt repaid for it + nets of applied windows.
    mapping(uint64 => mapping(uint256 => int256)) public ghostPosition;
    /// Nets submitted for each window (the claim that will be applied when it finalizes).
    mapping(uint64 => mapping(uint32 => int256[])) internal ghostNets;
    /// Windows whose nets are already folded into ghostPosition.
    mapping(uint64 => uint32) public ghostApplied;
    /// Number of times a window turned Final, per community and window.
    mapping(uint64 => mapping(uint32 => uint256)) public ghostFinalCount;

    /// Effective calls, to see what a campaign exercised.
    uint256 public calls;
    uint256 public ghostUpdates;
    uint256 public ghostPending;
    uint256 public ghostCloses;
    uint256 public ghostRepays;
    uint256 public ghostTopUps;

    CommunityModules internal modules;

    constructor(Hub hub_, CommunityToken token_, CommunityModules memory modules_) {
        modules = modules_;
        hub = hub_;
        token = token_;
        for (uint256 i = 0; i < N; ++i) {
            keys.push(uint256(keccak256(abi.encode("actor", i))));
            actors.push(vm.addr(keys[i]));
        }
        _openNew();
    }

    function actorCount() external pure returns (uint256) {
        return N;
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function current() public view returns (uint64) {
        return ids[ids.length - 1];
    }

    // ------------------------------------------------------------------ actions

    function join(uint256 seed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Opening) return;
        uint256 joined = hub.community(id).joined;
        // Joins 1..N of the missing participants, so communities get going within a few calls.
        uint256 count = 1 + (seed >> 8) % N;
        for (uint256 k = 0; k < N && count > 0; ++k) {
            uint256 i = (seed % N + k) % N;
            if (joined & (2 ** i) != 0) continue;
            vm.prank(actors[i]);
            hub.join(id, "");
            ghostPosition[id][i] += int256(uint256(BOND) + ESCROW);
            --count;
        }
        _done(id);
    }

    function deposit(uint256 seed, uint256 amount) external {
        uint64 id = current();
        uint256 i = seed % N;
        if (hub.community(id).status == CommunityStatus.Closed) return;
        if (hub.community(id).joined & (2 ** i) == 0) return;
        amount = bound(amount, 1, 5_000);
        vm.prank(actors[i]);
        hub.deposit(id, amount);
        ghostPosition[id][i] += int256(amount);
        _done(id);
    }

    function submit(uint256 netSeed, uint256 signerSeed) external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status == WindowStatus.Pending) {
            // Let the challenge period pass and finalize the pending window (its settlement may draw bonds:
            // the signer filter below reads them after it).
            uint256 due = uint256(rec.submittedAt) + CHALLENGE;
            if (block.timestamp < due) vm.warp(due);
            hub.finalize(id);
            _done(id);
            ++w;
        }
        if (w >= WINDOWS) return;
        uint256 end = uint256(hub.community(id).start) + (uint256(w) + 1) * W * INTERVAL;
        if (block.timestamp < end) vm.warp(end);

        int256[] memory nets = new int256[](N);
        ParticipantState[] memory s = new ParticipantState[](N);
        int256 sum;
        for (uint256 i = 0; i < N; ++i) {
            nets[i] = i + 1 < N ? int256(bound(uint256(keccak256(abi.encode(netSeed, i))), 0, 16_000)) - 8_000 : -sum;
            sum += nets[i];
            s[i].net = nets[i];
            s[i].exportWh = uint64(netSeed % 1_000);
        }
        bytes32 root = keccak256(abi.encode(netSeed));
        bytes32 digest = _digest(id, w, root, keccak256(abi.encode(s)));
        // Half the time everyone signs (fast path), otherwise a random non-empty subset (pending) of
        // the participants whose bond is whole (only they count for a partial claim, review R6: the
        // node's submitter leaves the others out the same way).
        uint256 mask = signerSeed % 2 == 0 ? ALL : bound(signerSeed >> 1, 1, ALL);
        if (mask != ALL) mask &= _wholeBonds(id);
        if (mask == 0) return;
        bytes memory sigs = abi.encodePacked(mask);
        for (uint256 i = 0; i < N; ++i) {
            if (mask & (2 ** i) == 0) continue;
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], digest);
            sigs = bytes.concat(sigs, r, vs);
        }
        // A participant posts (and pays the claim deposit of a partial claim, review R9).
        vm.prank(actors[signerSeed % N]);
        hub.update(id, w, root, PackedState.pack(s), sigs);
        ghostNets[id][w] = nets;
        ++ghostUpdates;
        if (mask != ALL) ++ghostPending;
        _done(id);
    }

    /// @dev A participant whose bond was drawn by settlement tops it up (review R6).
    function topUpBond(uint256 seed) external {
        uint64 id = current();
        if (hub.community(id).status == CommunityStatus.Closed) return;
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (seed % N + k) % N;
            if (hub.community(id).joined & (2 ** i) == 0) continue;
            uint256 bond = hub.account(id, i).bond;
            if (bond == BOND) continue;
            vm.prank(actors[i]);
            hub.topUpBond(id);
            ghostPosition[id][i] += int256(uint256(BOND) - bond);
            ++ghostTopUps;
            break;
        }
        _done(id);
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 3 hours));
        ++calls;
    }

    function finalize() external {
        uint64 id = current();
        if (hub.community(id).status != CommunityStatus.Active) return;
        uint32 w = hub.community(id).finalizedWindows;
        WindowRecord memory rec = hub.windowRecord(id, w);
        if (rec.status != WindowStatus.Pending || block.timestamp < uint256(rec.submittedAt) + CHALLENGE) return;
        hub.finalize(id);
        _done(id);
    }

    function repay(uint256 idSeed, uint256 seed, uint256 payerSeed, uint256 amount) external {
        uint64 id = ids[idSeed % ids.length];
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (seed % N + k) % N;
            uint256 debt = hub.account(id, i).debt;
            if (debt == 0) continue;
            amount = bound(amount, 1, debt);
            vm.prank(actors[payerSeed % N]);
            hub.repayDebt(id, actors[i], amount);
            ++ghostRepays;
            if (hub.community(id).status != CommunityStatus.Closed) ghostPosition[id][i] += int256(amount);
            break;
        }
        _done(id);
    }

    function close(uint256 seed) external {
        uint64 id = current();
        CommunityStatus status = hub.community(id).status;
        if (status == CommunityStatus.Opening) {
            // Abort only now and then, so most communities run.
            if (seed % 64 != 0) return;
        } else {
            uint32 fw = hub.community(id).finalizedWindows;
            if (fw < WINDOWS - 1) return;
            if (fw == WINDOWS - 1) {
                WindowRecord memory rec = hub.windowRecord(id, fw);
                if (rec.status != WindowStatus.Pending) return;
                uint256 due = uint256(rec.submittedAt) + CHALLENGE;
                if (block.timestamp < due) vm.warp(due);
            }
        }
        vm.prank(actors[seed % N]);
        hub.close(id);
        ++ghostCloses;
        _done(id);
        _openNew();
    }

    function withdraw(uint256 seed) external {
        address a = actors[seed % N];
        if (hub.withdrawable(token, a) == 0) return;
        vm.prank(a);
        hub.withdraw(token);
        ++calls;
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Valid Ed25519 keys (RFC 8032 §7.1 tests 1–3): the hub refuses keys off the curve or of small order.
    function _meterKey(uint256 i) internal pure returns (bytes memory) {
        if (i % 3 == 0) return hex"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        if (i % 3 == 1) return hex"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
        return hex"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";
    }

    function _openNew() internal {
        bytes[] memory meterKeys = new bytes[](N);
        for (uint256 i = 0; i < N; ++i) {
            meterKeys[i] = _meterKey(i);
        }
        CommunityConfig memory c = ConfigBuilder.build(
            actors,
            ConfigBuilder.meters(meterKeys, 0),
            Schedule(INTERVAL, W, uint64(block.timestamp), WINDOWS, CHALLENGE),
            MarketParams(MarketKind.Mmr, 250, 50, 0, bytes32(0), bytes32(0)),
            token,
            BOND,
            ESCROW,
            modules
        );
        ids.push(hub.open(c));
    }

    /// @dev Bitmap of the participants of `id` whose bond is whole.
    function _wholeBonds(uint64 id) internal view returns (uint256 mask) {
        for (uint256 i = 0; i < N; ++i) {
            if (hub.account(id, i).bond == BOND) mask |= 2 ** i;
        }
    }

    /// @dev Folds newly final windows into the ghost positions, once each.
    function _done(uint64 id) internal {
        ++calls;
        uint32 finalized = hub.community(id).finalizedWindows;
        while (ghostApplied[id] < finalized) {
            uint32 w = ghostApplied[id];
            int256[] storage nets = ghostNets[id][w];
            for (uint256 i = 0; i < N; ++i) {
                ghostPosition[id][i] += nets[i];
            }
            ++ghostFinalCount[id][w];
            ++ghostApplied[id];
        }
    }

    /// @dev EIP-712 digest of a window result under the hub's domain.
    function _digest(uint64 id, uint32 w, bytes32 root, bytes32 stateHash) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("DIVERSITY Hub"),
                keccak256("1"),
                block.chainid,
                address(hub)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,bytes32 stateHash)"),
                id,
                w,
                root,
                stateHash
            )
        );
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    function _popcount(uint256 x) internal pure returns (uint256 c) {
        for (; x != 0; x &= x - 1) {
            ++c;
        }
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
