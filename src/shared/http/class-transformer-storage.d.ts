// class-transformer ships its registry of @Type, @Transform, @Expose and @Exclude as
// `cjs/storage` and that module's types under `types/`; this joins the two.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
