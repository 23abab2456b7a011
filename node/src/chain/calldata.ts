import { AbiCoder, type BytesLike, getBytes, hexlify, type Interface, type ParamType, type Result } from 'ethers';

/**
 * Reading another party's calldata back as the contract read it (review s12, F1). Solidity's ABI decoder
 * follows each dynamic field's offset and asks only that its bytes lie inside the calldata: a `bytes` laid
 * out last may end the calldata without its padding to a whole word. ethers' decoder is strict by default
 * and refuses exactly that ("data out-of-bounds"), so a byzantine sender could post a call the hub accepted
 * (an `open`'s meter list, a game move's published step or opened meter) that an honest node cannot read,
 * and lose it its proof. Loose decoding (`AbiCoder.decode(..., loose = true)`) reads what the contract read.
 */
const coder = AbiCoder.defaultAbiCoder();

/** `abi.decode(data, types)` as the contract does it: a last dynamic field's padding is not required. */
export function decodeAsContract(types: ReadonlyArray<string | ParamType>, data: BytesLike): Result {
  return coder.decode(types, data, true);
}

/**
 * The function of `iface` that calldata `data` calls and its arguments, decoded as the contract decodes them
 * (`decodeAsContract`); null when its selector is none of `iface`'s functions. Throws when the arguments do
 * not decode (the contract would have reverted too).
 */
export function parseCallAsContract(iface: Interface, data: BytesLike): { name: string; args: Result } | null {
  const bytes = getBytes(data);
  if (bytes.length < 4) return null;
  const fragment = iface.getFunction(hexlify(bytes.subarray(0, 4)));
  if (!fragment) return null;
  return { name: fragment.name, args: decodeAsContract(fragment.inputs, bytes.subarray(4)) };
}
