import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { afterCommit } from '../../../shared/database/after-commit';
import { decideBatch } from '../../../shared/database/batch-pipeline';
import { type Batch, type BatchOutcome, HotRowBatcher } from '../../../shared/database/hot-row-batcher';
import {
  byIdempotencyKey,
  IDEMPOTENCY_KEYS,
  type IdempotencyKeys,
  type IdempotentRequest,
} from '../../../shared/database/idempotent-request';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { EventRecorder } from '../../event/application/event-recorder';
import type { DeadlineScheduler } from '../../../shared/queue/deadline';
import type { Hold } from '../domain/hold';
import { InsufficientStockError, LimitExceededError } from '../domain/inventory.errors';
import { lineAmount } from '../../../shared/domain/money';
import { moveStock, type StockCounters } from '../domain/product';
import type { LockedProduct, ProductRepository } from '../domain/product.repository';
import {
  HOLD_EXPIRY_SCHEDULER,
  PRODUCT_CACHE,
  PRODUCT_REPOSITORY,
  SOLD_OUT_REGISTRY,
} from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import type { ProductCache } from './product-cache';
import type { SoldOutRegistry } from './sold-out-registry';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

interface HoldRequest {
  accountId: string;
  quantity: number;
  idempotent?: IdempotentRequest<Hold>;
}

/** What a batch holds once it has locked its product: the row, and the units its accounts already have. */
interface Locked {
  product: LockedProduct | null;
  held: Map<string, number>;
  now: Date;
  /** The product's counters once the batch's requests are decided. */
  counters: StockCounters | null;
}

/** The most holds one transaction decides. */
const MAX_BATCH = 100;

/**
 * Holds on one product that arrive while a transaction on it is in flight join the next one (group
 * commit): the product row is locked once, every request is decided in arrival order exactly as if
 * it ran alone (each gets its own hold or refusal), the counters and all holds are written in one
 * statement, and one commit answers them all. Once the product is sold out, holds are refused
 * without touching its row (see SoldOutRegistry). A product's `max_per_account` is enforced under
 * its lock, so that concurrent holds of one account never add up past it.
 *
 * Round trips of a batch: START, SET LOCAL lock_timeout, the claim of Idempotency-Keys (only when a
 * request carries one), the locked read of the product, the units the batch's accounts already have
 * (only for a product with a limit), one write that also stores the answers, COMMIT.
 */
@Injectable()
export class PlaceHoldService {
  private readonly batcher: HotRowBatcher<HoldRequest, Hold>;

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository<EntityManager>,
    @Inject(IDEMPOTENCY_KEYS) private readonly keys: IdempotencyKeys,
    @Inject(PRODUCT_CACHE) private readonly cache: ProductCache,
    @Inject(SOLD_OUT_REGISTRY) private readonly soldOut: SoldOutRegistry,
    private readonly metrics: InventoryMetrics,
    private readonly config: AppConfig,
    @Inject(HOLD_EXPIRY_SCHEDULER) private readonly expiry: DeadlineScheduler,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {
    this.batcher = new HotRowBatcher<HoldRequest, Hold>((productId, batch) => this.decide(productId, batch), {
      maxBatch: MAX_BATCH,
      conflictKey: byIdempotencyKey,
    });
  }

  async execute(
    caller: Caller,
    productId: string,
    quantity: number,
    idempotent: IdempotentRequest<Hold> | undefined,
  ): Promise<Hold> {
    if (await this.soldOut.isSoldOut(productId)) {
      this.metrics.holdsRefusedForStock.inc();
      throw new InsufficientStockError(quantity, 0);
    }
    return this.batcher.submit(productId, {
      accountId: caller.accountId,
      quantity,
      idempotent,
    });
  }

  private decide(productId: string, batch: Batch<HoldRequest>): Promise<Array<BatchOutcome<Hold>>> {
    return this.uow.run((em) =>
      decideBatch(em, this.keys, batch, {
        lock: (em, requests) => this.lock(em, productId, requests),
        decide: async (_em, locked, requests) => this.decideInOrder(productId, locked, requests),
        write: (em, locked, _requests, outcomes) => this.write(em, productId, locked, outcomes),
      }),
    );
  }

  private async lock(
    em: EntityManager,
    productId: string,
    requests: readonly HoldRequest[],
  ): Promise<Locked> {
    const stopTimer = this.metrics.productLockWait.startTimer();
    const product = await this.products.lockById(em, productId);
    stopTimer();
    const now = new Date(this.clock.now());
    const held =
      product?.maxPerAccount == null
        ? new Map<string, number>()
        : await this.products.unitsByAccount(
            em,
            productId,
            [...new Set(requests.map((r) => r.accountId))],
            now,
          );
    return { product, held, now, counters: product };
  }

  /** Each request in arrival order, as if it ran alone; `locked.counters` become the counters after them. */
  private decideInOrder(
    productId: string,
    locked: Locked,
    requests: readonly HoldRequest[],
  ): Array<BatchOutcome<Hold>> {
    const { product, held, now } = locked;
    const expiresAt = new Date(now.getTime() + this.config.HOLD_TTL_SECONDS * 1000);
    const limit = product?.maxPerAccount ?? null;
    let counters: StockCounters | null = product;
    const outcomes = requests.map((request): BatchOutcome<Hold> => {
      try {
        if (!product || !counters) throw new NotFoundError('Product', productId);
        // Refused at the hold, so that no hold reserves units for an order that could never be made.
        lineAmount(product.price, request.quantity);
        const units = held.get(request.accountId) ?? 0;
        if (limit !== null && units + request.quantity > limit) {
          throw new LimitExceededError(request.quantity, units, limit);
        }
        counters = moveStock(counters, 'reserve', request.quantity);
        if (limit !== null) held.set(request.accountId, units + request.quantity);
      } catch (error) {
        return { error };
      }
      return {
        ok: {
          id: randomUUID(),
          productId,
          accountId: request.accountId,
          quantity: request.quantity,
          status: 'active',
          expiresAt,
          createdAt: now,
          updatedAt: now,
        },
      };
    });
    locked.counters = counters;
    return outcomes;
  }

  private async write(
    em: EntityManager,
    productId: string,
    { product, counters, now }: Locked,
    outcomes: ReadonlyArray<BatchOutcome<Hold>>,
  ): Promise<void> {
    const holds = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
    if (product && counters) {
      let version = product.stockVersion;
      if (holds.length > 0) {
        this.events.record(
          em,
          holds.map((hold) => ({
            type: 'hold.created' as const,
            accountId: hold.accountId,
            resourceId: hold.id,
            resource: hold,
          })),
        );
        version = await this.products.reserveForHolds(em, productId, counters, holds, now);
        this.cache.invalidateAfterCommit(em, productId);
        afterCommit(em, () =>
          this.expiry.schedule(
            holds.map((h) => h.id),
            this.config.HOLD_TTL_SECONDS * 1000,
          ),
        );
      }
      // Marked by the batch that took the last unit, and again by any batch that finds none left
      // (a mark lives two seconds): while a product stays sold out, holds keep off its row.
      if (counters.availableStock === 0) {
        const soldOutAt = version;
        afterCommit(em, () => this.soldOut.markSoldOut(productId, soldOutAt));
      }
    }
    afterCommit(em, () => {
      this.metrics.holdsCreated.inc(holds.length);
      const refused = outcomes.filter((o) => 'error' in o && o.error instanceof InsufficientStockError);
      if (refused.length > 0) this.metrics.holdsRefusedForStock.inc(refused.length);
    });
  }
}
