/**
 * Writes the cartoon-faces data set: `count` RGB PNGs `face-<k>.png` of
 * 64x64, drawn from `seed` (`src/data/faces.ts`; the same seed gives the
 * same files byte for byte).
 *
 *     deno run --allow-write tools/make_faces.ts data/faces [count=2048] [seed=0]
 * @module
 */
import { encode as encodePng } from "fast-png";
import { facePicture } from "../src/data/faces.ts";

/** Writes the faces into `dir` (created); returns the file names. */
export async function writeFaceFolder(dir: string, count = 2048, seed = 0): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (let k = 0; k < count; k++) {
    const name = `face-${String(k).padStart(5, "0")}.png`;
    const data = facePicture(k, seed);
    await Deno.writeFile(`${dir}/${name}`, encodePng({ width: 64, height: 64, data, channels: 3 }));
    names.push(name);
  }
  return names;
}

if (import.meta.main) {
  const [dir, countArg = "2048", seedArg = "0"] = Deno.args;
  const count = Number(countArg), seed = Number(seedArg);
  if (!dir || !Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    console.error("usage: deno run --allow-write tools/make_faces.ts <folder> [count] [seed]");
    Deno.exit(2);
  }
  const names = await writeFaceFolder(dir, count, seed);
  console.log(`${dir}: ${names.length} PNGs, 64x64 RGB, seed ${seed}`);
}
