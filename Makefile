# make run: install into .venv and open the dashboard on the bundled demo data.
# make share: the same, reachable from other computers on the network (README, "Sharing on a network").
# make test: install into .venv and run the whole test suite (what CI runs).
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run share test bench

# uv installs the same pinned packages as pip in about half the time (it downloads, unpacks and compiles
# on every core; 76 s against 145 s on 2 cores). It does not read pip's configuration, so it is handed the
# folders where pip is told to find local wheels (this machine kind's CPU build of torch), and it trusts the
# system's certificates, as pip does (without them uv's own fail behind this machine kind's TLS proxy). If uv
# cannot install, pip does.
FIND_LINKS = $(or $(PIP_FIND_LINKS),$(shell python3 -m pip config get global.find-links 2>/dev/null))

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	{ $(PY) -m pip install -q uv==0.13.9 && $(PY) -m uv pip install -q --system-certs --python $(PY) \
	    --compile-bytecode $(addprefix --find-links ,$(FIND_LINKS)) -r requirements-dev.txt; } \
	  || { echo "uv could not install the packages; installing them with pip"; \
	       $(PY) -m pip install -q -r requirements-dev.txt; }
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m streamlit run app.py

share: install
	$(PY) -m streamlit run app.py --server.address 0.0.0.0

test: install
	$(PY) -m pytest -q
