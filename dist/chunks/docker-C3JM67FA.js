import { createRequire as __mcprCreateRequire } from 'node:module'; const require = __mcprCreateRequire(import.meta.url);
import {
  require_docker
} from "./chunk-3ZRBJORG.js";
import "./chunk-XJHEOKO3.js";
import "./chunk-QO5TESIK.js";
export default require_docker();
