// class-transformer ships this module's code at cjs/storage and its typings at types/storage.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
