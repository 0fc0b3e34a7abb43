#!/usr/bin/env bash
# The course image for Zero to JupyterHub: binder/environment.yml (the same environment as
# Binder's), the workbook's package and the lessons, built with repo2docker and pushed to a
# registry. Needs Docker; cannot run on the machine this project is tested on.
#
#   deploy/z2jh/build-image.sh                     # ghcr.io/your-org/ftroi-course:2026.1
#   FTROI_IMAGE=registry.example.org/ftroi FTROI_IMAGE_TAG=v2 deploy/z2jh/build-image.sh
#   deploy/z2jh/build-image.sh --stage-only DIR    # only write the build context to DIR
#
# Keep FTROI_IMAGE and FTROI_IMAGE_TAG equal to singleuser.image in deploy/z2jh/values.yaml.
#
# Every student's pod runs this image, and anyone who can pull it can read every layer. So it is
# NOT built from the repository root (repo2docker copies the whole folder, .git included, and a
# file deleted by a later build step stays in an earlier layer). It is built from a staged
# context: the committed binder/environment.yml, pyproject.toml, README.md, ftroi_helpers/ and
# lessons/ (git archive: no .git, no quizzes/source, no quizzes/ftroi_course), and a postBuild of
# its own that installs the package. Quizzes reach students through the exchange, not the image.
set -euo pipefail

IMAGE="${FTROI_IMAGE:-ghcr.io/your-org/ftroi-course}"
TAG="${FTROI_IMAGE_TAG:-2026.1}"
cd "$(dirname "$0")/../.."   # the course checkout

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
git archive --format=tar HEAD binder/environment.yml pyproject.toml README.md ftroi_helpers \
  lessons | tar -x -C "$STAGE"
cat > "$STAGE/binder/postBuild" <<'POSTBUILD'
#!/usr/bin/env bash
# The hub's image (deploy/z2jh/build-image.sh): the workbook's package; no quizzes, no key.
set -euo pipefail
python -m pip install --no-deps --quiet .
rm -rf build ./*.egg-info
POSTBUILD
chmod 755 "$STAGE/binder/postBuild"
if find "$STAGE" -name ftroi_course -o -path '*/quizzes/source' -o -name .git | grep -q .; then
  echo "build-image.sh: the staged context holds the course; refusing to build" >&2
  exit 1
fi

if [ "${1:-}" = "--stage-only" ]; then
  mkdir -p "$2" && cp -a "$STAGE/." "$2/"
  exit 0
fi

jupyter-repo2docker --no-run --user-id 1000 --user-name jovyan --image-name "$IMAGE:$TAG" "$STAGE"
docker push "$IMAGE:$TAG"
