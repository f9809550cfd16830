# One entry point. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
NLP_MODEL := nlp/model
NLP_INPUTS := $(wildcard nlp/*.py nlp/facts/*.py nlp/patterns/*.yml nlp/words/*.yml)
ANSWER_MODEL := answers/model/answers.joblib
ANSWER_INPUTS := $(wildcard data/answers/*.yml) answers/classifier.py answers/build.py

.DEFAULT_GOAL := help
.PHONY: help install nlp answers train run shell test lint bench clean browser webchat haproxy stack stack-stop load

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create the Python 3.10 virtualenv with the pinned requirements

$(VENV)/.installed: requirements.txt constraints.txt scripts/find_python.sh
	@test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip==24.0
	$(VENV)/bin/pip install --quiet -r requirements.txt -c constraints.txt
	@touch $@

nlp: $(NLP_MODEL)/meta.json ## build the spaCy pipeline (blank English + our patterns + ConText)

$(NLP_MODEL)/meta.json: $(VENV)/.installed $(NLP_INPUTS)
	$(PY) nlp/build_pipeline.py --out $(NLP_MODEL)

answers: $(ANSWER_MODEL) ## train the learned answer readers on the answer corpus (data/answers)

$(ANSWER_MODEL): $(VENV)/.installed $(ANSWER_INPUTS)
	$(PY) -m answers.build

train: install nlp answers ## train the Rasa model if (and only if) its data changed
	@VENV=$(VENV) scripts/train_if_changed.sh

run: train ## start the action server and the Rasa server (REST on :5005)
	@scripts/run.sh

shell: train ## chat in the terminal (own servers on free ports: works beside `make run`)
	@$(PY) -m tooling.shell

stack: train haproxy ## the production stack in the background: HAProxy :8080, 2 replicas, PostgreSQL, Redis
	@$(PY) -m tooling.cluster_cli start

stack-stop: ## stop exactly what `make stack` started
	@$(PY) -m tooling.cluster_cli stop

haproxy: ## Debian's HAProxy for make stack and the failover test (root installs it if missing)
	@command -v haproxy >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)

browser: ## Debian's Chromium for the widget's browser test (root installs it if missing)
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

webchat: ## rasa-webchat and axe-core from the npm registry (pinned, integrity-checked) for the browser tests
	@tooling/fetch_npm.sh

test: train browser webchat haproxy ## static checks (scripts/check), then every test
	@VENV=$(VENV) scripts/check
	$(PY) -m pytest

lint: install ## ruff, ruff format and mypy --strict (scripts/check)
	@VENV=$(VENV) scripts/check

bench: train ## print latency, CPU per turn (vs a plain rasa init bot), start time, memory, training time, NLU and readability numbers
	$(PY) -m bench.turn_latency
	$(PY) -m bench.turn_cpu
	$(PY) -m bench.nlu_eval
	$(PY) -m bench.answer_eval
	$(PY) -m bench.intent_eval
	$(PY) -m bench.readability --quiet --check
	$(PY) -m bench.simulated_patients

load: train haproxy ## 300 patients through HAProxy, 1 then 2 replicas: errors, cross-talk, latency (~8 min)
	$(PY) -m bench.load

clean: ## remove built models (not the virtualenv)
	rm -rf models $(NLP_MODEL) answers/model
