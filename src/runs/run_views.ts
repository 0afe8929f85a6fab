/**
 * Views at each evaluation of a run: `views/step-<n>.svg` (and `.png` for
 * 2-D data). Called by the training loop with the evaluation's samples;
 * draws no random numbers from the run's streams (the loop then rebuilds
 * `report.html` with `writeRunReport`).
 * @module
 */
import { writeAtomic } from "../files.ts";
import { viewOf } from "../metrics/views.ts";
import type { Trainer } from "../train/trainer.ts";
import { lineSvg } from "../views/line.ts";
import { planeSvg } from "../views/plane.ts";
import { pictureToPng, planePicture } from "../views/raster.ts";
import { viewFile, VIEWS_DIR } from "./run_report.ts";

/** Side of the 2-D views' pictures in pixels. */
export const PICTURE_SIDE = 320;

/**
 * Writes the view of `trainer` at `step` (with that evaluation's `samples`)
 * into the run folder `dir` (nothing for image data: its sample grids are its views).
 *
 * Inside Duel it is used as `await writeRunViews(folder.dir, trainer, step, samples);`.
 */
export async function writeRunViews(
  dir: string,
  trainer: Trainer,
  step: number,
  samples: Float32Array,
): Promise<void> {
  const view = viewOf(trainer, samples);
  if (view) {
    await Deno.mkdir(`${dir}/${VIEWS_DIR}`, { recursive: true });
    if (view.kind === "plane") {
      await writeAtomic(`${dir}/${viewFile(step, "svg")}`, planeSvg(view.view));
      const progress = step / trainer.config.train.steps;
      const png = pictureToPng(planePicture(view.view, PICTURE_SIDE, progress));
      await writeAtomic(`${dir}/${viewFile(step, "png")}`, png);
    } else {
      await writeAtomic(`${dir}/${viewFile(step, "svg")}`, lineSvg(view.view));
    }
  }
}
