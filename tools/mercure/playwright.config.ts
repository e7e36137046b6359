// Playwright configuration for running Mercure's conformance suite against ssehub.
// conformance.sh copies this file, next to the suite's spec files, into a run directory under the npm
// cache directory; the suite's own playwright.config.ts is not used: it would try three browsers
// and Playwright's own browser builds, while here only Debian's Chromium is available.
import { defineConfig, devices } from "@playwright/test";

const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  // The suite's own limits: a test may take 10 s, an expect 5 s.
  timeout: 10_000,
  expect: { timeout: 5_000 },
  // Bounded overall, whatever the hub does (hangs included).
  globalTimeout: Number(process.env.SUITE_GLOBAL_TIMEOUT_MS ?? 240_000),
  retries: 0,
  workers: Number(process.env.SUITE_WORKERS ?? 2),
  forbidOnly: true,
  reporter: [
    ["list"],
    ["json", { outputFile: process.env.SUITE_JSON_REPORT ?? "report.json" }],
  ],
  outputDir: process.env.SUITE_OUTPUT_DIR ?? "test-results",
  use: {
    baseURL: process.env.BASE_URL,
    ignoreHTTPSErrors: true,
    trace: "off",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
          ],
        },
      },
    },
  ],
});
