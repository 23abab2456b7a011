// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MarketParams} from "./Market.sol";
import {ICoSignatureScheme} from "../interfaces/ICoSignatureScheme.sol";
import {IDataAvailabilityGame} from "../interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../interfaces/IDisputeVerifier.sol";
import {IMarketStep} from "../interfaces/IMarketStep.sol";
import {IMeterScheme} from "../interfaces/IMeterScheme.sol";

/// @notice A registered meter: its public key, the scheme of the key, and the participant owning it.
struct Meter {
    bytes publicKey;
    /// Index into the community's `CommunityModules.meterSchemes` (the demo lists Ed25519 at 0, P-256 at 1).
    uint8 scheme;
    /// Index into the community's participant list.
    uint32 owner;
}

/// @notice The modules a community names at open; each must be on the hub's constructor allow-list.
struct CommunityModules {
    /// Checks the fraud proofs of disputes (DESIGN.md §5).
    IDisputeVerifier verifier;
    /// The market function F, recomputed by the verifier in a bad-step dispute.
    IMarketStep market;
    /// Verifies the participants' co-signatures of a window result.
    ICoSignatureScheme coSignature;
    /// Meter signature schemes, indexed by `Meter.scheme`.
    IMeterScheme[] meterSchemes;
    /// The data-availability game (DESIGN.md §5.4); its instance fixes the move deadline and challenge bond.
    IDataAvailabilityGame game;
}

/// @notice Everything `Hub.open` registers for a community (DESIGN.md §5), its lists packed (`OpenCodec`): the
/// ABI's arrays would not fit a relayable transaction at N = M = 1,000.
struct OpenConfig {
    /// Node addresses, one per participant, packed (20 bytes each, `OpenCodec`); the index is the participant's
    /// id in the window state.
    bytes participants;
    /// The meter records, packed (scheme ‖ uint16 owner ‖ uint8 key length ‖ key each, `OpenCodec`).
    bytes meters;
    /// Length of one interval in seconds (DESIGN.md default 900).
    uint32 intervalSeconds;
    /// W: intervals per window.
    uint32 windowIntervals;
    /// Timestamp at which interval 0 starts.
    uint64 start;
    /// Number of windows; the community can close after the last one is final.
    uint32 windowCount;
    MarketParams market;
    /// ERC-20 in which bonds, escrow and the reaction are paid (no fee-on-transfer or rebasing tokens).
    IERC20 token;
    /// Bond each participant deposits at join (token units).
    uint128 bond;
    /// Escrow each participant deposits at join (token units).
    uint128 escrow;
    /// Seconds a result signed by some but not all participants stays pending.
    uint32 challengePeriod;
    /// Verifier, market step, co-signature scheme and meter schemes (allow-listed by the hub).
    CommunityModules modules;
}

/// @notice A community's configuration with its two lists as arrays: what `OpenCodec.encode` packs into the
/// `OpenConfig` that `Hub.open` takes (tests, scripts).
struct CommunityConfig {
    /// Node addresses, one per participant; the index is the participant's id in the window state.
    address[] participants;
    Meter[] meters;
    /// Length of one interval in seconds (DESIGN.md default 900).
    uint32 intervalSeconds;
    /// W: intervals per window.
    uint32 windowIntervals;
    /// Timestamp at which interval 0 starts.
    uint64 start;
    /// Number of windows; the community can close after the last one is final.
    uint32 windowCount;
    MarketParams market;
    /// ERC-20 in which bonds, escrow and the reaction are paid (no fee-on-transfer or rebasing tokens).
    IERC20 token;
    /// Bond each participant deposits at join (token units).
    uint128 bond;
    /// Escrow each participant deposits at join (token units).
    uint128 escrow;
    /// Seconds a result signed by some but not all participants stays pending.
    uint32 challengePeriod;
    /// Verifier, market step, co-signature scheme and meter schemes (allow-listed by the hub).
    CommunityModules modules;
}

/// @notice Lifecycle of a community.
enum CommunityStatus {
    /// No community under this id.
    None,
    /// Opened; waiting for every participant to join.
    Opening,
    /// Everyone joined; windows can be updated.
    Active,
    /// Closed (after the last window, or aborted before becoming Active); members `claim` their money.
    Closed
}

/// @notice Lifecycle of one window's result.
enum WindowStatus {
    None,
    /// Signed by some but not all participants; final once the challenge period has passed.
    Pending,
    /// Final: its balances root is the one the next window (or the close) starts from.
    Final
}

/// @notice What the hub keeps of a rejected claim (keyed by claimHash = keccak256(abi.encode(window,
/// windowRoot, stateHash, balancesRoot))): it stays disputable for fraud until its original challenge deadline, its
/// signers are slashed for fraud at most once, and it can never be posted again unless it was only
/// lost by a missed move deadline of the data-availability game (`timedOut`, review R5).
struct RejectedClaim {
    /// The claim's signer set as one word (`SignerBitmap.ref`): the bitmap itself (bit i set = participant
    /// i signed) for N ≤ 256, else keccak256 of its ⌈N/256⌉ words, stored under it (`Hub.signerSet`).
    uint256 signers;
    /// The claim's original challenge deadline (submittedAt + challengePeriod); 0 = never rejected.
    uint64 deadline;
    /// Whether the signers were slashed for it (proven fraud: whole bonds, or the owner's for an owner fault).
    bool slashed;
    /// Lost by a missed move deadline (not proven wrong): it may be posted again (review R5). Cleared
    /// when a fraud proof against it lands later.
    bool timedOut;
    /// Of a claim rejected without a slash (still disputable for fraud): the balances root it started from (the
    /// last final window's when it was rejected, the genesis root for window 0). A BadBalances dispute of it
    /// reads this, since the hub keeps only the latest final root (`Hub.Community.finalBalancesRoot`, s16) and
    /// later windows may be final by then. 0 for a slashed claim (never disputed again).
    bytes32 previousBalancesRoot;
}

/// @notice What the hub stores for one window's result.
/// @dev A result signed by every participant is final at once; for it the hub writes no record at all, only
/// the community's final balances root (`Hub.Community.finalBalancesRoot`, one slot overwritten by each final
/// window since s16), the one root a rule on chain reads of a final window (the next window's BadBalances start,
/// the claims at close). The `windowRecord` view derives `status` = Final and `signers` = everyone, and
/// reports `windowRoot`, `stateHash`, `balancesRoot`, `submittedAt` and `submitter` as 0: the
/// `WindowFinalized` event has the roots, its block and transaction the rest. No dispute or game applies to a
/// final window, so nothing on chain reads those zeros; nodes take the roots from the event
/// (`HubClient.windowRecord`). A pending claim that finalizes later keeps its whole record.
struct WindowRecord {
    bytes32 windowRoot;
    /// StateHash.hash(S_W) of the window's final state.
    bytes32 stateHash;
    /// The balances root after the window's reaction (`Balances`, DESIGN.md §5.6) of a pending claim (and of a
    /// claim that finalized after its challenge period); once final, the hub's rules read it from
    /// `Hub.Community.finalBalancesRoot`: what members are paid from at close (the last window's), and what a
    /// BadBalances dispute of the next window starts from.
    bytes32 balancesRoot;
    /// The signer set as one word (`SignerBitmap.ref`): the bitmap itself (bit i set = participant i
    /// signed) for N ≤ 256, else keccak256 of its ⌈N/256⌉ words, stored under it (`Hub.signerSet`).
    uint256 signers;
    /// Block timestamp of the accepted update.
    uint64 submittedAt;
    WindowStatus status;
    /// Who posted it; of a pending claim, who paid the claim deposit (returned to it when the claim finalizes).
    address submitter;
}

/// @notice One participant's position after a window's reaction: a leaf of the balances root
/// (`Balances`, DESIGN.md §5.6). Token units.
struct Balance {
    /// The participant's node address (paid at close).
    address participant;
    /// Escrow: pays (and receives) the reaction.
    uint256 escrow;
    /// What the reaction could not collect from the escrow; repaid at close from the member's funds.
    uint256 debt;
    /// What the participant was owed but not paid because debtors were short; paid from repaid debt.
    uint256 claim;
}

/// @notice What a claim needs of its community besides the member's own slot and `held` / `repaidPool`, all
/// frozen from `close` on (no update, slash, game or top-up reaches a closed community). `close` commits to them
/// with the final balances root (`Balances.claimRoot`, stored as the community's claim root); a claimer passes
/// them (`Hub.community` reports them) and the hub checks them against that root instead of reading them from
/// three cold slots (DESIGN.md §5.6, "Gas": 4,200 gas a claim, for ~900 of calldata).
struct ClaimTerms {
    /// The community's token (what the claim pays in).
    IERC20 token;
    /// N: the depth of the balances tree, and the bound on `index`.
    uint32 participantCount;
    /// The configured bond (a member's bond is this less its `bondMissing`).
    uint128 bond;
    /// What every member received through slashes and lost game bonds (`Member.credit`).
    uint128 creditPerMember;
    /// Closed before every participant joined (`close` of an Opening community): only a `Joined` member is
    /// paid. Otherwise every participant is a member, `None` too (a community opened together writes no member
    /// slot, `Hub.openTogether`). `Hub.community`: joinedCount < participantCount.
    bool aborted;
}

/// @notice A community's money on the hub, one slot (`claim` reads and writes it; `Settlement.payClaim`).
struct Pool {
    /// Tokens held for this community (`Hub`'s dev note): no payout of the community may exceed it.
    uint128 held;
    /// Debt repaid at close so far, shared by the claim holders pro rata to their claims.
    uint128 repaidPool;
}

/// @notice Where a member is in its lifecycle (`Member.state`).
enum MemberState {
    /// No slot written: a listed participant that did not join an aborted community, or a member of a community
    /// opened together (`Hub.openTogether`, no join), or no participant. `ClaimTerms.aborted` tells them apart.
    None,
    /// Joined (set once, at join); not paid out yet.
    Joined,
    /// Paid out by `claim` (after close): its bond and credit were paid, `Member.bondMissing` now holds
    /// what it took of the repaid pool (its `claimTaken`).
    Settled
}

/// @notice What the hub keeps on chain of one member (token units), in one slot: a claim reads and writes
/// this slot only for the member (DESIGN.md §5.6; its escrow, debt and claim live in the balances root). A
/// fresh member is whole: only `state` is set (at join, so that a later slash writes a non-zero slot: 5,000
/// gas per offender instead of 22,100, what lets a claim of 1,000 signers be slashed in one transaction).
struct Member {
    /// Joined: what the member's bond lacks of the configured bond (slashes, timeout penalties); the bond
    /// is configured bond − bondMissing. `topUpBond` makes it 0.
    /// Settled: what the member took of the repaid pool so far (`claimTaken`, `claim` and `claimShare`).
    /// The claim paid the bond out, so nothing reads the bond of a settled member (slashes, top-ups and the
    /// whole-bond check need a community that is not closed); reusing the field saves a claim holder a
    /// fresh slot (20,000 gas).
    uint128 bondMissing;
    /// The member's stored credit; its on-chain balance (its credit) is this plus the community's
    /// `creditPerMember` (what every member received through slashes and lost game bonds, written once per
    /// slash instead of once per member; whoever must not receive a share has it subtracted here,
    /// `Settlement`). The credit is what the member received or added during the run (a slash share, a lost
    /// game bond's share, a `deposit`), paid at close with its escrow and bond, backing its debt; less its
    /// fine, what an equivocation's fixed cost could not take from the bond and the positive credit (review
    /// R4, review 3 B2: the escrow is in the root, out of a slash's reach). A negative credit is a fine: money
    /// the member receives later pays it first, and at `claim` it is taken from the funds before the debt and
    /// kept by the hub (paid to nobody, so a reporter gains nothing from its own sybil's fine). `Hub.member`
    /// reports the positive part as `credit` and the negative part as `fine`. Left as it was by the claim.
    int120 credit;
    /// Joined at join; Settled at `claim` (once: `AlreadyClaimed`). None for a member of a community opened
    /// together, whose slot nothing writes unless a slash or a credit does: its claim, when it leaves no
    /// claimTaken to keep, marks the member's bit in the community's `settledBits` instead and leaves the slot
    /// as it was, never read again (`Settlement.isSettled`, DESIGN.md §5.6 "Settled without a slot").
    MemberState state;
}

/// @notice Read-only summary of a community for off-chain nodes.
struct CommunityInfo {
    CommunityStatus status;
    IERC20 token;
    uint64 start;
    uint32 intervalSeconds;
    uint32 windowIntervals;
    uint32 windowCount;
    uint32 challengePeriod;
    uint128 bond;
    uint128 escrow;
    MarketParams market;
    uint32 participantCount;
    uint32 meterCount;
    /// Participants that joined so far (the community is Active once all have).
    uint32 joinedCount;
    /// Windows final so far; also the next window to be updated.
    uint32 finalizedWindows;
    /// The balances root before window 0 (`Balances.genesis` of the participants and the escrow).
    bytes32 genesisBalancesRoot;
    /// Tokens the hub holds for this community (joins, deposits, top-ups, claim and game deposits in;
    /// claims and moves to `withdrawable` out): no payout of the community may exceed it.
    uint256 held;
    /// Debt repaid at close so far (by members' `claim`s), shared by the claim holders pro rata.
    uint256 repaidPool;
    /// What every member received through slashes and lost game bonds (a member's credit is its stored credit
    /// plus this); one of a claim's terms (`ClaimTerms`).
    uint256 creditPerMember;
    CommunityModules modules;
}
