/**
 * A finished run leaves no tensor behind: the sweep's trial host runs trials
 * one after another in one process, and a library user may call
 * `runExperiment` in a loop. A dense GAN with EMA and a conv GAN with every
 * image layer (batch norm, spectral norm, layer norm, dropout), each run twice.
 */
import assert from "node:assert/strict";
import * as tf from "../src/deps/tfjs_core.ts";
import { parseExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { CONV_GAN, tinyExperiment } from "./_fixtures.ts";

Deno.test("a finished run leaves no tensor behind (dense with EMA, conv with every image layer)", async () => {
  const root = await Deno.makeTempDir({ prefix: "duel_leak_" });
  try {
    await useBackend("wasm");
    const configs = {
      dense: tinyExperiment(root),
      conv: `${CONV_GAN}eval: { every: 3, samples: 64 }\noutput: { root: ${
        JSON.stringify(root)
      } }\n`,
    };
    for (const [name, text] of Object.entries(configs)) {
      for (const round of [1, 2]) {
        const before = tf.memory().numTensors;
        const summary = await runExperiment(parseExperiment(text), {
          runDir: `${root}/${name}${round}`,
          views: false,
        });
        assert.equal(summary.final.step, name === "dense" ? 60 : 6);
        assert.equal(tf.memory().numTensors, before, `${name}, run ${round}`);
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
