import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomUUID } from 'crypto';
import { AppConfig } from '../../../config/app-config';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { afterCommit, UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Hold } from '../domain/hold';
import { InsufficientStockError } from '../domain/inventory.errors';
import { TypeOrmHoldRepository } from '../infrastructure/typeorm-hold.repository';
import { TypeOrmProductRepository } from '../infrastructure/typeorm-product.repository';
import { EXPIRE_HOLD_JOB, HOLD_EXPIRY_QUEUE, holdExpiryJobId } from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import { StockService } from './stock.service';

@Injectable()
export class PlaceHoldService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly stock: StockService,
    private readonly products: TypeOrmProductRepository,
    private readonly holds: TypeOrmHoldRepository,
    private readonly metrics: InventoryMetrics,
    private readonly config: AppConfig,
    @InjectQueue(HOLD_EXPIRY_QUEUE) private readonly queue: Queue,
  ) {}

  async execute(accountId: string, productId: string, quantity: number): Promise<Hold> {
    try {
      return await this.place(accountId, productId, quantity);
    } catch (error) {
      if (error instanceof InsufficientStockError) this.metrics.holdsRefusedForStock.inc();
      throw error;
    }
  }

  private async place(accountId: string, productId: string, quantity: number): Promise<Hold> {
    // Once a flash sale is sold out, most requests end here without queueing for the row lock.
    // Refusing on this committed snapshot is still exact: the request takes effect at this read.
    const snapshot = await this.products.findById(productId);
    if (!snapshot) throw new NotFoundError('Product', productId);
    if (snapshot.availableStock < quantity) {
      throw new InsufficientStockError(quantity, snapshot.availableStock);
    }

    const ttlMs = this.config.HOLD_TTL_SECONDS * 1000;
    const hold = await this.uow.run(
      async (em) => {
        await this.stock.reserve(em, productId, quantity);
        const now = new Date();
        const hold: Hold = {
          id: randomUUID(),
          productId,
          accountId,
          quantity,
          status: 'active',
          expiresAt: new Date(now.getTime() + ttlMs),
          createdAt: now,
          updatedAt: now,
        };
        await this.holds.insert(em, hold);
        afterCommit(em, () =>
          this.queue.add(
            EXPIRE_HOLD_JOB,
            { holdId: hold.id },
            { jobId: holdExpiryJobId(hold.id), delay: ttlMs, removeOnComplete: true, removeOnFail: 100 },
          ),
        );
        return hold;
      },
      { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS },
    );
    this.metrics.holdsCreated.inc();
    return hold;
  }
}
