// Ad-hoc screenshots while developing (not a test): node e2e/shots.mjs URL OUT
import { chromium } from "playwright-core";
const [url, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(url + "login");
await page.fill("input[name=email]", "owner@demo.kith");
await page.fill("input[name=password]", "kith-demo");
await page.click("button[type=submit]");
await page.waitForLoadState("networkidle");
for (const p of ["", "cohorts", "segments", "pareto", "channels", "customers", "customers/1", "import"]) {
  await page.goto(url + p);
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: `${out}/${p.replace("/", "_") || "dashboard"}.png`, fullPage: true });
}
await browser.close();
