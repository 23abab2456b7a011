import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventFeed, type NewFeedEvent } from '../../src/api/events.js';
import { signerList } from '../../src/api/chainView.js';
import { WEB_FILES } from '../../src/api/web.js';
import { existsSync } from 'node:fs';

const event = (window: number): NewFeedEvent => ({
  source: 'chain',
  type: 'window-final',
  severity: 'info',
  window,
  message: `Window ${window} final`,
  data: {},
});

describe('api/events: the dashboard event feed', () => {
  it('numbers events from 1, returns those after an id, and keeps only the newest `capacity`', () => {
    const feed = new EventFeed({ capacity: 3, heartbeatMs: 60_000 });
    for (let w = 0; w < 5; w++) feed.push(event(w));
    expect(feed.since(0).map((e) => e.id)).to.deep.equal([3, 4, 5]);
    expect(feed.since(4).map((e) => e.window)).to.deep.equal([4]);
    expect(feed.since(0, 2).map((e) => e.id)).to.deep.equal([4, 5]);
    expect(feed.since(5)).to.deep.equal([]);
  });

  it('streams server-sent events: the backlog after Last-Event-ID, then live ones, and ends streams on close', async () => {
    const feed = new EventFeed({ capacity: 10, heartbeatMs: 60_000 });
    feed.push(event(0));
    feed.push(event(1));
    const server: Server = createServer((req, res) => feed.stream(req, res, 0));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const res = await fetch(url, { headers: { 'last-event-id': '1' } });
      expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString('utf8');
        }
      };
      await readUntil(/id: 2\n/);
      expect(feed.openStreams).to.equal(1);
      feed.push(event(2));
      await readUntil(/id: 3\n/);
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ids).to.deep.equal([2, 3]);
      const last = JSON.parse(/id: 3\nevent: feed\ndata: (.*)\n/.exec(text)![1]);
      expect(last).to.include({ id: 3, type: 'window-final', window: 2 });
      feed.closeStreams();
      expect((await reader.read()).done).to.equal(true);
      expect(feed.openStreams).to.equal(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('lists the signers of a bitmap in participant order', () => {
    expect(signerList(0b1011n, 4)).to.deep.equal([0, 1, 3]);
    expect(signerList(0n, 4)).to.deep.equal([]);
    expect(signerList(0b10000n, 4)).to.deep.equal([]);
  });

  it('serves only files that ship: the page, its scripts and the uPlot distribution from node_modules', () => {
    for (const [path, file] of Object.entries(WEB_FILES)) expect(existsSync(file), `${path} -> ${file}`).to.equal(true);
    expect(Object.keys(WEB_FILES)).to.include.members(['/', '/app.js', '/vendor/uPlot.esm.js']);
  });
});
