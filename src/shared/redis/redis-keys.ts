import { AppConfig } from '../../config/app-config';

/** Every key this service writes is namespaced by REDIS_KEY_PREFIX. */
export function redisKey(config: AppConfig, ...parts: string[]): string {
  return [config.REDIS_KEY_PREFIX, ...parts].join(':');
}
