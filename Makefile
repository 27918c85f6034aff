# plan-emploi : les deux commandes du README sont `make run` et `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe
DEV_ENV := DEBUG=1
HOTE ?= 127.0.0.1:8000

.PHONY: install run test e2e lint bench mutation sauvegarde restauration clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Installe, migre, charge le référentiel et la démo (petite échelle), lance le serveur sur $(HOTE).
## Sur PostgreSQL (DATABASE_URL=postgres://...), un ouvrier de tâches tourne à côté du serveur ; sur SQLite,
## les tâches s'exécutent dans le processus qui les demande.
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py demo --echelle petite
	@case "$$DATABASE_URL" in \
	  postgres*) $(DEV_ENV) $(BIN)/python manage.py procrastinate worker & ouvrier=$$!; \
	    trap 'kill $$ouvrier 2>/dev/null' EXIT INT TERM; \
	    $(DEV_ENV) $(BIN)/python manage.py runserver $(HOTE) ;; \
	  *) $(DEV_ENV) $(BIN)/python manage.py runserver $(HOTE) ;; \
	esac

## Installe et lance toute la suite de tests (SQLite, ou PostgreSQL si DATABASE_URL est défini).
test: install
	$(DEV_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

## Parcours dans Chromium seulement.
e2e: install
	$(DEV_ENV) $(BIN)/python -m pytest tests/e2e -m e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

## Banc de mesure (PostgreSQL : DATABASE_URL) ; imprime un tableau et écrit bench/resultats/*.json.
bench: install
	$(DEV_ENV) $(BIN)/python bench/lancer.py $(BENCH_ARGS)

## Test de mutation des règles d'une application (lent, hors CI) : make mutation APP=contrats
mutation: install
	@test -n "$(APP)" || { echo "Indiquez l'application : make mutation APP=contrats (ou beneficiaires, forums, mobilite, placement)"; exit 2; }
	$(BIN)/python scripts/mutation.py $(APP) $(MUTATION_ARGS)

## Sauvegarde la base de DATABASE_URL dans sauvegardes/ (PostgreSQL : pg_dump -Fc ; SQLite : copie cohérente).
sauvegarde: install
	$(BIN)/python scripts/sauvegarde.py sauvegarder $(SAUVEGARDE_ARGS)

## Remplace le contenu de la base de DATABASE_URL par une sauvegarde : make restauration FICHIER=sauvegardes/...
restauration: install
	@test -n "$(FICHIER)" || { echo "Indiquez le fichier : make restauration FICHIER=sauvegardes/plan-emploi-...dump"; exit 2; }
	$(BIN)/python scripts/sauvegarde.py restaurer "$(FICHIER)" $(RESTAURATION_ARGS)

clean:
	rm -rf $(VENV) staticfiles .mutation
