import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Creates } from '../../../shared/http/location';
import { AdminOnly, Public } from '../../../shared/http/auth';
import { CursorCodec, DEFAULT_PAGE_SIZE, PaginationQuery } from '../../../shared/http/pagination';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import { CreateProductService } from '../application/create-product.service';
import { GetProductService } from '../application/get-product.service';
import { ListProductsService } from '../application/list-products.service';
import { CreateProductRequest } from './dto/create-product.request';
import { ProductPageResponse, ProductResponse } from './dto/product.response';
import type { Product } from '../domain/product';

@ApiTags('products')
@Controller('api/products')
export class ProductsController {
  constructor(
    private readonly createProduct: CreateProductService,
    private readonly getProduct: GetProductService,
    private readonly listProducts: ListProductsService,
    private readonly cursors: CursorCodec,
  ) {}

  @Post()
  @Creates('/api/products', ProductResponse)
  @AdminOnly()
  @Idempotent()
  @ApiOperation({ summary: 'Create a product with its stock (admin)' })
  @ApiProblems({
    400: '`validation_failed`',
  })
  async create(
    @Body() body: CreateProductRequest,
    @IdempotentRequestOf(ProductResponse.from) idempotent: IdempotentRequest<Product> | undefined,
  ): Promise<ProductResponse> {
    return ProductResponse.from(
      await this.createProduct.execute(
        {
          name: body.name,
          price: BigInt(body.price),
          currency: body.currency,
          stock: body.stock,
          maxPerAccount: body.max_per_account ?? null,
        },
        idempotent,
      ),
    );
  }

  @Get(':id')
  @Public()
  @ApiOperation({
    summary: 'A product and its stock',
    description:
      'May be served from a cache that every stock change invalidates; never older than ' +
      'PRODUCT_CACHE_TTL_SECONDS. Answered from PostgreSQL when Redis is down.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiProblems({
    400: '`validation_failed`: id is not a UUID',
    404: '`not_found`',
  })
  async get(@UuidParam('id') id: string): Promise<ProductResponse> {
    return ProductResponse.from(await this.getProduct.execute(id));
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Products, newest first (cursor-paginated)' })
  @ApiOkResponse({ type: ProductPageResponse })
  @ApiProblems({
    400: '`validation_failed`: bad limit or cursor',
  })
  async list(@Query() query: PaginationQuery): Promise<ProductPageResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.listProducts.execute(limit, this.cursors.decode(query.cursor));
    return this.cursors.page(rows, limit, (p) => ProductResponse.from(p));
  }
}
