package io.aigw.server.metrics;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * A metric's label children by a dense index, each looked up once: the client's
 * {@code labelValues(...)} allocates (a varargs array, a list, a map probe), which the event loop must
 * not pay per request. A race fills a slot twice with the same child; that is harmless.
 */
final class LazyChildren<T> {
    private final AtomicReferenceArray<T> children;
    private final IntFunction<T> create;

    LazyChildren(int size, IntFunction<T> create) {
        this.children = new AtomicReferenceArray<>(size);
        this.create = create;
    }

    T get(int index) {
        T child = children.get(index);
        if (child == null) {
            child = create.apply(index);
            children.set(index, child);
        }
        return child;
    }
}
