import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { checkAccess } from '../../src/api/http.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const loopback = { host: '127.0.0.1', corsOrigins: [] };

describe('api/http: who may read the API from a browser', () => {
  it('answers requests addressed to a loopback name, without CORS when no origin is given', () => {
    for (const host of ['127.0.0.1:9100', 'localhost:9100', '[::1]:9100'])
      expect(checkAccess(req({ host }), loopback)).to.deep.equal({ ok: true });
  });

  it('refuses a loopback API addressed by another name (DNS rebinding)', () => {
    for (const host of ['evil.example:9100', '10.0.0.2:9100', ''])
      expect(checkAccess(req({ host }), loopback).ok, host).to.equal(false);
    expect(checkAccess(req({}), loopback).ok).to.equal(false);
  });

  it('lets pages of the same host (another node on this machine) read, and no other site', () => {
    expect(checkAccess(req({ host: '127.0.0.1:9100', origin: 'http://127.0.0.1:9101' }), loopback)).to.deep.equal({
      ok: true,
      allowOrigin: 'http://127.0.0.1:9101',
    });
    expect(checkAccess(req({ host: '127.0.0.1:9100', origin: 'http://localhost:9101' }), loopback)).to.deep.equal({
      ok: true,
      allowOrigin: 'http://localhost:9101',
    });
    expect(checkAccess(req({ host: '127.0.0.1:9100', origin: 'https://evil.example' }), loopback)).to.deep.equal({
      ok: true,
    });
    expect(checkAccess(req({ host: '127.0.0.1:9100', origin: 'null' }), loopback)).to.deep.equal({ ok: true });
  });

  it('on a public address: any Host, CORS for the listed origins and the same host only', () => {
    const open = { host: '0.0.0.0', corsOrigins: ['https://overview.example'] };
    expect(checkAccess(req({ host: 'node.example:9100' }), open)).to.deep.equal({ ok: true });
    expect(checkAccess(req({ host: 'node.example:9100', origin: 'https://overview.example' }), open)).to.deep.equal({
      ok: true,
      allowOrigin: 'https://overview.example',
    });
    expect(checkAccess(req({ host: 'node.example:9100', origin: 'http://node.example:9101' }), open)).to.deep.equal({
      ok: true,
      allowOrigin: 'http://node.example:9101',
    });
    expect(checkAccess(req({ host: 'node.example:9100', origin: 'https://evil.example' }), open)).to.deep.equal({
      ok: true,
    });
    expect(
      checkAccess(req({ host: 'node.example:9100', origin: 'https://evil.example' }), {
        host: '0.0.0.0',
        corsOrigins: ['*'],
      }),
    ).to.deep.equal({ ok: true, allowOrigin: 'https://evil.example' });
  });
});
