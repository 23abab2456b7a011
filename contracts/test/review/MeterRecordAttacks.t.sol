// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind} from "../../src/types/Market.sol";
import {CommunityConfig, WindowStatus} from "../../src/types/Community.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {
    DisputeKind,
    EnergyProof,
    EquivocationProof,
    ForgedReadingProof,
    MeterRecordOpening,
    SignedReading
} from "../../src/types/Dispute.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";
import {ConfigBuilder, Schedule} from "../utils/ConfigBuilder.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";
import {MeterRecords} from "../utils/MeterRecords.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice Attacks on the meter registry (issue 11: meters as a Merkle root). The hub stores only `meterRoot`;
/// every proof that needs a meter carries its record (owner, scheme, key) and its opening, checked in one
/// place (`DisputeVerifier._meter`). Each test is an honest claim (signed by 0..2) attacked with a record the
/// registry does not hold: without the check, each proof below would reject the honest claim and slash its
/// signers (another key makes an honest reading "forged", another owner makes the running sums of two
/// participants one). Meters grouped by owner 0, 0, 1, 1, 1, 3, 3, 5, 5, 5 (N = M = 10, W = 96).
contract MeterRecordAttacksTest is DisputeFixture {
    function setUp() public {
        uint32[10] memory owners = [uint32(0), 0, 1, 1, 1, 3, 3, 5, 5, 5];
        for (uint256 k = 0; k < M; ++k) {
            ownersOverride.push(owners[k]);
        }
        _setUpCommunity(ED25519);
        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(0, 3));
    }

    function _forged(uint256 m, uint256 t, MeterRecordOpening memory record) internal view returns (bytes memory) {
        Commit memory h = _honest();
        return abi.encode(ForgedReadingProof(_intervalProof(h, t), _committed(h, m, t), _opening(h, m, t), record));
    }

    function _keptHonest() internal view {
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "honest claim kept");
    }

    /// Meter 5's key under meter 4's record: meter 4's honest reading would not verify ("forged").
    function test_RevertWhen_RecordCarriesAnotherMetersKey() public {
        MeterRecordOpening memory r = _record(4);
        r.publicKey = _record(5).publicKey;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.ForgedReading,
            _forged(4, 50, r)
        );
        // The honest record proves nothing: the reading is meter 4's.
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.ForgedReading),
            DisputeKind.ForgedReading,
            _forged(4, 50, _record(4))
        );
        _keptHonest();
    }

    /// Another owner or scheme in meter 4's record.
    function test_RevertWhen_RecordCarriesAnotherOwnerOrScheme() public {
        MeterRecordOpening memory r = _record(4);
        r.owner = 3;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.ForgedReading,
            _forged(4, 50, r)
        );
        r = _record(4);
        r.scheme = P256;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.ForgedReading,
            _forged(4, 50, r)
        );
        _keptHonest();
    }

    /// Meter 5's genuine record (its own opening) offered for meter 4, and meter 5's record renamed to index 4.
    function test_RevertWhen_RecordOfAnotherIndex() public {
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MeterRecordIndexMismatch.selector, uint32(4), uint32(5)),
            DisputeKind.ForgedReading,
            _forged(4, 50, _record(5))
        );
        MeterRecordOpening memory r = _record(5);
        r.index = 4;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.ForgedReading,
            _forged(4, 50, r)
        );
        _keptHonest();
    }

    /// A path one sibling short (an inner node passed off as a record) or one sibling long (a record hidden
    /// below a leaf position of the canonical tree).
    function test_RevertWhen_RecordPathShortOrLong() public {
        MeterRecordOpening memory r = _record(4);
        bytes32[] memory shortPath = new bytes32[](r.path.length - 1);
        for (uint256 i = 0; i < shortPath.length; ++i) {
            shortPath[i] = r.path[i];
        }
        bytes32[] memory longPath = new bytes32[](r.path.length + 1);
        for (uint256 i = 0; i < r.path.length; ++i) {
            longPath[i] = r.path[i];
        }
        r.path = shortPath;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.ForgedReading,
            _forged(4, 50, r)
        );
        r.path = longPath;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.ForgedReading,
            _forged(4, 50, r)
        );
        _keptHonest();
    }

    /// BadEnergy Accumulation at meter 2 (participant 1's first meter): meter 1 (participant 0's) claimed to
    /// be participant 1's, so meter 2's honest sum would look short of meter 1's sum plus its slot.
    function test_RevertWhen_AccumulationForgesNeighbourOwner() public {
        EnergyProof memory p = abi.decode(_accumulationProof(_honest(), 2, 33), (EnergyProof));
        p.previousMeter.owner = 1;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(1)),
            DisputeKind.BadEnergy,
            abi.encode(p)
        );
        // And meter 2 claimed to be participant 0's.
        p = abi.decode(_accumulationProof(_honest(), 2, 33), (EnergyProof));
        p.meter.owner = 0;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(2)),
            DisputeKind.BadEnergy,
            abi.encode(p)
        );
        _keptHonest();
    }

    /// BadEnergy Total of participant 0 at meter 0, its first meter: meter 1 claimed to be participant 1's,
    /// so meter 0 would pass for 0's last and E_t[0] (meters 0 and 1) would look wrong.
    function test_RevertWhen_TotalForgesNeighbourOwner() public {
        EnergyProof memory p = abi.decode(_totalProof(_honest(), 0, 0, 33), (EnergyProof));
        p.nextMeter.owner = 1;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(1)),
            DisputeKind.BadEnergy,
            abi.encode(p)
        );
        // Participant 1 (meters 2..4) passed off as meterless "at" meter 5: meter 4 claimed to be participant
        // 0's, so E_t[1] would have to be 0.
        p = abi.decode(_totalProof(_honest(), 1, 5, 33), (EnergyProof));
        p.previousMeter.owner = 0;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.InvalidMeterRecord.selector, uint32(4)),
            DisputeKind.BadEnergy,
            abi.encode(p)
        );
        _keptHonest();
    }

    /// A registered key that is not a usable point (`open` no longer checks keys): the identity, under which
    /// (R = encode(O), S = 0) verifies for every message. No reading of such a meter is ever valid
    /// (`_validFor` asks the scheme's `isValidKey`), so two such "readings" are no equivocation.
    function test_RevertWhen_EquivocationUnderSmallOrderKey() public {
        CommunityConfig memory c = ConfigBuilder.build(
            nodes,
            _withOwners(ConfigBuilder.meters(publicKeys, ED25519)),
            Schedule(INTERVAL, W, START, 1, CHALLENGE),
            hub.community(id).market,
            token,
            0,
            0,
            _modules(MarketKind.Mmr)
        );
        c.meters[1].publicKey = hex"0100000000000000000000000000000000000000000000000000000000000000";
        uint64 id2 = _openConfig(c);
        for (uint256 i = 0; i < N; ++i) {
            _join(id2, i);
        }
        bytes memory anySig = bytes.concat(c.meters[1].publicKey, bytes32(0));
        bytes memory a = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 1, 7, 100, 0));
        bytes memory b = ReadingCodec.encode(Reading(uint64(block.chainid), HUB, id2, 1, 7, 900, 0));
        assertTrue(ed25519Module.verify(c.meters[1].publicKey, a, anySig), "the key alone accepts anything");
        assertFalse(ed25519Module.isValidKey(c.meters[1].publicKey));
        bytes memory proof = abi.encode(
            EquivocationProof(SignedReading(a, anySig), SignedReading(b, anySig), MeterRecords.opening(c.meters, 1))
        );
        _disputeOn(
            challenger,
            id2,
            0,
            DisputeKind.Equivocation,
            proof,
            abi.encodeWithSelector(IDisputeVerifier.NotEquivocation.selector)
        );
        assertFalse(hub.isVoided(id2, 1, 7));
    }
}
// forge-lint: disable-end(unsafe-typecast)
