import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePorts } from '../../src/util/ports.js';

/** The ports a devnet hands its node processes and anvil (`freePorts`). */
describe('freePorts', () => {
  it('gives distinct ports, each free to bind, below the kernel ephemeral range (no outbound connection takes them)', async () => {
    const ports = await freePorts(24);
    expect(new Set(ports).size).to.equal(24);
    const rangeFile = '/proc/sys/net/ipv4/ip_local_port_range';
    if (existsSync(rangeFile)) {
      const low = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
      if (low - 10_000 >= 1000) for (const p of ports) expect(p).to.be.within(10_000, low - 1);
    }
    for (const port of ports)
      await new Promise<void>((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
      });
  });

  it('skips a port in use', async () => {
    // Hold many ports of the low range: every port handed out still binds (none of the held ones).
    const held = await freePorts(50);
    const servers = await Promise.all(
      held.map(
        (port) =>
          new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
            const srv = createServer();
            srv.once('error', reject);
            srv.listen(port, '127.0.0.1', () => resolve(srv));
          }),
      ),
    );
    try {
      const more = await freePorts(50);
      expect(more.filter((p) => held.includes(p))).to.deep.equal([]);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
