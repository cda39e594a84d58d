import { Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from '../domain/clock';

@Global()
@Module({
  providers: [{ provide: CLOCK, useValue: systemClock }],
  exports: [CLOCK],
})
export class ClockModule {}
