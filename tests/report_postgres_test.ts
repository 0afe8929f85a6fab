/**
 * `deno task report` of a sweep in a PostgreSQL store: the same sweep run on
 * a fresh PostgreSQL database (submitted, then one worker) and on SQLite (one
 * process) gives the same report, read from the store alone, and the same
 * views page (pictures from the trial folders the workers wrote).
 */
import assert from "node:assert/strict";
import { freshDatabase, PG_AVAILABLE } from "./_postgres.ts";
import { task, tinySweep } from "./_sweep_cli.ts";

const OUT = "--allow-outside";

Deno.test({
  name: "report of a PostgreSQL sweep equals the report of the same sweep on SQLite",
  ignore: !PG_AVAILABLE,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await tinySweep("rq");
    const db = await freshDatabase();
    try {
      const sqlite = async () => {
        const run = await task("sweep", [`${dir}/sweep.yaml`, "--root", `${dir}/sq`, OUT]);
        assert.equal(run.code, 0, run.out);
        const rep = await task("report", [`${dir}/sq/sweeps/rq`, "--quiet", OUT]);
        assert.equal(rep.code, 0, rep.out);
      };
      const pg = async () => {
        const root = ["--root", `${dir}/pg`, OUT];
        const sub = await task("sweep", [
          `${dir}/sweep.yaml`,
          "--store",
          db.url,
          "--submit",
          ...root,
        ]);
        assert.equal(sub.code, 0, sub.out);
        const work = await task("sweep", [
          "--worker",
          "--store",
          db.url,
          "--parallel",
          "2",
          ...root,
        ]);
        assert.equal(work.code, 0, work.out);
        const rep = await task("report", [db.url, "--sweep", "rq", "--out", `${dir}/pgrep`, OUT]);
        assert.equal(rep.code, 0, rep.out);
        assert.match(rep.out, /^# rq$/m);
        assert.match(rep.out, /4 of 4 trials finished, 2 configurations/);
        // The store's only sweep is the one reported when --sweep is left out.
        const only = await task("report", [db.url, "--out", `${dir}/pgrep2`, "--quiet", OUT]);
        assert.equal(only.code, 0, only.out);
      };
      await Promise.all([sqlite(), pg()]);
      const md = (d: string) => Deno.readTextFile(`${d}/report.md`);
      const sq = await md(`${dir}/sq/sweeps/rq`);
      assert.match(sq, /^# rq\n/);
      assert.equal(await md(`${dir}/pgrep`), sq);
      assert.equal(await md(`${dir}/pgrep2`), sq);
      const svgs = async (d: string) =>
        (await Array.fromAsync(Deno.readDir(d))).map((e) => e.name).filter((n) =>
          n.endsWith(".svg")
        ).sort();
      assert.deepEqual(await svgs(`${dir}/pgrep`), await svgs(`${dir}/sq/sweeps/rq`));
      // The views page too, its pictures found in the trial folders the workers wrote.
      const views = await Deno.readTextFile(`${dir}/pgrep/views.html`);
      const panels = (html: string) => html.match(/data-configuration="\d+"/g) ?? [];
      assert.deepEqual(
        panels(views),
        panels(await Deno.readTextFile(`${dir}/sq/sweeps/rq/views.html`)),
      );
      assert.equal(panels(views).length, 2);
      const pictures = [...views.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(pictures.length, 2);
      for (const src of pictures) assert.ok((await Deno.stat(`${dir}/pgrep/${src}`)).isFile, src);

      const missing = await task("report", [db.url, "--sweep", "nope", "--out", `${dir}/x`, OUT]);
      assert.equal(missing.code, 2, missing.out);
      assert.equal(missing.out.trim().split("\n").length, 1, missing.out);
      assert.match(missing.out, /no sweep "nope" \(valid: rq\)/);
    } finally {
      await db.drop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
