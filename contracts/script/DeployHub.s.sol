// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script, console} from "forge-std/Script.sol";
import {Hub} from "../src/Hub.sol";
import {MarketKind} from "../src/types/Market.sol";
import {CommunityModules} from "../src/types/Community.sol";
import {ICoSignatureScheme} from "../src/interfaces/ICoSignatureScheme.sol";
import {IDataAvailabilityGame} from "../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {IMarketStep} from "../src/interfaces/IMarketStep.sol";
import {IMeterScheme} from "../src/interfaces/IMeterScheme.sol";
import {CommunityToken} from "../src/tokens/CommunityToken.sol";

/// @notice Deploys the standard modules (dispute verifier, Totals and Mmr market steps, ECDSA signer set,
/// Ed25519 and P-256 meter schemes, data-availability game, BLS12-381 co-signature scheme, auction market
/// step), the hub that allow-lists exactly them, registers with it the six standard module sets (each market kind
/// with the ECDSA signer set and with BLS, meter schemes [Ed25519, P-256]: a community's `open` then writes none of
/// its set's slots) and, unless `HUB_TOKEN` names
/// an existing ERC-20, a demo CommunityToken owned by `HUB_TOKEN_OWNER` (default: the broadcaster).
/// @dev `forge script contracts/script/DeployHub.s.sol --rpc-url http://127.0.0.1:8545 \
///        --private-key <key> --broadcast`
contract DeployHub is Script {
    function run() external returns (Hub hub, address token) {
        return deploy(vm.envOr("HUB_TOKEN", address(0)), vm.envOr("HUB_TOKEN_OWNER", msg.sender));
    }

    /// @notice Deploys the modules and the hub, and a CommunityToken owned by `owner` when `token` is zero.
    /// @dev Modules come from their artifacts (`deployCode`): this file imports Hub.sol, which is compiled
    /// for size, and the modules must be the runs = 10000 builds.
    function deploy(address token, address owner) public returns (Hub hub, address) {
        vm.startBroadcast();
        address[] memory modules = new address[](9);
        modules[0] = deployCode("DisputeVerifier.sol:DisputeVerifier");
        modules[1] = deployCode("MarketStep.sol:MarketStep", abi.encode(MarketKind.Totals));
        modules[2] = deployCode("MarketStep.sol:MarketStep", abi.encode(MarketKind.Mmr));
        modules[3] = deployCode("EcdsaSignerSet.sol:EcdsaSignerSet");
        modules[4] = deployCode("Ed25519Scheme.sol:Ed25519Scheme");
        modules[5] = deployCode("P256Scheme.sol:P256Scheme");
        // Data-availability game: 1 hour per move, challenge bond 10 % of the participant bond.
        modules[6] =
            deployCode("DataAvailabilityGame.sol:DataAvailabilityGame", abi.encode(uint32(3600), uint256(1000)));
        modules[7] = deployCode("BlsCoSignatureScheme.sol:BlsCoSignatureScheme");
        modules[8] = deployCode("AuctionMarketStep.sol:AuctionMarketStep");
        // Fixed for good: no owner can add or remove a module.
        hub = new Hub(modules);
        _registerStandardSets(hub, modules);
        if (token == address(0)) token = address(new CommunityToken("DIVERSITY Community Token", "DCT", owner));
        vm.stopBroadcast();
        console.log("DisputeVerifier", modules[0]);
        console.log("MarketStep (Totals)", modules[1]);
        console.log("MarketStep (Mmr)", modules[2]);
        console.log("EcdsaSignerSet", modules[3]);
        console.log("Ed25519Scheme", modules[4]);
        console.log("P256Scheme", modules[5]);
        console.log("DataAvailabilityGame", modules[6]);
        console.log("BlsCoSignatureScheme", modules[7]);
        console.log("AuctionMarketStep", modules[8]);
        console.log("Hub", address(hub));
        console.log("Token", token);
        return (hub, token);
    }

    /// @dev The six standard sets, ids 1 to 6: Totals, Mmr, Auction, each with ECDSA then BLS (the order of
    /// `standardModuleSets` in `node/src/chain/modules.ts` and `Modules._registerStandardSets` in the tests).
    function _registerStandardSets(Hub hub, address[] memory modules) internal {
        CommunityModules memory set;
        set.verifier = IDisputeVerifier(modules[0]);
        set.meterSchemes = new IMeterScheme[](2);
        set.meterSchemes[0] = IMeterScheme(modules[4]);
        set.meterSchemes[1] = IMeterScheme(modules[5]);
        set.game = IDataAvailabilityGame(modules[6]);
        address[3] memory markets = [modules[1], modules[2], modules[8]];
        MarketKind[3] memory kinds = [MarketKind.Totals, MarketKind.Mmr, MarketKind.Auction];
        for (uint256 k = 0; k < 3; ++k) {
            set.market = IMarketStep(markets[k]);
            set.coSignature = ICoSignatureScheme(modules[3]);
            hub.registerModules(set, kinds[k]);
            set.coSignature = ICoSignatureScheme(modules[7]);
            hub.registerModules(set, kinds[k]);
        }
    }
}
