// Builds the console into dist/: index.html plus content-hashed files under assets/ (which the
// controller serves with a long cache). The app imports only types from @microseg/protocol, so
// no workspace code ends up in the bundle.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
