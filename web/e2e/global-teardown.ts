// Stops what global-setup.ts started (by the pids it recorded) and removes its temporary directory.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const work = process.env.E2E_WORK_DIR;
  if (!work) return;
  const pids = readFileSync(join(work, 'pids'), 'utf8').split('\n').map(Number).filter(Boolean);
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  rmSync(work, { recursive: true, force: true });
}
