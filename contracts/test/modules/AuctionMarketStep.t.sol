// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {AuctionMarketStep} from "../../src/modules/AuctionMarketStep.sol";
import {IMarketStep} from "../../src/interfaces/IMarketStep.sol";
import {Market} from "../../src/libraries/Market.sol";
import {StateHashVectors} from "../utils/StateHashVectors.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {PackedLimits} from "../../src/libraries/PackedLimits.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {MarketKind, MarketParams, MeterEnergy, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {LimitPrices, LimitsHash} from "../../src/types/Auction.sol";

/// @notice The auction module behind an external call: the shared vectors through calldata, the limits
/// commitment byte for byte against TypeScript's `limitsHash`, and the price-substitution attacks it stops.
contract AuctionMarketStepTest is Test {
    AuctionMarketStep internal module;
    string internal json;
    uint256 internal count;

    function setUp() public {
        module = new AuctionMarketStep();
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/auction.json"));
        count = vm.parseJsonUint(json, ".count");
    }

    function _case(uint256 c) internal pure returns (string memory) {
        return string.concat(".cases[", vm.toString(c), "]");
    }

    function _step(uint256 c, uint256 t) internal pure returns (string memory) {
        return string.concat(_case(c), ".steps[", vm.toString(t), "]");
    }

    function _limits(string memory j, uint256 c) internal pure returns (LimitPrices[] memory l) {
        uint256[] memory bid = vm.parseJsonUintArray(j, string.concat(_case(c), ".bidPrice"));
        uint256[] memory ask = vm.parseJsonUintArray(j, string.concat(_case(c), ".askPrice"));
        l = new LimitPrices[](bid.length);
        for (uint256 i; i < bid.length; ++i) {
            l[i] = LimitPrices(uint128(bid[i]), uint128(ask[i]));
        }
    }

    function _owners(string memory j, uint256 c) internal pure returns (uint32[] memory o) {
        uint256[] memory raw = vm.parseJsonUintArray(j, string.concat(_case(c), ".meterOwner"));
        o = new uint32[](raw.length);
        for (uint256 k; k < raw.length; ++k) {
            o[k] = uint32(raw[k]);
        }
    }

    function _readings(string memory j, uint256 c, uint256 t) internal pure returns (MeterEnergy[] memory r) {
        string memory s = _step(c, t);
        bool[] memory present = vm.parseJsonBoolArray(j, string.concat(s, ".present"));
        uint256[] memory e = vm.parseJsonUintArray(j, string.concat(s, ".exportWh"));
        uint256[] memory m = vm.parseJsonUintArray(j, string.concat(s, ".importWh"));
        r = new MeterEnergy[](present.length);
        for (uint256 k; k < present.length; ++k) {
            r[k] = MeterEnergy(present[k], uint32(e[k]), uint32(m[k]));
        }
    }

    function _params(string memory j, uint256 c, uint256 t) internal pure returns (MarketParams memory p) {
        p.kind = MarketKind.Auction;
        p.limitsHash = vm.parseJsonBytes32(j, string.concat(_case(c), ".limitsHash"));
        p.gridBuyPrice = uint128(vm.parseJsonUint(j, string.concat(_step(c, t), ".gridBuyPrice")));
        p.gridSellPrice = uint128(vm.parseJsonUint(j, string.concat(_step(c, t), ".gridSellPrice")));
        p.feederCapacityWh = uint64(vm.parseJsonUint(j, string.concat(_case(c), ".feederCapacityWh")));
    }

    /// @notice LimitsHash.hash equals TypeScript's limitsHash on every vector's prices.
    function test_LimitsHashMatchesVectors() public view {
        string memory j = json;
        for (uint256 c; c < count; ++c) {
            assertEq(
                LimitsHash.hash(_limits(j, c)),
                vm.parseJsonBytes32(j, string.concat(_case(c), ".limitsHash")),
                string.concat("case ", vm.toString(c))
            );
        }
    }

    /// @notice Every step of every vector through the module's calldata path gives TypeScript's state hash.
    function test_StepMatchesVectors() public view {
        string memory j = json;
        for (uint256 c; c < count; ++c) {
            LimitPrices[] memory limits = _limits(j, c);
            uint32[] memory owners = _owners(j, c);
            uint256 steps = vm.parseJsonUint(j, string.concat(_case(c), ".stepCount"));
            ParticipantState[] memory state =
                Market.emptyState(vm.parseJsonUint(j, string.concat(_case(c), ".participants")));
            for (uint256 t; t < steps; ++t) {
                (uint256[] memory ex, uint256[] memory im) =
                    Market.participantEnergy(state.length, owners, _readings(j, c, t));
                state = _stepBothWays(_params(j, c, t), state, ex, im, limits);
                assertTrue(
                    StateHashVectors.matches(state, vm.parseJsonBytes32(j, string.concat(_step(c, t), ".hash"))),
                    string.concat("case ", vm.toString(c), " step ", vm.toString(t))
                );
            }
        }
    }

    /// @dev `module.step`, and when `prev` has an encoding to hand over, the packed entry point the verifier
    /// calls (`stepHash`) too: it must say what the stepped state hashes to (zero: no encoding).
    function _stepBothWays(
        MarketParams memory params,
        ParticipantState[] memory prev,
        uint256[] memory ex,
        uint256[] memory im,
        LimitPrices[] memory limits
    ) internal view returns (ParticipantState[] memory next) {
        (bool packable,) = StateHash.tryHash(prev);
        bytes32 h;
        if (packable) {
            bool ok;
            (ok, h) =
                module.stepHash(params, PackedState.pack(prev), EnergyVector.pack(ex, im), PackedLimits.pack(limits));
            if (!ok) h = bytes32(0);
        }
        next = module.step(params, prev, ex, im, limits);
        if (packable) assertEq(h, _hashOrZero(next), "stepHash");
    }

    function _hashOrZero(ParticipantState[] memory s) internal pure returns (bytes32) {
        (bool ok, bytes32 h) = StateHash.tryHash(s);
        return ok ? h : bytes32(0);
    }

    function _firstTwoParticipantCase() internal view returns (uint256 c) {
        for (; c < count; ++c) {
            if (vm.parseJsonUint(json, string.concat(_case(c), ".participants")) >= 2) return c;
        }
        revert("no case with two participants");
    }

    /// @notice Attack: a prover raises one participant's limit price to change the clearing. Refused.
    function test_RevertWhen_OnePriceSubstituted() public {
        uint256 c = _firstTwoParticipantCase();
        LimitPrices[] memory limits = _limits(json, c);
        bytes32 h = LimitsHash.hash(limits);
        limits[0].bidPrice += 1;
        bytes32 forged = LimitsHash.hash(limits);
        ParticipantState[] memory prev = Market.emptyState(limits.length);
        (uint256[] memory ex, uint256[] memory im) =
            Market.participantEnergy(prev.length, _owners(json, c), _readings(json, c, 0));
        vm.expectRevert(abi.encodeWithSelector(AuctionMarketStep.LimitsHashMismatch.selector, h, forged));
        module.step(_params(json, c, 0), prev, ex, im, limits);
    }

    /// @notice Attack: a prover swaps two participants' prices (same multiset of prices). Refused.
    function test_RevertWhen_PricesPermuted() public {
        LimitPrices[] memory limits = new LimitPrices[](2);
        limits[0] = LimitPrices(300, 10);
        limits[1] = LimitPrices(200, 20);
        bytes32 h = LimitsHash.hash(limits);
        (limits[0], limits[1]) = (limits[1], limits[0]);
        MarketParams memory p = MarketParams(MarketKind.Auction, 250, 50, 0, h, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(AuctionMarketStep.LimitsHashMismatch.selector, h, LimitsHash.hash(limits))
        );
        module.step(p, Market.emptyState(2), new uint256[](2), new uint256[](2), limits);
    }

    /// @notice Attack: a prover drops a participant's prices (and with them the length check's input).
    function test_RevertWhen_PricesTruncated() public {
        LimitPrices[] memory limits = new LimitPrices[](2);
        limits[0] = LimitPrices(300, 10);
        limits[1] = LimitPrices(200, 20);
        bytes32 h = LimitsHash.hash(limits);
        LimitPrices[] memory shorter = new LimitPrices[](1);
        shorter[0] = limits[0];
        MarketParams memory p = MarketParams(MarketKind.Auction, 250, 50, 0, h, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(AuctionMarketStep.LimitsHashMismatch.selector, h, LimitsHash.hash(shorter))
        );
        module.step(p, Market.emptyState(2), new uint256[](2), new uint256[](2), shorter);
    }

    /// @notice The module computes the auction, and only for an auction community: Totals or Mmr parameters
    /// (a hub that named this module for another market) are refused before anything is folded.
    function test_RevertWhen_NotAnAuctionCommunity() public {
        assertEq(uint8(module.kind()), uint8(MarketKind.Auction));
        LimitPrices[] memory limits = new LimitPrices[](1);
        limits[0] = LimitPrices(300, 10);
        bytes32 h = LimitsHash.hash(limits);
        for (uint8 k; k < 2; ++k) {
            MarketParams memory p = MarketParams(MarketKind(k), 250, 50, 0, h, bytes32(0));
            vm.expectRevert(
                abi.encodeWithSelector(IMarketStep.WrongMarketKind.selector, MarketKind.Auction, MarketKind(k))
            );
            module.step(p, Market.emptyState(1), new uint256[](1), new uint256[](1), limits);
        }
    }

    /// @notice `publishLimits` returns and logs the limits under the hash a community commits to.
    function test_PublishLimitsEmitsPreimage() public {
        LimitPrices[] memory limits = new LimitPrices[](2);
        limits[0] = LimitPrices(300, 10);
        limits[1] = LimitPrices(200, 20);
        bytes32 h = LimitsHash.hash(limits);
        vm.expectEmit(true, false, false, true, address(module));
        emit AuctionMarketStep.LimitsPublished(h, limits);
        assertEq(module.publishLimits(limits), h);
    }
}
