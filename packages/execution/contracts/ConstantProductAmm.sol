// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title A minimal constant-product AMM between ETH and its own ERC-20-like token (TKN).
/// @notice Devnet only. The contract is both the token's ledger and the ETH/TKN pool; it is placed
/// in the execution genesis with its reserves and holders' balances already in storage, so the
/// storage layout below is part of the genesis format (see src/amm/ammGenesis.ts):
///   slot 0: reserveEth, slot 1: reserveToken, slot 2: balanceOf mapping.
/// Swaps pay a fee of FEE_BPS basis points on the input, as Uniswap v2 does (x * y >= k after the fee).
contract ConstantProductAmm {
    uint256 public reserveEth;
    uint256 public reserveToken;
    mapping(address => uint256) public balanceOf;

    uint256 public constant FEE_BPS = 30;
    uint256 private constant BPS = 10_000;

    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Swap(address indexed trader, bool ethIn, uint256 amountIn, uint256 amountOut);

    error InsufficientOutput(uint256 out, uint256 minOut);
    error InsufficientBalance(uint256 balance, uint256 amount);
    error ZeroInput();
    error EthTransferFailed();

    /// @notice What `amountIn` of one side buys of the other at reserves (reserveIn, reserveOut).
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) public pure returns (uint256) {
        uint256 inWithFee = amountIn * (BPS - FEE_BPS);
        return (inWithFee * reserveOut) / (reserveIn * BPS + inWithFee);
    }

    function getReserves() external view returns (uint256, uint256) {
        return (reserveEth, reserveToken);
    }

    /// @notice Sell msg.value ETH for at least `minOut` TKN.
    function swapEthForToken(uint256 minOut) external payable returns (uint256 out) {
        if (msg.value == 0) revert ZeroInput();
        out = getAmountOut(msg.value, reserveEth, reserveToken);
        if (out < minOut) revert InsufficientOutput(out, minOut);
        reserveEth += msg.value;
        reserveToken -= out;
        balanceOf[msg.sender] += out;
        emit Swap(msg.sender, true, msg.value, out);
    }

    /// @notice Sell `amountIn` TKN for at least `minOut` ETH.
    function swapTokenForEth(uint256 amountIn, uint256 minOut) external returns (uint256 out) {
        if (amountIn == 0) revert ZeroInput();
        uint256 balance = balanceOf[msg.sender];
        if (balance < amountIn) revert InsufficientBalance(balance, amountIn);
        out = getAmountOut(amountIn, reserveToken, reserveEth);
        if (out < minOut) revert InsufficientOutput(out, minOut);
        balanceOf[msg.sender] = balance - amountIn;
        reserveToken += amountIn;
        reserveEth -= out;
        emit Swap(msg.sender, false, amountIn, out);
        (bool ok,) = msg.sender.call{value: out}("");
        if (!ok) revert EthTransferFailed();
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        balanceOf[msg.sender] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }
}
