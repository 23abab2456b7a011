// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Hub} from "../../src/Hub.sol";
import {CommunityConfig, OpenConfig} from "../../src/types/Community.sol";
import {ParticipantState} from "../../src/types/Market.sol";
import {BalanceBook} from "../utils/BalanceBook.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";

/// @notice What every invariant handler needs of the balances root (spec s5): the shared `BalanceBook`
/// (honest balances roots from what is final on chain, genesis and claim proofs) and the EIP-712 digest
/// of a window result with its balancesRoot.
abstract contract HandlerBase is CommonBase, StdCheats, StdUtils {
    BalanceBook public book;

    function _hub() internal view virtual returns (Hub);

    /// @dev Opens `c`, its genesis balances recorded first.
    function _openRecorded(CommunityConfig memory c) internal returns (uint64) {
        book.recordGenesis(c.participants, c.escrow);
        return _hub().open(OpenCodec.encode(c));
    }

    /// @dev `who` (participant i) joins with its genesis proof.
    /// @notice Bit i = participant i of community id joined (the hub keeps a flag per member and a count).
    mapping(uint64 => uint256) public joinedOf;

    function _joinAs(uint64 id, uint256 i, address who, bytes memory keyData) internal {
        bytes32[] memory proof = book.genesisProof(_hub(), id, i);
        vm.prank(who);
        _hub().join(id, i, proof, keyData);
        joinedOf[id] |= uint256(1) << i;
    }

    function _balancesRoot(uint64 id, uint32 w, ParticipantState[] memory s) internal returns (bytes32) {
        return book.nextOf(_hub(), id, w, s);
    }

    function _bondOf(Hub h, uint64 id, uint256 i) internal view returns (uint256 bond) {
        (bond,,,,) = h.member(id, i);
    }

    function _domain() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("DIVERSITY Hub"),
                keccak256("1"),
                block.chainid,
                address(_hub())
            )
        );
    }

    /// @dev Opens `c` together (`Hub.openTogether`): every participant (key `keys[i]`) signs its consent; the
    /// community is Active with every deposit in. Its genesis balances are recorded first; every member counts
    /// as joined (`joinedOf`).
    function _openTogetherRecorded(CommunityConfig memory c, uint256[] storage keys) internal returns (uint64 id) {
        book.recordGenesis(c.participants, c.escrow);
        OpenConfig memory packed = OpenCodec.encode(c);
        uint256 deadline = block.timestamp + 1 days;
        bytes32 digest = keccak256(
            abi.encodePacked(
                hex"1901",
                _domain(),
                keccak256(
                    abi.encode(
                        keccak256("OpenConsent(bytes32 config,uint256 deadline)"),
                        keccak256(abi.encode(packed)),
                        deadline
                    )
                )
            )
        );
        bytes memory consents;
        for (uint256 i = 0; i < c.participants.length; ++i) {
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], digest);
            consents = bytes.concat(consents, r, vs);
        }
        id = _hub().openTogether(packed, deadline, consents);
        joinedOf[id] = (uint256(1) << c.participants.length) - 1;
    }

    /// @dev EIP-712 digest of a window result under the hub's domain.
    function _resultDigest(uint64 id, uint32 w, bytes32 root, bytes32 stateHash, bytes32 balancesRoot)
        internal
        view
        returns (bytes32)
    {
        bytes32 domain = _domain();
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

    /// @dev `close` as the handlers call it: when the hub answers `ChallengePeriodNotOver` (review 3 B5:
    /// `close` waits for the deadline of a rejected claim not slashed yet), warp to that deadline and
    /// close then; any other revert propagates.
    function _closeWaiting(uint64 id, address by) internal {
        vm.prank(by);
        try _hub().close(id) {}
        catch (bytes memory err) {
            if (err.length < 4 || bytes4(err) != IHub.ChallengePeriodNotOver.selector) {
                assembly ("memory-safe") {
                    revert(add(err, 32), mload(err))
                }
            }
            bytes memory args = new bytes(err.length - 4);
            for (uint256 i = 0; i < args.length; ++i) {
                args[i] = err[i + 4];
            }
            (,, uint256 endsAt) = abi.decode(args, (uint64, uint32, uint256));
            vm.warp(endsAt);
            vm.prank(by);
            _hub().close(id);
        }
    }
}
