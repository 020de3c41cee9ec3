# Two commands from a fresh clone (Python 3.11 and make are all they need):
#   make book    install the toolchain into .venv and build the HTML book into _build/html
#   make unit    the unit tests of wsl_lib alone, tests/ without tests/book/ (about a minute; no notebooks,
#                no book build, no browser)
#   make test    install the toolchain into .venv and run every test (unit tests, every notebook
#                run once from a clean install with its outputs compared as nbval compares them,
#                the book build with warnings as errors)
# And for authors:
#   make student build the student edition (every solution removed) into _build_student/_build/html,
#                and its notebooks (to upload to Colab or a course site) into _build_student/notebooks
#   make execute re-execute every notebook in place (restart and run all), storing clean outputs
#   make execute-cold  the same, each notebook alone with an empty model cache (the Colab case), timed
#   make time-test    run the test command, timed, and add its time to the execution-time table
#   make determinism  nbval over every notebook with 1 thread and PYTHONHASHSEED set, then the defaults
#   make robustness   run the book under seeds 1-5 and older CPU code paths; write the report and its page
#   make set-repository URL=https://github.com/owner/name   set the book's repository URL everywhere
#   make linkcheck    check the external links of the book (needs internet; not a CI gate)
#   make bench   run the benchmarks against TorchCAM, pytorch-grad-cam, OpenCV and a bare PyTorch
#                training loop; print the tables
#   make mutation  mutation testing (mutmut) of the modules that compute the book's numbers: the score
#                and every survivor not in tests/mutation_survivors.txt (about 5 minutes)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install book student unit test execute execute-cold time-test bench mutation determinism robustness set-repository linkcheck clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-bench.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --keep-going
	@echo "Open _build/html/index.html"

student: $(STAMP)
	$(PY) scripts/build_student_edition.py --keep-going
	@echo "Open _build_student/_build/html/index.html; the student notebooks are in _build_student/notebooks"

unit: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/book -m "not slow" -q

# every notebook runs once, in tests/book/test_clean_install.py (a clean install, outputs compared);
# `make determinism` runs nbval itself over the notebooks
test: $(STAMP)
	$(PY) -m pytest tests

execute: $(STAMP)
	$(PY) scripts/execute_notebooks.py
	$(PY) scripts/course_tables.py

execute-cold: $(STAMP)
	$(PY) scripts/execute_notebooks.py --cold
	$(PY) scripts/course_tables.py

time-test: $(STAMP)
	$(PY) scripts/execute_notebooks.py --time-test "$(PY) -m pytest tests"

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider

determinism: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=12345 $(PY) -m pytest book $(NBVAL)
	env -u OMP_NUM_THREADS -u MKL_NUM_THREADS -u PYTHONHASHSEED $(PY) -m pytest book $(NBVAL)

robustness: $(STAMP)
	$(PY) scripts/robustness.py

set-repository: $(STAMP)
	$(PY) scripts/set_repository.py "$(URL)"

linkcheck: $(STAMP)
	$(VENV)/bin/jupyter-book build . --builder linkcheck

bench: $(STAMP)
	$(PY) benchmarks/bench_cam.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_train.py

# mutmut copies wsl_lib into mutants/ and runs the fast unit tests of [tool.mutmut] in
# pyproject.toml against each mutant, two at a time (one thread each: it forks after torch starts)
mutation: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-mutation.txt
	rm -rf mutants
	OMP_NUM_THREADS=1 $(VENV)/bin/mutmut run --max-children 2
	$(PY) scripts/mutation_score.py

clean:
	rm -rf mutants _build _build_student _config_student.yml test-artifacts
