# Every command anyone needs. Each target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CHECKOV := .venv-checkov/bin/checkov
# Provider schemas for the offline Terraform check: the pinned CDK Terrain provider wheels
# (about 85 MB, data only), downloaded once; tests/terraform/schemas.py holds the pins.
SCHEMAS := .provider-schemas/.pins-$(shell cat tests/terraform/schemas.py | cksum | cut -d' ' -f1)
TF_EXAMPLE := terraform/examples/complete

.PHONY: install schemas test unit integration explore lint format demo bench bench-results bench-plots requirements plan deploy clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=25.1"
	$(BIN)/python -m pip install -q -e . --group dev
	rm -f $(VENV)/.installed-*
	touch $@

$(CHECKOV):
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install -q --upgrade pip
	.venv-checkov/bin/python -m pip install -q "checkov>=3.2,<4"

schemas: $(SCHEMAS)

$(SCHEMAS): $(STAMP) tests/terraform/schemas.py
	$(BIN)/python -m tests.terraform.schemas
	rm -f .provider-schemas/.pins-*
	touch $@

test: $(STAMP) $(CHECKOV) $(SCHEMAS)
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

# The interleaving explorer, deeper than in `make test`: every schedule up to 200,000 a
# scenario, then 20,000 drawn at random where there are more.
explore: $(STAMP)
	FLEET_EXPLORE_LIMIT=200000 FLEET_EXPLORE_SAMPLES=20000 $(BIN)/pytest tests/safety/test_explorer.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy function cli
	$(BIN)/mypy tests/terraform
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: $(STAMP)
	$(BIN)/python -m sandbox.demo

# Results and pictures go to bench/out/ (not tracked); bench-results updates the committed
# ones; bench-plots redraws the committed pictures and RESULTS.md from bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench.run

bench-results: $(STAMP)
	$(BIN)/python -m bench.run --out bench

bench-plots: $(STAMP)
	$(BIN)/python -m bench.plots bench

# What Cloud Run installs: the project's dependencies less those only the CLI needs.
requirements: $(STAMP)
	$(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb")); cli = p["tool"]["fleet-argocd-sync"]["cli-only-dependencies"]; print("# Generated from pyproject.toml by make requirements; Cloud Run installs these."); print("\n".join(d for d in p["project"]["dependencies"] if d not in cli))' > function/requirements.txt

plan deploy: $(TF_EXAMPLE)/terraform.tfvars
	@command -v terraform >/dev/null || { echo "terraform is not installed: see terraform/README.md"; exit 1; }
	cd $(TF_EXAMPLE) && terraform init -input=false
	cd $(TF_EXAMPLE) && terraform $(if $(filter deploy,$@),apply,plan) -var-file=terraform.tfvars

$(TF_EXAMPLE)/terraform.tfvars:
	@echo "Copy $(TF_EXAMPLE)/terraform.tfvars.example to $@ and fill it in."; exit 1

clean:
	rm -rf $(VENV) .venv-checkov .provider-schemas .pytest_cache .mypy_cache .ruff_cache
