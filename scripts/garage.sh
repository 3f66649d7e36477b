# Sourced by scripts/test.sh and the upload benchmark: builds Garage 2.5.0 once (cached in
# $ZHUJIAN_CACHE, by default ~/.cache/zhujian) and starts a single-node Garage on free
# loopback ports with one bucket. Exports TEST_S3_ENDPOINT, TEST_S3_REGION, TEST_S3_BUCKET,
# TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY; `stop_garage` stops it and removes its data.

garage_version=2.5.0
garage_root="${ZHUJIAN_CACHE:-$HOME/.cache/zhujian}/garage-$garage_version"
garage_bin="$garage_root/bin/garage"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_garage() {
  if [ ! -x "$garage_bin" ]; then
    echo "building Garage $garage_version (once; cached in $garage_root)" >&2
    cargo install "garage@$garage_version" --locked --root "$garage_root" >&2
  fi
  garage_dir=$(mktemp -d /tmp/zhujian-garage.XXXXXX)
  local rpc_port s3_port admin_port
  rpc_port=$(free_port); s3_port=$(free_port); admin_port=$(free_port)
  cat > "$garage_dir/garage.toml" <<TOML
metadata_dir = "$garage_dir/meta"
data_dir = "$garage_dir/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3_port"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$admin_port"
TOML
  export TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
  export TEST_S3_REGION=garage
  export TEST_S3_BUCKET=zhujian-test
  export TEST_S3_ACCESS_KEY="GK$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
  export TEST_S3_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  GARAGE_DEFAULT_ACCESS_KEY="$TEST_S3_ACCESS_KEY" GARAGE_DEFAULT_SECRET_KEY="$TEST_S3_SECRET_KEY" \
    GARAGE_DEFAULT_BUCKET="$TEST_S3_BUCKET" RUST_LOG=warn \
    setsid "$garage_bin" -c "$garage_dir/garage.toml" server --single-node --default-bucket \
    >"$garage_dir/garage.log" 2>&1 < /dev/null &
  garage_pid=$!
  local tries=0
  until "$garage_bin" -c "$garage_dir/garage.toml" bucket info "$TEST_S3_BUCKET" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 120 ] || ! kill -0 "$garage_pid" 2>/dev/null; then
      echo "Garage did not start:" >&2; cat "$garage_dir/garage.log" >&2; return 1
    fi
    sleep 0.5
  done
  echo "test Garage $garage_version on $TEST_S3_ENDPOINT (bucket $TEST_S3_BUCKET)" >&2
}

stop_garage() {
  if [ -n "${garage_pid:-}" ]; then
    kill "$garage_pid" 2>/dev/null || true
    wait "$garage_pid" 2>/dev/null || true
  fi
  [ -n "${garage_dir:-}" ] && rm -rf "$garage_dir"
}
