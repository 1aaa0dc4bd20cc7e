package io.aigw.core.routing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * Orders the deployments of one public model for an attempt and its failovers.
 *
 * <p>Both strategies honour priority groups (lowest number first); deployments whose breaker would refuse a
 * call (open, cooling, disabled, or half-open with its probe taken) are left out. An empty list means every
 * deployment is unavailable: the caller answers 503. Inside a group:
 * <ul>
 *   <li>{@link Strategy#PRIORITY}: weighted random order without replacement;</li>
 *   <li>{@link Strategy#LEAST_LATENCY}: repeated power of two choices over {@link LatencyTracker#cost}, i.e. two
 *       distinct members drawn uniformly, the cheaper goes next, until the group is exhausted.</li>
 * </ul>
 * Weight-0 deployments are standbys: they come after the weighted members of their group (in configuration
 * order), so they are never first unless nothing else in the group is available.
 *
 * <p>Stateless apart from the immutable deployment list; safe from any thread.
 */
public final class RouteSelector {

    public enum Strategy {
        PRIORITY,
        LEAST_LATENCY;

        /** {@code priority} (also null/blank) or {@code least_latency}, case-insensitive. */
        public static Strategy parse(String s) {
            if (s == null || s.isBlank()) {
                return PRIORITY;
            }
            return switch (s.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "priority" -> PRIORITY;
                case "least_latency" -> LEAST_LATENCY;
                default ->
                    throw new IllegalArgumentException(
                            "unknown routing strategy '" + s + "' (expected priority or least_latency)");
            };
        }
    }

    private final Strategy strategy;
    /** Groups in ascending priority, members in configuration order. */
    private final List<List<DeploymentState>> groups;

    private final List<DeploymentState> deployments;

    private RouteSelector(Strategy strategy, List<DeploymentState> deployments) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.deployments = List.copyOf(deployments);
        List<DeploymentState> sorted = new ArrayList<>(this.deployments);
        sorted.sort(Comparator.comparingInt(DeploymentState::priority)); // stable: keeps config order
        List<List<DeploymentState>> gs = new ArrayList<>();
        List<DeploymentState> cur = null;
        int curPriority = 0;
        for (DeploymentState d : sorted) {
            if (cur == null || d.priority() != curPriority) {
                cur = new ArrayList<>();
                gs.add(cur);
                curPriority = d.priority();
            }
            cur.add(d);
        }
        List<List<DeploymentState>> frozen = new ArrayList<>(gs.size());
        for (List<DeploymentState> g : gs) {
            frozen.add(List.copyOf(g));
        }
        this.groups = List.copyOf(frozen);
    }

    public static RouteSelector of(Strategy strategy, List<DeploymentState> deployments) {
        return new RouteSelector(strategy, deployments);
    }

    public static RouteSelector priority(List<DeploymentState> deployments) {
        return new RouteSelector(Strategy.PRIORITY, deployments);
    }

    public static RouteSelector leastLatency(List<DeploymentState> deployments) {
        return new RouteSelector(Strategy.LEAST_LATENCY, deployments);
    }

    public Strategy strategy() {
        return strategy;
    }

    public List<DeploymentState> deployments() {
        return deployments;
    }

    /** The deployments to try, in order, leaving out the unavailable ones. Empty: all unavailable (503). */
    public List<DeploymentState> candidates(long now, RandomGenerator rnd) {
        List<DeploymentState> out = new ArrayList<>(deployments.size());
        List<DeploymentState> weighted = new ArrayList<>();
        List<DeploymentState> standby = new ArrayList<>();
        for (List<DeploymentState> group : groups) {
            weighted.clear();
            standby.clear();
            for (DeploymentState d : group) {
                if (d.isAvailable(now)) {
                    (d.weight() > 0 ? weighted : standby).add(d);
                }
            }
            if (strategy == Strategy.PRIORITY) {
                weightedOrder(weighted, rnd, out);
            } else {
                powerOfTwoOrder(weighted, now, rnd, out);
            }
            out.addAll(standby);
        }
        return out;
    }

    /** Weighted random order without replacement; consumes {@code pool}. */
    private static void weightedOrder(List<DeploymentState> pool, RandomGenerator rnd, List<DeploymentState> out) {
        long total = 0;
        for (DeploymentState d : pool) {
            total += d.weight();
        }
        while (pool.size() > 1) {
            long r = rnd.nextLong(total);
            int i = 0;
            for (; i < pool.size() - 1; i++) {
                r -= pool.get(i).weight();
                if (r < 0) {
                    break;
                }
            }
            DeploymentState pick = pool.remove(i);
            total -= pick.weight();
            out.add(pick);
        }
        out.addAll(pool);
        pool.clear();
    }

    /** Repeated power of two choices by cost; consumes {@code pool}. */
    private static void powerOfTwoOrder(
            List<DeploymentState> pool, long now, RandomGenerator rnd, List<DeploymentState> out) {
        while (pool.size() > 1) {
            int n = pool.size();
            int a = rnd.nextInt(n);
            int b = rnd.nextInt(n - 1);
            if (b >= a) {
                b++;
            }
            double ca = pool.get(a).latency().cost(now);
            double cb = pool.get(b).latency().cost(now);
            int win = cb < ca ? b : a;
            out.add(pool.remove(win));
        }
        out.addAll(pool);
        pool.clear();
    }

    /** Failover rule for an HTTP status: 408, 409, 429 and 5xx are retryable, other statuses are not. */
    public static boolean isRetryable(int status) {
        return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
    }

    /**
     * Failover rule for a transport failure: connect errors (refused, no route, unknown host), resets and closed
     * connections, and timeouts (including Netty's read/write/connect timeouts, matched by class name so this
     * package needs no netty-handler) are retryable. Causes are followed.
     */
    public static boolean isRetryable(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException
                    || t instanceof TimeoutException
                    || t instanceof ClosedChannelException
                    || t instanceof SocketException) {
                return true;
            }
            String cls = t.getClass().getSimpleName();
            if (cls.endsWith("TimeoutException")
                    || cls.equals("ConnectTimeoutException")
                    || cls.equals("PrematureChannelClosureException")) {
                return true;
            }
            if (t instanceof IOException) {
                String msg = t.getMessage();
                if (msg != null && (msg.contains("Connection reset") || msg.contains("Broken pipe"))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "RouteSelector[" + strategy + " " + deployments + "]";
    }
}
