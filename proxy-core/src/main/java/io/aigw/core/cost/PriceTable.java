package io.aigw.core.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The list prices aigw ships ({@code prices.json} next to this class), per provider family and model
 * id. A deployment's own {@code price} in the config wins over this table (see {@link #priceOf}).
 *
 * <p>Lookup rule: the model id exactly (case ignored), else the id with one date suffix removed
 * ({@code -2024-08-06}, {@code -20241022}, {@code -0125}, {@code -latest}), so a dated snapshot
 * is priced as its family unless the table lists the snapshot itself (as it does
 * {@code gpt-4o-2024-05-13}, priced apart). Not longest-prefix: {@code gpt-4o-audio-preview} or
 * {@code o1-pro} would silently get {@code gpt-4o}'s or {@code o1}'s price; an id the table does not
 * know is unknown (NaN cost), which an operator sees and fixes with an override.
 *
 * <p>Immutable and thread-safe; a lookup that hits allocates nothing but a lower-cased copy of an
 * id that has capitals.
 */
public final class PriceTable {

    private final Map<String, Map<String, Price>> byFamily;
    private final String taken;

    private PriceTable(Map<String, Map<String, Price>> byFamily, String taken) {
        this.byFamily = byFamily;
        this.taken = taken;
    }

    /** The table shipped in the jar, read once. */
    public static PriceTable builtin() {
        return Builtin.TABLE;
    }

    private static final class Builtin {
        static final PriceTable TABLE = load();

        private static PriceTable load() {
            try (InputStream in = PriceTable.class.getResourceAsStream("prices.json")) {
                if (in == null) {
                    throw new IllegalStateException("prices.json missing from the classpath");
                }
                return parse(new ObjectMapper().readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read prices.json", e);
            }
        }
    }

    /** A table from JSON shaped like {@code prices.json}: {@code {"taken": ..., "providers": {family: {model: price}}}}. */
    static PriceTable parse(JsonNode root) {
        Map<String, Map<String, Price>> families = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> f = root.path("providers").fields();
        while (f.hasNext()) {
            Map.Entry<String, JsonNode> family = f.next();
            Map<String, Price> models = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> m = family.getValue().fields();
            while (m.hasNext()) {
                Map.Entry<String, JsonNode> model = m.next();
                JsonNode p = model.getValue();
                double input = p.path("input").asDouble(Double.NaN);
                double output = p.path("output").asDouble(Double.NaN);
                double cached = p.has("cached_input") ? p.get("cached_input").asDouble(Double.NaN) : input;
                models.put(model.getKey().toLowerCase(Locale.ROOT), new Price(input, output, cached));
            }
            families.put(family.getKey(), Map.copyOf(models));
        }
        return new PriceTable(Map.copyOf(families), root.path("taken").asText(""));
    }

    /** The day the shipped prices were taken from the providers' public price lists. */
    public String taken() {
        return taken;
    }

    /**
     * The price the exchange is billed at: the deployment's {@code override} when it has one, else
     * this table's entry for the provider model id the request was sent with; null when neither.
     */
    public Price priceOf(Price override, String providerType, String modelId) {
        return override != null ? override : find(providerType, modelId);
    }

    /**
     * The table's price of {@code modelId} on a provider of type {@code providerType}, or null. Azure
     * serves OpenAI's models under OpenAI's prices; Ollama and unknown types have no list price.
     */
    public Price find(String providerType, String modelId) {
        String family = family(providerType);
        Map<String, Price> models = family == null ? null : byFamily.get(family);
        if (models == null || modelId == null || modelId.isEmpty()) {
            return null;
        }
        String id = modelId.toLowerCase(Locale.ROOT);
        if (family.equals("gemini") && id.startsWith("models/")) { // Gemini's resource name for a model
            id = id.substring(7);
        }
        Price exact = models.get(id);
        if (exact != null) {
            return exact;
        }
        int dated = datedSuffix(id);
        return dated >= 0 ? models.get(id.substring(0, dated)) : null;
    }

    /**
     * Where a date or {@code -latest} suffix starts ({@code -2024-08-06}, {@code -20240806},
     * {@code -0613}, {@code -latest}), or -1. By hand rather than a regex: a matcher per request
     * showed in allocation profiles, and most model ids in the wild are not in the table and reach
     * this. The longest form is tried first, as a regex's leftmost match would be.
     */
    static int datedSuffix(String id) {
        int n = id.length();
        if (n >= 11
                && id.charAt(n - 11) == '-'
                && digits(id, n - 10, n - 6)
                && id.charAt(n - 6) == '-'
                && digits(id, n - 5, n - 3)
                && id.charAt(n - 3) == '-'
                && digits(id, n - 2, n)) {
            return n - 11;
        }
        if (n >= 9 && id.charAt(n - 9) == '-' && digits(id, n - 8, n)) {
            return n - 9;
        }
        if (n >= 7 && id.endsWith("-latest")) {
            return n - 7;
        }
        if (n >= 5 && id.charAt(n - 5) == '-' && digits(id, n - 4, n)) {
            return n - 5;
        }
        return -1;
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String family(String providerType) {
        if (providerType == null) {
            return null;
        }
        return switch (providerType) {
            case "openai", "azure" -> "openai";
            case "anthropic" -> "anthropic";
            case "gemini" -> "gemini";
            default -> null;
        };
    }
}
