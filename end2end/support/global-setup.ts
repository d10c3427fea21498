// One shared, seeded demo newsroom for the read-mostly tests. Tests that change state in ways
// others could see (publishing, moderation, restarts) start their own instance.
import { FullConfig } from '@playwright/test';
import { startNewsroom } from './newsroom';

export default async function globalSetup(_config: FullConfig) {
  const nr = await startNewsroom({ seed: true });
  process.env.E2E_BASE_URL = nr.baseURL;
  process.env.E2E_DATA_DIR = nr.dataDir;
  return async () => {
    await nr.stop();
  };
}
