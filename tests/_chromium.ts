/**
 * Debian's Chromium for the report and board tests, driven by playwright-core
 * in a subprocess (tests/browser/). Without Chromium those tests are skipped,
 * unless DUEL_REQUIRE_CHROMIUM=1 (.ci/run sets it after installing Chromium).
 */

/** The Chromium binary, if one is installed. */
export const CHROMIUM: string | undefined = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

/** Whether a Chromium test must run (and fail without Chromium) rather than skip. */
export const CHROMIUM_REQUIRED = Deno.env.get("DUEL_REQUIRE_CHROMIUM") === "1";

/**
 * Runs `tests/browser/<script>` in a subprocess with all permissions (what
 * playwright-core needs to load under Deno) and returns its exit code and
 * output; the script asserts, so a failed check is a non-zero code.
 */
export async function browserCheck(
  script: string,
  args: readonly string[],
): Promise<{ code: number; output: string }> {
  const path = new URL(`./browser/${script}`, import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, ...args],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, output: text.decode(out.stdout) + text.decode(out.stderr) };
}
