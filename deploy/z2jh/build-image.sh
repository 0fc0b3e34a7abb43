#!/usr/bin/env bash
# The course image for Zero to JupyterHub, built from binder/ exactly as Binder builds it
# (repo2docker reads binder/environment.yml and binder/postBuild), then pushed to a registry.
# Needs Docker; cannot run on the machine this project is tested on.
#
#   deploy/z2jh/build-image.sh                     # ghcr.io/your-org/ftroi-course:2026.1
#   FTROI_IMAGE=registry.example.org/ftroi FTROI_IMAGE_TAG=v2 deploy/z2jh/build-image.sh
#
# Keep FTROI_IMAGE and FTROI_IMAGE_TAG equal to singleuser.image in deploy/z2jh/values.yaml.
# binder/postBuild removes quizzes/source (the key) and turns the Assignment List off; the hub
# turns it back on through /etc/ftroi/jupyter (values.yaml's extraFiles).
set -euo pipefail

IMAGE="${FTROI_IMAGE:-ghcr.io/your-org/ftroi-course}"
TAG="${FTROI_IMAGE_TAG:-2026.1}"
cd "$(dirname "$0")/../.."   # the repository root: repo2docker uses its binder/ folder

jupyter-repo2docker --no-run --user-id 1000 --user-name jovyan --image-name "$IMAGE:$TAG" .
docker push "$IMAGE:$TAG"
