package io.aigw.core.log;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** JDBC URL helpers: settings added where the operator gave none, and a form safe to log. */
public final class JdbcUrls {
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;]password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@?]*:)[^/@?]*@");

    private JdbcUrls() {}

    /** {@code url} with each of {@code defaults} appended as a query parameter unless already set. */
    static String withDefaults(String url, Map<String, String> defaults) {
        int q = url.indexOf('?');
        Set<String> present = new HashSet<>();
        if (q >= 0) {
            for (String param : url.substring(q + 1).split("&")) {
                int eq = param.indexOf('=');
                present.add(eq < 0 ? param : param.substring(0, eq));
            }
        }
        StringBuilder out = new StringBuilder(url);
        char sep = q < 0 ? '?' : '&';
        if (url.endsWith("?") || url.endsWith("&")) {
            sep = 0;
        }
        for (Map.Entry<String, String> e : defaults.entrySet()) {
            if (!present.contains(e.getKey())) {
                if (sep != 0) {
                    out.append(sep);
                }
                out.append(e.getKey()).append('=').append(e.getValue());
                sep = '&';
            }
        }
        return out.toString();
    }

    /** {@code url} with any password (a {@code password=} parameter or user info) masked. */
    public static String redact(String url) {
        String s = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(s).replaceAll("$1***@");
    }
}
