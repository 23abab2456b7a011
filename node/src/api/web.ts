import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), 'web');
/** uPlot's distribution files, served from the installed package (no CDN, no build step). */
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Every file the page may load: URL path -> file. Nothing else on disk is reachable. */
export const WEB_FILES: Record<string, string> = {
  '/': join(WEB_DIR, 'index.html'),
  '/index.html': join(WEB_DIR, 'index.html'),
  '/overview.html': join(WEB_DIR, 'overview.html'),
  '/app.js': join(WEB_DIR, 'app.js'),
  '/overview.js': join(WEB_DIR, 'overview.js'),
  '/format.js': join(WEB_DIR, 'format.js'),
  '/style.css': join(WEB_DIR, 'style.css'),
  '/favicon.svg': join(WEB_DIR, 'favicon.svg'),
  '/vendor/uPlot.esm.js': join(UPLOT_DIR, 'uPlot.esm.js'),
  '/vendor/uPlot.min.css': join(UPLOT_DIR, 'uPlot.min.css'),
};

const cache = new Map<string, Buffer>();

/** Serves the dashboard's static files; false when `path` is not one of them. */
export async function serveWeb(_req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const file = WEB_FILES[path];
  if (!file) return false;
  let body = cache.get(file);
  if (!body) {
    body = await readFile(file);
    cache.set(file, body);
  }
  const ext = file.slice(file.lastIndexOf('.') + 1);
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    // The page talks to its own node, and to other nodes' JSON only from the overview page.
    'content-security-policy':
      "default-src 'self'; connect-src *; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
  return true;
}
