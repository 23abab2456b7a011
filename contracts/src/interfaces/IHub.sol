// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {
    Balance,
    ClaimTerms,
    CommunityInfo,
    CommunityModules,
    OpenConfig,
    RejectedClaim,
    WindowRecord
} from "../types/Community.sol";
import {MarketKind} from "../types/Market.sol";
import {DisputeKind} from "../types/Dispute.sol";

/// @title IHub
/// @notice The DIVERSITY hub: registry, escrow and bonds, and window results of many communities
/// (DESIGN.md §5). Errors and events of the hub and of its libraries live here.
interface IHub {
    // ------------------------------------------------------------------ errors: open

    /// @notice Thrown by `finalize` and `close` while a data-availability game of the community is open.
    error GameInProgress(uint64 communityId, uint32 window);
    /// @notice Thrown when a community id has never been opened.
    error UnknownCommunity(uint64 communityId);
    /// @notice Thrown when `open` gets an empty participant list.
    error NoParticipants();
    /// @notice Thrown when `open` gets more participants than fit in a signer bitmap.
    error TooManyParticipants(uint256 count, uint256 max);
    /// @notice Thrown when `open`'s packed participant list is not a whole number of 20-byte addresses.
    error MalformedParticipants(uint256 length);
    /// @notice Thrown when `open`'s packed meter list ends inside the record starting at byte `offset`
    /// (its 4-byte header or its key).
    error MalformedMeters(uint256 offset);
    /// @notice Thrown by `OpenCodec.encodeMeters` for a meter whose owner or key length does not fit its field.
    error MeterNotEncodable(uint256 meterIndex);
    /// @notice Thrown when a participant address is zero.
    error ZeroParticipant(uint256 index);
    /// @notice Thrown when a participant address appears twice.
    error DuplicateParticipant(address participant);
    /// @notice Thrown when `open` gets an empty meter list.
    error NoMeters();
    /// @notice Thrown when `open` gets more meters than `MeterRegistry.MAX_METERS`.
    error TooManyMeters(uint256 count, uint256 max);
    /// @notice Thrown when a meter's owner is not a participant index.
    error MeterOwnerOutOfRange(uint256 meterIndex, uint32 owner);
    /// @notice Thrown at open when a meter's owner is below its predecessor's: meters must be listed grouped
    /// by owner (owners non-decreasing), so each participant's running sum ends at its last meter (§4).
    error MetersNotGroupedByOwner(uint256 index);
    /// @notice Thrown when a meter's public key is longer than `MeterRegistry.MAX_KEY_LENGTH`.
    error InvalidMeterKey(uint256 meterIndex);
    /// @notice Thrown when the interval length is zero.
    error ZeroIntervalSeconds();
    /// @notice Thrown when W (intervals per window) is zero.
    error ZeroWindowIntervals();
    /// @notice Thrown when the window count is zero.
    error ZeroWindowCount();
    /// @notice Thrown when the end of the last window does not fit in a uint64 timestamp.
    error ScheduleOverflow();
    /// @notice Thrown when the challenge period is zero (a pending claim could never be disputed).
    error ZeroChallengePeriod();
    /// @notice Thrown when the payment token is the zero address.
    error ZeroToken();
    /// @notice Thrown when the grid buy tariff is below the grid sell tariff.
    error InvalidPrices(uint128 gridBuyPrice, uint128 gridSellPrice);
    /// @notice Thrown when windowCount · W does not fit in a uint32 interval number.
    error TooManyIntervals(uint256 intervals);
    /// @notice Thrown when a participant's window energy, W · meters · (2^32 − 1) Wh, could overflow uint64.
    error EnergyBoundOverflow(uint256 maxEnergyWh);
    /// @notice Thrown when the value of the largest window energy at the P2P price could exceed int128.
    error ValueBoundOverflow(uint256 maxValue);
    /// @notice Thrown when a community names a module that is not on the hub's allow-list.
    error ModuleNotEnabled(address module);
    /// @notice Thrown when the market module computes another market kind than the one configured.
    error MarketKindMismatch();
    /// @notice Thrown when a meter names a scheme index outside the community's meter schemes.
    error MeterSchemeOutOfRange(uint256 meterIndex, uint8 scheme);

    // ------------------------------------------------------------------ errors: membership and money

    /// @notice Thrown by `join` when the caller is not participant `index`: its genesis leaf (index,
    /// caller, escrow, 0, 0) is not under the genesis balances root with the given proof.
    error NotParticipant(uint64 communityId, address who);
    /// @notice Thrown when a participant joins twice.
    error AlreadyJoined(uint64 communityId, address participant);
    /// @notice Thrown when the caller never joined the community (`deposit`, `topUpBond`, an abort by
    /// `close`), or when `claim` names a member that never joined (an aborted community: it paid nothing
    /// in, it gets nothing out).
    error NotJoined(uint64 communityId, address participant);
    /// @notice Thrown when joining a community that is not waiting for joins.
    error CommunityNotOpening(uint64 communityId);
    /// @notice Thrown when a community is not Active (not everyone joined yet, or closed).
    error CommunityNotActive(uint64 communityId);
    /// @notice Thrown when acting on a closed community.
    error CommunityAlreadyClosed(uint64 communityId);
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when claiming before the community is closed.
    error CommunityNotClosed(uint64 communityId);
    /// @notice Thrown when a claimed leaf is not member `index`'s balance under the final balances root, or
    /// (`claimAll`, `index` = N) when the N leaves given are not the final balances root's, or (`claimRange`,
    /// `index` = its first) when the range's leaves are not.
    error InvalidBalanceProof(uint64 communityId, uint256 index);
    /// @notice Thrown when member `index` was already paid out by `claim` (once per member).
    error AlreadyClaimed(uint64 communityId, uint256 index);
    /// @notice Thrown by `claimShare` of a member not paid out yet or with nothing more to take, and by
    /// `claimAll` (`index` = N) or `claimRange` (`index` = its first) when it paid nobody.
    error NothingToClaim(uint64 communityId, uint256 index);
    /// @notice Thrown when a payout would exceed what the community holds: a bug, or a balances root
    /// (signed by everyone) that promises more than came in. One community never pays out another's money.
    error CommunityFundsExceeded(uint64 communityId, uint256 held, uint256 amount);
    /// @notice Thrown when the caller has nothing to withdraw in `token`.
    error NothingToWithdraw(IERC20 token, address holder);

    // ------------------------------------------------------------------ errors: windows

    /// @notice Thrown when a window index is not below the community's window count.
    error WindowOutOfRange(uint64 communityId, uint32 window, uint32 windowCount);
    /// @notice Thrown when updating a window that is already final (stale update).
    error WindowAlreadyFinal(uint64 communityId, uint32 window);
    /// @notice Thrown when updating a window other than the next one to finalize.
    error WindowOutOfOrder(uint64 communityId, uint32 window, uint32 expected);
    /// @notice Thrown when the window already has a pending claim.
    error WindowPending(uint64 communityId, uint32 window);
    /// @notice Thrown when the window's last interval has not ended yet.
    error WindowNotEnded(uint64 communityId, uint32 window, uint256 endsAt);
    /// @notice Thrown when a packed state is not 64 bytes per participant (lengths in bytes; `PackedState`).
    error StateLengthMismatch(uint256 expected, uint256 actual);
    /// @notice Thrown when a participant's `net` is -2^127 (|net| must fit in int128; `PackedState`).
    error NetOutOfRange(uint256 participantIndex);
    /// @notice Thrown when the `net` values of a packed state do not sum to zero (`PackedState`).
    error UnbalancedState(int256 sum);
    /// @notice Thrown when a partial claim's packed final state does not hash to its `stateHash`.
    error StateHashMismatch(bytes32 expected, bytes32 actual);
    /// @notice Thrown when a fully signed result carries a final state (nothing to pay for: every
    /// participant, the honest ones among them, holds S_W; review 3, B1).
    error UnexpectedFinalState();
    /// @notice Thrown when a claim (window, windowRoot, stateHash, balancesRoot) that was rejected is posted again.
    error ClaimWasRejected(uint64 communityId, bytes32 claimHash);
    /// @notice Thrown when `finalize` finds no pending window.
    error NoPendingWindow(uint64 communityId);
    /// @notice Thrown when the pending window's challenge period has not ended.
    error ChallengePeriodNotOver(uint64 communityId, uint32 window, uint256 endsAt);
    /// @notice Thrown when closing before the last window is final.
    error WindowsNotFinal(uint64 communityId, uint32 finalized, uint32 windowCount);

    // ------------------------------------------------------------------ errors: disputes

    /// @notice Thrown when a dispute was not committed by the caller (`commitDispute`) in an earlier block.
    error DisputeNotCommitted(bytes32 commitment);
    /// @notice Thrown when the named claim is neither pending in its challenge period nor a rejected
    /// claim before its deadline that a fraud proof could still slash.
    error ClaimNotDisputable(uint64 communityId, uint32 window, bytes32 claimHash);
    /// @notice Thrown when a rejected claim's signers were already slashed for it (once per claim).
    error ClaimAlreadySlashed(uint64 communityId, bytes32 claimHash);
    /// @notice Thrown when a reading-mismatch dispute targets a slot voided for an equivocation.
    error SlotVoided(uint32 meterIndex, uint32 interval);
    /// @notice Thrown when a voided-slot dispute targets a slot that is not voided.
    error SlotNotVoided(uint32 meterIndex, uint32 interval);
    /// @notice Thrown when an equivocation of that slot was already proven (each is slashed once).
    error SlotAlreadyVoided(uint32 meterIndex, uint32 interval);
    /// @notice A signer of a partial claim holds less than the configured bond (review R6: only a signer
    /// with something at stake counts); it may `topUpBond`.
    error BondNotWhole(uint64 communityId, uint256 participantIndex);
    /// @notice `topUpBond` by a participant whose bond is already whole.
    error BondAlreadyWhole(uint64 communityId, address participant);
    /// @notice Thrown while the community's slash is pending (it did not fit one transaction, DESIGN.md §5.3):
    /// by another slash, by `close` (the offenders not slashed yet would be paid out whole), and by a
    /// partial claim while bonds are still being taken (a bond not taken yet only looks whole, review R6).
    /// Anyone may finish it with `continueSlash`.
    error SlashPending(uint64 communityId);
    /// @notice `continueSlash` with no slash pending.
    error NoSlashPending(uint64 communityId);
    /// @notice `openTogether` after the consents' deadline.
    error ConsentExpired(uint256 deadline);
    /// @notice `openTogether` with consents that already opened a community (the same config and deadline).
    error ConsentUsed(bytes32 digest);
    /// @notice `openTogether` with a consent list that is not one 64-byte signature per participant.
    error MalformedConsents(uint256 length);
    /// @notice `openTogether` with a consent participant `index` did not sign (another signer, another config,
    /// another deadline, hub or chain, or a high-s signature).
    error ConsentNotSigned(uint256 index);
    /// @notice `openTogetherWithPermits` with a permit list that is not one 64-byte entry per participant.
    error MalformedPermits(uint256 length);

    // ------------------------------------------------------------------ events

    /// @notice Emitted at open with the participant list (index order, packed: 20 bytes per address,
    /// `OpenCodec`): nodes read it from here, the hub keeps only its count and the genesis balances root.
    event ParticipantsListed(uint64 indexed communityId, bytes participants);
    /// @notice Emitted when a community is opened.
    event CommunityOpened(
        uint64 indexed communityId,
        address indexed opener,
        IERC20 indexed token,
        uint256 participantCount,
        uint256 meterCount,
        bytes32 meterRoot
    );
    /// @notice Emitted when a participant joins and deposits its bond and escrow.
    event Joined(uint64 indexed communityId, address indexed participant, uint256 bond, uint256 escrow);
    /// @notice Emitted when the last participant joined and windows can be updated.
    event CommunityActivated(uint64 indexed communityId);
    /// @notice Emitted when a member adds to its on-chain credit (paid at close; it backs its debt).
    event Deposited(uint64 indexed communityId, address indexed participant, uint256 amount);
    /// @notice Emitted when a result signed by some but not all participants is accepted as pending.
    event WindowClaimed(
        uint64 indexed communityId,
        uint32 indexed window,
        address indexed submitter,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        uint256[] signers,
        uint256 challengeEndsAt
    );
    /// @notice Emitted when a window's result becomes final (its balances root is the next one's start).
    /// For a result final at once (signed by everyone) this event is where its windowRoot and stateHash
    /// are kept: the hub stores only its balances root (`WindowRecord`).
    event WindowFinalized(
        uint64 indexed communityId,
        uint32 indexed window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        uint256[] signers
    );
    /// @notice Emitted when a claim is rejected (disproven, or replaced by a fully signed result): it can
    /// never be posted again; `slashed` says whether its signers were slashed.
    event ClaimRejected(
        uint64 indexed communityId, uint32 indexed window, bytes32 claimHash, uint256[] signers, bool slashed
    );
    /// @notice Emitted when a fully signed result replaces the pending claim `replaced` of a window.
    event ClaimSuperseded(uint64 indexed communityId, uint32 indexed window, bytes32 replaced, bytes32 claimHash);
    /// @notice Emitted when a challenger commits to a dispute (commit–reveal).
    event DisputeCommitted(address indexed challenger, bytes32 commitment);
    /// @notice Emitted once per module of the constructor allow-list.
    event ModuleEnabled(address indexed module);
    /// @notice Emitted when a dispute succeeds: a fraud proven against the pending claim of `window`
    /// (followed by `ClaimRejected`), or an equivocation in `window` (its slot is now `isVoided`).
    event Disputed(uint64 indexed communityId, uint32 indexed window, DisputeKind kind, address indexed challenger);
    /// @notice Emitted when bonds are slashed: `amount` in all, `reward` of it to the challenger's
    /// withdrawable balance, the rest in equal parts to the on-chain credit of the participants not slashed.
    event Slashed(uint64 indexed communityId, address indexed challenger, uint256 amount, uint256 reward);
    /// @notice Emitted when member `index` is paid out at close: `paid` to `participant` (escrow + bond +
    /// credit − `repaid`, plus its share of the repaid pool for a claim holder); `repaid` of its debt
    /// went to the repaid pool.
    event Claimed(
        uint64 indexed communityId, uint256 indexed index, address indexed participant, uint256 paid, uint256 repaid
    );
    /// @notice Emitted when member `index`'s on-chain fine (what an equivocation's fixed cost could not take
    /// from its bond and credit, review 3 B2) is taken from its funds at `claim`, before its debt: the
    /// `amount` stays in the hub, paid to nobody (review R4).
    event FineCollected(uint64 indexed communityId, uint256 indexed index, uint256 amount);
    /// @notice Emitted when a paid-out claim holder takes what the repaid pool grew since (`claimShare`).
    event ClaimShared(uint64 indexed communityId, uint256 indexed index, address indexed participant, uint256 amount);
    /// @notice Emitted when a community closes: members can `claim` from then on.
    event CommunityClosed(uint64 indexed communityId, uint32 finalizedWindows);
    /// @notice Emitted when a participant tops its bond back up to the configured bond.
    event BondToppedUp(uint64 indexed communityId, address indexed participant, uint256 amount);
    /// @notice Emitted when a partial claim's deposit goes back to its submitter (the claim finalized or
    /// was replaced by a fully signed result); a rejected claim's deposit is shared out as a slash.
    event ClaimDepositReturned(
        uint64 indexed communityId, uint32 indexed window, address indexed submitter, uint256 amount
    );
    /// @notice Emitted when an account pulls its withdrawable balance.
    event Withdrawn(address indexed holder, IERC20 indexed token, uint256 amount);
    /// @notice Emitted when a module set is registered (`registerModules`, or the first `open` naming it);
    /// `key` is keccak256(abi.encode(modules, kind)).
    event ModulesRegistered(uint32 indexed moduleSet, bytes32 indexed key);

    // ------------------------------------------------------------------ lifecycle

    /// @notice Registers a community; participants then `join`. Stores no participant list: only its
    /// count and the genesis balances root (`Balances.genesis` of the list and the escrow), and emits the
    /// list in `ParticipantsListed`.
    /// @param config Participants and meters (packed, `OpenCodec`), schedule, market, token, bond, escrow and
    /// challenge period.
    /// @return communityId The new id (1, 2, ...).
    function open(OpenConfig calldata config) external returns (uint64 communityId);

    /// @notice Registers the module set (`modules`, market `kind`) once for this hub, or returns its id if it
    /// is registered already. Every module must be on the allow-list (`ModuleNotEnabled`) and the market must
    /// compute `kind` (`MarketKindMismatch`), checked here once. A community's `open` names its set by value
    /// (`OpenConfig.modules`) and registers it if it is new: registering beforehand (a hub's deployer for the
    /// sets its communities use) spares each opening the set's seven slots and checks. Anyone may register.
    /// @return moduleSet The set's id (1, 2, ...), the same for the same set and kind.
    function registerModules(CommunityModules calldata modules, MarketKind kind) external returns (uint32 moduleSet);

    /// @notice Opens a community every participant has agreed to, in one transaction: each participant's
    /// consent is checked, its bond and escrow are pulled (`transferFrom`, approved beforehand) and the community
    /// is Active at once. No member slot or index is written (DESIGN.md §5.6, "Opening together"). A consent is
    /// participant i's EIP-712 signature (this hub's domain) of `OpenConsent(bytes32 config, uint256 deadline)`,
    /// `config` = keccak256(abi.encode(config)): it binds the whole configuration (participants, meters,
    /// modules, token, bond, escrow, schedule, market), and opens one community only (`ConsentUsed`). The
    /// co-signature scheme must take an empty key (`register`): the ECDSA signer set does, BLS does not (its
    /// members `join` with a proof of possession).
    /// @param config As for `open`.
    /// @param deadline Last block timestamp the consents are good for (`ConsentExpired`).
    /// @param consents One 64-byte EIP-2098 signature (r ‖ yParityAndS) per participant, in index order.
    /// @return communityId The new id.
    function openTogether(OpenConfig calldata config, uint256 deadline, bytes calldata consents)
        external
        returns (uint64 communityId);

    /// @notice `openTogether`, each participant's deposit allowed by its EIP-2612 permit in the same transaction:
    /// a participant needs no `approve` transaction (nor ether) to open. Permit i is participant i's signature,
    /// under the token's EIP-712 domain, of `Permit(owner = participant i, spender = this hub, value = bond +
    /// escrow, nonce, deadline = deadline)`; 64 zero bytes stand for a participant that approved beforehand. A
    /// permit is submitted to the token and its outcome ignored (one front-run from the mempool has set the same
    /// allowance): the deposit's `transferFrom` is the check, and fails for a bad permit.
    /// @param config As for `open`.
    /// @param deadline The consents' deadline and every permit's.
    /// @param consents As for `openTogether`.
    /// @param permits One 64-byte EIP-2098 signature (r ‖ yParityAndS) or 64 zero bytes per participant, in
    /// index order (`MalformedPermits`).
    /// @return communityId The new id.
    function openTogetherWithPermits(
        OpenConfig calldata config,
        uint256 deadline,
        bytes calldata consents,
        bytes calldata permits
    ) external returns (uint64 communityId);

    /// @notice Proves the caller is participant `index` (its genesis leaf (index, caller, escrow, 0, 0)
    /// under the genesis balances root, else `NotParticipant`), deposits its bond and escrow (pulled with
    /// `transferFrom`) and registers its co-signing key with the community's co-signature module; the
    /// community becomes Active when every participant has joined.
    /// @param communityId The community.
    /// @param index The caller's index in the participant list.
    /// @param proof The genesis leaf's siblings, bottom-up (`MerkleTree.depth(participantCount)` of them).
    /// @param keyData Scheme-specific key material (ECDSA: empty; BLS: public key ‖ proof of possession).
    function join(uint64 communityId, uint256 index, bytes32[] calldata proof, bytes calldata keyData) external;

    /// @notice Adds to the caller's on-chain credit (caller must be a member: joined, or listed in a community
    /// opened together; not closed): paid at close
    /// with its escrow and bond, and it backs the caller's debt there.
    /// @param communityId The community.
    /// @param amount Token units pulled with `transferFrom`.
    function deposit(uint64 communityId, uint256 amount) external;

    /// @notice Tops the caller's bond back up to the configured bond (after a slash or a timeout
    /// penalty): only a signer whose bond is whole counts for a partial claim (review R6).
    /// @param communityId The community (the caller must be a member; not closed).
    function topUpBond(uint64 communityId) external;

    /// @notice Submits a window's result signed (EIP-712 `WindowResult`) by one or more participants.
    /// @dev Signed by all: final at once, replacing a pending claim of the window if there is one (that
    /// claim is recorded as rejected without slashing, its deposit returned). Signed by some: pending for
    /// the challenge period, then final; reverts `WindowPending` while another claim is pending, and
    /// `BondNotWhole` unless every signer holds the whole configured bond (review R6); the caller pays
    /// the claim deposit (`CLAIM_DEPOSIT_BPS` of the bond, pulled with `transferFrom`), returned when the
    /// claim finalizes or is replaced, shared out like a slash when it is rejected (review R9). A claim
    /// rejected before reverts `ClaimWasRejected`, unless it was only lost by a missed move deadline. Window `window` must be the next one to finalize (a pending
    /// predecessor whose challenge period has ended is finalized first, here) and its last interval must
    /// have ended.
    /// @param communityId The community.
    /// @param window The window index.
    /// No account write. A fully signed result is flat in N: no final state in calldata (every signer,
    /// the honest ones among them, holds S_W: nothing to pay for), `UnexpectedFinalState` if one is
    /// given. A partial claim carries its final state packed (`PackedState`, 64 bytes per participant),
    /// checked and not stored: 64·N bytes, no net of −2^127, Σ net = 0 (`StateLengthMismatch`,
    /// `NetOutOfRange`, `UnbalancedState`), and its hash equal to `stateHash` (`StateHashMismatch`). It
    /// puts S_W in the chain's data, so a node that did not fold the window (a reading withheld from it,
    /// or offline) can still rebuild balances(w) from the update's input and prove a later window's
    /// balances wrong (review 3, B1).
    /// @param windowRoot Merkle root over the window's leaves (DESIGN.md §4).
    /// @param stateHash StateHash.hash(S_W) of the window's final state.
    /// @param balancesRoot The balances root after the window's reaction (`Balances`, DESIGN.md §5.6).
    /// @param finalState S_W packed (`PackedState`) for a partial claim; empty for a fully signed result.
    /// @param coSignature The co-signature in the community's scheme (ECDSA: the `EcdsaSignerSet`
    /// bitmap and 64-byte EIP-2098 signatures in index order; BLS: bitmap, aggregate, named keys).
    function update(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        bytes calldata finalState,
        bytes calldata coSignature
    ) external;

    /// @notice Finalizes the pending window once its challenge period has ended; anyone may call.
    /// @param communityId The community.
    function finalize(uint64 communityId) external;

    /// @notice Closes the community in O(1): after its last window is final and no data-availability
    /// game of the community is open (else `GameInProgress`: end it first), or, before it became Active,
    /// on the request of a member that joined (abort). Members are then paid by `claim` from the last
    /// window's balances root (an aborted community: the genesis root), which `close` commits with the claim
    /// terms in the community's claim root (`Balances.claimRoot`, one fresh slot).
    /// @param communityId The community.
    function close(uint64 communityId) external;

    /// @notice Pays member `index` out of a closed community; anyone may call it for any member (a
    /// creditor can force a debtor to settle), once per member (`AlreadyClaimed`). `leaf` must be the
    /// member's balance under the final balances root (`InvalidBalanceProof`); a member that never
    /// joined gets nothing (`NotJoined`). funds = leaf.escrow + bond + credit, less the member's on-chain
    /// fine first (min(fine, funds), kept by the hub, `FineCollected`); repaid = min(leaf.debt,
    /// funds) goes to the repaid pool; `leaf.participant` gets funds − repaid plus, for a claim holder,
    /// floor(repaidPool · leaf.claim / totalClaims) (recorded as its `claimTaken`, in the member's own slot
    /// with its settled state: `Member`). Paid by a direct transfer; one the token refuses waits in
    /// `withdrawable` (review 3, B3). `terms` must be the community's (`community`: token, participantCount, bond, creditPerMember), as `close` committed
    /// them with the final balances root (`InvalidBalanceProof` otherwise, like a wrong leaf).
    /// @param communityId The community.
    /// @param terms The community's claim terms (`ClaimTerms`; `community` reports them).
    /// @param index The member's index.
    /// @param leaf The member's balance in the final balances root.
    /// @param totalClaims Σ claim of the final balances (committed in the root).
    /// @param proof The leaf's siblings, bottom-up (`MerkleTree.depth(participantCount)` of them).
    function claim(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external;

    /// @notice Pays a claim holder already paid out by `claim` what the repaid pool grew since:
    /// floor(repaidPool · leaf.claim / totalClaims) − claimTaken (`NothingToClaim` if 0). Anyone may call.
    /// @param communityId The community.
    /// @param terms The community's claim terms (`ClaimTerms`).
    /// @param index The member's index.
    /// @param leaf The member's balance in the final balances root.
    /// @param totalClaims Σ claim of the final balances.
    /// @param proof The leaf's siblings, bottom-up.
    function claimShare(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external;

    /// @notice Pays every member of a closed community not paid yet, in one transaction: what `claim` pays
    /// each (in index order), then what `claimShare` pays each claim holder, so the repaid pool is out
    /// (`Settlement.payAll`). Anyone may call. `leaves` are all N leaves of the final balances root, in index
    /// order (the tree is rebuilt from them: `InvalidBalanceProof(communityId, N)` if they or `terms` are not
    /// what `close` committed). Members never joined or paid already are skipped; `NothingToClaim(communityId,
    /// N)` if nobody was paid. Its gas grows with N: a community too large for one transaction uses `claim`.
    /// @param communityId The community.
    /// @param terms The community's claim terms (`ClaimTerms`).
    /// @param leaves Every member's balance in the final balances root, in index order.
    /// @param totalClaims Σ claim of the final balances.
    function claimAll(uint64 communityId, ClaimTerms calldata terms, Balance[] calldata leaves, uint256 totalClaims)
        external;

    /// @notice `claimAll` for one aligned subtree of the final balances tree: pays the members `first`,
    /// `first` + 1, … of `leaves` not paid yet, then the claim holders among them their shares of the repaid
    /// pool as it stands (`Settlement.payRange`), so a community too large for one `claimAll` is paid in a few
    /// batches (e.g. N = 1,000 in four of 256) instead of a `claim` per member. The subtree's height h is the
    /// tree's depth less `proof.length`; `first` is a multiple of 2^h and `leaves` are exactly the subtree's
    /// real leaves (min(2^h, N − first) of them; the hub pads the rest as the tree does). A creditor whose debtor
    /// is in a later batch takes the rest of its share with `claimShare`. `InvalidBalanceProof(communityId,
    /// first)` if the range is not one (misaligned, starting at or past N, wider than 2^h, a proof longer than the
    /// depth) or its leaves, proof or `terms` are not what `close` committed; `NothingToClaim(communityId, first)`
    /// if nobody was paid.
    /// @param communityId The community.
    /// @param terms The community's claim terms (`ClaimTerms`).
    /// @param first The subtree's first index (a multiple of its width 2^h).
    /// @param leaves The subtree's members' balances in the final balances root, in index order.
    /// @param totalClaims Σ claim of the final balances.
    /// @param proof The subtree root's siblings, bottom-up (the leaf proof of `first` less its h lowest).
    function claimRange(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 first,
        Balance[] calldata leaves,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external;

    /// @notice Sends the caller its whole withdrawable balance of `token`.
    /// @param token The token.
    function withdraw(IERC20 token) external;

    /// @notice Commits to a dispute before revealing it: `commitment` = keccak256(abi.encode(msg.sender,
    /// communityId, window, kind, keccak256(proof))). The dispute can be revealed from the next block on.
    function commitDispute(bytes32 commitment) external;

    /// @notice Disputes a claim with a fraud proof (DESIGN.md §5); anyone may call, after committing
    /// to it (`commitDispute`) in an earlier block; the reward goes to the revealer.
    /// @dev Claim kinds (ReadingMismatch, ForgedReading, BadStep, BadFinalState, VoidedSlot, BadBalances)
    /// name the claim (window, windowRoot, stateHash, balancesRoot): the window's pending claim in its challenge period, or a
    /// rejected claim before its original deadline (only a fraud verdict applies to it: it slashes the
    /// signers who escaped with a good-faith rejection). A proven fraud rejects and slashes the whole
    /// bond of every signer, at most once per claim; a good-faith error (an omission, or a reading kept
    /// in a voided slot, when the meter's owner did not sign) rejects without slashing. Rejecting a
    /// pending claim for any reason forfeits its claim deposit, shared out with the slash (review R9). Equivocation
    /// (windowRoot and stateHash ignored) may come any time while the community is Active, once per
    /// slot: it voids the slot (recording when: a void applies only to claims submitted after it, review
    /// R4) and takes `DisputeVerifier.EQUIVOCATION_SLASH_BPS` of the configured bond from the meter
    /// owner's bond, then from its on-chain credit once the bond is spent. Split of every slash: each participant not slashed gets
    /// floor(total · (1 − CHALLENGER_SHARE_BPS / 10⁴) / count) into its on-chain credit, the caller the rest
    /// into its withdrawable balance; a caller that is itself slashed gets nothing (all goes to the
    /// others). Money is conserved exactly. A proof that does not prove what its kind says reverts.
    /// @param communityId The community.
    /// @param window The disputed window (for an equivocation: the window of its interval).
    /// @param windowRoot The disputed claim's windowRoot (zero for an equivocation).
    /// @param stateHash The disputed claim's stateHash (zero for an equivocation).
    /// @param balancesRoot The disputed claim's balancesRoot (zero for an equivocation).
    /// @param kind Which proof `proof` is.
    /// @param proof abi.encode of the proof struct of `kind` (types/Dispute.sol).
    function dispute(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        DisputeKind kind,
        bytes calldata proof
    ) external;

    /// @notice Plays one move of the data-availability game (DESIGN.md §5.4) of the community's game
    /// module: `move` = abi.encode(GameMove). The hub pushes the window's pending claim to the module
    /// and applies its outcome: a challenge pulls the challenge bond from the caller (transferFrom) and
    /// keeps the claim from finalizing until the game ends; a claimant side that misses a deadline has
    /// its claim rejected (not banned: it may be posted again, review R5), each signer pays the bounded
    /// timeout penalty (`CLAIM_DEPOSIT_BPS` of the configured bond, from its bond), which is shared out
    /// with the claim deposit as in `dispute` (the challenger in the caller's place), and the bond is
    /// returned; a challenge fully answered (or a challenger that
    /// misses its deadline) gives the bond to the claim's signers (equal parts into their on-chain credit); a game
    /// against a claim no longer pending returns the bond. Money is conserved exactly.
    /// @param communityId The community.
    /// @param window The window of the claim played on.
    /// @param move abi.encode(GameMove).
    function playGame(uint64 communityId, uint32 window, bytes calldata move) external;

    /// @notice Goes on with the community's pending slash (one that did not fit the transaction that
    /// triggered it, `Settlement.SLASH_PAGE` member slots a transaction): the next page of bonds taken or of
    /// shares written. Anyone may call it, until the slash is done (DESIGN.md §5.3). `NoSlashPending` without one.
    /// @param communityId The community.
    function continueSlash(uint64 communityId) external;

    // ------------------------------------------------------------------ views

    /// @notice Whether a community may name `module` (fixed in the constructor).
    function isModuleEnabled(address module) external view returns (bool);

    /// @notice Block in which `commitment` was first committed (0 = never, or consumed).
    function disputeCommitments(bytes32 commitment) external view returns (uint256);

    /// @notice claimHash = keccak256(abi.encode(window, windowRoot, stateHash, balancesRoot)).
    function claimHash(uint32 window, bytes32 windowRoot, bytes32 stateHash, bytes32 balancesRoot)
        external
        pure
        returns (bytes32);

    /// @notice The record of a rejected claim (deadline 0 = never rejected).
    function rejectedClaim(uint64 communityId, bytes32 claimHash) external view returns (RejectedClaim memory);

    /// @notice Whether the slot (meter, interval) was voided by a reported equivocation.
    function isVoided(uint64 communityId, uint32 meterIndex, uint32 interval) external view returns (bool);

    /// @notice Number of communities opened so far (ids run from 1 to this).
    function communityCount() external view returns (uint64);

    /// @notice Configuration and progress of a community.
    function community(uint64 communityId) external view returns (CommunityInfo memory);

    /// @notice The root of the registered meters' records (`MeterRegistry`: owner, scheme, key hash by meter
    /// index). The list itself is in the `open` transaction's calldata (`HubClient.meters` reads and checks it).
    function meterRoot(uint64 communityId) external view returns (bytes32);

    /// @notice The balances root after the community's last final window (0 before the first). The hub keeps no
    /// other root of a final window (s16): an older one is in that window's `WindowFinalized` event. Its own view,
    /// not a `CommunityInfo` field: modules that read `community` (the order book) would pay its cold slot.
    function finalBalancesRoot(uint64 communityId) external view returns (bytes32);

    /// @notice The stored result of a window: status, roots, submission time, signer bitmap. A result final
    /// at once reads as signed by everyone, with windowRoot, stateHash, balancesRoot, submittedAt and submitter
    /// 0: its roots are in its `WindowFinalized` event (see `WindowRecord`).
    function windowRecord(uint64 communityId, uint32 window) external view returns (WindowRecord memory);

    /// @notice What the hub keeps of member `index`: its bond (configured bond − bondMissing), its
    /// on-chain credit, whether it was paid out (`claim`), what it took of the repaid pool so far, and its
    /// on-chain fine (taken from its funds at `claim`, before its debt; review 3, B2). The signed credit is
    /// the member's stored `Member.credit` plus the community's per-member accumulator (slash shares and
    /// lost game bonds, `Settlement`): at most one of credit and fine is non-zero. Once paid out, bond,
    /// credit and fine read 0 (they went with the claim; read them at the close block for what was paid).
    function member(uint64 communityId, uint256 index)
        external
        view
        returns (uint256 bond, uint256 credit, bool settled, uint256 claimTaken, uint256 fine);

    /// @notice Balance `holder` can pull with `withdraw(token)`.
    function withdrawable(IERC20 token, address holder) external view returns (uint256);

    // The EIP-712 domain (name "DIVERSITY Hub", version "1", this chain, this hub) is `eip712Domain()`
    // (ERC-5267); the digest participants sign is WindowResult.structHash under it.
}
