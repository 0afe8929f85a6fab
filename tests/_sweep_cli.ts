/**
 * The sweep and report tasks as a user runs them (`deno task -q <task> ...`,
 * so each runs under its own deno.json permissions), and a tiny sweep of 4
 * trials (2 settings x 2 seeds, 40 steps) to run with them.
 */
import { ROOT, tinyExperiment } from "./_fixtures.ts";

/** Runs `deno task -q <task> ...args`; stdout and stderr together. */
export async function task(
  name: "sweep" | "report",
  args: string[],
): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", `${ROOT}deno.json`, name, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, out: text };
}

/**
 * Starts `deno task -q <task> ...args` and returns at once: `seen()` is its
 * output so far (stdout and stderr together, as it arrives), `done` its exit
 * code and whole output, as {@link task} gives them.
 */
export function spawnTask(
  name: "sweep" | "report",
  args: string[],
): { seen: () => string; done: Promise<{ code: number; out: string }> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", `${ROOT}deno.json`, name, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  };
  const done = Promise.all([drain(child.stdout), drain(child.stderr), child.status]).then(
    ([, , status]) => ({ code: status.code, out: text }),
  );
  return { seen: () => text, done };
}

/** A folder with `tiny.yaml` and `sweep.yaml` (sweep `name`, 4 trials); returns its path. */
export async function tinySweep(name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "duel_sweep_cli_" });
  await Deno.writeTextFile(
    `${dir}/tiny.yaml`,
    tinyExperiment(`${dir}/runs`, "").replace("steps: 60", "steps: 40"),
  );
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    `name: ${name}\nbase: tiny.yaml\nsweep:\n  grid:\n    optimizer.generator.lr: [1.0e-3, 3.0e-4]\n  seeds: 2\n`,
  );
  return dir;
}
