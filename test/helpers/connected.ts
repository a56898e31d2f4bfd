/** A real target started from a profile and a session connected to it, all stopped after the test. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { stopAllFaults } from '../../src/chaos/process/index.js';
import { Session, type ClientProfile } from '../../src/session/index.js';
import { resolveTarget, startTarget, type RunningTarget } from '../../src/target/index.js';
import { EventLog } from './events.js';
import { seededRng } from './rng.js';

export async function connectedTo(
  t: TestContext,
  targetName: string,
  profile: ClientProfile,
  seed: number,
): Promise<{ target: RunningTarget; session: Session; log: EventLog }> {
  const dir = mkdtempSync(join(tmpdir(), `mcpr-${targetName}-`));
  const target = await startTarget(await resolveTarget(targetName), { logDir: join(dir, 'logs'), workDir: join(dir, 'work') });
  const session = new Session(target.endpoint, profile, { rng: seededRng(seed) });
  t.after(async () => {
    await stopAllFaults();
    await session.close();
    await target.stop();
  });
  const log = new EventLog(session);
  assert.equal(await session.connect(), true, log.trace());
  return { target, session, log };
}
