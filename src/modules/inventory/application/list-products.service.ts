import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../domain/product.repository';
import { PRODUCT_REPOSITORY } from '../inventory.tokens';

@Injectable()
export class ListProductsService {
  constructor(@Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository<EntityManager>) {}

  /** Newest first; `limit + 1` rows come back so that the caller can build the page. */
  execute(limit: number, cursor?: Cursor): Promise<Product[]> {
    return this.products.listPage(limit, cursor);
  }
}
