// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script, console} from "forge-std/Script.sol";
import {Hub} from "../src/Hub.sol";
import {FraudProofVerifier} from "../src/FraudProofVerifier.sol";
import {CommunityToken} from "../src/tokens/CommunityToken.sol";

/// @notice Deploys the fraud-proof verifier, the hub that consults it and, unless `HUB_TOKEN` names an existing ERC-20, a demo CommunityToken
/// owned by `HUB_TOKEN_OWNER` (default: the broadcaster).
/// @dev `forge script contracts/script/DeployHub.s.sol --rpc-url http://127.0.0.1:8545 \
///        --private-key <key> --broadcast`
contract DeployHub is Script {
    function run() external returns (Hub hub, address token) {
        return deploy(vm.envOr("HUB_TOKEN", address(0)), vm.envOr("HUB_TOKEN_OWNER", msg.sender));
    }

    /// @notice Deploys the verifier and the hub, and a CommunityToken owned by `owner` when `token` is zero.
    function deploy(address token, address owner) public returns (Hub hub, address) {
        vm.startBroadcast();
        // The verifier does not fit in the hub's code: deployed first, fixed in the hub for good.
        hub = new Hub(new FraudProofVerifier());
        if (token == address(0)) token = address(new CommunityToken("DIVERSITY Community Token", "DCT", owner));
        vm.stopBroadcast();
        console.log("FraudProofVerifier", address(hub.verifier()));
        console.log("Hub", address(hub));
        console.log("Token", token);
        return (hub, token);
    }
}
