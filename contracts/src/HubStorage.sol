// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IHub} from "./interfaces/IHub.sol";
import {MarketParams} from "./types/Market.sol";
import {CommunityModules, CommunityStatus, Member, Pool, RejectedClaim, WindowRecord} from "./types/Community.sol";
import {Settlement} from "./libraries/Settlement.sol";

/// @title HubStorage
/// @notice The hub's storage, shared by `Hub` and `HubSetup` (the code the hub delegates `open`, `openTogether`,
/// `join` and `community` to, EIP-170): both inherit it, so one layout serves both. EIP712's two fallback
/// strings come first (slots 0 and 1), as when the hub declared it all itself (s21: the same slots).
abstract contract HubStorage is EIP712, ReentrancyGuardTransient {
    using SafeCast for uint256;

    /// @dev Storage of one community. Packed for the two hot paths (DESIGN.md §5.6, "Gas"): `update` reads the
    /// first two slots; a `claim` reads `claimRoot` (it commits to the final balances root and the claim terms,
    /// which the claimer passes), slot 4 (held, repaidPool, written) and the member's own slot (written), and
    /// nothing else of the hub.
    struct Community {
        CommunityStatus status;
        IERC20 token;
        /// Windows final so far = the next window to update.
        uint32 finalizedWindows;
        uint32 participantCount;
        /// Opened by `openTogether`: every participant a member from the start, with no member slot written and
        /// no `indexPlusOne` (the co-signature module's list answers `ICoSignatureScheme.indexOf`).
        bool together;
        uint64 start;
        uint32 intervalSeconds;
        uint32 windowIntervals;
        uint32 windowCount;
        uint32 challengePeriod;
        uint32 meterCount;
        /// The community's modules: a set registered once per hub (`_moduleSets`, `HubSetup._moduleSetOf`), its
        /// id in the slot `update` reads anyway, so naming a module costs the one slot of the module read.
        uint32 moduleSet;
        /// Bond and escrow, one slot (written at open; `join` and the deposits read both).
        uint128 bond;
        uint128 escrow;
        /// What every member received through slashes and lost game bonds (`Settlement.slash`, `credit`):
        /// a member's credit is its stored credit plus this, so a slash writes its offenders, not every
        /// member. uint128: each slash adds at most what it took from bonds and credits, which `held` (uint128)
        /// holds, over its recipients; SafeCast past 2^128. This slot (with `disputableUntil` and `joinedCount`)
        /// is zero at open and stays unwritten in a community opened together until a slash or a rejected
        /// claim: its opening writes one slot fewer (s24).
        uint128 creditPerMember;
        /// The latest deadline until which a rejected claim not slashed yet stays disputable for fraud:
        /// `close` waits for it, since disputes need an Active community (review 3, B5).
        uint64 disputableUntil;
        /// Participants that joined so far (each member's own `state` says who). Not written in a community
        /// opened together, where every participant is a member (`joinedOf`).
        uint32 joinedCount;
        /// Tokens held for this community (see the contract's dev note) and the debt repaid at close so far,
        /// one slot (`Pool`; the slot that held and repaidPool had before s12).
        Pool pool;
        /// `Balances.root(Balances.genesis(participants, escrow), 0)`: the balances before window 0.
        bytes32 genesisBalancesRoot;
        /// The balances root after the last final window (0 before the first): what `close` pays from and what
        /// a BadBalances dispute of the window after it starts from. One slot that each final window overwrites
        /// (5,000 gas) instead of a fresh slot per window (22,100): the root of an older final window is in its
        /// `WindowFinalized` event, and a rejected claim keeps the root it started from (`RejectedClaim`).
        bytes32 finalBalancesRoot;
        MarketParams market;
        /// The registered meters: the root of their records (`MeterRegistry`); the list is in `open`'s calldata.
        bytes32 meterRoot;
        /// Member address → index + 1, written at join (0 = never joined).
        mapping(address => uint256) indexPlusOne;
        /// Per member, one slot: its bond and credit, whether it joined and was paid out, and once paid what
        /// it took of the repaid pool (`Member`).
        mapping(uint256 => Member) members;
        mapping(uint32 => WindowRecord) windows;
        /// claimHash → the rejected claim (never posted again; disputable for fraud until its deadline).
        mapping(bytes32 => RejectedClaim) rejected;
        /// N > 256: the words of each recorded signer set under its ref (`Settlement.saveSigners`).
        mapping(uint256 ref => uint256[4]) wideSigners;
        /// A slash that did not fit its transaction, finished by `continueSlash` (`Settlement.slash`).
        Settlement.PendingSlash pendingSlash;
        /// Written once, at `close` (0 = not closed): `Balances.claimRoot` of the final balances root (the last
        /// window's; the genesis root if aborted) and the claim terms (token, N, bond, creditPerMember), all
        /// frozen from then on.
        bytes32 claimRoot;
        /// A community opened together: its members paid out by a claim that left nothing to record, a bit each
        /// (a word per 256 members) instead of a fresh member slot (`Settlement.isSettled`).
        mapping(uint256 word => uint256) settledBits;
    }

    /// @dev Number of communities opened so far (ids run from 1 to this; `communityCount`).
    uint64 internal _communityCount;
    /// @dev Number of module sets registered so far (ids run from 1 to this; `_moduleSets`), in the slot of
    /// `_communityCount`.
    uint32 internal _moduleSetCount;
    /// @dev Balance an address can pull with `withdraw(token)`, per token (`withdrawable`).
    mapping(IERC20 token => mapping(address holder => uint256)) internal _withdrawable;

    mapping(uint64 => Community) internal _communities;

    /// @dev Slots voided by a reported equivocation: community → (interval << 32 | meter) → when (block
    /// timestamp; 0 = not voided). A void applies only to claims submitted after it (review R4).
    mapping(uint64 => mapping(uint256 => uint64)) internal _voidedAt;

    /// @dev The constructor's allow-list (`isModuleEnabled`).
    mapping(address module => bool) internal _moduleEnabled;

    /// @dev Dispute commitment → the block it was made in (`disputeCommitments`).
    mapping(bytes32 commitment => uint256 blockNumber) internal _disputeCommitments;

    /// @dev The EIP-712 digests of the consents `openTogether` consumed: each opens one community only.
    mapping(bytes32 digest => bool) internal _consentUsed;

    /// @dev The registered module sets, by id (`HubSetup._moduleSetOf`): written once, never changed. A community
    /// names one by id instead of writing its own seven slots at every `open` (~155,000 gas).
    mapping(uint32 moduleSet => CommunityModules) internal _moduleSets;

    /// @dev `moduleSetKey(modules, market kind)` → the id of the set registered under it (0 = none yet).
    mapping(bytes32 key => uint32 moduleSet) internal _moduleSetIds;

    constructor() EIP712("DIVERSITY Hub", "1") {}

    function _existing(uint64 communityId) internal view returns (Community storage c) {
        c = _communities[communityId];
        if (c.status == CommunityStatus.None) revert IHub.UnknownCommunity(communityId);
    }

    /// @dev The modules of community `c` (its registered set).
    function _modules(Community storage c) internal view returns (CommunityModules storage) {
        return _moduleSets[c.moduleSet];
    }

    /// @dev Participants of `c` that are members: all of them in a community opened together (which writes no
    /// count), else those that joined.
    function _joinedOf(Community storage c) internal view returns (uint32) {
        return c.together ? c.participantCount : c.joinedCount;
    }

    /// @dev Tokens came in for the community.
    function _hold(Community storage c, uint256 amount) internal {
        c.pool.held = (uint256(c.pool.held) + amount).toUint128();
    }
}
