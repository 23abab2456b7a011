// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {IMarketStep} from "../../src/interfaces/IMarketStep.sol";
import {Auction} from "../../src/libraries/Auction.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {Market} from "../../src/libraries/Market.sol";
import {PackedLimits} from "../../src/libraries/PackedLimits.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {AuctionMarketStep} from "../../src/modules/AuctionMarketStep.sol";
import {MarketStep} from "../../src/modules/MarketStep.sol";
import {AuctionParams, LimitPrices, LimitsHash} from "../../src/types/Auction.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../../src/types/Market.sol";

// Test code: casts are of values bounded by construction.
// forge-lint: disable-start(unsafe-typecast)

/// @dev The plain memory path of a step, what the modules' `stepHash` must equal: the packed inputs copied to
/// memory (`PackedState.unpack`, `EnergyVector.decode`, `PackedLimits.unpack`), S_t built in a second state
/// (`Market.stepEnergy`, `Auction.stepEnergy`: no aliasing) and hashed. The auction's price check as the module
/// makes it (`LimitsHashMismatch`).
contract MemoryStepPath {
    function stepHash(MarketParams memory p, bytes memory prevState, bytes memory energy, bytes memory limits)
        external
        pure
        returns (bool, bytes32)
    {
        LimitPrices[] memory l;
        if (p.kind == MarketKind.Auction) {
            l = PackedLimits.unpack(limits);
            bytes32 actual = LimitsHash.hash(l);
            if (actual != p.limitsHash) revert AuctionMarketStep.LimitsHashMismatch(p.limitsHash, actual);
        }
        (ParticipantState[] memory prev,) = PackedState.unpack(prevState);
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(energy);
        ParticipantState[] memory next = p.kind == MarketKind.Auction
            ? Auction.stepEnergy(AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh), prev, ex, im, l)
            : Market.stepEnergy(p, prev, ex, im);
        return StateHash.tryHash(next);
    }
}

/// @dev The calldata decoders followed by allocations: whatever they left in memory must survive later
/// allocations (the free memory pointer claims all of it), and what they leave unclaimed must not be needed.
contract DecoderMemoryProbe {
    /// `unpackCalldata`, then 4 KiB of 0xff allocated and written: the state must re-encode to the input.
    function unpackThenAllocate(bytes calldata packed) external pure returns (bytes memory again) {
        ParticipantState[] memory s = PackedState.unpackCalldata(packed);
        _junk();
        return PackedState.pack(s);
    }

    /// `PackedLimits.unpackCalldata`, then junk: the list must still be the input's.
    function limitsThenAllocate(bytes calldata packed) external pure returns (bytes memory again) {
        LimitPrices[] memory l = PackedLimits.unpackCalldata(packed);
        _junk();
        return PackedLimits.pack(l);
    }

    /// `EnergyVector.decodeCalldata`, then junk.
    function energyThenAllocate(bytes calldata packed) external pure returns (bytes memory again) {
        (uint256[] memory e, uint256[] memory i) = EnergyVector.decodeCalldata(packed);
        _junk();
        return EnergyVector.pack(e, i);
    }

    /// A state decoded first, then the two hashes built in unclaimed memory (`PackedLimits.hash`,
    /// `PackedState.check`), then junk: the state is intact.
    function hashesLeaveMemory(bytes calldata state, bytes calldata limits)
        external
        pure
        returns (bytes memory again, bytes32 limitsHash, bytes32 stateHash)
    {
        ParticipantState[] memory s = PackedState.unpackCalldata(state);
        limitsHash = PackedLimits.hash(limits);
        stateHash = PackedState.check(state, state.length / PackedState.STRIDE);
        _junk();
        again = PackedState.pack(s);
    }

    function _junk() private pure {
        bytes memory junk = new bytes(4096);
        assembly ("memory-safe") {
            let p := add(junk, 0x20)
            for { let o := 0 } lt(o, 4096) { o := add(o, 0x20) } { mstore(add(p, o), not(0)) }
        }
    }
}

/// @notice Review of the calldata and in-place market step (s15/s16 gas work): the modules' `stepHash` (what
/// a BadStep re-runs on chain) attacked through crafted calldata, boundary values and aliasing, against the
/// plain memory path (`MemoryStepPath`). Each test names the attack; each passes when the attack fails.
contract StepCalldataAttacksTest is Test {
    MarketStep internal totals = new MarketStep(MarketKind.Totals);
    MarketStep internal mmr = new MarketStep(MarketKind.Mmr);
    AuctionMarketStep internal auction = new AuctionMarketStep();
    MemoryStepPath internal memoryPath = new MemoryStepPath();
    DecoderMemoryProbe internal probe = new DecoderMemoryProbe();

    /// @dev Where the tail starts, relative to the arguments: MarketParams' six static words and three offsets.
    uint256 internal constant TAIL = 9 * 32;
    uint64 internal constant U64 = type(uint64).max;

    // The TypeScript twin's answers on the same inputs (`tryStateHash(marketStepOfEnergy(...))` of
    // node/src/window, run by scripts/review-step-boundaries.ts): the boundary tests below assert both paths
    // give them, so the calldata path, the memory path and the node agree at the boundaries.
    bytes32 internal constant TS_N1024 = 0x5200a8750b17749f5b4da7aebd49cd736447c29d1f747a783b7562075b253f5b;
    bytes32 internal constant TS_N1024_FEEDER_1 = 0xfd1e6bc8b647f5451de28863d2e8307d3409c7334c14c2bf33bfb5ada8703498;
    bytes32 internal constant TS_N1024_TOTALS_QUARTER_PRICE =
        0x3e37b5203a4c57593dd9658810e627453965ff64b309012c132a2ba01f588f62;
    bytes32 internal constant TS_MIN_NET_TOTALS = 0x5326d101360483d8072cd4c431398c34281d7fbc993c0522518126af20cbd8d9;
    bytes32 internal constant TS_MIN_NET_LIFTED = 0x5b5df199360cdbcc61c935291ac2ec0212e654f829c5be8981dfc2ff9b58f703;
    bytes32 internal constant TS_TOP_MMR_ZERO = 0x5b4bd03086c5806aab3d90f2153258fc5b731f22eb52c1bbffadeda244663e2b;
    bytes32 internal constant TS_TOP_TOTALS_ZERO = 0x108eb6a92e1f646cfab743df663e7ab83a049ee98b98e39dbacd48f104bff277;

    // ------------------------------------------------------------------ helpers

    function _params(MarketKind kind, uint128 buy, uint128 sell, uint64 cap)
        internal
        pure
        returns (MarketParams memory)
    {
        return MarketParams(kind, buy, sell, cap, bytes32(0), bytes32(0));
    }

    function _module(MarketKind kind) internal view returns (IMarketStep) {
        if (kind == MarketKind.Totals) return totals;
        if (kind == MarketKind.Mmr) return mmr;
        return auction;
    }

    /// @dev Raw calldata of `stepHash(p, ·, ·, ·)`: the head with the three given offsets, then `tail`.
    function _raw(MarketParams memory p, uint256 o1, uint256 o2, uint256 o3, bytes memory tail)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(IMarketStep.stepHash.selector, abi.encode(p), abi.encode(o1, o2, o3), tail);
    }

    /// @dev A length-prefixed blob without padding.
    function _blob(bytes memory b) internal pure returns (bytes memory) {
        return bytes.concat(bytes32(b.length), b);
    }

    function _call(IMarketStep module, bytes memory data) internal view returns (bool ok, bytes memory ret) {
        (ok, ret) = address(module).staticcall(data);
    }

    /// @dev Both paths on the same inputs: equal success and result, or equal revert data.
    function _bothPaths(MarketParams memory p, bytes memory prevState, bytes memory energy, bytes memory limits)
        internal
        view
        returns (bool ok, bytes memory ret)
    {
        (ok, ret) = _call(_module(p.kind), abi.encodeCall(IMarketStep.stepHash, (p, prevState, energy, limits)));
        (bool okMem, bytes memory retMem) =
            address(memoryPath).staticcall(abi.encodeCall(MemoryStepPath.stepHash, (p, prevState, energy, limits)));
        assertEq(ok, okMem, "calldata/in-place and memory paths: same outcome");
        assertEq(ret, retMem, "calldata/in-place and memory paths: same result or revert data");
    }

    function _panic(uint256 code) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("Panic(uint256)", code);
    }

    function _state(uint256 n) internal pure returns (ParticipantState[] memory) {
        return new ParticipantState[](n);
    }

    function _energy(uint256 n, uint256 e, uint256 m) internal pure returns (bytes memory) {
        uint256[] memory ex = new uint256[](n);
        uint256[] memory im = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (ex[i], im[i]) = (e, m);
        }
        return EnergyVector.pack(ex, im);
    }

    // ------------------------------------------------------------------ 1. crafted calldata

    /// Attack: the last argument's length word claims one participant more than the calldata holds, hoping the
    /// missing bytes read as zeros (calldataload past calldatasize). The ABI decoder refuses it (empty revert
    /// data), for each of the three blobs.
    function test_RevertWhen_BlobRunsPastCalldataEnd_Attack() public view {
        MarketParams memory p = _params(MarketKind.Mmr, 100, 50, 0);
        bytes memory prev = PackedState.pack(_state(2));
        bytes memory energy = _energy(2, 5, 0);
        // Canonical, unpadded, in order prev, energy, limits: accepted, = the memory path.
        bytes memory tail = bytes.concat(_blob(prev), _blob(energy), _blob(""));
        (bool ok, bytes memory ret) = _call(mmr, _raw(p, TAIL, TAIL + 160, TAIL + 160 + 64, tail));
        assertTrue(ok);
        (bool okMem, bytes memory retMem) = _bothPaths(p, prev, energy, "");
        assertEq(abi.encode(ok, ret), abi.encode(okMem, retMem));
        // prevState last, claiming 3 participants over 2 participants' bytes.
        tail = bytes.concat(_blob(energy), _blob(""), bytes32(uint256(3 * 64)), prev);
        (ok, ret) = _call(mmr, _raw(p, TAIL + 96, TAIL, TAIL + 64, tail));
        assertFalse(ok, "prevState past the end");
        assertEq(ret.length, 0);
        // energy last, one entry short of its length word (the missing entry would be all zeros).
        tail = bytes.concat(_blob(prev), _blob(""), bytes32(uint256(3 * 16)), energy);
        (ok, ret) = _call(mmr, _raw(p, TAIL, TAIL + 192, TAIL + 160, tail));
        assertFalse(ok, "energy past the end");
        assertEq(ret.length, 0);
        // limits last (auction), 64 bytes claimed over 63.
        tail = bytes.concat(_blob(prev), _blob(energy), bytes32(uint256(64)), new bytes(63));
        (ok, ret) = _call(auction, _raw(_params(MarketKind.Auction, 100, 50, 0), TAIL, TAIL + 160, TAIL + 224, tail));
        assertFalse(ok, "limits past the end");
        assertEq(ret.length, 0);
    }

    /// Attack: offsets and lengths near 2^256 (offset + length wraps), at 2^64 and just past the calldata.
    /// Every one is refused by the decoder before the library reads a byte.
    function test_RevertWhen_OffsetOrLengthOverflows_Attack() public view {
        MarketParams memory p = _params(MarketKind.Mmr, 100, 50, 0);
        bytes memory body = bytes.concat(_blob(PackedState.pack(_state(1))), _blob(_energy(1, 0, 0)), _blob(""));
        uint256[6] memory bad = [
            type(uint256).max,
            type(uint256).max - 31,
            uint256(1) << 64,
            (uint256(1) << 64) - 1,
            TAIL + body.length,
            TAIL + body.length - 31
        ];
        for (uint256 k; k < bad.length; ++k) {
            (bool ok, bytes memory ret) = _call(mmr, _raw(p, bad[k], TAIL + 96, TAIL + 96 + 48, body));
            assertFalse(ok, "bad offset");
            assertEq(ret.length, 0);
        }
        // Huge length words at a valid offset (offset + 32 + length wraps or passes the end).
        uint256[4] memory lengths = [type(uint256).max, type(uint256).max - 31, uint256(1) << 64, 1 << 20];
        for (uint256 k; k < lengths.length; ++k) {
            bytes memory tail = bytes.concat(bytes32(lengths[k]), new bytes(64), _blob(_energy(1, 0, 0)), _blob(""));
            (bool ok, bytes memory ret) = _call(mmr, _raw(p, TAIL, TAIL + 96, TAIL + 96 + 48, tail));
            assertFalse(ok, "bad length");
            assertEq(ret.length, 0);
        }
    }

    /// Attack: arguments that overlap (prevState's bytes read again as the energy; limits pointing into the
    /// head, at the MarketParams words) or point backwards. Accepted where the ABI allows it, and then the
    /// result is exactly that of the same bytes passed canonically: no byte is read that the arguments do not
    /// name, so the overlap changes nothing a verifier could be fooled by (the verifier re-encodes from memory
    /// anyway).
    function test_OverlappingArgumentsReadTheirOwnBytes_Attack() public view {
        // One participant's state (64 bytes) read as the energy of 4 participants too: lengths differ.
        ParticipantState[] memory s = _state(1);
        s[0] = ParticipantState(1, 2, 3, 4, 5, 6, 0);
        bytes memory prev = PackedState.pack(s);
        MarketParams memory p = _params(MarketKind.Mmr, 100, 50, 0);
        bytes memory tail = bytes.concat(_blob(prev), _blob(""));
        (bool ok, bytes memory ret) = _call(mmr, _raw(p, TAIL, TAIL, TAIL + 96, tail));
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(Market.MarketEnergyLengthMismatch.selector, 1, 4));
        (bool okMem, bytes memory retMem) = _bothPaths(p, prev, prev, "");
        assertFalse(okMem);
        assertEq(ret, retMem);
        // Four participants of zeros, the energy the first 64 bytes of the same zeros: accepted, = canonical.
        bytes memory zeros = new bytes(256);
        tail = bytes.concat(_blob(zeros), _blob(""));
        (ok, ret) = _call(mmr, _raw(p, TAIL, TAIL, TAIL + 32 + 256, tail));
        // energy = 256 bytes = 16 entries for 4 participants: refused alike.
        assertEq(ret, abi.encodeWithSelector(Market.MarketEnergyLengthMismatch.selector, 4, 16));
        // Auction: the limits' offset points backwards into the head (p's words as the length and prices).
        // A length word of `gridBuyPrice` = 32 makes one price pair from `gridSellPrice`'s word.
        MarketParams memory pa = _params(MarketKind.Auction, 32, 7, 0);
        LimitPrices[] memory one = new LimitPrices[](1);
        one[0] = LimitPrices(0, 7); // gridSellPrice's word: bid = high 16 bytes (0), ask = low 16 bytes (7)
        pa.limitsHash = LimitsHash.hash(one);
        bytes memory energy = _energy(1, 9, 0);
        tail = bytes.concat(_blob(prev), _blob(energy));
        // Offsets are relative to the arguments' start: 0x20 is p.gridBuyPrice's word.
        (ok, ret) = _call(auction, _raw(pa, TAIL, TAIL + 96, 0x20, tail));
        (okMem, retMem) = _bothPaths(pa, prev, energy, PackedLimits.pack(one));
        assertTrue(okMem);
        assertEq(abi.encode(ok, ret), abi.encode(okMem, retMem), "overlap = canonical");
    }

    /// Attack: the last argument unpadded (its 32-byte reads run past calldatasize) and, canonically, padding and
    /// the low half of every energy word dirty. The result is the canonical one: each decoder keeps only its
    /// entry's bytes.
    function test_UnpaddedAndDirtyPaddingChangeNothing_Attack() public view {
        ParticipantState[] memory s = _state(3);
        s[0] = ParticipantState(10, 20, 1, 2, 3, 4, 5);
        s[1] = ParticipantState(U64 - 9, 0, 0, 0, 0, 0, -5);
        bytes memory prev = PackedState.pack(s);
        uint256[] memory ex = new uint256[](3);
        uint256[] memory im = new uint256[](3);
        (ex[0], im[1], im[2], ex[2]) = (7, 3, 9, 1);
        bytes memory energy = EnergyVector.pack(ex, im); // 48 bytes: the last word half past the blob
        LimitPrices[] memory l = new LimitPrices[](3);
        l[0] = LimitPrices(120, 10);
        l[1] = LimitPrices(200, 1);
        l[2] = LimitPrices(0, type(uint128).max);
        for (uint256 k; k < 3; ++k) {
            MarketParams memory p = _params(MarketKind(k), 150, 20, k == 1 ? 2 : 0);
            if (k == 2) p.limitsHash = LimitsHash.hash(l);
            bytes memory packedLimits = k == 2 ? PackedLimits.pack(l) : bytes("");
            _unpaddedAndDirty(p, prev, energy, packedLimits);
        }
    }

    /// @dev One market of `test_UnpaddedAndDirtyPaddingChangeNothing_Attack`.
    function _unpaddedAndDirty(MarketParams memory p, bytes memory prev, bytes memory energy, bytes memory packedLimits)
        internal
        view
    {
        (bool okMem, bytes memory want) = _bothPaths(p, prev, energy, packedLimits);
        assertTrue(okMem);
        // energy last and unpadded: its last entry's 32-byte read runs 16 bytes past calldatasize.
        uint256 o3 = TAIL + 32 + prev.length;
        bytes memory tail = bytes.concat(_blob(prev), _blob(packedLimits), _blob(energy));
        (bool ok, bytes memory got) = _call(_module(p.kind), _raw(p, TAIL, o3 + 32 + packedLimits.length, o3, tail));
        assertTrue(ok);
        assertEq(got, want, "unpadded");
        // Canonical layout with every padding byte 0xff: 16 dirty bytes after the energy.
        bytes memory canonical = abi.encodeCall(IMarketStep.stepHash, (p, prev, energy, packedLimits));
        uint256 energyEnd = 4 + TAIL + 32 + prev.length + 32 + energy.length;
        for (uint256 b = energyEnd; b < energyEnd + 16; ++b) {
            canonical[b] = 0xff;
        }
        (ok, got) = _call(_module(p.kind), canonical);
        assertTrue(ok);
        assertEq(got, want, "dirty padding");
    }

    /// Attack: blobs of no whole number of records (one byte more or less). Refused by name, the same on both
    /// paths, never rounded down to the whole records (which a zero-padded read would make "valid").
    function test_RevertWhen_BlobsAreNotWholeRecords_Attack() public view {
        MarketParams memory p = _params(MarketKind.Mmr, 100, 50, 0);
        bytes memory prev = PackedState.pack(_state(2));
        bytes memory energy = _energy(2, 1, 0);
        (, bytes memory ret) = _bothPaths(p, bytes.concat(prev, hex"00"), energy, "");
        assertEq(ret, abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 128, 129));
        (, ret) = _bothPaths(p, _prefix(prev, 127), energy, "");
        assertEq(ret, abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 64, 127));
        (, ret) = _bothPaths(p, prev, bytes.concat(energy, hex"00"), "");
        assertEq(ret, abi.encodeWithSelector(EnergyVector.EnergyVectorLength.selector, 33));
        (, ret) = _bothPaths(p, prev, _prefix(energy, 31), "");
        assertEq(ret, abi.encodeWithSelector(EnergyVector.EnergyVectorLength.selector, 31));
        // One whole entry short: the last participant is not read as zero energy.
        (, ret) = _bothPaths(p, prev, _prefix(energy, 16), "");
        assertEq(ret, abi.encodeWithSelector(Market.MarketEnergyLengthMismatch.selector, 2, 1));
        // Auction limits: a partial pair, one pair short (hashing to the committed hash of one pair).
        MarketParams memory pa = _params(MarketKind.Auction, 100, 50, 0);
        LimitPrices[] memory l = new LimitPrices[](2);
        l[0] = LimitPrices(80, 60);
        pa.limitsHash = LimitsHash.hash(l);
        (, ret) = _bothPaths(pa, prev, energy, bytes.concat(PackedLimits.pack(l), hex"00"));
        assertEq(ret, abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, 65));
        LimitPrices[] memory short = new LimitPrices[](1);
        short[0] = l[0];
        pa.limitsHash = LimitsHash.hash(short);
        (, ret) = _bothPaths(pa, prev, energy, PackedLimits.pack(short));
        assertEq(ret, abi.encodeWithSelector(Auction.AuctionLimitsLengthMismatch.selector, 2, 1));
    }

    function _prefix(bytes memory b, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) {
            out[i] = b[i];
        }
    }

    // ------------------------------------------------------------------ 2. boundary values

    /// Attack: every uint64 field at 2^64 - 1 and nets at int128's ends; zero energy adds nothing (no panic),
    /// one more Wh on any side panics 0x11 on both paths (each of the six fields).
    function test_RevertWhen_FieldAtItsTopGrows_Attack() public view {
        ParticipantState[] memory s = _state(2);
        s[0] = ParticipantState(U64, U64, U64, U64, U64, U64, type(int128).max);
        s[1] = ParticipantState(U64, U64, U64, U64, U64, U64, -type(int128).max);
        bytes memory prev = PackedState.pack(s);
        for (uint256 k; k < 2; ++k) {
            MarketParams memory p = _params(MarketKind(k), 100, 50, 0);
            (bool ok, bytes memory ret) = _bothPaths(p, prev, _energy(2, 0, 0), "");
            assertTrue(ok);
            // Mmr with no energy leaves the state as it was; Totals recomputes (TypeScript alike).
            assertEq(ret, abi.encode(true, k == 1 ? TS_TOP_MMR_ZERO : TS_TOP_TOTALS_ZERO));
            if (k == 1) assertEq(TS_TOP_MMR_ZERO, PackedState.hashPacked(prev));
            // exportWh + 1 (both markets); Mmr: gridSoldWh + 1 too once exportWh could take it.
            (ok, ret) = _bothPaths(p, prev, _energy(2, 1, 0), "");
            assertFalse(ok);
            assertEq(ret, _panic(0x11));
            (ok, ret) = _bothPaths(p, prev, _energy(2, 0, 1), "");
            assertFalse(ok);
            assertEq(ret, _panic(0x11));
        }
        // Each of the four flow fields alone at its top, energy and room elsewhere: Mmr panics 0x11.
        for (uint256 f = 2; f < 6; ++f) {
            ParticipantState[] memory t = _state(2);
            _setField(t[0], f, U64);
            _setField(t[1], f, U64);
            uint256[] memory ex = new uint256[](2);
            uint256[] memory im = new uint256[](2);
            (ex[0], im[1]) = (10, 10);
            MarketParams memory p = _params(MarketKind.Mmr, 100, 50, f >= 4 ? 4 : 0); // cap 4: grid flows too
            (bool ok, bytes memory ret) = _bothPaths(p, PackedState.pack(t), EnergyVector.pack(ex, im), "");
            assertFalse(ok, "flow field at its top");
            assertEq(ret, _panic(0x11));
        }
    }

    function _setField(ParticipantState memory s, uint256 f, uint64 v) internal pure {
        if (f == 2) s.p2pSoldWh = v;
        else if (f == 3) s.p2pBoughtWh = v;
        else if (f == 4) s.gridSoldWh = v;
        else s.gridBoughtWh = v;
    }

    /// Attack: a previous net of -2^127 (no encoding) or nets summing to non-zero, handed over packed. The step
    /// takes them as they are (the verifier has matched their hash; judging them is the previous step's
    /// dispute): Mmr carries the -2^127 into S_t, which then has no encoding (`encodable` false: Fraud), on
    /// both paths; Totals recomputes every net from the totals, so S_t is encodable.
    function test_MinNetInPrevIsCarriedOrRecomputed_Attack() public view {
        bytes memory prev = PackedState.pack(_state(2));
        prev[48] = 0x80; // participant 0's net: -2^127
        (bool ok, bytes memory ret) = _bothPaths(_params(MarketKind.Mmr, 100, 50, 0), prev, _energy(2, 0, 0), "");
        assertTrue(ok);
        (bool encodable,) = abi.decode(ret, (bool, bytes32));
        assertFalse(encodable, "Mmr: -2^127 carried");
        (ok, ret) = _bothPaths(_params(MarketKind.Totals, 100, 50, 0), prev, _energy(2, 0, 0), "");
        assertTrue(ok);
        assertEq(ret, abi.encode(true, PackedState.hashPacked(PackedState.pack(_state(2)))), "Totals: recomputed");
        assertEq(PackedState.hashPacked(PackedState.pack(_state(2))), TS_MIN_NET_TOTALS);
        // A trade that lifts the -2^127 by one: encodable again on both paths.
        uint256[] memory ex = new uint256[](2);
        uint256[] memory im = new uint256[](2);
        (ex[0], im[1]) = (1, 1);
        (ok, ret) = _bothPaths(_params(MarketKind.Mmr, 1000, 1000, 0), prev, EnergyVector.pack(ex, im), "");
        assertTrue(ok);
        ParticipantState[] memory want = _state(2);
        want[0] = ParticipantState(1, 0, 1, 0, 0, 0, type(int128).min + 1);
        want[1] = ParticipantState(0, 1, 0, 1, 0, 0, -1);
        assertEq(ret, abi.encode(true, StateHash.hash(want)));
        assertEq(StateHash.hash(want), TS_MIN_NET_LIFTED);
    }

    /// Boundary: N = 1,024 (the hub's bound), half the participants exporting 2^64 - 1 and half importing it
    /// in one interval: S = D = 512 (2^64 - 1) must not wrap; with the midpoint price 1 token per Wh every seller
    /// receives and every buyer pays 2^64 - 1 exactly. Then the feeder at 1 Wh (the first seller and buyer
    /// trade it) and feeder 0 (no limit) on the auction, every path equal.
    function test_LargestCommunityAtTheTopOfUint64_Attack() public view {
        uint256 n = 1024;
        uint256[] memory ex = new uint256[](n);
        uint256[] memory im = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            if (i % 2 == 0) ex[i] = U64;
            else im[i] = U64;
        }
        bytes memory energy = EnergyVector.pack(ex, im);
        bytes memory prev = PackedState.pack(_state(n));
        ParticipantState[] memory want = _state(n);
        for (uint256 i; i < n; ++i) {
            want[i] = i % 2 == 0
                ? ParticipantState(U64, 0, U64, 0, 0, 0, int256(uint256(U64)))
                : ParticipantState(0, U64, 0, U64, 0, 0, -int256(uint256(U64)));
        }
        (bool ok, bytes memory ret) = _bothPaths(_params(MarketKind.Mmr, 1000, 1000, 0), prev, energy, "");
        assertTrue(ok);
        assertEq(ret, abi.encode(true, StateHash.hash(want)), "Mmr, no cap");
        assertEq(StateHash.hash(want), TS_N1024);
        (ok, ret) = _bothPaths(_params(MarketKind.Totals, 1000, 1000, 0), prev, energy, "");
        assertTrue(ok);
        assertEq(ret, abi.encode(true, TS_N1024), "Totals");
        // Feeder 1 Wh: seller 0 sells 1 to buyer 1 (remainders to the lowest index); value 1.
        for (uint256 i; i < n; ++i) {
            want[i] = i % 2 == 0 ? ParticipantState(U64, 0, 0, 0, U64, 0, 0) : ParticipantState(0, U64, 0, 0, 0, U64, 0);
        }
        want[0] = ParticipantState(U64, 0, 1, 0, U64 - 1, 0, 1);
        want[1] = ParticipantState(0, U64, 0, 1, 0, U64 - 1, -1);
        (ok, ret) = _bothPaths(_params(MarketKind.Mmr, 1000, 1000, 1), prev, energy, "");
        assertTrue(ok);
        assertEq(ret, abi.encode(true, StateHash.hash(want)), "Mmr, feeder 1 Wh");
        assertEq(StateHash.hash(want), TS_N1024_FEEDER_1);
        // Auction at 1,024 with every price at the grid's: the whole book crosses at 1,000 per kWh.
        LimitPrices[] memory l = new LimitPrices[](n);
        for (uint256 i; i < n; ++i) {
            l[i] = LimitPrices(1000, 1000);
        }
        MarketParams memory pa = _params(MarketKind.Auction, 1000, 1000, 0);
        pa.limitsHash = LimitsHash.hash(l);
        for (uint256 i; i < n; ++i) {
            want[i] = i % 2 == 0
                ? ParticipantState(U64, 0, U64, 0, 0, 0, int256(uint256(U64)))
                : ParticipantState(0, U64, 0, U64, 0, 0, -int256(uint256(U64)));
        }
        (ok, ret) = _bothPaths(pa, prev, energy, PackedLimits.pack(l));
        assertTrue(ok);
        assertEq(ret, abi.encode(true, TS_N1024), "auction, no cap");
    }

    /// Boundary: a product past 2^256 panics 0x11 on both paths (the TypeScript twin throws ARITHMETIC_OVERFLOW),
    /// never a silently wrapped value that could hash to a claim: Totals at N = 1,024, every participant at
    /// 2^64 - 1 both ways and prices at 2^128 - 1 give v ~ 2^192.03, and v times a seller's 2^64 - 1 passes 2^256.
    function test_RevertWhen_ValueProductWraps_Attack() public view {
        uint256 n = 1024;
        uint128 top = type(uint128).max;
        (bool ok, bytes memory ret) =
            _bothPaths(_params(MarketKind.Totals, top, top, 0), PackedState.pack(_state(n)), _energy(n, U64, U64), "");
        assertFalse(ok);
        assertEq(ret, _panic(0x11));
        // One participant fewer: v ~ 2^192.03 - 2^182, still past it; at a quarter of the price it fits.
        (ok, ret) = _bothPaths(
            _params(MarketKind.Totals, top / 4, top / 4, 0), PackedState.pack(_state(n)), _energy(n, U64, U64), ""
        );
        assertTrue(ok);
        assertEq(ret, abi.encode(true, TS_N1024_TOTALS_QUARTER_PRICE));
    }

    /// Boundary: N = 1 (nobody to trade with), N = 0, and all-zero energy at N = 3 with feeder 0 and > 0.
    function test_SmallestCommunitiesAndZeroEnergy() public view {
        ParticipantState[] memory s = _state(1);
        s[0] = ParticipantState(5, 6, 1, 1, 4, 5, 0);
        for (uint256 k; k < 3; ++k) {
            MarketParams memory p = _params(MarketKind(k), 100, 50, k == 1 ? 1 : 0);
            LimitPrices[] memory l = new LimitPrices[](1);
            l[0] = LimitPrices(90, 60);
            if (k == 2) p.limitsHash = LimitsHash.hash(l);
            bytes memory packedLimits = k == 2 ? PackedLimits.pack(l) : bytes("");
            (bool ok, bytes memory ret) = _bothPaths(p, PackedState.pack(s), _energy(1, 7, 2), packedLimits);
            assertTrue(ok);
            ParticipantState[] memory want = _state(1);
            // Totals recomputes from the totals: the one participant matches its own 8 Wh (net 0).
            want[0] = k == 0 ? ParticipantState(12, 8, 8, 8, 4, 0, 0) : ParticipantState(12, 8, 1, 1, 9, 5, 0);
            assertEq(ret, abi.encode(true, StateHash.hash(want)));
            // N = 0: the empty state.
            LimitPrices[] memory none = new LimitPrices[](0);
            if (k == 2) p.limitsHash = LimitsHash.hash(none);
            (ok, ret) = _bothPaths(p, "", "", "");
            assertTrue(ok);
            assertEq(ret, abi.encode(true, bytes32(0)));
        }
        // All-zero energy, feeder 0 and 5: Mmr and auction leave S_{t-1} as it was.
        ParticipantState[] memory three = _state(3);
        three[0] = ParticipantState(9, 1, 2, 0, 6, 1, 40);
        three[1] = ParticipantState(1, 9, 0, 2, 1, 6, -40);
        bytes memory prev = PackedState.pack(three);
        LimitPrices[] memory l3 = new LimitPrices[](3);
        for (uint64 cap; cap < 10; cap += 5) {
            MarketParams memory pm = _params(MarketKind.Mmr, 100, 50, cap);
            (bool ok, bytes memory ret) = _bothPaths(pm, prev, _energy(3, 0, 0), "");
            assertTrue(ok);
            assertEq(ret, abi.encode(true, PackedState.hashPacked(prev)));
            MarketParams memory pa = _params(MarketKind.Auction, 100, 50, cap);
            pa.limitsHash = LimitsHash.hash(l3);
            (ok, ret) = _bothPaths(pa, prev, _energy(3, 0, 0), PackedLimits.pack(l3));
            assertTrue(ok);
            assertEq(ret, abi.encode(true, PackedState.hashPacked(prev)));
        }
    }

    /// Attack on the domain: an interval energy past 2^64 - 1. The packed entry point cannot carry one (8 bytes a
    /// field), so no BadStep ever steps one. Only the modules' ABI entry `IMarketStep.step` (no caller on chain or
    /// in the node) takes uint256 energies, and it does not refuse them: the cumulative fields take the energy
    /// truncated to uint64 (as `uint64(e)` did before s15) while the surplus and the trade take it whole, where
    /// the TypeScript twin throws VALUE_OUT_OF_RANGE. Pinned as it is (review 6, I1).
    function test_EnergyPastUint64OnlyThroughTheUnusedStepEntry_Attack() public view {
        uint256 big = uint256(U64) + 6; // 2^64 + 5
        uint256[] memory ex = new uint256[](2);
        uint256[] memory im = new uint256[](2);
        (ex[0], im[1]) = (big, big);
        ParticipantState[] memory next =
            mmr.step(_params(MarketKind.Mmr, 1000, 1000, 0), _state(2), ex, im, new LimitPrices[](0));
        // exportWh and p2pSoldWh hold 5 (truncated); the net holds the whole 2^64 + 5 Wh's value.
        assertEq(abi.encode(next[0].exportWh, next[0].p2pSoldWh, next[0].gridSoldWh), abi.encode(5, 5, 0));
        assertEq(next[0].net, int256(big));
        assertEq(next[1].net, -int256(big));
    }

    // ------------------------------------------------------------------ 3. memory

    /// Attack on the free memory pointer: what the calldata decoders build must survive later allocations, and
    /// the hashes built in unclaimed memory must not touch claimed memory.
    function testFuzz_DecodersClaimTheirMemory_Attack(uint256 seed, uint8 count) public view {
        uint256 n = bound(count, 0, 40);
        bytes memory state = _random(seed, n * 64);
        bytes memory limits = _random(seed ^ 1, n * 32);
        bytes memory energy = _random(seed ^ 2, n * 16);
        assertEq(probe.unpackThenAllocate(state), state, "state");
        assertEq(probe.limitsThenAllocate(limits), limits, "limits");
        assertEq(probe.energyThenAllocate(energy), energy, "energy");
        // check() refuses unbalanced states: hash a balanced one (nets zero).
        for (uint256 i; i < n; ++i) {
            for (uint256 b = 48; b < 64; ++b) {
                state[i * 64 + b] = 0;
            }
        }
        (bytes memory again, bytes32 lh, bytes32 sh) = probe.hashesLeaveMemory(state, limits);
        assertEq(again, state, "state after the hashes");
        assertEq(lh, LimitsHash.hash(PackedLimits.unpack(limits)));
        assertEq(sh, PackedState.hashPacked(state));
    }

    function _random(uint256 seed, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; i += 32) {
            bytes32 w = keccak256(abi.encode(seed, i));
            for (uint256 b; b < 32 && i + b < len; ++b) {
                out[i + b] = w[b];
            }
        }
    }

    // ------------------------------------------------------------------ 4. differential fuzz

    /// @dev A uint64 biased to the boundaries: 0, 1, the top and just below it, a random word, small values.
    function _u64(uint256 r, bool wild) internal pure returns (uint64) {
        uint256 k = r % 10;
        if (!wild) return uint64((r >> 8) % 1000);
        if (k == 0) return 0;
        if (k == 1) return 1;
        if (k == 2) return U64;
        if (k == 3) return U64 - uint64((r >> 8) % 4);
        if (k == 4) return uint64(r >> 64);
        if (k == 5) return uint64(1) << 63;
        return uint64((r >> 8) % 100_000);
    }

    function _i128(uint256 r, bool wild) internal pure returns (int128) {
        uint256 k = r % 9;
        if (!wild || k > 6) return int128(int256((r >> 8) % 2001) - 1000);
        if (k == 0) return 0;
        if (k == 1) return type(int128).max;
        if (k == 2) return type(int128).min;
        if (k == 3) return type(int128).min + 1;
        if (k == 4) return -type(int128).max + int128(int256((r >> 8) % 3));
        if (k == 5) return int128(uint128(r >> 128));
        return -1;
    }

    function _u128(uint256 r, bool wild) internal pure returns (uint128) {
        uint256 k = r % 8;
        if (!wild || k > 4) return uint128((r >> 8) % 5000);
        if (k == 0) return 0;
        if (k == 1) return 1;
        if (k == 2) return type(uint128).max;
        if (k == 3) return uint128(r >> 128);
        return uint128(1) << 100;
    }

    struct Case {
        MarketParams p;
        bytes prev;
        bytes energy;
        bytes limits;
    }

    /// @dev A random step: n in 0..24 (sometimes 1,024 small), boundary-biased fields, nets and prices, any market
    /// kind, and now and then lengths that disagree.
    function _case(uint256 seed) internal pure returns (Case memory c) {
        bool wild = seed % 3 != 0;
        uint256 n = seed % 11 == 0 ? 64 : (seed >> 8) % 25;
        c.p = _params(
            MarketKind((seed >> 16) % 3),
            _u128(uint256(keccak256(abi.encode(seed, "buy"))), wild),
            _u128(uint256(keccak256(abi.encode(seed, "sell"))), wild),
            (seed >> 24) % 4 == 0 ? 0 : _u64(uint256(keccak256(abi.encode(seed, "cap"))), wild)
        );
        ParticipantState[] memory s = new ParticipantState[](n);
        uint256[] memory ex = new uint256[](n);
        uint256[] memory im = new uint256[](n);
        LimitPrices[] memory l = new LimitPrices[](n);
        for (uint256 i; i < n; ++i) {
            uint256 h = uint256(keccak256(abi.encode(seed, i)));
            bool w = wild && h % 4 == 0; // a quarter of the participants at the boundaries
            s[i] = ParticipantState(
                _u64(h >> 8, w),
                _u64(h >> 24, w),
                _u64(h >> 40, w),
                _u64(h >> 56, w),
                _u64(h >> 72, w),
                _u64(h >> 88, w),
                _i128(h >> 104, w)
            );
            uint256 g = uint256(keccak256(abi.encode(seed, i, "energy")));
            // At most one side non-zero now and then, both at other times.
            ex[i] = g % 3 == 0 ? 0 : _u64(g >> 8, w);
            im[i] = g % 3 == 1 ? 0 : _u64(g >> 72, w);
            l[i] = LimitPrices(_u128(g >> 136, wild), _u128(g >> 160, wild));
        }
        c.prev = PackedState.pack(s);
        c.energy = EnergyVector.pack(ex, im);
        c.limits = PackedLimits.pack(l);
        c.p.limitsHash = LimitsHash.hash(l);
        uint256 bend = (seed >> 32) % 16;
        if (bend == 0) c.energy = bytes.concat(c.energy, new bytes(16));
        else if (bend == 1 && n > 0) c.prev = _prefix(c.prev, c.prev.length - 64);
        else if (bend == 2 && n > 0) c.limits = _prefix(c.limits, c.limits.length - 32);
        else if (bend == 3) c.p.limitsHash = bytes32(seed);
    }

    /// The differential the in-place step rests on: for any packed S_{t-1} (boundary fields, any net, -2^127
    /// included), E_t, prices and market kind, the module's calldata + in-place `stepHash` gives what the plain
    /// memory path gives: the same (encodable, hash), or the same revert data.
    function testFuzz_CalldataInPlaceIsMemoryPath(uint256 seed) public view {
        Case memory c = _case(seed);
        _bothPaths(c.p, c.prev, c.energy, c.limits);
    }

    /// The TypeScript twin on random, boundary-biased packed steps (`vectors/reviewStep.json`, written by
    /// `npx tsx scripts/review-step-boundaries.ts --write`: S_{t-1} bytes read by `unpackState`, so nets of -2^127
    /// and fields at 2^64 - 1 occur; E_t; prices; the three kinds). Both paths give TypeScript's outcome: its state
    /// hash, no encoding, or `Panic(0x11)` where it throws FIELD_OVERFLOW or ARITHMETIC_OVERFLOW; and its limits
    /// hash is `PackedLimits.hash` of the packed prices.
    function test_TypeScriptTwinOnRandomPackedSteps() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/reviewStep.json"));
        uint256 count = vm.parseJsonUint(json, ".count");
        uint256[3] memory seen;
        for (uint256 c; c < count; ++c) {
            ++seen[_replay(json, string.concat(".cases[", vm.toString(c), "]"))];
        }
        assertGt(seen[0], 40, "hashes");
        assertGt(seen[1], 0, "no encoding");
        assertGt(seen[2], 40, "panics");
    }

    /// @dev One case of `reviewStep.json` through both paths; 0: a hash, 1: no encoding, 2: a panic.
    function _replay(string memory json, string memory k) internal view returns (uint256) {
        MarketParams memory p = _params(
            MarketKind(vm.parseJsonUint(json, string.concat(k, ".kind"))),
            uint128(vm.parseJsonUint(json, string.concat(k, ".gridBuyPrice"))),
            uint128(vm.parseJsonUint(json, string.concat(k, ".gridSellPrice"))),
            uint64(vm.parseJsonUint(json, string.concat(k, ".feederCapacityWh")))
        );
        p.limitsHash = vm.parseJsonBytes32(json, string.concat(k, ".limitsHash"));
        bytes memory limits = vm.parseJsonBytes(json, string.concat(k, ".limits"));
        assertEq(LimitsHash.hash(PackedLimits.unpack(limits)), p.limitsHash, "limitsHash");
        (bool ok, bytes memory ret) = _bothPaths(
            p,
            vm.parseJsonBytes(json, string.concat(k, ".prevState")),
            vm.parseJsonBytes(json, string.concat(k, ".energy")),
            limits
        );
        bytes32 outcome = keccak256(bytes(vm.parseJsonString(json, string.concat(k, ".outcome"))));
        if (outcome == keccak256("OK")) {
            assertEq(ret, abi.encode(true, vm.parseJsonBytes32(json, string.concat(k, ".hash"))), k);
            return 0;
        }
        if (outcome == keccak256("NO-ENCODING")) {
            assertTrue(ok, k);
            (bool encodable,) = abi.decode(ret, (bool, bytes32));
            assertFalse(encodable, k);
            return 1;
        }
        assertTrue(
            outcome == keccak256("MARKET_ERROR_FIELD_OVERFLOW")
                || outcome == keccak256("MARKET_ERROR_ARITHMETIC_OVERFLOW"),
            k
        );
        assertFalse(ok, k);
        assertEq(ret, _panic(0x11), k);
        return 2;
    }

    /// The same over 400 fixed seeds, counting outcomes so that the comparison is known to cover successes
    /// (encodable and not) and failures alike.
    function test_CalldataInPlaceIsMemoryPathOverSeeds() public view {
        uint256 encodable;
        uint256 unencodable;
        uint256 reverted;
        for (uint256 k; k < 400; ++k) {
            Case memory c = _case(uint256(keccak256(abi.encode("differential", k))));
            (bool ok, bytes memory ret) = _bothPaths(c.p, c.prev, c.energy, c.limits);
            if (!ok) {
                ++reverted;
            } else {
                (bool e,) = abi.decode(ret, (bool, bytes32));
                if (e) ++encodable;
                else ++unencodable;
            }
        }
        assertGt(encodable, 80, "encodable");
        assertGt(unencodable, 5, "no encoding");
        assertGt(reverted, 40, "reverted");
    }
}
