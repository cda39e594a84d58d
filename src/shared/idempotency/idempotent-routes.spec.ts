import { Controller, Get, Post } from '@nestjs/common';
import type { IdempotentRequest } from '../database/idempotent-request';
import { Public } from '../http/auth';
import { Idempotent, IdempotentRequestOf } from './idempotent.decorator';
import { unkeyedPostHandlers } from './idempotent-routes';

const present = (r: string) => ({ r });

@Controller('probe')
class ProbeController {
  @Post('keyed')
  @Idempotent()
  keyed(@IdempotentRequestOf(present) _request: IdempotentRequest<string> | undefined): void {}

  @Post('forgot-the-parameter')
  @Idempotent({ required: true })
  forgotTheParameter(): void {}

  @Post('not-declared')
  notDeclared(): void {}

  @Post('parameter-only')
  parameterOnly(@IdempotentRequestOf(present) _request: IdempotentRequest<string> | undefined): void {}

  @Public()
  @Post('webhook')
  webhook(): void {}

  @Get('read')
  read(): void {}
}

describe('the boot check of keyed POST handlers', () => {
  it('names every POST that would drop its Idempotency-Key, and nothing else', () => {
    expect(unkeyedPostHandlers([ProbeController])).toEqual([
      'ProbeController.forgotTheParameter: @Idempotent() without an @IdempotentRequestOf parameter',
      'ProbeController.notDeclared: an authenticated POST without @Idempotent()',
      'ProbeController.parameterOnly: an @IdempotentRequestOf parameter without @Idempotent()',
    ]);
  });
});
