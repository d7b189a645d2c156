// Generates typed documents in src/gql/ from ../schema.graphql and the graphql(`…`) calls in src/.
// Run through ../scripts/web-gen.sh; `--check` fails when src/gql/ is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.graphql',
  // Operations live in .ts files (src/lib/operations.ts); .svelte files are not scanned.
  documents: ['src/**/*.ts', '!src/gql/**', '!src/**/*.test.ts'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
  silent: true,
};
export default config;
