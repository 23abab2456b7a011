// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {Hub} from "../src/Hub.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {IMeterScheme} from "../src/interfaces/IMeterScheme.sol";
import {CommunityConfig, CommunityModules} from "../src/types/Community.sol";
import {MarketKind} from "../src/types/Market.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";
import {HubFixture} from "./utils/HubFixture.sol";

/// @notice Module sets registered once per hub (`Hub.registerModules`, DESIGN.md §5.1): a community names its
/// modules by value at `open` and the hub keeps the id of the registered set, checked once. Each test is an
/// attack on what the registration must keep: the allow-list, the market kind, and a community's modules.
contract HubModuleSetsTest is HubFixture {
    uint256 internal constant N = 3;
    /// `_newHub` registers six standard sets (`Modules._registerStandardSets`).
    uint32 internal constant STANDARD_SETS = 6;

    function setUp() public {
        _deploy(N);
    }

    /// @dev The standard Totals set with its Ed25519 meter scheme only: a set `_newHub` did not register.
    function _oneScheme() internal view returns (CommunityModules memory m) {
        m = _modules(MarketKind.Totals);
        m.meterSchemes = new IMeterScheme[](1);
        m.meterSchemes[0] = ed25519Module;
    }

    function _registrations(Vm.Log[] memory logs) internal pure returns (uint256 count) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IHub.ModulesRegistered.selector) ++count;
        }
    }

    /// The same set and kind always get the same id, registered (and announced) once; another set a new id.
    function test_RegisterModules_OnceEach() public {
        assertEq(hub.registerModules(_modules(MarketKind.Totals), MarketKind.Totals), 1);
        assertEq(hub.registerModules(_modules(MarketKind.Auction), MarketKind.Auction), 5);
        CommunityModules memory m = _oneScheme();
        vm.expectEmit(address(hub));
        emit IHub.ModulesRegistered(STANDARD_SETS + 1, keccak256(abi.encode(m, MarketKind.Totals)));
        assertEq(hub.registerModules(m, MarketKind.Totals), STANDARD_SETS + 1);
        vm.recordLogs();
        assertEq(hub.registerModules(m, MarketKind.Totals), STANDARD_SETS + 1);
        assertEq(_registrations(vm.getRecordedLogs()), 0, "registered once");
    }

    /// An `open` naming a set nobody registered registers it; the next one naming it writes nothing of it. Both
    /// communities report the set.
    function test_OpenRegistersANewSetOnce() public {
        CommunityConfig memory c = _config(N);
        c.modules = _oneScheme();
        vm.recordLogs();
        uint64 first = _openConfig(c);
        assertEq(_registrations(vm.getRecordedLogs()), 1, "the first open registers");
        uint64 second = _openConfig(c);
        assertEq(_registrations(vm.getRecordedLogs()), 0, "the second names it");
        assertEq(hub.registerModules(c.modules, c.market.kind), STANDARD_SETS + 1);
        bytes32 want = keccak256(abi.encode(c.modules));
        assertEq(keccak256(abi.encode(hub.community(first).modules)), want);
        assertEq(keccak256(abi.encode(hub.community(second).modules)), want);
    }

    /// Attack: register a set whose verifier the hub never allow-listed (one that proves nothing wrong), so that
    /// communities can name it by id. The registration checks the allow-list, as `open` did.
    function test_RevertWhen_RegisterModuleNotAllowListed() public {
        CommunityModules memory m = _modules(MarketKind.Totals);
        address rogue = deployCode("DisputeVerifier.sol:DisputeVerifier");
        m.verifier = IDisputeVerifier(rogue);
        vm.expectRevert(abi.encodeWithSelector(IHub.ModuleNotEnabled.selector, rogue));
        hub.registerModules(m, MarketKind.Totals);
        m = _oneScheme();
        m.meterSchemes[0] = IMeterScheme(rogue);
        vm.expectRevert(abi.encodeWithSelector(IHub.ModuleNotEnabled.selector, rogue));
        hub.registerModules(m, MarketKind.Totals);
    }

    /// Attack: settle with one market and have disputes recompute another, through a registered set. The Totals
    /// set is registered for Totals (`_newHub`); opened with an Mmr market it is another set (the kind is part of
    /// the key), whose registration checks the market and refuses.
    function test_RevertWhen_RegisteredSetUsedForAnotherKind() public {
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.registerModules(_modules(MarketKind.Totals), MarketKind.Mmr);
        CommunityConfig memory c = _config(N);
        c.modules = _modules(MarketKind.Totals);
        c.market.kind = MarketKind.Mmr;
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.open(OpenCodec.encode(c));
    }

    /// Attack: change an open community's modules afterwards by registering sets (anyone may). A community keeps
    /// the set it opened with; registering others, or its own again, changes nothing.
    function test_RegisteringLaterChangesNoCommunity() public {
        uint64 id = _open(N);
        bytes32 before = keccak256(abi.encode(hub.community(id).modules));
        hub.registerModules(_oneScheme(), MarketKind.Totals);
        CommunityModules memory m = _modules(MarketKind.Mmr);
        m.coSignature = blsModule;
        hub.registerModules(m, MarketKind.Mmr);
        hub.registerModules(_modules(MarketKind.Mmr), MarketKind.Mmr);
        assertEq(keccak256(abi.encode(hub.community(id).modules)), before);
    }

    /// Sets are per hub: another hub's registrations are not this one's (each hub keys its own sets).
    function test_SetsArePerHub() public {
        Hub other = new Hub(_allowList());
        assertEq(other.registerModules(_oneScheme(), MarketKind.Totals), 1);
        assertEq(hub.registerModules(_oneScheme(), MarketKind.Totals), STANDARD_SETS + 1);
    }
}
