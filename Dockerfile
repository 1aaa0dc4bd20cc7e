# syntax=docker/dockerfile:1
# aigw's container image: the layout scripts/dist.sh builds (jars, bin/aigw, conf/, a jlink runtime)
# on a slim Debian, run as a non-root user. README "Container image".
#   docker build -t aigw .
#   docker run -p 8080:8080 -e PROXY_API_KEYS=sk-... -e OPENAI_API_KEY=... -v aigw-data:/var/lib/aigw aigw
#   docker run --rm -e AIGW_ADMIN_KEY=... -e AIGW_URL=http://host:8080 aigw keys list   (any CLI command instead of "start")

# Stage 1: the tarball, built by the same script as anywhere else. Temurin's JDK is built for old
# glibc (2.17), so the runtime jlink cuts from it runs on the Debian below.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# The Maven repository is a build cache, not a layer; the wrapper fetches Maven itself (no curl or
# unzip needed: it falls back to Java and tar).
RUN --mount=type=cache,target=/root/.m2 \
    scripts/dist.sh >/tmp/dist.out \
    && mkdir /out \
    && tar -xzf "$(tail -n 1 /tmp/dist.out)" -C /out \
    && mv /out/aigw-* /out/aigw

# Stage 2: only the unpacked layout. The runtime is linked against glibc, hence Debian, not Alpine;
# it carries its own CA certificates (runtime/lib/security/cacerts), so no ca-certificates package.
FROM debian:bookworm-slim
# A fixed uid/gid, so a mounted volume's ownership is known in advance (chown 10001 on the host).
RUN groupadd --system --gid 10001 aigw \
    && useradd --system --uid 10001 --gid aigw --home-dir /var/lib/aigw --no-create-home \
       --shell /usr/sbin/nologin aigw \
    && mkdir -p /var/lib/aigw \
    && chown aigw:aigw /var/lib/aigw
COPY --from=build /out/aigw /opt/aigw
# The shipped proxy.yaml keeps its state (request log, generated key's hash, spill, class-data
# archive) in AIGW_DATA_DIR; listen on all interfaces (its default) and port 8080.
ENV AIGW_DATA_DIR=/var/lib/aigw
VOLUME /var/lib/aigw
WORKDIR /var/lib/aigw
EXPOSE 8080
USER aigw
# bin/aigw health asks 127.0.0.1:${PROXY_PORT:-8080}/health over bash's /dev/tcp: no curl in the
# image and no JVM started every 30 s. Set PROXY_PORT if the config listens elsewhere.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/aigw/bin/aigw", "health"]
# docker stop sends SIGTERM: a graceful stop, streams get server.shutdown_grace_ms (30 s by default),
# so give it `docker stop -t 45` (or stop_grace_period: 45s) to avoid a SIGKILL while draining.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/aigw/bin/aigw"]
CMD ["start"]
