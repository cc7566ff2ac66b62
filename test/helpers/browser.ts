// Headless Chromium (Debian's, through playwright-core) for the HTML report tests: opens a file the way a reviewer
// does and records what the page tries to do: console errors, uncaught exceptions, dialogs, and every request.
import { chromium, type Browser, type Page } from "playwright-core";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The HTML report tests need Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium), ` +
        "or point CHROMIUM_PATH at another build. .ci/run installs it.",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

export interface OpenedPage {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Every request other than the report file itself (each is aborted). */
  requests: string[];
}

export async function openReport(browser: Browser, file: string): Promise<OpenedPage> {
  const context = await browser.newContext({ javaScriptEnabled: true });
  const page = await context.newPage();
  const own = pathToFileURL(file).href;
  const opened: OpenedPage = { page, consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url === own) return route.continue();
    opened.requests.push(url);
    return route.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") opened.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => opened.pageErrors.push(e.message));
  page.on("dialog", async (d) => {
    opened.dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(own, { waitUntil: "load" });
  return opened;
}
