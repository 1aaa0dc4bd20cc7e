package io.aigw.server;

/**
 * Names of the handlers in the two pipelines, in the order they sit.
 *
 * <pre>
 * client connection (one per accepted socket, on its event loop)
 *   HEAD_WATCH      the first raw byte of a request head starts READ_TIMEOUT's clock
 *   HTTP_CODEC      HttpServerCodec: bounded initial line and headers
 *   KEEP_ALIVE      HttpServerKeepAliveHandler
 *   READ_TIMEOUT    RequestReadTimeoutHandler: slowloris guard, idle keep-alive close
 *   AGGREGATOR      BodyLimitAggregator: bounded body, 413 in OpenAI shape
 *   EXCHANGE_START  ExchangeStartHandler: request id, start time, one exchange at a time
 *   AUTH            ApiKeyAuthHandler: Bearer key to key hash (an admin key under /admin/), 401 otherwise
 *   ROUTER          EndpointRouter: method + path to endpoint, 404/405 otherwise
 *
 * client connection over server.max_connections or max_connections_per_ip
 *   HTTP_CODEC      HttpResponseEncoder
 *   REFUSAL         TooManyConnectionsHandler: 503 too_many_connections, then close
 *
 * upstream connection (pooled per provider and per event loop)
 *   TLS             SslHandler with SNI and hostname verification (https only)
 *   HTTP_CLIENT     HttpResponseDecoder (requests go out as bytes UpstreamRequest renders)
 *   POOL_IDLE       IdleStateHandler: evicts connections idle in the pool
 *   UPSTREAM        UpstreamResponseHandler: hands the response to the call bound to the channel
 * </pre>
 */
public final class PipelineNames {
    public static final String HEAD_WATCH = "requestHeadWatch";
    public static final String HTTP_CODEC = "httpCodec";
    public static final String KEEP_ALIVE = "keepAlive";
    public static final String READ_TIMEOUT = "requestReadTimeout";
    public static final String AGGREGATOR = "bodyAggregator";
    public static final String EXCHANGE_START = "exchangeStart";
    public static final String AUTH = "apiKeyAuth";
    public static final String ROUTER = "endpointRouter";
    public static final String REFUSAL = "tooManyConnections";

    public static final String TLS = "tls";
    public static final String HTTP_CLIENT = "httpClient";
    public static final String POOL_IDLE = "poolIdle";
    public static final String UPSTREAM = "upstreamResponse";

    private PipelineNames() {}
}
