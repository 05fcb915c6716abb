import type { StateStore, StoreBuilder } from '../store.js';

/**
 * The caching and logging switches every store builder shares. Subclasses decide the changelog
 * topic configs (`changelogConfig`) and compose the layers in `build()`.
 */
export abstract class AbstractStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  #cachingEnabled: boolean;
  #loggingEnabled = true;
  #userLogConfig: Readonly<Record<string, string>> = Object.freeze({});

  protected constructor(cachingByDefault: boolean) {
    this.#cachingEnabled = cachingByDefault;
  }

  abstract get name(): string;
  abstract build(): S;

  /** The changelog topic configs for the user's overrides. */
  protected changelogConfig(userConfig: Record<string, string>): Record<string, string> {
    return { ...userConfig };
  }

  get cachingEnabled(): boolean {
    return this.#cachingEnabled;
  }

  get loggingEnabled(): boolean {
    return this.#loggingEnabled;
  }

  get logConfig(): Readonly<Record<string, string>> {
    return Object.freeze(this.#loggingEnabled ? this.changelogConfig(this.#userLogConfig) : {});
  }

  withCachingEnabled(): this {
    this.#cachingEnabled = true;
    return this;
  }

  withCachingDisabled(): this {
    this.#cachingEnabled = false;
    return this;
  }

  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.#loggingEnabled = true;
    this.#userLogConfig = Object.freeze({ ...config });
    return this;
  }

  withLoggingDisabled(): this {
    this.#loggingEnabled = false;
    return this;
  }
}
