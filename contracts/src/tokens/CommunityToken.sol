// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title CommunityToken
/// @notice Demo payment token for tests, the demo and the simulator: an ERC-20 the owner mints, with EIP-2612
/// permits (domain: its name, version "1"), as EURC and USDC have, for `Hub.openTogetherWithPermits`.
contract CommunityToken is ERC20, ERC20Permit, Ownable {
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param owner_ The only account allowed to mint.
    constructor(string memory name_, string memory symbol_, address owner_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(owner_)
    {}

    /// @notice Mints `amount` to `to`; owner only.
    /// @param to Recipient.
    /// @param amount Token units.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
