/**
 * Benchmarks: {@code mock} (a fast provider), {@code load} (the load driver), {@code jmh}
 * (micro-benchmarks of the hot translation code), {@code log} (the request-log writer's throughput
 * and the request-log acceptance load). Run through scripts/bench.sh, scripts/jmh.sh and
 * scripts/log-acceptance.sh.
 */
package io.aigw.bench;
