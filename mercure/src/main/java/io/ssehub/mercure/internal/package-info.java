/** Internals of the Mercure front door: topic selectors and claims. May change without notice. */
package io.ssehub.mercure.internal;
