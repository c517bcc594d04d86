/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import path from "node:path";

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
    // the code panel (CodeMirror) are loaded on demand. Vendor code sits in its own chunks so an
    // app-only deploy does not invalidate the browser's copy of the libraries.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/, priority: 30 },
            { name: "codemirror", test: /[\\/]node_modules[\\/](@codemirror|@lezer|codemirror|style-mod|w3c-keyname|crelt)[\\/]/, priority: 20 },
            { name: "flow", test: /[\\/]node_modules[\\/](@xyflow|d3-[a-z-]+|classcat)[\\/]/, priority: 20 },
            { name: "radix", test: /[\\/]node_modules[\\/](@radix-ui[\\/]react-(?:dialog|dropdown-menu|tooltip|menu|popper|portal|presence|dismissable-layer|focus-scope|focus-guards|roving-focus|collection|direction|id|arrow|visually-hidden|primitive|context|use-[a-z-]+)|@floating-ui|react-remove-scroll[a-z-]*|aria-hidden|use-callback-ref|use-sidecar|detect-node-es|get-nonce|tslib)[\\/]/, priority: 10, includeDependenciesRecursively: false },
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
