import { defineConfig } from 'vite';

// Built by CMake (console/CMakeLists.txt) and embedded into the flowstate binary.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
    sourcemap: false,
  },
});
