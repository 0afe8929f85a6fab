/**
 * `gitCommit` reads a repository without running anything its configuration names
 * (issue #15: unscoped writes plus `--allow-run=git` allowed code execution through
 * `.git/config`): no fsmonitor, no hooks, no clean filter; a changed file still shows.
 */
import assert from "node:assert/strict";
import { gitCommit } from "../src/runs/run_folder.ts";

const git = (cwd: string, ...args: string[]) =>
  new Deno.Command("git", { args, cwd, stdout: "null", stderr: "null" }).output();

Deno.test("gitCommit runs no fsmonitor, hook or filter from the repository's configuration", async () => {
  const dir = await Deno.makeTempDir();
  const pwned = `${dir}/pwned`;
  await git(dir, "init", "-q");
  await Deno.writeTextFile(`${dir}/a.txt`, "one\n");
  await Deno.writeTextFile(`${dir}/.gitattributes`, "*.txt filter=evil\n");
  await git(dir, "add", "a.txt", ".gitattributes");
  await git(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init");
  const payload = (name: string) => `sh -c 'touch ${pwned}-${name}; cat'`;
  await git(dir, "config", "core.fsmonitor", payload("fsmonitor"));
  await git(dir, "config", "filter.evil.clean", payload("clean"));
  await git(dir, "config", "filter.evil.process", payload("process"));
  for (const hook of ["post-index-change", "post-checkout", "pre-commit"]) {
    await Deno.writeTextFile(`${dir}/.git/hooks/${hook}`, `#!/bin/sh\ntouch ${pwned}-${hook}\n`, {
      mode: 0o755,
    });
  }
  const clean = await gitCommit(dir);
  assert.match(clean ?? "", /^[0-9a-f]{40}$/);
  await Deno.writeTextFile(`${dir}/a.txt`, "two\n");
  const dirty = await gitCommit(dir);
  assert.equal(dirty, `${clean}+dirty`);
  const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("pwned"));
  assert.deepEqual(left, []);
  assert.equal(await gitCommit(await Deno.makeTempDir()), null);
});
