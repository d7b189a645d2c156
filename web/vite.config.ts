import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The app (index.html) and GraphiQL (graphiql.html) are two entries of one build into dist/. Assets get
// content hashes in their names, so the server can mark them immutable. `npm run dev` proxies the API to a
// running datatracker (DATATRACKER_URL, default http://127.0.0.1:8080).
const api = process.env.DATATRACKER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  build: {
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { app: 'index.html', graphiql: 'graphiql.html' },
      // GraphiQL's dependencies carry React "use client" directives, meaningless in a plain bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true },
      '/login': api,
      '/logout': api,
      '/health': api,
      '/ready': api,
    },
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
