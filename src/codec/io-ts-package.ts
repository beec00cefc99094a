/**
 * io-ts (and the fp-ts modules under it), loaded the first time a codec is built. A run with no
 * functionConfig and no workload that declares its own order decodes nothing, and loading the two
 * packages cost such a run a few percent of its time. Its CommonJS build is what an `import` loaded
 * before (the package's main), so the types are its own.
 */
import { createRequire } from 'node:module';
import type * as IoTs from 'io-ts';

type IoTsPackage = typeof IoTs;

let loaded: IoTsPackage | undefined;

export function ioTs(): IoTsPackage {
  return (loaded ??= createRequire(import.meta.url)('io-ts') as IoTsPackage);
}

/**
 * The codecs `build` makes, built the first time they are asked for and then kept. `build` gets the
 * package as `t`, so codecs read as io-ts codecs always do.
 */
export function codecs<C>(build: (t: IoTsPackage) => C): () => C {
  let built: { readonly codecs: C } | undefined;
  return () => (built ??= { codecs: build(ioTs()) }).codecs;
}
