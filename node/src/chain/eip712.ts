import { TypedDataEncoder, verifyTypedData, type Signer, type TypedDataDomain } from 'ethers';

/** The co-signed statement about a window (DESIGN.md §5); twin of the hub's EIP-712 type. */
export interface WindowResultMessage {
  communityId: bigint;
  window: number;
  windowRoot: string;
  stateHash: string;
  /** The balances root after the window's reaction (`Balances.root`, DESIGN.md §5.6). */
  balancesRoot: string;
}

export const WINDOW_RESULT_TYPES = {
  WindowResult: [
    { name: 'communityId', type: 'uint64' },
    { name: 'window', type: 'uint32' },
    { name: 'windowRoot', type: 'bytes32' },
    { name: 'stateHash', type: 'bytes32' },
    { name: 'balancesRoot', type: 'bytes32' },
  ],
};

export function hubDomain(chainId: bigint, hub: string): TypedDataDomain {
  return { name: 'DIVERSITY Hub', version: '1', chainId, verifyingContract: hub };
}

export function windowResultDigest(domain: TypedDataDomain, msg: WindowResultMessage): string {
  return TypedDataEncoder.hash(domain, WINDOW_RESULT_TYPES, msg);
}

export async function signWindowResult(
  signer: Signer,
  domain: TypedDataDomain,
  msg: WindowResultMessage,
): Promise<string> {
  return signer.signTypedData(domain, WINDOW_RESULT_TYPES, msg);
}

/** The address that signed `msg`, or undefined when the signature is malformed. */
export function recoverWindowResultSigner(
  domain: TypedDataDomain,
  msg: WindowResultMessage,
  signature: string,
): string | undefined {
  try {
    return verifyTypedData(domain, WINDOW_RESULT_TYPES, msg, signature);
  } catch {
    return undefined;
  }
}
