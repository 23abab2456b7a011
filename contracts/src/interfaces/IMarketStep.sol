// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams, ParticipantState} from "../types/Market.sol";
import {LimitPrices} from "../types/Auction.sol";
import {EntryFault, StepEntry} from "../libraries/StepEntries.sol";

/// @title IMarketStep
/// @notice The market function F(S_{t-1}, E_t) -> S_t of one market kind (DESIGN.md §3), a module
/// fixed at hub deployment, named by a community in `CommunityModules.market`. Stateless.
interface IMarketStep {
    /// @notice Thrown when the parameters name another market kind than this module's.
    error WrongMarketKind(MarketKind expected, MarketKind actual);

    /// @notice The market kind this module computes (checked against `MarketParams.kind` at open).
    function kind() external view returns (MarketKind);

    /// @notice S_t = F(S_{t-1}, E_t), from the interval's energy vector (what the claim commits by
    /// energyHash_t: per participant the sum of its meters' readings, DESIGN.md §4).
    /// @param p Market parameters of the community.
    /// @param prev S_{t-1}, one entry per participant.
    /// @param exported e_i: Wh participant i's meters exported during the interval (below 2^64).
    /// @param imported m_i: Wh participant i's meters imported during the interval (below 2^64).
    /// @param limits Auction: the standing limit prices in force for the step's window, one pair per
    /// participant, hashing to `p.limitsHash` (the caller puts there the hash in force, `ILimitBook.limitsHashAt`;
    /// the module reverts otherwise). Markets without limit prices ignore them.
    function step(
        MarketParams calldata p,
        ParticipantState[] calldata prev,
        uint256[] calldata exported,
        uint256[] calldata imported,
        LimitPrices[] calldata limits
    ) external view returns (ParticipantState[] memory);

    /// @notice `step` over packed inputs, for the dispute verifier: whether S_t = F(S_{t-1}, E_t) has an
    /// encoding and its state hash (`StateHash.tryHash`). S_{t-1} packed as in `PackedState` (64 bytes per
    /// participant, zeros for S_{-1}), E_t as in `EnergyVector` (16 bytes each), the auction's limit prices as
    /// in `PackedLimits` (32 bytes each; other markets ignore them). The same rule as `step` (both call the
    /// market library); the inputs cross the module boundary as 80 bytes per participant instead of the ABI's
    /// 288 each way, and only the hash comes back (DESIGN.md §5.3: at N = 1,000 the boundary cost a BadStep
    /// about 3.5 M gas). The caller checks the lengths (one entry per participant); reverts as `step` does.
    function stepHash(MarketParams calldata p, bytes calldata prevState, bytes calldata energy, bytes calldata limits)
        external
        view
        returns (bool encodable, bytes32 nextHash);

    /// @notice One participant's step judged alone (`StepEntries.judge`, DESIGN.md §5.4): the first fault of entry
    /// j of an interval's step entries, given S_{t−1}[j] (`prev`), entry j−1 (`before`, zeros for j = 0) and
    /// entry N−1 (`last`), N = `n`. The caller proves each entry under its root; this only recomputes. Reverts
    /// where F does (a uint64 field past its range); a market without a one-participant step (the auction)
    /// reverts `StepEntries.UnsupportedMarketKind`.
    function judgeEntry(
        MarketParams calldata p,
        uint256 n,
        ParticipantState calldata prev,
        StepEntry calldata before,
        StepEntry calldata entry,
        StepEntry calldata last
    ) external view returns (EntryFault);
}
