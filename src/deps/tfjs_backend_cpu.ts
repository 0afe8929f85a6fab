/**
 * tfjs's cpu backend (registers itself on load), pinned to tfjs-core's version.
 * @module
 */
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
