/// <reference types="vitest/config" />

import path from "node:path";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Django serves dist/index.html for the SPA routes and dist/assets/ under /assets/ (see
// nodeengine/spa.py); in development `npm run dev` proxies the API and the socket to daphne.
const backend = process.env.BACKEND_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "src") } },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    // The sign-in and graph list pages need only React; the editor route (React Flow, Radix) and
    // the code panel (CodeMirror) are loaded on demand. The big libraries sit in their own chunks,
    // so an app-only deploy keeps the browser's copy of them. Radix stays in the editor chunk: a
    // group of its own (without its dependencies) broke its module order at run time.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: "react",
              test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/,
              priority: 30,
            },
            { name: "codemirror", test: /[\\/]node_modules[\\/](@codemirror|@lezer|codemirror|style-mod|w3c-keyname|crelt)[\\/]/, priority: 20 },
            { name: "flow", test: /[\\/]node_modules[\\/](@xyflow|d3-[a-z-]+|classcat)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": backend,
      "/admin": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
