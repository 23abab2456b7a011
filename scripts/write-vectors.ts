// Writes the shared TypeScript -> Solidity test vectors into contracts/test/vectors/.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { allVectorFiles, renderVectorFile } from '../node/src/vectors/index.js';

const dir = join(import.meta.dirname, '..', 'contracts', 'test', 'vectors');
mkdirSync(dir, { recursive: true });
for (const [name, content] of Object.entries(allVectorFiles())) {
  writeFileSync(join(dir, name), renderVectorFile(content));
  console.log(`wrote contracts/test/vectors/${name}`);
}
