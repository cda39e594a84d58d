import { Global, Module } from '@nestjs/common';
import { CursorCodec } from './pagination';

/** The cursor codec of every list, with the signing key it is made with. */
@Global()
@Module({ providers: [CursorCodec], exports: [CursorCodec] })
export class PaginationModule {}
