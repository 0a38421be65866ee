// How long the dashboard takes to be fully drawn in Chromium: from the
// start of navigation to every chart painted (app.js marks it). Used by
// make bench-serve: node e2e/timing.mjs BASE_URL
import { chromium } from "playwright-core";

const [base] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.KITH_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(base + "login");
await page.fill("input[name=email]", "owner@demo.kith");
await page.fill("input[name=password]", "kith-demo");
await Promise.all([page.waitForURL(base), page.click("button[type=submit]")]);
const times = [];
for (let i = 0; i < 6; i++) {
  await page.goto(base + "?period=month&n=" + i);
  await page.waitForFunction(() => document.documentElement.dataset.chartsDrawn === "4", null, { timeout: 30000 });
  times.push(await page.evaluate(() => Math.round(performance.now())));
}
await browser.close();
// The first visit after sign-in already had the server's reports cached by
// the sign-in redirect; all six are warm-cache, fresh page loads.
console.log(JSON.stringify({ dashboard_drawn_ms: times, max_ms: Math.max(...times) }));
