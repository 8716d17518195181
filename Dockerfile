# Build and runtime images use the same package script as the README commands and CI.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh --build
COPY . .
# Again with the sources in place: installs the web console's pinned npm packages.
RUN bash scripts/install-deps.sh --build \
 && cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPBX_BUILD_TESTS=OFF \
      -DPBX_BUILD_BENCH=OFF \
 && cmake --build /build --target pbxd

FROM debian:12
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && useradd --system --no-create-home pbx
COPY --from=build /build/pbxd /usr/local/bin/pbxd
USER pbx
ENV PBX_HOST=0.0.0.0 PBX_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --retries=10 CMD curl -fsS http://127.0.0.1:8080/health || exit 1
CMD ["pbxd", "serve", "--migrate"]
