/**
 * Benchmarks: {@code mock} (a fast provider), {@code load} (the load driver), {@code jmh}
 * (micro-benchmarks of the hot translation code). Run through scripts/bench.sh and scripts/jmh.sh.
 */
package io.aigw.bench;
