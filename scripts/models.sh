# Sourced by scripts/test.sh and scripts/bench.sh: the face models, fetched once into
# $ZHUJIAN_CACHE (default ~/.cache/zhujian) and reused; exports ZHUJIAN_FACE_MODELS_DIR.
prepare_face_models() {
  export ZHUJIAN_FACE_MODELS_DIR="${ZHUJIAN_CACHE:-$HOME/.cache/zhujian}/models"
  cargo run --locked --quiet -- models fetch >&2
}
