import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../domain/product.repository';
import { PRODUCT_REPOSITORY } from '../inventory.tokens';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export interface NewProduct {
  name: string;
  price: bigint;
  currency: string;
  stock: number;
  maxPerAccount: number | null;
}

@Injectable()
export class CreateProductService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(input: NewProduct, idempotent: IdempotentRequest<Product> | undefined): Promise<Product> {
    const now = new Date(this.clock.now());
    const product: Product = {
      id: randomUUID(),
      name: input.name,
      price: input.price,
      currency: input.currency,
      totalStock: input.stock,
      availableStock: input.stock,
      reservedStock: 0,
      soldStock: 0,
      maxPerAccount: input.maxPerAccount,
      createdAt: now,
      updatedAt: now,
    };
    return this.uow.run(
      async (em) => {
        await this.products.insert(em, product);
        return product;
      },
      { idempotent },
    );
  }
}
