/**
 * TensorFlow.js core, pinned: the one place its version is written. Duel's
 * sources import it from here by path (not by a bare name), so Duel resolves
 * its dependencies itself wherever it is loaded from: a path, `links`, a
 * registry or an `https:` server.
 * @module
 */
export * from "npm:@tensorflow/tfjs-core@4.22.0";
