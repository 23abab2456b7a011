import { expect } from 'chai';
import { mayRaiseOmission } from '../../src/dispute/proofs.js';

// Twin of DisputeVerifier._omission (contracts/test/OmissionGrief.t.sol performs the attack on chain).
describe('omission rule (DESIGN.md §5.5)', () => {
  const signers = 0b0111n; // participants 0, 1, 2 signed

  it('an omission of a signer-owned meter is fraud: anyone may raise it', () => {
    expect(mayRaiseOmission(1, signers, undefined)).to.equal(true);
    expect(mayRaiseOmission(1, signers, 1)).to.equal(true);
    expect(mayRaiseOmission(1, signers, 7)).to.equal(true);
  });

  it('otherwise only a participant other than the owner may raise it', () => {
    expect(mayRaiseOmission(5, signers, 7)).to.equal(true);
    expect(mayRaiseOmission(5, signers, 5)).to.equal(false, 'the owner withholding its own reading');
    expect(mayRaiseOmission(5, signers, undefined)).to.equal(false, 'an outsider');
  });
});
