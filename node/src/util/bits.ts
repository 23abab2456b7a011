/** Number of set bits: signers in a hub signer bitmap. */
export function popcount(x: bigint): number {
  let n = 0;
  for (; x > 0n; x >>= 1n) n += Number(x & 1n);
  return n;
}
