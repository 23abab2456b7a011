// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

import {IHub} from "./interfaces/IHub.sol";
import {IFraudProofVerifier} from "./interfaces/IFraudProofVerifier.sol";
import {CommunityInfo, KeyScheme, Meter, WindowRecord, WindowStatus} from "./types/Community.sol";
import {MarketParams, MeterEnergy, ParticipantState, StateHash} from "./types/Market.sol";
import {
    DisputeKind,
    EquivocationProof,
    FinalStateProof,
    ForgedReadingProof,
    IntervalProof,
    ReadingMismatchProof,
    SignedReading,
    StepProof
} from "./types/Dispute.sol";
import {Ed25519} from "./libraries/Ed25519.sol";
import {Market} from "./libraries/Market.sol";
import {MerkleTree} from "./libraries/MerkleTree.sol";
import {ReadingCodec} from "./libraries/ReadingCodec.sol";
import {WindowCommitment} from "./libraries/WindowCommitment.sol";

/// @title FraudProofVerifier
/// @notice Checks the fraud proofs of DESIGN.md §5 against a pending claim; holds no state. The hub
/// consults it in `Hub.dispute` and applies the consequences.
/// @dev Rules common to every proof:
/// - Interval leaves are proven under the claim's windowRoot at their position (< W), with a proof
///   of any length: the claimant's tree is proven as it was built. Domain-separated leaves (0x00
///   readings, 0x02 interval leaves, 0x01 inner nodes) make a value provable at one position only.
/// - A proven interval leaf whose `interval` is not w·W + position is fraud by itself (an honest
///   claim never holds one), so each kind returns Fraud on it.
/// - Slashing policy (the returned `slashCap`): whatever no honest node could sign (an invalid or
///   misbound committed reading, a wrong step, a wrong final state, a malformed leaf) slashes the
///   signers' whole bond; an omission (an absent slot where a valid reading exists) rejects the claim
///   but slashes nobody, since the signers may never have received that reading (a meter or a peer
///   can withhold it until the claim is out); an equivocation slashes the meter owner
///   EQUIVOCATION_SLASH_BPS of the configured bond.
/// - A reading is valid for slot (m, t) when its encoding decodes (ReadingCodec: 70 bytes, domain,
///   version), is bound to this chain, hub, community, meter m and interval t, and its 64-byte
///   signature verifies under meter m's key: Ed25519 over the encoding, or P-256 ECDSA r ‖ s over
///   sha256(encoding) where, like node:crypto, both s and N - s are accepted.
/// - Equivocated slots: honest nodes fold them as absent. An Equivocation dispute voids a slot on
///   chain; a mismatch dispute on a voided slot reverts, and a claim that kept one of the two readings
///   in such a slot (in good faith) cannot be disputed for it.
contract FraudProofVerifier is IFraudProofVerifier {
    /// @notice Slash for an equivocation, in basis points of the community's configured bond.
    uint256 public constant EQUIVOCATION_SLASH_BPS = 1_000;

    /// @dev Outcome of a check against a claim.
    enum Verdict {
        /// The proof applies and the claim survives it.
        NoFraud,
        /// The claim is wrong and no honest node could have signed it: reject and slash the signers.
        Fraud,
        /// The claim is wrong but may have been signed in good faith (a reading the signers may never
        /// have received): reject, slash nobody.
        GoodFaithError
    }

    /// @dev What every check needs about the claim and the community, read once from the hub.
    struct Claim {
        IHub hub;
        uint64 communityId;
        uint32 windowIntervals;
        uint32 firstInterval;
        bytes32 windowRoot;
        bytes32 stateHash;
        uint256 meterCount;
    }

    /// @inheritdoc IFraudProofVerifier
    function verify(IHub hub, uint64 communityId, uint32 window, DisputeKind kind, bytes calldata proof)
        external
        view
        returns (uint256 slot, uint256 offenders, uint256 slashCap)
    {
        if (kind == DisputeKind.Equivocation) {
            CommunityInfo memory info = hub.community(communityId);
            (uint32 meterIndex, uint32 interval, uint32 owner) = _equivocation(hub, communityId, window, info, proof);
            return (
                (uint256(interval) << 32) | meterIndex,
                uint256(1) << owner,
                uint256(info.bond) * EQUIVOCATION_SLASH_BPS / 10_000
            );
        }
        (Claim memory c, CommunityInfo memory info) = _claim(hub, communityId, window);
        Verdict v;
        if (kind == DisputeKind.ReadingMismatch) {
            v = _readingMismatch(c, abi.decode(proof, (ReadingMismatchProof)));
        } else if (kind == DisputeKind.ForgedReading) {
            v = _forgedReading(c, abi.decode(proof, (ForgedReadingProof)));
        } else if (kind == DisputeKind.BadStep) {
            v = _badStep(c, info, abi.decode(proof, (StepProof)));
        } else {
            v = _badFinalState(c, abi.decode(proof, (FinalStateProof)));
        }
        if (v == Verdict.NoFraud) revert FraudNotProven(kind);
        slashCap = v == Verdict.Fraud ? type(uint256).max : 0;
    }

    /// @inheritdoc IFraudProofVerifier
    function isValidMeterKey(KeyScheme scheme, bytes calldata publicKey) external view returns (bool) {
        if (scheme == KeyScheme.Ed25519) {
            return publicKey.length == 32 && Ed25519.isStrictPublicKey(bytes32(publicKey));
        }
        return publicKey.length == 64 && P256.isValidPublicKey(bytes32(publicKey[0:32]), bytes32(publicKey[32:64]));
    }

    /// @inheritdoc IFraudProofVerifier
    function verifySignature(
        KeyScheme scheme,
        bytes calldata publicKey,
        bytes calldata encoded,
        bytes calldata signature
    ) external view returns (bool) {
        return _signatureValid(scheme, publicKey, encoded, signature);
    }

    // ------------------------------------------------------------------ the five kinds

    /// @dev Kind 5: two different encodings, both valid for one meter and one interval of `window`.
    function _equivocation(IHub hub, uint64 communityId, uint32 window, CommunityInfo memory info, bytes calldata proof)
        private
        view
        returns (uint32 meterIndex, uint32 interval, uint32 owner)
    {
        EquivocationProof memory p = abi.decode(proof, (EquivocationProof));
        (bool ok, ReadingFields memory a) = _decode(p.first.encoded);
        if (!ok) revert NotEquivocation();
        meterIndex = a.meterIndex;
        interval = a.interval;
        if (meterIndex >= info.meterCount) revert MeterOutOfRange(meterIndex, info.meterCount);
        if (window >= info.windowCount || interval / info.windowIntervals != window) revert NotEquivocation();
        if (keccak256(p.first.encoded) == keccak256(p.second.encoded)) revert NotEquivocation();
        if (hub.isVoided(communityId, meterIndex, interval)) revert SlotAlreadyVoided(meterIndex, interval);
        Meter memory m = hub.meter(communityId, meterIndex);
        if (
            !_validFor(hub, communityId, m, meterIndex, interval, p.first)
                || !_validFor(hub, communityId, m, meterIndex, interval, p.second)
        ) revert NotEquivocation();
        owner = m.owner;
    }

    /// @dev Kind 1: the challenger's reading is valid for (m, t); the committed slot is absent (an
    /// omission: the signers may never have received the reading, so it is a good-faith error), or holds
    /// something that is not a valid reading of (m, t) (fraud).
    function _readingMismatch(Claim memory c, ReadingMismatchProof memory p) private view returns (Verdict) {
        if (!_provenLeaf(c, p.leaf)) return Verdict.Fraud;
        (bool ok, ReadingFields memory r) = _decode(p.reading.encoded);
        if (!ok || r.meterIndex >= c.meterCount || r.interval != p.leaf.interval) revert InvalidChallengerReading();
        Meter memory m = c.hub.meter(c.communityId, r.meterIndex);
        if (!_validFor(c.hub, c.communityId, m, r.meterIndex, r.interval, p.reading)) {
            revert InvalidChallengerReading();
        }
        if (c.hub.isVoided(c.communityId, r.meterIndex, r.interval)) revert SlotVoided(r.meterIndex, r.interval);
        bytes32 committedLeaf = _slotLeaf(p.committed);
        if (!MerkleTree.verify(p.leaf.readingsRoot, committedLeaf, r.meterIndex, p.slotProof)) {
            revert InvalidSlotProof(r.meterIndex);
        }
        if (committedLeaf == WindowCommitment.ABSENT_LEAF) return Verdict.GoodFaithError;
        if (_validFor(c.hub, c.communityId, m, r.meterIndex, r.interval, p.committed)) {
            revert CommittedReadingValid(r.meterIndex, r.interval);
        }
        return Verdict.Fraud;
    }

    /// @dev Kind 2: a committed slot holds a reading that is not valid for its meter and interval.
    function _forgedReading(Claim memory c, ForgedReadingProof memory p) private view returns (Verdict) {
        if (!_provenLeaf(c, p.leaf)) return Verdict.Fraud;
        if (p.meterIndex >= c.meterCount) revert MeterOutOfRange(p.meterIndex, c.meterCount);
        bytes32 committedLeaf = _slotLeaf(p.committed);
        if (committedLeaf == WindowCommitment.ABSENT_LEAF) revert SlotAbsent(p.meterIndex);
        if (!MerkleTree.verify(p.leaf.readingsRoot, committedLeaf, p.meterIndex, p.slotProof)) {
            revert InvalidSlotProof(p.meterIndex);
        }
        Meter memory m = c.hub.meter(c.communityId, p.meterIndex);
        return _validFor(c.hub, c.communityId, m, p.meterIndex, p.leaf.interval, p.committed)
            ? Verdict.NoFraud
            : Verdict.Fraud;
    }

    /// @dev Kind 3: recomputes F(S_{t-1}, R_t) and compares its hash with the committed stateHash_t.
    function _badStep(Claim memory c, CommunityInfo memory info, StepProof memory p) private view returns (Verdict) {
        if (!_provenLeaf(c, p.current)) return Verdict.Fraud;
        uint256 n = info.participantCount;
        ParticipantState[] memory prev;
        if (p.current.position == 0) {
            prev = Market.emptyState(n);
        } else {
            if (p.previous.position + 1 != p.current.position) {
                revert PreviousNotAdjacent(p.previous.position, p.current.position);
            }
            if (!_provenLeaf(c, p.previous)) return Verdict.Fraud;
            prev = p.prevState;
            if (StateHash.hash(prev) != p.previous.stateHash) revert PrevStateMismatch();
            // An honest S_{t-1} has one entry per participant: a committed one that does not is fraud.
            if (prev.length != n) return Verdict.Fraud;
        }
        uint256 meterCount = c.meterCount;
        if (p.slots.length != meterCount) revert SlotCountMismatch(meterCount, p.slots.length);
        bytes32[] memory leaves = new bytes32[](meterCount + p.padding.length);
        for (uint256 k; k < meterCount; ++k) {
            leaves[k] = _slotLeaf(p.slots[k]);
        }
        for (uint256 k; k < p.padding.length; ++k) {
            leaves[meterCount + k] = p.padding[k];
        }
        if (MerkleTree.root(leaves) != p.current.readingsRoot) revert ReadingsRootMismatch();

        MeterEnergy[] memory readings = new MeterEnergy[](meterCount);
        for (uint256 k; k < meterCount; ++k) {
            SignedReading memory s = p.slots[k];
            if (s.encoded.length == 0 && s.signature.length == 0) continue;
            (bool ok, ReadingFields memory r) = _decode(s.encoded);
            // A committed slot that is not a reading at all: an honest claim never holds one.
            if (!ok) return Verdict.Fraud;
            readings[k] = MeterEnergy(true, r.exportWh, r.importWh);
        }
        Meter[] memory meters = c.hub.meters(c.communityId);
        uint32[] memory owners = new uint32[](meterCount);
        for (uint256 k; k < meterCount; ++k) {
            owners[k] = meters[k].owner;
        }
        MarketParams memory market = info.market;
        return StateHash.hash(Market.step(market, prev, owners, readings)) == p.current.stateHash
            ? Verdict.NoFraud
            : Verdict.Fraud;
    }

    /// @dev Kind 4: the last leaf's stateHash is not the posted S_W's.
    function _badFinalState(Claim memory c, FinalStateProof memory p) private pure returns (Verdict) {
        if (p.last.position + 1 != c.windowIntervals) revert NotLastPosition(p.last.position);
        if (!_provenLeaf(c, p.last)) return Verdict.Fraud;
        return p.last.stateHash == c.stateHash ? Verdict.NoFraud : Verdict.Fraud;
    }

    // ------------------------------------------------------------------ helpers

    function _claim(IHub hub, uint64 communityId, uint32 window)
        private
        view
        returns (Claim memory c, CommunityInfo memory info)
    {
        WindowRecord memory rec = hub.windowRecord(communityId, window);
        if (rec.status != WindowStatus.Pending) revert ClaimNotPending(communityId, window);
        info = hub.community(communityId);
        c.hub = hub;
        c.communityId = communityId;
        c.windowIntervals = info.windowIntervals;
        // Fits: the schedule's end was checked against uint64 at open, and intervals are uint32 in readings.
        c.firstInterval = uint32(uint256(window) * info.windowIntervals);
        c.windowRoot = rec.windowRoot;
        c.stateHash = rec.stateHash;
        c.meterCount = info.meterCount;
    }

    /// @dev Reverts unless `p` is under the claim's windowRoot at its position; returns whether the
    /// leaf is well formed (interval = w·W + position).
    function _provenLeaf(Claim memory c, IntervalProof memory p) private pure returns (bool wellFormed) {
        if (p.position >= c.windowIntervals) revert PositionOutOfRange(p.position, c.windowIntervals);
        bytes32 leaf = WindowCommitment.intervalLeaf(p.interval, p.readingsRoot, p.stateHash);
        if (!MerkleTree.verify(c.windowRoot, leaf, p.position, p.proof)) revert InvalidIntervalProof(p.position);
        return uint256(p.interval) == uint256(c.firstInterval) + p.position;
    }

    function _slotLeaf(SignedReading memory s) private pure returns (bytes32) {
        if (s.encoded.length == 0 && s.signature.length == 0) return WindowCommitment.ABSENT_LEAF;
        return WindowCommitment.readingLeaf(s.encoded, s.signature);
    }

    /// @dev Whether `s` is a valid reading of meter `meterIndex` (registered as `m`) for `interval`.
    function _validFor(
        IHub hub,
        uint64 communityId,
        Meter memory m,
        uint32 meterIndex,
        uint32 interval,
        SignedReading memory s
    ) private view returns (bool) {
        (bool ok, ReadingFields memory r) = _decode(s.encoded);
        if (
            !ok || r.chainId != block.chainid || r.hub != address(hub) || r.communityId != communityId
                || r.meterIndex != meterIndex || r.interval != interval
        ) return false;
        return _signatureValid(m.scheme, m.publicKey, s.encoded, s.signature);
    }

    function _signatureValid(KeyScheme scheme, bytes memory publicKey, bytes memory encoded, bytes memory signature)
        private
        view
        returns (bool)
    {
        if (signature.length != 64) return false;
        if (scheme == KeyScheme.Ed25519) {
            return publicKey.length == 32 && Ed25519.verifyReading(bytes32(publicKey), encoded, signature);
        }
        if (publicKey.length != 64) return false;
        bytes32 r;
        bytes32 s;
        bytes32 qx;
        bytes32 qy;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            qx := mload(add(publicKey, 0x20))
            qy := mload(add(publicKey, 0x40))
        }
        // node:crypto accepts (r, s) and (r, N - s) alike; OpenZeppelin only the low one: fold s down.
        if (uint256(s) > P256.N / 2 && uint256(s) < P256.N) s = bytes32(P256.N - uint256(s));
        return P256.verifyNative(sha256(encoded), r, s, qx, qy);
    }

    /// @dev The fields of a reading, decoded from memory (ReadingCodec.decode works on calldata).
    struct ReadingFields {
        uint64 chainId;
        address hub;
        uint64 communityId;
        uint32 meterIndex;
        uint32 interval;
        uint32 exportWh;
        uint32 importWh;
    }

    /// @dev ReadingCodec's layout: domain (17) | version (1) | chainId (8) | hub (20) | communityId (8) |
    /// meterIndex (4) | interval (4) | exportWh (4) | importWh (4). `ok` is false on a wrong length,
    /// domain or version.
    function _decode(bytes memory b) private pure returns (bool ok, ReadingFields memory r) {
        if (b.length != ReadingCodec.ENCODED_LENGTH) return (false, r);
        uint256 w0;
        uint256 w1;
        uint256 w2;
        assembly ("memory-safe") {
            let d := add(b, 0x20)
            w0 := mload(d) // bytes 0..31
            w1 := mload(add(d, 18)) // bytes 18..49
            w2 := mload(add(d, 46)) // bytes 46..77 (past the end is ignored below)
        }
        if (bytes17(bytes32(w0)) != ReadingCodec.DOMAIN || uint8(w0 >> 112) != ReadingCodec.VERSION) {
            return (false, r);
        }
        ok = true;
        r.chainId = uint64(w1 >> 192);
        r.hub = address(uint160(w1 >> 32));
        r.communityId = uint64(w2 >> 192);
        r.meterIndex = uint32(w2 >> 160);
        r.interval = uint32(w2 >> 128);
        r.exportWh = uint32(w2 >> 96);
        r.importWh = uint32(w2 >> 64);
    }
}
