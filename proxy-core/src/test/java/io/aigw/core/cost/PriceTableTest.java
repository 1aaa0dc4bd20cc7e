package io.aigw.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aigw.core.exchange.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped price table and its lookup rule: exact id, else the id without one date suffix. */
class PriceTableTest {
    private final PriceTable table = PriceTable.builtin();

    @Test
    void exactIdsOfTheWellKnownModels() {
        assertEquals(new Price(2.50, 10.00, 1.25), table.find("openai", "gpt-4o"));
        assertEquals(new Price(0.15, 0.60, 0.075), table.find("openai", "gpt-4o-mini"));
        assertEquals(new Price(3, 15, 0.30), table.find("anthropic", "claude-3-5-sonnet"));
        assertEquals(new Price(0.02, 0, 0.02), table.find("openai", "text-embedding-3-small"));
        assertEquals(new Price(0.50, 1.50, 0.50), table.find("openai", "gpt-3.5-turbo"), "no cache discount");
        for (String id : List.of(
                "gpt-4o",
                "gpt-4o-mini",
                "gpt-4.1",
                "gpt-4.1-mini",
                "gpt-4.1-nano",
                "o1",
                "o1-mini",
                "o3",
                "o3-mini",
                "o4-mini",
                "gpt-3.5-turbo",
                "text-embedding-3-small",
                "text-embedding-3-large",
                "text-embedding-ada-002")) {
            assertNotNull(table.find("openai", id), id);
            assertNotNull(table.find("azure", id), "Azure under OpenAI's names: " + id);
        }
        for (String id : List.of(
                "claude-3-5-sonnet",
                "claude-3-5-haiku",
                "claude-3-7-sonnet",
                "claude-sonnet-4",
                "claude-opus-4",
                "claude-3-haiku",
                "claude-3-opus")) {
            Price p = table.find("anthropic", id);
            assertNotNull(p, id);
            // A tenth of input, rounded up to the cent by Anthropic for Haiku 3 ($0.03, not $0.025).
            assertEquals(
                    p.input() / 10, p.cachedInput(), 0.0051, "Anthropic's cache reads are a tenth of input: " + id);
        }
    }

    @Test
    void datedIdsArePricedAsTheirFamily() {
        assertSame(table.find("openai", "gpt-4o"), table.find("openai", "gpt-4o-2024-08-06"));
        assertSame(table.find("openai", "gpt-4o-mini"), table.find("openai", "gpt-4o-mini-2024-07-18"));
        assertSame(table.find("openai", "o3-mini"), table.find("openai", "o3-mini-2025-01-31"));
        assertSame(table.find("openai", "gpt-3.5-turbo"), table.find("openai", "gpt-3.5-turbo-0125"));
        assertSame(table.find("openai", "gpt-4"), table.find("openai", "gpt-4-0613"));
        assertSame(table.find("anthropic", "claude-3-5-sonnet"), table.find("anthropic", "claude-3-5-sonnet-20241022"));
        assertSame(table.find("anthropic", "claude-sonnet-4"), table.find("anthropic", "claude-sonnet-4-20250514"));
        assertSame(table.find("anthropic", "claude-3-7-sonnet"), table.find("anthropic", "claude-3-7-sonnet-latest"));
        assertSame(table.find("azure", "gpt-4o"), table.find("azure", "GPT-4o-2024-11-20"), "case ignored");
    }

    @Test
    void aSnapshotListedItselfKeepsItsOwnPrice() {
        assertEquals(new Price(5, 15, 5), table.find("openai", "gpt-4o-2024-05-13"), "not gpt-4o's later price");
        assertEquals(new Price(1, 2, 1), table.find("openai", "gpt-3.5-turbo-1106"));
    }

    @Test
    void unknownIdsAndProvidersHaveNoPrice() {
        assertNull(table.find("openai", "gpt-4o-audio-preview"), "not a prefix match");
        assertNull(table.find("openai", "o1-pro-preview"));
        assertNull(table.find("openai", "my-azure-deployment"));
        assertNull(table.find("openai", "claude-3-5-sonnet"), "the families are apart");
        assertNull(table.find("anthropic", "gpt-4o"));
        assertNull(table.find("ollama", "llama3:8b"));
        assertNull(table.find("ollama", "gpt-4o"), "a local model has no list price");
        assertNull(table.find("openai", ""));
        assertNull(table.find("openai", null));
        assertNull(table.find(null, "gpt-4o"));
        assertNull(table.find("openai", "-2024-08-06"));
        assertTrue(Double.isNaN(priced("openai", "llama3", new Usage(10, 10, 20, 0))), "unknown price: NaN cost");
    }

    @Test
    void theOverrideWinsOverTheTable() {
        Price negotiated = new Price(1, 4, 0.5);
        assertSame(negotiated, table.priceOf(negotiated, "openai", "gpt-4o"));
        assertSame(negotiated, table.priceOf(negotiated, "azure", "prod-chat"));
        assertSame(table.find("openai", "gpt-4o"), table.priceOf(null, "azure", "gpt-4o"));
        assertNull(table.priceOf(null, "azure", "prod-chat"));
    }

    @Test
    void theTableSaysWhenItsPricesWereTaken() {
        assertTrue(table.taken().matches("\\d{4}-\\d{2}-\\d{2}"), table.taken());
    }

    @Test
    void everyEntryIsSane() throws Exception {
        var root = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(PriceTable.class.getResourceAsStream("prices.json"));
        var families = root.get("providers").fields();
        int n = 0;
        while (families.hasNext()) {
            var family = families.next();
            var models = family.getValue().fields();
            while (models.hasNext()) {
                var m = models.next();
                Price p = table.find(family.getKey(), m.getKey()); // each family is its provider type's
                assertNotNull(p, m.getKey());
                assertFalse(p.cachedInput() > p.input(), "a cache read never costs more: " + m.getKey());
                assertTrue(p.input() < 1000 && p.output() < 1000, "per million, not per token: " + m.getKey());
                n++;
            }
        }
        assertTrue(n >= 30, "entries: " + n);
    }

    private double priced(String type, String id, Usage usage) {
        Price p = table.find(type, id);
        return p == null ? Double.NaN : p.costUsd(usage);
    }
}
