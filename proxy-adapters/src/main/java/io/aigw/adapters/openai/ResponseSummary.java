package io.aigw.adapters.openai;

import io.aigw.core.exchange.Usage;

/**
 * What the proxy records about a non-streamed upstream body.
 *
 * @param parsed       the body was complete, well-formed JSON
 * @param error        the body is an object with a non-null top-level {@code error}
 * @param usage        {@link Usage#NONE} when the body had no usage object
 * @param finishReason the first non-null {@code choices[].finish_reason}, or null
 */
public record ResponseSummary(boolean parsed, boolean error, Usage usage, String finishReason) {}
