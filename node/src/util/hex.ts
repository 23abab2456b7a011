export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

export function fromHex(hex: string): Uint8Array {
  const s = hex.startsWith('0x') ? hex.slice(2) : hex;
  // Never echo the input: it may be a secret key.
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s))
    throw new TypeError(`not a hex string (${hex.length} characters)`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function u32be(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
