// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Balance} from "./Community.sol";
import {MarketParams} from "./Market.sol";
import {IMarketStep} from "../interfaces/IMarketStep.sol";
import {IMeterScheme} from "../interfaces/IMeterScheme.sol";
import {StepEntry} from "../libraries/StepEntries.sol";

/// @notice The fraud proofs of DESIGN.md §5. `Hub.dispute` takes `abi.encode(<proof struct>)` as `proof`.
enum DisputeKind {
    /// A validly signed reading for (m, t) is absent (or differs) in the committed slot: `ReadingMismatchProof`.
    ReadingMismatch,
    /// A committed slot holds a reading that is not a valid reading of that meter and interval: `ForgedReadingProof`.
    ForgedReading,
    /// F(S_{t-1}, E_t) does not hash to the committed stateHash_t: `StepProof`.
    BadStep,
    /// The last interval leaf does not commit to the posted S_W: `FinalStateProof`.
    BadFinalState,
    /// Two validly signed readings of one meter for one interval, different values: `EquivocationProof`.
    Equivocation,
    /// A committed slot holds a reading although the slot was voided on chain for an equivocation:
    /// `VoidedSlotProof`.
    VoidedSlot,
    /// The claim's balancesRoot is not the reaction of its final state applied to the previous window's
    /// balances (or its final state is malformed for the hub): `BalancesProof`.
    BadBalances,
    /// A meter leaf's running sum is not its predecessor's (same owner) plus its slot's energy, or the
    /// committed energy vector E_t (or a participant's step entry) does not hold the participant's last running
    /// sum: `EnergyProof`.
    BadEnergy,
    /// One participant's step entry is not F's (`StepEntries.judge`: a running sum or the state S_t[j] wrong),
    /// judged from O(1) entries (Totals and Mmr; an auction community has no entries): `EntryProof`.
    BadEntry,
    /// The state tree an interval leaf commits (stateHash_t) holds, at one participant, another state than that
    /// participant's step entry in the same leaf: `StateEntryProof`.
    StateEntry
}

/// @notice Which energy commitment an `EnergyProof` proves wrong.
enum EnergyFault {
    /// Meter k's running sum is not base + energy(slot_k) (base = meter k−1's sum when both have one owner).
    Accumulation,
    /// E_t[j] is not the running sum of participant j's last meter ((0, 0) when j has no meter).
    Total,
    /// Entry j of the interval's step entries (`StepEntry.exportWh/importWh`) is not the running sum of
    /// participant j's last meter ((0, 0) when j has no meter): Total's rule, read from the entries tree.
    Entry
}

/// @notice What the verifier concludes about a claim.
enum Verdict {
    /// The proof applies and the claim survives it (the verifier reverts `FraudNotProven` instead).
    NoFraud,
    /// The claim is wrong and no honest signer could have signed it: reject it and slash its signers.
    Fraud,
    /// The claim is wrong but may have been signed in good faith: reject it, slash nobody.
    GoodFaithError,
    /// The claim leaves out a reading of a meter whose owner signed it, or keeps a reading of a slot
    /// voided by that owner's equivocation: only the owner could have known. Reject it (a good-faith
    /// error for the other signers, so it stays disputable for fraud until its deadline) and slash the
    /// owner's whole bond, nobody else's (review R7).
    OwnerFault
}

/// @notice What the hub must check or do about the slot (meter, interval) a proof relies on.
enum SlotRule {
    /// The proof relies on no slot.
    None,
    /// The slot must not be voided (a reading-mismatch proof): revert `SlotVoided` otherwise.
    MustNotBeVoided,
    /// The slot must be voided (a voided-slot proof): revert `SlotNotVoided` otherwise.
    MustBeVoided,
    /// An equivocation: void the slot; revert `SlotAlreadyVoided` if it was voided before.
    Void
}

/// @notice Everything a verifier needs about the disputed claim and its community, pushed by the hub
/// (modules never call back into the hub).
struct DisputeContext {
    /// The hub the readings are bound to.
    address hub;
    uint64 communityId;
    uint32 window;
    /// The community's schedule: interval t starts at start + t·intervalSeconds (a time-of-use tariff
    /// prices it by that time).
    uint64 start;
    uint32 intervalSeconds;
    uint32 windowIntervals;
    uint32 windowCount;
    uint32 participantCount;
    /// The disputed claim (zero for an equivocation).
    bytes32 windowRoot;
    bytes32 stateHash;
    bytes32 balancesRoot;
    /// The balances root the claim starts from: window w−1's final record's (the genesis root for w = 0;
    /// zero for an equivocation of a window whose predecessor is not final).
    bytes32 previousBalancesRoot;
    /// Bitmap of the claim's signers, ⌈N/256⌉ words (`SignerBitmap`; empty for an equivocation).
    uint256[] signers;
    /// The community's configured bond (the equivocation slash is a share of it).
    uint128 bond;
    MarketParams market;
    IMarketStep marketStep;
    IMeterScheme[] meterSchemes;
    /// The community's registered meters: the root of their records (`MeterRegistry`) and their number.
    bytes32 meterRoot;
    uint32 meterCount;
    /// The disputer's participant index + 1 (0 = not a participant): a good-faith omission needs a
    /// participant other than the meter's owner (DESIGN.md §5.5).
    uint256 disputer;
}

/// @notice The verifier's conclusion, applied by the hub.
struct DisputeOutcome {
    /// Fraud or GoodFaithError (NoFraud never comes back: the verifier reverts).
    Verdict verdict;
    /// Who is slashed (`SignerBitmap`, ⌈N/256⌉ words): the claim's signers, or for an equivocation or an
    /// owner fault the meter owner's bit.
    uint256[] offenders;
    /// Most taken from each offender's bond (type(uint256).max = all of it; 0 = nothing).
    uint256 slashCap;
    /// The slot the proof relies on: interval << 32 | meterIndex.
    uint256 slot;
    SlotRule slotRule;
}

/// @notice A meter reading as gossiped: canonical encoding (70 bytes, `ReadingCodec`) and the meter
/// signature (64 bytes: Ed25519 R ‖ S, or P-256 r ‖ s over sha256(encoded)). An absent slot is
/// `encoded.length == 0 && signature.length == 0`.
struct SignedReading {
    bytes encoded;
    bytes signature;
}

/// @notice An interval leaf of the claim, proven under its windowRoot.
/// @dev leaf = WindowCommitment.intervalLeaf(interval, readingsRoot, energyHash, stateHash, entriesRoot) sits
/// at `position` (0 ≤ position < W) of the window tree; `proof` holds its siblings bottom-up (any depth: the
/// claimant's tree is proven as it was built). A well-formed leaf has interval = w·W + position; a
/// proven leaf that is not well-formed is fraud by itself. `entriesRoot` (the interval's `StepEntries` root,
/// zero in an auction community) is opened by `EntryProof` and `EnergyProof` (fault Entry).
struct IntervalProof {
    uint32 position;
    uint32 interval;
    bytes32 readingsRoot;
    bytes32 energyHash;
    bytes32 stateHash;
    bytes32 entriesRoot;
    bytes32[] proof;
}

/// @notice One opened leaf of an interval's readings tree: meter `meterIndex`'s
/// `WindowCommitment.meterLeaf(slotLeaf, accExportWh, accImportWh)`, under the interval's readingsRoot by
/// `path` (siblings bottom-up, exactly depth(M) of them: the canonical tree's shape; any other length, or a
/// path not reaching the root, reverts `InvalidSlotProof(meterIndex)`).
struct MeterLeafOpening {
    uint32 meterIndex;
    /// `WindowCommitment.slotLeaf` of the committed slot.
    bytes32 slotLeaf;
    uint64 accExportWh;
    uint64 accImportWh;
    bytes32[] path;
}

/// @notice One registered meter's record, opened under the community's `meterRoot` (`MeterRegistry`):
/// leaf `MeterRegistry.leaf(index, owner, scheme, keccak256(publicKey))` at position `index` by `path`
/// (siblings bottom-up, exactly depth(M) of them, as for `MeterLeafOpening`). Checked in one place
/// (`DisputeVerifier._meter`): another index than the one the proof needs reverts
/// `MeterRecordIndexMismatch(expected, index)`, a record or path that does not reach the root, or a path of
/// another length, `InvalidMeterRecord(index)`.
struct MeterRecordOpening {
    uint32 index;
    uint32 owner;
    uint8 scheme;
    bytes publicKey;
    bytes32[] path;
}

/// @notice Kind 1. `reading` is validly signed for (m, t) = (its meterIndex, its interval) in this
/// window; the committed slot m of interval t (meter m's leaf `opening` under `leaf.readingsRoot`, whose
/// slotLeaf must be `committed`'s, else `SlotLeafMismatch`) holds `committed`, which is absent
/// (ABSENT_LEAF: omission) or differs from `reading` and is not itself a valid reading of (m, t) (a valid
/// one is an equivocation: kind 5).
struct ReadingMismatchProof {
    SignedReading reading;
    IntervalProof leaf;
    SignedReading committed;
    MeterLeafOpening opening;
    /// Meter m's record (its key and scheme check both readings, its owner decides the omission's verdict).
    MeterRecordOpening meter;
}

/// @notice Kind 2. The committed slot of meter `opening.meterIndex` in the interval of `leaf` holds
/// `committed` (the opening's slotLeaf, under `leaf.readingsRoot`), which does not decode, is bound to
/// another chain, hub, community, meter or interval, or whose signature does not verify under the meter's key.
struct ForgedReadingProof {
    IntervalProof leaf;
    SignedReading committed;
    MeterLeafOpening opening;
    /// The record of meter `opening.meterIndex` (its key and scheme).
    MeterRecordOpening meter;
}

/// @notice Kind 3. Step t = `current.position`: S_{t-1} (`prevState`, packed as in `PackedState`, 64 bytes per
/// participant, hashing (`StateHash.hash` of the state it encodes) to `previous.stateHash`, the leaf at position
/// t-1, else `PrevStateMismatch`; not a whole number of participants: `MalformedPrevState`; a committed S_{t-1}
/// that is not N entries is fraud; ignored, and S_0 = zeros used, when t = 0) and E_t (`energy`, packed as in
/// `EnergyVector`, which must hash to `current.energyHash`, else `EnergyHashMismatch`; a committed E_t that
/// is not 16·N bytes is fraud); fraud iff hash(F(S_{t-1}, E_t)) differs from `current.stateHash`. O(N),
/// whatever M: whether E_t is the sum of the readings is `BadEnergy`'s question. `limits`: for an auction
/// community, the standing limit prices in force for the window packed as in `PackedLimits` (32 bytes per
/// participant; not a whole number: `MalformedLimits`), which must hash (`LimitsHash.hash` of the list) to
/// `ILimitBook.limitsHashAt` of it (the open's `MarketParams.limitsHash` until an order changes them; the
/// market module reverts otherwise); empty for other markets (not read). Packed so that the proof of an
/// auction community of 1,000 participants fits the 128 KiB a client relays (DESIGN.md §5).
/// `tariff`: for a community with a time-of-use tariff, `abi.encode(TouTariff)` of it, which must hash to
/// `MarketParams.tariffHash` (`TariffHashMismatch` otherwise); empty for flat prices.
struct StepProof {
    IntervalProof previous;
    bytes prevState;
    IntervalProof current;
    bytes energy;
    bytes limits;
    bytes tariff;
}

/// @notice Kind 4. The leaf at position W-1 commits to a state hash other than the posted S_W's.
struct FinalStateProof {
    IntervalProof last;
}

/// @notice Kind 5: two validly signed readings of one meter for one
/// interval with different encodings (values).
struct EquivocationProof {
    SignedReading first;
    SignedReading second;
    /// The record of the readings' meter (its key and scheme check both, its owner pays).
    MeterRecordOpening meter;
}

/// @notice Kind 6. The committed slot of meter `opening.meterIndex` in the interval of `leaf` (the
/// opening's slotLeaf, under `leaf.readingsRoot`) holds `committed` (not absent) although that slot is voided on chain: honest
/// nodes fold a voided slot as absent. An owner fault when the meter's owner signed the claim (it chose
/// which of its own two readings to keep: the owner alone is slashed), a good-faith error otherwise.
struct VoidedSlotProof {
    IntervalProof leaf;
    SignedReading committed;
    MeterLeafOpening opening;
    /// The record of meter `opening.meterIndex` (its owner decides the verdict).
    MeterRecordOpening meter;
}

/// @notice Kind 7 (`DisputeKind.BadBalances`, enum value 6). `previous` (one leaf per participant, in index order) with
/// `previousTotalClaims` must be the balances the claim starts from (`Balances.root` equal to the
/// context's previousBalancesRoot, else `BalancesProofMismatch`), and `finalState` the claim's S_W packed
/// as in `PackedState` (64 bytes per participant), hashing to the claim's stateHash (else
/// `StateProofMismatch`). Fraud when that state is malformed for the hub (not one entry per participant,
/// a net of −2^127, Σ net ≠ 0), or when `Balances.root(react(previous, nets), previousTotalClaims +
/// claimsAdded)` is not the claim's balancesRoot.
struct BalancesProof {
    Balance[] previous;
    uint256 previousTotalClaims;
    bytes finalState;
}

/// @notice Kind 8 (`DisputeKind.BadEnergy`, enum value 7): a wrong energy commitment of the interval of `leaf`.
/// Accumulation: `slot` is meter k = `current.meterIndex`'s committed slot (its slotLeaf must be
/// `current.slotLeaf`, else `SlotLeafMismatch`), `current` meter k's leaf and, for k > 0 when meter k−1
/// has k's owner, `previous` meter k−1's leaf (else not read); fraud iff acc_k ≠ base + energy(slot) (a
/// present slot that does not decode is fraud). Total: `energy` is the committed E_t (hashing to
/// `leaf.energyHash`, else `EnergyHashMismatch`; not 16·N bytes: fraud) and `participant` j; `current` is j's
/// last meter's leaf (fraud iff E_t[j] ≠ its running sum), or, when j has no meter, `current.meterIndex`
/// is where j's meters would start (unopened; fraud iff E_t[j] ≠ (0, 0)); any other index reverts
/// `NotParticipantBoundary`. Meters are grouped by owner (checked at open); the owners the rule compares
/// come from the meter records the proof carries, each opened under the meter root: `meter` = meter k's
/// (k = `current.meterIndex` < M), `previousMeter` = meter k−1's (k > 0; Accumulation, and Total for j without
/// meters), `nextMeter` = meter k+1's (Total when k is j's meter and k + 1 < M); a record not read may be empty.
/// Entry: as Total, with E_t[j] read from `entry` (entry j under `leaf.entriesRoot`, `InvalidEntryProof`
/// otherwise) instead of `energy` (not read); `entry` is not read by the other faults.
struct EnergyProof {
    EnergyFault fault;
    IntervalProof leaf;
    SignedReading slot;
    MeterLeafOpening current;
    MeterLeafOpening previous;
    uint32 participant;
    bytes energy;
    MeterRecordOpening meter;
    MeterRecordOpening previousMeter;
    MeterRecordOpening nextMeter;
    EntryOpening entry;
}

/// @notice One participant's step entry opened under an interval leaf's entriesRoot: `StepEntries.leaf(entry)`
/// at the participant's index by `path` (siblings bottom-up, exactly depth(N) of them: the canonical tree's
/// shape; any other length, or a path not reaching the root, reverts `InvalidEntryProof(index)`).
struct EntryOpening {
    StepEntry entry;
    bytes32[] path;
}

/// @notice Kind 9 (`DisputeKind.BadEntry`, enum value 8): participant j = `participant`'s step at interval
/// t = `current.position` is not F's. `entry` is entry j under `current.entriesRoot`, `before` entry j−1 (not
/// read for j = 0: entry −1 is zeros by rule), `last` entry N−1 (not read for j = N−1: `entry` is the last);
/// for t > 0, `previous` is the leaf at t−1 (else `PreviousNotAdjacent`) and `previousEntry` entry j under its
/// entriesRoot, whose state is S_{t−1}[j] (both not read at t = 0: S_{−1}[j] is zeros). Fraud iff
/// `StepEntries.judge` names a fault, with the market in force at the interval (`tariff` as in `StepProof`).
/// Whether E_t[j] in entry j is what j's meters read is `BadEnergy`'s question (fault Entry). O(log N) data,
/// O(1) market work, whatever N and M. An auction community has no entries: `UnsupportedMarketKind`.
struct EntryProof {
    uint32 participant;
    IntervalProof previous;
    EntryOpening previousEntry;
    IntervalProof current;
    EntryOpening before;
    EntryOpening entry;
    EntryOpening last;
    bytes tariff;
}

/// @notice Kind 10 (`DisputeKind.StateEntry`, enum value 9): the state tree that leaf t = `leaf.position` commits
/// (`leaf.stateHash`, the root over one leaf per participant, `PackedState`) holds at participant j =
/// `participant` the leaf `stateLeaf`, opened by `statePath` (exactly depth(N) siblings, else
/// `InvalidStateProof(j)`), while entry j under `leaf.entriesRoot` holds another state. Fraud iff `stateLeaf` is
/// not `PackedState.leaf` of the entry's state. Only the leaf's hash is carried: a committed leaf nobody can
/// open is proven as well. Together with BadEntry (each entry F's) and BadFinalState (the last leaf's stateHash
/// is the posted S_W's), it ties the posted state to the entries in O(log N): a claimant cannot keep F's
/// entries beside a state hash of its choice (DESIGN.md §5.4). Totals and Mmr (an auction community's
/// entriesRoot is zero: no entry opens).
struct StateEntryProof {
    uint32 participant;
    IntervalProof leaf;
    EntryOpening entry;
    bytes32 stateLeaf;
    bytes32[] statePath;
}
