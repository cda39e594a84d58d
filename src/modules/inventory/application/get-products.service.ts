import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { decodeCursor, DEFAULT_PAGE_SIZE } from '../../../shared/http/pagination';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../domain/product.repository';
import { PRODUCT_CACHE, PRODUCT_REPOSITORY } from '../inventory.tokens';
import type { ProductCache } from './product-cache';

@Injectable()
export class GetProductsService {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository<EntityManager>,
    @Inject(PRODUCT_CACHE) private readonly cache: ProductCache,
  ) {}

  async getById(id: string): Promise<Product> {
    const cached = await this.cache.get(id);
    if (cached) return cached;
    const product = await this.products.findById(id);
    if (!product) throw new NotFoundError('Product', id);
    await this.cache.set(product);
    return product;
  }

  /** Newest first; `limit + 1` rows come back so that the caller can build the page. */
  list(limit = DEFAULT_PAGE_SIZE, cursor?: string): Promise<Product[]> {
    return this.products.listPage(limit, decodeCursor(cursor));
  }
}
