import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

import { linkSessionPlugin } from "../vite-session.mjs";

export default defineConfig({ plugins: [vue(), linkSessionPlugin()] });
