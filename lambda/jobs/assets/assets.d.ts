/** A PNG imported by a function: its bytes, embedded by the bundler (esbuild's binary loader). */
declare module '*.png' {
  const bytes: Uint8Array;
  export default bytes;
}
