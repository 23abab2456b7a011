import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** Lowest port handed out (below it: well-known and registered services a machine may run). */
const LOWEST = 10_000;

/**
 * The kernel's ephemeral port range (Linux: `ip_local_port_range`), from which every outbound TCP
 * connection takes its local port; undefined where it cannot be read.
 */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi ? [lo, hi] : undefined;
  } catch {
    return undefined;
  }
}

function listen(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, host, () => resolve(srv));
  });
}

/**
 * `count` distinct TCP ports free on `host` now, for processes that bind them a moment later (a devnet's
 * node processes, anvil). They are taken below the kernel's ephemeral range where it is known: a port the
 * kernel handed out with `listen(0)` is from that range, and in the moment before its process binds it an
 * outbound connection (the other nodes dialling each other) may take it as its local port, and the node
 * then fails to start (`EADDRINUSE`; the likely cause of a devnet node that exited at start on a loaded
 * 2-core machine). Candidates are drawn at random
 * and held together until all are found, so none is handed out twice; without the range (not Linux), the
 * kernel's `listen(0)` picks them.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const range = ephemeralRange();
  const held: Server[] = [];
  try {
    if (range && range[0] - LOWEST >= 1000) {
      const tried = new Set<number>();
      while (held.length < count && tried.size < range[0] - LOWEST) {
        const port = LOWEST + Math.floor(Math.random() * (range[0] - LOWEST));
        if (tried.has(port)) continue;
        tried.add(port);
        const srv = await listen(port, host);
        if (srv) held.push(srv);
      }
    }
    while (held.length < count) {
      const srv = await listen(0, host);
      if (!srv) throw new Error(`no free TCP port on ${host}`);
      held.push(srv);
    }
    return held.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}
