import assert from 'node:assert/strict';
import { javaMajorVersion, pythonVersion } from '../../../src/stack/prerequisites.ts';

describe('stack prerequisites', () => {
  it('reads the Java major version from `java -version` output', () => {
    assert.equal(javaMajorVersion('openjdk version "17.0.15" 2025-04-15'), 17);
    assert.equal(javaMajorVersion('openjdk version "25" 2025-09-16'), 25);
    assert.equal(javaMajorVersion('java version "1.8.0_392"'), 8);
    assert.equal(javaMajorVersion('no java here'), undefined);
  });

  it('reads the Python version from `python3 --version` output', () => {
    assert.deepEqual(pythonVersion('Python 3.11.7'), [3, 11]);
    assert.equal(pythonVersion('command not found'), undefined);
  });
});
