/**
 * A store URL's password is shown nowhere: not in what `deno task sweep`
 * (submit, worker, status) and `deno task report` print, nor in any file
 * under the run root (manifests, summaries, the store's copy of configs,
 * reports), nor in the one-line errors of a refused password, a refused
 * permission or an unreachable server.
 *
 * The test role's password cannot be changed (other tests share it) and no
 * other role may be made, so the run that succeeds spells the real password
 * percent-encoded (`%64%75%65%6c` for `duel`): that raw spelling must appear
 * nowhere. The failing runs use `SECRETPW`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./_fixtures.ts";
import { freshDatabase, PG_AVAILABLE } from "./_postgres.ts";
import { task, tinySweep } from "./_sweep_cli.ts";

/** Every file under `dir`, recursively. */
async function* files(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* files(path);
    else if (e.isFile) yield path;
  }
}

const encode = (s: string) =>
  [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

function assertClean(out: string, secret: string, what: string) {
  assert.ok(
    !out.toLowerCase().includes(secret.toLowerCase()),
    `${what} shows the password:\n${out}`,
  );
}

/** A failure: exit != 0, one line, no stack trace, no password. */
function assertOneLineFailure(r: { code: number; out: string }, secret: string, what: string) {
  assert.notEqual(r.code, 0, `${what}: ${r.out}`);
  assertClean(r.out, secret, what);
  assert.doesNotMatch(r.out, /^\s+at /m, `${what}: a stack trace:\n${r.out}`);
  // UsageError adds the usage; every other failure is one line.
  assert.equal(r.out.trim().split("\n").length, 1, `${what}: not one line:\n${r.out}`);
}

Deno.test({
  name:
    "a store's password is in no output, file or error of sweep (submit, worker, status) and report",
  ignore: !PG_AVAILABLE,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await tinySweep("secret");
    const db = await freshDatabase();
    try {
      const u = new URL(db.url);
      const secret = encode(decodeURIComponent(u.password));
      const url = db.url.replace(`:${u.password}@`, `:${secret}@`);
      assert.ok(url.includes(secret));
      const root = ["--root", `${dir}/runs`, "--allow-outside"];
      const outputs = [
        await task("sweep", [`${dir}/sweep.yaml`, "--store", url, "--submit", ...root]),
        await task("sweep", ["--worker", "--store", url, "--parallel", "2", ...root]),
        await task("sweep", ["status", "--store", url]),
        await task("report", [
          url,
          "--sweep",
          "secret",
          "--out",
          `${dir}/runs/report`,
          "--allow-outside",
        ]),
      ];
      for (const [i, r] of outputs.entries()) {
        assert.equal(r.code, 0, r.out);
        assertClean(r.out, secret, `command ${i}`);
      }
      assert.match(outputs[0].out, /store: postgres:\/\/duel:\*\*\*@/);
      let n = 0;
      for await (const f of files(dir)) {
        n++;
        const bytes = await Deno.readFile(f);
        assertClean(new TextDecoder().decode(bytes), secret, f);
      }
      assert.ok(n > 20, `only ${n} files`);

      // A wrong password: every command fails with one line and no password.
      const wrong = db.url.replace(`:${u.password}@`, ":SECRETPW@");
      // An unreachable server (nothing listens on port 9) and a port the task may not reach.
      const closed = new URL(wrong);
      closed.port = "9";
      const denied = new URL(wrong);
      denied.port = "5433";
      for (const bad of [wrong, denied.toString()]) {
        const runs = {
          submit: await task("sweep", [`${dir}/sweep.yaml`, "--store", bad, "--submit", ...root]),
          worker: await task("sweep", ["--worker", "--store", bad, ...root]),
          status: await task("sweep", ["status", "--store", bad]),
          report: await task("report", [
            bad,
            "--sweep",
            "secret",
            "--out",
            `${dir}/r2`,
            "--allow-outside",
          ]),
        };
        for (const [what, r] of Object.entries(runs)) {
          assertOneLineFailure(r, "SECRETPW", `${what} on ${bad.replace("SECRETPW", "***")}`);
        }
      }
      assert.match(
        (await task("sweep", ["status", "--store", wrong])).out,
        /password authentication failed/,
      );
      // The connection error path: the CLIs run with the network open to 127.0.0.1.
      const flags = (cli: string) => [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env=DUEL_STORE,PGAPPNAME,DUEL_CACHE_DIR,XDG_CACHE_HOME,HOME,TMPDIR,TMP,TEMP,LOG_TOKENS,LOG_STREAM",
        "--allow-sys=cpus,hostname",
        "--allow-net=127.0.0.1",
        `--allow-run=${Deno.execPath()}`,
        `${ROOT}src/cli/${cli}.ts`,
      ];
      const run = async (cli: string, args: string[]) => {
        const o = await new Deno.Command(Deno.execPath(), {
          args: [...flags(cli), ...args],
          stdout: "piped",
          stderr: "piped",
        }).output();
        return {
          code: o.code,
          out: new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr),
        };
      };
      const c = closed.toString();
      const unreachable = {
        submit: await run("sweep", [`${dir}/sweep.yaml`, "--store", c, "--submit", ...root]),
        worker: await run("sweep", ["--worker", "--store", c, ...root]),
        status: await run("sweep", ["status", "--store", c]),
        report: await run("report", [
          c,
          "--sweep",
          "secret",
          "--out",
          `${dir}/r3`,
          "--allow-outside",
        ]),
      };
      for (const [what, r] of Object.entries(unreachable)) {
        assertOneLineFailure(r, "SECRETPW", `${what} on an unreachable server`);
        assert.match(r.out, /ECONNREFUSED/, r.out);
        assert.match(r.out, /postgres:\/\/duel:\*\*\*@127\.0\.0\.1:9\//, r.out);
      }
      for await (const f of files(dir)) {
        assertClean(await Deno.readTextFile(f).catch(() => ""), "SECRETPW", f);
      }
    } finally {
      await db.drop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
