// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Hub} from "../../src/Hub.sol";
import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {ICoSignatureScheme} from "../../src/interfaces/ICoSignatureScheme.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {IMarketStep} from "../../src/interfaces/IMarketStep.sol";
import {IMeterScheme} from "../../src/interfaces/IMeterScheme.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {CommunityInfo, CommunityModules, OpenConfig, WindowStatus} from "../../src/types/Community.sol";
import {MarketKind, ParticipantState} from "../../src/types/Market.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {BalanceBook} from "./BalanceBook.sol";

/// @dev Views of DisputeVerifier that are not part of IDisputeVerifier.
interface IDisputeVerifierConstants {
    function EQUIVOCATION_SLASH_BPS() external view returns (uint256);
}

/// @notice The standard module set and the one hub constructor of the tests. Modules are deployed from
/// their artifacts (`deployCode`), not imported: a test unit that imports Hub.sol is compiled with the
/// hub's size profile (runs = 200, foundry.toml), and the modules must run (and be gas-measured) as
/// deployed, at runs = 10000.
abstract contract Modules is Test {
    /// Meter scheme indexes of `_modules` (Meter.scheme).
    uint8 internal constant ED25519 = 0;
    uint8 internal constant P256 = 1;

    IDisputeVerifier internal verifierModule;
    IMarketStep internal totalsModule;
    IMarketStep internal mmrModule;
    IMarketStep internal auctionModule;
    ICoSignatureScheme internal ecdsaModule;
    IMeterScheme internal ed25519Module;
    IMeterScheme internal p256Module;
    ICoSignatureScheme internal blsModule;
    IDataAvailabilityGame internal gameModule;
    /// Balances roots and proofs of every community the test builds (`BalanceBook`).
    BalanceBook internal book;

    /// The standard game module's move deadline and challenge bond (share of the participant bond).
    uint32 internal constant MOVE_DEADLINE = 1 hours;
    uint256 internal constant GAME_BOND_BPS = 1_000;

    function _deployModules() internal {
        book = new BalanceBook();
        verifierModule = IDisputeVerifier(deployCode("DisputeVerifier.sol:DisputeVerifier"));
        totalsModule = IMarketStep(deployCode("MarketStep.sol:MarketStep", abi.encode(MarketKind.Totals)));
        mmrModule = IMarketStep(deployCode("MarketStep.sol:MarketStep", abi.encode(MarketKind.Mmr)));
        ecdsaModule = ICoSignatureScheme(deployCode("EcdsaSignerSet.sol:EcdsaSignerSet"));
        ed25519Module = IMeterScheme(deployCode("Ed25519Scheme.sol:Ed25519Scheme"));
        p256Module = IMeterScheme(deployCode("P256Scheme.sol:P256Scheme"));
        gameModule = IDataAvailabilityGame(
            deployCode("DataAvailabilityGame.sol:DataAvailabilityGame", abi.encode(MOVE_DEADLINE, GAME_BOND_BPS))
        );
        blsModule = ICoSignatureScheme(deployCode("BlsCoSignatureScheme.sol:BlsCoSignatureScheme"));
        auctionModule = IMarketStep(deployCode("AuctionMarketStep.sol:AuctionMarketStep"));
    }

    /// @dev The hub's constructor allow-list: every standard module.
    function _allowList() internal view returns (address[] memory list) {
        list = new address[](9);
        list[0] = address(verifierModule);
        list[1] = address(totalsModule);
        list[2] = address(mmrModule);
        list[3] = address(ecdsaModule);
        list[4] = address(ed25519Module);
        list[5] = address(p256Module);
        list[6] = address(gameModule);
        list[7] = address(blsModule);
        list[8] = address(auctionModule);
    }

    /// @dev A hub allowing the standard modules (deploying them first if needed), with the standard module sets
    /// registered, as a hub's deployer does (`_registerStandardSets`): a community's open names a registered set.
    function _newHub() internal returns (Hub hub) {
        if (address(verifierModule) == address(0)) _deployModules();
        hub = new Hub(_allowList());
        _registerStandardSets(hub);
    }

    /// @dev Registers with `hub` the standard set of each market kind, with the ECDSA signer set and with BLS
    /// (ids 1 to 6, in that order: Totals, Mmr, Auction, each ECDSA then BLS). Twin of `standardModuleSets` in
    /// `node/src/chain/modules.ts`.
    function _registerStandardSets(Hub hub) internal {
        MarketKind[3] memory kinds = [MarketKind.Totals, MarketKind.Mmr, MarketKind.Auction];
        for (uint256 k = 0; k < kinds.length; ++k) {
            CommunityModules memory m = _modules(kinds[k]);
            hub.registerModules(m, kinds[k]);
            m.coSignature = blsModule;
            hub.registerModules(m, kinds[k]);
        }
    }

    /// @dev The standard modules for a community of market `kind`: meter schemes [Ed25519, P-256].
    function _modules(MarketKind kind) internal view returns (CommunityModules memory m) {
        m.verifier = verifierModule;
        m.market = kind == MarketKind.Mmr ? mmrModule : kind == MarketKind.Auction ? auctionModule : totalsModule;
        m.coSignature = ecdsaModule;
        m.meterSchemes = new IMeterScheme[](2);
        m.meterSchemes[ED25519] = ed25519Module;
        m.meterSchemes[P256] = p256Module;
        m.game = gameModule;
    }

    /// @dev `hub`'s EIP-712 domain separator, built by hand (the tests' twin of OpenZeppelin's EIP712).
    function _hubDomain(address hub) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("DIVERSITY Hub"),
                keccak256("1"),
                block.chainid,
                hub
            )
        );
    }

    /// @dev The EIP-712 digest a participant signs to consent to `config` until `deadline` (`Hub.openTogether`).
    function _consentDigest(address hub, OpenConfig memory config, uint256 deadline) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("OpenConsent(bytes32 config,uint256 deadline)"), keccak256(abi.encode(config)), deadline
            )
        );
        return keccak256(abi.encodePacked(hex"1901", _hubDomain(hub), structHash));
    }

    /// @dev The EIP-712 digest of a window result under `hub`'s domain.
    function _resultDigest(address hub, uint64 id, uint32 w, bytes32 root, bytes32 stateHash, bytes32 balancesRoot)
        internal
        view
        returns (bytes32)
    {
        bytes32 domain = _hubDomain(hub);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,bytes32 stateHash,bytes32 balancesRoot)"
                ),
                id,
                w,
                root,
                stateHash,
                balancesRoot
            )
        );
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    /// @dev The co-signature EcdsaSignerSet takes from signatures tagged with their signer's index
    /// (`index (1 byte) ‖ r ‖ yParityAndS`, any order): the signer bitmap, then the 64-byte signatures in
    /// ascending index order. A repeated index keeps its bit once and both signatures (so the blob's
    /// length is wrong, as a submitter repeating a signer would make it).
    function _pack(bytes[] memory sigs) internal pure returns (bytes memory out) {
        uint256 n = sigs.length;
        bytes[] memory sorted = new bytes[](n);
        uint256 bitmap;
        for (uint256 i = 0; i < n; ++i) {
            bytes memory sig = sigs[i];
            uint256 index = uint8(sig[0]);
            bitmap |= uint256(1) << index;
            uint256 j = i;
            while (j > 0 && uint8(sorted[j - 1][0]) > index) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = sig;
        }
        out = abi.encodePacked(bitmap);
        for (uint256 i = 0; i < n; ++i) {
            bytes memory sig = sorted[i];
            bytes memory body = new bytes(sig.length - 1);
            for (uint256 k = 1; k < sig.length; ++k) {
                body[k - 1] = sig[k];
            }
            out = bytes.concat(out, body);
        }
    }

    /// @dev `_pack` of a concatenation of tagged signatures (`index (1 byte) ‖ r ‖ yParityAndS`, 65 bytes each).
    function _packConcat(bytes memory tagged) internal pure returns (bytes memory) {
        uint256 n = tagged.length / 65;
        bytes[] memory sigs = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            bytes memory one = new bytes(65);
            for (uint256 k = 0; k < 65; ++k) {
                one[k] = tagged[i * 65 + k];
            }
            sigs[i] = one;
        }
        return _pack(sigs);
    }

    /// keccak256(window, windowRoot, stateHash) of each claim a fixture posted → its balancesRoot: what a
    /// dispute (or a claim hash) naming the claim by its windowRoot and stateHash adds.
    mapping(bytes32 => bytes32) internal claimedBalances;

    function _noteClaim(uint32 w, bytes32 root, bytes32 stateHash, bytes32 balancesRoot) internal {
        claimedBalances[keccak256(abi.encode(w, root, stateHash))] = balancesRoot;
    }

    /// @dev The balancesRoot of the claim (w, root, stateHash) a fixture posted (zero if none).
    function _claimedBalances(uint32 w, bytes32 root, bytes32 stateHash) internal view returns (bytes32) {
        return claimedBalances[keccak256(abi.encode(w, root, stateHash))];
    }

    /// @dev Member i's on-chain bond (configured bond − what it lacks).
    function _bondOf(Hub h, uint64 cid, uint256 i) internal view returns (uint256 bond) {
        (bond,,,,) = h.member(cid, i);
    }

    /// @dev Member i's on-chain credit (slash shares, game bond shares, deposits).
    function _creditOf(Hub h, uint64 cid, uint256 i) internal view returns (uint256 credit) {
        (, credit,,,) = h.member(cid, i);
    }

    /// @dev A state packed as `PackedState` (a BadBalances proof's final state, a game's published S_{t-1}).
    function _packed(ParticipantState[] memory s) internal pure returns (bytes memory) {
        return PackedState.pack(s);
    }

    /// @dev Tokens the hub holds for community `cid` outside its members' bonds, credit and root escrow
    /// that the tests' sums leave out: the claim deposit of a pending window (review R9), and the test
    /// contract's own withdrawable balance (it posts claims, so it gets their deposits back).
    function _depositsHeld(Hub h, IERC20 token, uint64 cid) internal view returns (uint256 held) {
        held = h.withdrawable(token, address(this));
        CommunityInfo memory info = h.community(cid);
        WindowStatus status = h.windowRecord(cid, info.finalizedWindows).status;
        if (info.finalizedWindows < info.windowCount && status == WindowStatus.Pending) {
            held += uint256(info.bond) * h.CLAIM_DEPOSIT_BPS() / 10_000;
        }
    }

    /// @dev Token units the hub holds for community `cid` (`held`): what its members' claims, pending
    /// deposits and games can still take out.
    function _held(Hub h, uint64 cid) internal view returns (uint256) {
        return h.community(cid).held;
    }
}
