/** Headless Chromium through playwright-core (for the scripts in tests/browser/, run with -A). */
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM } from "../_chromium.ts";

/** Starts headless Chromium with no background network traffic. */
export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error("Chromium is required (apt-get install -y chromium)");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
}
