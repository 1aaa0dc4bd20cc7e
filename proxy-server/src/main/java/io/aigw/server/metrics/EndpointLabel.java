package io.aigw.server.metrics;

import io.aigw.core.exchange.ApiEndpoint;

/** The {@code endpoint} label: one of the routes the server has, never a path a client made up. */
enum EndpointLabel {
    CHAT_COMPLETIONS("/v1/chat/completions", "chat"),
    COMPLETIONS("/v1/completions", "text_completion"),
    EMBEDDINGS("/v1/embeddings", "embeddings"),
    MESSAGES("/v1/messages", "chat"),
    COUNT_TOKENS("/v1/messages/count_tokens", null),
    RESPONSES("/v1/responses", "chat"),
    MODELS("/v1/models", null),
    HEALTH("/health", null),
    ADMIN("/admin", null),
    METRICS("metrics", null),
    OTHER("other", null);

    static final EndpointLabel[] ALL = values();

    private final String label;
    /** The OpenTelemetry GenAI {@code gen_ai.operation.name}, null for the gateway's own endpoints. */
    private final String operation;

    EndpointLabel(String label, String operation) {
        this.label = label;
        this.operation = operation;
    }

    String label(String metricsPath) {
        return this == METRICS ? metricsPath : label;
    }

    String operation() {
        return operation;
    }

    static EndpointLabel of(ApiEndpoint endpoint, String path, String metricsPath) {
        if (endpoint != null) {
            return switch (endpoint) {
                case CHAT_COMPLETIONS -> CHAT_COMPLETIONS;
                case COMPLETIONS -> COMPLETIONS;
                case EMBEDDINGS -> EMBEDDINGS;
                case MESSAGES -> MESSAGES;
                case COUNT_TOKENS -> COUNT_TOKENS;
                case RESPONSES -> RESPONSES;
            };
        }
        if (path == null) {
            return OTHER;
        }
        // Allocation-free: equals/startsWith on the path the exchange already holds.
        if (path.equals("/v1/chat/completions")) {
            return CHAT_COMPLETIONS;
        }
        if (path.equals("/v1/completions")) {
            return COMPLETIONS;
        }
        if (path.equals("/v1/embeddings")) {
            return EMBEDDINGS;
        }
        if (path.equals("/v1/messages")) {
            return MESSAGES;
        }
        if (path.equals("/v1/messages/count_tokens")) {
            return COUNT_TOKENS;
        }
        if (path.startsWith("/v1/responses")) {
            return RESPONSES;
        }
        if (path.startsWith("/v1/models")) {
            return MODELS;
        }
        if (path.equals("/health")) {
            return HEALTH;
        }
        if (path.startsWith("/admin")) {
            return ADMIN;
        }
        if (path.equals(metricsPath)) {
            return METRICS;
        }
        return OTHER;
    }
}
