/**
 * The Mercure front door of the hub: {@link io.ssehub.mercure.MercureHub}. Everything in {@code
 * io.ssehub.mercure.internal} may change without notice.
 */
package io.ssehub.mercure;
