// Types of vm-proxy-frees.mjs (the JavaScript is not type-checked).

/** Drop the glue's `proxy_c_free_obj` calls through the `globalThis.Module` the last load set. */
export declare function keepProxyFreesOut(): void;
