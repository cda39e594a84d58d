import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { decodeCursor, DEFAULT_PAGE_SIZE } from '../../../shared/http/pagination';
import type { Product } from '../domain/product';
import { ProductCache } from '../infrastructure/product-cache';
import { TypeOrmProductRepository } from '../infrastructure/typeorm-product.repository';

@Injectable()
export class GetProductsService {
  constructor(
    private readonly products: TypeOrmProductRepository,
    private readonly cache: ProductCache,
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
