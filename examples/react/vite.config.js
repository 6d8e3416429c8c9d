import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

import { linkSessionPlugin } from "../vite-session.mjs";

export default defineConfig({ plugins: [react(), linkSessionPlugin()] });
