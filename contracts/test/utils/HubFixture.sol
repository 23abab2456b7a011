// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {Balance, CommunityConfig, Meter, OpenConfig} from "../../src/types/Community.sol";
import {DisputeKind, MeterRecordOpening} from "../../src/types/Dispute.sol";
import {MeterRecords} from "./MeterRecords.sol";
import {ConfigBuilder, Schedule} from "./ConfigBuilder.sol";
import {Modules} from "./Modules.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";
import {claimTermsOf} from "./ClaimTermsOf.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Shared set-up for hub tests: a hub, a token, node keys, configs, states and signatures.
abstract contract HubFixture is Modules {
    uint64 internal constant START = 1_000_000;
    uint32 internal constant INTERVAL = 900;
    uint32 internal constant W = 4;
    uint32 internal constant WINDOWS = 3;
    uint32 internal constant CHALLENGE = 1 days;
    uint128 internal constant BOND = 1_000;
    uint128 internal constant ESCROW = 5_000;

    Hub internal hub;
    CommunityToken internal token;
    /// The meters of the community opened last (`_openConfig`, `_keepMeters`): the open's calldata.
    Meter[] internal opened;
    uint256[] internal keys;
    address[] internal nodes;

    function _deploy(uint256 n) internal {
        hub = _newHub();
        token = new CommunityToken("Community", "CT", address(this));
        // The test itself posts claims: it pays their claim deposits (review R9).
        token.mint(address(this), 1e30);
        token.approve(address(hub), type(uint256).max);
        _deployMore(n);
        vm.warp(START);
    }

    /// @dev Nodes up to `n` (each: a key, 1e30 tokens, the hub approved for all), beyond those deployed so far.
    function _deployMore(uint256 n) internal {
        for (uint256 i = nodes.length; i < n; ++i) {
            uint256 pk = uint256(keccak256(abi.encode("node", i)));
            keys.push(pk);
            nodes.push(vm.addr(pk));
            token.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            token.approve(address(hub), type(uint256).max);
        }
    }

    function _config(uint256 n) internal view returns (CommunityConfig memory) {
        address[] memory participants = new address[](n);
        bytes[] memory meterKeys = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            participants[i] = nodes[i];
            meterKeys[i] = _meterKey(i);
        }
        return ConfigBuilder.build(
            participants,
            ConfigBuilder.meters(meterKeys, ED25519),
            Schedule(INTERVAL, W, START, WINDOWS, CHALLENGE),
            MarketParams(MarketKind.Totals, 250, 50, 0, bytes32(0), bytes32(0)),
            token,
            BOND,
            ESCROW,
            _modules(MarketKind.Totals)
        );
    }

    /// @dev A valid Ed25519 public key (RFC 8032 §7.1 tests 1–3, in turn): the hub refuses keys off the
    /// curve or of small order.
    function _meterKey(uint256 i) internal pure returns (bytes memory) {
        if (i % 3 == 0) return hex"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        if (i % 3 == 1) return hex"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
        return hex"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";
    }

    /// @dev The P-256 generator, x ‖ y: a valid P-256 meter key.
    function _p256Key() internal pure returns (bytes memory) {
        return hex"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    }

    function _open(uint256 n) internal returns (uint64) {
        return _openConfig(_config(n));
    }

    /// @dev Opens `config` and records its genesis balances (`book`) for the joins and claims.
    function _openConfig(CommunityConfig memory config) internal returns (uint64) {
        book.recordGenesis(config.participants, config.escrow);
        _keepMeters(config.meters);
        return hub.open(OpenCodec.encode(config));
    }

    /// @dev Keeps `ms` as the meters of the community opened last (for `_openedRecord`).
    function _keepMeters(Meter[] memory ms) internal {
        delete opened;
        for (uint256 k = 0; k < ms.length; ++k) {
            opened.push(ms[k]);
        }
    }

    /// @dev Meter k's record of the community opened last, opened under its meter root.
    function _openedRecord(uint256 k) internal view returns (MeterRecordOpening memory) {
        return MeterRecords.opening(opened, k);
    }

    /// @dev Participants 0..n−1 join (ECDSA: no key data); the genesis tree is built once (`cacheGenesis`).
    function _joinAll(uint64 id, uint256 n) internal {
        book.cacheGenesis(hub, id);
        for (uint256 i = 0; i < n; ++i) {
            _join(id, i);
        }
    }

    /// @dev Participant i joins with its genesis proof (ECDSA: no key data).
    function _join(uint64 id, uint256 i) internal {
        _joinWith(id, i, "");
    }

    function _joinWith(uint64 id, uint256 i, bytes memory keyData) internal {
        bytes32[] memory proof = book.genesisProof(hub, id, i);
        vm.prank(nodes[i]);
        hub.join(id, i, proof, keyData);
    }

    /// @dev Every participant's consent to `config` until `deadline`, packed in index order (`Hub.openTogether`).
    function _consents(OpenConfig memory config, uint256 deadline) internal view returns (bytes memory packed) {
        bytes32 digest = _consentDigest(address(hub), config, deadline);
        uint256 n = config.participants.length / 20;
        for (uint256 i = 0; i < n; ++i) {
            packed = bytes.concat(packed, _signDigest(keys[i], digest));
        }
    }

    /// @dev Writes the 64-byte `entry` as entry `i` of a packed list of consents or permits.
    function _put(bytes memory list, uint256 i, bytes memory entry) internal pure {
        for (uint256 k = 0; k < 64; ++k) {
            list[i * 64 + k] = entry[k];
        }
    }

    /// @dev Participant i's EIP-2612 permit (keys[i]) letting this hub pull `value` until `deadline`, 64 bytes
    /// (EIP-2098), at the token's current nonce for it.
    function _permit(uint256 i, uint256 value, uint256 deadline) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                nodes[i],
                address(hub),
                value,
                token.nonces(nodes[i]),
                deadline
            )
        );
        return _signDigest(keys[i], keccak256(abi.encodePacked(hex"1901", token.DOMAIN_SEPARATOR(), structHash)));
    }

    /// @dev Every participant's permit for its deposit (bond + escrow) of `config`, packed for
    /// `openTogetherWithPermits`, after revoking the hub's allowance (`_deployMore` gave it): the permits alone
    /// allow the deposits.
    function _permits(OpenConfig memory config, uint256 deadline) internal returns (bytes memory packed) {
        uint256 n = config.participants.length / 20;
        for (uint256 i = 0; i < n; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(hub), 0);
            packed = bytes.concat(packed, _permit(i, uint256(config.bond) + config.escrow, deadline));
        }
    }

    /// @dev Opens `config` together (every participant's consent, deposits pulled, Active at once) and records
    /// its genesis balances (`book`).
    function _openTogetherConfig(CommunityConfig memory config) internal returns (uint64) {
        book.recordGenesis(config.participants, config.escrow);
        _keepMeters(config.meters);
        OpenConfig memory packed = OpenCodec.encode(config);
        return hub.openTogether(packed, block.timestamp + 1 days, _consents(packed, block.timestamp + 1 days));
    }

    function _openTogether(uint256 n) internal returns (uint64) {
        return _openTogetherConfig(_config(n));
    }

    function _openActive(uint256 n) internal returns (uint64 id) {
        id = _open(n);
        _joinAll(id, n);
    }

    /// @dev End of window `w` (first moment it can be updated).
    function _windowEnd(uint32 w) internal pure returns (uint256) {
        return uint256(START) + (uint256(w) + 1) * W * INTERVAL;
    }

    /// @dev What member i holds of the token: its balance plus what waits for it in the hub's `withdrawable`
    /// (a refused payout). The claim tests' measure of who was paid.
    function _worth(uint256 i) internal view returns (uint256) {
        return token.balanceOf(nodes[i]) + hub.withdrawable(IERC20(address(token)), nodes[i]);
    }

    /// @dev `_worth` of members 0 … n − 1.
    function _worths(uint256 n) internal view returns (uint256[] memory w) {
        w = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            w[i] = _worth(i);
        }
    }

    /// @dev What each of members 0 … before.length − 1 gained since `before` (`_worths`).
    function _gainsSince(uint256[] memory before) internal view returns (uint256[] memory gain) {
        gain = _worths(before.length);
        for (uint256 i = 0; i < gain.length; ++i) {
            gain[i] -= before[i];
        }
    }

    function _state(int256[] memory nets) internal pure returns (ParticipantState[] memory s) {
        s = new ParticipantState[](nets.length);
        for (uint256 i = 0; i < nets.length; ++i) {
            s[i].exportWh = uint64(i * 10);
            s[i].importWh = uint64(i * 7);
            s[i].net = nets[i];
        }
    }

    /// @dev Participant 0 owes 7,001 with 5,000 of escrow; 1 and 2 are owed 3,500 and 3,501; the other n − 3
    /// nothing (n ≥ 3).
    function _shortNets(uint256 n) internal pure returns (int256[] memory nets) {
        nets = new int256[](n);
        nets[0] = -7_001;
        nets[1] = 3_500;
        nets[2] = 3_501;
    }

    /// @dev Participant 0 pays `amount` to participant 1; everyone else 0.
    function _transferState(uint256 n, int256 amount) internal pure returns (ParticipantState[] memory) {
        int256[] memory nets = new int256[](n);
        nets[0] = -amount;
        nets[1] = amount;
        return _state(nets);
    }

    /// @dev Alternating ±amount (last one balances an odd count).
    function _alternatingState(uint256 n, int256 amount) internal pure returns (ParticipantState[] memory) {
        int256[] memory nets = new int256[](n);
        int256 sum;
        for (uint256 i = 0; i + 1 < n; ++i) {
            nets[i] = i % 2 == 0 ? -amount : amount;
            sum += nets[i];
        }
        nets[n - 1] = -sum;
        return _state(nets);
    }

    function _root(uint32 w) internal pure returns (bytes32) {
        return keccak256(abi.encode("root", w));
    }

    function _signDigest(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 vs) = vm.signCompact(pk, digest);
        return abi.encodePacked(r, vs);
    }

    /// @dev The honest balancesRoot of window `w` with final state `state` (from what is final on chain).
    function _balancesRoot(uint64 id, uint32 w, ParticipantState[] memory state) internal returns (bytes32) {
        return book.nextOf(hub, id, w, state);
    }

    /// @dev The digest of window result (w, root, hash(state), the honest balancesRoot of `state`).
    function _digest(uint64 id, uint32 w, bytes32 root, ParticipantState[] memory state) internal returns (bytes32) {
        return _resultDigest(address(hub), id, w, root, StateHash.hash(state), _balancesRoot(id, w, state));
    }

    /// @dev Signatures of participants `who` (indices) over the window result with the honest balancesRoot.
    function _sign(uint64 id, uint32 w, bytes32 root, ParticipantState[] memory state, uint256[] memory who)
        internal
        returns (bytes[] memory sigs)
    {
        return _signDigestBy(_digest(id, w, root, state), who);
    }

    /// @dev Signatures of participants `who` over any window result (a test's own balancesRoot).
    function _signResult(
        uint64 id,
        uint32 w,
        bytes32 root,
        bytes32 stateHash,
        bytes32 balancesRoot,
        uint256[] memory who
    ) internal view returns (bytes[] memory) {
        return _signDigestBy(_resultDigest(address(hub), id, w, root, stateHash, balancesRoot), who);
    }

    function _signDigestBy(bytes32 digest, uint256[] memory who) internal view returns (bytes[] memory sigs) {
        sigs = new bytes[](who.length);
        for (uint256 i = 0; i < who.length; ++i) {
            sigs[i] = abi.encodePacked(uint8(who[i]), _signDigest(keys[who[i]], digest));
        }
    }

    /// @dev The signer bitmap of `who` in a community of n: ⌈n/256⌉ words (`SignerBitmap`'s layout).
    function _signerWords(uint256[] memory who, uint256 n) internal pure returns (uint256[] memory words) {
        words = new uint256[]((n + 255) / 256);
        for (uint256 k = 0; k < who.length; ++k) {
            words[who[k] >> 8] |= uint256(1) << (who[k] & 255);
        }
    }

    /// @dev ECDSA co-signature of `who` (ascending) over `digest` for a community of any size (§5.1b):
    /// the bitmap words ‖ 64-byte signatures, written into one buffer (a blob of 999 signatures built by
    /// concatenation would cost the test quadratic memory).
    function _wideBlob(bytes32 digest, uint256[] memory who, uint256[] memory words)
        internal
        view
        returns (bytes memory)
    {
        bytes32[] memory rvs = new bytes32[](2 * who.length);
        for (uint256 k = 0; k < who.length; ++k) {
            (rvs[2 * k], rvs[2 * k + 1]) = vm.signCompact(keys[who[k]], digest);
        }
        return abi.encodePacked(words, rvs);
    }

    function _everyone(uint256 n) internal pure returns (uint256[] memory who) {
        who = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            who[i] = i;
        }
    }

    function _only(uint256 i) internal pure returns (uint256[] memory who) {
        who = new uint256[](1);
        who[0] = i;
    }

    /// @dev Warps to the end of `w` and submits a result signed by `who` (honest balancesRoot).
    function _update(uint64 id, uint32 w, ParticipantState[] memory state, uint256[] memory who) internal {
        if (block.timestamp < _windowEnd(w)) vm.warp(_windowEnd(w));
        bytes memory sig = _pack(_sign(id, w, _root(w), state, who));
        bytes32 balancesRoot = _balancesRoot(id, w, state);
        _noteClaim(w, _root(w), StateHash.hash(state), balancesRoot);
        hub.update(id, w, _root(w), StateHash.hash(state), balancesRoot, ConfigBuilder.finalStateOf(state, sig), sig);
    }

    /// @dev Posts window `w`'s result (root, hash(state), the honest balancesRoot of `state`) with
    /// co-signature `sig`, as the test contract.
    function _postClaim(uint64 id, uint32 w, bytes32 root, ParticipantState[] memory state, bytes memory sig) internal {
        bytes32 balancesRoot = _balancesRoot(id, w, state);
        _noteClaim(w, root, StateHash.hash(state), balancesRoot);
        hub.update(id, w, root, StateHash.hash(state), balancesRoot, ConfigBuilder.finalStateOf(state, sig), sig);
    }

    /// @dev `who` commits to the dispute of claim (w, root, stateHash) a fixture posted, a block passes,
    /// and it reveals it (the claim's balancesRoot added).
    function _commitAndDispute(
        address who,
        uint64 cid,
        uint32 w,
        bytes32 root,
        bytes32 stateHash,
        DisputeKind kind,
        bytes memory proof
    ) internal {
        vm.prank(who);
        hub.commitDispute(keccak256(abi.encode(who, cid, w, kind, keccak256(proof))));
        vm.roll(block.number + 1);
        bytes32 balancesRoot = _claimedBalances(w, root, stateHash);
        vm.prank(who);
        hub.dispute(cid, w, root, stateHash, balancesRoot, kind, proof);
    }

    /// @dev Claims member `i`'s money from the closed community (anyone may: the test contract calls).
    function _claimMember(uint64 id, uint256 i) internal {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        hub.claim(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
    }

    /// @dev Member `i`'s leaf in window `w`'s balances root on chain (its position after w's reaction).
    function _leafAt(uint64 id, uint32 w, uint256 i) internal view returns (Balance memory leaf) {
        (leaf,,) = book.leafOf(book.rootAfter(hub, id, w), i);
    }

    /// @dev Σ claim committed in window `w`'s balances root.
    function _totalClaimsAt(uint64 id, uint32 w) internal view returns (uint256 total) {
        (, total,) = book.leafOf(book.rootAfter(hub, id, w), 0);
    }

    /// @dev The claim hash of the claim (w, root, stateHash) the fixture posted (with its balancesRoot).
    function _claimHash(uint32 w, bytes32 root, bytes32 stateHash) internal view returns (bytes32) {
        return hub.claimHash(w, root, stateHash, _claimedBalances(w, root, stateHash));
    }

    /// @dev Member `i`'s final leaf (after close).
    function _finalLeaf(uint64 id, uint256 i) internal view returns (Balance memory leaf) {
        (leaf,,) = book.claimArgs(hub, id, i);
    }

    /// @dev Signer of a `_sign` entry (index (1 byte) ‖ r ‖ yParityAndS).
    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r;
        bytes32 vs;
        assembly {
            r := mload(add(sig, 0x21))
            vs := mload(add(sig, 0x41))
        }
        uint256 s = uint256(vs) & ((uint256(1) << 255) - 1);
        return ecrecover(digest, uint8((uint256(vs) >> 255) + 27), r, bytes32(s));
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
