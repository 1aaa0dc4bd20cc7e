package io.aigw.bench.log;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} or {@code --name=value} options over defaults; an unknown name is an error. */
final class Args {

    private Args() {}

    /** {@code defaults} are name, value pairs. */
    static Map<String, String> parse(String[] args, String... defaults) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < defaults.length; i += 2) {
            out.put(defaults[i], defaults[i + 1]);
        }
        Map<String, String> known = Map.copyOf(out);
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (!known.containsKey(name)) {
                throw new IllegalArgumentException("unknown option " + name + " (known: " + out.keySet() + ")");
            }
            out.put(name, value);
        }
        return out;
    }
}
