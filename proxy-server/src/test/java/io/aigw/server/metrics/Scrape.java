package io.aigw.server.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** A scrape in the text format, parsed into its samples: {@code name{labels}} to value. */
public final class Scrape {
    private final String text;
    private final Map<String, Double> samples = new LinkedHashMap<>();

    public Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    public String text() {
        return text;
    }

    /** The sample's value, 0 when the series is absent (a counter never incremented is not shown). */
    public double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    public boolean has(String series) {
        return samples.containsKey(series);
    }

    /** The sum over every sample whose series starts with {@code prefix}. */
    public double sum(String prefix) {
        double sum = 0;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    public Map<String, Double> samples() {
        return samples;
    }
}
