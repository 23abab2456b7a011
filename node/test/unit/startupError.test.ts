import { expect } from 'chai';
import { MeterListError } from '../../src/chain/hubClient.js';
import { NodeStartErrorCode, startupError } from '../../src/node/errors.js';

describe('node/errors: startupError names the cause of a failed start', () => {
  it('a meter list that does not match the hub is reported as such, not as an endpoint that does not answer', () => {
    const e = startupError('chain', new MeterListError('community 1: its open transaction is not a direct …'), 'x');
    expect(e.code).to.equal(NodeStartErrorCode.METER_LIST_UNREADABLE);
    expect(e.message).to.equal('community 1: its open transaction is not a direct …');
  });

  it('a call that reverts is a missing hub or community; anything else an endpoint that does not answer', () => {
    const reverted = Object.assign(new Error('x'), { code: 'CALL_EXCEPTION', shortMessage: 'missing revert data' });
    expect(startupError('chain', reverted, 'http://127.0.0.1:8545').code).to.equal(
      NodeStartErrorCode.COMMUNITY_NOT_FOUND,
    );
    const refused = Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } });
    const e = startupError('chain', refused, 'http://127.0.0.1:8545');
    expect(e.code).to.equal(NodeStartErrorCode.RPC_UNREACHABLE);
    expect(e.message).to.equal('JSON-RPC endpoint http://127.0.0.1:8545 does not answer (ECONNREFUSED)');
  });
});
