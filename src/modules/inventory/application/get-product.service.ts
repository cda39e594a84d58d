import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../domain/product.repository';
import { PRODUCT_CACHE, PRODUCT_REPOSITORY } from '../inventory.tokens';
import type { ProductCache } from './product-cache';

/** One product, read through the cache. */
@Injectable()
export class GetProductService {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository<EntityManager>,
    @Inject(PRODUCT_CACHE) private readonly cache: ProductCache,
  ) {}

  async execute(id: string): Promise<Product> {
    const cached = await this.cache.get(id);
    if (cached) return cached;
    const product = await this.products.findById(id);
    if (!product) throw new NotFoundError('Product', id);
    await this.cache.set(product);
    return product;
  }
}
