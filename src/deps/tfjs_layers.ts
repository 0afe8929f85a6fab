/**
 * tfjs-layers, loaded for the gradients it registers (see `backend/gradients.ts`).
 * @module
 */
import "npm:@tensorflow/tfjs-layers@4.22.0";
