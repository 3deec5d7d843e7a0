# The two commands of the README. Everything else is in scripts/.
.PHONY: run test lint

run:  ## install, migrate, load demo data, serve on http://127.0.0.1:8000
	@scripts/run.sh

test:  ## install, start throwaway PostgreSQL and Redis, run the suite on SQLite and PostgreSQL
	@scripts/test.sh $(ARGS)

lint:
	@. scripts/ensure-uv.sh && $$UV run --frozen ruff check src tests bench migrations && $$UV run --frozen ruff format --check src tests bench migrations
