/**
 * Internals of the servlet adapter: the non-blocking stream sink and the response writers. May
 * change without notice; not for use outside ssehub.
 */
package io.ssehub.servlet.internal;
