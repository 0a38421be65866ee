// kith's browser tests: real Chromium (Debian's) driven by playwright-core.
// Run by internal/app/browser_test.go (make test), which starts a server on
// a demo shop and passes: BASE_URL OUT_DIR OTHER_REPS_CUSTOMER_ID.
// Every step saves a screenshot under OUT_DIR; a failed check exits 1 with
// the reason.
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync } from "node:fs";

const [base, out, foreignID] = process.argv.slice(2);
const executablePath = process.env.KITH_CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const results = {};
let step = "start";
function check(ok, msg) { if (!ok) { throw new Error(`${step}: ${msg}`); } }

async function shot(page, name) { await page.screenshot({ path: `${out}/${name}.png`, fullPage: true }); }

// chartsDrawn waits until app.js has drawn every chart of the page and
// checks that each canvas has painted pixels.
async function chartsDrawn(page, want) {
  await page.waitForFunction((n) => document.documentElement.dataset.chartsDrawn === String(n), want, { timeout: 15000 });
  const painted = await page.evaluate(() => Array.from(document.querySelectorAll(".chart canvas")).map((c) => {
    const ctx = c.getContext("2d");
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) { n++; } }
    return n;
  }));
  check(painted.length >= want, `${painted.length} canvases, want ${want}`);
  painted.forEach((n, i) => check(n > 500, `canvas ${i} is empty (${n} painted pixels)`));
}

async function signIn(context, email) {
  const page = await context.newPage();
  await page.goto(base + "login");
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "kith-demo");
  await Promise.all([page.waitForURL(base), page.click("button[type=submit]")]);
  return page;
}

try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: "en-US" });

  step = "sign in";
  const page = await signIn(ctx, "owner@demo.kith");
  check(await page.locator("h1").innerText() === "Dashboard", "no dashboard after sign-in");

  step = "dashboard charts";
  const t0 = Date.now();
  await page.goto(base);
  await chartsDrawn(page, 4);
  results.dashboard_drawn_ms = await page.evaluate(() => performance.now());
  results.dashboard_wall_ms = Date.now() - t0;
  check((await page.locator(".card").count()) >= 10, "headline cards missing");
  await shot(page, "01-dashboard");

  for (const [i, p] of ["cohorts", "segments", "pareto", "channels"].entries()) {
    step = p + " page";
    await page.goto(base + p);
    await chartsDrawn(page, 1);
    await shot(page, `0${i + 2}-${p}`);
  }

  step = "segment click-through";
  await page.goto(base + "segments");
  await chartsDrawn(page, 1);
  await Promise.all([page.waitForURL(/\/customers\?segment=/), page.locator("table a").first().click()]);
  check((await page.locator("table.list tbody tr").count()) > 0, "segment members list is empty");

  step = "switch to Chinese";
  await page.goto(base);
  await Promise.all([page.waitForURL(base), page.click("a[lang=zh-CN]")]);
  check(await page.locator("h1").innerText() === "总览", "heading is not Chinese: " + await page.locator("h1").innerText());
  await chartsDrawn(page, 4);
  const navText = await page.locator("header nav").innerText();
  check(navText.includes("客户") && navText.includes("同期群"), "navigation is not Chinese: " + navText);
  await shot(page, "06-dashboard-zh");
  await page.goto(base + "customers/1");
  check((await page.locator("body").innerText()).includes("客户资料"), "360 page is not Chinese");
  await Promise.all([page.waitForURL(/customers\/1/), page.click("a[lang=en]")]);

  step = "search a customer";
  await page.goto(base + "customers");
  const name = (await page.locator("table.list tbody tr th a").nth(3).innerText()).trim();
  await page.fill("input[name=q]", name);
  // htmx replaces the rows as you type (no submit).
  await page.waitForFunction((n) => {
    const rows = document.querySelectorAll("#results tbody tr");
    return rows.length >= 1 && Array.from(rows).every((r) => r.innerText.includes(n));
  }, name, { timeout: 10000 });
  check(page.url().includes("q="), "search is not in the URL");
  await shot(page, "07-customer-search");
  await Promise.all([page.waitForURL(/\/customers\/\d+$/), page.locator("#results tbody tr th a").first().click()]);
  check((await page.locator("h1").innerText()).trim() === name, "360 page is not the customer searched");
  const body = await page.locator("body").innerText();
  for (const want of ["Profile", "Orders", "Customer lifetime value", "R"]) { check(body.includes(want), `360 lacks ${want}`); }
  await shot(page, "08-customer-360");

  step = "upload with a bad row";
  await page.goto(base + "import");
  await page.selectOption("select[name=kind]", "orders");
  const csv = "订单号,客户编号,下单时间,实付金额\nB-1,C000001,2026-10-20 10:00,88.00\nB-2,C000002,yesterday,12\n";
  await page.setInputFiles("input[name=file]", { name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await Promise.all([page.waitForLoadState("load"), page.click("form.upload button[type=submit]")]);
  const result = await page.locator("#import-result").innerText();
  check(/Rejected\s*1/.test(result), "summary does not say 1 rejected: " + result);
  await shot(page, "09-import");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("a[download]")]);
  const rejects = readFileSync(await download.path(), "utf8");
  check(rejects.includes("yesterday") && rejects.includes("ordered_at"), "rejects file lacks the bad row: " + rejects);

  step = "rep cannot open another rep's customer";
  const repCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  const rep = await signIn(repCtx, "rep1@demo.kith");
  const resp = await rep.goto(base + "customers/" + foreignID);
  check(resp.status() === 403, `status ${resp.status()}, want 403`);
  await shot(rep, "10-rep-forbidden");

  step = "phone screen";
  const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const mp = await signIn(phone, "owner@demo.kith");
  await chartsDrawn(mp, 4);
  const width = await mp.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375, `page is ${width}px wide on a 375px screen`);
  await shot(mp, "11-phone-dashboard");
  await mp.goto(base + "customers/1");
  check(await mp.evaluate(() => document.documentElement.scrollWidth) <= 375, "360 page overflows a phone");
  await shot(mp, "12-phone-customer");

  writeFileSync(`${out}/results.json`, JSON.stringify(results, null, 1));
  console.log(JSON.stringify(results));
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
