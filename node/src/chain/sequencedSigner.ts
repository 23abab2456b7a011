import {
  AbstractSigner,
  type Provider,
  type Signer,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';

/**
 * A signer that hands out nonces in order, one send at a time, and spends a nonce only once its
 * transaction has left (ethers' NonceManager spends it before the gas estimate, so a send that
 * would revert leaves a gap that blocks every later transaction). A request that carries its own
 * nonce is a replacement (same nonce, higher fee) and is sent as is.
 */
export class SequencedSigner extends AbstractSigner {
  private next?: number;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(readonly signer: Signer) {
    super(signer.provider);
  }

  override async getAddress(): Promise<string> {
    return this.signer.getAddress();
  }

  connect(provider: Provider | null): SequencedSigner {
    return new SequencedSigner(this.signer.connect(provider));
  }

  /** Forgets the local nonce: the next send asks the chain (after a send failed oddly). */
  reset(): void {
    this.next = undefined;
  }

  override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const run = async () => {
      if (tx.nonce != null) return this.signer.sendTransaction(tx);
      const pending = await this.signer.getNonce('pending');
      const nonce = Math.max(pending, this.next ?? 0);
      // populateTransaction estimates gas: a call that would revert throws here, nonce unspent.
      const populated = await this.signer.populateTransaction({ ...tx, nonce });
      const sent = await this.signer.sendTransaction(populated);
      this.next = nonce + 1;
      return sent;
    };
    const result = this.lock.then(run, run);
    this.lock = result.catch(() => {});
    return result;
  }

  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.signer.signTransaction(tx);
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.signer.signMessage(message);
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.signer.signTypedData(domain, types, value);
  }
}
