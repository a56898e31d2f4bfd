import { createRequire as __mcprCreateRequire } from 'node:module'; import { dirname as __mcprDirname } from 'node:path'; import { fileURLToPath as __mcprFileUrl } from 'node:url'; const require = __mcprCreateRequire(import.meta.url); const __mcprFile = __mcprFileUrl(import.meta.url); const __mcprDir = __mcprDirname(__mcprFile);
import {
  ComposeProject,
  detectCompose,
  runCommand
} from "./chunk-ORFHDF73.js";
import "./chunk-42A6FYL2.js";
export {
  ComposeProject,
  detectCompose,
  runCommand
};
