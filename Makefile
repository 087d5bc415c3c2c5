# make run: install into .venv and open the dashboard on the bundled demo data.
# make share: the same, reachable from other computers on the network (README, "Sharing on a network").
# make test: install into .venv and run the whole test suite (what CI runs).
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run share test bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m streamlit run app.py

share: install
	$(PY) -m streamlit run app.py --server.address 0.0.0.0

test: install
	$(PY) -m pytest -q
