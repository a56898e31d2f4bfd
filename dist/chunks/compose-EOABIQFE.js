import { createRequire as __mcprCreateRequire } from 'node:module'; const require = __mcprCreateRequire(import.meta.url);
import {
  ComposeProject,
  detectCompose,
  runCommand
} from "./chunk-2EYH7STI.js";
import "./chunk-QO5TESIK.js";
export {
  ComposeProject,
  detectCompose,
  runCommand
};
