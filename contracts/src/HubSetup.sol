// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {HubStorage} from "./HubStorage.sol";
import {IHub} from "./interfaces/IHub.sol";
import {ICoSignatureScheme} from "./interfaces/ICoSignatureScheme.sol";
import {
    CommunityInfo,
    CommunityModules,
    CommunityStatus,
    Balance,
    Member,
    MemberState,
    OpenConfig
} from "./types/Community.sol";
import {MarketKind, MarketParams} from "./types/Market.sol";
import {Balances} from "./libraries/Balances.sol";
import {OpenCodec} from "./libraries/OpenCodec.sol";
import {Settlement} from "./libraries/Settlement.sol";

/// @title HubSetup
/// @notice The hub's opening code: `open`, `openTogether`, `openTogetherWithPermits`, `join`, `registerModules`
/// and the `community` view. The hub creates one in its constructor and delegatecalls it for these functions (`Hub._delegateToSetup`),
/// so they run on the hub's storage (`HubStorage`, one layout), under its address, EIP-712 domain and reentrancy guard. Out of the
/// hub for EIP-170 only: the rules are the hub's (IHub). Called directly, it works on its own empty storage,
/// which nothing reads, and holds no tokens.
contract HubSetup is HubStorage {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type of a participant's consent to a community (`openTogether`).
    bytes32 public constant OPEN_CONSENT_TYPEHASH = keccak256("OpenConsent(bytes32 config,uint256 deadline)");
    /// @dev Length of one consent or permit (EIP-2098 compact: r ‖ yParityAndS).
    uint256 internal constant SIGNATURE_LENGTH = 64;

    /// @notice IHub.open.
    function open(OpenConfig calldata config) external returns (uint64 communityId) {
        (communityId,) = _open(config);
    }

    /// @notice IHub.openTogether.
    function openTogether(OpenConfig calldata config, uint256 deadline, bytes calldata consents)
        external
        nonReentrant
        returns (uint64 communityId)
    {
        return _openTogether(config, deadline, consents, msg.data[0:0]);
    }

    /// @notice IHub.openTogetherWithPermits.
    function openTogetherWithPermits(
        OpenConfig calldata config,
        uint256 deadline,
        bytes calldata consents,
        bytes calldata permits
    ) external nonReentrant returns (uint64 communityId) {
        return _openTogether(config, deadline, consents, permits);
    }

    /// @dev `openTogether` (`permits` empty) or `openTogetherWithPermits`. Effects before interactions: the
    /// community is written whole and Active, and the consents used, before the first `permit` or
    /// `transferFrom` (the token is the opener's choice); the guard refuses any re-entry.
    function _openTogether(
        OpenConfig calldata config,
        uint256 deadline,
        bytes calldata consents,
        bytes calldata permits
    ) internal returns (uint64 communityId) {
        // Second-level timestamp drift is irrelevant against a consent's lifetime.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > deadline) revert IHub.ConsentExpired(deadline);
        Community storage c;
        (communityId, c) = _open(config);
        uint256 n = c.participantCount;
        if (consents.length != n * SIGNATURE_LENGTH) revert IHub.MalformedConsents(consents.length);
        if (permits.length != 0 && permits.length != n * SIGNATURE_LENGTH) {
            revert IHub.MalformedPermits(permits.length);
        }
        _checkConsents(config, deadline, consents, communityId, n);
        // Every participant is a member: no slot per member and no count (`Community.together`, `_joinedOf`).
        c.together = true;
        c.status = CommunityStatus.Active;
        uint256 each = uint256(c.bond) + c.escrow;
        _hold(c, each * n);
        emit IHub.CommunityActivated(communityId);
        if (each == 0) return communityId;
        _pullDeposits(c.token, config.participants, n, each, deadline, permits);
    }

    /// @dev Checks each participant's consent to (`config`, `deadline`), marks the consents used and registers
    /// each participant with the config's co-signature scheme (the registered set's, `_open`) (`_openTogether`).
    function _checkConsents(
        OpenConfig calldata config,
        uint256 deadline,
        bytes calldata consents,
        uint64 communityId,
        uint256 n
    ) private {
        ICoSignatureScheme scheme = config.modules.coSignature;
        bytes32 digest = consentDigest(config, deadline);
        if (_consentUsed[digest]) revert IHub.ConsentUsed(digest);
        _consentUsed[digest] = true;
        for (uint256 i = 0; i < n; ++i) {
            address p = OpenCodec.participantAt(config.participants, i);
            (bytes32 r, bytes32 vs) = _signatureAt(consents, i);
            // Zero for a signature that recovers to nobody or has a high s (OpenZeppelin's rule), and no
            // participant is zero (`openLists`).
            (address signer,,) = ECDSA.tryRecover(digest, r, vs);
            if (signer != p) revert IHub.ConsentNotSigned(i);
            // An allow-listed module: a scheme whose members need keys (BLS) refuses the empty one.
            scheme.register(communityId, i, p, "");
        }
    }

    /// @dev Pulls `each` from each of the n `participants` (packed), after its permit when `permits` is not empty.
    function _pullDeposits(
        IERC20 token,
        bytes calldata participants,
        uint256 n,
        uint256 each,
        uint256 deadline,
        bytes calldata permits
    ) private {
        for (uint256 i = 0; i < n; ++i) {
            address p = OpenCodec.participantAt(participants, i);
            if (permits.length != 0) _permit(token, p, each, deadline, permits, i);
            token.safeTransferFrom(p, address(this), each);
        }
    }

    /// @dev Submits participant `i`'s EIP-2612 permit (owner p, spender this hub, value `each`, `deadline`) when
    /// it gave one (64 zero bytes: it approved the hub beforehand). The permit's outcome is ignored: one taken
    /// from the mempool and sent to the token first (front-running, which must not stop the opening) has set the
    /// same allowance, and a bad one (another value, signer, nonce or token) sets none, so the `transferFrom`
    /// after it fails. The allowance is the one check, there.
    function _permit(IERC20 token, address p, uint256 each, uint256 deadline, bytes calldata permits, uint256 i)
        private
    {
        (bytes32 r, bytes32 vs) = _signatureAt(permits, i);
        if (r == 0 && vs == 0) return;
        // EIP-2098: the top bit of vs is the y parity, the rest s.
        uint8 v = uint8(uint256(vs >> 255)) + 27;
        bytes32 s = vs & bytes32(type(uint256).max >> 1);
        try IERC20Permit(address(token)).permit(p, address(this), each, deadline, v, r, s) {} catch {}
    }

    /// @dev Signature `i` of a packed list of 64-byte EIP-2098 signatures (r ‖ yParityAndS).
    function _signatureAt(bytes calldata list, uint256 i) private pure returns (bytes32 r, bytes32 vs) {
        r = bytes32(list[i * SIGNATURE_LENGTH:i * SIGNATURE_LENGTH + 32]);
        vs = bytes32(list[i * SIGNATURE_LENGTH + 32:(i + 1) * SIGNATURE_LENGTH]);
    }

    /// @notice The EIP-712 digest each participant signs to consent to `config` until `deadline` (`openTogether`),
    /// under the domain of the hub it is called through. Twin of `openConsentDigest` in
    /// `node/src/chain/openTogether.ts` (vectors in `open-consent.json`).
    function consentDigest(OpenConfig calldata config, uint256 deadline) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(OPEN_CONSENT_TYPEHASH, keccak256(abi.encode(config)), deadline)));
    }

    /// @notice IHub.join.
    function join(uint64 communityId, uint256 index, bytes32[] calldata proof, bytes calldata keyData)
        external
        nonReentrant
    {
        Community storage c = _existing(communityId);
        if (c.status != CommunityStatus.Opening) revert IHub.CommunityNotOpening(communityId);
        uint256 n = c.participantCount;
        (uint128 bond, uint128 escrow) = (c.bond, c.escrow);
        // `provenRoot` (0 for a bad index or depth, never a root), the routine `claim` uses: one copy.
        if (Balances.provenRoot(n, index, Balance(msg.sender, escrow, 0, 0), 0, proof) != c.genesisBalancesRoot) {
            revert IHub.NotParticipant(communityId, msg.sender);
        }
        Member storage m = c.members[index];
        if (m.state != MemberState.None) revert IHub.AlreadyJoined(communityId, msg.sender);
        m.state = MemberState.Joined;
        uint32 joined = c.joinedCount + 1;
        c.joinedCount = joined;
        c.indexPlusOne[msg.sender] = index + 1;
        uint256 total = uint256(bond) + escrow;
        _hold(c, total);
        emit IHub.Joined(communityId, msg.sender, bond, escrow);
        if (joined == n) {
            c.status = CommunityStatus.Active;
            emit IHub.CommunityActivated(communityId);
        }
        // An allow-listed module, keyed by (this hub, communityId): it cannot touch the hub's state.
        _modules(c).coSignature.register(communityId, index, msg.sender, keyData);
        if (total > 0) c.token.safeTransferFrom(msg.sender, address(this), total);
    }

    /// @notice IHub.community.
    function community(uint64 communityId) external view returns (CommunityInfo memory info) {
        Community storage c = _existing(communityId);
        info.status = c.status;
        info.token = c.token;
        info.start = c.start;
        info.intervalSeconds = c.intervalSeconds;
        info.windowIntervals = c.windowIntervals;
        info.windowCount = c.windowCount;
        info.challengePeriod = c.challengePeriod;
        info.bond = c.bond;
        info.escrow = c.escrow;
        info.market = c.market;
        info.participantCount = c.participantCount;
        info.meterCount = c.meterCount;
        info.joinedCount = _joinedOf(c);
        info.finalizedWindows = c.finalizedWindows;
        info.genesisBalancesRoot = c.genesisBalancesRoot;
        info.held = c.pool.held;
        info.repaidPool = c.pool.repaidPool;
        info.creditPerMember = c.creditPerMember;
        info.modules = _modules(c);
    }

    /// @dev `open`'s work, shared with `openTogether`: checks the lists and the schedule, writes the community
    /// (Opening) and its modules, and opens it with its co-signature module.
    function _open(OpenConfig calldata config) internal returns (uint64 communityId, Community storage c) {
        communityId = ++_communityCount;
        (bytes32 genesis, uint32 n, bytes32 meterRoot_, uint32 m) = Settlement.openLists(
            communityId, config.participants, config.meters, config.escrow, config.modules.meterSchemes.length
        );
        Settlement.validateSchedule(
            config.intervalSeconds,
            config.windowIntervals,
            config.windowCount,
            config.challengePeriod,
            config.start,
            address(config.token),
            m,
            config.market
        );
        c = _communities[communityId];
        c.status = CommunityStatus.Opening;
        c.token = config.token;
        c.start = config.start;
        c.intervalSeconds = config.intervalSeconds;
        c.windowIntervals = config.windowIntervals;
        c.windowCount = config.windowCount;
        c.challengePeriod = config.challengePeriod;
        c.bond = config.bond;
        c.escrow = config.escrow;
        _writeMarket(c, config.market);
        c.genesisBalancesRoot = genesis;
        c.participantCount = n;
        c.meterRoot = meterRoot_;
        c.meterCount = m;
        c.moduleSet = _moduleSetOf(config.modules, config.market.kind);
        emit IHub.CommunityOpened(communityId, msg.sender, config.token, n, m, meterRoot_);
        // An allow-listed module (the set's, as registered), keyed by (this hub, communityId): the list it keeps
        // is the one checked above.
        config.modules.coSignature.open(communityId, config.participants);
    }

    /// @dev `c.market = market`, except that a zero hash (no auction limits, no tariff: most communities) is not
    /// written over the zero slot (2,200 gas each).
    function _writeMarket(Community storage c, MarketParams calldata market) private {
        c.market.kind = market.kind;
        c.market.gridBuyPrice = market.gridBuyPrice;
        c.market.gridSellPrice = market.gridSellPrice;
        c.market.feederCapacityWh = market.feederCapacityWh;
        if (market.limitsHash != 0) c.market.limitsHash = market.limitsHash;
        if (market.tariffHash != 0) c.market.tariffHash = market.tariffHash;
    }

    /// @notice IHub.registerModules.
    function registerModules(CommunityModules calldata modules, MarketKind kind) external returns (uint32) {
        return _moduleSetOf(modules, kind);
    }

    /// @dev The id of the set (`modules`, market `kind`), registered here first if it is new: every module on the
    /// allow-list and the market computing `kind` (`Settlement.setModules`), checked once per hub and set, then
    /// written once. Ids are uint32 (a set costs > 150,000 gas to register: 2^32 of them cannot be paid for).
    function _moduleSetOf(CommunityModules calldata modules, MarketKind kind) internal returns (uint32 id) {
        bytes32 key = keccak256(abi.encode(modules, kind));
        id = _moduleSetIds[key];
        if (id != 0) return id;
        id = ++_moduleSetCount;
        _moduleSetIds[key] = id;
        Settlement.setModules(_moduleSets[id], modules, _moduleEnabled, kind);
        emit IHub.ModulesRegistered(id, key);
    }
}
