import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { artifactPath, artifactsStale, sourcesFingerprint, sourcesStampPath } from '../../src/chain/artifacts.js';

// An operator who pulls new contracts must not run the old ABIs (ethers: "no matching fragment").
describe('contract artifacts: rebuilt when the sources change', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'diversity-artifacts-'));
    writeFileSync(join(root, 'foundry.toml'), '[profile.default]\n');
    mkdirSync(join(root, 'contracts', 'src', 'lib'), { recursive: true });
    writeFileSync(join(root, 'contracts', 'src', 'Hub.sol'), 'contract Hub { function join(uint256) external {} }');
    writeFileSync(join(root, 'contracts', 'src', 'lib', 'L.sol'), 'library L {}');
    mkdirSync(join(root, 'contracts', 'out', 'Hub.sol'), { recursive: true });
    writeFileSync(artifactPath('Hub', root), '{}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const stamp = () => writeFileSync(sourcesStampPath(root), `${sourcesFingerprint(root)}\n`);

  it('is stale without a stamp (artifacts from a build that did not record its sources)', () => {
    expect(artifactsStale(['Hub'], root)).to.equal(true);
    stamp();
    expect(artifactsStale(['Hub'], root)).to.equal(false);
  });

  it('is stale once any source changes, in a nested folder too, whatever its timestamp', () => {
    stamp();
    writeFileSync(
      join(root, 'contracts', 'src', 'Hub.sol'),
      'contract Hub { function join(uint256, bytes) external {} }',
    );
    expect(artifactsStale(['Hub'], root)).to.equal(true);
    stamp();
    writeFileSync(join(root, 'contracts', 'src', 'lib', 'L.sol'), 'library L { }');
    expect(artifactsStale(['Hub'], root)).to.equal(true);
    stamp();
    writeFileSync(join(root, 'contracts', 'src', 'lib', 'New.sol'), 'library N {}');
    expect(artifactsStale(['Hub'], root)).to.equal(true);
  });

  it('is stale when compiler settings change or an artifact is missing', () => {
    stamp();
    writeFileSync(join(root, 'foundry.toml'), '[profile.default]\noptimizer_runs = 1\n');
    expect(artifactsStale(['Hub'], root)).to.equal(true);
    stamp();
    expect(artifactsStale(['Hub', 'Token'], root)).to.equal(true);
  });
});
